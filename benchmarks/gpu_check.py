"""The GPU checks behind benchmarks/gpu_check.sh: adapters, qwen2_vl, vLLM throughput and torchrun on one GPU.

Every check is one subprocess over the bundled sample tree with tiny random models from ``gpu_prepare.py``; nothing
is downloaded. ``--dry-run`` prints each command and checks, on the CPU, that every piece is present (interpreters
and their imports, the vLLM pin, model folders, stand-ins, sample tree); it exits 1 naming what is missing.
A run prints one line per check with its figure and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gpu_prepare import DEFAULT_MODELS, MANIFEST, VLLM_MODEL  # noqa: E402

SAMPLE_ROOT = ROOT / "lmms_general" / "sample_data" / "General-Bench-Openset"
STAND_INS = ROOT / "tests" / "fixtures" / "stand_ins"
LIMIT = 2
#: seconds a check may take: (a), (b), (d) side by side, then (c) alone, so the script stays within 8 minutes
TIMEOUT = {"a": 300, "b": 300, "d": 300, "c": 180}
CPU_SLOWER = 6  # a --device cpu rehearsal gets this many times as long


@dataclass
class Check:
    """One check: a command, the environment it adds, and how its figure is read from what it wrote."""

    name: str
    group: str  # a: adapters, b: qwen2_vl, c: vllm, d: torchrun; checks of one group run side by side
    python: str  # "main" or "vllm"
    argv: list[str]
    out: Path
    env: dict[str, str] = field(default_factory=dict)
    figure: str = "lmms_eval"  # how to read the outcome: lmms_eval results, "vllm" JSON, "torchrun" results + log


@dataclass
class Setup:
    models: Path
    work: Path
    pythons: dict[str, Path]
    device: str = "cuda:0"  # "cpu" rehearses the commands of (a), (b) and (d) without a GPU
    only: str = ""  # run the checks whose name contains this

    def python(self, which: str) -> Path:
        return self.pythons[which]


def lmms_eval_argv(model: str, model_args: str, tasks: str, out: Path, limit: int = LIMIT) -> list[str]:
    return ["-m", "lmms_eval", "--model", model, "--model_args", model_args, "--tasks", tasks, "--limit", str(limit),
            "--batch_size", "2", "--output_path", str(out), "--log_samples", "--verbosity", "DEBUG"]


def checks(setup: Setup) -> list[Check]:
    m, w, dev = setup.models, setup.work, setup.device
    media = w / "media"
    adapters = {
        "janus": (f"pretrained={m / 'janus'}", "general_bench_image"),
        "emu3": (f"pretrained={m / 'emu3'},image_area=256,top_k=8", "general_bench_image_gen"),
        "emu2": (f"gen={m / 'emu2_gen'}", "general_bench_image_gen"),
        "next_gpt": (f"repo_path={STAND_INS / 'nextgpt_repo'},ckpt_path={m / 'nextgpt_delta'},dtype=float32",
                     "general_bench_image_gen"),
        "general_pipeline": (f"t2i={m / 'sd'},edit={m / 'sd'},steps=2,height=32,width=32,strength=0.9",
                             "general_bench_image_gen"),
    }
    out = [
        Check(f"adapter {name}", "a", "main",
              lmms_eval_argv(name, f"{args},device={dev},output_dir={media / name}", tasks, w / name), w / name)
        for name, (args, tasks) in adapters.items()
    ]
    qwen_args = f"pretrained={m / 'qwen2vl'},device={dev},device_map={dev}"
    out.append(Check("qwen2_vl", "b", "main", lmms_eval_argv("qwen2_vl", qwen_args, "general_bench_image_comp",
                                                             w / "qwen2_vl"), w / "qwen2_vl"))
    vllm_json = w / "vllm" / "vllm.json"
    out.append(Check("vllm throughput", "c", "vllm",
                     [str(ROOT / "benchmarks" / "vllm_throughput.py"), "--model", str(m / VLLM_MODEL),
                      "--out", str(vllm_json)], vllm_json, figure="vllm"))
    torchrun = ["-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port()),
                *lmms_eval_argv("janus", f"pretrained={m / 'janus'},device={dev.split(':')[0]},max_new_tokens=8",
                                "general_bench_nlp", w / "torchrun", limit=3)]
    # NCCL refuses two ranks on one GPU: accelerate's collectives go over gloo, the models stay on cuda:0
    out.append(Check("torchrun 2 ranks", "d", "main", torchrun, w / "torchrun", {"ACCELERATE_USE_CPU": "1"},
                     figure="torchrun"))
    return [check for check in out if setup.only in check.name]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_env(setup: Setup, check: Check) -> dict[str, str]:
    manifest = json.loads((setup.models / MANIFEST).read_text())
    metric_env = {var: str(setup.models / rel) for var, rel in manifest["metric_env"].items()}
    scratch = setup.work / "scratch" / slug(check)  # side-by-side checks share no cache folder
    return {**os.environ, **metric_env, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(STAND_INS)]), "GENERAL_BENCH_ROOT": str(SAMPLE_ROOT),
            "LMMS_GENERAL_CACHE": str(scratch / "cache"), "HF_MODULES_CACHE": str(scratch / "hf_modules"), **check.env}


def slug(check: Check) -> str:
    return check.name.replace(" ", "_")


def command(setup: Setup, check: Check) -> list[str]:
    return [str(setup.python(check.python)), *check.argv]


# -- reading the outcome -------------------------------------------------------------------------------------------


def lmms_eval_figure(out: Path) -> tuple[bool, str]:
    """Samples, failed samples and scored tasks of the one results file under ``out``."""
    found = sorted(out.rglob("*_results.json"))
    if len(found) != 1:
        return False, f"{len(found)} results files under {out}"
    results = json.loads(found[0].read_text())
    groups = set(results.get("group_subtasks") or {})
    leaves = {t: r for t, r in results["results"].items() if t.startswith("general_bench_") and t not in groups}
    samples = sum(results["n-samples"][t]["effective"] for t in leaves)
    failed = sum(int(r.get("failed,none") or 0) for r in leaves.values())
    scored = sum(isinstance(r.get("score,none"), (int, float)) and math.isfinite(r["score,none"])
                 for r in leaves.values())
    ok = bool(leaves) and samples > 0 and scored == len(leaves)
    return ok, f"{len(leaves)} tasks, {scored} scored, {samples} samples, {failed} failed"


def vllm_figure(out: Path) -> tuple[bool, str]:
    if not out.is_file():
        return False, f"no {out}"
    f = json.loads(out.read_text())
    ok = f["tasks"] > 0 and f["scored"] == f["tasks"] and f["samples"] > 0
    return ok, (f"{f['tasks']} tasks, {f['samples']} samples ({f['with_images']} with images); lmms-eval "
                f"{f['lmms_eval_request_s']} s requests / {f['lmms_eval_end_to_end_s']} s end to end, raw generate "
                f"{f['raw_generate_s']} s; ratio {f['ratio_request_path']} requests, {f['ratio_end_to_end']} end to "
                f"end (goal >= 0.8); {f['same_responses']}/{f['samples']} responses identical")


def figure(check: Check, log: str) -> tuple[bool, str]:
    if check.figure == "vllm":
        return vllm_figure(check.out)
    ok, text = lmms_eval_figure(check.out)
    if check.figure == "torchrun":
        ranks = sum(f"Running on rank {r} (local rank {r})" in log for r in (0, 1))
        ok, text = ok and ranks == 2, f"{ranks} ranks logged, {text}"
    return ok, text


def run_one(setup: Setup, check: Check) -> str:
    timeout = TIMEOUT[check.group] * (CPU_SLOWER if setup.device == "cpu" else 1)
    start = time.perf_counter()
    log_file = setup.work / f"{slug(check)}.log"
    if check.out.is_dir():  # a rerun reads only its own results
        shutil.rmtree(check.out)
    elif check.out.is_file():
        check.out.unlink()
    try:
        proc = subprocess.run(command(setup, check), cwd=setup.work, env=run_env(setup, check), capture_output=True,
                              text=True, timeout=timeout)
        log = proc.stdout + proc.stderr
        ok, text = figure(check, log) if proc.returncode == 0 else (False, f"exit {proc.returncode}")
    except subprocess.TimeoutExpired as exc:
        log, ok = str(exc.stdout or "") + str(exc.stderr or ""), False
        text = f"timed out after {timeout} s"
    log_file.write_text(log)
    status = "ok  " if ok else "FAIL"
    tail = "" if ok else f" (log: {log_file})"
    return f"{status} ({check.group}) {check.name:<18} {time.perf_counter() - start:6.1f} s  {text}{tail}"


def gpu_name(python: Path) -> str:
    """The name of cuda:0 as the interpreter's torch sees it; raises SystemExit without a GPU."""
    probe = "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name(0))"
    proc = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"gpu_check: no usable GPU for {python}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return proc.stdout.strip()


def run_all(setup: Setup) -> bool:
    on = gpu_name(setup.python("main")) if setup.device.startswith("cuda") else setup.device
    print(f"gpu_check on {on}", flush=True)
    setup.work.mkdir(parents=True, exist_ok=True)
    todo = checks(setup)
    lines: list[str] = []
    start = time.perf_counter()
    # the adapters, qwen2_vl and torchrun share the GPU side by side; the vLLM timing runs alone afterwards
    side_by_side = [c for c in todo if c.group != "c"]
    with ThreadPoolExecutor(max_workers=max(1, len(side_by_side))) as pool:
        for line in pool.map(lambda c: run_one(setup, c), side_by_side):
            print(line, flush=True)
            lines.append(line)
    for check in (c for c in todo if c.group == "c"):
        if setup.device == "cpu":
            print(f"skip (c) {check.name}: vLLM needs a GPU (--dry-run checks its pieces on the CPU)", flush=True)
            continue
        lines.append(run_one(setup, check))
        print(lines[-1], flush=True)
    failed = sum(line.startswith("FAIL") for line in lines)
    print(f"gpu_check: {len(lines) - failed}/{len(lines)} checks ok in {time.perf_counter() - start:.0f} s")
    return failed == 0


# -- dry run -------------------------------------------------------------------------------------------------------

#: what each interpreter must import, on the CPU (no CUDA needed)
IMPORTS = {
    "main": "import torch, lmms_eval, lmms_general, model_adapters, transformers, diffusers; "
            "print(lmms_general.__file__)",
    "vllm": "import vllm, lmms_eval, lmms_general; from lmms_eval.models.simple.vllm import VLLM; "
            "from lmms_eval.models.chat.vllm import VLLM as VLLMChat; print(vllm.__version__)",
}
HOW_TO = {"main": "make setup", "vllm": "make setup-vllm"}


def pinned(name: str) -> str:
    """The version the ``[vllm]`` extra of pyproject.toml pins ``name`` to (``name==X``)."""
    text = (ROOT / "pyproject.toml").read_text()
    extra = re.search(r"^vllm = \[(.*)\]$", text, re.MULTILINE)
    found = re.search(rf'"{re.escape(name)}==([^"]+)"', extra.group(1) if extra else "")
    if not found:
        raise SystemExit(f"pyproject.toml: the [vllm] extra pins no {name}==VERSION")
    return found.group(1)


def missing_pieces(setup: Setup) -> list[str]:
    missing = []
    for which, python in setup.pythons.items():
        if not python.exists():
            missing.append(f"{python} (build it: {HOW_TO[which]})")
            continue
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
        proc = subprocess.run([str(python), "-c", IMPORTS[which]], env=env, capture_output=True, text=True,
                              timeout=300)
        last = (proc.stdout.strip().splitlines() or [""])[-1]
        if proc.returncode != 0:
            missing.append(f"{python}: imports fail ({(proc.stderr.strip().splitlines() or ['?'])[-1]})")
        elif which == "main" and not last.startswith(str(ROOT)):
            missing.append(f"{python}: lmms_general resolves to {last}, not this checkout")
        elif which == "vllm" and last != pinned('vllm'):
            missing.append(f"{python}: vllm {last}, pyproject pins {pinned('vllm')} ({HOW_TO[which]})")
        else:
            print(f"present  {which} interpreter {python} ({'vllm ' + last if which == 'vllm' else 'imports ok'})")
    manifest = setup.models / MANIFEST
    if not manifest.is_file():
        missing.append(f"{manifest} (build the models: bash benchmarks/gpu_check.sh --prepare --models {setup.models})")
    else:
        data = json.loads(manifest.read_text())
        paths = [setup.models / name for name in data["models"]]
        paths += [setup.models / rel for rel in data["metric_env"].values()]
        gone = [str(p) for p in paths if not p.exists()]
        missing += [f"{p} (rebuild: --prepare)" for p in gone]
        if not gone:
            print(f"present  {len(paths)} tiny models in {setup.models}")
            missing += vllm_inputs_problem(setup)
    for piece in (SAMPLE_ROOT, STAND_INS / "nextgpt_repo", STAND_INS / "emu2_stand_in.py"):
        (missing.append(f"{piece}") if not piece.exists() else print(f"present  {piece.relative_to(ROOT)}"))
    return missing


def vllm_inputs_problem(setup: Setup) -> list[str]:
    """The vLLM interpreter loads the tiny vLLM checkpoint and builds a prompt with an image from it (CPU)."""
    python = setup.python("vllm")
    if not python.exists():
        return []
    cmd = [str(python), str(ROOT / "benchmarks" / "vllm_throughput.py"), "--check-inputs", "--model",
           str(setup.models / VLLM_MODEL)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return [f"{VLLM_MODEL} with {python}: {(proc.stderr.strip().splitlines() or ['?'])[-1]}"]
    print(f"present  {VLLM_MODEL} loads in the vLLM interpreter ({proc.stdout.strip().splitlines()[-1]})")
    return []


def dry_run(setup: Setup) -> bool:
    for check in checks(setup):
        print(f"would run ({check.group}) {check.name}: {' '.join(command(setup, check))}")
        if check.env:
            print(f"    with {' '.join(f'{k}={v}' for k, v in check.env.items())}")
    missing = missing_pieces(setup)
    for piece in missing:
        print(f"MISSING  {piece}")
    print(f"gpu_check --dry-run: {'all pieces present' if not missing else f'{len(missing)} pieces missing'}")
    return not missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the commands and check every piece (CPU)")
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS, help="gpu_prepare.py's folder")
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "gpu_check", help="outputs and logs")
    parser.add_argument("--python", type=Path, default=ROOT / ".venv" / "bin" / "python")
    parser.add_argument("--vllm-python", type=Path, default=ROOT / ".venv-vllm" / "bin" / "python")
    parser.add_argument("--device", default="cuda:0", help="cpu rehearses the commands without a GPU (not vLLM)")
    parser.add_argument("--only", default="", help="run the checks whose name contains this")
    args = parser.parse_args(argv)
    pythons = {"main": args.python.absolute(), "vllm": args.vllm_python.absolute()}  # venv links stay unresolved
    setup = Setup(args.models.resolve(), args.work.resolve(), pythons, args.device, args.only)
    if args.dry_run:
        return 0 if dry_run(setup) else 1
    return 0 if run_all(setup) else 1


if __name__ == "__main__":
    sys.exit(main())
