"""`lmms-general weights list / fetch / check` against an empty cache, a local HTTP server and a hub seam."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lmms_general import offline
from lmms_general.cli import main
from lmms_general.metrics import model_table, weights_manifest
from lmms_general.metrics.model_table import MODEL_TABLE


@pytest.fixture
def empty_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    for name in MODEL_TABLE:
        monkeypatch.delenv(f"LMMS_GENERAL_MODEL_{name}", raising=False)
    offline.forget()
    return tmp_path


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 serving ``tmp_path / "served"``."""
    served = tmp_path / "served"
    served.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


def _serve_weights(monkeypatch: pytest.MonkeyPatch, base: str, served: Path, name: str, payload: bytes,
                   good_hash: bool = True) -> Path:
    """Serve ``payload`` under a torch-hub style name (``stem-<sha256 prefix>.pth``) and point ``name`` at it."""
    digest = hashlib.sha256(payload if good_hash else b"other").hexdigest()[:8]
    filename = f"{name.lower()}-{digest}.pth"
    (served / filename).write_bytes(payload)
    source = replace(MODEL_TABLE[name], url=f"{base}/{filename}")
    monkeypatch.setitem(model_table.MODEL_TABLE, name, source)
    return served / filename


def test_check_on_an_empty_cache_exits_1_naming_every_missing_model(
    empty_caches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["weights", "check"]) == 1
    out = capsys.readouterr().out
    for name in MODEL_TABLE:
        assert f"lmms-general weights fetch {name}" in out
    assert "missing  INCEPTION       blocks 17 rows (fid)" in out


def test_list_json_has_every_model_with_its_metrics_rows_and_cache(
    empty_caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weights.json"
    assert main(["weights", "list", "--json", str(out)]) == 0
    everything = {e["name"]: e for e in json.loads(out.read_text())}
    entries = {name: e for name, e in everything.items() if e["metrics"]}
    assert set(entries) == set(MODEL_TABLE)
    # the adapters' default models, read from their signatures: listed, not metric weights
    assert everything["JANUS"]["source"] == "deepseek-community/Janus-Pro-1B@main" and everything["JANUS"]["rows"] == []
    assert {"EMU2_CHAT", "EMU2_GEN", "EMU3"} <= set(everything)
    clip = entries["CLIP"]
    assert clip["source"] == "openai/clip-vit-base-patch32@main"
    assert "clip_score" in clip["metrics"] and clip["n_rows"] == len(clip["rows"]) > 0
    assert clip["cache_path"] == str(empty_caches / "hf" / "models--openai--clip-vit-base-patch32")
    assert entries["R3D_18"]["cache_path"].endswith("torch/hub/checkpoints/r3d_18-b3b3357e.pth")
    assert all(e["size_bytes"] > 0 and e["present"] is False for e in entries.values())
    assert everything["JANUS"]["size_bytes"] is None  # not published in our table: unknown until fetched
    assert "INCEPTION" in capsys.readouterr().out


def test_fetch_url_end_to_end_from_a_local_server_then_check_sees_it(
    empty_caches: Path, file_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    base, served = file_server
    payload = bytes(range(256)) * 400
    _serve_weights(monkeypatch, base, served, "R3D_18", payload)
    assert main(["weights", "fetch", "r3d_18"]) == 0
    cached = Path(weights_manifest.cache_path(model_table.MODEL_TABLE["R3D_18"]))
    assert cached.read_bytes() == payload
    assert cached.parent == empty_caches / "torch" / "hub" / "checkpoints"
    assert main(["weights", "check"]) == 1
    out = capsys.readouterr().out
    assert f"ok       R3D_18          {cached}" in out
    assert "weights fetch R3D_18" not in out.split("ok       R3D_18")[1]


def test_fetch_into_a_dir_says_which_variables_point_a_run_at_it(
    empty_caches: Path, file_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    base, served = file_server
    _serve_weights(monkeypatch, base, served, "INCEPTION", b"inception weights")
    dest = empty_caches / "airgap"
    assert main(["weights", "fetch", "INCEPTION", "--dir", str(dest)]) == 0
    target = dest / "torch" / "hub" / "checkpoints" / model_table.MODEL_TABLE["INCEPTION"].filename
    assert target.read_bytes() == b"inception weights"
    out = capsys.readouterr().out
    assert f"TORCH_HOME={dest.resolve() / 'torch'}" in out and "HF_HUB_CACHE=" in out
    monkeypatch.setenv("TORCH_HOME", str(dest / "torch"))
    assert weights_manifest.present(model_table.MODEL_TABLE["INCEPTION"]) == str(target)


def test_fetch_rejects_a_file_whose_hash_does_not_match_its_name(
    empty_caches: Path, file_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    base, served = file_server
    _serve_weights(monkeypatch, base, served, "MUSIQ", b"tampered", good_hash=False)
    assert main(["weights", "fetch", "MUSIQ"]) == 1
    assert "MUSIQ: failed" in capsys.readouterr().err
    assert weights_manifest.present(model_table.MODEL_TABLE["MUSIQ"]) is None


def test_hub_patterns_take_configs_and_one_weights_format() -> None:
    both = ["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack"]
    patterns = weights_manifest.hub_patterns(both)
    assert "model.safetensors" in patterns and "*.json" in patterns
    assert not {"pytorch_model.bin", "tf_model.h5", "flax_model.msgpack"} & set(patterns)
    sharded = ["config.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin", "tf_model.h5"]
    assert weights_manifest.hub_patterns(sharded)[-2:] == sharded[1:3]


def test_fetch_needs_a_known_name(empty_caches: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["weights", "fetch", "NOPE"]) == 2
    assert "unknown network(s) NOPE" in capsys.readouterr().err
    assert main(["weights", "fetch"]) == 2


def test_task_requirements_and_runnable_follow_the_cache(
    empty_caches: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "req.json"
    assert main(["tasks", "--requirements", "--paradigm", "generation", "--json", str(out)]) == 0
    reqs = {r["key"]: r for r in json.loads(out.read_text())}
    fid = next(r for r in reqs.values() if r["metric_id"] == "fid")
    psnr = next(r for r in reqs.values() if r["metric_id"] == "psnr")
    mos = next(r for r in reqs.values() if r["metric_id"] == "mos")
    assert fid["weights"] == ["INCEPTION"] and fid["missing"] == ["weights INCEPTION"] and not fid["runnable"]
    assert psnr["weights"] == [] and psnr["runnable"] and psnr["output"] == "image"
    assert mos["judge"] and "a judge" in mos["missing"]
    capsys.readouterr()
    assert main(["tasks", "--runnable", "--paradigm", "generation"]) == 0
    runnable = capsys.readouterr().out.split()
    assert psnr["task"] in runnable and fid["task"] not in runnable and mos["task"] not in runnable
    weights = tmp_path / "inception.pth"
    weights.write_bytes(b"w")
    monkeypatch.setenv("LMMS_GENERAL_MODEL_INCEPTION", str(weights))
    assert main(["tasks", "--runnable", "--paradigm", "generation"]) == 0
    assert fid["task"] in capsys.readouterr().out.split()


def test_level_terminal_names_each_missing_network_once_with_every_blocked_row(empty_caches: Path) -> None:
    """The notes of tasks a missing network left unscored become one terminal line per network: all the rows that
    need it (i2v_composite needs CLIP and DINO although its note names the first failure only) and the command."""
    from types import SimpleNamespace

    from lmms_general.reports.terminal import missing_weights_lines

    note = ("general_bench_video_gen_plant_image_to_video_generation: still not scorable from x.jsonl: ValueError: "
            "metric i2v_composite failed: ModelUnavailableError: DINO model ... run `lmms-general weights fetch DINO`")
    other = "general_bench_nlp_causal_reasoning: kept at its point score in the bootstrap (no items)"
    reports = [SimpleNamespace(messages=[note, other]), SimpleNamespace(messages=[note])]
    lines = missing_weights_lines(reports)
    assert [line.split(" row(s) need ")[1].split(" ")[0] for line in lines] == ["CLIP", "DINO"]
    assert all("video_gen_plant_image_to_video_generation" in line for line in lines)
    assert "lmms-general weights fetch CLIP" in lines[0] and "LMMS_GENERAL_MODEL_DINO" in lines[1]


def test_fetch_from_a_local_fake_hub_then_the_metric_loads_it_offline(
    empty_caches: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end through huggingface_hub: `weights fetch DINO` from a hub on 127.0.0.1 (only the safetensors weights
    and the configs), `weights check` sees it, and the DINO metric loader then reads it with the hub offline."""
    from huggingface_hub import constants

    from lmms_general.metrics import models
    from tests.fixtures.fake_hub import FakeHub
    from tests.metrics._tiny_models import build_dino

    tiny = build_dino(tmp_path / "dino")
    files = {p.name: p.read_bytes() for p in tiny.iterdir() if p.is_file()}
    files["pytorch_model.bin"] = b"an older copy of the weights that must not be fetched"
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with FakeHub({"facebook/dino-vitb16": files}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        assert main(["weights", "fetch", "DINO"]) == 0
    fetched = {path for method, path in hub.requests if method == "GET" and "/resolve/" in path}
    assert any(p.endswith("/model.safetensors") for p in fetched)
    assert not any(p.endswith("/pytorch_model.bin") for p in fetched)
    snapshot = weights_manifest.present(MODEL_TABLE["DINO"])
    assert snapshot and Path(snapshot, "model.safetensors").read_bytes() == files["model.safetensors"]
    capsys.readouterr()
    main(["weights", "check"])
    assert f"ok       DINO            {snapshot}" in capsys.readouterr().out

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the hub is gone: the loader reads the fetched cache only
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    models.load_vision_backbone.cache_clear()
    try:
        import numpy as np

        emb = models.backbone_embeddings([np.zeros((32, 32, 3), np.uint8)], "facebook/dino-vitb16")
    finally:
        models.load_vision_backbone.cache_clear()
    assert emb.shape == (1, 32) and np.isclose(np.linalg.norm(emb), 1.0)
