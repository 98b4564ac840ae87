"""One media-suffix table: every reader agrees with lmms_general.media_kinds (``.gif`` an image)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lmms_general import media_kinds
from lmms_general.dataset import media as dataset_media
from lmms_general.hooks import media as hook_media
from lmms_general.metrics import media as metric_media
from lmms_general.protocol import given


def test_gif_is_an_image_everywhere() -> None:
    assert media_kinds.media_kind("clip.GIF") == "image"
    assert dataset_media.KIND_BY_EXT[".gif"] == "image"
    assert ".gif" in metric_media.IMAGE_SUFFIXES and ".gif" in hook_media._IMAGE_SUFFIXES
    assert ".gif" not in media_kinds.VIDEO_SUFFIXES
    # where a clip is expected an animated image is accepted (read as its frames)
    assert ".gif" in metric_media.VIDEO_SUFFIXES


@pytest.mark.parametrize("suffix", [".opus", ".aac", ".wav"])
def test_audio_suffixes_agree(suffix: str) -> None:
    from model_adapters import requests

    assert media_kinds.media_kind(f"a{suffix}") == "audio"
    assert suffix in metric_media.AUDIO_SUFFIXES and suffix in requests._AUDIO_EXT


def test_every_table_comes_from_the_one_table() -> None:
    from model_adapters import requests

    assert dataset_media.KIND_BY_EXT is media_kinds.KIND_BY_EXT
    assert set(metric_media.IMAGE_SUFFIXES) == set(hook_media._IMAGE_SUFFIXES) == set(given._IMAGE_SUFFIXES)
    assert set(given._VIDEO_SUFFIXES) == set(requests._VIDEO_EXT) == set(media_kinds.VIDEO_SUFFIXES)
    assert media_kinds.media_kind("notes") is None and media_kinds.media_kind("x.unknown") is None


def test_adapter_reads_a_gif_path_as_an_image(tmp_path: Path) -> None:
    from model_adapters.requests import split_visuals

    path = tmp_path / "still.gif"
    Image.fromarray(np.full((4, 6, 3), 200, dtype=np.uint8)).save(path)
    images, videos, audios, clouds = split_visuals([str(path)])
    assert len(images) == 1 and images[0].size == (6, 4) and not videos and not audios and not clouds


def test_metrics_read_an_animated_gif_as_frames(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    frames = [Image.fromarray(np.full((8, 8, 3), v, dtype=np.uint8)) for v in (0, 120, 240)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40, loop=0)
    assert metric_media.load_image(path).shape == (8, 8, 3)  # one image: the first frame
    clip = metric_media.load_video(path)
    assert clip.shape[0] == 3 and clip.shape[1:] == (8, 8, 3)
