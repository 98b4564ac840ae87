"""Fixtures for the scale-out tests: a tiny random causal LM (built offline) and the bundled sample tree."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))

import tiny_models  # noqa: E402

SAMPLE_ROOT = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"


def build_tiny_causal_lm(out: Path, seed: int = 0) -> Path:
    """A 2-layer random Llama with a byte-level BPE tokenizer, saved with ``save_pretrained``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    tok = tiny_models.build_byte_bpe_tokenizer(
        ["<s>", "</s>", "<pad>"], bos_token="<s>", eos_token="</s>", pad_token="<pad>", model_max_length=2048
    )
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=4096, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


@pytest.fixture(scope="session")
def tiny_causal_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny_lm") / "llama")


@pytest.fixture
def sample_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    return SAMPLE_ROOT


@pytest.fixture(scope="session")
def tiny_janus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_models.build_tiny_janus(tmp_path_factory.mktemp("tiny_janus") / "janus")


JANUS_NLP_LIMIT = 3


def janus_model_args(path: Path) -> str:
    return f"pretrained={path},max_new_tokens=8,device=cpu"


@pytest.fixture(scope="session")
def janus_single_run(tiny_janus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One lmms-eval process, janus adapter on the sample tree's NLP group: the reference for scale-out runs."""
    from tests.scale._runs import lmms_eval_args, run_lmms_eval

    tmp = tmp_path_factory.mktemp("single")
    args = lmms_eval_args("janus", janus_model_args(tiny_janus), "general_bench_nlp", tmp / "out", JANUS_NLP_LIMIT)
    run_lmms_eval(args, tmp)
    (results,) = sorted((tmp / "out").rglob("*_results.json"))
    return results
