"""Whether this process may use the network for metric weights, decided once, and what it already failed to load.

Offline when ``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` is set to a true value, or when one short TCP probe of
a host (the hub endpoint's host for hub repositories, the URL's host for torch-hub files; at most
``LMMS_GENERAL_NET_PROBE_TIMEOUT`` seconds, default 1) fails. The probe runs once per host and process; its answer
is remembered. Offline, loaders read only local caches (``local_files_only``, torch hub's ``checkpoints`` folder)
and a missing network raises :class:`ModelUnavailableError` at once, naming ``lmms-general weights fetch NAME``
and the ``LMMS_GENERAL_MODEL_<NAME>`` override. A network that failed to load is remembered too, so the next task
in the same process fails as fast (thread-safe: lmms-eval scores tasks in threads).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

TRUE_VALUES = {"1", "true", "yes", "on"}
_LOCK = threading.Lock()
_PROBED: dict[str, bool] = {}
_UNAVAILABLE: dict[tuple[str, str], str] = {}
_HUB_OFFLINE_BEFORE: list[bool] = []  # huggingface_hub's offline switch before we set it (restored by forget())


class ModelUnavailableError(RuntimeError):
    """A metric's network cannot be loaded (not cached locally, hub offline, bad path)."""


def offline_by_flag() -> bool:
    """True when ``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` asks for offline mode."""
    return any(os.environ.get(v, "").strip().lower() in TRUE_VALUES for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_endpoint() -> str:
    """The hub endpoint (``HF_ENDPOINT``, read now rather than at import)."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _probe(host: str, port: int, timeout: float) -> bool:
    """One TCP connect in a daemon thread, so a hanging DNS lookup cannot outlast ``timeout`` either."""
    answer: list[bool] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            answer.append(True)
        except OSError:
            answer.append(False)

    worker = threading.Thread(target=connect, daemon=True, name=f"net-probe-{host}")
    worker.start()
    worker.join(timeout)
    return bool(answer and answer[0])


def probe_target(url: str) -> tuple[str, int]:
    """The ``(host, port)`` a connection to ``url`` opens first: the proxy from ``HTTPS_PROXY`` / ``HTTP_PROXY``
    (``urllib``'s reading of the environment, ``NO_PROXY`` honoured) when one applies, else ``url``'s own host."""
    from urllib.request import getproxies, proxy_bypass

    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    proxy = getproxies().get(parsed.scheme or "https")
    if proxy and host and not proxy_bypass(host):
        via = urlparse(proxy if "://" in proxy else f"http://{proxy}")
        if via.hostname:
            return via.hostname, via.port or (443 if via.scheme == "https" else 80)
    return host, port


def network_available(url: str | None = None) -> bool:
    """Whether ``url``'s host (default: the hub endpoint) is reachable, through the configured proxy if any;
    False whenever the offline flags are set. Probed once per host and process."""
    if offline_by_flag():
        return False
    host, port = probe_target(url or hub_endpoint())
    key = f"{host}:{port}"
    with _LOCK:
        if key not in _PROBED:
            timeout = float(os.environ.get("LMMS_GENERAL_NET_PROBE_TIMEOUT", "1"))
            _PROBED[key] = bool(host) and _probe(host, port, timeout)
            if not _PROBED[key] and url is None:
                _enter_hub_offline_mode()
        return _PROBED[key]


def _enter_hub_offline_mode() -> None:
    """The hub is unreachable: switch huggingface_hub (and so transformers and datasets) to offline mode for this
    process, as ``HF_HUB_OFFLINE=1`` would have. ``local_files_only`` alone is not enough: transformers 5 still asks
    the hub for ``adapter_config.json`` (five retries) before reading the cache."""
    try:
        from huggingface_hub import constants
    except ImportError:  # not installed: nothing else can reach the hub either
        return
    if not _HUB_OFFLINE_BEFORE:
        _HUB_OFFLINE_BEFORE.append(bool(constants.HF_HUB_OFFLINE))
    constants.HF_HUB_OFFLINE = True  # read by huggingface_hub.is_offline_mode() at each call


def fetch_hint(name: str) -> str:
    """What to do about a missing network ``name``."""
    return (f"run `lmms-general weights fetch {name}` where there is network (or copy its cache here), "
            f"or set LMMS_GENERAL_MODEL_{name} to a local copy")


def unavailable(name: str, path: str, reason: str) -> ModelUnavailableError:
    """Remember that ``name`` at ``path`` cannot be loaded in this process and return the error to raise."""
    message = f"{name} model {path!r} unavailable ({reason}); {fetch_hint(name)}"
    with _LOCK:
        _UNAVAILABLE[(name, path)] = message
    return ModelUnavailableError(message)


def raise_if_known_unavailable(name: str, path: str) -> None:
    """Raise at once when ``name`` at ``path`` already failed in this process."""
    with _LOCK:
        message = _UNAVAILABLE.get((name, path))
    if message is not None:
        raise ModelUnavailableError(message)


def forget() -> None:
    """Clear the probe answers and the unavailable memo, and give huggingface_hub back the offline switch it had
    before a failed probe set it (tests; a process that just fetched weights)."""
    with _LOCK:
        _PROBED.clear()
        _UNAVAILABLE.clear()
        if _HUB_OFFLINE_BEFORE:
            from huggingface_hub import constants

            constants.HF_HUB_OFFLINE = _HUB_OFFLINE_BEFORE.pop()


def torch_checkpoints_dir(subdir: str = "") -> Path:
    """torch hub's checkpoint folder (``torch.hub.get_dir()/checkpoints``), plus ``subdir``.

    When torch is not imported yet the folder is worked out by ``get_dir``'s own rule (``$TORCH_HOME/hub``, else
    ``$XDG_CACHE_HOME/torch/hub``, else ``~/.cache/torch/hub``; ``set_dir`` needs torch imported), so asking
    whether a checkpoint is cached does not import torch (seconds and hundreds of MiB)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        hub = Path(torch.hub.get_dir())
    else:
        home = os.environ.get("TORCH_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "torch")
        hub = Path(os.path.expanduser(home)) / "hub"
    base = hub / "checkpoints"
    return base / subdir if subdir else base


def cached_url_file(name: str, url: str, subdir: str = "", hash_prefix: str | None = None) -> Path:
    """The torch-hub cache path of ``url``'s file, downloading it only when the network is there.

    Raises :class:`ModelUnavailableError` (remembered) when it is absent and the process is offline.
    """
    path = torch_checkpoints_dir(subdir) / url.rsplit("/", 1)[-1]
    if path.is_file():
        return path
    raise_if_known_unavailable(name, url)
    if not network_available(url):
        raise unavailable(name, url, f"not in {path.parent} and offline")
    from torch.hub import download_url_to_file

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        download_url_to_file(url, str(path), hash_prefix=hash_prefix, progress=True)
    except Exception as exc:  # noqa: BLE001 - network errors come in many types
        raise unavailable(name, url, f"download failed: {type(exc).__name__}: {exc}") from None
    return path
