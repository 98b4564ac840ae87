"""General-Level: pure scoring (official and corrected modes), typed results, bootstrap intervals."""

from lmms_general.level.bootstrap import BootstrapTask, bootstrap_levels, level_values, with_intervals
from lmms_general.level.scoring import LevelScorer, harmonic_level4, reached_level, score_model
from lmms_general.level.types import Interval, LevelResult, ModalityResult, NlpResult, TaskOutcome, TaskRow

__all__ = [
    "BootstrapTask",
    "Interval",
    "LevelResult",
    "LevelScorer",
    "ModalityResult",
    "NlpResult",
    "TaskOutcome",
    "TaskRow",
    "bootstrap_levels",
    "harmonic_level4",
    "level_values",
    "reached_level",
    "score_model",
    "with_intervals",
]
