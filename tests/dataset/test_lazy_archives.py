"""Archived tasks are indexed without unpacking; loading a task unpacks its own archive only.

The lazy index must agree with what the unpacked folder gives: the same folder, annotation, sample count,
missing media and errors. Unsafe archives are refused at indexing time, as they are when unpacking.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

import lmms_general.dataset.archives as archives
from lmms_general.dataset import index_root, load_task, read_task
from lmms_general.dataset.archive_listing import list_archive, read_member
from lmms_general.dataset.errors import UnsafeArchiveError
from tests.dataset.conftest import OPENSET


def _unpacked(cache: Path) -> list[Path]:
    folder = cache / "unpacked"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return path


def _tar(path: Path, entries: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tf:
        for name, content in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tf.addfile(info, io.BytesIO(content))
    return path


def _annotation(records: list[dict], **header: str) -> bytes:
    return json.dumps({"task": "t", **header, "data": records}).encode()


def test_indexing_the_sample_tree_unpacks_nothing(isolated_cache: Path) -> None:
    index = index_root(OPENSET)
    archived = [t for t in index.tasks if t.source and (t.source.is_file() or (t.source / "open.tar.gz").is_file())]
    assert len(archived) == 4  # two zips, two open.tar.gz
    assert _unpacked(isolated_cache) == []
    assert all(t.samples > 0 and t.registry_key for t in archived), [(t.name, t.samples) for t in archived]


def test_loading_one_task_unpacks_only_its_archive(isolated_cache: Path) -> None:
    index = index_root(OPENSET)
    zipped = next(t for t in index.tasks if t.source and t.source.suffix == ".zip")
    data = load_task(OPENSET, zipped.registry_key)
    assert len(_unpacked(isolated_cache)) == 1
    assert data.samples and data.folder.folder.is_dir()
    assert data.folder.annotation_file is not None and data.folder.annotation_file.is_file()


def test_lazy_index_agrees_with_the_unpacked_folder(isolated_cache: Path) -> None:
    index = index_root(OPENSET, check_samples=True)
    archived = [t for t in index.tasks if t.source and (t.source.is_file() or (t.source / "open.tar.gz").is_file())]
    for task in archived:
        data = read_task(task, verify_media=False)
        assert data.folder.folder == task.folder, task.name  # the folder the index predicted
        assert data.folder.annotation_file == task.annotation_file, task.name
        assert len(data.samples) == task.samples, task.name
        missing = sum("missing media" in e for s in data.samples for e in s.errors)
        assert missing == task.media_missing, task.name
    # a second index (disk cache, now with the archives unpacked) gives the same rows
    from lmms_general.dataset import clear_process_cache

    clear_process_cache()
    again = index_root(OPENSET, check_samples=True)
    assert [(t.name, t.folder, t.samples, t.errors) for t in again.tasks] == [
        (t.name, t.folder, t.samples, t.errors) for t in index.tasks
    ]


@pytest.mark.parametrize("pack", [_zip, _tar])
def test_wrapped_archive_with_missing_media(tmp_path: Path, isolated_cache: Path, pack) -> None:
    records = [{"id": "a", "input": {"image_file": "a.png"}, "output": {"answer": "x"}},
               {"id": "b", "input": {"image_file": "gone.png"}, "output": {"answer": "y"}}]
    entries = {"Wrap/json/annotation.json": _annotation(records), "Wrap/images/a.png": b"png"}
    if pack is _zip:
        archive = _zip(tmp_path / "root" / "image" / "comprehension" / "Wrapped.zip", entries)
    else:
        archive = _tar(tmp_path / "root" / "image" / "comprehension" / "Wrapped" / "open.tar.gz", entries)
    index = index_root(tmp_path / "root", check_samples=True)
    (task,) = index.tasks
    assert _unpacked(isolated_cache) == []
    assert task.samples == 2 and task.media_missing == 1
    assert task.folder.name == "Wrap" and task.annotation_file == task.folder / "json" / "annotation.json"
    (error,) = task.errors
    assert "missing media 'gone.png'" in error and f"{archive}!/Wrap/json/annotation.json" in error
    data = read_task(task, verify_media=False)
    assert data.folder.folder == task.folder and (task.folder / "images" / "a.png").read_bytes() == b"png"
    assert data.samples[0].media[0].path == task.folder / "images" / "a.png"


def test_bad_annotation_inside_an_archive_names_the_member(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "root" / "nlp" / "Broken.zip", {"annotation.json": b"{not json"})
    (task,) = index_root(tmp_path / "root").tasks
    assert task.samples == 0
    assert any(f"{archive}!/annotation.json: malformed JSON" in e for e in task.errors), task.errors


@pytest.mark.parametrize("entry", ["../escape.json", "/abs.json", "a\\..\\..\\b.json"])
def test_unsafe_archive_is_refused_at_indexing(tmp_path: Path, isolated_cache: Path, entry: str) -> None:
    _zip(tmp_path / "root" / "nlp" / "Evil.zip", {"annotation.json": _annotation([]), entry: b"x"})
    (task,) = index_root(tmp_path / "root").tasks
    assert task.samples == 0 and any("escape the target folder" in e for e in task.errors), task.errors
    assert _unpacked(isolated_cache) == []


def test_tar_symlink_is_refused_by_listing(tmp_path: Path) -> None:
    archive = tmp_path / "open.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        link = tarfile.TarInfo("images/link.png")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    with pytest.raises(UnsafeArchiveError, match="link or special file"):
        list_archive(archive)


def test_listing_and_member_reading(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"T/annotation.json": b"{}", "T/images/x/1.png": b"1", "T\\win\\2.png": b"2"})
    listing = list_archive(archive)
    assert listing.content_root() == ("T",)
    assert listing.children(("T",)) == {"annotation.json": False, "images": True, "win": True}
    assert read_member(archive, ("T", "win", "2.png")) == b"2"
    with pytest.raises(KeyError, match="no such file"):
        read_member(archive, ("T", "nope.json"))


def test_changed_archive_is_reindexed(tmp_path: Path, isolated_cache: Path) -> None:
    path = tmp_path / "root" / "nlp" / "Grow.zip"
    _zip(path, {"annotation.json": _annotation([{"id": "1", "output": {"answer": "A"}}])})
    assert index_root(tmp_path / "root", use_cache=False).tasks[0].samples == 1
    _zip(path, {"annotation.json": _annotation([{"id": str(i), "output": {"answer": "A"}} for i in range(3)])})
    from lmms_general.dataset import clear_process_cache

    clear_process_cache()
    assert index_root(tmp_path / "root").tasks[0].samples == 3


def test_unpacking_reports_bytes_to_a_progress_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, str, list[int]]] = []

    class Bar:
        def __init__(self, total: int, archive: Path) -> None:
            self.record = (total, archive.name, [])
            seen.append(self.record)

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def update(self, n: int) -> None:
            self.record[2].append(n)

    monkeypatch.setattr(archives, "progress_bar", Bar)
    for pack, name in ((_zip, "t.zip"), (_tar, "open.tar.gz")):
        archive = pack(tmp_path / name, {"annotation.json": b"{}" * 10, "images/a.png": b"x" * 1000})
        archives.unpack(archive)
    assert [(total, name, sum(updates)) for total, name, updates in seen] == [
        (1020, "t.zip", 1020), (1020, "open.tar.gz", 1020)
    ]


def test_tar_listing_keeps_annotation_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _tar(tmp_path / "open.tar.gz", {"W/json/annotation.json": b'{"data": []}', "W/images/a.png": b"x"})
    listing = list_archive(archive)
    assert listing.json_bytes == {("W", "json", "annotation.json"): b'{"data": []}'}
    monkeypatch.setattr(tarfile, "open", lambda *a, **k: pytest.fail("a second pass over the tar"))
    assert read_member(archive, ("W", "json", "annotation.json"), listing) == b'{"data": []}'


def test_an_nlp_run_unpacks_nothing_and_a_video_run_one_archive(isolated_cache: Path) -> None:
    """What lmms-eval calls per task (the process_docs loader): only the requested task's archive is unpacked."""
    from lmms_general.hooks.docs import build_docs
    from lmms_general.protocol import doc_of

    index = index_root(OPENSET)
    nlp = next(t.registry_key for t in index.tasks if t.modality == "nlp" and t.registry_key)
    assert build_docs(nlp, OPENSET) and _unpacked(isolated_cache) == []
    zipped = next(t for t in index.tasks if t.source and t.source.suffix == ".zip")
    rows = build_docs(zipped.registry_key, OPENSET)
    assert len(rows) == zipped.samples and len(_unpacked(isolated_cache)) == 1
    assert all(doc_of(r).task_dir == str(zipped.folder) for r in rows)
