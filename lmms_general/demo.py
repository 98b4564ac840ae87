"""``make demo``: evaluate the bundled sample tree with the ground-truth oracle and a corrupted oracle, then
General-Level for both (a two-model leaderboard).

Usage: ``python -m lmms_general.demo --out runs/demo [--corrupt 0.3]``. The oracle (``--model
general_bench_oracle``) answers every sample with its reference in the format the prompt asks for and opens every
input first, so the report shows the levels a perfect model reaches on this data; the corrupted oracle answers a
deterministic share of samples wrongly in the same format. Generation metrics that need network weights (FID, FVD,
CLIP, Whisper, ...) are reported as not scorable offline unless the weights are cached (``lmms-general weights
fetch``) or ``LMMS_GENERAL_MODEL_<NAME>`` points at them: the closing ``lmms-general level`` prints one line per
missing network naming those rows and the fetch command. The weight-free generation tasks (PSNR, MCD, Chamfer) are
scored in every modality. Point ``GENERAL_BENCH_ROOT`` elsewhere to run on real data.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lmms_general.lmms_run import run_lmms_eval

SAMPLE_ROOT = Path(__file__).resolve().parent / "sample_data" / "General-Bench-Openset"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/demo"))
    parser.add_argument("--corrupt", type=float, default=0.3, help="share of wrong answers of the second model")
    parser.add_argument("--tasks", default="general_bench")
    args = parser.parse_args(argv)
    root = os.environ.get("GENERAL_BENCH_ROOT") or str(SAMPLE_ROOT)
    runs = {"oracle": "pretrained=oracle", f"oracle_corrupt{args.corrupt:g}":
            f"pretrained=oracle_corrupt{args.corrupt:g},corrupt={args.corrupt},seed=0"}
    for name, model_args in runs.items():
        out = args.out / name
        results = run_lmms_eval(model="general_bench_oracle", model_args=f"{model_args},output_dir={out / 'media'}",
                                tasks=args.tasks.split(","), output_path=out, env={"GENERAL_BENCH_ROOT": root})
        scored = [t for t, r in results["results"].items()
                  if t.startswith("general_bench_") and isinstance(r.get("score,none"), (int, float))]
        print(f"{name}: lmms-eval scored {len(scored)} General-Bench tasks/groups from {root}")
    from lmms_general.cli import main as cli

    return cli(["level", *(str(args.out / name) for name in runs), "--out-dir", str(args.out)])


if __name__ == "__main__":
    raise SystemExit(main())
