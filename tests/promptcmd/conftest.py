"""Fixtures of the `lmms-general prompts` / score / outside-the-table tests: an isolated index cache and root."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmms_general.dataset import clear_process_cache

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(cache))
    monkeypatch.delenv("GENERAL_BENCH_ROOT", raising=False)
    monkeypatch.delenv("GENERAL_BENCH_DOWNLOAD", raising=False)
    clear_process_cache()
    yield cache
    clear_process_cache()
