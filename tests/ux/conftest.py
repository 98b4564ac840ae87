"""Fixtures of the user-experience tests: isolated cache and environment, a fake Hugging Face hub."""

from __future__ import annotations

import fnmatch
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.isolation import isolate_general_bench

OPENSET = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from isolate_general_bench(tmp_path, monkeypatch)


class FakeHub:
    """``HfApi.list_repo_files`` and ``snapshot_download`` served from the bundled sample Openset."""

    def __init__(self) -> None:
        self.files = sorted(p.relative_to(OPENSET).as_posix() for p in OPENSET.rglob("*") if p.is_file())
        self.calls: list[dict] = []

    def list_repo_files(self, repo_id: str, repo_type: str | None = None, revision: str | None = None) -> list[str]:
        assert repo_type == "dataset"
        return list(self.files)

    def snapshot_download(self, *, repo_id: str, repo_type: str, revision: str | None, local_dir: str,
                          allow_patterns: list[str], **_: object) -> str:
        self.calls.append({"repo_id": repo_id, "allow_patterns": list(allow_patterns), "local_dir": local_dir})
        for name in self.files:
            if any(fnmatch.fnmatch(name, p) for p in allow_patterns):
                target = Path(local_dir) / name
                if not target.exists():  # resumable: what is there is kept
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(OPENSET / name, target)
        return local_dir


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    import huggingface_hub

    hub = FakeHub()

    class Api:
        def list_repo_files(self, *args, **kwargs):
            return hub.list_repo_files(*args, **kwargs)

    monkeypatch.setattr(huggingface_hub, "HfApi", Api)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", hub.snapshot_download)
    return hub
