"""Shared fixtures of the dataset tests: an isolated cache folder and the bundled sample trees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.isolation import isolate_general_bench

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data"
OPENSET = SAMPLE_DATA / "General-Bench-Openset"
CLOSESET = SAMPLE_DATA / "General-Bench-Closeset"
LEGACY = SAMPLE_DATA / "legacy-casing"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own ``$LMMS_GENERAL_CACHE`` and an empty per-process index cache."""
    yield from isolate_general_bench(tmp_path, monkeypatch)


def write_task(folder: Path, data: list[Any], *, name: str = "annotation.json", **header: Any) -> Path:
    """Write an annotation file with ``data`` (and header keys) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"task": header.pop("task", folder.name), **header, "data": data}), encoding="utf-8")
    return path
