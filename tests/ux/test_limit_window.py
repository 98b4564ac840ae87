"""``lmms-eval --limit N`` through the real CLI builds only the first N docs of our tasks (issue 20 item 6), and
the results still count every sample in ``n-samples.original`` (slow: one lmms-eval run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TASK = "general_bench_nlp_causal_reasoning"


@pytest.mark.slow
def test_limit_builds_only_the_first_docs_and_counts_every_sample(tmp_path: Path) -> None:
    records = [{"id": f"s{i}", "input": {"question": f"Question {i}?", "options": ["yes", "no"]},
                "output": {"answer": "A"}} for i in range(6)]
    records[4]["id"] = "s0"  # a problem beyond the limit: a full build would name it, a window of 2 never builds it
    annotation = tmp_path / "tree" / "nlp" / "Causal-Reasoning" / "annotation.json"
    annotation.parent.mkdir(parents=True)
    annotation.write_text(json.dumps({"task": "Causal Reasoning", "type": "MultipleChoiceQA", "data": records}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENERAL_BENCH_")}
    env.update(GENERAL_BENCH_ROOT=str(tmp_path / "tree"), LMMS_GENERAL_CACHE=str(tmp_path / "cache"),
               PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    cmd = [str(Path(sys.executable).parent / "lmms-eval"), "--model", "general_bench_oracle", "--model_args",
           f"pretrained=oracle,output_dir={tmp_path / 'media'}", "--tasks", TASK, "--limit", "2",
           "--output_path", str(tmp_path / "out"), "--log_samples"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    log = (proc.stdout + proc.stderr)[-4000:]
    assert proc.returncode == 0, log
    [path] = (tmp_path / "out").rglob("*_results.json")
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["n-samples"][TASK] == {"original": 6, "effective": 2}, log
    assert results["results"][TASK]["score,none"] == 100.0
    [samples] = path.parent.glob(f"*_samples_{TASK}.jsonl")
    assert len(samples.read_text().splitlines()) == 2
    assert "duplicate id" not in proc.stdout + proc.stderr, log  # sample #4 was never built
