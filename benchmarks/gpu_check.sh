#!/usr/bin/env bash
# GPU checks on one GPU, offline, at most 8 minutes: our adapters on cuda:0 through the lmms-eval CLI (a),
# lmms-eval's qwen2_vl on CUDA (b), lmms-eval's vllm wrapper against raw vllm.LLM.generate (c), two torchrun
# ranks on one GPU (d). One line per check with its figure.
#
#   bash benchmarks/gpu_check.sh --prepare [--models DIR]   # CPU: build the tiny models (default .gpu_check/models)
#   bash benchmarks/gpu_check.sh --dry-run [--models DIR]   # CPU: print the commands, check every piece is present
#   bash benchmarks/gpu_check.sh [--models DIR]             # GPU: run the checks (outputs in runs/gpu_check/)
#
# Interpreters: .venv (make setup) and .venv-vllm (make setup-vllm); GPU_CHECK_PYTHON / GPU_CHECK_VLLM_PYTHON
# point elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${GPU_CHECK_PYTHON:-.venv/bin/python}"
VLLM_PY="${GPU_CHECK_VLLM_PYTHON:-.venv-vllm/bin/python}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [[ "${1:-}" == "--prepare" ]]; then
  shift
  exec "$PY" benchmarks/gpu_prepare.py "$@"
fi
exec "$PY" benchmarks/gpu_check.py --python "$PY" --vllm-python "$VLLM_PY" "$@"
