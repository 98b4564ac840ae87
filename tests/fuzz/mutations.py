"""Seeded mutations of task archives and of ``level`` inputs, each run and classified (issue 20, item 7).

Every case ends in exactly one outcome:

* ``ok``: the problem was caught and named (or there was none);
* ``crash``: an uncaught exception;
* ``hang``: longer than :data:`BUDGET_S` seconds (a FIFO opened, a loop);
* ``silent``: a sample lost or changed, or a sample log whose line count is off, without an error or warning;
* ``misattributed``: the problem is reported, but blamed on the wrong thing (another file, the model).

Used by ``tests/fuzz/test_mutations.py`` (a seeded sample in CI) and ``benchmarks/fuzz_annotations.py`` (the
summary table).
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import struct
import traceback
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ARCHIVE = REPO / "lmms_general" / "sample_data" / "General-Bench-Openset" / "video" / "comprehension" / "AnimalVOS.zip"
ARCHIVE_KEY = "video_comp_animal_video_object_segmentation"
LEVEL_TASK = "general_bench_nlp_commonsense_reasoning"
BUDGET_S = 20
OUTCOMES = ("ok", "crash", "hang", "silent", "misattributed")


class Hang(Exception):
    """The case ran past its time budget."""


@contextmanager
def budget(seconds: int = BUDGET_S) -> Iterator[None]:
    """Raise :class:`Hang` after ``seconds`` (SIGALRM; main thread only)."""

    def _alarm(_signum: int, _frame: Any) -> None:
        raise Hang(f"over {seconds}s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def classify(case: Callable[[], str]) -> tuple[str, str]:
    """Run one case under the time budget: (outcome, detail)."""
    try:
        with budget():
            return case(), ""
    except Hang as exc:
        return "hang", str(exc)
    except Exception:  # noqa: BLE001 - what is being counted
        return "crash", traceback.format_exc(limit=-2)


# --- archives -----------------------------------------------------------------------------------------------------

def _member_data_offset(raw: bytes, info: zipfile.ZipInfo) -> int:
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26: info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len


def archive_mutations() -> list[str]:
    """The kinds of archive mutation :func:`mutate_archive` makes."""
    return ["flip_member_byte", "flip_any_byte", "truncate", "duplicate_entry", "file_folder_clash", "long_name"]


def mutate_archive(kind: str, rng: random.Random, dest: Path) -> str | None:
    """Write a mutated copy of the sample task archive to ``dest``; returns the member whose bytes were changed
    (``flip_member_byte``), else None."""
    raw = bytearray(ARCHIVE.read_bytes())
    with zipfile.ZipFile(ARCHIVE) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        contents = {i.filename: zf.read(i) for i in infos}
    touched = None
    if kind == "flip_member_byte":
        info = rng.choice([i for i in infos if i.compress_size])
        raw[_member_data_offset(raw, info) + rng.randrange(info.compress_size)] ^= 1 << rng.randrange(8)
        touched = info.filename
    elif kind == "flip_any_byte":
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del raw[rng.randrange(1, len(raw)):]
    else:
        extra = {"duplicate_entry": [("annotation.json", b'{"data": []}')],
                 "file_folder_clash": [("JPEGImages", b"a file where a folder is")],
                 "long_name": [("JPEGImages/v1/" + "x" * rng.randrange(256, 600) + ".jpg", b"x")]}[kind]
        import warnings

        with warnings.catch_warnings(), zipfile.ZipFile(dest, "w") as zf:
            warnings.simplefilter("ignore")
            for name, data in [*contents.items(), *extra]:
                zf.writestr(name, data)
        return None
    dest.write_bytes(bytes(raw))
    return touched


def archive_case(kind: str, seed: int, base: Path) -> Callable[[], str]:
    """One archive mutation, loaded as a task: the returned callable gives the outcome."""

    def case() -> str:
        from lmms_general.dataset import clear_process_cache, index_root, load_task

        rng = random.Random(seed)
        root = base / f"{kind}-{seed}" / "General-Bench-Openset"
        folder = root / "video" / "comprehension"
        folder.mkdir(parents=True)
        archive = folder / ARCHIVE.name
        touched = mutate_archive(kind, rng, archive)
        clear_process_cache()
        index_root(root, use_cache=False)
        data = load_task(root, ARCHIVE_KEY)
        with zipfile.ZipFile(ARCHIVE) as zf:
            pristine = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
        all_errors = " ".join(data.errors)
        if not data.samples:  # the task failed as a whole: fine when the archive is named
            return "ok" if str(archive) in all_errors or ARCHIVE.name in all_errors else "misattributed"
        if len(data.samples) != 2 and not data.errors:
            return "silent"
        for sample in data.samples:
            changed = [ref for ref in sample.media if ref.path is not None and ref.path.is_dir()
                       and _frames_changed(ref.path, pristine)]
            missing = touched is not None and any(
                ref.path is not None and ref.path.is_dir() and touched.startswith(
                    "/".join(ref.path.parts[-2:])) for ref in sample.media)
            if (changed or missing) and not sample.errors:
                return "silent"
            if missing and not any(touched in e and ARCHIVE.name in e for e in sample.errors):
                return "misattributed"
        return "ok"

    return case


def _frames_changed(folder: Path, pristine: dict[str, bytes]) -> bool:
    """Whether an unpacked frame folder differs from the pristine archive's frames (a byte or a file)."""
    rel = "/".join(folder.parts[-2:])
    expected = {n.rsplit("/", 1)[1]: d for n, d in pristine.items() if n.startswith(rel + "/")}
    found = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    return found != expected


# --- level inputs -------------------------------------------------------------------------------------------------

def _level_fixtures() -> Any:
    """``tests/level/level_fixtures.py`` of this tree (the benchmark runs without the repository on the path)."""
    import importlib.util
    import sys

    if "fuzz_level_fixtures" not in sys.modules:
        spec = importlib.util.spec_from_file_location("fuzz_level_fixtures",
                                                      REPO / "tests" / "level" / "level_fixtures.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["fuzz_level_fixtures"] = module
    return sys.modules["fuzz_level_fixtures"]


def level_mutations() -> list[str]:
    """The kinds of ``level`` input mutation :func:`level_case` makes."""
    return ["cut_log", "double_log", "garbage_line", "truncate_results", "fifo_results", "deep_results",
            "binary_log"]


def level_case(kind: str, seed: int, base: Path) -> Callable[[], str]:
    """One mutated lmms-eval output folder read by ``level`` (reader and full CLI)."""

    def case() -> str:
        from lmms_general.cli import main as cli_main
        from lmms_general.results import read_lmms_runs
        from lmms_general.results.types import ResultsError
        fixtures = _level_fixtures()
        items, write_run = fixtures.items, fixtures.write_run

        rng = random.Random(seed)
        folder = base / f"{kind}-{seed}" / "runs"
        n = rng.randrange(2, 9)
        results = write_run(folder, "20250101_000000", "m", {LEVEL_TASK: 50.0},
                            samples={LEVEL_TASK: items([rng.randrange(2) for _ in range(n)])})
        doc = json.loads(results.read_text())
        doc["n-samples"][LEVEL_TASK] = {"original": n, "effective": n}
        results.write_text(json.dumps(doc))
        log = folder / f"20250101_000000_samples_{LEVEL_TASK}.jsonl"
        lines = log.read_text().splitlines()
        expect_warning = False
        if kind == "cut_log":
            log.write_text("\n".join(lines[: rng.randrange(1, n)]) + "\n")
            expect_warning = True
        elif kind == "double_log":
            log.write_text("\n".join(lines * 2) + "\n")
            expect_warning = True
        elif kind == "garbage_line":
            lines[rng.randrange(n)] = "{not json"
            log.write_text("\n".join(lines) + "\n")
        elif kind == "binary_log":
            log.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        elif kind == "truncate_results":
            text = results.read_bytes()
            results.write_bytes(text[: rng.randrange(1, len(text))])
        elif kind == "fifo_results":
            os.mkfifo(folder / "20250102_000000_results.json")
        elif kind == "deep_results":
            results.write_text('{"results": ' + "[" * 100000 + "]" * 100000 + "}")
        try:
            [ms] = read_lmms_runs([folder])
        except ResultsError as exc:
            named = str(results) in str(exc) or str(folder) in str(exc)
            return "ok" if named else "misattributed"
        out = base / f"{kind}-{seed}" / "out"
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            cli_main(["level", str(folder), "--out-dir", str(out)])
        if not (out / "level.json").is_file():
            return "crash"
        warned = [w for w in ms.warnings if "sample lines" in w]
        if expect_warning and not warned:
            return "silent"
        if warned and not all(str(log) in w for w in warned):
            return "misattributed"
        return "ok"

    return case


def run_cases(base: Path, seeds: range) -> dict[str, dict[str, int]]:
    """Every archive and level mutation for each seed: ``{family: {outcome: count}}``."""
    summary = {family: dict.fromkeys(OUTCOMES, 0) for family in ("archive", "level")}
    for seed in seeds:
        for kind in archive_mutations():
            outcome, _ = classify(archive_case(kind, seed, base / "archives"))
            summary["archive"][outcome] += 1
        for kind in level_mutations():
            outcome, _ = classify(level_case(kind, seed, base / "level"))
            summary["level"][outcome] += 1
    return summary


def cleanup(base: Path) -> None:
    shutil.rmtree(base, ignore_errors=True)
