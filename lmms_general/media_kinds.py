"""Media kinds by file suffix: the one table every reader, hook, metric and adapter uses.

``.gif`` is decided here once: it is an **image**. A still or animated image is read as image frames
(PIL reads the first frame where one image is wanted; a clip reader decodes every frame), so where a clip is
expected an animated image is accepted too (:data:`CLIP_SUFFIXES`).
"""

from __future__ import annotations

#: the media kind of each file suffix (lower case, with the dot)
KIND_BY_EXT: dict[str, str] = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"), "image"),
    **dict.fromkeys((".mp4", ".avi", ".mov", ".mkv", ".webm", ".flv", ".m4v", ".mpg", ".mpeg"), "video"),
    **dict.fromkeys((".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus"), "audio"),
    **dict.fromkeys((".npy", ".ply", ".pcd", ".xyz", ".pts", ".las"), "pointcloud"),
    **dict.fromkeys((".obj", ".glb", ".gltf", ".off", ".stl", ".fbx"), "mesh"),
    **dict.fromkeys((".npz", ".exr", ".pfm"), "depth"),
    **dict.fromkeys((".flo", ".sens", ".mat"), "file"),
}


def suffixes(*kinds: str) -> tuple[str, ...]:
    """The suffixes of these kinds, in table order."""
    return tuple(ext for ext, kind in KIND_BY_EXT.items() if kind in kinds)


IMAGE_SUFFIXES: tuple[str, ...] = suffixes("image")
VIDEO_SUFFIXES: tuple[str, ...] = suffixes("video")
AUDIO_SUFFIXES: tuple[str, ...] = suffixes("audio")
#: point clouds and meshes (a 3D file an adapter or a 3D metric is handed as a path)
THREE_D_SUFFIXES: tuple[str, ...] = suffixes("pointcloud", "mesh")
#: images that may hold several frames
ANIMATED_IMAGE_SUFFIXES: tuple[str, ...] = (".gif",)
#: where a clip is expected: a video file, or an animated image read as its frames
CLIP_SUFFIXES: tuple[str, ...] = VIDEO_SUFFIXES + ANIMATED_IMAGE_SUFFIXES
#: files the 3D metrics read as points (arrays, text point lists, PLY / OBJ / OFF)
POINT_FILE_SUFFIXES: tuple[str, ...] = (".npy", ".npz", ".xyz", ".txt", ".pts", ".ply", ".obj", ".off")

assert set(ANIMATED_IMAGE_SUFFIXES) <= set(IMAGE_SUFFIXES)


def media_kind(path: str) -> str | None:
    """The media kind of a path by its suffix, or None when the suffix is not a media suffix."""
    dot = path.rfind(".")
    return KIND_BY_EXT.get(path[dot:].lower()) if dot > 0 else None
