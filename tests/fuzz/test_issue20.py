"""Issue 20's attacks as regression tests: one bad file costs one sample (or one task), never a run; nothing is
lost silently or blamed on the model."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmms_general.dataset import clear_process_cache, index_root, jsonsafe, load_task
from lmms_general.dataset.annotations import AnnotationError, read_annotation
from lmms_general.dataset.predictions import PredictionFileError, read_predictions
from lmms_general.dataset.samples import coerce_options
from lmms_general.hooks.docs import make_process_docs
from lmms_general.protocol.scoring import task_score
from lmms_general.task_failures import TaskDataFailure
from model_adapters.media_output import MAX_NAME_CHARS, MediaWriter, safe_id
from tests.fixtures.isolation import isolate_general_bench
from tests.ux.test_task_isolation import OPENSET, VIDEO, flip_member_byte, rewrite_member

CAUSAL = Path("nlp") / "Causal-Reasoning"
MCQ = {"task": "Causal Reasoning", "type": "MultipleChoiceQA"}
VOS = "video_comp_automobile_video_object_segmentation"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from isolate_general_bench(tmp_path, monkeypatch)


def _annotation(root: Path, text: str) -> Path:
    path = root / CAUSAL / "annotation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_top_level_data_key_is_an_error_naming_key_and_file(tmp_path: Path) -> None:
    path = _annotation(tmp_path, '{"task": "x", "data": [{"id": "lost"}], "data": [{"id": "kept"}]}')
    with pytest.raises(AnnotationError, match="duplicate top-level key 'data'") as info:
        read_annotation(path)
    assert str(path) in str(info.value)
    folder = index_root(tmp_path, use_cache=False).by_key("nlp_causal_reasoning")
    assert folder.samples == 0 and "duplicate top-level key 'data'" in folder.errors[0]


def test_duplicate_key_inside_a_record_fails_that_sample_only(tmp_path: Path) -> None:
    ok = {"id": "ok", "input": {"question": "q", "options": ["a", "b"]}, "output": {"answer": "A"}}
    text = json.dumps({**MCQ, "data": [ok]})[:-2] + (
        ', {"id": "dup", "input": {"question": "q", "question": "r", "options": ["a", "b"]},'
        ' "output": {"answer": "A"}}]}')
    path = _annotation(tmp_path, text)
    data = load_task(tmp_path, "nlp_causal_reasoning")
    assert [s.id for s in data.samples] == ["ok", "dup"]
    assert data.samples[0].errors == ()
    [error] = data.samples[1].errors
    assert str(path) in error and "duplicate key 'question'" in error


def test_deep_document_with_duplicate_top_level_key_is_still_caught() -> None:
    raw = ('{"data": [], "data": [' + "[" * 100000 + "]" * 100000 + "]}").encode()
    doc, _ = jsonsafe.loads(raw)
    assert isinstance(doc, jsonsafe.DuplicateKeyDict) and doc.duplicates == ("data",)


@pytest.mark.parametrize(("options", "expected", "problem"), [
    ({"B": "y", "A": "x"}, ["x", "y"], ""),
    ({"a": "x", "b": "y", "c": "z"}, ["x", "y", "z"], ""),
    ({"one": "x", "two": "y"}, ["x", "y"], ""),
    ({"A": "x", "C": "z"}, None, "not consecutive from A"),
    ("A. x B. y", None, "input.options is str"),
    (3, None, "input.options is int"),
])
def test_non_list_options_are_coerced_or_errors(options, expected, problem) -> None:  # noqa: ANN001
    record, error = coerce_options({"id": "s", "input": {"question": "q", "options": options}})
    assert record["input"].get("options") == expected
    assert (problem in error) if problem else error == ""


def _vos_items(root: Path, bad: object) -> list[dict]:
    """The two segmentation samples scored with their own references, one of them replaced by ``bad``."""
    from lmms_general.hooks import process_results
    from lmms_general.hooks.docs import build_docs

    archive = root / VIDEO / "AutomobileVideoObjectSegmentation.zip"

    def edit(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["data"][1]["output"]["0"]["mask"] = bad
        return json.dumps(doc).encode()

    rewrite_member(archive, "annotation.json", edit)
    docs = build_docs(VOS, root)
    assert len(docs) == 2
    return [process_results(d, ["[GENERATION_FAILED] model never ran"])["score"] for d in docs]


@pytest.mark.parametrize("bad", [5, "mask", [1, 2]])
def test_malformed_reference_fails_its_sample_never_the_task_or_the_model(tmp_path: Path, bad: object) -> None:
    root = tmp_path / "gb"
    shutil.copytree(OPENSET / VIDEO, root / VIDEO)
    items = _vos_items(root, bad)
    result = task_score(items, VOS)
    assert result.score is not None, result.error  # scored over the sample with a readable reference
    assert result.n_bad_reference == 1 and result.n_failed == 1 and result.n_scored == 1
    assert items[1]["status"] == "bad_reference" and "reference" in items[1]["error"]
    assert items[0]["status"] == "failed"  # the model's own failure stays the model's
    assert "AutomobileVideoObjectSegmentation_002" in result.error


def test_long_or_unsafe_ids_become_short_distinct_file_names(tmp_path: Path) -> None:
    long_id = "x" * 300
    assert len(safe_id(long_id)) <= MAX_NAME_CHARS and safe_id(long_id) != safe_id("x" * 301)
    assert safe_id("a/b") != safe_id("a_b") and safe_id("plain_id-1.2") == "plain_id-1.2"
    path = Path(MediaWriter(tmp_path, "task", long_id).image(np.zeros((4, 4, 3), dtype=np.uint8)))
    assert path.is_file() and len(path.name) < 120  # no "File name too long" blamed on the model


@given(st.text(min_size=1, max_size=400))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_safe_id_is_always_a_short_safe_name(value: str) -> None:
    name = safe_id(value)
    assert 0 < len(name) <= MAX_NAME_CHARS and "/" not in name and name not in (".", "..")


def test_corrupt_archive_member_fails_its_sample_not_the_task(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from lmms_general.cli import main as cli_main

    root = tmp_path / "gb"
    shutil.copytree(OPENSET / VIDEO, root / VIDEO)
    flip_member_byte(root / VIDEO / "AnimalVOS.zip", "JPEGImages/v1/00000.jpg")
    named = "AnimalVOS.zip!/JPEGImages/v1/00000.jpg: unreadable archive member (BadZipFile: Bad CRC-32"
    cli_main(["validate", "--root", str(root), "--no-cache", "--deep"])
    assert named in capsys.readouterr().out  # validate --deep finds it (it said 0 errors before)
    data = load_task(root, "video_comp_animal_video_object_segmentation")
    assert len(data.samples) == 2 and data.samples[1].errors == ()
    [error] = data.samples[0].errors
    assert named in error


def test_unbuildable_task_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tenacity import retry, stop_after_attempt

    _annotation(tmp_path, '{"task": "x", "data": [{"id": ')
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(tmp_path))
    calls: list[int] = []

    @retry(stop=stop_after_attempt(5))
    def download() -> None:  # what lmms-eval's Task.download does around process_docs
        calls.append(1)
        make_process_docs("nlp_causal_reasoning")(None)

    with pytest.raises(TaskDataFailure) as info:
        download()
    assert calls == [1] and "malformed JSON" in info.value.cause and str(tmp_path) in info.value.cause


def test_deeply_nested_prediction_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "prediction.json"
    path.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    with pytest.raises(PredictionFileError, match="nested too deeply") as info:
        read_predictions(path)
    assert str(path) in str(info.value)


def test_duplicate_key_in_a_prediction_record_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "prediction.json"
    path.write_text('[{"id": "1", "prediction": "A", "prediction": "B"}]', encoding="utf-8")
    with pytest.raises(PredictionFileError, match="duplicate key 'prediction'"):
        read_predictions(path)


def _zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    import warnings
    import zipfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on a duplicate name: exactly the attack
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return path


def _tar(path: Path, entries: list[tuple[str, bytes | None]]) -> Path:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tf:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


ANN = json.dumps({"task": "x", "data": [{"id": "1"}]}).encode()


@pytest.mark.parametrize(("make", "entries", "why"), [
    (_zip, [("annotation.json", ANN), ("annotation.json", b'{"data": []}')], "appears twice"),
    (_zip, [("a", b"file"), ("a/b.jpg", b"x"), ("annotation.json", ANN)], "is a file, but other entries"),
    (_zip, [("a/", b""), ("a", b"file"), ("annotation.json", ANN)], "a file and a folder of the same name"),
    (_zip, [("x" * 300 + ".jpg", b"x"), ("annotation.json", ANN)], "too long"),
    (_tar, [("a", b"file"), ("a", None), ("annotation.json", ANN)], "a folder and a file of the same name"),
])
def test_ambiguous_archives_are_index_time_errors(tmp_path: Path, make, entries, why) -> None:  # noqa: ANN001
    from lmms_general.dataset.archive_listing import list_archive
    from lmms_general.dataset.archives import unpack
    from lmms_general.dataset.errors import UnsafeArchiveError

    archive = make(tmp_path / ("t.zip" if make is _zip else "t.tar.gz"), entries)
    with pytest.raises(UnsafeArchiveError, match=why) as info:
        list_archive(archive)
    assert str(archive) in str(info.value)
    with pytest.raises(UnsafeArchiveError, match=why):
        unpack(archive)


def test_mid_file_annotation_edit_with_same_size_and_mtime_is_noticed(tmp_path: Path) -> None:
    import os

    records = [{"id": f"s{i:04d}", "input": {"question": "q" * 50, "options": ["a", "b"]},
                "output": {"answer": "A"}} for i in range(2000)]
    path = _annotation(tmp_path, json.dumps({**MCQ, "data": records}))
    st = path.stat()
    assert not index_root(tmp_path, check_samples=True).by_key("nlp_causal_reasoning").errors
    raw = bytearray(path.read_bytes())
    middle = raw.index(b'"s1000"')
    raw[middle:middle + 7] = b'"s0999"'  # a duplicate id in the middle, same length
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    clear_process_cache()
    folder = index_root(tmp_path, check_samples=True).by_key("nlp_causal_reasoning")  # the disk cache is checked
    assert any("duplicate id" in e and "s0999" in e for e in folder.errors)


def test_archive_replaced_with_same_size_and_mtime_serves_the_new_samples(tmp_path: Path) -> None:
    import os

    root = tmp_path / "gb"
    shutil.copytree(OPENSET / VIDEO, root / VIDEO)
    archive = root / VIDEO / "AnimalVOS.zip"
    key = "video_comp_animal_video_object_segmentation"
    assert [s.id for s in load_task(root, key).samples] == ["AnimalVOS_001", "AnimalVOS_002"]
    st = archive.stat()
    rewrite_member(archive, "annotation.json", lambda data: data.replace(b"AnimalVOS_002", b"AnimalVOS_009"))
    assert archive.stat().st_size == st.st_size
    os.utime(archive, ns=(st.st_atime_ns, st.st_mtime_ns))
    clear_process_cache()
    assert [s.id for s in load_task(root, key).samples] == ["AnimalVOS_001", "AnimalVOS_009"]


def test_all_references_malformed_is_not_reported_as_the_closeset(tmp_path: Path) -> None:
    from lmms_general.results.task_stats import read_task_stats

    log = tmp_path / "samples.jsonl"
    item = {"id": "s", "key": VOS, "reference": None, "status": "bad_reference", "error": "reference unusable"}
    log.write_text("\n".join(json.dumps({"doc_id": n, "score": {**item, "id": f"s{n}"}}) for n in range(3)) + "\n")
    stats = read_task_stats(log)
    assert stats.count("bad_reference") == 3 and stats.count("ok") == 0 and not stats.answerless


@pytest.mark.parametrize("size_delta", [-10, 10_000])
def test_lying_size_field_fails_its_sample_not_the_task(tmp_path: Path, size_delta: int) -> None:
    root = tmp_path / "gb"
    shutil.copytree(OPENSET / VIDEO, root / VIDEO)
    archive = root / VIDEO / "AnimalVOS.zip"
    raw = bytearray(archive.read_bytes())
    entry = raw.index(b"PK\x01\x02")  # the first central directory entry
    name = b"JPEGImages/v2/00000.jpg"
    while raw[entry + 46: entry + 46 + len(name)] != name:
        entry = raw.index(b"PK\x01\x02", entry + 4)
    size = int.from_bytes(raw[entry + 24: entry + 28], "little")
    raw[entry + 24: entry + 28] = (size + size_delta).to_bytes(4, "little")  # the directory lies about the size
    archive.write_bytes(bytes(raw))
    data = load_task(root, "video_comp_animal_video_object_segmentation")
    assert len(data.samples) == 2 and data.samples[0].errors == ()
    frame = data.samples[1].media[0].path / "00000.jpg"
    with zipfile.ZipFile(OPENSET / VIDEO / "AnimalVOS.zip") as zf:
        original = zf.read(name.decode())
    if data.samples[1].errors:  # a size that cuts the data: the member fails its check, named
        [error] = data.samples[1].errors
        assert "AnimalVOS.zip!/JPEGImages/v2/00000.jpg: unreadable archive member" in error
    else:  # a size past the stored data: zipfile stops at the data's end and its CRC matches: nothing lost
        assert frame.read_bytes() == original
    assert bool(data.samples[1].errors) == (size_delta < 0)
