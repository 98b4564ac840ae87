"""Light lmms-eval rows and the doc store: each doc built once, found by content from any copy of its row."""

from __future__ import annotations

import json
import threading
import weakref
from pathlib import Path

import pytest

from lmms_general import hooks
from lmms_general.hooks.docs import build_docs, docs_to_dataset
from lmms_general.hooks.results import process_results
from lmms_general.protocol import Doc, build_prompt, doc_of, doc_store
from lmms_general.protocol.doc import COLUMNS, is_general_bench_row
from model_adapters.requests import doc_value
from tests.conftest import SAMPLE_ROOT

CARS = "image_comp_car_brands_recognition"


@pytest.fixture()
def rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    return build_docs(CARS, SAMPLE_ROOT)


def test_rows_are_light_and_point_at_typed_docs(rows: list[dict]) -> None:
    assert rows and all(set(r) == set(COLUMNS) for r in rows)
    doc = doc_of(rows[0])
    assert isinstance(doc, Doc) and doc.registry_key == rows[0]["registry_key"] == CARS
    assert [doc_of(r).sample_id for r in rows] == ["CarBrands0001", "CarBrands0002", "CarBrands0003"][: len(rows)]
    assert [doc_of(r).index for r in rows] == list(range(len(rows)))
    assert doc.reference is not None and doc.inputs and doc.inputs[0].path.is_file()
    assert doc_of(rows[0]) is doc  # built once, not re-parsed per read


def test_rows_read_back_from_the_dataset_select_and_map_find_the_same_docs(rows: list[dict]) -> None:
    dataset = docs_to_dataset(rows)
    limited = dataset.select(range(2))  # what --limit / a rank's shard reads
    mapped = dataset.map(lambda row: row)  # a re-opened / mapped copy
    for copy in (dataset, limited, mapped):
        for position, row in enumerate(copy):
            assert doc_of(row) is doc_of(rows[position])


def test_equal_content_gives_the_same_key_and_another_root_another(rows: list[dict], tmp_path: Path) -> None:
    assert [r["doc_key"] for r in build_docs(CARS, SAMPLE_ROOT)] == [r["doc_key"] for r in rows]
    import shutil

    other = tmp_path / "tree"
    shutil.copytree(SAMPLE_ROOT / "image" / "comprehension" / "car_brands_recognition",
                    other / "image" / "comprehension" / "car_brands_recognition")
    moved = build_docs(CARS, other)
    assert {r["doc_key"] for r in moved}.isdisjoint(r["doc_key"] for r in rows)
    assert doc_of(moved[0]).task_dir.startswith(str(other)) and doc_of(rows[0]).task_dir.startswith(str(SAMPLE_ROOT))


def test_prompt_is_built_once_and_equals_build_prompt(rows: list[dict]) -> None:
    doc = doc_of(rows[0])
    assert doc.prompt is doc.prompt and doc.prompt == build_prompt(doc)
    assert hooks.doc_to_text(rows[0], {"pre_prompt": "<", "post_prompt": ">"}) == f"<{build_prompt(doc)}>"


def test_four_scoring_threads_get_what_one_gets(rows: list[dict]) -> None:
    serial = [process_results(r, ["GMC"])["score"] for r in rows]
    found: list[list[dict]] = [[] for _ in range(4)]

    def score(slot: int) -> None:
        found[slot] = [process_results(dict(r), ["GMC"])["score"] for r in rows]

    threads = [threading.Thread(target=score, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(f == serial for f in found) and all(i["status"] == "ok" for i in serial)
    assert serial[0]["reference"] is not None and serial[0]["task_dir"]  # the log still carries what re-scoring needs


def test_a_row_from_another_process_builds_its_task_once(rows: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = doc_of(rows[1]).payload()
    doc_store.clear()  # as in a process that never ran process_docs
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    assert doc_of(rows[1]).payload() == expected and doc_store.size() == len(rows)


def test_a_row_whose_content_is_unknown_is_a_clear_error(rows: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    stale = {**rows[0], "doc_key": "0" * 32}
    with pytest.raises(LookupError, match=f"task {CARS} doc {'0' * 32}: .* no doc with that content"):
        doc_of(stale)
    item = process_results(stale, ["GMC"])["score"]  # the hook never raises: the sample is an error, named
    assert item["status"] == "error" and "LookupError" in item["error"] and item["id"] == f"doc {'0' * 32}"


def test_a_row_whose_task_cannot_be_built_here_is_a_clear_error(rows: list[dict],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    doc_store.clear()
    monkeypatch.delenv("GENERAL_BENCH_ROOT", raising=False)
    with pytest.raises(LookupError, match=f"task {CARS} doc {rows[0]['doc_key']}: .* cannot be built here"):
        doc_of(rows[0])


def test_other_tasks_docs_are_not_ours(rows: list[dict]) -> None:
    other = {"question": "2+2?", "answer": "4", "index": 3}
    assert not is_general_bench_row(other) and doc_value(other, "media") is None
    assert doc_value(other, "index") == 3  # a column of the row itself
    assert doc_value(rows[0], "media")[0]["role"] == "input"


def test_resume_key_is_the_same_for_a_light_and_a_payload_row(rows: list[dict]) -> None:
    from model_adapters.resume import _doc_material

    doc = doc_of(rows[0])
    payload_row = {"registry_key": doc.registry_key, "sample_id": doc.sample_id,
                   "payload_json": json.dumps(doc.payload(), ensure_ascii=False, default=str)}
    assert _doc_material(rows[0]) == _doc_material(payload_row)
    assert doc_store.content_key(doc.registry_key, _doc_material(rows[0])) == rows[0]["doc_key"]


def test_doc_keys_and_values_are_those_of_the_payload_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every doc of every sample-tree task: its key is the hash of ``json.dumps(payload)`` (the text is written with
    the task's shared parts rendered once) and its values are the payload's JSON values (a JSON round trip changes
    nothing)."""
    from lmms_general import dataset
    from lmms_general.protocol.doc import _keyed_doc, _payload, _payload_text, task_facts, task_labels
    from lmms_general.registry import load_registry

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    registry = load_registry()
    checked = 0
    for folder in dataset.index_root(SAMPLE_ROOT, use_cache=False).tasks:
        if not folder.registry_key or not folder.samples:
            continue
        spec = registry[folder.registry_key]
        data = dataset.load_task(SAMPLE_ROOT, spec.key)
        labels = task_labels(spec, data.header, data.samples)
        task_dir = str(data.folder.folder)
        facts = task_facts(spec, data.header, task_dir, labels)
        for sample in data.samples:
            payload, given = _payload(spec, data.header, sample, task_dir, labels, facts)
            text = json.dumps(payload, ensure_ascii=False, default=str)
            assert _payload_text(payload, given, facts) == text, (spec.key, sample.id)
            key, doc = _keyed_doc(spec, data.header, sample, task_dir, labels, facts)
            assert key == doc_store.content_key(spec.key, text)
            assert json.loads(json.dumps(doc.payload(), ensure_ascii=False)) == doc.payload() == json.loads(text)
            checked += 1
    assert checked > 100


@pytest.mark.timeout(30)
def test_only_loader_docs_open_media_without_a_stat(rows: list[dict], tmp_path: Path) -> None:
    """A loaded task's docs carry paths the loader checked (opened straight away); a hand-made payload row's path is
    still checked when read, so a FIFO in its place is refused, never opened."""
    import os

    from lmms_general.hooks.media import media_failure

    doc = doc_of(rows[0])
    assert doc.__dict__.get("_media_checked") is True
    assert [type(v).__name__ for v in hooks.doc_to_visual(rows[0])] == ["Image"]
    os.mkfifo(tmp_path / "pipe.png")
    payload = doc.payload()
    payload["media"][0]["path"] = str(tmp_path / "pipe.png")
    row = {"registry_key": doc.registry_key, "sample_id": "fifo", "payload_json": json.dumps(payload)}
    assert hooks.doc_to_visual(row) == []
    assert "not a regular file" in (media_failure(doc.registry_key, "fifo", consume=True) or "")


def test_building_docs_keeps_what_someone_else_froze(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that ``gc.freeze()``-d its heap (a server before forking workers) keeps it frozen after docs are
    built: the collector pause of :func:`~lmms_general.hooks.docs.load_docs` must not ``gc.unfreeze`` it."""
    import gc

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    was = gc.isenabled()
    gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert build_docs(CARS, SAMPLE_ROOT)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
        gc.enable() if was else gc.disable()


def test_a_runs_docs_stay_out_of_the_collector_until_the_next_run(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """lmms-eval's process_docs hook leaves the docs (and all alive then) out of the collector's passes through the
    run and its aggregation; the next run's docs give them back (cyclic garbage among them is collected then), and
    release_long_lived does at once; someone else's frozen heap is left alone."""
    import gc

    from lmms_general.collector import release_long_lived
    from lmms_general.hooks.docs import make_process_docs

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    release_long_lived()
    assert gc.get_freeze_count() == 0
    try:
        rows = list(make_process_docs(CARS)(None))
        assert gc.get_freeze_count() > 0 and doc_store.size() >= len(rows)
        from lmms_general import collector

        assert collector._exit_registered  # given back at the process's end (its shutdown kept them otherwise)
        items = [process_results(row, ["GMC"])["score"] for row in rows]
        assert hooks.aggregate_score(items) is not None
        assert gc.get_freeze_count() > 0  # frozen while the run writes its results
        cycle: list = []
        cycle.append(cycle)  # cyclic garbage of the first run, frozen with it
        garbage = weakref.ref(_Cyclic(cycle))
        gc.freeze()  # (as if frozen by the first run's process_docs)
        cycle = None
        assert garbage() is not None
        make_process_docs(CARS)(None)  # the next run: the first run's objects are collected, the new docs frozen
        assert garbage() is None and gc.get_freeze_count() > 0
        release_long_lived()
        assert gc.get_freeze_count() == 0
        gc.freeze()  # someone else's: neither extended nor released by ours
        theirs = gc.get_freeze_count()
        make_process_docs(CARS)(None)
        hooks.aggregate_score(items)
        make_process_docs(CARS)(None)
        release_long_lived()
        assert 0 < gc.get_freeze_count() <= theirs  # (frozen objects freed by reference counting leave the count)
    finally:
        gc.unfreeze()
        release_long_lived()


class _Cyclic:
    """An object in a reference cycle (only the cyclic collector frees it), weakly referenceable."""

    def __init__(self, cycle: list) -> None:
        self.cycle = cycle
        cycle.append(self)


def _hand_made_task() -> tuple[object, object, object]:
    """(spec, facts, a builder of samples) for the car-brands task with a two-label set."""
    from lmms_general.protocol.doc import task_facts
    from lmms_general.protocol.labels import TaskLabels
    from lmms_general.registry import load_registry

    spec = load_registry()[CARS]
    facts = task_facts(spec, {"type": "image comprehension"}, "/data/cars", TaskLabels(labels=("GMC", "Audi")))
    return spec, facts, {"type": "image comprehension"}


class _Text(str):
    """A str subclass (JSON writes it as a string, the doc gets a plain str back)."""


def test_docs_of_values_that_are_not_plain_json_are_those_of_the_payload_json() -> None:
    """The written-out route of a task's docs (:func:`_common_keyed_doc`) and the general one give the key of
    ``json.dumps(payload)`` and the payload's JSON values, for tuples, str / float subclasses, non-string keys, odd
    ids and paths given as text; a circular value raises what ``json.dumps`` raises."""
    import dataclasses

    from lmms_general.dataset.models import MediaRef, Sample
    from lmms_general.protocol.doc import _keyed_doc, _payload

    spec, facts, header = _hand_made_task()
    assert facts.common  # the written-out route is the one a label task's docs take
    general = dataclasses.replace(facts, common=False)
    samples = [
        Sample("a", 0, {"image_file": "x.png", "question": _Text("which?"), "options": ["GMC", ("Audi",)]},
               {"answer": ("GMC", 1.5)}, {"extra": {1: "one", "big": float("inf")}},
               (MediaRef("image", Path("/data/cars/x.png"), "x.png", "input", "input.image_file"),), ("bad",)),
        Sample(7, 1, "just text", None, {}, (MediaRef("image", None, "gone.png", "output"),), ()),  # type: ignore[arg-type]
        Sample("c", 2, {"prompt": "é\u2028\ud800"}, {"answer": "Audi"}, {},
               (MediaRef("image", "/data/cars/c.png", "c.png", "input"),), ()),  # type: ignore[arg-type]
    ]
    for sample in samples:
        payload, _given = _payload(spec, header, sample, "/data/cars", None, facts)
        text = json.dumps(payload, ensure_ascii=False, default=str)
        key, doc = _keyed_doc(spec, header, sample, "/data/cars", None, facts)
        general_key, general_doc = _keyed_doc(spec, header, sample, "/data/cars", None, general)
        assert key == general_key == doc_store.content_key(CARS, text), sample.id
        assert doc == general_doc and vars(doc) == vars(general_doc)
        assert doc.payload() == json.loads(text)
    loop: list = []
    loop.append(loop)
    circular = Sample("d", 3, {}, {"answer": loop}, {}, (), ())
    for chosen in (facts, general):
        with pytest.raises(ValueError, match="Circular reference"):
            _keyed_doc(spec, header, circular, "/data/cars", None, chosen)


def test_docs_and_media_refs_made_at_once_equal_their_constructors() -> None:
    import dataclasses

    from lmms_general.dataset.models import MediaRef
    from lmms_general.protocol.doc import _media_ref, _new_doc

    ref = _media_ref("image", Path("/a.png"), "a.png", "input")
    assert ref == MediaRef("image", Path("/a.png"), "a.png", "input") and vars(ref) == vars(
        MediaRef("image", Path("/a.png"), "a.png", "input"))
    fields = {f.name: f"v{i}" for i, f in enumerate(dataclasses.fields(Doc))}
    made = _new_doc(fields)
    assert made == Doc(**fields) and vars(made) == vars(Doc(**fields)) and not hasattr(Doc, "__post_init__")


def test_a_tasks_key_hasher_gives_content_key() -> None:
    for text in ("", "plain", '{"a": "é\ud800"}', "x" * 5000):
        assert doc_store.content_hasher(CARS)(text) == doc_store.content_key(CARS, text)
    assert doc_store.content_hasher("other")("t") != doc_store.content_key(CARS, "t")
