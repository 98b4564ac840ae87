"""`lmms-general score`: a sample whose local input file is missing keeps its prediction.json answer (issue 18
item 4); the per-task statuses add up to the sample count."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lmms_general.commands.score import score_root

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"
CARS = Path("image") / "comprehension" / "car_brands_recognition"


def _tree_with_one_image_deleted(tmp_path: Path) -> Path:
    root = tmp_path / "General-Bench-Openset"
    (root / CARS).parent.mkdir(parents=True)
    shutil.copytree(SAMPLE_ROOT / CARS, root / CARS)
    data = json.loads((root / CARS / "json" / "annotation.json").read_text())["data"]
    records = [{"id": s["id"], "prediction": s["output"]["prediction"]} for s in data]  # every answer right
    (root / CARS / "json" / "prediction.json").write_text(json.dumps(records))
    (root / CARS / "images" / "CarBrands0002.png").unlink()
    return root


def test_missing_input_does_not_void_a_right_answer(tmp_path: Path) -> None:
    root = _tree_with_one_image_deleted(tmp_path)
    (result,) = score_root(root)
    assert result.registry_key == "image_comp_car_brands_recognition"
    assert result.score == pytest.approx(100.0)  # was 66.67: the sample without its image counted as failed
    assert result.n_missing_input == 1 and "CarBrands0002" in result.warning
    assert result.statuses() == {"ok": 3, "unparsed": 0, "failed": 0, "missing": 0, "error": 0, "bad_reference": 0}
    assert sum(result.statuses().values()) == result.n == 3


def test_score_table_statuses_add_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lmms_general.cli import main

    root = _tree_with_one_image_deleted(tmp_path)
    records = json.loads((root / CARS / "json" / "prediction.json").read_text())
    records[0]["prediction"] = "I cannot see a car"  # parsed as a wrong label (free-text accuracy)
    del records[2]  # no prediction: missing
    (root / CARS / "json" / "prediction.json").write_text(json.dumps(records))
    assert main(["score", "--root", str(root)]) == 0
    out, err = capsys.readouterr()
    line = next(x for x in out.splitlines() if x.startswith("image_comp_car_brands_recognition"))
    counts = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    n = counts.pop("n")
    counts.pop("scored")
    assert counts.pop("missing_input") == 1 and "missing from the local tree" in err
    assert sum(counts.values()) == n == 3 and counts["missing"] == 1


def test_lmms_eval_route_still_fails_a_sample_without_input(tmp_path: Path) -> None:
    """In an lmms-eval run the model really lacked the input: the hooks keep scoring that sample as failed."""
    from lmms_general.hooks.docs import build_docs
    from lmms_general.hooks.results import process_results
    from lmms_general.protocol import doc_of

    root = _tree_with_one_image_deleted(tmp_path)
    rows = build_docs("image_comp_car_brands_recognition", root)
    doc = next(r for r in rows if doc_of(r).sample_id == "CarBrands0002")
    item = process_results(doc, ["Toyota"])["score"]
    assert item["status"] == "failed" and "input unusable" in item["error"]
