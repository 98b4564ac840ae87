"""A General-Level run: read lmms-eval outputs, re-score what the sample logs allow, bootstrap, and write reports.

The orchestration behind :func:`lmms_general.compute_level` (the Python API re-exports it) and
``lmms-general level`` (which only parses arguments and prints): both call :func:`score_models` and
:func:`write_reports` here.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import write_text_atomic
from lmms_general.collector import cyclic_gc_paused
from lmms_general.results.types import ModelScores, ResultsError

#: report kind -> file name written into a report folder
REPORT_FILES: dict[str, str] = {"json": "level.json", "markdown": "report.md", "html": "report.html",
                                "csv": "level.csv"}


@dataclass
class ReportPaths:
    """Where each report goes; None leaves that report out."""

    json: Path | None = None
    markdown: Path | None = None
    html: Path | None = None
    csv: Path | None = None

    @classmethod
    def in_folder(cls, folder: Path) -> ReportPaths:
        """Every report, under its usual name, in ``folder``."""
        return cls(**{kind: folder / name for kind, name in REPORT_FILES.items()})


@dataclass
class LevelReport:
    """General-Level results of every model found, with the report content (:class:`ModelReport` each)."""

    mode: str
    models: list[Any] = field(default_factory=list)

    def model(self, name: str) -> Any:
        """The :class:`~lmms_general.reports.tables.ModelReport` of one model (case-insensitive)."""
        for rep in self.models:
            if rep.result.model.lower() == name.lower():
                return rep
        raise KeyError(f"model {name!r} not in {[r.result.model for r in self.models]}")

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write level.json (with per-task outcomes), report.md, report.html and level.csv into ``folder``."""
        return write_reports(self.models, ReportPaths.in_folder(Path(folder)), with_tasks=True)



def compute_level(
    paths_or_results: str | os.PathLike[str] | Mapping[str, Any] | Iterable[Any],
    mode: str = "corrected",
    *,
    model: str | None = None,
    n_boot: int = 0,
    seed: int = 0,
    progress: bool = False,
) -> LevelReport:
    """General-Level of every model in lmms-eval outputs.

    Args:
        paths_or_results: an output folder / ``*_results.json`` path, a list of them, an :class:`EvaluationRun`,
            or an lmms-eval results dict (as returned by ``simple_evaluate``; no sample logs, so no intervals).
        mode: ``corrected`` (default) or ``official``.
        model: keep only this model.
        n_boot: bootstrap replicates for 95% intervals (0 = none; needs sample logs).

    Raises:
        lmms_general.results.ResultsError: unreadable or implausible input (the message names file and task).
    """
    from lmms_general.level.normalization import MODES
    from lmms_general.lmms_run import EvaluationRun
    from lmms_general.results import read_lmms_runs

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if n_boot == 1 or n_boot < 0:
        raise ValueError(f"n_boot must be 0 or >= 2, got {n_boot}")
    if isinstance(paths_or_results, EvaluationRun):
        paths_or_results = paths_or_results.output_path
    if isinstance(paths_or_results, Mapping):
        models = _models_from_dict(paths_or_results)
    else:
        items = [paths_or_results] if isinstance(paths_or_results, (str, os.PathLike)) else list(paths_or_results)
        paths = [i.output_path if isinstance(i, EvaluationRun) else i for i in items]
        models = read_lmms_runs(paths)
    if model is not None:
        models = [m for m in models if m.model.lower() == model.lower()]
        if not models:
            raise ResultsError(f"model {model!r} not found in the input")
    return LevelReport(mode=mode, models=score_models(models, mode, n_boot, seed, progress=progress))


def _models_from_dict(results: Mapping[str, Any]) -> list[ModelScores]:
    """Read an in-memory lmms-eval results dict through the file reader (one temporary file)."""
    import json

    from lmms_general.results import read_lmms_runs

    with tempfile.TemporaryDirectory(prefix="lmms_general_") as folder:
        path = Path(folder) / "00000000_000000_results.json"
        path.write_text(json.dumps(results, default=str), encoding="utf-8")
        models = read_lmms_runs([path])
    for ms in models:
        ms.sources = {k: Path("<results dict>") for k in ms.sources}
        ms.samples = {}
    return models


def _check_normalisable(ms: ModelScores, scorer: Any, registry: Any) -> None:
    """Scores the chosen mode cannot normalise (official mode on RMSE 0, ...) are a clear error."""
    from lmms_general.level.normalization import normalize

    for key, value in ms.scores.items():
        if value is None or key not in registry:
            continue
        spec = registry[key]
        try:
            normalize(spec.metric_raw, spec.metric_id, value, scorer.mode, "model", spec.modality == "nlp")
        except ValueError as exc:
            source = ms.sources.get(key, "<input>")
            raise ResultsError(f"{source}: task {spec.task}: {exc} ({scorer.mode} mode)") from None


class _Ticking:
    """A scorer proxy that advances a progress bar once per ``score`` call (one per bootstrap replicate)."""

    def __init__(self, scorer: Any, bar: Any) -> None:
        self._scorer, self._bar = scorer, bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scorer, name)

    def score(self, *args: Any, **kwargs: Any) -> Any:
        self._bar.update(1)
        return self._scorer.score(*args, **kwargs)


@dataclass
class _LogReading:
    """What one pass over a model's sample logs gives: per-task counts, the bootstrap tasks, and the messages of
    the reading (bad lines), of re-scoring (tasks the run left without a score) and of the bootstrap."""

    stats: dict[str, Any]
    tasks: dict[str, Any]
    rescored: list[str]
    bootstrap: list[str]


def _read_logs(ms: ModelScores, registry: Any, bootstrap: bool, progress: bool) -> _LogReading:
    """Read each sample log once (:func:`~lmms_general.results.task_stats.read_task_log`): count it, score a task
    the run has no score for from it (``ms.scores`` is filled in place), and with ``bootstrap`` build the task's
    bootstrap input; its items are dropped before the next log is read."""
    from tqdm.auto import tqdm

    from lmms_general.results.samples import log_bootstrap, log_rescore
    from lmms_general.results.task_stats import read_task_log

    keys = sorted(ms.samples)
    reading = _LogReading({}, {}, [], [])
    show = None if progress and keys else True  # None: tqdm shows bars on a terminal only
    for key in tqdm(keys, desc=f"{ms.model}: reading sample logs", unit="task", disable=show, leave=False):
        # parsing a log creates a thousand containers per thousand lines that live until the task is done, and each
        # collection on the way re-walks them (699 tasks x 1,000 samples: ~3 s of ~38 s CPU)
        with cyclic_gc_paused():
            reading.stats[key], log = read_task_log(ms.samples[key])
            if key in ms.scores and ms.scores[key] is None:
                value, message = log_rescore(registry[key], log)
                if value is not None:
                    ms.scores[key] = value
                reading.rescored.extend([message] if message else [])
            if bootstrap and ms.scores.get(key) is not None:
                task, notes = log_bootstrap(registry[key], log, ms.scores[key])
                reading.bootstrap.extend(notes)
                if task is not None:
                    reading.tasks[key] = task
            del log
    return reading


def score_models(models: Sequence[ModelScores], mode: str, n_boot: int, seed: int, progress: bool = False
                 ) -> list[Any]:
    """Score every model: Levels, intervals (sample logs and ``n_boot > 0``), scopes, per-task counts.

    With one BLAS thread: the work is many small products (per-sample statistics, bootstrap replicates), where BLAS
    threads spin more than they compute (699 tasks x 1,000 samples on 2 cores: 48 s CPU instead of 64 s, and less
    wall time too)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _score_models(models, mode, n_boot, seed, progress)


def _score_models(models: Sequence[ModelScores], mode: str, n_boot: int, seed: int, progress: bool) -> list[Any]:
    from tqdm.auto import tqdm

    from lmms_general import __version__
    from lmms_general.level import LevelScorer, bootstrap_levels, with_intervals
    from lmms_general.registry import load_registry
    from lmms_general.reports.scopes import scope_boards
    from lmms_general.reports.tables import ModelReport

    registry = load_registry()
    scorer = LevelScorer(list(registry.values()), mode)  # type: ignore[arg-type]
    reports = []
    for ms in models:
        _check_normalisable(ms, scorer, registry)
        messages = list(ms.messages)
        reading = _read_logs(ms, registry, n_boot > 0, progress)
        stats, tasks = reading.stats, reading.tasks
        for key, st in stats.items():
            messages += [f"{registry[key].task}: {line}" for line in st.bad_lines[:3]]
        if ms.samples:
            messages += reading.rescored
            _check_normalisable(ms, scorer, registry)
        result = scorer.score(ms.scores, ms.model)
        if n_boot > 0 and ms.samples:
            messages += reading.bootstrap
            if tasks:
                with tqdm(total=n_boot + 1, desc=f"{ms.model}: bootstrap", unit="rep",
                          disable=None if progress else True, leave=False) as bar:
                    intervals = bootstrap_levels(_Ticking(scorer, bar), ms.scores, tasks,  # type: ignore[arg-type]
                                                 n_boot=n_boot, seed=seed)
                result = with_intervals(result, intervals)
                messages.append(
                    f"95% intervals from {n_boot} bootstrap replicates over {len(tasks)} tasks (seed {seed})"
                )
        warnings = list(ms.warnings)
        closeset = sorted(k for k, st in stats.items() if st.answerless and ms.scores.get(k) is None)
        if closeset:
            names = ", ".join(registry[k].task for k in closeset[:3]) + (", ..." if len(closeset) > 3 else "")
            warnings.insert(0, f"{len(closeset)} task(s) ran on the Closeset, which has no answers ({names}): "
                               f"they score nothing here; export a submission with `lmms-general "
                               f"export-submission PATH --out DIR` and upload it to the leaderboard")
            for key in closeset:
                ms.errors.setdefault(key, "the Closeset has no answers: export a submission")
        provenance = dict(ms.provenance)
        provenance["lmms_general_version"] = __version__
        provenance["lmms_eval_installed"] = _installed_version("lmms-eval")
        roots = data_roots([s.task_dir for s in stats.values() if s.task_dir])
        if roots:
            provenance["data_roots"] = roots
        rep = ModelReport(result=result, messages=_unique(messages), other=ms.other, stats=stats,
                          errors=dict(ms.errors), warnings=_unique(warnings), provenance=provenance)
        rep.scopes = scope_boards(result, rep.skills, registry)
        reports.append(rep)
    return reports


def _data_root(task_dir: str) -> str | None:
    """The General-Bench root above a task folder laid out as ``<root>/<modality>/<paradigm>/<task>`` or
    ``<root>/nlp/<task>``; None for a folder outside that layout (a task archive unpacked into the cache)."""
    from lmms_general.dataset.layout import MODALITY_FOLDERS, PARADIGMS

    parts = Path(task_dir).parts
    media_modality = MODALITY_FOLDERS.get(parts[-3].lower()) if len(parts) >= 4 else None
    if media_modality not in (None, "nlp") and parts[-2].lower() in PARADIGMS:
        return str(Path(*parts[:-3]))
    if len(parts) >= 3 and parts[-2].lower() == "nlp":
        return str(Path(*parts[:-2]))
    return None


def _installed_version(distribution: str) -> str:
    """The installed version of a distribution, or ``not installed``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def _archive_root(task_dir: str) -> str | None:
    """The data root of a task unpacked into the cache, read from its unpack marker (the archive's path in the
    tree: ``<root>/<modality>/<paradigm>/<Task>.zip`` or ``.../<Task>/open.tar.gz``); None when unknown."""
    from lmms_general.dataset.archives import archive_of

    archive = archive_of(Path(task_dir))
    if archive is None:
        return None
    return _data_root(str(archive)) or _data_root(str(archive.parent))


def _unpack_cache(task_dir: str) -> str | None:
    """The archive cache folder (``<cache>/unpacked``) a task folder lies in, else None."""
    parts = Path(task_dir).parts
    if "unpacked" in parts[1:]:
        return str(Path(*parts[: len(parts) - parts[::-1].index("unpacked")]))
    return None


def data_roots(task_dirs: Iterable[str]) -> list[str]:
    """The General-Bench roots the sample logs' task folders lie under, sorted, then one line per archive cache
    (task archives are unpacked into ``<cache>/unpacked``) and one for any other folder outside the layout."""
    dirs = sorted(set(task_dirs))
    found = {d: _data_root(d) or _archive_root(d) for d in dirs}
    roots = sorted({root for root in found.values() if root})
    others = [d for d in dirs if found[d] is None]
    caches: dict[str, int] = {}
    for d in others:
        if (cache := _unpack_cache(d)) is not None:
            caches[cache] = caches.get(cache, 0) + 1
    roots += [f"{n} task archive(s) unpacked into {cache}" for cache, n in sorted(caches.items())]
    rest = [d for d in others if _unpack_cache(d) is None]
    if rest:
        roots.append(f"{len(rest)} task folder(s) outside a General-Bench layout, e.g. {rest[0]}")
    return roots


def _unique(lines: Iterable[str]) -> list[str]:
    """Each message once, in first-seen order."""
    return list(dict.fromkeys(lines))


def report_payload(reports: list[Any], with_tasks: bool) -> Any:
    """The level.json content: one object per model (a list when there are several)."""
    from lmms_general.reports.tables import proxy_scored

    payload = []
    for rep in reports:
        item = rep.result.to_dict(with_tasks=with_tasks)
        item["messages"] = rep.messages
        item["warnings"] = rep.warnings
        item["provenance"] = rep.provenance
        item["task_errors"] = rep.errors
        item["proxy_scored"] = proxy_scored(rep.result)
        item["scopes"] = [vars(b) for b in rep.scopes]
        item["samples"] = {
            k: {"samples": s.n, **{status: c for status, c in s.statuses().items() if c}, "first_error": s.first_error}
            for k, s in sorted(rep.stats.items())}
        if rep.other:
            item["other_benchmarks"] = rep.other
        payload.append(item)
    return payload[0] if len(payload) == 1 else payload


def write_reports(reports: list[Any], paths: ReportPaths, with_tasks: bool = False) -> list[Path]:
    """Write every report ``paths`` names; returns the paths written."""
    from lmms_general.reports import write_csv, write_html, write_markdown

    written = []
    if paths.json:
        write_text_atomic(paths.json, json.dumps(report_payload(reports, with_tasks), indent=1, ensure_ascii=False,
                                                 default=str))
        written.append(paths.json)
    if paths.markdown:
        written.append(write_markdown(reports, paths.markdown))
    if paths.html:
        written.append(write_html(reports, paths.html))
    if paths.csv:
        written.append(write_csv(reports, paths.csv))
    return written
