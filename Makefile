# Two entry points: `make demo` (set up + run the main job on the bundled sample data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.lmms_general_installed
SAMPLE_ROOT := $(CURDIR)/lmms_general/sample_data/General-Bench-Openset
DEMO_OUT ?= runs/demo
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1

.PHONY: setup setup-vllm demo test test-fast lint yamls benchmarks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first: the CUDA build of 2.14.1 runs on CPU and is the pair lmms-eval's torchvision pin accepts
	$(BIN)/python -m pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The GPU route beside the main venv: the pinned `[vllm]` extra (vLLM pins torch 2.14.0, `make setup` has 2.14.1)
VLLM_VENV ?= .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.lmms_general_installed

$(VLLM_STAMP): pyproject.toml
	test -x $(VLLM_VENV)/bin/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install -q --upgrade pip
	$(VLLM_VENV)/bin/python -m pip install -q -e '.[vllm]'
	touch $(VLLM_STAMP)

setup-vllm: $(VLLM_STAMP)

demo: setup
	rm -rf $(DEMO_OUT)
	GENERAL_BENCH_ROOT=$(SAMPLE_ROOT) $(BIN)/python -m lmms_general.demo --out $(DEMO_OUT)

test: setup
	$(BIN)/python -m pytest -m "slow or not slow" -q -rs

test-fast: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check lmms_general model_adapters tests tools benchmarks

# the README's Benchmarks table: each script prints the command that produced its figures and the machine
BENCH_OUT ?= runs/benchmarks
# $(call bench,NAME,SCRIPT ARGS): run one script, keep its output in $(BENCH_OUT)/NAME.txt, fail when it fails
bench = PYTHONPATH=$(CURDIR) $(BIN)/python $(2) > $(BENCH_OUT)/$(1).txt; status=$$?; cat $(BENCH_OUT)/$(1).txt; exit $$status
benchmarks: setup
	mkdir -p $(BENCH_OUT)
	$(call bench,bench_metrics,benchmarks/bench_metrics.py)
	$(call bench,bench_visual_overhead,benchmarks/bench_visual_overhead.py)
	$(call bench,bench_doc_path,benchmarks/bench_doc_path.py)
	$(call bench,bench_level_100,benchmarks/bench_level.py --samples 100 --ap-samples 0)
	$(call bench,bench_level_1000,benchmarks/bench_level.py --samples 1000 --ap-samples 0)
	$(call bench,bench_entry_point,benchmarks/bench_entry_point.py)
	$(call bench,bench_index,benchmarks/bench_index.py)
	$(call bench,bench_archive_index,benchmarks/bench_archive_index.py)
	$(call bench,bench_adapters,benchmarks/bench_adapters.py)

yamls: setup
	$(BIN)/python tools/build_registry.py
	$(BIN)/python -m lmms_general.codegen

clean:
	rm -rf $(VENV) $(VLLM_VENV) runs general_bench_outputs
