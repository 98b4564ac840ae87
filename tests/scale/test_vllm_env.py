"""The pinned vLLM environment (``make setup-vllm`` -> ``.venv-vllm``) runs lmms-eval's vllm wrappers over our tasks.

Slow: the environment is ~11 GB and takes ~6 minutes to build, so this test builds it only when
``LMMS_GENERAL_BUILD_VLLM_ENV=1``; without it and without ``.venv-vllm`` the test is skipped, saying how to run it.
The check itself runs on the CPU (tests/scale/vllm_wiring.py: the engine replaced by a recorder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_ROOT

sys.path.insert(0, str(REPO / "benchmarks"))
from gpu_check import pinned  # noqa: E402

VLLM_VENV = REPO / ".venv-vllm"
BUILD_VAR = "LMMS_GENERAL_BUILD_VLLM_ENV"


@pytest.fixture(scope="module")
def vllm_python() -> Path:
    if not (VLLM_VENV / ".lmms_general_installed").exists():
        if os.environ.get(BUILD_VAR) != "1":
            pytest.skip(f"no {VLLM_VENV}: run `make setup-vllm` (~6 min, ~11 GB) or set {BUILD_VAR}=1 to build it here")
        subprocess.run(["make", "setup-vllm"], cwd=REPO, check=True, timeout=3600)
    return VLLM_VENV / "bin" / "python"


@pytest.fixture(scope="module")
def wiring(vllm_python: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("vllm_wiring")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "GENERAL_BENCH_ROOT": str(SAMPLE_ROOT), "LMMS_GENERAL_CACHE": str(tmp / "cache"), "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([str(vllm_python), str(REPO / "tests" / "scale" / "vllm_wiring.py"), str(tmp / "out.json")],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return json.loads((tmp / "out.json").read_text())


@pytest.mark.slow
def test_vllm_env_has_the_pinned_versions(vllm_python: Path) -> None:
    code = ("import torch, torchvision, vllm, lmms_eval\n"
            "print(vllm.__version__, torch.__version__, torchvision.__version__)")
    proc = subprocess.run([str(vllm_python), "-c", code], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    vllm, torch, torchvision = proc.stdout.split()[-3:]
    assert vllm == pinned("vllm")
    assert torch.split("+")[0] == pinned("torch") and torchvision.split("+")[0] == pinned("torchvision")


@pytest.mark.slow
@pytest.mark.parametrize("wrapper", ["vllm", "vllm_chat"])
def test_vllm_wrappers_get_our_requests_and_score_them(wiring: dict, wrapper: str) -> None:
    from tests.scale.vllm_wiring import MAX_NEW_TOKENS, REPLY

    run = wiring["wrappers"][wrapper]
    effective = run["effective"]
    nlp = {t for t in effective if t.startswith("general_bench_nlp_")}
    image = {t for t in effective if t.startswith("general_bench_image_comp_")}
    assert len(nlp) == 8 and len(image) == 5 and set(effective) == nlp | image, sorted(effective)
    requests = run["requests"]
    assert len(requests) == sum(effective.values()) == 26
    assert all(r["text"].strip() for r in requests)
    # every image-comprehension sample carries its image(s) as decodable PNG data URLs, no NLP sample has one
    assert sum(bool(r["images"]) for r in requests) == sum(effective[t] for t in image)
    assert all(w > 0 and h > 0 for r in requests for w, h in r["images"])
    assert all(r["temperature"] == 0 for r in requests)
    assert all(r["max_tokens"] >= MAX_NEW_TOKENS for r in requests)
    assert run["engine_kwargs"]["model"] == "tiny"
    # our process_results scored every task on the engine's replies; nothing was dropped
    assert all(isinstance(s, (int, float)) for s in run["scores"].values()), run["scores"]
    assert {t: len(r) for t, r in run["responses"].items()} == effective
    assert all(resp == [REPLY] for rows in run["responses"].values() for resp in rows)
    # benchmarks/vllm_throughput.py turns the same conversations into LLM.generate prompts: one slot per image
    slots = run["raw_prompt_slots"]
    assert [images for _, images in slots] == [len(r["images"]) for r in requests]
    assert all(n_slots == images for n_slots, images in slots), slots


@pytest.mark.slow
def test_vllm_chat_passes_each_tasks_max_new_tokens(wiring: dict) -> None:
    """vllm_chat sends one SamplingParams per request (the simple ``vllm`` wrapper reuses one per batch)."""
    run = wiring["wrappers"]["vllm_chat"]
    configured = Counter()
    for task, n in run["effective"].items():
        configured[run["configured_max_new_tokens"][task]] += n
    assert Counter(r["max_tokens"] for r in run["requests"]) == configured
