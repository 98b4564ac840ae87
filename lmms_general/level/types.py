"""Typed inputs and frozen results of the General-Level computation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from lmms_general.registry import LEVEL_MODALITIES

LEVEL_KEYS: tuple[str, ...] = ("level2", "level3", "level4", "level5")


class TaskRow(Protocol):
    """What scoring needs from a registry row (:class:`lmms_general.registry.TaskSpec` satisfies it)."""

    @property
    def key(self) -> str: ...
    @property
    def modality(self) -> str: ...
    @property
    def paradigm(self) -> str: ...
    @property
    def metric_raw(self) -> str: ...
    @property
    def metric_id(self) -> str: ...
    @property
    def higher_is_better(self) -> bool: ...
    @property
    def sota(self) -> float: ...


@dataclass(frozen=True)
class TaskOutcome:
    """One task of one model: raw and normalised scores, support and win.

    ``raw`` is None when the model has no score for the task (missing); ``score`` is the
    normalised model value used by the formulas (None = missing; official mode turns a missing
    special-metric value into 0.0); ``sota_score`` is the normalised SoTA value. ``clipped_from`` /
    ``sota_clipped_from`` report a corrected-mode value that was clipped to [0, 100] (else None).
    """

    key: str
    modality: str
    paradigm: str
    raw: float | None
    score: float | None
    sota_score: float | None
    supported: bool
    win: bool
    #: corrected mode: the mapped value before clipping to [0, 100], when clipping changed it
    clipped_from: float | None = None
    sota_clipped_from: float | None = None


@dataclass(frozen=True)
class ModalityResult:
    """Level-2..4 of one modality, plus the quantities behind them."""

    modality: str
    level2: float
    level3: float
    level4: float
    S_C: float
    S_G: float
    L2_C: float
    L2_G: float
    supported: int
    tasks: int
    wins: int
    supported_comprehension: int
    supported_generation: int


@dataclass(frozen=True)
class NlpResult:
    """The language group feeding Level-5: S_L, w_L = S_L / 100, support and wins."""

    S_L: float
    w_L: float
    supported: int
    tasks: int
    wins: int


@dataclass(frozen=True)
class Interval:
    """A bootstrap confidence interval."""

    low: float
    high: float
    level: float = 0.95


@dataclass(frozen=True)
class LevelResult:
    """General-Level result of one model (frozen; :meth:`to_dict` gives the documented JSON)."""

    mode: str
    model: str
    modalities: tuple[ModalityResult, ...]
    nlp: NlpResult
    level2: float
    level3: float
    level4: float
    level5: float
    level: int
    outcomes: tuple[TaskOutcome, ...]
    ci: dict[str, Interval] = field(default_factory=dict)

    def modality(self, name: str) -> ModalityResult:
        """The result of one modality (``image``, ``video``, ``audio``, ``3d``)."""
        for m in self.modalities:
            if m.modality == name:
                return m
        raise KeyError(name)

    @property
    def overall(self) -> dict[str, float]:
        return {"level2": self.level2, "level3": self.level3, "level4": self.level4, "level5": self.level5}

    @property
    def missing_tasks(self) -> tuple[str, ...]:
        """Tasks without any score (not evaluated)."""
        return tuple(o.key for o in self.outcomes if o.raw is None)

    @property
    def unsupported_tasks(self) -> tuple[str, ...]:
        """Tasks not supported: missing, or scored 0 after normalisation."""
        return tuple(o.key for o in self.outcomes if not o.supported)

    @property
    def clipped_tasks(self) -> dict[str, float]:
        """Corrected mode: ``key -> value before clipping`` of every model score clipped to [0, 100]."""
        return {o.key: o.clipped_from for o in self.outcomes if o.clipped_from is not None}

    @property
    def tasks_won(self) -> tuple[str, ...]:
        """Tasks where the model ties or beats the SoTA specialist."""
        return tuple(o.key for o in self.outcomes if o.win)

    def to_dict(self, with_tasks: bool = False) -> dict[str, Any]:
        """The documented JSON object (``modalities``, ``nlp``, ``overall``, ``level``, ...)."""
        modalities = {}
        for m in self.modalities:
            d = asdict(m)
            d.pop("modality")
            modalities[m.modality] = d
        out: dict[str, Any] = {
            "mode": self.mode,
            "model": self.model,
            "modalities": modalities,
            "nlp": asdict(self.nlp),
            "overall": self.overall,
            "level": self.level,
            "unsupported_tasks": list(self.unsupported_tasks),
            "missing_tasks": list(self.missing_tasks),
            "tasks_won": list(self.tasks_won),
            "clipped_tasks": self.clipped_tasks,
        }
        if self.ci:
            out["ci"] = {k: [v.low, v.high] for k, v in self.ci.items()}
            out["ci_level"] = next(iter(self.ci.values())).level
        if with_tasks:
            out["tasks"] = [asdict(o) for o in self.outcomes]
        return out


__all__ = [
    "LEVEL_KEYS",
    "LEVEL_MODALITIES",
    "Interval",
    "LevelResult",
    "ModalityResult",
    "NlpResult",
    "TaskOutcome",
    "TaskRow",
]
