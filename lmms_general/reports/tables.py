"""Report content as plain rows (shared by the Markdown, HTML and CSV writers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lmms_general.level.types import LevelResult
from lmms_general.registry import Registry, load_registry

#: modality -> its label in every report (tables, scopes, plots, terminal)
MODALITY_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "3d": "3D", "nlp": "NLP"}


@dataclass
class ModelReport:
    """One model's result with what the report shows next to it.

    ``stats`` holds per-task sample-log counts (:class:`~lmms_general.results.task_stats.TaskStats`),
    ``errors`` task-level metric errors, ``warnings`` what the reader must see first, ``provenance`` the run's
    model, model_args, dates, versions, limit and data root.
    """

    result: LevelResult
    messages: list[str] = field(default_factory=list)
    other: dict[str, dict[str, float]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    scopes: list[Any] = field(default_factory=list)

    @property
    def skills(self) -> dict[str, str]:
        """registry key -> skill cluster named in the task's sample log."""
        return {k: s.skill for k, s in self.stats.items() if getattr(s, "skill", "")}


TASK_HEADER = ["Task", "Group", "Metric", "Score", "SoTA", "Normalised", "Win", "Samples", "OK", "Failed",
               "Unparsed", "Errors", "Bad ref.", "First error"]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PARADIGM_SHORT = {"comprehension": "comp.", "generation": "gen."}


def task_rows(rep: ModelReport, registry: Registry | None = None) -> list[list[str]]:
    """One row per task that ran (or failed to score): scores, win and the sample log's counts."""
    registry = registry or load_registry()
    rows = []
    for o in rep.result.outcomes:
        if o.raw is None and o.key not in rep.errors and o.key not in rep.stats:
            continue
        spec = registry[o.key] if o.key in registry else None
        st = rep.stats.get(o.key)
        first = rep.errors.get(o.key) or (st.first_error if st else "")
        counts = (
            [str(st.samples), str(st.count("ok")), str(st.no_answer), str(st.count("unparsed")),
             str(st.count("error")), str(st.count("bad_reference"))] if st else ["no log"] + ["–"] * 5
        )
        rows.append(
            [spec.display_name if spec else o.key,
             f"{MODALITY_LABELS.get(o.modality, o.modality)} {_PARADIGM_SHORT.get(o.paradigm, o.paradigm)}",
             spec.metric_raw if spec else "",
             "error" if o.raw is None else "0" if abs(o.raw) < 1e-9 else f"{o.raw:.4g}",
             "" if spec is None else f"{spec.sota:g}",
             "–" if o.score is None else f"{o.score:.2f}",
             "yes" if o.win else "",
             *counts,
             _short(first, 120)]
        )
    return rows


PROVENANCE_FIELDS = [
    ("model", "Model"), ("lmms_eval_model", "lmms-eval --model"), ("model_args", "model_args"),
    ("dates", "Run date(s)"), ("limits", "--limit"),
    # lmms-eval 0.7.3 fills ``lmms_eval_version`` with ``git branch@commit`` of the folder it ran in (not its own
    # version) whenever that folder is a git checkout: say so, and give the installed package version separately
    ("lmms_eval_versions", "lmms_eval_version field (git branch@commit of the run's folder when it is a checkout)"),
    ("lmms_eval_installed", "lmms-eval installed (report)"),
    ("lmms_general_version", "lmms_general version (report)"), ("data_roots", "Data root"), ("runs", "Results files"),
]


def provenance_rows(rep: ModelReport) -> list[list[str]]:
    """``[field, value]`` rows of the run's provenance (lists joined; absent shown as ``–``)."""
    rows = []
    for key, label in PROVENANCE_FIELDS:
        value = rep.provenance.get(key)
        if isinstance(value, list):
            value = "; ".join(map(str, value)) if value else None
        if key == "limits" and not value:
            value = "none (full tasks)"
        if key == "data_roots" and not value:
            value = "not recorded in the sample logs"
        rows.append([label, "–" if value in (None, "") else str(value)])
    return rows


def fmt(value: float) -> str:
    """Two decimals; a tiny non-zero value keeps two significant digits (0.0043, not a misleading 0.00)."""
    if value != 0 and abs(value) < 0.005:
        return f"{value:.2g}"
    return f"{value:.2f}"


def with_ci(result: LevelResult, name: str, value: float) -> str:
    """``12.34 [11.00, 13.50]`` when an interval exists, else ``12.34``."""
    interval = result.ci.get(name)
    return f"{fmt(value)} [{fmt(interval.low)}, {fmt(interval.high)}]" if interval else fmt(value)


def level_score(result: LevelResult) -> float:
    """The score at the level the model reaches (0 below Level-2)."""
    return {2: result.level2, 3: result.level3, 4: result.level4, 5: result.level5}.get(result.level, 0.0)


def leaderboard(results: Sequence[LevelResult]) -> list[LevelResult]:
    """Models sorted by reached level, then the score at that level, then Level-2."""
    return sorted(results, key=lambda r: (-r.level, -level_score(r), -r.level2, r.model))


LEADERBOARD_HEADER = ["#", "Model", "Level", "Level-2", "Level-3", "Level-4", "Level-5", "Supported", "Wins"]


def leaderboard_rows(results: Sequence[LevelResult]) -> list[list[str]]:
    rows = []
    for rank, r in enumerate(leaderboard(results), start=1):
        supported = sum(m.supported for m in r.modalities) + r.nlp.supported
        tasks = sum(m.tasks for m in r.modalities) + r.nlp.tasks
        wins = sum(m.wins for m in r.modalities) + r.nlp.wins
        rows.append(
            [str(rank), r.model, f"Level-{r.level}"]
            + [with_ci(r, k, v) for k, v in r.overall.items()]
            + [f"{supported}/{tasks}", str(wins)]
        )
    return rows


LEVEL_HEADER = ["Level", "Score", "Meaning"]
_MEANING = {
    "level2": "mean of comprehension and generation scores (no synergy)",
    "level3": "only tasks where the model ties/beats the SoTA specialist count (task-level synergy)",
    "level4": "harmonic mean of S_C and S_G (comprehension-generation synergy)",
    "level5": "Level-4 x w_L, w_L from NLP wins (total synergy with language)",
}


def level_rows(r: LevelResult) -> list[list[str]]:
    return [[f"Level-{k[-1]}", with_ci(r, k, v), _MEANING[k]] for k, v in r.overall.items()]


MODALITY_HEADER = ["Modality", "Level-2", "Level-3", "Level-4", "S_C", "S_G", "Supported", "Wins"]


def modality_rows(r: LevelResult) -> list[list[str]]:
    rows = []
    for m in r.modalities:
        rows.append(
            [MODALITY_LABELS[m.modality]]
            + [with_ci(r, f"{m.modality}.level{k}", v) for k, v in ((2, m.level2), (3, m.level3), (4, m.level4))]
            + [fmt(m.S_C), fmt(m.S_G), f"{m.supported}/{m.tasks}", str(m.wins)]
        )
    n = r.nlp
    rows.append(
        ["NLP", "", "", "", f"S_L = {n.S_L:.2f}", f"w_L = {n.w_L:.4f}", f"{n.supported}/{n.tasks}", str(n.wins)]
    )
    return rows


WON_HEADER = ["Modality", "Paradigm", "Task", "Metric", "Model", "SoTA"]


def won_rows(r: LevelResult, registry: Registry | None = None) -> list[list[str]]:
    registry = registry or load_registry()
    rows = []
    for o in r.outcomes:
        if not o.win:
            continue
        spec = registry[o.key] if o.key in registry else None
        rows.append(
            [
                MODALITY_LABELS.get(o.modality, o.modality),
                o.paradigm,
                spec.display_name if spec else o.key,
                spec.metric_raw if spec else "",
                "" if o.raw is None else f"{o.raw:g}",
                "" if spec is None else f"{spec.sota:g}",
            ]
        )
    return rows


def unsupported_by_group(r: LevelResult, registry: Registry | None = None) -> dict[str, list[str]]:
    """``"Image comprehension" -> [task names]`` of the unsupported tasks (missing marked)."""
    registry = registry or load_registry()
    out: dict[str, list[str]] = {}
    for o in r.outcomes:
        if o.supported:
            continue
        name = registry[o.key].display_name if o.key in registry else o.key
        label = f"{MODALITY_LABELS.get(o.modality, o.modality)} {o.paradigm}"
        out.setdefault(label, []).append(name + (" (missing)" if o.raw is None else " (scored 0)"))
    return out


def comparison_table(reports: Sequence[ModelReport]) -> tuple[list[str], list[list[str]]]:
    """Other lmms-eval benchmarks side by side with the General-Level scores, one row per model."""
    columns: list[str] = sorted({f"{t} / {m}" for rep in reports for t, ms in rep.other.items() for m in ms})
    header = ["Model", "Level", "GL Level-2", "GL Level-3", *columns]
    rows = []
    for rep in reports:
        values: Mapping[str, float] = {f"{t} / {m}": v for t, ms in rep.other.items() for m, v in ms.items()}
        rows.append(
            [rep.result.model, str(rep.result.level), fmt(rep.result.level2), fmt(rep.result.level3)]
            + [f"{values[c]:.4g}" if c in values else "–" for c in columns]
        )
    return header, rows


def proxy_scored(r: LevelResult, registry: Registry | None = None) -> dict[str, list[str]]:
    """``metric id -> [task names]`` of scored tasks whose metric is an automatic stand-in (``proxy=True``).

    The paper scored these with humans, GPT-4 or task-specific models; readers must see which numbers
    come from a proxy before comparing them with the SoTA column.
    """
    from lmms_general.metrics import MetricNotImplementedError, get_metric

    registry = registry or load_registry()
    out: dict[str, list[str]] = {}
    for o in r.outcomes:
        if o.raw is None or o.key not in registry:
            continue
        spec = registry[o.key]
        try:
            proxy = get_metric(spec.metric_id, spec.task).proxy
        except MetricNotImplementedError:
            continue
        if proxy:
            out.setdefault(spec.metric_id, []).append(spec.display_name)
    return out
