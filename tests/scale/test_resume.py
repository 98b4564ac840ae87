"""Generation adapters reuse media already written for the same request (content-addressed names + manifest)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PIL import Image

from model_adapters import resume
from model_adapters.base import GeneralistAdapter
from model_adapters.media_output import parse_response
from tests.adapters.conftest import FakeTask


class CountingAdapter(GeneralistAdapter):
    """Draws a flat image per request and counts how many it really generated."""

    model_name = "counting"
    supported_kinds = frozenset({"text_to_image"})

    def __init__(self, steps: int = 2, fail: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.steps = int(steps)
        self._fail_id = fail
        self._generated: list[str] = []

    def generate(self, kind: str, batch: list) -> list[str]:
        out = []
        for req in batch:
            if req.sample_id == self._fail_id:
                raise RuntimeError("boom")
            self._generated.append(req.sample_id)
            writer = self.writer(req)
            writer.image(Image.new("RGB", (4, 4), (self.steps * 10, 0, 0)))
            out.append(writer.response())
        return out


def _task() -> FakeTask:
    task = FakeTask()
    task.add("a red cat", sample_id="a", generation_kind="text_to_image")
    task.add("a blue dog", sample_id="b", generation_kind="text_to_image")
    return task


def _files(responses: list[str]) -> list[str]:
    return [parse_response(r)["images"][0] for r in responses]


def test_second_run_reuses_media_of_the_same_requests(tmp_path: Path) -> None:
    first = CountingAdapter(output_dir=str(tmp_path), batch_size=2)
    out1 = _task().run(first)
    assert first._generated == ["a", "b"] and first.generated_items == 2
    for path in _files(out1):
        assert Path(path).stat().st_size > 0
        assert Path(path).name.split("_")[1] == os.path.basename(path).split("_")[1]  # the request key
    manifests = sorted(p.name for p in (tmp_path / "general_bench_fake").glob("*.json"))
    assert len(manifests) == 2 and all(m.startswith(("a_", "b_")) for m in manifests)

    second = CountingAdapter(output_dir=str(tmp_path), batch_size=2, device="cpu")
    out2 = _task().run(second)
    assert second._generated == [] and second.reused_items == 2 and out2 == out1

    os.remove(_files(out1)[1])  # a lost file is regenerated, the other reused
    third = CountingAdapter(output_dir=str(tmp_path), batch_size=2)
    out3 = _task().run(third)
    assert third._generated == ["b"] and third.reused_items == 1 and _files(out3) == _files(out1)


def test_changed_settings_or_resume_false_regenerate(tmp_path: Path) -> None:
    out1 = _task().run(CountingAdapter(output_dir=str(tmp_path)))
    other = CountingAdapter(steps=3, output_dir=str(tmp_path))
    out2 = _task().run(other)
    assert other._generated == ["a", "b"]
    assert set(_files(out1)).isdisjoint(_files(out2))  # content-addressed: both versions kept
    fresh = CountingAdapter(output_dir=str(tmp_path), resume="false")
    _task().run(fresh)
    assert fresh._generated == ["a", "b"] and fresh.reused_items == 0


def test_failures_are_not_remembered(tmp_path: Path) -> None:
    failing = CountingAdapter(output_dir=str(tmp_path), fail="b")
    out = _task().run(failing)
    assert out[1].startswith("[GENERATION_FAILED]")
    retry = CountingAdapter(output_dir=str(tmp_path))
    _task().run(retry)
    assert retry._generated == ["b"] and retry.reused_items == 1


def test_request_key_ignores_device_and_output_dir(tmp_path: Path) -> None:
    task = _task()
    a = CountingAdapter(output_dir=str(tmp_path / "x"), device="cpu")
    b = CountingAdapter(output_dir=str(tmp_path / "y"), device="cpu", batch_size=4)
    a.task_dict = b.task_dict = {task.name: {"test": task.docs}}
    from model_adapters.requests import parse_request

    req = parse_request(0, task.instances()[0], a.task_dict)
    assert resume.request_key(a, req) == resume.request_key(b, req)
    assert resume.request_key(CountingAdapter(steps=9), req) != resume.request_key(a, req)
    assert "steps" in resume.settings(a) and "output_dir" not in resume.settings(a)
