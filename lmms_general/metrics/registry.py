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

Parse = Callable[[str, Mapping[str, Any]], Any]
PrepareReference = Callable[[Any, Mapping[str, Any]], Any]
Compute = Callable[..., float]
#: ``(predictions, references, **options) -> Replicator | None`` (:mod:`lmms_general.metrics.resampling`)
Statistics = Callable[..., Any]


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
class LevelMap:
    """How the corrected General-Level mode puts a metric's raw value on the level scale (higher is better, ~0-100);
    :mod:`lmms_general.level.normalization` interprets it.

    ``form`` is one of:

    * ``as_is``: the value is used as it is (already higher-is-better on a 0-100 scale);
    * ``sigmoid``: ``100 * (2*sigmoid(T/x) - 1)`` with ``T = parameters[0]`` (lower-is-better distances and errors;
      a genuine 0 scores 100);
    * ``tanh``: ``100 * tanh(x / parameters[0])`` (PSNR in dB);
    * ``percent_complement``: ``100 - x`` (an error rate in percent, e.g. WER);
    * ``fraction_complement``: ``100 * (1 - x)`` (an error rate as a fraction; the official ranker's WER);
    * ``affine``: ``100 * (x - low) / (high - low)`` with ``(low, high) = parameters`` (MS-SSIM, MOS).
    """

    form: Literal["as_is", "sigmoid", "tanh", "percent_complement", "fraction_complement", "affine"]
    parameters: tuple[float, ...] = ()

    @classmethod
    def sigmoid(cls, temperature: float) -> LevelMap:
        return cls("sigmoid", (float(temperature),))

    @classmethod
    def tanh(cls, scale: float) -> LevelMap:
        return cls("tanh", (float(scale),))

    @classmethod
    def affine(cls, low: float, high: float) -> LevelMap:
        return cls("affine", (float(low), float(high)))


#: the level map of a metric already on the level scale
AS_IS = LevelMap("as_is")


@dataclass(frozen=True)
class SampleMeanStatistics:
    """Default statistics of a ``sample`` metric: each sample scored alone (``compute`` on a one-item task with the
    spec's options), resampled as a mean (:class:`~lmms_general.metrics.resampling.MeanReplicator`); None when a
    value is not finite (the bootstrap then recomputes per replicate)."""

    compute: Compute
    options: Mapping[str, Any]

    def __call__(self, predictions: list[Any], references: list[Any], **options: Any) -> Any:
        import math

        import numpy as np

        from lmms_general.metrics.resampling import MeanReplicator

        merged = {**self.options, **options}
        values = []
        for prediction, reference in zip(predictions, references, strict=True):
            value = float(self.compute([prediction], [reference], **merged))
            if not math.isfinite(value):
                return None
            values.append(value)
        return MeanReplicator(np.asarray(values))


@dataclass(frozen=True)
class SampleStates:
    """Statistics of a corpus metric that each sample yields alone: ``of(prediction, reference, **options)`` is one
    sample's state (a JSON value: counts, per-category sums), ``replicator(states, **options)`` the bootstrap
    replicator of the states of the drawn samples' task. A spec whose ``statistics`` is one of these has each item
    log its state when the sample is scored (``SampleItem.state``), so General-Level rebuilds the replicator from the
    sample log without reading the media again; called like any ``statistics``, it computes the states first."""

    of: Callable[..., Any]
    replicator: Callable[..., Any]

    def __call__(self, predictions: list[Any], references: list[Any], **options: Any) -> Any:
        states = [self.of(p, r, **options) for p, r in zip(predictions, references, strict=True)]
        return self.replicator(states, **options)


@dataclass(frozen=True)
class MetricSpec:
    """Everything the toolkit knows about one canonical metric, declared once in its family module.

    Every table keyed by metric id (raw spellings, direction, task kinds, General-Level maps, synthetic row cases,
    bootstrap statistics) is derived from the registered specs (:func:`all_metrics`); none is kept beside them.

    Attributes:
        id: canonical metric id.
        compute: ``(predictions, references, **options) -> float`` on the reference scale; the task score. It stays
            the library-backed reference implementation (scikit-learn, pycocotools, pycocoevalcap, nltk, codebleu)
            and ``statistics`` must reproduce it: the bootstrap checks each task (``resampling.agrees``, 1e-6). The
            point score is not taken from the statistics: on the 699 synthetic rows they agree with ``compute`` to
            1.2e-13 at most (miou 1.8e-15, box AP 4.4e-15, CIDEr 1.1e-13), equal to rounding but not bit for bit,
            so switching would move reported scores and level.json in their last digits.
        kind: ``"sample"`` (mean of per-sample scores) or ``"corpus"`` (statistics pooled first).
        native_range: range of the metric as its library returns it, or None when unbounded.
        scale: how the value is put on the SoTA table's scale, in words (e.g. ``"x100"``, ``"raw"``).
        implementation: the maintained library / model the value comes from.
        default_model: hub id or local path of the network the metric needs, if any.
        proxy: True when the value is an automatic stand-in for a human or GPT judgement.
        parse: model response -> prediction (None when unparseable).
        prepare_reference: annotation reference -> reference.
        description: one-sentence definition, shown by ``lmms-general metrics``.
        options: default options of ``compute`` (a row's options override them).
        aliases: the raw spellings of the General-Level reference table that mean this metric.
        lower_is_better: the raw value is better when lower (before any General-Level map).
        task_kind: the answer protocol a comprehension row of this metric expects (a task-kind name of
            :mod:`lmms_general.protocol`, e.g. ``"dense"``), or ``"generation"`` for metrics of generated media.
        level_map: the corrected-mode General-Level map (None: undecided, which the metric-object test rejects).
        synthetic: generator of the synthetic perfect / random row cases
            (:data:`lmms_general.metrics.synthetic.Generator`).
        synthetic_samples: samples per synthetic row (None: the default; label metrics ask for more so that a
            random guess lands near its chance level).
        statistics: ``(predictions, references, **options) -> Replicator | None``: per-sample sufficient statistics,
            a replicator from an ``(n_boot, n)`` index matrix to replicate scores (the bootstrap's only route to a
            metric's formula). ``sample`` metrics default to the mean of per-sample scores (each item logs its
            ``value``); a corpus metric whose samples yield their statistics alone gives :class:`SampleStates` (each
            item logs its ``state``). None (with
            ``no_statistics`` saying why): the bootstrap recomputes the metric per replicate or keeps the point score.
        no_statistics: why a metric has no statistics (e.g. features of a model pooled over the corpus).
        corpus_option: rows with the ``corpus`` option score this per-sample metric over the corpus, and its
            ``statistics`` then return the corpus statistics.
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
    aliases: tuple[str, ...] = ()
    lower_is_better: bool = False
    task_kind: str = ""
    level_map: LevelMap | None = None
    synthetic: Callable[..., Any] | None = None
    synthetic_samples: int | None = None
    statistics: Statistics | None = None
    no_statistics: str = ""
    corpus_option: bool = False

    def __post_init__(self) -> None:
        if self.statistics is None and self.kind == "sample" and not self.no_statistics:
            object.__setattr__(self, "statistics", SampleMeanStatistics(self.compute, self.options))

    @property
    def higher_is_better(self) -> bool:
        return not self.lower_is_better

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
    """Add a spec to :data:`METRICS` (one spec per id, each raw spelling naming one metric)."""
    if spec.id in METRICS:
        raise ValueError(f"metric {spec.id!r} registered twice")
    taken = {raw: other.id for other in METRICS.values() for raw in other.aliases}
    clash = [f"{raw!r} (already {taken[raw]!r})" for raw in spec.aliases if raw in taken]
    if clash:
        raise ValueError(f"metric {spec.id!r}: spellings {', '.join(clash)} name another metric")
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
