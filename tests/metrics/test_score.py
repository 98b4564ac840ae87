"""`lmms-general score`: scoring core on in-memory samples and on the bundled sample tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lmms_general.commands.score import score_root
from lmms_general.protocol import task_score

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"


def test_task_score_counts_missing_and_unparsed() -> None:
    items = [
        {"key": "nlp_causal_reasoning", "prediction": "A", "reference": ["A"], "status": "ok"},
        {"key": "nlp_causal_reasoning", "prediction": None, "reference": ["B"], "status": "unparsed"},
        {"key": "nlp_causal_reasoning", "prediction": None, "reference": ["C"], "status": "missing"},
        {"key": "nlp_causal_reasoning", "prediction": "A", "reference": ["A"], "status": "ok"},
        {"key": "nlp_causal_reasoning", "prediction": "A", "reference": None, "status": "ok",
         "error": "nlp_causal_reasoning sample 5: the annotation has no reference answer"},
    ]
    result = task_score(items)
    assert result.score == pytest.approx(50.0)  # 2 of 4 scorable; unparsed and missing count as wrong
    assert (result.n, result.n_scored, result.n_unparsed, result.n_missing, result.n_unscorable) == (5, 4, 1, 1, 1)
    assert "1 of 5 samples have no usable reference" in result.error  # never dropped silently


def test_task_score_closeset_has_no_score() -> None:
    items = [{"key": "nlp_causal_reasoning", "prediction": "A", "reference": None, "status": "ok",
              "error": "the annotation has no reference answer"}]
    result = task_score(items)
    assert result.score is None and result.n_scored == 0 and "Closeset" in result.error


def test_score_root_both_prediction_shapes(tmp_path: Path) -> None:
    root = tmp_path / "General-Bench-Openset"
    shutil.copytree(SAMPLE_ROOT, root)
    task = root / "nlp" / "Causal-Reasoning"
    annotation = json.loads((task / "annotation.json").read_text())
    ids = [str(s["id"]) for s in annotation["data"]]
    answers = {str(s["id"]): s["output"]["answer"] for s in annotation["data"]}
    # documented wrapper shape; every answer right except one unparsable and one missing
    records = [{"id": i, "prediction": f"The final answer is $\\boxed{{{answers[i]}}}$"} for i in ids[:-2]]
    records.append({"id": ids[-2], "prediction": "I cannot tell"})
    (task / "prediction.json").write_text(json.dumps({"task": "Causal Reasoning", "data": records}))
    results = {r.registry_key: r for r in score_root(root)}
    result = results["nlp_causal_reasoning"]
    n = len(ids)
    assert (result.n, result.n_scored, result.n_unparsed, result.n_missing) == (n, n, 1, 1)
    assert result.score == pytest.approx(100 * (n - 2) / n)
    # bare-list shape for another task
    mwp = root / "nlp" / "Mathematical-Word-Problem-Solving"
    data = json.loads((mwp / "annotation.json").read_text())["data"]
    bare = [{"id": s["id"], "prediction_steps": "...", "prediction_final": s["output"]["solution"]["final_answer"]}
            for s in data]
    (mwp / "prediction.json").write_text(json.dumps(bare))
    results = {r.registry_key: r for r in score_root(root)}
    mwp_result = next(r for k, r in results.items() if k and "mathematical" in k)
    assert mwp_result.score == pytest.approx(100.0) and mwp_result.n_missing == 0


def test_score_cli_json(tmp_path: Path) -> None:
    from lmms_general.cli import main

    out = tmp_path / "scores.json"
    assert main(["score", "--root", str(SAMPLE_ROOT), "--json", str(out)]) == 0
    tasks = json.loads(out.read_text())["tasks"]
    assert tasks and {"folder", "task_name", "registry_key", "metric", "score", "n", "n_scored", "n_unparsed",
                      "n_missing"} <= set(tasks[0])
