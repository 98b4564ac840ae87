"""Per-task counts from a sample log: samples, ok / failed / unparsed / error items, first error, skill cluster.

Each line of ``*_samples_<task>.jsonl`` holds the per-sample item in ``score``: ``status`` in
{ok, unparsed, failed, missing, error, bad_reference}, ``error``, the task folder ``task_dir`` (the report's data
root) and ``skill``,
the annotation's skill cluster used by the Scope-D boards ("" when it names none). lmms-eval logs the doc row, which
is a light row (``registry_key``, ``doc_key``) holding neither; logs from before light rows
carried ``doc.payload_json``, whose task folder and context ``skill`` are still read as a fallback.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmms_general.dataset.annotations import header_skill
from lmms_general.protocol.scoring import TaskScore, item_status
from lmms_general.results.samples import ITEM_KEY, NOT_SCORED, SampleLog, iter_records, keep_item


@dataclass
class TaskStats(TaskScore):
    """What one task's sample log says about its samples: the counts of :class:`~lmms_general.protocol.TaskScore`
    (``n`` samples, ``n_scored`` with a reference answer, ``n_<status>`` per status; no score: a log is counted
    here, scored by :func:`~lmms_general.protocol.task_score`) plus what only the log tells."""

    key: str = ""
    score: float | None = None
    n: int = 0
    n_scored: int = 0
    first_error: str = ""
    skill: str = ""
    task_dir: str = ""
    bad_lines: list[str] = field(default_factory=list)

    @property
    def samples(self) -> int:
        return self.n

    def count(self, status: str) -> int:
        return getattr(self, f"n_{status}", 0)

    @property
    def no_answer(self) -> int:
        """Samples without a usable answer: ``failed`` (the model gave none) plus ``missing`` (no prediction)."""
        return self.count("failed") + self.count("missing")

    @property
    def answerless(self) -> bool:
        """Samples but no reference answer in any of them: a Closeset run (scored only by the leaderboard)."""
        return (self.n > 0 and self.n_scored == 0 and not self.bad_lines
                and not self.count("bad_reference"))  # malformed references are a data problem, not the Closeset


def _doc_payload(record: dict[str, Any]) -> dict[str, Any]:
    doc = record.get("doc")
    text = doc.get("payload_json") if isinstance(doc, dict) else None
    if not isinstance(text, str):
        return {}
    try:
        body = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _skill(body: dict[str, Any]) -> str:
    return header_skill(body.get("context")) or header_skill(body.get("sample"))


def read_task_stats(path: str | Path) -> TaskStats:
    """Count the items of one sample log by status; a line without an item counts as an ``error`` sample."""
    return read_task_log(path, keep=False)[0]


def read_task_log(path: str | Path, keep: bool = True) -> tuple[TaskStats, SampleLog]:
    """One pass over a sample log: its counts (:func:`read_task_stats`) and, with ``keep``, its items as
    :func:`~lmms_general.results.samples.read_sample_items` reads them (without :data:`NOT_SCORED` fields), so
    ``lmms-general level`` parses each log once."""
    stats = TaskStats()
    log = SampleLog(Path(path))
    shared: dict[str, str] = {}
    counts: Counter[str] = Counter()
    scored = 0
    for number, record, error in iter_records(Path(path)):
        if number == 0:  # the file itself could not be read
            stats.bad_lines.append(error)
            if keep:
                log.errors.append(error)
            break
        if keep:
            item = keep_item(log, number, record, error, NOT_SCORED, shared)
        else:
            item = record.get(ITEM_KEY) if isinstance(record, dict) else None
        stats.n += 1
        if not isinstance(item, dict):
            counts["error"] += 1
            message = error or f"{path}:{number}: no per-sample {ITEM_KEY!r} object"
            stats.bad_lines.append(message)
            stats.first_error = stats.first_error or message
            continue
        status = item_status(item)
        counts[status] += 1
        scored += item.get("reference") is not None
        if status != "ok" and not stats.first_error:
            stats.first_error = f"{item.get('id', f'line {number}')}: {item.get('error') or status}"
        if not stats.task_dir and ("task_dir" in item or "doc" in record):
            # the task's folder and skill cluster, the same on every line: from the first item that names its
            # folder (an item made when a hook failed names none; logs before light rows: the doc's payload)
            body = _doc_payload(record)
            stats.task_dir = str(item.get("task_dir") or body.get("task_dir") or "")
            stats.skill = stats.skill or _skill({"context": item}) or _skill(body)
    stats.n_scored = scored
    for status, count in counts.items():
        setattr(stats, f"n_{status}", count)
    return stats, log
