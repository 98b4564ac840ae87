"""The on-disk index cache is used only when it matches: schema version, content fingerprint, shape."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lmms_general.dataset import clear_process_cache, index_root
from lmms_general.dataset import index as index_module

from .conftest import write_task

TASK = Path("nlp") / "Causal-Reasoning"
KEY = "nlp_causal_reasoning"


def _samples(n: int, answer: str = "x") -> list[dict]:
    return [{"id": f"s{i}", "input": {"question": "q?"}, "output": {"answer": answer}} for i in range(n)]


def _reindex(root: Path):
    clear_process_cache()
    return index_root(root).by_key(KEY)


def _cache_file(cache: Path) -> Path:
    (path,) = (cache / "index").glob("*.json")
    return path


def test_warm_index_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_task(tmp_path / TASK, _samples(3))
    assert _reindex(tmp_path).samples == 3

    def no_parse(*args, **kwargs):
        raise AssertionError("a matching cache must not re-parse the annotation")

    monkeypatch.setattr(index_module, "parse_task", no_parse)
    assert _reindex(tmp_path).samples == 3


def test_same_size_same_mtime_edit_is_caught(tmp_path: Path) -> None:
    path = write_task(tmp_path / TASK, _samples(3), task="Causal Reasoning")
    assert _reindex(tmp_path).task_name == "Causal Reasoning"
    before = os.stat(path)
    text = path.read_text()
    edited = text.replace("Causal Reasoning", "Causal-Reasoning")  # same length, different bytes
    assert len(edited) == len(text) and edited != text
    with path.open("r+") as handle:  # in place: same inode
        handle.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    for folder in (path.parent, path.parent.parent):
        st = os.stat(folder)
        os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert _reindex(tmp_path).task_name == "Causal-Reasoning"


def test_edit_in_the_middle_of_a_large_file_changes_size_or_edges(tmp_path: Path) -> None:
    path = write_task(tmp_path / TASK, _samples(4000))
    assert path.stat().st_size > 128 * 1024  # larger than any "first and last block" fingerprint would read
    assert _reindex(tmp_path).samples == 4000
    write_task(tmp_path / TASK, _samples(3999))
    assert _reindex(tmp_path).samples == 3999


@pytest.mark.parametrize("content", [
    "[]", "null", "{not json", '{"version": 2}', '"text"',
    '{"version": 2, "root": "ROOT", "tasks": []}',
    '{"version": 2, "root": "ROOT", "tasks": {"SRC": 5}}',
    '{"version": 2, "root": "ROOT", "tasks": {"SRC": {"sig": "x", "folder": 1}}}',
    '{"version": 2, "root": "ROOT", "tasks": {"SRC": {"sig": [], "folder": "F", "annotation_file": null, '
    '"task_name": null, "samples": "3", "media_missing": 0, "errors": []}}}',
    '{"version": 1, "root": "ROOT", "tasks": {}}',
])
def test_wrong_shape_or_old_cache_is_rebuilt(tmp_path: Path, isolated_cache: Path, content: str) -> None:
    root = tmp_path / "tree"
    write_task(root / TASK, _samples(2))
    assert _reindex(root).samples == 2
    cache = _cache_file(isolated_cache)
    source = str((root / TASK).resolve())
    cache.write_text(content.replace("ROOT", str(root.resolve()).replace("\\", "\\\\")).replace("SRC", source)
                     .replace('"F"', json.dumps(source)))
    folder = _reindex(root)
    assert folder.samples == 2 and folder.errors == ()
    assert json.loads(cache.read_text())["version"] == index_module._CACHE_VERSION  # rewritten


def test_a_tampered_cache_entry_with_a_stale_fingerprint_is_not_trusted(tmp_path: Path, isolated_cache: Path) -> None:
    root = tmp_path / "tree"
    write_task(root / TASK, _samples(2))
    _reindex(root)
    cache = _cache_file(isolated_cache)
    doc = json.loads(cache.read_text())
    (entry,) = doc["tasks"].values()
    entry["samples"] = 99
    entry["sig"][1][3] = "0" * 32  # the content hash no longer matches the file
    cache.write_text(json.dumps(doc))
    assert _reindex(root).samples == 2
