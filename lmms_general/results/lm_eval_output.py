"""lm-evaluation-harness output: ``<out>/<model>/results_<time>.json`` + ``samples_<task>_<time>.jsonl``.

Their content is the same as lmms-eval's (``results``, ``configs[task].metadata.general_bench``,
per-sample ``score`` items), only the file names differ; :mod:`lmms_general.results.lmms_output` calls the
three helpers below so ``lmms-general level`` reads both harnesses' folders.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^results_(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})(?:\.\d+)?\.json$")


def is_lm_eval_results(path: Path) -> bool:
    """Whether ``path`` is named like an lm-eval results file."""
    return bool(_NAME.match(path.name))


def find_lm_eval_results(folder: Path) -> list[Path]:
    """Every lm-eval results file under ``folder``."""
    return sorted(p for p in folder.rglob("results_*.json") if is_lm_eval_results(p))


def lm_eval_stamp(path: Path) -> str | None:
    """The run time as lmms-eval's ``YYYYMMDD_HHMMSS`` (so runs of both harnesses order together)."""
    match = _NAME.match(path.name)
    if not match:
        return None
    y, mo, d, h, mi, s = match.groups()
    return f"{y}{mo}{d}_{h}{mi}{s}"


def lm_eval_samples_path(results: Path, task: str) -> Path:
    """The sample log of ``task`` written with the results file ``results``."""
    suffix = results.name[len("results_"):-len(".json")]
    return results.parent / f"samples_{task}_{suffix}.jsonl"
