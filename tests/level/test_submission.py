"""``lmms-general export-submission``: prediction.json per task, media copied, validated, zipped, read back."""

from __future__ import annotations

import json

from lmms_general.cli import main
from lmms_general.registry import load_registry
from lmms_general.results.submission import read_submission, validate_payload
from tests.level.level_fixtures import items, write_run


def test_export_round_trip(tmp_path):
    registry = load_registry()
    comp = next(s for s in registry.values() if s.modality == "image" and s.paradigm == "comprehension")
    gen = next(s for s in registry.values() if s.modality == "image" and s.paradigm == "generation")
    image = tmp_path / "gen" / "out0.png"
    image.parent.mkdir()
    image.write_bytes(b"\x89PNG fake")
    gen_items = [
        {"id": "g0", "prediction": str(image), "reference": None, "status": "ok", "error": "",
         "raw": json.dumps({"text": "", "images": [str(image)]})},
        {"id": "g1", "prediction": None, "reference": None, "status": "failed", "error": "boom",
         "raw": "[GENERATION_FAILED] out of memory"},
    ]
    comp_items = items([1, 0])
    for item in comp_items:
        item["skill"] = " Object Detection "
    write_run(tmp_path / "runs", "20250101_000000", "org/model", {comp.task: 50.0, gen.task: 10.0},
              samples={comp.task: comp_items, gen.task: gen_items})
    out = tmp_path / "sub"
    assert main(["export-submission", str(tmp_path / "runs"), "--out", str(out), "--leaderboard-id", "scope-c"]) == 0
    archive = out / "org__model-scope-c.zip"
    back = read_submission(archive)
    assert len(back) == 2
    payloads = {p["task"]: p for p in back.values()}
    c = payloads[comp.task_name.strip()]
    assert c["type"] == "comprehension" and [d["id"] for d in c["data"]] == ["s0", "s1"]
    assert c["skill"] == "Object Detection"  # the skill cluster the items name
    assert [d["prediction"] for d in c["data"]] == ["A", "B"]
    g = payloads[gen.task_name.strip()]
    assert g["type"] == "generation" and g["skill"] == gen.sheet  # items without a skill: the official sheet name
    assert g["data"][0]["prediction"] == "media/g0_0.png" and g["data"][1]["prediction"] == ""
    folder = next(f for f, p in back.items() if p is g)
    assert (out / folder / "media" / "g0_0.png").read_bytes() == b"\x89PNG fake"


def test_validate_payload_finds_problems():
    problems = validate_payload({"task": "t", "skill": "s", "type": "other",
                                 "data": [{"id": "a", "prediction": 1}, {"id": "a"}, {"prediction": 2}]}, "x")
    text = "\n".join(problems)
    assert "type must be" in text and "duplicate id 'a'" in text and "has no prediction" in text
    assert "no string id" in text
