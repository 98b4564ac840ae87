"""Test-wide settings: no network, no hub downloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ROOT = REPO / "lmms_general" / "sample_data" / "General-Bench-Openset"


@pytest.fixture(scope="session")
def metric_models_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``LMMS_GENERAL_MODEL_*`` variables pointing at tiny random metric models (built once per session)."""
    from tests.fixtures.metric_models import build_metric_models

    return build_metric_models(tmp_path_factory.mktemp("metric_models"))
