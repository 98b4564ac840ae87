"""Fixtures for adapter tests: tiny models (built once per session), hand-made Instances and a fake task_dict."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))

import tiny_models  # noqa: E402


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiny_models")


@pytest.fixture(scope="session")
def tiny_sd(tiny_dir: Path) -> Path:
    return tiny_models.build_tiny_sd(tiny_dir / "sd")


@pytest.fixture(scope="session")
def tiny_animatediff(tiny_dir: Path, tiny_sd: Path) -> Path:
    return tiny_models.build_tiny_animatediff(tiny_dir / "animatediff", tiny_sd)


@pytest.fixture(scope="session")
def tiny_svd(tiny_dir: Path) -> Path:
    return tiny_models.build_tiny_svd(tiny_dir / "svd")


@pytest.fixture(scope="session")
def tiny_vits(tiny_dir: Path) -> Path:
    return tiny_models.build_tiny_vits(tiny_dir / "vits")


@pytest.fixture(scope="session")
def tiny_dpt(tiny_dir: Path) -> Path:
    return tiny_models.build_tiny_dpt(tiny_dir / "dpt")


@pytest.fixture(scope="session")
def tiny_janus(tiny_dir: Path) -> Path:
    return tiny_models.build_tiny_janus(tiny_dir / "janus")


@pytest.fixture(scope="session")
def tiny_emu3(tiny_dir: Path) -> Path:
    return tiny_models.build_tiny_emu3(tiny_dir / "emu3")


@pytest.fixture(scope="session")
def emu2_gen_stand_in(tiny_dir: Path) -> Path:
    return tiny_models.build_emu2_gen_stand_in(tiny_dir / "emu2_gen")


@pytest.fixture(scope="session")
def nextgpt_delta(tiny_dir: Path) -> Path:
    return tiny_models.build_nextgpt_delta(tiny_dir / "nextgpt_delta")


def make_doc(
    sample_id: str, generation_kind: str = "", output_modality: str = "", registry_key: str = "", load_error: str = ""
) -> dict[str, Any]:
    """A doc in the three-column layout of docs/ARCHITECTURE.md."""
    modality = output_modality or {"": "text"}.get(generation_kind, "")
    if not modality:
        from model_adapters.requests import KIND_OUTPUT

        modality = KIND_OUTPUT[generation_kind]
    body = {
        "index": 0,
        "task_kind": "generation" if generation_kind else "qa",
        "output_modality": modality,
        "generation_kind": generation_kind,
        "media": [],
        "load_error": load_error,
        "sample": {"id": sample_id},
        "context": {},
        "reference": None,
        "task_dir": "",
    }
    return {"registry_key": registry_key, "sample_id": sample_id, "payload_json": json.dumps(body)}


class FakeTask:
    """Collects docs and per-doc visuals; builds simple-style Instances and the model's task_dict."""

    def __init__(self, name: str = "general_bench_fake") -> None:
        self.name = name
        self.docs: list[dict[str, Any]] = []
        self.visuals: dict[str, list[Any]] = {}
        self.prompts: list[str] = []

    def add(self, prompt: str, visuals: list[Any] | None = None, **doc_kwargs: Any) -> None:
        doc = make_doc(**doc_kwargs)
        self.docs.append(doc)
        self.visuals[doc["sample_id"]] = list(visuals or [])
        self.prompts.append(prompt)

    def doc_to_visual(self, doc: dict[str, Any]) -> list[Any]:
        return self.visuals[doc["sample_id"]]

    def instances(self) -> list[Any]:
        from lmms_eval.api.instance import Instance

        return [
            Instance(
                request_type="generate_until",
                arguments=(prompt, {"max_new_tokens": 8}, self.doc_to_visual, i, self.name, "test"),
                idx=0,
                metadata={"task": self.name, "doc_id": i, "repeats": 1},
            )
            for i, prompt in enumerate(self.prompts)
        ]

    def run(self, model: Any) -> list[str]:
        model.task_dict = {self.name: {"test": self.docs}}
        return model.generate_until(self.instances())


@pytest.fixture()
def fake_task() -> FakeTask:
    return FakeTask()
