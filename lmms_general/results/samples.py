"""Per-sample items from lmms-eval ``*_samples_<task>.jsonl`` logs (the ``score`` dict of each line)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from lmms_general.level.bootstrap import ScoreFn

ITEM_KEY = "score"


@dataclass
class SampleLog:
    """Items of one task's sample log, plus the lines that could not be read (named, counted)."""

    path: Path
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_sample_items(path: str | Path, drop: Sequence[str] = ()) -> SampleLog:
    """Read the per-sample ``score`` items; a bad line is recorded with its number, the rest continue. Fields in
    ``drop`` are not kept (:data:`NOT_SCORED`: what scoring never reads, e.g. the model's whole raw output)."""
    log = SampleLog(Path(path))
    shared: dict[str, str] = {}
    for number, record, error in iter_records(log.path):
        keep_item(log, number, record, error, drop, shared)
    return log


def keep_item(log: SampleLog, number: int, record: Any, error: str, drop: Sequence[str], shared: dict[str, str]
              ) -> dict[str, Any] | None:
    """Add one line's item to ``log`` (without the fields in ``drop``, repeated strings shared through ``shared``)
    and return it, or add the line's error and return None."""
    item = record.get(ITEM_KEY) if isinstance(record, dict) else None
    if not isinstance(item, dict):
        log.errors.append(error or f"{log.path}:{number}: no per-sample {ITEM_KEY!r} object")
        return None
    for name in drop:
        item.pop(name, None)
    for name in _SHARED_FIELDS:  # one string object per distinct value, not one per line
        value = item.get(name)
        if value.__class__ is str:
            item[name] = shared.setdefault(value, value)
    log.items.append(item)
    return item


#: item fields that re-scoring and the bootstrap never read: ``raw`` (the model's whole output, kept in the log for
#: submissions) is not held for every sample of a large log
NOT_SCORED = ("raw",)
#: item fields whose values repeat on every line of a log (the task, its folder, the status, an empty error)
_SHARED_FIELDS = ("key", "task_dir", "skill", "status", "error")


def iter_records(path: Path) -> Iterator[tuple[int, Any, str]]:
    """``(line number, parsed record, "")`` per JSONL line, or ``(number, None, error)`` for a bad line.

    A file that is not UTF-8 or cannot be opened yields one error naming the file and stops.
    """
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    yield number, parse_line(raw), ""
                except UnicodeDecodeError as exc:
                    yield number, None, f"{path}:{number}: not UTF-8 text (byte {exc.start} of the line)"
                except (json.JSONDecodeError, RecursionError, ValueError) as exc:
                    if raw.strip():
                        yield number, None, f"{path}:{number}: invalid JSON ({getattr(exc, 'msg', exc)})"
    except OSError as exc:
        yield 0, None, f"{path}: cannot read the sample log: {exc.strerror or exc}"


#: every digit as "0", so a run of digits is a run of "0"s
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: a run of digits that may be an integer outside 64 bits, which orjson reads as a float and ``json`` as an int
_LONG_DIGIT_RUN = b"0" * 19


def parse_line(raw: bytes) -> Any:
    """``json.loads`` of one line: the same value, or the same error. orjson parses it (about 3x faster on sample
    logs) unless orjson refuses it (``NaN``, ``1e400``, lone surrogates, invalid UTF-8: ``json`` then reads it or
    names the error) or it holds a run of 19+ digits (an integer past 64 bits would become a float)."""
    if _LONG_DIGIT_RUN not in raw.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw.decode("utf-8"))


def scorable(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items with a reference (the same filter as the task score; Closeset items have none)."""
    return [i for i in items if i.get("reference") is not None]


def metric_score_fn(metric_id: str, task: str | None = None) -> ScoreFn:
    """``items -> task score`` through the one task-score function (:func:`lmms_general.protocol.task_score`);
    raises when the metric cannot score them (the bootstrap keeps such a task at its point score)."""
    from lmms_general.metrics import get_metric
    from lmms_general.protocol import task_score
    from lmms_general.registry import TASK_PREFIX

    get_metric(metric_id, task)  # a clear error naming the task when the metric does not exist
    key = task[len(TASK_PREFIX):] if task and task.startswith(TASK_PREFIX) else task

    def score(items: Sequence[dict[str, Any]]) -> float:
        result = task_score(items, key or (str(items[0].get("key")) if items else None))
        if result.score is None:
            raise ValueError(result.error or "no scorable item")
        return result.score

    return score


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


def _row_options(task: str | None) -> dict[str, Any]:
    """The registry row's compute options of ``task`` (``general_bench_<key>`` or a key); {} when unknown."""
    from lmms_general.registry import TASK_PREFIX, load_registry

    key = task[len(TASK_PREFIX):] if task and task.startswith(TASK_PREFIX) else task
    row = load_registry().get(key) if key else None
    return row.compute_options if row is not None else {}


def sample_values(spec: Any, items: Sequence[dict[str, Any]], options: dict[str, Any]) -> list[float]:
    """Each item's score alone, computed here once as a run computes it when it scores the sample
    (:func:`lmms_general.protocol.scoring.sample_value`); [] when the row has no such values or one cannot be
    computed (the caller then recomputes per replicate)."""
    from lmms_general.protocol.scoring import sample_value

    values = []
    for item in items:
        value = sample_value(spec, item.get("prediction"), item["reference"], options)[0]
        if value is None:
            return []
        values.append(value)
    return values


def _logged_values(spec: Any, items: Sequence[dict[str, Any]], options: dict[str, Any]) -> list[float]:
    """The samples' own scores as the run logged them (:func:`lmms_general.protocol.scoring.sample_value`: computed
    once, when each sample was scored); [] when the row logs none or an item lacks one."""
    from lmms_general.protocol.scoring import logged_values, logs_sample_values

    return (logged_values(items) or []) if logs_sample_values(spec, options) else []


def _weights_missing(metric_id: str, task: str | None) -> list[str]:
    """Names of the networks ``metric_id`` loads on ``task``'s row that are neither here nor downloadable now
    (offline): checked before any model library is imported."""
    from lmms_general.metrics.model_table import models_for_metric
    from lmms_general.metrics.weights_manifest import present
    from lmms_general.offline import network_available
    from lmms_general.registry import TASK_PREFIX, load_registry

    key = task[len(TASK_PREFIX):] if task and task.startswith(TASK_PREFIX) else task
    row = load_registry().get(key) if key else None
    missing = [s.name for s in models_for_metric(metric_id, row.modality if row else None) if present(s) is None]
    return missing if missing and not network_available() else []


def _sized(n: int) -> range:
    """What a task with a replicator keeps of its items: their count (the items themselves are dropped, so the
    sample logs of all tasks are never in memory at once)."""
    return range(n)


def _statistics(spec: Any, items: list[dict[str, Any]], options: dict[str, Any]) -> tuple[Any, float] | None:
    """The replicator of ``spec.statistics`` on the items (from the states the run logged when the statistics are
    :class:`~lmms_general.metrics.registry.SampleStates` and every item has one, so no media is read again) and its
    value on them as given (to be compared with the task score), or None when the metric has no statistics or they
    cannot be built."""
    from lmms_general.metrics.registry import SampleStates

    if spec.statistics is None:
        return None
    states = [i.get("state") for i in items]
    try:
        if isinstance(spec.statistics, SampleStates) and all(state is not None for state in states):
            replicator = spec.statistics.replicator(states, **options)
        else:
            replicator = spec.statistics([i.get("prediction") for i in items], [i.get("reference") for i in items],
                                         **options)
        if replicator is None:
            return None
        return replicator, float(replicator(np.arange(len(items))[None, :])[0])
    except Exception:  # noqa: BLE001 - any failure means: recompute the metric per replicate instead
        return None


def task_bootstrap(
    metric_id: str, task: str, items: list[dict[str, Any]], reported: float | None = None
) -> tuple[Any, str | None]:
    """How one task enters the bootstrap: ``(BootstrapTask or None, why not)``.

    Everything a replicate needs is computed once here, from one pass over the items:

    * a per-sample metric whose task score is the mean of its per-sample scores (checked on these items)
      is resampled over per-sample values: the ones the run logged (``value``, computed when each sample was
      scored), else computed here once, so a model-based metric runs once per sample instead of once per sample
      and replicate;
    * a corpus metric (or a per-sample metric on a row scored over the corpus, e.g. BLEU-1 with the
      ``corpus`` option: ``MetricSpec.corpus_option``) is resampled by summing the per-sample sufficient statistics
      its spec declares (``MetricSpec.statistics``, checked against the point score); it is not scored sample by
      sample first;
    * a model-based corpus metric without statistics (FID, FVD, FAD, WER, speech CIDEr) keeps its point score
      without loading its model;
    * anything else is recomputed on every replicate.

    ``reported`` (the run's task score, when known) spares recomputing the task score when the per-sample mean
    or the statistics already equal it. Tasks with a vectorised replicator keep only their item count.
    """
    from lmms_general.level.bootstrap import BootstrapTask
    from lmms_general.metrics import get_metric
    from lmms_general.metrics.resampling import MeanReplicator, agrees

    spec = get_metric(metric_id, task)
    score_fn = metric_score_fn(metric_id, task)
    options = _row_options(task)
    corpus_row = spec.kind == "corpus" or (spec.corpus_option and bool(options.get("corpus")))
    if corpus_row and spec.default_model and spec.statistics is None:
        return None, "model-based corpus metric; replicates would recompute the model's features"
    # the corpus statistics: the spec's own on corpus rows; a per-sample metric with a corpus form offers them too
    corpus_options = {**options, "corpus": True} if spec.corpus_option else options

    def mean_task(values: list[float]) -> Any:
        return BootstrapTask(items=values, score_fn=_mean, replicator=MeanReplicator(np.asarray(values)))

    values: list[float] = []
    built = None
    if corpus_row:
        built = _statistics(spec, items, corpus_options)
        if built is not None and agrees(built[1], reported):
            return BootstrapTask(items=_sized(len(items)), score_fn=score_fn, replicator=built[0]), None
    if spec.kind == "sample":
        values = _logged_values(spec, items, options)
        if not values and spec.default_model:
            missing = _weights_missing(metric_id, task)
            if missing:
                return None, (f"model-based metric: the run logged no per-sample values and the weights to compute "
                              f"them are not here ({', '.join(missing)})")
        values = values or sample_values(spec, items, options)
        if values and reported is not None and math.isclose(_mean(values), reported, rel_tol=1e-6, abs_tol=1e-6):
            return mean_task(values), None
    if built is None and (spec.kind == "corpus" or spec.corpus_option):
        built = _statistics(spec, items, corpus_options)
    try:
        point = float(score_fn(items))
    except Exception as exc:  # noqa: BLE001 - reported; the task keeps its point score
        return None, f"metric failed on the sample log: {type(exc).__name__}: {exc}"
    if values and math.isclose(_mean(values), point, rel_tol=1e-6, abs_tol=1e-6):
        return mean_task(values), None
    if built is not None and agrees(built[1], point):
        return BootstrapTask(items=_sized(len(items)), score_fn=score_fn, replicator=built[0]), None
    if spec.default_model:
        return None, "model-based corpus metric; replicates would recompute the model's features"
    return BootstrapTask(items=items, score_fn=score_fn), None


def log_bootstrap(spec: Any, log: SampleLog, reported: float | None) -> tuple[Any, list[str]]:
    """How one task's read sample log enters the bootstrap (:func:`task_bootstrap`): the task or None, and the
    messages (the log's bad lines; why the task keeps its point score)."""
    from lmms_general.metrics.registry import MetricNotImplementedError

    messages = list(log.errors)
    items = scorable(log.items)
    if not items:
        messages.append(f"{spec.task}: no scorable per-sample items in {log.path.name}; no interval contribution")
        return None, messages
    try:
        task, why = task_bootstrap(spec.metric_id, spec.task, items, reported)
    except MetricNotImplementedError as exc:
        task, why = None, str(exc)
    if task is None:
        messages.append(f"{spec.task}: kept at its point score in the bootstrap ({why})")
    return task, messages


def log_rescore(spec: Any, log: SampleLog) -> tuple[float | None, str]:
    """One task's score from its read sample log (the run had none), and the message saying so or why not ("" when
    the log has no scorable item)."""
    items = scorable(log.items)
    if not items:
        return None, ""
    try:
        value = float(metric_score_fn(spec.metric_id, spec.task)(items))
    except Exception as exc:  # noqa: BLE001 - reported, the task stays missing
        return None, f"{spec.task}: still not scorable from {log.path.name}: {type(exc).__name__}: {exc}"
    return value, f"{spec.task}: scored {value:.4g} from {log.path.name} ({len(items)} items); the run had none"
