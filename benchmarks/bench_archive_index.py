"""First index of a tree of archived tasks: unpack-everything (the old first run) vs the lazy archive index.

Usage: python benchmarks/bench_archive_index.py [--tasks 24] [--files 120] [--kib 48]

Generates ``--tasks`` archived image tasks (half ``<Task>.zip``, half ``<Task>/open.tar.gz``), each with
``--files`` incompressible media files of ``--kib`` KiB and an annotation naming them. Both sides run in this
process on the same tree, each with its own empty cache: the reference unpacks every archive and indexes the
unpacked folders (what a first run did before archives were indexed lazily); the lazy side calls
``index_root``, then loads one task (which unpacks that task's archive only). Prints times, their ratio and
the bytes each side wrote to its cache.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lmms_general.dataset import clear_process_cache, index_root, read_task  # noqa: E402
from lmms_general.dataset.annotations import find_annotation  # noqa: E402
from lmms_general.dataset.index import open_location, parse_task  # noqa: E402
from lmms_general.dataset.layout import task_locations  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paired import header  # noqa: E402


def make_tree(root: Path, tasks: int, files: int, kib: int) -> int:
    """Write the archived tasks; returns the total bytes of media inside the archives."""
    rng = os.urandom
    total = 0
    for t in range(tasks):
        name = f"Task{t:03d}"
        data = [{"id": f"s{i}", "input": {"image_file": f"images/{i}.png"}, "output": {"answer": "A"}}
                for i in range(files)]
        entries = {f"{name}/annotation.json": json.dumps({"task": name, "data": data}).encode()}
        entries.update({f"{name}/images/{i}.png": rng(kib * 1024) for i in range(files)})
        total += files * kib * 1024
        folder = root / "image" / "comprehension"
        if t % 2 == 0:
            folder.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(folder / f"{name}.zip", "w") as zf:
                for entry, content in entries.items():
                    zf.writestr(entry, content)
        else:
            (folder / name).mkdir(parents=True, exist_ok=True)
            with tarfile.open(folder / name / "open.tar.gz", "w:gz") as tf:
                for entry, content in entries.items():
                    info = tarfile.TarInfo(entry)
                    info.size = len(content)
                    tf.addfile(info, io.BytesIO(content))
    return total


def unpack_everything(root: Path) -> int:
    """The old first index: unpack each archive, then read its annotation from the unpacked folder."""
    samples = 0
    for loc in task_locations(root):
        folder, errors = open_location(loc)
        annotation, _ = find_annotation(folder, loc.name)
        assert annotation is not None and not errors, (loc, errors)
        samples += len(parse_task(folder, annotation, loc)[1])
    return samples


def cache_bytes(cache: Path) -> int:
    return sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())


def main() -> int:
    header("bench_archive_index")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=24)
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--kib", type=int, default=48)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gb-archives-") as tmp:
        root = Path(tmp) / "General-Bench-Openset"
        media = make_tree(root, args.tasks, args.files, args.kib)
        print(f"{args.tasks} archived tasks, {args.tasks * args.files} samples, {media / 2**20:.0f} MiB of media")

        os.environ["LMMS_GENERAL_CACHE"] = str(Path(tmp) / "cache-reference")
        start = time.perf_counter()
        ref_samples = unpack_everything(root)
        ref_time = time.perf_counter() - start
        ref_bytes = cache_bytes(Path(tmp) / "cache-reference")

        os.environ["LMMS_GENERAL_CACHE"] = str(Path(tmp) / "cache-lazy")
        clear_process_cache()
        start = time.perf_counter()
        index = index_root(root)
        lazy_time = time.perf_counter() - start
        lazy_bytes = cache_bytes(Path(tmp) / "cache-lazy")
        lazy_samples = sum(t.samples for t in index.tasks)
        assert lazy_samples == ref_samples, (lazy_samples, ref_samples)
        start = time.perf_counter()
        one = read_task(index.tasks[1], verify_media=False)  # a tar.gz task (what load_task does once matched)
        load_time = time.perf_counter() - start
        unpacked = sum(p.is_dir() for p in (Path(tmp) / "cache-lazy" / "unpacked").iterdir())

        print(f"reference (unpack all, index unpacked): {ref_time:.2f} s, {ref_bytes / 2**20:.1f} MiB written")
        print(f"lazy index (nothing unpacked):          {lazy_time:.2f} s, {lazy_bytes / 2**20:.2f} MiB written")
        print(f"ratio lazy / reference: time {lazy_time / ref_time:.3f}, bytes written {lazy_bytes / ref_bytes:.4f}")
        print(f"then reading one task: {load_time:.2f} s, {len(one.samples)} samples, {unpacked} archive unpacked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
