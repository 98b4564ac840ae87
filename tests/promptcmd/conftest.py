"""Fixtures of the `lmms-general prompts` / score / outside-the-table tests: an isolated index cache and root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.isolation import isolate_general_bench

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from isolate_general_bench(tmp_path, monkeypatch)
