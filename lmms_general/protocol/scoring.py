"""The one per-sample scoring path and the one task score, shared by the lmms-eval hooks, ``lmms-general score``
and re-scoring from sample logs.

:func:`score_item` turns ``(doc, response)`` into a :class:`SampleItem` (parsed prediction, prepared reference,
status) and never raises; :func:`task_score` turns a task's items into a :class:`TaskScore`. Every sample stays in
the denominator: unparsed answers, failed generations and unreadable inputs score as wrong / worst. A sample whose
*reference* is missing or unreadable cannot be scored at all; it is counted and named in the task's ``error``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from lmms_general.metrics import get_metric
from lmms_general.metrics.media import collected_failures
from lmms_general.metrics.registry import SampleStates
from lmms_general.protocol import media_response
from lmms_general.protocol.doc import Doc
from lmms_general.protocol.formats import FORMATS, AnswerFormat, answer_format
from lmms_general.protocol.references import has_reference, raw_reference
from lmms_general.registry import TaskSpec, compute_options_of, task_spec
from lmms_general.text_memo import Keyed, ValuesKeys, remembered_for_short_texts

Status = Literal["ok", "unparsed", "failed", "error", "missing", "bad_reference"]
#: every status a sample item can have, in report order (the task score and the sample-log census count these)
STATUSES: tuple[str, ...] = ("ok", "unparsed", "failed", "missing", "error", "bad_reference")
#: statuses that still score (as wrong / worst); "error" items lack a usable reference or input
SCORED_STATUSES: frozenset[str] = frozenset({"ok", "unparsed", "failed", "missing"})
_MAX_RAW = 20000


def jsonable(value: Any) -> Any:
    """numpy scalars/arrays and tuples as JSON values; NaN as None (items go into the sample log)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class SampleItem:
    """One scored sample, as written into lmms-eval's sample log (``score`` field).

    ``status``: ``ok`` (parsed answer), ``unparsed`` (no answer in the response), ``failed`` (the model reported a
    failure / wrote no file), ``missing`` (no response at all), ``error`` (input or reference unusable; the item
    has no reference and is counted in the task's error, not scored).

    ``task_dir`` (the task folder the sample was read from) and ``skill`` (the annotation header's skill cluster,
    "" when it names none) are provenance: the doc row lmms-eval logs is a light row without them, so the reports
    read the data root and the Scope-D skill clusters from here.

    ``value``: the sample's own score (:func:`sample_value`), computed once when the sample is scored, for metrics
    whose task score is the mean of such values; None for the others. The task score and General-Level's bootstrap
    read it instead of computing the metric on the sample again (a video's PSNR, a waveform's MCD).
    ``state``: for a corpus metric whose samples yield their statistics alone
    (:class:`~lmms_general.metrics.registry.SampleStates`: mIoU's confusion counts, PQ's per-category states), the
    sample's statistics (:func:`sample_state`); General-Level's bootstrap rebuilds the task's replicator from them
    without reading the maps again.
    """

    id: str
    key: str
    prediction: Any = None
    reference: Any = None
    raw: str = ""
    status: Status = "ok"
    error: str = ""
    task_dir: str = ""
    skill: str = ""
    value: float | None = None
    state: Any = None

    def to_json(self) -> dict[str, Any]:
        """The item as a JSON dict: its values are fresh JSON values already (:func:`jsonable`, strings), so a
        shallow copy of the fields (``dataclasses.asdict`` deep-copied every prediction and reference again)."""
        return dict(self.__dict__)


def prepared_reference(doc: Doc, metric: Any = None) -> Any:
    """The reference the row metric consumes (raises with a clear message when it cannot be prepared); ``metric``:
    the task's metric when the caller has looked it up already."""
    if metric is None:
        spec = task_spec(doc.registry_key)
        metric = get_metric(spec.metric_id, spec.task)
    reference = raw_reference(doc)
    if reference is None:
        return None
    return jsonable(metric.prepare_reference(reference, doc.parse_context))


def logs_sample_values(metric: Any, options: Mapping[str, Any]) -> bool:
    """Whether a row's task score is the mean of its samples' own scores, so each item logs its ``value``: a
    ``sample`` metric with statistics (the mean of per-sample scores) that this row does not score over the corpus
    (``MetricSpec.corpus_option``).

    For these rows ``compute`` on the task equals the mean of ``compute`` on each sample alone
    (``tests/metrics/test_metric_contract.py`` checks it on every case).
    """
    return (metric.kind == "sample" and metric.statistics is not None
            and not (metric.corpus_option and options.get("corpus")))


#: model-based per-sample values are computed one sample at a time (lmms-eval scores samples in 4 threads: the
#: metric's network is loaded once, not once per thread)
_MODEL_LOCK = threading.Lock()


def sample_value(metric: Any, prediction: Any, reference: Any, options: Mapping[str, Any]
                 ) -> tuple[float | None, str]:
    """One sample's own score: the row metric on this sample alone, with the row's options, on the task's scale,
    and why it scored as worst ("" when it did not: a generated file that is missing or unreadable); None when the
    row does not log values (:func:`logs_sample_values`), or the metric raises or is not finite on it (the task
    score then runs the metric on all items, which names the problem)."""
    if not logs_sample_values(metric, options):
        return None, ""
    try:
        with collected_failures() as failures:
            if metric.default_model:
                with _MODEL_LOCK:
                    value = float(metric.score([prediction], [reference], **options))
            else:
                value = float(metric.score([prediction], [reference], **options))
    except Exception:  # noqa: BLE001 - the task score reports it, with the metric on every item
        return None, ""
    return (value if math.isfinite(value) else None), "; ".join(failures)


def sample_state(metric: Any, prediction: Any, reference: Any, options: Mapping[str, Any]) -> Any:
    """One sample's statistics for a metric whose ``statistics`` are
    :class:`~lmms_general.metrics.registry.SampleStates` (a JSON value), with the row's options; None for other
    metrics or when they cannot be computed (the bootstrap then computes the statistics from the items)."""
    if not isinstance(metric.statistics, SampleStates) or logs_sample_values(metric, options):
        return None  # a row that logs values has them as its statistics
    try:
        return jsonable(metric.statistics.of(prediction, reference, **options))
    except Exception:  # noqa: BLE001 - the bootstrap computes the statistics from the items instead
        return None


def logged_values(items: Sequence[Mapping[str, Any]]) -> list[float] | None:
    """The items' logged ``value`` s, or None unless every item has a finite number (a log written before values
    were logged, or a sample whose value could not be computed: the metric then runs on the items)."""
    values = []
    for item in items:
        value = item.get("value")
        if type(value) not in (float, int) or not math.isfinite(value):
            return None
        values.append(float(value))
    return values


@dataclass(frozen=True, eq=False)
class ScoringPlan:
    """What scoring a sample of one task needs that is the same for all its samples, looked up once per task
    (:func:`scoring_plan`) instead of once per sample.

    ``reads_context``: the memo key of the context values the metric's ``parse`` and ``prepare_reference`` read, when
    they are known (the label metrics, :data:`lmms_general.metrics.classification.READS_CONTEXT`): a sample's outcome
    is then remembered per (answer, reference, those values), so the samples of a label task that give the same answer
    to the same reference are scored once (:func:`_remembered`). None: every sample is scored step by step.
    """

    spec: TaskSpec
    metric: Any
    #: the row's compute options; None when they could not be read (the scored samples then raise, as before)
    options: Mapping[str, Any] | None
    reads_context: ValuesKeys | None
    #: whether the items may log a ``state`` (else :func:`sample_state` is None for every sample)
    logs_states: bool


_PLANS: dict[str, ScoringPlan] = {}
_PLANS_LOCK = threading.Lock()
#: the answer formats that hand the whole answer to the metric's parser (no envelope, no parse of their own)
_PLAIN_FORMATS = frozenset(name for name, fmt in FORMATS.items()
                           if type(fmt).parse is AnswerFormat.parse and type(fmt).unwrap is AnswerFormat.unwrap)


def _build_plan(spec: TaskSpec) -> ScoringPlan:
    from lmms_general.metrics.classification import READS_CONTEXT

    metric = get_metric(spec.metric_id, spec.task)
    try:
        options: Mapping[str, Any] | None = compute_options_of(spec.metric_options)
    except Exception:  # noqa: BLE001 - raised again by each scored sample, as without a plan
        options = None
    parse_keys, reference_keys = READS_CONTEXT.get(metric.parse), READS_CONTEXT.get(metric.prepare_reference)
    remembers = parse_keys is not None and parse_keys == reference_keys and not metric.default_model
    logs_states = isinstance(metric.statistics, SampleStates) and not (
        options is not None and logs_sample_values(metric, options))
    return ScoringPlan(spec, metric, options, ValuesKeys(parse_keys) if remembers else None, logs_states)


def scoring_plan(key: str) -> ScoringPlan:
    """The :class:`ScoringPlan` of a task, built once per task spec in this process (thread-safe); raises as
    :func:`task_spec` / :func:`get_metric` do."""
    spec = task_spec(key)
    plan = _PLANS.get(key)
    if plan is not None and plan.spec is spec:
        return plan
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is None or plan.spec is not spec:  # an outside-the-table task found again under another root
            plan = _PLANS[key] = _build_plan(spec)
    return plan


def _copy_json(value: Any) -> Any:
    """A fresh copy of a JSON value (lists and dicts copied, the rest shared): a remembered value handed to an item."""
    kind = type(value)
    if kind is list:
        return [_copy_json(v) if type(v) in _CONTAINERS else v for v in value]
    if kind is dict:
        return {k: _copy_json(v) if type(v) in _CONTAINERS else v for k, v in value.items()}
    return value


_CONTAINERS = frozenset({list, dict})


def score_item(doc: Doc, response: str | None, input_error: str | None = None) -> dict[str, Any]:
    """One sample's item (a JSON dict, see :class:`SampleItem`); never raises."""
    item = SampleItem(id=doc.sample_id, key=doc.registry_key, raw=(response or "")[:_MAX_RAW],
                      task_dir=doc.task_dir, skill=doc.skill)
    try:
        plan = scoring_plan(doc.registry_key)
        if not _remembered(item, doc, response, input_error, plan):
            _score(item, doc, response, input_error, plan)
    except Exception as exc:  # noqa: BLE001 - one sample must never stop a task
        item.status, item.error = "error", f"sample {doc.sample_id}: {type(exc).__name__}: {exc}"
    return item.to_json()


def _score(item: SampleItem, doc: Doc, response: str | None, input_error: str | None, plan: ScoringPlan) -> None:
    """Fill ``item``: reference, prediction, status, error, then the sample's value and state."""
    metric = plan.metric
    _fill(item, doc, response, input_error, plan.spec, metric)
    if item.reference is not None and item.status in SCORED_STATUSES:
        options = plan.options if plan.options is not None else compute_options_of(plan.spec.metric_options)
        item.value, why_worst = sample_value(metric, item.prediction, item.reference, options)
        if why_worst and not item.error:
            item.error = f"{plan.spec.task} sample {doc.sample_id}: scored as worst: {why_worst}"
        if plan.logs_states:
            item.state = sample_state(metric, item.prediction, item.reference, options)


class _NotRemembered(Exception):
    """The sample's scoring reports something about the sample itself (an error naming it): it is not remembered."""


#: answers and references up to this long are remembered (the memory a remembered outcome holds stays bounded)
_MAX_REMEMBERED = 512


@remembered_for_short_texts(maxsize=65536, max_chars=_MAX_REMEMBERED)
def _remembered_outcome(response: str, keyed: Keyed) -> tuple[Any, Any, str, float | None]:
    """(reference, prediction, status, value) that :func:`_score` gives a text answer of a label task; ``keyed``:
    (plan, task kind, reference text, the context values the metric reads) -> (doc, plan) of the first sample that
    gave this answer with this reference. Raises :class:`_NotRemembered` when the item would carry an error."""
    doc, plan = keyed.take()
    probe = SampleItem(id=doc.sample_id, key=doc.registry_key)
    _score(probe, doc, response, None, plan)
    if probe.error or probe.state is not None:
        raise _NotRemembered(probe.error)
    return probe.reference, probe.prediction, probe.status, probe.value


def _remembered(item: SampleItem, doc: Doc, response: str | None, input_error: str | None,
                plan: ScoringPlan) -> bool:
    """Fill ``item`` from the remembered outcome of the same answer to the same reference of the same task (the label
    metrics: their parse, reference preparation and score are pure functions of the texts and the context values
    they read, :attr:`ScoringPlan.reads_context`); False when the sample is not one of those or its scoring reports
    an error (:func:`_score` then scores it and words the error)."""
    reference = doc.reference
    if (plan.reads_context is None or plan.logs_states or type(response) is not str or input_error or doc.load_error
            or doc.output_modality != "text" or type(reference) is not str or len(reference) > _MAX_REMEMBERED
            or doc.task_kind not in _PLAIN_FORMATS):
        return False
    try:
        key = (plan, doc.task_kind, reference, plan.reads_context(doc.context))
        reference, prediction, status, value = _remembered_outcome(response, Keyed(key, (doc, plan)))
    except Exception:  # noqa: BLE001 - an error of this sample, or a context value that is not JSON: scored step by step
        return False
    item.reference, item.prediction, item.status, item.value = (
        _copy_json(reference), _copy_json(prediction), status, value)
    return True


def _fill(item: SampleItem, doc: Doc, response: str | None, input_error: str | None, spec: Any, metric: Any) -> None:
    where = f"{spec.task} sample {doc.sample_id}"
    if has_reference(doc):
        try:
            item.reference = prepared_reference(doc, metric)
        except Exception as exc:  # noqa: BLE001 - a bad reference is reported per sample
            item.status, item.error = "bad_reference", f"{where}: reference unusable: {type(exc).__name__}: {exc}"
            return
    else:
        item.error = f"{where}: the annotation has no reference answer"
    problem = doc.load_error or input_error
    if problem:
        # the model never saw this sample's input: wrong, counted, kept in the denominator
        item.status, item.error = "failed", f"{where}: input unusable: {problem}"
        return
    if response is None:
        item.status, item.error = "missing", f"{where}: no response"
        return
    if media_response.is_failure(response):
        item.status, item.error = "failed", response[:500]
        return
    context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
    try:
        prediction = answer_format(doc.task_kind).parse(response, context, metric)
    except Exception as exc:  # noqa: BLE001 - a broken answer is an unparsed answer
        prediction, item.error = None, f"{where}: parse: {type(exc).__name__}: {exc}"
    item.prediction = jsonable(prediction)
    if prediction is None and item.status == "ok":
        item.status = "unparsed" if doc.output_modality == "text" else "failed"
        if not item.error and doc.output_modality != "text":
            item.error = f"{where}: no {doc.output_modality} file in the response"


@dataclass
class TaskScore:
    """A task's score on the reference table's scale, with its counts (every sample accounted for)."""

    key: str
    score: float | None
    n: int
    n_scored: int
    n_ok: int = 0
    n_unparsed: int = 0
    n_failed: int = 0
    n_missing: int = 0
    n_error: int = 0
    n_bad_reference: int = 0
    n_unscorable: int = 0
    error: str = ""
    errors: list[str] = field(default_factory=list)

    def statuses(self) -> dict[str, int]:
        """Samples per status (every status of :data:`STATUSES`); they add up to ``n``."""
        return {status: getattr(self, f"n_{status}") for status in STATUSES}


def item_status(item: Mapping[str, Any]) -> str:
    """The item's status; an unknown or absent one counts as ``error`` (never as ``ok``)."""
    status = item.get("status")
    return status if isinstance(status, str) and status in STATUSES else "error"


def task_score(items: Sequence[Mapping[str, Any]], key: str | None = None) -> TaskScore:
    """Score one task's items with its row metric. Items with a reference are scored (wrong / worst when not
    ``ok``); items without one are counted in ``n_error`` and named in ``error``. ``score`` is None when nothing is
    scorable (no samples, or the Closeset) or the metric failed (its message in ``error``)."""
    key = key or (str(items[0].get("key")) if items else "")
    counts = dict.fromkeys(STATUSES, 0)
    for item in items:
        counts[item_status(item)] += 1
    scorable = [i for i in items if i.get("reference") is not None]
    result = TaskScore(key=key, score=None, n=len(items), n_scored=len(scorable), n_ok=counts["ok"],
                       n_unparsed=counts["unparsed"], n_failed=counts["failed"], n_missing=counts["missing"],
                       n_error=counts["error"], n_bad_reference=counts["bad_reference"])
    unscored = [i for i in items if i.get("reference") is None]
    result.n_unscorable = len(unscored)
    result.errors = [str(i.get("error")) for i in unscored if i.get("error")][:20]
    if not scorable:
        if items and not any("reference unusable" in str(i.get("error", "")) for i in items):
            result.error = ("no sample has a reference answer (the Closeset has no answers: "
                            "export a submission with `lmms-general export-submission`)")
        elif items:
            result.error = f"{len(unscored)} of {len(items)} samples not scorable; first: {result.errors[0]}"
        return result
    if unscored:
        first = result.errors[0] if result.errors else "no reference answer"
        result.error = (f"{len(unscored)} of {len(items)} samples have no usable reference and are not in the score; "
                        f"first: {first}")
    spec = task_spec(key)
    metric = get_metric(spec.metric_id, spec.task)
    values = logged_values(scorable) if logs_sample_values(metric, spec.compute_options) else None
    if values is not None:  # the mean of the samples' own scores, each computed once when it was scored
        result.score = math.fsum(values) / len(values)
        return result
    try:
        value = metric.score([i.get("prediction") for i in scorable], [i["reference"] for i in scorable],
                             **spec.compute_options)  # the row's units / conventions (metric_options)
    except Exception as exc:  # noqa: BLE001 - reported per task; the sample log keeps everything to re-score
        result.error = f"metric {spec.metric_id} failed: {type(exc).__name__}: {exc}"
        bad = _bad_references(metric, scorable, spec.compute_options)
        if not bad or len(bad) == len(scorable):
            return result
        return _rescore_without(result, metric, spec, scorable, bad)
    if not math.isfinite(value):
        result.error = f"metric {spec.metric_id} returned a non-finite value ({value})"
        return result
    result.score = float(value)
    return result


def _bad_references(metric: Any, items: Sequence[Mapping[str, Any]], options: Mapping[str, Any]) -> list[int]:
    """Positions of items whose reference alone makes the metric raise (scored against a missing answer, which
    every metric scores as wrong / worst): the task's failure is theirs, not the model's."""
    bad: list[int] = []
    for position, item in enumerate(items):
        try:
            with collected_failures():  # a missing prediction scored as worst is the probe, not news for the log
                metric.score([None], [item["reference"]], **options)
        except Exception:  # noqa: BLE001 - exactly what is being detected
            bad.append(position)
    return bad


def _rescore_without(result: TaskScore, metric: Any, spec: Any, scorable: Sequence[Mapping[str, Any]],
                     bad: list[int]) -> TaskScore:
    """Score the task without the items whose reference is malformed; each such item gets status
    ``bad_reference`` and its error (in place: lmms-eval writes the sample log after aggregating), and the task's
    ``error`` names them. Never the model's failure: their status replaces ``failed`` / ``ok``."""
    where = f"{spec.task} sample"
    for position in bad:
        item = scorable[position]
        counted = str(item.get("status", "error"))
        attribute = {"ok": "n_ok", "unparsed": "n_unparsed", "failed": "n_failed", "missing": "n_missing"}.get(counted)
        if attribute:
            setattr(result, attribute, getattr(result, attribute) - 1)
        if isinstance(item, dict):
            item["status"] = "bad_reference"
            item["error"] = f"{where} {item.get('id')}: reference malformed (the metric cannot read it)"
        result.n_bad_reference += 1
    kept = [item for position, item in enumerate(scorable) if position not in set(bad)]
    result.n_scored = len(kept)
    named = ", ".join(str(scorable[p].get("id")) for p in bad[:5])
    try:
        value = metric.score([i.get("prediction") for i in kept], [i["reference"] for i in kept],
                             **spec.compute_options)
    except Exception as exc:  # noqa: BLE001 - the rest fails too: the task's own failure
        result.error = f"metric {spec.metric_id} failed: {type(exc).__name__}: {exc}"
        return result
    result.error = (f"{len(bad)} of {result.n} samples have a malformed reference and are not in the score "
                    f"(status bad_reference): {named}")
    if math.isfinite(value):
        result.score = float(value)
    else:
        result.error += f"; metric {spec.metric_id} returned a non-finite value ({value})"
    return result
