"""Archive unpacking: concurrent processes, stale partial folders, size limits, Windows entry names."""

from __future__ import annotations

import json
import multiprocessing
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lmms_general.dataset import index_root, load_task
from lmms_general.dataset.archives import PARTIAL, clean_stale_partials, unpack, unpack_dir
from lmms_general.dataset.errors import UnsafeArchiveError
from lmms_general.dataset.limits import LimitExceededError

FILES = 1500
ANN = json.dumps({"task": "AnimalVOS", "data": [{"id": f"v{i}"} for i in range(3)]}).encode()


def _zip(path: Path, entries: dict[str, bytes], *, compression: int = zipfile.ZIP_STORED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return path


def _big_archive(path: Path) -> Path:
    entries = {"annotation.json": ANN}
    entries.update({f"JPEGImages/v{i % 7}/{i:05d}.jpg": bytes([i % 251]) * 256 for i in range(FILES)})
    return _zip(path, entries)


def _worker(archive: str, cache: str, barrier: Any, queue: Any) -> None:
    import os

    os.environ["LMMS_GENERAL_CACHE"] = cache
    try:
        barrier.wait(timeout=60)
        folder = unpack(Path(archive))
        seen = set()
        start = time.monotonic()
        while time.monotonic() - start < 1.5:  # the folder must stay complete while the others finish
            seen.add(sum(1 for p in folder.rglob("*.jpg")))
        queue.put((str(folder), sorted(seen), (folder / "annotation.json").is_file()))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(exc), False))


def test_four_processes_unpack_the_same_archive(tmp_path: Path, isolated_cache: Path) -> None:
    archive = _big_archive(tmp_path / "AnimalVOS.zip")
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(archive), str(isolated_cache), barrier, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(r[0] != "error" for r in results), results
    assert {r[0] for r in results} == {str(unpack_dir(archive))}
    for _folder, seen, has_annotation in results:
        assert seen == [FILES] and has_annotation  # the unlocked version saw e.g. [212, 772, 1088, 1500]
    parent = unpack_dir(archive).parent
    assert not [p for p in parent.iterdir() if p.name.startswith(PARTIAL)]
    assert sum(1 for _ in unpack_dir(archive).rglob("*.jpg")) == FILES


def test_stale_partial_folders_are_removed(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "AnimalVOS.zip", {"annotation.json": ANN})
    target = unpack_dir(archive)
    target.parent.mkdir(parents=True)
    mine = target.parent / f"{PARTIAL}{target.name}.abc123xy"
    other = target.parent / f"{PARTIAL}deadbeef-1-2.zz99yy88"
    for folder in (mine, other):
        (folder / "JPEGImages").mkdir(parents=True)
        (folder / "JPEGImages" / "half.jpg").write_bytes(b"x")
    folder = unpack(archive)
    assert (folder / "annotation.json").is_file()
    assert not mine.exists() and not other.exists()
    assert clean_stale_partials(target.parent) == []


def test_unpacked_size_limit_names_its_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _zip(tmp_path / "AnimalVOS.zip", {"annotation.json": ANN, "big.bin": b"\0" * 5000})
    monkeypatch.setenv("LMMS_GENERAL_MAX_UNPACKED_BYTES", "4000")
    with pytest.raises(LimitExceededError, match="LMMS_GENERAL_MAX_UNPACKED_BYTES") as info:
        unpack(archive)
    assert str(archive) in str(info.value)
    assert not unpack_dir(archive).exists()
    monkeypatch.setenv("LMMS_GENERAL_MAX_UNPACKED_BYTES", "0")  # 0 = no limit
    assert (unpack(archive) / "big.bin").stat().st_size == 5000


def test_entry_count_and_ratio_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _zip(tmp_path / "AnimalVOS.zip", {"annotation.json": ANN, "a": b"1", "b": b"2"})
    monkeypatch.setenv("LMMS_GENERAL_MAX_ARCHIVE_ENTRIES", "2")
    with pytest.raises(LimitExceededError, match="LMMS_GENERAL_MAX_ARCHIVE_ENTRIES"):
        unpack(archive)
    monkeypatch.delenv("LMMS_GENERAL_MAX_ARCHIVE_ENTRIES")
    bomb = _zip(tmp_path / "bomb" / "Bomb.zip", {"zeros.bin": b"\0" * 2_000_000}, compression=zipfile.ZIP_DEFLATED)
    monkeypatch.setattr("lmms_general.dataset.archives.RATIO_FLOOR_BYTES", 1000)
    with pytest.raises(LimitExceededError, match="LMMS_GENERAL_MAX_COMPRESSION_RATIO"):
        unpack(bomb)


def test_archive_limit_is_a_task_error_in_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _zip(tmp_path / "video" / "comprehension" / "AnimalVOS.zip", {"annotation.json": ANN, "x.bin": b"\0" * 5000})
    monkeypatch.setenv("LMMS_GENERAL_MAX_UNPACKED_BYTES", "1000")
    task = index_root(tmp_path).tasks[0]
    assert task.samples == 0 and "LMMS_GENERAL_MAX_UNPACKED_BYTES" in task.errors[0]


def test_windows_backslash_entries_unpack_into_folders(tmp_path: Path) -> None:
    png = (Path(__file__).parents[2] / "lmms_general" / "sample_data").rglob("*.png").__next__().read_bytes()
    ann = json.dumps({"task": "AnimalVOS", "data": [{"id": "v1", "input": {"image_file": "v1\\00000.png"}}]})
    _zip(
        tmp_path / "video" / "comprehension" / "AnimalVOS.zip",
        {"json\\annotation.json": ann.encode(), "images\\v1\\00000.png": png},
    )
    folder = unpack(tmp_path / "video" / "comprehension" / "AnimalVOS.zip")
    assert (folder / "images" / "v1" / "00000.png").is_file() and (folder / "json" / "annotation.json").is_file()
    data = load_task(tmp_path, "video_comp_animal_video_object_segmentation")
    assert data.samples[0].media[0].path == (folder / "images" / "v1" / "00000.png").resolve()
    assert not data.errors


@pytest.mark.parametrize("entry", ["..\\escape.txt", "sub\\..\\..\\escape.txt", "C:\\escape.txt", "\\abs.txt"])
def test_backslash_escapes_are_refused(tmp_path: Path, entry: str) -> None:
    archive = _zip(tmp_path / "AnimalVOS.zip", {"annotation.json": ANN, entry: b"x"})
    with pytest.raises(UnsafeArchiveError, match="would escape"):
        unpack(archive)
    assert not list(tmp_path.rglob("*escape.txt")) and not list(tmp_path.rglob("abs.txt"))
