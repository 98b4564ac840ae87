"""Seeded archive and ``level`` input mutations (issue 20, item 7): no crash, no hang, no silent loss, no
misattribution. ``benchmarks/fuzz_annotations.py`` runs many more seeds and prints the summary table."""

from __future__ import annotations

from pathlib import Path

import pytest

from .mutations import archive_case, archive_mutations, classify, level_case, level_mutations

SEEDS = range(3)


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GENERAL_BENCH_ROOT", raising=False)


@pytest.mark.parametrize("kind", archive_mutations())
def test_archive_mutations_are_caught_and_named(kind: str, tmp_path: Path) -> None:
    outcomes = [classify(archive_case(kind, seed, tmp_path)) for seed in SEEDS]
    assert all(o == "ok" for o, _ in outcomes), outcomes


@pytest.mark.parametrize("kind", level_mutations())
def test_level_mutations_are_caught_and_named(kind: str, tmp_path: Path) -> None:
    outcomes = [classify(level_case(kind, seed, tmp_path)) for seed in SEEDS]
    assert all(o == "ok" for o, _ in outcomes), outcomes
