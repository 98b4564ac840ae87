"""One map from every metric spelling in the General-Level reference table to a canonical metric id, derived from the
registered :class:`~lmms_general.metrics.registry.MetricSpec` objects (each declares its ``aliases`` and direction).

The official workbooks spell the same metric up to four ways (``Acc``/``ACC``, ``BLEU-1``/``BLUE_1``,
``ROUGE-L``/``Rouge-L f``, ``CLIP score``/``CLIPScore``, ...). Everything downstream of the registry
works with canonical ids only; the raw spelling is kept for output and for the bug-compatible
official ranker, which matches metric names by exact upper-case string.
"""

from __future__ import annotations

import functools

#: rows whose reference-table metric name ("AUC", "RMSE", "Acc") is measured by a row-specific protocol
#: (lmms_general/metrics/image_maps.py; docs/METRICS.md): registry key -> metric id, used by tools/build_registry.py
ROW_METRIC_IDS: dict[str, str] = {
    "image_gen_infection_map_generation": "pixel_auc",
    "image_gen_image_shadow_removal": "lab_error",
    "image_gen_eeg_based_image_generation": "generated_class_accuracy",
    "audio_gen_imagetospeech": "speech_cider",
}
ROW_SPECIFIC_METRIC_IDS: frozenset[str] = frozenset(ROW_METRIC_IDS.values())


@functools.cache
def metric_aliases() -> dict[str, str]:
    """Raw spelling (exactly as in the reference CSVs) -> canonical id, from the registered specs' ``aliases``."""
    from lmms_general.metrics.registry import all_metrics

    return {raw: spec.id for spec in all_metrics().values() for raw in spec.aliases}


@functools.cache
def canonical_metric_ids() -> frozenset[str]:
    """Every canonical metric id: the registered specs (loads the family modules once)."""
    from lmms_general.metrics.registry import all_metrics

    return frozenset(all_metrics())


@functools.cache
def lower_is_better_ids() -> frozenset[str]:
    """Canonical ids whose raw value is better when lower (before any General-Level normalisation)."""
    from lmms_general.metrics.registry import all_metrics

    return frozenset(m for m, spec in all_metrics().items() if spec.lower_is_better)


def canonical_metric_id(raw: str) -> str:
    """Return the canonical id for a raw metric spelling (exact match first, then case/space-insensitive).

    Raises:
        KeyError: the spelling is unknown; the message lists the closest known spellings.
    """
    aliases = metric_aliases()
    if raw in aliases:
        return aliases[raw]
    if raw in canonical_metric_ids():
        return raw
    folded = _fold(raw)
    for spelling, metric_id in aliases.items():
        if _fold(spelling) == folded:
            return metric_id
    raise KeyError(f"unknown metric spelling {raw!r}; known: {sorted(aliases)}")


def higher_is_better(metric_id: str) -> bool:
    """Direction of the raw metric value."""
    if metric_id not in canonical_metric_ids():
        raise KeyError(f"unknown metric id {metric_id!r}")
    return metric_id not in lower_is_better_ids()


def _fold(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
