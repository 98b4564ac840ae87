"""Issue 20, item 4: ``level`` reads defensively and writes atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lmms_general.atomic_json import atomic_path, write_text_atomic
from lmms_general.cli import main as cli_main
from lmms_general.results import read_lmms_runs
from lmms_general.results.types import ResultsError
from tests.level.level_fixtures import items, write_run

T1 = "general_bench_nlp_commonsense_reasoning"


@pytest.mark.timeout(30)
def test_fifo_named_like_a_results_file_never_blocks(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    write_run(folder, "20250101_000000", "m", {T1: 50.0}, samples={T1: items([1, 0])})
    os.mkfifo(folder / "20250102_000000_results.json")
    with pytest.raises(ResultsError, match="not a regular file"):
        read_lmms_runs([folder])
    with pytest.raises(ResultsError, match="not a regular file"):
        read_lmms_runs([folder / "20250102_000000_results.json"])
    assert cli_main(["level", str(folder), "--out-dir", str(tmp_path / "out")]) != 0


@pytest.mark.parametrize(("kept", "doubled"), [(1, False), (2, True)])
def test_sample_log_cut_or_doubled_is_a_warning_naming_both_counts(tmp_path: Path, kept: int, doubled: bool) -> None:
    folder = tmp_path / "runs"
    write_run(folder, "20250101_000000", "m", {T1: 50.0}, samples={T1: items([1, 0])})
    log = folder / f"20250101_000000_samples_{T1}.jsonl"
    lines = log.read_text().splitlines()[:kept]
    log.write_text("\n".join(lines * (2 if doubled else 1)) + "\n")
    [ms] = read_lmms_runs([folder])
    count = kept * (2 if doubled else 1)
    assert any(str(log) in w and f"{count} sample lines" in w and "n-samples 2" in w for w in ms.warnings)


def test_matching_sample_log_gives_no_count_warning(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    write_run(folder, "20250101_000000", "m", {T1: 50.0}, samples={T1: items([1, 0])})
    [ms] = read_lmms_runs([folder])
    assert not any("sample lines" in w for w in ms.warnings)


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "level.json"
    write_text_atomic(target, '{"old": 1}')
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text('{"new": ')  # killed half-way
        raise RuntimeError("killed")
    assert target.read_text() == '{"old": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["level.json"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # the umask's mode, not mkstemp's private one


def test_level_writes_every_report_through_a_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "runs"
    write_run(folder, "20250101_000000", "m", {T1: 50.0}, samples={T1: items([1, 0])})
    renamed: list[str] = []
    real = os.replace

    def spy(src, dst):  # noqa: ANN001
        renamed.append(Path(dst).name)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    out = tmp_path / "out"
    assert cli_main(["level", str(folder), "--out-dir", str(out)]) == 0
    written = {p.name for p in out.rglob("*") if p.is_file()}
    assert written and written <= set(renamed), written - set(renamed)
