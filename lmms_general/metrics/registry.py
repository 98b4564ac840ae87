"""The metric registry: one :class:`MetricSpec` per canonical metric id.

Contract shared by every metric family module and by the lmms-eval hooks:

* ``parse(raw_text, context) -> prediction | None`` turns one model response (text) into what the
  metric consumes (a label, a number, boxes, a file path, ...). ``None`` means "could not parse":
  the sample stays in the denominator and scores as wrong / worst.
* ``prepare_reference(raw_reference, context) -> reference`` turns the annotation's reference
  (any of the on-disk conventions) into what the metric consumes.
* ``compute(predictions, references, **options) -> float`` scores a whole task **on the scale of
  the reference table's SoTA number** (mostly 0-100). Corpus metrics (BLEU, micro-F1, mIoU, AP,
  FID, ...) aggregate raw statistics over the corpus; they never average per-sample scores unless
  the metric is defined as such a mean.

``context`` is a plain dict with whatever the task provides (``options``, ``labels``,
``bbox_format``, ``task``, ``sample_id``, media paths ...). Family modules register specs with
:func:`register`; heavy imports (torch, transformers, pycocotools, ...) stay inside functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from lmms_general.metrics.aliases import CANONICAL_METRIC_IDS, METRIC_ALIASES, higher_is_better

Parse = Callable[[str, Mapping[str, Any]], Any]
PrepareReference = Callable[[Any, Mapping[str, Any]], Any]
Compute = Callable[..., float]


def parse_text(raw: str, context: Mapping[str, Any]) -> str | None:
    """Default parser of free text: the response as a grader reads it
    (:func:`~lmms_general.metrics.parsing.parse_free_text`: chat wrappers stripped, a ``<MASK>`` prompt's filled
    span); empty responses are unparsed."""
    from lmms_general.metrics.parsing import parse_free_text

    return parse_free_text(raw or "", context)


def parse_verbatim(raw: str, context: Mapping[str, Any]) -> str | None:
    """The stripped response as written (code: ``#`` comments and ``**`` are code, not markdown); empty is unparsed."""
    text = (raw or "").strip()
    return text or None


def identity_reference(raw: Any, context: Mapping[str, Any]) -> Any:
    """Default reference preparation: keep the annotation value as it is."""
    return raw


@dataclass(frozen=True)
class MetricSpec:
    """Everything the toolkit knows about one canonical metric.

    Attributes:
        id: canonical metric id (a value of ``METRIC_ALIASES``).
        compute: ``(predictions, references, **options) -> float`` on the reference scale.
        kind: ``"sample"`` (mean of per-sample scores) or ``"corpus"`` (statistics pooled first).
        native_range: range of the metric as its library returns it, or None when unbounded.
        scale: how the value is put on the SoTA table's scale, in words (e.g. ``"x100"``, ``"raw"``).
        implementation: the maintained library / model the value comes from.
        default_model: hub id or local path of the network the metric needs, if any.
        proxy: True when the value is an automatic stand-in for a human or GPT judgement.
        parse: model response -> prediction (None when unparseable).
        prepare_reference: annotation reference -> reference.
        description: one-sentence definition, shown by ``lmms-general metrics``.
    """

    id: str
    compute: Compute
    kind: Literal["sample", "corpus"]
    native_range: tuple[float, float] | None
    scale: str
    implementation: str
    default_model: str | None = None
    proxy: bool = False
    parse: Parse = parse_text
    prepare_reference: PrepareReference = identity_reference
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.id not in CANONICAL_METRIC_IDS:
            raise ValueError(f"{self.id!r} is not a canonical metric id")

    @property
    def higher_is_better(self) -> bool:
        return higher_is_better(self.id)

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(sorted(raw for raw, mid in METRIC_ALIASES.items() if mid == self.id))

    def score(self, predictions: Sequence[Any], references: Sequence[Any], **options: Any) -> float:
        """Compute the task score; ``options`` override the spec's defaults."""
        if len(predictions) != len(references):
            raise ValueError(f"{self.id}: {len(predictions)} predictions for {len(references)} references")
        return float(self.compute(predictions, references, **{**self.options, **options}))


class MetricNotImplementedError(NotImplementedError):
    """Raised when a task's metric has no implementation yet; names the metric and task."""

    def __init__(self, metric_id: str, task: str | None = None) -> None:
        where = f" for task {task}" if task else ""
        super().__init__(f"not implemented yet: metric {metric_id!r}{where}")
        self.metric_id = metric_id
        self.task = task


METRICS: dict[str, MetricSpec] = {}


def register(spec: MetricSpec) -> MetricSpec:
    """Add a spec to :data:`METRICS` (one spec per id)."""
    if spec.id in METRICS:
        raise ValueError(f"metric {spec.id!r} registered twice")
    METRICS[spec.id] = spec
    return spec


def get_metric(metric_id: str, task: str | None = None) -> MetricSpec:
    """The spec for ``metric_id``; raises :class:`MetricNotImplementedError` naming the task if absent."""
    _load_families()
    try:
        return METRICS[metric_id]
    except KeyError:
        raise MetricNotImplementedError(metric_id, task) from None


_FAMILIES = (
    "classification",
    "text",
    "detection",
    "segmentation",
    "regression",
    "tracking",
    "image_generation",
    "video_generation",
    "audio",
    "three_d",
    "judged",
    "panoptic",
    "multi_object_tracking",
    "image_maps",
    "speech_captioning",
)


_FAMILIES_LOADED = False


def _load_families() -> None:
    """Import every family module once so their ``register`` calls run (cheap after the first call)."""
    global _FAMILIES_LOADED
    if _FAMILIES_LOADED:
        return
    import importlib

    for name in _FAMILIES:
        importlib.import_module(f"lmms_general.metrics.{name}")
    _FAMILIES_LOADED = True


def all_metrics() -> dict[str, MetricSpec]:
    """Every registered spec, after loading all families."""
    _load_families()
    return dict(METRICS)
