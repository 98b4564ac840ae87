"""Chamfer distance vs brute-force numpy; point/mesh readers; missing outputs."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.metrics import get_metric, media
from lmms_general.metrics.three_d import chamfer


def _brute(a: np.ndarray, b: np.ndarray) -> float:
    d = np.linalg.norm(a[:, None] - b[None], axis=-1) ** 2
    return float(d.min(1).mean() + d.min(0).mean())


def test_chamfer_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(40, 3)), rng.normal(size=(55, 3))
    assert chamfer(a, b) == pytest.approx(_brute(a, b))
    assert chamfer(a, a) == 0.0
    d = np.linalg.norm(a[:, None] - b[None], axis=-1)
    assert chamfer(a, b, squared=False) == pytest.approx((d.min(1).mean() + d.min(0).mean()) / 2)


def test_chamfer_metric_files_and_failures(tmp_path) -> None:
    rng = np.random.default_rng(1)
    ref, pred = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    np.save(tmp_path / "ref.npy", ref)
    np.savetxt(tmp_path / "pred.xyz", pred)
    (tmp_path / "bad.npy").write_bytes(b"junk")
    refs = [{"target": [str(tmp_path / "ref.npy")]}] * 4
    preds = [str(tmp_path / "pred.xyz"), str(tmp_path / "ref.npy"), None, str(tmp_path / "bad.npy")]
    worst = _brute(np.zeros((1, 3)), ref)
    assert get_metric("chamfer_distance").score(preds, refs) == pytest.approx((_brute(pred, ref) + 0 + 2 * worst) / 4)


def test_ply_obj_off_readers(tmp_path) -> None:
    verts = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], float)
    faces = [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]
    ply = [
        "ply",
        "format ascii 1.0",
        "element vertex 4",
        "property float x",
        "property float y",
        "property float z",
        "element face 4",
        "property list uchar int vertex_indices",
        "end_header",
    ]
    ply += [" ".join(map(str, v)) for v in verts] + [f"3 {' '.join(map(str, f))}" for f in faces]
    (tmp_path / "m.ply").write_text("\n".join(ply) + "\n")
    (tmp_path / "m.obj").write_text(
        "\n".join(
            [f"v {' '.join(map(str, v))}" for v in verts] + [f"f {' '.join(str(i + 1) for i in f)}" for f in faces]
        )
    )
    (tmp_path / "m.off").write_text(
        "OFF\n4 4 0\n"
        + "\n".join(" ".join(map(str, v)) for v in verts)
        + "\n"
        + "\n".join(f"3 {' '.join(map(str, f))}" for f in faces)
    )
    header = (
        "ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
        "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
    )
    body = np.zeros(4, dtype=[("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("r", "u1"), ("g", "u1"), ("b", "u1")])
    body["x"], body["y"], body["z"], body["r"] = verts[:, 0], verts[:, 1], verts[:, 2], 255
    (tmp_path / "c.ply").write_bytes(header.encode() + body.tobytes())
    for name in ("m.ply", "m.obj", "m.off"):
        points, _ = media.load_points(tmp_path / name, n_samples=500)
        assert points.shape == (500, 3)
        assert points.min() >= -1e-9 and points.sum(axis=1).max() <= 1 + 1e-9  # inside the tetrahedron's hull
    points, colours = media.load_points(tmp_path / "c.ply")
    assert np.allclose(points, verts) and np.allclose(colours[:, 0], 1.0)
    renders = media.render_points(points, colours, views=2, size=32)
    assert len(renders) == 2 and renders[0].shape == (32, 32, 3)
    with pytest.raises(media.MediaError, match="not found"):
        media.load_points(tmp_path / "missing.ply")
