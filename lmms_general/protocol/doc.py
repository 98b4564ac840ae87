"""One General-Bench sample as a typed :class:`Doc`, and its light lmms-eval row.

Each sample is built once into a frozen :class:`Doc` (its reference included) and kept in this process's doc store
(:mod:`lmms_general.protocol.doc_store`) under a hash of its content; lmms-eval stores only ``{"registry_key",
"doc_key"}`` rows (it reads every row through ``datasets`` several times and copies each column per read: each
column costs about 2.6 µs a read, ``benchmarks/bench_doc_path.py``). :func:`doc_of` finds a row's ``Doc``;
everything downstream reads the ``Doc``. Hand-made rows with a ``payload_json`` column (tests, logs of earlier
versions) are still parsed, once per payload.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from lmms_general.dataset.annotations import header_skill
from lmms_general.dataset.models import MediaRef
from lmms_general.dataset.reference import sample_reference
from lmms_general.protocol import doc_store
from lmms_general.protocol.given import gives_specialist_inputs, specialist_inputs
from lmms_general.protocol.kinds import fixed_generation_kind, generation_kind, output_modality, task_kind
from lmms_general.protocol.render3d import RENDER_ENV
from lmms_general.registry import TaskSpec, task_spec

THREE_D_INPUTS = frozenset({"pointcloud", "mesh"})
#: the lmms-eval row columns: two short strings per row; the doc itself (sample id, index and all) is in the doc store
#: under ``doc_key``. lmms-eval 0.7.3 does not log the row (its sample log has the item with the sample id)
COLUMNS: dict[str, str] = {"registry_key": "string", "doc_key": "string"}


@dataclass(frozen=True)
class Doc:
    """One sample of one task, as every hook, command and model adapter sees it (do not mutate the dicts)."""

    registry_key: str
    sample_id: str
    index: int
    task_kind: str
    output_modality: str
    generation_kind: str
    media: tuple[MediaRef, ...]
    load_error: str
    sample: Mapping[str, Any]
    context: Mapping[str, Any]
    reference: Any
    task_dir: str

    @property
    def spec(self) -> TaskSpec:
        return task_spec(self.registry_key)

    @property
    def inputs(self) -> list[MediaRef]:
        """Media the model reads (never targets / references)."""
        return [m for m in self.media if m.role == "input"]

    @property
    def outputs(self) -> list[MediaRef]:
        """Media that are reference outputs (targets)."""
        return [m for m in self.media if m.role != "input"]

    @property
    def skill(self) -> str:
        """The skill cluster of the task (the annotation header's ``skill``), "" when it names none."""
        context = self.context
        return header_skill(context if isinstance(context, dict) else dict(context))

    @property
    def parse_context(self) -> dict[str, Any]:
        """The context handed to parsers and reference preparation (task facts + ``task_dir``)."""
        return {**self.context, "task_dir": self.task_dir}

    @property
    def prompt(self) -> str:
        """The instruction (:func:`lmms_general.protocol.prompts.build_prompt`), built once per doc (per 3D render
        setting for docs with 3D inputs: their prompt says how the 3D input is shown)."""
        setting = os.environ.get(RENDER_ENV, "") if any(m.kind in THREE_D_INPUTS for m in self.media) else ""
        cache = self.__dict__.setdefault("_prompts", {})  # frozen dataclass: the cache is not a field
        text = cache.get(setting)
        if text is None:
            from lmms_general.protocol.prompts import build_prompt

            text = cache[setting] = sys.intern(build_prompt(self))  # equal prompts of a task: one string
        return text

    def payload(self) -> dict[str, Any]:
        """The doc's content as the JSON object it was built from (:func:`doc_payload`'s keys and order)."""
        return {
            "index": self.index, "task_kind": self.task_kind, "output_modality": self.output_modality,
            "generation_kind": self.generation_kind,
            "media": [{"kind": m.kind, "path": str(m.path) if m.path else None, "raw": m.raw, "role": m.role}
                      for m in self.media],
            "load_error": self.load_error, "sample": self.sample, "context": self.context,
            "reference": self.reference, "task_dir": self.task_dir,
        }


def _doc_from_payload(key: str, sample_id: str, body: Mapping[str, Any],
                      paths: Sequence[Path | None] | None = None) -> Doc:
    """The Doc of a payload; ``paths``: the loader's resolved media paths in payload order (reused, not re-parsed)."""
    entries = body.get("media") or ()
    if paths is None or len(paths) != len(entries):
        paths = [Path(m["path"]) if m.get("path") else None for m in entries]
    media = tuple(
        MediaRef(str(m.get("kind", "")), path if m.get("path") else None, str(m.get("raw", "")),
                 str(m.get("role") or "input"))
        for m, path in zip(entries, paths, strict=True)
    )
    return Doc(
        registry_key=key,
        sample_id=sample_id,
        index=int(body.get("index", 0)),
        task_kind=str(body.get("task_kind", "")),
        output_modality=str(body.get("output_modality", "text")),
        generation_kind=str(body.get("generation_kind", "")),
        media=media,
        load_error=str(body.get("load_error") or ""),
        sample=body.get("sample") or {},
        context=body.get("context") or {},
        reference=body.get("reference"),
        task_dir=sys.intern(str(body.get("task_dir", ""))),  # one string for the task's docs
    )


@functools.lru_cache(maxsize=32768)
def _parse_row(key: str, sample_id: str, payload_json: str) -> Doc:
    return _doc_from_payload(key, sample_id, json.loads(payload_json))


def doc_of(row: Mapping[str, Any] | Doc) -> Doc:
    """The :class:`Doc` of an lmms-eval row (from the doc store; a ``payload_json`` row is parsed once per payload;
    a ``Doc`` passes through)."""
    if isinstance(row, Doc):
        return row
    doc_key = row.get("doc_key")
    if doc_key:
        return doc_store.get(str(doc_key), str(row["registry_key"]))
    return _parse_row(str(row["registry_key"]), str(row["sample_id"]), row["payload_json"])


def is_general_bench_row(row: Any) -> bool:
    """True for a row built by :func:`doc_row` or carrying a ``payload_json`` (other lmms-eval tasks' docs are not)."""
    return isinstance(row, Mapping) and "registry_key" in row and ("doc_key" in row or "payload_json" in row)


def _media_role(raw: str, sample: Any) -> str:
    """``input`` when the annotation's input side names this file, else ``output`` (a target / reference)."""
    role = getattr(sample, "role", None)
    if role:
        return str(role)
    haystack = json.dumps([sample.input, dict(sample.extra)], default=str)
    return "input" if raw and raw.replace("\\", "/") in haystack.replace("\\\\", "/") else "output"


@dataclass(frozen=True)
class TaskFacts:
    """What every doc of one task shares, computed once per task: the header facts of the context, the label set's
    context keys (as JSON values: one set of objects shared by the task's docs), the task kind and output modality."""

    spec: TaskSpec
    header: Mapping[str, Any]
    task_dir: str
    head: dict[str, Any]
    labels: dict[str, Any] | None
    kind: str
    output_modality: str
    #: the payload JSON text of what the task's docs share (see :func:`_payload_text`); None without a label set
    texts: Mapping[str, Any] | None = None
    #: the samples come from :func:`lmms_general.dataset.load_task`, which resolved each media path to a regular
    #: file or a folder (``doc_to_visual`` then opens it without another ``stat``)
    media_checked: bool = False
    #: the context every doc starts from (:func:`_context`'s keys in its order, the per-sample ones None), copied per
    #: doc; None without a label set (or when a label key is named like another context key)
    context: dict[str, Any] | None = None
    #: whether the task kind may give specialist inputs (:func:`~lmms_general.protocol.given.gives_specialist_inputs`)
    gives_inputs: bool = True
    #: the generation kind of every doc (:func:`~lmms_general.protocol.kinds.fixed_generation_kind`), None when it
    #: depends on each sample's media
    generation_kind: str | None = None
    #: the doc key of one of the task's payload texts (:func:`~lmms_general.protocol.doc_store.content_hasher`)
    key_of: Callable[[str], str] | None = None
    #: the task's docs differ only in their own values: the shared texts and context are set, no specialist inputs
    #: and one generation kind (:func:`_common_keyed_doc` writes them)
    common: bool = False


#: ``json.dumps(payload, ensure_ascii=False, default=str)``'s encoder (one object, not one per call)
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode
#: the C encoder ``_ENCODE`` makes on each call of a list or dict, made once; without the circular-reference check
#: (its ``markers`` dict would be shared by threads): a circular value raises RecursionError (see :func:`_json_text`)
_C_ENCODE = (json.encoder.c_make_encoder(None, str, encode_basestring, None, ": ", ", ", False, False, True)
             if json.encoder.c_make_encoder is not None else None)
#: the context keys before the per-sample ones, and the per-sample ones (their order is the payload's)
_HEAD_KEYS = ("registry_key", "task_name", "task_type", "skill", "bbox_format")
_SAMPLE_KEYS = ("options", "question", "sample_id")


def _json_text(value: Any) -> str:
    """``_ENCODE(value)`` (the same C encoder and string escaping), without the per-call encoder and, for a list or
    dict, without the circular-reference check: a circular value raises RecursionError, and the caller falls back to
    ``json.dumps``, which raises what it always did."""
    if type(value) is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    return "".join(_C_ENCODE(value, 0)) if _C_ENCODE is not None else _ENCODE(value)


def _members(items: Any) -> str:
    """``"key": value, ...`` as ``json.dumps`` writes the members of an object."""
    return ", ".join(f"{_ENCODE(key)}: {_ENCODE(value)}" for key, value in items)


def task_facts(spec: TaskSpec, header: Mapping[str, Any], task_dir: str, labels: Any = None,
               media_checked: bool = False) -> TaskFacts:
    """The :class:`TaskFacts` of a task (``labels``: its :func:`task_labels`; without it none, see
    :func:`_context`; ``media_checked``: see :attr:`TaskFacts.media_checked`)."""
    others = header.get("others") if isinstance(header.get("others"), dict) else {}
    modality = header.get("modality") if isinstance(header.get("modality"), dict) else {}
    head = {
        "registry_key": spec.key,
        "task_name": spec.display_name,
        "task_type": str(header.get("type", "")),
        "skill": header_skill(header),
        "bbox_format": others.get("bbox_format", "(x_min, y_min, width, height)"),
        "modality_in": [str(m) for m in modality.get("in") or [] if isinstance(m, str)],
    }
    label_context = texts = context = None
    head, kind, modality_out = _json_values(head), task_kind(spec), output_modality(spec)
    generation = fixed_generation_kind(spec)
    if labels is not None:  # JSON values once per task (the per-doc JSON round trip made them so before)
        label_context = _json_values(labels.context())
        texts = {
            "head": _members((k, head[k]) for k in _HEAD_KEYS),
            "tail": _members([("modality_in", head["modality_in"]), *label_context.items()]),
            "keys": frozenset((*head, *_SAMPLE_KEYS, *label_context)),
            "kinds": f', "task_kind": {_ENCODE(kind)}, "output_modality": {_ENCODE(modality_out)}, "generation_kind": ',
            "generation_kind": _ENCODE(generation), "task_dir": _ENCODE(task_dir),
        }
        context = {**{k: head[k] for k in _HEAD_KEYS}, **dict.fromkeys(_SAMPLE_KEYS),
                   "modality_in": head["modality_in"], **label_context}
        if len(context) != len(_HEAD_KEYS) + len(_SAMPLE_KEYS) + 1 + len(label_context):
            context = None  # a label key named like another context key: :func:`_context` writes it in full
    gives_inputs = gives_specialist_inputs(kind)
    return TaskFacts(spec, header, sys.intern(task_dir), head, label_context, kind, modality_out, texts,
                     media_checked, context=context, gives_inputs=gives_inputs, generation_kind=generation,
                     key_of=doc_store.content_hasher(spec.key),
                     common=texts is not None and context is not None and not gives_inputs and generation is not None)


def _context(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_labels: Any = None,
             given: Mapping[str, Any] | None = None, facts: TaskFacts | None = None) -> dict[str, Any]:
    """Task facts of one sample: header fields, the task's label set (``labels``, ``label_codes``, ``multi_label``,
    ``yes_no_codes``: :mod:`lmms_general.protocol.labels`) and the specialist inputs
    (:mod:`lmms_general.protocol.given`). ``facts``: the task's :class:`TaskFacts` (their label set wins)."""
    inp = sample.input if isinstance(sample.input, dict) else {}
    options, question = inp.get("options"), inp.get("question")
    if facts is not None and facts.context is not None:  # the task's context, copied: its key order is kept
        context = facts.context.copy()
        context["options"] = options if isinstance(options, list) else None
        context["question"] = question if isinstance(question, str) else None
        context["sample_id"] = sample.id
        if given:
            context.update(given)
        return context
    head = (facts or task_facts(spec, header, "")).head
    label_context = facts.labels if facts is not None else None
    if label_context is None:
        if task_labels is None:  # one sample alone: never list its own reference as the label set
            from lmms_general.protocol.labels import gather_labels

            try:
                task_labels = gather_labels(spec, header, [sample], use_references=False)
            except Exception:  # noqa: BLE001 - a malformed record loses its label set, never its doc
                from lmms_general.protocol.labels import TaskLabels

                task_labels = TaskLabels()
        label_context = task_labels.context()
    return {  # the key order is the payload's (its JSON text gives the doc key)
        "registry_key": head["registry_key"],
        "task_name": head["task_name"],
        "task_type": head["task_type"],
        "skill": head["skill"],
        "bbox_format": head["bbox_format"],
        "options": options if isinstance(options, list) else None,
        "question": question if isinstance(question, str) else None,
        "sample_id": sample.id,
        "modality_in": head["modality_in"],
        **label_context,
        **(given or {}),
    }


def task_labels(spec: TaskSpec, header: Mapping[str, Any], samples: Any) -> Any:
    """The task's :class:`~lmms_general.protocol.labels.TaskLabels`, gathered once from all its samples; pass it
    to :func:`doc_row` / :func:`make_doc` for every sample of the task."""
    from lmms_general.protocol.labels import TaskLabels, gather_labels

    try:
        return gather_labels(spec, header, samples if isinstance(samples, Collection) else list(samples))
    except Exception as exc:  # noqa: BLE001 - a malformed annotation loses its label set, never its samples
        import logging

        logging.getLogger("lmms_general").warning("%s: no label set gathered: %s: %s", spec.task,
                                                  type(exc).__name__, exc)
        return TaskLabels()


def doc_payload(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_dir: str,
                labels: Any = None, facts: TaskFacts | None = None) -> dict[str, Any]:
    """The payload of one loader :class:`~lmms_general.dataset.Sample` (see docs/ARCHITECTURE.md). ``labels``: the
    task's label set from :func:`task_labels` (without it only the sample's own header / prompt are read);
    ``facts``: the task's :class:`TaskFacts` (built once per task by the callers that build all its docs)."""
    return _payload(spec, header, sample, task_dir, labels, facts)[0]


def _payload(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_dir: str, labels: Any,
             facts: TaskFacts | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(:func:`doc_payload`, the specialist inputs in its context)."""
    if facts is None:
        facts = task_facts(spec, header, task_dir, labels)
    return _payload_parts(spec, header, sample, task_dir, labels, facts)[:2]


def _payload_parts(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_dir: str, labels: Any,
                   facts: TaskFacts) -> tuple[dict[str, Any], dict[str, Any], tuple[MediaRef, ...]]:
    """(:func:`doc_payload`, the specialist inputs in its context, the doc's media)."""
    media = [
        {"kind": ref.kind, "path": str(ref.path) if ref.path else None, "raw": ref.raw,
         "role": getattr(ref, "role", None) or _media_role(ref.raw, sample)}
        for ref in sample.media
    ]
    kind = facts.generation_kind
    if kind is None:
        kind = generation_kind(spec, [m["kind"] for m in media if m["role"] == "input" and m["path"]])
    reference = sample_reference(sample)
    given = specialist_inputs(spec, facts.kind, sample, media, reference) if facts.gives_inputs else {}
    payload = {
        "index": sample.index,
        "task_kind": facts.kind,
        "output_modality": facts.output_modality,
        "generation_kind": kind,
        "media": media,
        "load_error": "; ".join(sample.errors),
        "sample": {"id": sample.id, "input": sample.input, "output": sample.output, **sample.extra},
        "context": _context(spec, header, sample, labels, given, facts),
        "reference": reference,
        "task_dir": task_dir,
    }
    refs = tuple([
        _media_ref(m["kind"], (ref.path if isinstance(ref.path, Path) else Path(ref.path)) if m["path"] else None,
                   m["raw"], m["role"])
        for m, ref in zip(media, sample.media, strict=True)
    ])
    return payload, given, refs


def _payload_text(payload: dict[str, Any], given: Mapping[str, Any], facts: TaskFacts) -> str:
    """``json.dumps(payload, ensure_ascii=False, default=str)``, with what the task's docs share written once per
    task (:attr:`TaskFacts.texts`: the task kind, the header facts, the label set, the task folder), so a doc costs
    the JSON of its own values only (``tests/protocol/test_doc_store.py`` checks the text is the same)."""
    texts = facts.texts
    context = payload["context"]
    if texts is None or type(payload["index"]) is not int or payload["task_dir"] != facts.task_dir \
            or not texts["keys"].isdisjoint(given):  # a specialist input named like a context key replaced it
        return json.dumps(payload, ensure_ascii=False, default=str)
    try:
        given_text = "".join(f", {_json_text(key)}: {_json_text(value)}" for key, value in given.items()) \
            if given else ""
        kind = payload["generation_kind"]
        options, question = context["options"], context["question"]
        return (
            f'{{"index": {payload["index"]}{texts["kinds"]}'
            f'{texts["generation_kind"] if kind == facts.generation_kind else _json_text(kind)}, '
            f'"media": {_media_text(payload["media"])}, "load_error": {_json_text(payload["load_error"])}, '
            f'"sample": {_json_text(payload["sample"])}, "context": {{{texts["head"]}, '
            f'"options": {"null" if options is None else _json_text(options)}, '
            f'"question": {"null" if question is None else _json_text(question)}, '
            f'"sample_id": {_json_text(context["sample_id"])}, {texts["tail"]}{given_text}}}, '
            f'"reference": {_json_text(payload["reference"])}, "task_dir": {texts["task_dir"]}}}'
        )
    except RecursionError:  # a circular (or too deep) value: json.dumps raises its own error for it
        return json.dumps(payload, ensure_ascii=False, default=str)


def _media_text(media: list[dict[str, Any]]) -> str:
    """``_json_text(media)`` for the payload's media list, written directly when its values are strings (and paths
    None) as :func:`_payload` makes them."""
    parts = []
    for m in media:
        kind, path, raw, role = m["kind"], m["path"], m["raw"], m["role"]
        if len(m) != 4 or type(kind) is not str or type(raw) is not str or type(role) is not str \
                or (path is not None and type(path) is not str):
            return _json_text(media)
        path_text = "null" if path is None else encode_basestring(path)
        parts.append(f'{{"kind": {encode_basestring(kind)}, "path": {path_text}, "raw": {encode_basestring(raw)}, '
                     f'"role": {encode_basestring(role)}}}')
    return f"[{', '.join(parts)}]"


_JSON_LEAVES = frozenset({str, int, float, bool, type(None)})


def _is_json_value(value: Any) -> bool:
    """Whether ``value`` is already what ``json.loads(json.dumps(value))`` gives back: ``dict`` with ``str`` keys,
    ``list``, ``str``, ``int``, ``float``, ``bool``, None (no tuple, no other type)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _JSON_LEAVES and not _is_json_value(item)):
                return False
        return True
    if kind is list:
        for item in value:
            if type(item) not in _JSON_LEAVES and not _is_json_value(item):
                return False
        return True
    return kind in _JSON_LEAVES


def _json_values(value: Any) -> Any:
    """``value`` as JSON values: itself when it is one already (:func:`_is_json_value`), else through JSON (tuples
    become lists, other objects their text)."""
    if _is_json_value(value):
        return value
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _keyed_doc(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_dir: str,
               labels: Any = None, facts: TaskFacts | None = None) -> tuple[str, Doc]:
    """(doc key, :class:`Doc`) of one loader sample. The key is the hash of the payload's JSON text; the doc holds
    the payload's values themselves, each a plain JSON value (as a sample log holds it): the sample comes from the
    annotation's JSON, the label set was made JSON values once per task, and whatever else is not one already (a
    tuple in a reference, say) goes through JSON."""
    if facts is None:
        facts = task_facts(spec, header, task_dir, labels)
    elif facts.common and type(sample.index) is int and task_dir == facts.task_dir:
        keyed = _common_keyed_doc(spec, sample, facts)
        if keyed is not None:
            return keyed
    payload, given, media = _payload_parts(spec, header, sample, task_dir, labels, facts)
    text = _payload_text(payload, given, facts)
    context = payload["context"]
    # the header facts and the label set are JSON values already (once per task) unless a specialist input replaced one
    shared = facts.texts is not None and facts.texts["keys"].isdisjoint(given)
    own = [given, context["options"], context["question"], context["sample_id"]] if shared else [context]
    if not _is_json_value([*own, payload["sample"], payload["reference"]]):
        parsed = json.loads(text)  # a value that is not plain JSON: the doc gets the JSON values of everything
        context, payload["sample"], payload["reference"] = parsed["context"], parsed["sample"], parsed["reference"]
    doc = _new_doc({
        "registry_key": spec.key,
        "sample_id": str(sample.id),
        "index": int(sample.index),
        "task_kind": facts.kind,
        "output_modality": facts.output_modality,
        "generation_kind": payload["generation_kind"],
        "media": media,
        "load_error": payload["load_error"],
        "sample": payload["sample"],
        "context": context,
        "reference": payload["reference"],
        "task_dir": sys.intern(task_dir),  # one string for the task's docs
    })
    if facts.media_checked:
        doc.__dict__["_media_checked"] = True  # the loader checked each path (a regular file or a folder)
    key_of = facts.key_of
    return (key_of(text) if key_of is not None else doc_store.content_key(spec.key, text)), doc


def _common_keyed_doc(spec: TaskSpec, sample: Any, facts: TaskFacts) -> tuple[str, Doc] | None:
    """:func:`_keyed_doc` of a sample of a task whose docs differ only in their own values (:attr:`TaskFacts.common`),
    written without the intermediate payload: the same key and doc. None when a media value is not a string (the
    general route writes it)."""
    texts = facts.texts
    refs, parts = [], []
    for ref in sample.media:
        kind, path, raw = ref.kind, ref.path, ref.raw
        role = getattr(ref, "role", None) or _media_role(raw, sample)
        if type(kind) is not str or type(raw) is not str or type(role) is not str:
            return None
        path_text = str(path) if path else None
        parts.append(f'{{"kind": {encode_basestring(kind)}, '
                     f'"path": {"null" if path_text is None else encode_basestring(path_text)}, '
                     f'"raw": {encode_basestring(raw)}, "role": {encode_basestring(role)}}}')
        refs.append(_media_ref(kind, (path if isinstance(path, Path) else Path(path)) if path_text else None, raw,
                               role))
    reference = sample_reference(sample)
    load_error = "; ".join(sample.errors)
    body = {"id": sample.id, "input": sample.input, "output": sample.output, **sample.extra}
    inp = sample.input if isinstance(sample.input, dict) else {}
    options, question, sample_id = inp.get("options"), inp.get("question"), sample.id
    options = options if isinstance(options, list) else None
    question = question if isinstance(question, str) else None
    context = facts.context.copy()
    context["options"], context["question"], context["sample_id"] = options, question, sample_id
    try:
        text = (
            f'{{"index": {sample.index}{texts["kinds"]}{texts["generation_kind"]}, "media": [{", ".join(parts)}], '
            f'"load_error": {encode_basestring(load_error)}, "sample": {_json_text(body)}, '
            f'"context": {{{texts["head"]}, "options": {"null" if options is None else _json_text(options)}, '
            f'"question": {"null" if question is None else encode_basestring(question)}, '
            f'"sample_id": {_json_text(sample_id)}, {texts["tail"]}}}, '
            f'"reference": {_json_text(reference)}, "task_dir": {texts["task_dir"]}}}'
        )
    except RecursionError:  # a circular (or too deep) value: the general route raises json.dumps's error for it
        return None
    if not _is_json_value([options, question, sample_id, body, reference]):
        parsed = json.loads(text)  # a value that is not plain JSON: the doc gets the JSON values of everything
        context, body, reference = parsed["context"], parsed["sample"], parsed["reference"]
    doc = _new_doc({
        "registry_key": spec.key,
        "sample_id": str(sample_id),
        "index": int(sample.index),
        "task_kind": facts.kind,
        "output_modality": facts.output_modality,
        "generation_kind": facts.generation_kind,
        "media": tuple(refs),
        "load_error": load_error,
        "sample": body,
        "context": context,
        "reference": reference,
        "task_dir": facts.task_dir,  # one string for the task's docs
    })
    if facts.media_checked:
        doc.__dict__["_media_checked"] = True  # the loader checked each path (a regular file or a folder)
    return facts.key_of(text), doc


def _new_doc(fields: dict[str, Any]) -> Doc:
    """``Doc(**fields)``, the same object: ``fields`` (every field, in :class:`Doc`'s order) become its ``__dict__``
    at once, where the frozen dataclass's ``__init__`` sets each through ``object.__setattr__`` (about 1 µs a doc;
    ``tests/protocol/test_doc_store.py`` checks both give equal objects with equal ``__dict__``)."""
    doc = object.__new__(Doc)
    doc.__dict__.update(fields)
    return doc


def _media_ref(kind: str, path: Path | None, raw: str, role: str) -> MediaRef:
    """``MediaRef(kind, path, raw, role)``, the same object, made as :func:`_new_doc` makes a doc."""
    ref = object.__new__(MediaRef)
    ref.__dict__.update(kind=kind, path=path, raw=raw, role=role, field="")
    return ref


def row_of(doc_key: str, doc: Doc) -> dict[str, Any]:
    """The light lmms-eval row of a stored doc (:data:`COLUMNS`)."""
    return {"registry_key": doc.registry_key, "doc_key": doc_key}


def doc_row(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_dir: str,
            labels: Any = None, facts: TaskFacts | None = None) -> dict[str, Any]:
    """The lmms-eval row of one loader sample; its :class:`Doc` goes into the doc store (``labels``, ``facts``: see
    :func:`doc_payload`)."""
    doc_key, doc = _keyed_doc(spec, header, sample, task_dir, labels, facts)
    doc_store.put(doc_key, doc)
    return row_of(doc_key, doc)


def make_doc(spec: TaskSpec, header: Mapping[str, Any], sample: Any, task_dir: str, labels: Any = None) -> Doc:
    """The :class:`Doc` of one loader sample (no lmms-eval row in between; ``labels``: see :func:`doc_payload`)."""
    return _keyed_doc(spec, header, sample, task_dir, labels)[1]


def task_docs(spec: TaskSpec, data: Any) -> list[Doc]:
    """Every sample of a loaded task (:class:`~lmms_general.dataset.TaskData`) as a :class:`Doc`, with the task's
    label set gathered once."""
    labels = task_labels(spec, data.header, data.samples)
    task_dir = str(data.folder.folder)
    facts = task_facts(spec, data.header, task_dir, labels, media_checked=True)
    return [_keyed_doc(spec, data.header, s, task_dir, labels, facts)[1] for s in data.samples]
