"""CSV: one row per model with the overall and per-modality Levels (intervals as extra columns)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from lmms_general.level.bootstrap import level_values
from lmms_general.level.types import LevelResult


def csv_rows(results: Sequence[LevelResult]) -> tuple[list[str], list[list[object]]]:
    header = ["model", "mode", "level"]
    rows: list[list[object]] = []
    for r in results:
        values = level_values(r)
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
        for name in values:
            if name not in header:
                header.append(name)
        rows.append([r.model, r.mode, r.level, *[values.get(h, "") for h in header[3:]]])
    return header, [row + [""] * (len(header) - len(row)) for row in rows]


def write_csv(results: Sequence[LevelResult], out: Path) -> Path:
    header, rows = csv_rows(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return out
