"""Read scores in the official suite's layout: an .xlsx with the nine sheets, or a folder of per-sheet CSVs.

Each sheet has columns ``No, Task Name, Task Short Name, Metrics, <model>`` (the model column is
matched case-insensitively, as the official ranker does). Rows are joined to the registry by
``(sheet, Task Name.strip())`` rather than by position; a name the registry does not know is an
error naming the file and row, and a position that differs from the official order is reported
(the official ranker would mis-align such a workbook).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path

from lmms_general.registry import SHEETS, Registry, load_registry
from lmms_general.results.types import ModelScores, ResultsError

KEY_COLUMNS = ("No", "Task Name", "Task Short Name", "Metrics")
_INF_STRINGS = {"∞", "inf", "+inf", "infinity"}


def parse_cell(value: object) -> float | None:
    """A cell as the ranker's ``to_float_inf`` reads it: empty, NaN, inf or non-numeric -> None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip()
    if not text or text.lower() in _INF_STRINGS:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _csv_sheets(folder: Path) -> Iterator[tuple[str, Path, list[dict[str, str]]]]:
    for sheet in SHEETS:
        candidates = [folder / f"{sheet}.csv", *sorted(folder.glob(f"*__{sheet}.csv"))]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise ResultsError(f"{folder}: no CSV for sheet {sheet!r} (expected {sheet}.csv)")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield sheet, path, list(csv.DictReader(handle))


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, Path, list[dict[str, object]]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    names = {name: name for name in workbook.sheetnames}
    for sheet in SHEETS:
        if sheet not in names:
            raise ResultsError(f"{path}: workbook has no sheet {sheet!r} (sheets: {workbook.sheetnames})")
        rows = list(workbook[sheet].iter_rows(values_only=True))
        if not rows:
            raise ResultsError(f"{path}: sheet {sheet!r} is empty")
        header = [str(h) if h is not None else "" for h in rows[0]]
        yield sheet, path, [dict(zip(header, row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]
    workbook.close()


def model_columns(path: Path) -> list[str]:
    """Model columns present in the NLP sheet of an official-layout input (everything but the key columns)."""
    for _sheet, _p, rows in _sheets(path):
        return [c for c in (rows[0] if rows else {}) if c and c not in KEY_COLUMNS and c != "SoTA Performance"]
    return []


def _sheets(path: Path) -> Iterator[tuple[str, Path, list[dict]]]:
    if path.is_dir():
        return _csv_sheets(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_sheets(path)
    raise ResultsError(f"{path}: expected a folder of per-sheet CSVs or an .xlsx workbook")


def read_official_scores(path: str | Path, model: str, registry: Registry | None = None) -> ModelScores:
    """Read one model column from an official-layout workbook or CSV folder into :class:`ModelScores`."""
    path = Path(path)
    registry = registry or load_registry()
    result = ModelScores(model=model)
    for sheet, file, rows in _sheets(path):
        specs = registry.sheet(sheet)
        by_name = {s.task_name.strip(): s for s in specs}
        header = list(rows[0]) if rows else []
        column = next((c for c in header if c and c.lower() == model.lower()), None)
        if column is None:
            raise ResultsError(f"{file}: sheet {sheet!r} has no column {model!r} (columns: {header})")
        seen: set[str] = set()
        for position, row in enumerate(rows):
            name = str(row.get("Task Name") or "").strip()
            spec = by_name.get(name)
            if spec is None:
                raise ResultsError(f"{file}: sheet {sheet!r} row {position + 2}: unknown task {name!r}")
            if spec.key in seen:
                raise ResultsError(f"{file}: sheet {sheet!r}: task {name!r} appears twice")
            seen.add(spec.key)
            if spec.row != position:
                result.messages.append(
                    f"{sheet}: {name!r} is at row {position} instead of {spec.row}; joined by name "
                    "(the official ranker aligns by position and would mis-score this file)"
                )
            metric = str(row.get("Metrics") or "").strip()
            if metric and metric != spec.metric_raw.strip():
                result.messages.append(f"{sheet}: {name!r} metric {metric!r} differs from {spec.metric_raw!r}")
            raw_cell = row.get(column)
            value = parse_cell(raw_cell)
            if value is None and raw_cell not in (None, "") and str(raw_cell).strip().lower() not in _INF_STRINGS:
                result.messages.append(f"{sheet}: {name!r}: non-numeric value {raw_cell!r} read as missing")
            if value is not None:
                result.scores[spec.key] = value
                result.sources[spec.key] = file
        missing = [s.task_name.strip() for s in specs if s.key not in seen]
        if missing:
            result.messages.append(f"{sheet}: {len(missing)} task rows absent from {file.name}: {missing[:5]}...")
    return result
