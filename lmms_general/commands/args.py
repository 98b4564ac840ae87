"""Argument types shared by the sub-commands: every bad value is a one-line ``error: ...``, never a traceback.

Each function is an ``argparse`` ``type=``: it returns the converted value or raises
``argparse.ArgumentTypeError`` with a message that says what was expected.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

ROOT_ENV = "GENERAL_BENCH_ROOT"


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` whose errors are one line on stderr (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _int_at_least(text: str, low: int) -> int:
    """An integer >= ``low``, or an ``ArgumentTypeError`` saying what was expected."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    return _int_at_least(text, 0)


def positive_int(text: str) -> int:
    """An integer >= 1."""
    return _int_at_least(text, 1)


def n_boot(text: str) -> int:
    """Bootstrap replicates: 0 (no intervals) or at least 2 (one replicate has no spread)."""
    value = non_negative_int(text)
    if value == 1:
        raise argparse.ArgumentTypeError("--n-boot 1 gives no interval: use 0 (no intervals) or >= 2 (e.g. 1000)")
    if value > 1_000_000:
        raise argparse.ArgumentTypeError(f"--n-boot {value} is more than 1,000,000 replicates")
    return value


def seed(text: str) -> int:
    """A numpy seed: 0 <= seed < 2**32."""
    value = non_negative_int(text)
    if value >= 2**32:
        raise argparse.ArgumentTypeError(f"seed must be < 2**32, got {value}")
    return value


def output_file(text: str) -> Path:
    """A file path to write: not an existing folder, not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty output path")
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {path}: it is a folder; give a file path inside it")
    return path


def output_dir(text: str) -> Path:
    """A folder to write into: not an existing file."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty output folder")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a file; give a folder")
    return path


def file_stem(text: str) -> str:
    """A name used inside a file name: letters, digits, ``.``, ``_`` and ``-`` only."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", text):
        raise argparse.ArgumentTypeError(f"{text!r}: use letters, digits, '.', '_' or '-' (it names the zip file)")
    return text


def existing_path(text: str) -> Path:
    """A file or folder that exists."""
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{path}: no such file or folder")
    return path


def data_root(text: str) -> Path:
    """A General-Bench root: an existing, non-empty folder (``""``: neither ``--root`` nor the variable given)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"no General-Bench folder: pass --root DIR or set {ROOT_ENV}")
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{path}: no such folder ({ROOT_ENV} or --root)")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a file; --root needs the General-Bench folder")
    try:
        empty = next(path.iterdir(), None) is None
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{path}: cannot list the folder: {exc.strerror}") from None
    if empty:
        raise argparse.ArgumentTypeError(
            f"{path} is empty, not a General-Bench tree; put General-Bench-Openset or -Closeset there "
            f"(or run lmms-eval with GENERAL_BENCH_DOWNLOAD=1 to fetch the requested tasks)"
        )
    return path


def add_root_argument(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--root``, defaulting to ``$GENERAL_BENCH_ROOT``; with neither, one error naming both.

    The default is a string, so argparse checks it with :func:`data_root` like a given value.
    """
    env = os.environ.get(ROOT_ENV, "")
    parser.add_argument(
        "--root", type=data_root, default=env,
        help=f"{help_text} (default: ${ROOT_ENV}{'=' + env if env else ', unset'})",
    )


def fail(prog: str, message: str, status: int = 2) -> int:
    """Print ``prog: error: message`` as one line on stderr and return ``status``."""
    print(f"{prog}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return status
