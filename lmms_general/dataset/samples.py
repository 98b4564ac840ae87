"""Turning an annotation file's ``data`` list into :class:`Sample` records (§10 rule 5)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lmms_general.dataset import jsonsafe
from lmms_general.dataset.media import ENVELOPE, MediaResolver, media_ref, record_media, verify_media
from lmms_general.dataset.models import MediaRef, Sample
from lmms_general.dataset.reference import raw_sample_reference

_ENVELOPE_KEYS = frozenset(ENVELOPE)


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
    found = record_media(record)
    if not found:
        return refs, errors, missing
    seen: set[tuple[str, str]] | None = set() if len(found) > 1 else None
    for field, raw, role, key in found:
        if seen is not None:  # a string named twice (same role) is one reference
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


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def coerce_options(record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``input.options`` given as an object becomes the list the prompt letters by position: keyed by option
    letters (``{"A": .., "B": ..}``, any order) -> values in letter order; other keys -> values in key order.
    Letters that skip one (``A``, ``C``) or options that are neither a list nor an object are the sample's error
    (returned; the options are dropped so nothing goes out half-lettered)."""
    inp = record.get("input")
    if not isinstance(inp, dict) or "options" not in inp or isinstance(inp["options"], list) or inp["options"] is None:
        return record, ""
    options = inp["options"]
    problem = ""
    if isinstance(options, dict):
        keys = [str(k).strip().upper() for k in options]
        if all(len(k) == 1 and k in _LETTERS for k in keys):
            if sorted(keys) == list(_LETTERS[: len(keys)]):
                by_letter = dict(zip(keys, options.values(), strict=True))
                return {**record, "input": {**inp, "options": [by_letter[k] for k in sorted(keys)]}}, ""
            problem = f"input.options lettered {', '.join(keys)} (not consecutive from A): cannot letter them"
        else:
            return {**record, "input": {**inp, "options": list(options.values())}}, ""
    else:
        problem = f"input.options is {type(options).__name__}, expected a list of options"
    return {**record, "input": {k: v for k, v in inp.items() if k != "options"}}, problem


def _error_sample(index: int, sid: str, error: str, meta: tuple[str, str, str]) -> Sample:
    return Sample(sid, index, None, None, {}, (), (error,), *meta)


def _build_one(
    record: Any,
    index: int,
    where: str,
    resolver: MediaResolver | None,
    verify: bool,
    meta: tuple[str, str, str],
    plain: bool = False,
) -> tuple[Sample, int]:
    """One record as a sample and its count of unresolved media; ``plain``: the reader vouches that the record is
    plain JSON that :func:`jsonsafe.clean` returns unchanged (its walk is skipped)."""
    if not isinstance(record, dict):
        if isinstance(record, jsonsafe.TooDeep):
            error = f"{where}: sample #{index}: nested too deeply for the JSON parser, fields skipped"
            return _error_sample(index, f"sample{index}", error, meta), 0
        error = f"{where}: sample #{index}: not an object ({type(record).__name__}), skipped fields"
        return _error_sample(index, f"sample{index}", error, meta), 0
    problems: list[str] = []
    if not plain:
        record, problems = jsonsafe.clean(record, "record")
    inp = record.get("input")
    if isinstance(inp, dict) and "options" in inp:  # the only records coerce_options changes or faults
        record, option_problem = coerce_options(record)
        if option_problem:
            problems.append(option_problem)
    sid = sample_id(record, index)
    errors = [f"{where}: sample {sid!r}: {p}" for p in problems] if problems else []
    refs: list[MediaRef] = []
    missing = 0
    if resolver is not None:
        refs, media_errors, missing = _media(record, resolver, verify)
        if media_errors:
            errors.extend(f"{where}: sample {sid!r}: {e}" for e in media_errors)
    extra = {} if record.keys() <= _ENVELOPE_KEYS else {k: v for k, v in record.items() if k not in _ENVELOPE_KEYS}
    sample = Sample(
        sid, index, record.get("input"), record.get("output"), extra, tuple(refs), tuple(errors), *meta
    )
    return sample, missing


def _usable(reference: Any) -> bool:
    """A reference answer that can be scored against: not None, not blank text, not an empty container."""
    if reference is None:
        return False
    if isinstance(reference, str):
        return bool(reference.strip())
    if isinstance(reference, (list, tuple, dict)):
        return len(reference) > 0
    return True


def has_reference(sample: Sample) -> bool:
    """Whether a sample carries a usable reference answer (one that cannot be extracted counts as missing)."""
    try:
        return _usable(raw_sample_reference(sample))
    except Exception:  # noqa: BLE001 - a reference that cannot be extracted is missing
        return False


def flag_missing_references(samples: list[Sample], where: str, task_has_references: bool | None = None
                            ) -> list[Sample]:
    """Samples without a reference answer get an error when other samples of the task have one.

    A task where no sample has a reference is a Closeset task (answers withheld), not a defect. ``samples`` may be
    the first samples of a task only: ``task_has_references`` then says whether any sample of the whole task has
    one (default: any of ``samples``).
    """
    if not samples or samples[0].paradigm == "generation":
        return samples
    has = [has_reference(sample) for sample in samples]
    if all(has) or not (any(has) if task_has_references is None else task_has_references):
        return samples
    out = []
    for sample, ok in zip(samples, has, strict=True):
        if not ok:
            error = f"{where}: sample {sample.id!r}: no reference answer (output missing, empty, blank or null)"
            sample = replace(sample, errors=(*sample.errors, error))
        out.append(sample)
    return out


def iter_samples(
    data: Iterable[Any],
    *,
    annotation_file: Path,
    resolver: MediaResolver | None,
    task_type: str = "",
    modality: str = "",
    paradigm: str = "",
    verify_media: bool = False,
    plain: Callable[[], bool] | None = None,
) -> Iterator[tuple[Sample, int]]:
    """Each record of ``data`` as a :class:`Sample` (none is dropped) with its count of unresolved media, in order:
    every per-record problem of :func:`build_samples` but the task-wide missing-reference check. ``plain``, when
    given, is asked right after each record arrives whether the reader knows it to be plain JSON
    (:class:`~lmms_general.dataset.json_stream.TopLevel` ``plain``): its repair walk is skipped then."""
    first_index: dict[str, int] = {}
    meta = (task_type, modality, paradigm)
    where = str(annotation_file)
    for index, record in enumerate(data):
        try:
            sample, missing = _build_one(record, index, where, resolver, verify_media, meta,
                                         plain is not None and plain())
        except Exception as exc:  # noqa: BLE001 - one bad record must not lose the task
            error = f"{annotation_file}: sample #{index}: cannot read record ({type(exc).__name__}: {exc})"
            sample, missing = _error_sample(index, f"sample{index}", error, meta), 0
        if sample.id in first_index:
            first = first_index[sample.id]
            error = f"{annotation_file}: sample {sample.id!r}: duplicate id (first used by sample #{first})"
            sample = replace(sample, errors=(*sample.errors, error))
        else:
            first_index[sample.id] = index
        yield sample, missing


def _always() -> bool:
    return True


def build_samples(
    data: Iterable[Any],
    *,
    annotation_file: Path,
    resolver: MediaResolver | None,
    task_type: str = "",
    modality: str = "",
    paradigm: str = "",
    verify_media: bool = False,
    plain_records: bool = False,
) -> tuple[list[Sample], int]:
    """All samples of ``data`` (none is dropped) and the number of media references that did not resolve.

    Every problem becomes an error string on its sample naming the annotation file and sample id:
    records that are not objects or nest too deeply, invalid Unicode, oversized integers, missing or
    refused media, duplicate ids, a missing reference answer (when other samples have one), and any
    unexpected failure while reading the record. ``resolver`` None skips media handling (NLP). ``plain_records``:
    the reader knows every record to be plain JSON (:func:`~lmms_general.dataset.annotations.read_annotation_plain`).
    """
    samples: list[Sample] = []
    media_missing = 0
    for sample, missing in iter_samples(data, annotation_file=annotation_file, resolver=resolver,
                                        task_type=task_type, modality=modality, paradigm=paradigm,
                                        verify_media=verify_media, plain=_always if plain_records else None):
        samples.append(sample)
        media_missing += missing
    return flag_missing_references(samples, str(annotation_file)), media_missing
