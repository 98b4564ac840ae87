"""Turning an annotation file's ``data`` list into :class:`Sample` records (§10 rule 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmms_general.dataset.media import MediaResolver, find_media, media_ref, verify_media
from lmms_general.dataset.models import MediaRef, Sample

_ENVELOPE = ("id", "input", "output")


def sample_id(record: dict[str, Any], index: int) -> str:
    """``id`` as a string; fallback ``original_video_id`` (ActionDet/VG records), else ``sample<index>``."""
    for key in ("id", "original_video_id"):
        value = record.get(key)
        if value is not None and not isinstance(value, (dict, list)):
            return str(value)
    return f"sample{index}"


def _media(record: dict[str, Any], resolver: MediaResolver, verify: bool) -> tuple[list[MediaRef], list[str], int]:
    refs: list[MediaRef] = []
    errors: list[str] = []
    missing = 0
    seen: set[tuple[str, str]] = set()
    found = list(find_media(record.get("input"), "input", "input"))
    for key, value in record.items():
        if key not in _ENVELOPE:
            found.extend(find_media(value, "input", key))
    found.extend(find_media(record.get("output"), "output", "output"))
    for field, raw, role, key in found:
        if (raw, role) in seen:
            continue
        seen.add((raw, role))
        ref, error = media_ref(resolver, field, raw, role, key)
        if error is None and verify:
            error = verify_media(ref)
        if error is not None:
            errors.append(error)
            missing += ref.path is None
        refs.append(ref)
    return refs, errors, missing


def build_samples(
    data: list[Any],
    *,
    annotation_file: Path,
    resolver: MediaResolver | None,
    task_type: str = "",
    modality: str = "",
    paradigm: str = "",
    verify_media: bool = False,
) -> tuple[list[Sample], int]:
    """All samples of ``data`` (none is dropped) and the number of media references that did not resolve.

    Every problem becomes an error string on its sample naming the annotation file and sample id;
    ``resolver`` None skips media handling (NLP).
    """
    samples: list[Sample] = []
    first_index: dict[str, int] = {}
    media_missing = 0
    for index, record in enumerate(data):
        if not isinstance(record, dict):
            error = f"{annotation_file}: sample #{index}: not an object ({type(record).__name__}), skipped fields"
            samples.append(Sample(f"sample{index}", index, None, None, {}, (), (error,), task_type, modality, paradigm))
            continue
        sid = sample_id(record, index)
        errors: list[str] = []
        refs: list[MediaRef] = []
        if resolver is not None:
            refs, media_errors, missing = _media(record, resolver, verify_media)
            media_missing += missing
            errors.extend(f"{annotation_file}: sample {sid!r}: {e}" for e in media_errors)
        if sid in first_index:
            errors.append(f"{annotation_file}: sample {sid!r}: duplicate id (first used by sample #{first_index[sid]})")
        else:
            first_index[sid] = index
        extra = {k: v for k, v in record.items() if k not in _ENVELOPE}
        samples.append(
            Sample(
                sid,
                index,
                record.get("input"),
                record.get("output"),
                extra,
                tuple(refs),
                tuple(errors),
                task_type,
                modality,
                paradigm,
            )
        )
    return samples, media_missing
