"""Offline means offline: one probe per host, local caches only, and a missing model fails once per process."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from lmms_general import offline
from lmms_general.metrics import models
from lmms_general.metrics.model_table import MODEL_TABLE
from lmms_general.offline import ModelUnavailableError


@pytest.fixture(autouse=True)
def fresh_memo():
    offline.forget()
    yield
    offline.forget()


@pytest.fixture
def no_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    """No offline variables, and huggingface_hub's own offline switch off (restored afterwards)."""
    from huggingface_hub import constants

    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", *_PROXY_VARS):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
               "no_proxy")


def _count_connects(monkeypatch: pytest.MonkeyPatch, reachable: bool) -> list[tuple[str, int]]:
    calls: list[tuple[str, int]] = []

    class Conn:
        def close(self) -> None:
            pass

    def connect(address, timeout=None):  # noqa: ANN001 - socket's signature
        calls.append(address)
        if not reachable:
            raise OSError("network is unreachable (simulated)")
        return Conn()

    monkeypatch.setattr(socket, "create_connection", connect)
    return calls


def test_flag_means_offline_without_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_connects(monkeypatch, reachable=True)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert offline.network_available() is False
    assert calls == []


@pytest.mark.parametrize("reachable", [True, False])
def test_probe_runs_once_per_host_and_is_remembered(
    monkeypatch: pytest.MonkeyPatch, no_flags: None, reachable: bool
) -> None:
    calls = _count_connects(monkeypatch, reachable)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.example:8443")
    results = [offline.network_available() for _ in range(5)]
    results.append(offline.network_available("https://download.pytorch.org/models/r3d_18-b3b3357e.pth"))
    results.append(offline.network_available("https://download.pytorch.org/models/other.pth"))
    assert results == [reachable] * 7
    assert calls == [("hub.example", 8443), ("download.pytorch.org", 443)]


def test_the_probe_goes_to_the_proxy_when_one_is_set(monkeypatch: pytest.MonkeyPatch, no_flags: None) -> None:
    calls = _count_connects(monkeypatch, reachable=True)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    assert offline.network_available("https://download.pytorch.org/models/x.pth") is True
    assert offline.network_available("https://internal.example/models/y.pth") is True
    assert calls == [("proxy.corp.example", 3128), ("internal.example", 443)]


def test_forget_gives_huggingface_hub_its_offline_switch_back(
    monkeypatch: pytest.MonkeyPatch, no_flags: None
) -> None:
    from huggingface_hub import constants

    _count_connects(monkeypatch, reachable=False)
    assert offline.network_available() is False
    assert constants.HF_HUB_OFFLINE is True  # a failed hub probe switches the hub library offline
    offline.forget()
    assert constants.HF_HUB_OFFLINE is False


def test_hanging_probe_is_cut_at_the_timeout(monkeypatch: pytest.MonkeyPatch, no_flags: None) -> None:
    release = threading.Event()

    def hang(address, timeout=None):  # noqa: ANN001
        release.wait(5)
        raise OSError("gave up")

    monkeypatch.setattr(socket, "create_connection", hang)
    monkeypatch.setenv("LMMS_GENERAL_NET_PROBE_TIMEOUT", "0.2")
    try:
        assert offline.network_available("https://slow.example/") is False
    finally:
        release.set()


class _Loader:
    """A stand-in for a transformers class: records each ``from_pretrained`` call and fails like an empty cache."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.lock = threading.Lock()

    def from_pretrained(self, path: str, **kwargs):  # noqa: ANN201
        with self.lock:
            self.calls.append({"path": path, **kwargs})
        raise OSError(f"We couldn't connect to the hub and {path} is not in the cached files")


@pytest.mark.parametrize("how", ["flag", "probe"])
def test_offline_load_uses_the_cache_only_and_fails_once(
    monkeypatch: pytest.MonkeyPatch, no_flags: None, how: str
) -> None:
    calls = _count_connects(monkeypatch, reachable=False)
    if how == "flag":
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loader = _Loader()
    errors: list[str] = []

    def task() -> None:
        for _ in range(3):
            try:
                models._load(loader, "CLIP", "openai/clip-vit-base-patch32")
            except ModelUnavailableError as exc:
                errors.append(str(exc))

    threads = [threading.Thread(target=task) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 12
    assert 1 <= len(loader.calls) <= 4  # at most the threads that raced the first failure; then the memo answers
    assert all(call["local_files_only"] is True for call in loader.calls)
    assert "lmms-general weights fetch CLIP" in errors[-1] and "LMMS_GENERAL_MODEL_CLIP" in errors[-1]
    assert len(calls) == (1 if how == "probe" else 0)
    from huggingface_hub import constants, is_offline_mode

    # no hub found: the whole process is offline for huggingface_hub / transformers too (no adapter_config HEADs)
    if how == "probe":
        assert is_offline_mode() is True and constants.HF_HUB_OFFLINE is True


def test_online_load_may_use_the_network(monkeypatch: pytest.MonkeyPatch, no_flags: None) -> None:
    _count_connects(monkeypatch, reachable=True)
    loader = _Loader()
    with pytest.raises(ModelUnavailableError):
        models._load(loader, "DINO", "facebook/dino-vitb16")
    assert "local_files_only" not in loader.calls[0]
    from huggingface_hub import is_offline_mode

    assert is_offline_mode() is False


def test_url_weights_come_from_the_torch_cache_and_are_never_downloaded_offline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import torch.hub

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv("LMMS_GENERAL_MODEL_R3D_18", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_download(*args, **kwargs):  # noqa: ANN001, ANN202
        raise AssertionError("download attempted offline")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_download)
    with pytest.raises(ModelUnavailableError, match="lmms-general weights fetch R3D_18"):
        models.resolve_file("R3D_18")
    cached = tmp_path / "torch" / "hub" / "checkpoints" / MODEL_TABLE["R3D_18"].filename
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"weights")
    offline.forget()
    assert models.resolve_file("R3D_18") == str(cached)


def test_fid_and_fvd_fail_fast_offline_naming_the_fetch_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from lmms_general.metrics.image_generation import image_features
    from lmms_general.metrics.video_generation import fvd_features

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for var in ("LMMS_GENERAL_MODEL_INCEPTION", "LMMS_GENERAL_MODEL_R3D_18"):
        monkeypatch.delenv(var, raising=False)
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ModelUnavailableError, match="weights fetch INCEPTION.*LMMS_GENERAL_MODEL_INCEPTION"):
        image_features([image])
    with pytest.raises(ModelUnavailableError, match="weights fetch R3D_18.*LMMS_GENERAL_MODEL_R3D_18"):
        fvd_features([np.zeros((16, 8, 8, 3), np.uint8)])


def test_defaults_come_from_the_one_table() -> None:
    assert models.DEFAULT_MODELS["CLIP"] == MODEL_TABLE["CLIP"].repo_id
    assert MODEL_TABLE["INCEPTION"].hash_prefix == "6726825d"
    assert MODEL_TABLE["R3D_18"].hash_prefix == "b3b3357e"
    assert MODEL_TABLE["CLIP"].hash_prefix is None


def test_dataset_download_without_network_fails_at_once_with_a_fix(
    monkeypatch: pytest.MonkeyPatch, no_flags: None, tmp_path: Path
) -> None:
    import huggingface_hub

    from lmms_general.dataset.errors import DatasetNotFoundError
    from lmms_general.dataset.hub import download_tasks

    calls = _count_connects(monkeypatch, reachable=False)

    class NoHub:
        def list_repo_files(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            raise AssertionError("the hub was asked although the probe found no network")

    monkeypatch.setattr(huggingface_hub, "HfApi", NoHub)
    with pytest.raises(DatasetNotFoundError, match="no network.*GENERAL_BENCH_ROOT"):
        download_tasks(["nlp_causal_reasoning"], tmp_path)
    assert len(calls) == 1


def test_uncached_hub_model_offline_fails_before_importing_transformers(tmp_path: Path) -> None:
    """Offline, a hub id absent from the cache is reported unavailable without importing transformers."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom lmms_general.metrics import models\n"
            "try:\n    models.load_clip('nobody/not-a-cached-model')\nexcept models.ModelUnavailableError as e:\n"
            "    print('unavailable', 'not in' in str(e))\nprint('transformers' in sys.modules)\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["unavailable", "True", "False"]


@pytest.mark.parametrize("env", [{"TORCH_HOME": "/data/torch"}, {"XDG_CACHE_HOME": "/data/xdg"}, {}])
def test_torch_checkpoints_dir_without_importing_torch_is_torch_hubs(env: dict, tmp_path) -> None:
    """Asking where a checkpoint is cached does not import torch, and gives torch.hub's folder."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json, sys; from lmms_general.offline import torch_checkpoints_dir; before = "
            "str(torch_checkpoints_dir('x')); loaded = 'torch' in sys.modules; import torch; "
            "print(json.dumps([before, str(torch_checkpoints_dir('x')), loaded, torch.hub.get_dir()]))")
    base = {k: v for k, v in os.environ.items() if k not in ("TORCH_HOME", "XDG_CACHE_HOME")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**base, "HOME": str(tmp_path), **env})
    before, after, loaded, hub = json.loads(out.stdout.strip().splitlines()[-1])
    assert not loaded
    assert before == after == os.path.join(hub, "checkpoints", "x")
