"""One bad task never takes the others down (issue 20, item 1).

A copy of the sample tree with three problems: a corrupt archive member (a flipped byte in one stored JPEG of
``AnimalVOS.zip``), a truncated annotation (Agriculture VQA) and a malformed reference (a mask given as ``5`` in
one of ``AutomobileVideoObjectSegmentation.zip``'s two samples). A group run and a named-task run through our
wrapper (``python -m lmms_general.lmms_run``) write results for every other task, name each problem once and
exit non-zero. The plain ``lmms-eval`` console script leaves the same task out with the same error line, writes the
other task's results and exits 3 too (``python -m lmms_eval``'s route: ``tests/ux/test_exit_status.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OPENSET = REPO / "lmms_general" / "sample_data" / "General-Bench-Openset"
VIDEO = Path("video") / "comprehension"
TRUNCATED = "general_bench_video_comp_agriculture_video_question_answering"
CORRUPT = "general_bench_video_comp_animal_video_object_segmentation"
BAD_REFERENCE = "general_bench_video_comp_automobile_video_object_segmentation"


def flip_member_byte(archive: Path, member: str) -> None:
    """Flip one byte in the middle of a stored member's data (its CRC-32 no longer matches)."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
    raw = bytearray(archive.read_bytes())
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26: info.header_offset + 30])
    raw[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    archive.write_bytes(bytes(raw))


def rewrite_member(archive: Path, member: str, edit) -> None:  # noqa: ANN001 - a bytes -> bytes callable
    """Rewrite ``archive`` with ``member``'s bytes replaced by ``edit(old bytes)``."""
    with zipfile.ZipFile(archive) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(archive, "w") as zf:
        for info, data in entries:
            zf.writestr(info, edit(data) if info.filename == member else data)


def broken_tree(tmp_path: Path) -> Path:
    """The sample tree's video comprehension tasks (8) with the three problems above."""
    root = tmp_path / "General-Bench-Openset"
    shutil.copytree(OPENSET / VIDEO, root / VIDEO)
    flip_member_byte(root / VIDEO / "AnimalVOS.zip", "JPEGImages/v1/00000.jpg")
    annotation = root / VIDEO / "AgricultureVideoQuestionAnswering" / "annotation.json"
    annotation.write_bytes(annotation.read_bytes()[:200])

    def bad_mask(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["data"][1]["output"]["0"]["mask"] = 5
        return json.dumps(doc).encode()

    rewrite_member(root / VIDEO / "AutomobileVideoObjectSegmentation.zip", "annotation.json", bad_mask)
    return root


def _run(tmp_path: Path, root: Path, tasks: str, out: str, *, wrapper: bool = True,
         console: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENERAL_BENCH_")}
    env.update(GENERAL_BENCH_ROOT=str(root), LMMS_GENERAL_CACHE=str(tmp_path / "cache"), PYTHONPATH=str(REPO),
               HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    runner = ["-m", "lmms_general.lmms_run"] if wrapper else ["-m", "lmms_eval"]
    if console:  # the console script the README shows, next to this interpreter
        launcher = Path(sys.executable).with_name("lmms-eval")
        assert launcher.is_file(), launcher
        runner = [str(launcher)]
    cmd = [sys.executable, *runner, "--model", "general_bench_oracle", "--model_args",
           f"pretrained=oracle,output_dir={tmp_path / out / 'media'}", "--tasks", tasks, "--output_path",
           str(tmp_path / out), "--log_samples"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd=tmp_path)


def _results(folder: Path) -> dict:
    [path] = folder.rglob("*_results.json")
    return json.loads(path.read_text(encoding="utf-8"))["results"]


def _check(proc: subprocess.CompletedProcess, results: dict, expected: set[str]) -> None:
    assert "RetryError" not in proc.stderr, proc.stderr[-3000:]
    # the truncated annotation: one error line naming the file, the task left out, the others scored
    assert proc.stderr.count(f"lmms_general: error: {TRUNCATED}: left out of this run") == 1
    assert "AgricultureVideoQuestionAnswering/annotation.json: malformed JSON" in proc.stderr
    assert TRUNCATED not in results
    assert expected <= set(results), sorted(expected - set(results))
    # the corrupt frame fails its sample (named: archive and member), the task is scored over the other one
    assert proc.stderr.count("AnimalVOS.zip!/JPEGImages/v1/00000.jpg: unreadable archive member") >= 1
    assert isinstance(results[CORRUPT]["score,none"], (int, float))
    # the malformed reference fails its sample (status bad_reference), never the task
    assert results[BAD_REFERENCE]["score,none"] == 100.0
    assert "AutomobileVideoObjectSegmentation_002" in results[BAD_REFERENCE]["error,none"]


@pytest.mark.slow
def test_group_and_named_runs_isolate_bad_tasks(tmp_path: Path) -> None:
    root = broken_tree(tmp_path)
    group = _run(tmp_path, root, "general_bench_video_comp", "group")
    assert group.returncode == 3, group.stderr[-3000:]
    results = _results(tmp_path / "group")
    leaves = {t for t in results if t.startswith("general_bench_video_comp_")}
    assert len(leaves) == 7  # 8 tasks in the tree, one left out
    _check(group, results, leaves)

    named = _run(tmp_path, root, f"{TRUNCATED},{CORRUPT},{BAD_REFERENCE}", "named")
    assert named.returncode == 3, named.stderr[-3000:]
    _check(named, _results(tmp_path / "named"), {CORRUPT, BAD_REFERENCE})

    plain = _run(tmp_path, root, f"{TRUNCATED},{CORRUPT}", "plain", wrapper=False, console=True)
    assert plain.returncode == 3, plain.stderr[-3000:]  # lmms-eval's console script: the failed task sets the status
    assert plain.stderr.count(f"lmms_general: error: {TRUNCATED}: left out of this run") == 1
    assert f"1 requested General-Bench task(s) failed, the others' results were written: {TRUNCATED}" in plain.stderr
    assert set(_results(tmp_path / "plain")) == {CORRUPT}
