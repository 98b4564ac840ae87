"""Bad input: every problem is reported with file and sample, the rest still loads, failures are counted."""

from __future__ import annotations

import io
import json
import os
import tarfile
import wave
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from lmms_general.cli import main as cli_main
from lmms_general.dataset import UnsafeArchiveError, index_root, load_task
from lmms_general.dataset.archives import unpack

from .conftest import write_task

BIRDS = Path("image") / "comprehension" / "BirdDetection"


def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (1, 2, 3)).save(path)


def _wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(8000)
        fh.writeframes(b"\0\0" * 80)


def test_malformed_json_is_a_task_error_and_other_tasks_load(tmp_path: Path) -> None:
    bad = tmp_path / "nlp" / "Causal-Reasoning" / "annotation.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"task": "Causal Reasoning", "data": [{"id": "1",]}')
    write_task(tmp_path / "nlp" / "Temporal-Reasoning", [{"id": "t1", "output": {"answer": "x"}}])
    index = index_root(tmp_path)
    broken = index.by_key("nlp_causal_reasoning")
    assert broken.samples == 0 and len(broken.errors) == 1
    assert str(bad) in broken.errors[0] and "malformed JSON (line 1" in broken.errors[0]
    assert index.by_key("nlp_temporal_reasoning").samples == 1
    data = load_task(tmp_path, "nlp_causal_reasoning")
    assert data.samples == [] and "malformed JSON" in data.errors[0]


def test_no_data_list_and_non_object_samples(tmp_path: Path) -> None:
    write_task(tmp_path / "nlp" / "Causal-Reasoning", [{"id": "1"}, "oops", {"id": "3"}])
    data = load_task(tmp_path, "nlp_causal_reasoning")
    assert [s.id for s in data.samples] == ["1", "sample1", "3"]
    assert data.samples[1].errors and "sample #1: not an object" in data.samples[1].errors[0]
    (tmp_path / "nlp" / "Causal-Reasoning" / "annotation.json").write_text('{"task": "x", "data": {}}')
    assert "no 'data' list" in load_task(tmp_path, "nlp_causal_reasoning").errors[0]
    assert "no 'data' list" in index_root(tmp_path, use_cache=False).by_key("nlp_causal_reasoning").errors[0]


def test_missing_media_keeps_the_sample(tmp_path: Path) -> None:
    task = tmp_path / BIRDS
    _png(task / "images" / "ok.png")
    ann = write_task(
        task,
        [
            {"id": "ok", "input": {"image_file": "ok.png"}, "output": {"text": {"bird": []}}},
            {"id": "gone", "input": {"image_file": "gone.png"}, "output": {"text": {"bird": []}}},
        ],
        name="bird_detection.json",
    )
    folder = index_root(tmp_path, check_samples=True).by_key("image_comp_bird_detection")
    assert (folder.samples, folder.media_missing, len(folder.errors)) == (2, 1, 1)
    unchecked = index_root(tmp_path).by_key("image_comp_bird_detection")  # a run's index reads the file only
    assert (unchecked.samples, unchecked.media_missing, unchecked.errors, unchecked.checked) == (2, 0, (), False)
    data = load_task(tmp_path, "image_comp_bird_detection")
    ok, gone = data.samples
    assert not ok.errors and ok.media[0].path.name == "ok.png"
    assert gone.media[0].path is None and gone.media[0].raw == "gone.png"
    assert str(ann) in gone.errors[0] and "'gone'" in gone.errors[0] and "missing media 'gone.png'" in gone.errors[0]


def test_corrupt_image_and_audio(tmp_path: Path) -> None:
    task = tmp_path / BIRDS
    _png(task / "images" / "ok.png")
    (task / "images" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    write_task(
        task,
        [{"id": "ok", "input": {"image_file": "ok.png"}}, {"id": "bad", "input": {"image_file": "bad.png"}}],
        name="bird_detection.json",
    )
    audio = tmp_path / "audio" / "comprehension" / "AccentClassification"
    _wav(audio / "audios" / "ok.wav")
    (audio / "audios" / "bad.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    write_task(
        audio,
        [{"id": "a1", "input": {"audio_file": "ok.wav"}}, {"id": "a2", "input": {"audio_file": "bad.wav"}}],
        name="accent_classification.json",
    )
    fast = load_task(tmp_path, "image_comp_bird_detection")  # default: stat only, no decoding on task load
    assert [s.errors for s in fast.samples] == [(), ()] and fast.samples[1].media[0].path.name == "bad.png"
    img = load_task(tmp_path, "image_comp_bird_detection", verify_media=True)
    assert not img.samples[0].errors
    assert "sample 'bad'" in img.samples[1].errors[0] and "corrupt image file bad.png" in img.samples[1].errors[0]
    snd = load_task(tmp_path, "audio_comp_accent_classification", verify_media=True)
    assert not snd.samples[0].errors
    assert "sample 'a2'" in snd.samples[1].errors[0] and "corrupt audio file bad.wav" in snd.samples[1].errors[0]
    assert len(img.errors) == 1 and len(snd.errors) == 1


def test_duplicate_ids(tmp_path: Path) -> None:
    ann = write_task(tmp_path / "nlp" / "Causal-Reasoning", [{"id": "x"}, {"id": "y"}, {"id": "x"}])
    data = load_task(tmp_path, "nlp_causal_reasoning")
    assert len(data.samples) == 3 and not data.samples[0].errors
    assert data.samples[2].errors == (f"{ann}: sample 'x': duplicate id (first used by sample #0)",)
    assert index_root(tmp_path, check_samples=True).by_key("nlp_causal_reasoning").errors == data.samples[2].errors


def _zip(path: Path, entries: dict[str, bytes], link: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, "/etc/passwd")


ANN = json.dumps({"task": "AnimalVOS", "data": [{"id": "v1"}]}).encode()


@pytest.mark.parametrize("entry", ["../escape.txt", "/abs/escape.txt", "sub/../../escape.txt"])
def test_zip_entries_may_not_escape(tmp_path: Path, entry: str) -> None:
    root = tmp_path / "tree"
    _zip(root / "video" / "comprehension" / "AnimalVOS.zip", {"annotation.json": ANN, entry: b"x"})
    write_task(root / "video" / "comprehension" / "AgricultureVideoQuestionAnswering", [{"id": "a"}])
    index = index_root(root)
    vos = next(t for t in index.tasks if t.name == "AnimalVOS")
    assert vos.samples == 0 and "would escape the target folder" in vos.errors[0] and "AnimalVOS.zip" in vos.errors[0]
    assert index.by_key("video_comp_agriculture_video_question_answering").samples == 1
    assert not list(tmp_path.rglob("escape.txt"))


def test_zip_symlink_entries_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "AnimalVOS.zip"
    _zip(archive, {"annotation.json": ANN}, link="JPEGImages")
    with pytest.raises(UnsafeArchiveError, match="link or special file"):
        unpack(archive)


def _targz(path: Path, members: list[tarfile.TarInfo], payload: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tf:
        for info in members:
            data = payload.get(info.name)
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)


def test_tar_links_and_escapes_are_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("pointclouds")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc"
    hard = tarfile.TarInfo("hard")
    hard.type, hard.linkname = tarfile.LNKTYPE, "annotation.json"
    for n, bad in enumerate((link, hard, tarfile.TarInfo("../up.txt"))):
        archive = tmp_path / f"t{n}" / "3D" / "comprehension" / "3d_classification" / "open.tar.gz"
        _targz(archive, [tarfile.TarInfo("annotation.json"), bad], {"annotation.json": ANN, "../up.txt": b"x"})
        task = index_root(tmp_path / f"t{n}").tasks[0]
        assert task.samples == 0 and "open.tar.gz" in task.errors[0]
        assert "link or special file" in task.errors[0] or "escape" in task.errors[0]
    assert not list(tmp_path.rglob("up.txt"))


def test_corrupt_archive_is_reported(tmp_path: Path) -> None:
    archive = tmp_path / "video" / "comprehension" / "AnimalVOS.zip"
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"not a zip")
    task = index_root(tmp_path).tasks[0]
    assert "cannot unpack task archive" in task.errors[0]


def test_media_outside_the_task_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    _png(secret)
    task = tmp_path / "tree" / BIRDS
    (task / "images").mkdir(parents=True)
    os.symlink(secret, task / "images" / "link.png")
    os.symlink(tmp_path, task / "images" / "up")
    _png(task / "images" / "ok.png")
    (task / "images" / "inside.png").symlink_to(task / "images" / "ok.png")
    write_task(
        task,
        [
            {"id": "link", "input": {"image_file": "link.png"}},
            {"id": "dotdot", "input": {"image_file": "../../../../secret.png"}},
            {"id": "abs", "input": {"image_file": str(secret)}},
            {"id": "dirlink", "input": {"image_file": "up/secret.png"}},
            {"id": "inside", "input": {"image_file": "inside.png"}},
        ],
        name="bird_detection.json",
    )
    data = load_task(tmp_path / "tree", "image_comp_bird_detection")
    by_id = {s.id: s for s in data.samples}
    for sid in ("link", "dotdot", "abs", "dirlink"):
        sample = by_id[sid]
        assert sample.media[0].path is None, sid
        assert f"sample {sid!r}: refused media" in sample.errors[0], sid
    assert by_id["inside"].media[0].path == (task / "images" / "ok.png").resolve() and not by_id["inside"].errors
    assert index_root(tmp_path / "tree", check_samples=True).by_key("image_comp_bird_detection").media_missing == 4


def test_validate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_task(tmp_path / "nlp" / "Causal-Reasoning", [{"id": "x"}, {"id": "x"}])
    write_task(tmp_path / "nlp" / "Dialogue-Relation-Extraction", [{"id": "d"}])
    out = tmp_path / "report" / "index.json"
    assert cli_main(["validate", "--root", str(tmp_path), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["root"] == str(tmp_path.resolve())
    causal, dre = report["tasks"]
    assert set(causal) == {
        "modality",
        "paradigm",
        "folder",
        "annotation_file",
        "task_name",
        "registry_key",
        "samples",
        "media_missing",
        "errors",
    }
    assert causal["registry_key"] == "nlp_causal_reasoning" and causal["samples"] == 2 and len(causal["errors"]) == 1
    assert dre["registry_key"] is None
    assert "nlp_causal_reasoning" not in report["unmatched_registry_keys"]
    assert len(report["unmatched_registry_keys"]) == 698
    printed = capsys.readouterr().out
    assert "duplicate id" in printed and "2 task folders, 1 matched" in printed
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli_main(["validate", "--root", str(empty)]) == 2
    assert "not a General-Bench tree" in capsys.readouterr().err
