"""CSV: one row per model with the overall and per-modality Levels (intervals as extra columns), the run's
model_args and the other lmms-eval benchmarks of the same run (``other.<task>.<metric>`` columns)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import atomic_path
from lmms_general.level.bootstrap import level_values
from lmms_general.level.types import LevelResult


def csv_rows(reports: Sequence[Any]) -> tuple[list[str], list[list[object]]]:
    """Header and rows; ``reports`` are ModelReports (or bare LevelResults: no other benchmarks)."""
    header = ["model", "mode", "level"]
    rows: list[list[object]] = []
    for rep in reports:
        r: LevelResult = rep if isinstance(rep, LevelResult) else rep.result
        values: dict[str, object] = dict(level_values(r))
        for m in r.modalities:
            values[f"{m.modality}.S_C"] = m.S_C
            values[f"{m.modality}.S_G"] = m.S_G
            values[f"{m.modality}.supported"] = m.supported
            values[f"{m.modality}.tasks"] = m.tasks
            values[f"{m.modality}.wins"] = m.wins
        values.update({"nlp.w_L": r.nlp.w_L, "nlp.supported": r.nlp.supported, "nlp.wins": r.nlp.wins})
        for name, interval in r.ci.items():
            values[f"{name}.ci_low"] = interval.low
            values[f"{name}.ci_high"] = interval.high
        if not isinstance(rep, LevelResult):
            values["tasks_run"] = sum(o.raw is not None for o in r.outcomes)
            values["model_args"] = rep.provenance.get("model_args", "")
            values["limit"] = "; ".join(map(str, rep.provenance.get("limits") or []))
            for task, metrics in sorted(rep.other.items()):
                for metric, value in sorted(metrics.items()):
                    values[f"other.{task}.{metric}"] = value
        for name in values:
            if name not in header:
                header.append(name)
        rows.append([r.model, r.mode, r.level, *[values.get(h, "") for h in header[3:]]])
    return header, [row + [""] * (len(header) - len(row)) for row in rows]


def write_csv(reports: Sequence[Any], out: Path) -> Path:
    """Write the CSV of ``reports`` (ModelReports or LevelResults) to ``out``."""
    header, rows = csv_rows(reports)
    with atomic_path(out) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return out
