"""Harness overhead per sample: one of our tasks vs a minimal plain lmms-eval task on the same samples.

Usage: python benchmarks/bench_harness.py [--samples 2000] [--repeats 3]

Both tasks run through ``lmms_eval.evaluator.simple_evaluate`` with the ``dummy`` model in this one process,
alternating, best of ``--repeats``. Ours = General-Bench loader + docs + prompts + parsing + metric registry;
plain = a JSON dataset, a one-line prompt function and an exact-match ``process_results``. Target ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

PLAIN_YAML = """task: plain_mcq_baseline
dataset_path: json
dataset_kwargs:
  data_files:
    test: plain.jsonl
test_split: test
output_type: generate_until
doc_to_visual: null
doc_to_text: !function plain_hooks.doc_to_text
doc_to_target: answer
process_results: !function plain_hooks.process_results
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
generation_kwargs: {max_new_tokens: 8}
metadata: {version: 0.0}
"""

PLAIN_HOOKS = '''
def doc_to_text(doc):
    letters = "ABCDEFGH"
    return doc["question"] + "\\n" + "\\n".join(f"{letters[i]}. {o}" for i, o in enumerate(doc["options"]))


def process_results(doc, results):
    return {"exact_match": float(results[0].strip() == doc["answer"])}
'''


def make_data(root: Path, plain_dir: Path, n: int) -> None:
    samples = [{"id": f"cr{i}", "input": {"question": f"What is the effect of event {i}?",
                                          "options": [f"effect {i}", f"other {i}"]},
                "output": {"answer": "AB"[i % 2]}} for i in range(n)]
    task = root / "nlp" / "Causal-Reasoning"
    task.mkdir(parents=True)
    (task / "annotation.json").write_text(json.dumps({"task": "Causal Reasoning", "type": "MultipleChoiceQA",
                                                      "data": samples}), encoding="utf-8")
    plain_dir.mkdir()
    with (plain_dir / "plain.jsonl").open("w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps({"question": s["input"]["question"], "options": s["input"]["options"],
                                 "answer": s["output"]["answer"]}) + "\n")
    (plain_dir / "plain.yaml").write_text(PLAIN_YAML, encoding="utf-8")
    (plain_dir / "plain_hooks.py").write_text(PLAIN_HOOKS, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, plain_dir = Path(tmp) / "gb", Path(tmp) / "plain"
        make_data(root, plain_dir, args.samples)
        os.environ["GENERAL_BENCH_ROOT"] = str(root)
        os.environ["LMMS_GENERAL_CACHE"] = str(Path(tmp) / "cache")
        from lmms_eval import evaluator

        from lmms_general.lmms_integration import task_manager

        tm = task_manager(include_path=str(plain_dir), verbosity="ERROR")
        best = {"general_bench_nlp_causal_reasoning": float("inf"), "plain_mcq_baseline": float("inf")}
        scores = {}
        for _ in range(args.repeats):
            for task in best:
                start = time.perf_counter()
                res = evaluator.simple_evaluate(model="dummy", model_args="response=A", tasks=[task], task_manager=tm,
                                                verbosity="ERROR", log_samples=True)
                best[task] = min(best[task], time.perf_counter() - start)
                scores[task] = {k: v for k, v in res["results"][task].items() if k.endswith(",none")}
    ours, plain = best["general_bench_nlp_causal_reasoning"], best["plain_mcq_baseline"]
    print(f"samples: {args.samples}, best of {args.repeats}")
    ours_ms, plain_ms = 1e3 * ours / args.samples, 1e3 * plain / args.samples
    print(f"general_bench task: {ours:.2f} s ({ours_ms:.3f} ms/sample)  scores {scores[next(iter(best))]}")
    print(f"plain lmms-eval task: {plain:.2f} s ({plain_ms:.3f} ms/sample)  scores {scores['plain_mcq_baseline']}")
    print(f"ratio ours/plain: {ours / plain:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
