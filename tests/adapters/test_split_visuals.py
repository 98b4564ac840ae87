"""``split_visuals``: each input medium lands in its own list; point-cloud and mesh files are never opened as images."""

from __future__ import annotations

import numpy as np
from PIL import Image

from model_adapters.requests import split_visuals


def test_point_cloud_and_mesh_paths_are_clouds_not_images() -> None:
    image = Image.new("RGB", (4, 4))
    cloud = np.zeros((8, 3))
    images, videos, audios, clouds = split_visuals([image, "/d/partial0.ply", "/d/shape.OBJ", cloud, "/d/v.mp4"])
    assert images == [image] and videos == ["/d/v.mp4"] and audios == []
    assert clouds[:2] == ["/d/partial0.ply", "/d/shape.OBJ"] and clouds[2] is cloud
