"""``validate --deep``: decode every media file completely and report the ones that do not decode.

Images decode through Pillow (every frame of an animation), audio through soundfile, video through
PyAV (falling back to decord, then imageio), ``.npy``/``.npz`` through numpy, ``.ply``/``.off``/
``.obj``/``.xyz``/``.pts`` by their headers and vertex data, ``.flo`` by its magic and size. Frame
folders decode every image in them. Only regular files are opened.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

from lmms_general.dataset.media import KIND_BY_EXT, is_regular_file
from lmms_general.dataset.models import MediaRef

_PLY_TYPES = {
    "char": 1, "uchar": 1, "int8": 1, "uint8": 1, "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
    "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4, "double": 8, "float64": 8,
}


def _image(path: Path) -> None:
    from PIL import Image, ImageSequence

    with Image.open(path) as img:
        for frame in ImageSequence.Iterator(img):
            frame.load()


def _audio(path: Path) -> None:
    import soundfile

    with soundfile.SoundFile(str(path)) as fh:
        while len(fh.read(65536, dtype="float32")):
            pass


def _video(path: Path) -> None:
    try:
        import av
    except ImportError:
        av = None
    if av is not None:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError("no video stream")
            frames = sum(1 for _ in container.decode(video=0))
        if frames == 0:
            raise ValueError("no decodable frame")
        return
    try:
        import decord

        reader = decord.VideoReader(str(path))
        for i in range(len(reader)):
            reader[i]
        return
    except ImportError:
        pass
    import imageio.v3 as iio

    if sum(1 for _ in iio.imiter(path)) == 0:
        raise ValueError("no decodable frame")


def _npy(path: Path) -> None:
    import numpy as np

    if path.suffix.lower() == ".npz":
        with np.load(path, allow_pickle=False) as data:
            for name in data.files:
                data[name]
    else:
        np.load(path, allow_pickle=False)


def _ply(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.readline().strip() != b"ply":
            raise ValueError("no 'ply' magic line")
        fmt, elements, header = "", [], 0
        for _ in range(10000):
            line = fh.readline()
            if not line:
                raise ValueError("no end_header")
            words = line.decode("ascii", "replace").split()
            if not words:
                continue
            if words[0] == "format":
                fmt = words[1] if len(words) > 1 else ""
            elif words[0] == "element" and len(words) == 3:
                elements.append([words[1], int(words[2]), 0, False])
            elif words[0] == "property" and elements:
                if words[1] == "list":
                    elements[-1][3] = True
                else:
                    elements[-1][2] += _PLY_TYPES.get(words[1], 0)
            elif words[0] == "end_header":
                header = fh.tell()
                break
        body = os.stat(path).st_size - header
    if fmt.startswith("binary"):
        fixed = sum(count * size for _name, count, size, has_list in elements if not has_list)
        if body < fixed:
            raise ValueError(f"{body} bytes of vertex data, header promises at least {fixed}")
    elif fmt == "ascii":
        needed = sum(count for _name, count, _size, _list in elements)
        with path.open("rb") as fh:
            fh.seek(header)
            lines = sum(1 for line in fh if line.strip())
        if lines < needed:
            raise ValueError(f"{lines} data lines, header promises {needed}")
    else:
        raise ValueError(f"unknown ply format {fmt!r}")


def _text_points(path: Path) -> None:
    import numpy as np

    data = np.loadtxt(path, ndmin=2, comments=("#", "//"))
    if data.size == 0 or data.shape[1] < 3:
        raise ValueError(f"expected rows of >= 3 numbers, got shape {data.shape}")


def _off(path: Path) -> None:
    with path.open("rb") as fh:
        if not fh.readline().strip().endswith(b"OFF"):
            raise ValueError("no OFF header")
        counts = fh.readline().split()
        vertices = int(counts[0])
        rows = sum(1 for line in fh if line.strip() and not line.startswith(b"#"))
    if rows < vertices:
        raise ValueError(f"{rows} data lines, header promises {vertices} vertices")


def _obj(path: Path) -> None:
    with path.open("rb") as fh:
        if not any(line.startswith(b"v ") for line in fh):
            raise ValueError("no vertex ('v ') line")


def _flo(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(12)
    if len(head) < 12 or struct.unpack("<f", head[:4])[0] != 202021.25:
        raise ValueError("not a Middlebury .flo file (bad magic)")
    width, height = struct.unpack("<ii", head[4:])
    if width <= 0 or height <= 0 or os.stat(path).st_size < 12 + width * height * 8:
        raise ValueError(f"truncated flow of {width}x{height}")


def _nonempty(path: Path) -> None:
    if os.stat(path).st_size == 0:
        raise ValueError("empty file")


_BY_EXT: dict[str, Callable[[Path], None]] = {
    ".npy": _npy, ".npz": _npy, ".ply": _ply, ".xyz": _text_points, ".pts": _text_points,
    ".off": _off, ".obj": _obj, ".flo": _flo,
}
_BY_KIND: dict[str, Callable[[Path], None]] = {"image": _image, "audio": _audio, "video": _video}


def decode_file(path: Path) -> None:
    """Decode one file completely by its extension; raises whatever the decoder raises."""
    ext = path.suffix.lower()
    decoder = _BY_EXT.get(ext) or _BY_KIND.get(KIND_BY_EXT.get(ext, ""), _nonempty)
    decoder(path)


def decode_media(ref: MediaRef, memo: dict[Path, str | None] | None = None) -> list[str]:
    """Error texts for the files of one media reference that do not decode (a frame folder: every image)."""
    if ref.path is None:
        return []
    if ref.path.is_dir():
        files = sorted(p for p in ref.path.iterdir() if KIND_BY_EXT.get(p.suffix.lower()) == "image")
        if not files:
            return [f"frame folder {ref.path} holds no image"]
    else:
        files = [ref.path]
    errors = []
    for path in files:
        if memo is not None and path in memo:
            error = memo[path]
        else:
            error = _decode_error(path)
            if memo is not None:
                memo[path] = error
        if error:
            errors.append(error)
    return errors


def _decode_error(path: Path) -> str | None:
    if not is_regular_file(path):
        return f"{path} is not a regular file (not opened)"
    try:
        decode_file(path)
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a corrupt file
        kind = KIND_BY_EXT.get(path.suffix.lower(), "file")
        return f"corrupt {kind} file {path} ({type(exc).__name__}: {str(exc)[:200]})"
    return None
