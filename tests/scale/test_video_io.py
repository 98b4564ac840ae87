"""Video reading works without decord (PyAV fallback) and agrees with decord where it is installed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from model_adapters import video_io
from model_adapters.media_output import MediaWriter


@pytest.fixture
def mp4(tmp_path: Path) -> str:
    frames = [np.full((16, 16, 3), v, np.uint8) for v in (0, 128, 255)]
    return MediaWriter(tmp_path, "t", "s").video(frames, fps=4)


def test_pyav_fallback_without_decord(mp4: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "decord", None)  # import decord -> ImportError
    assert video_io._decord() is None
    frames = video_io.read_frames(mp4)
    assert len(frames) == 3 and frames[0].shape == (16, 16, 3) and frames[0].dtype == np.uint8
    assert abs(int(frames[1].mean()) - 128) <= 3 and frames[2].mean() > 240
    assert video_io.frame_count(mp4) == 3
    assert video_io.first_frame(mp4).size == (16, 16)
    from model_adapters.pipelines import first_frame

    assert np.asarray(first_frame(mp4)).mean() < 5


def test_unreadable_video_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "decord", None)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(Exception):  # noqa: B017 - PyAV's error type varies by version
        video_io.read_frames(str(bad))


def test_decord_and_pyav_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """32x32 frames: decord 0.6 mis-decodes 16x16 H.264 (6 channels), PyAV does not."""
    pytest.importorskip("decord")
    frames = [np.full((32, 32, 3), v, np.uint8) for v in (0, 128, 255)]
    mp4 = MediaWriter(tmp_path, "t", "s").video(frames, fps=4)
    with_decord = video_io.read_frames(mp4)
    monkeypatch.setitem(sys.modules, "decord", None)
    with_av = video_io.read_frames(mp4)
    assert len(with_decord) == len(with_av)
    for a, b in zip(with_decord, with_av, strict=True):
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 2
