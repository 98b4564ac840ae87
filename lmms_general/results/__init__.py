"""Readers: lmms-eval output folders and the official suite's CSV / xlsx layout."""

from lmms_general.results.lmms_output import find_results_files, read_lmms_runs
from lmms_general.results.official_layout import read_official_scores
from lmms_general.results.samples import SampleLog, metric_score_fn, read_sample_items
from lmms_general.results.types import ModelScores, ResultsError

__all__ = [
    "ModelScores",
    "ResultsError",
    "SampleLog",
    "find_results_files",
    "metric_score_fn",
    "read_lmms_runs",
    "read_official_scores",
    "read_sample_items",
]
