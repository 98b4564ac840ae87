"""Build ``lmms_general/resources/tasks.csv`` from the official SoTA sheets copied into the package.

Usage: python tools/build_registry.py [--check]

Inputs (all inside the repo): ``lmms_general/resources/reference/sota_result__<Sheet>.csv`` (verbatim
copies of the official reference workbook) and ``lmms_general/resources/folder_aliases.csv``
(``key,folder`` rows naming on-disk task folders whose names do not normalise to the task name).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lmms_general.metrics.aliases import ROW_METRIC_IDS, canonical_metric_id, higher_is_better  # noqa: E402
from lmms_general.registry import PARADIGM_SHORT, SHEETS, TASKS_CSV_COLUMNS  # noqa: E402

RESOURCES = ROOT / "lmms_general" / "resources"
OUT = RESOURCES / "tasks.csv"

_MODALITY = {"Image": "image", "Video": "video", "Audio": "audio", "3D": "3d"}
_NOTE = re.compile(r"\s*\(([^()]*)\)\s*$")


def split_note(name: str) -> tuple[str, str]:
    """Separate an annotator's trailing note from a task name.

    A trailing parenthesised part is a note when it is not plain English (non-ASCII text) or
    carries question marks, e.g. ``(数据目前有问题)`` or ``(text_manipulation_recognition???)``.
    """
    match = _NOTE.search(name)
    if match and (not match.group(1).isascii() or "?" in match.group(1)):
        return name[: match.start()], match.group(1)
    return name, ""


def clean_name(name: str) -> tuple[str, str]:
    """Return (display name, note): NFKC (full-width brackets -> ASCII), whitespace collapsed."""
    text = unicodedata.normalize("NFKC", name)
    text = " ".join(text.split())
    text, note = split_note(text)
    return " ".join(text.split()), note


def slugify(text: str) -> str:
    """Lower-case ASCII slug with single underscores."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def sheet_parts(sheet: str) -> tuple[str, str]:
    if sheet == "NLP":
        return "nlp", "comprehension"
    modality, paradigm = sheet.split("-")
    return _MODALITY[modality], paradigm.lower()


def load_folder_aliases() -> dict[str, list[str]]:
    path = RESOURCES / "folder_aliases.csv"
    aliases: dict[str, list[str]] = {}
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(line for line in fh if not line.startswith("#")):
                aliases.setdefault(row["key"], []).append(row["folder"])
    return aliases


def build_rows() -> list[dict[str, str]]:
    folder_aliases = load_folder_aliases()
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for sheet in SHEETS:
        modality, paradigm = sheet_parts(sheet)
        prefix = "nlp" if modality == "nlp" else f"{modality}_{PARADIGM_SHORT[paradigm]}"
        with (RESOURCES / "reference" / f"sota_result__{sheet}.csv").open(encoding="utf-8") as fh:
            for position, src in enumerate(csv.DictReader(fh)):
                display, note = clean_name(src["Task Name"])
                key = f"{prefix}_{slugify(display)}"
                if key in seen:
                    raise SystemExit(f"duplicate key {key} ({sheet} row {position})")
                seen.add(key)
                metric_id = ROW_METRIC_IDS.get(key) or canonical_metric_id(src["Metrics"])
                rows.append(
                    {
                        "key": key,
                        "sheet": sheet,
                        "row": str(position),
                        "no": src["No"],
                        "modality": modality,
                        "paradigm": paradigm,
                        "task_name": src["Task Name"],
                        "short_name": src["Task Short Name"],
                        "display_name": display,
                        "note": note,
                        "metric_raw": src["Metrics"],
                        "metric_id": metric_id,
                        "higher_is_better": "true" if higher_is_better(metric_id) else "false",
                        "sota": src["SoTA Performance"],
                        "folder_aliases": ";".join(folder_aliases.pop(key, [])),
                    }
                )
    if folder_aliases:
        raise SystemExit(f"folder_aliases.csv names unknown keys: {sorted(folder_aliases)}")
    return rows


def render(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=TASKS_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if tasks.csv is out of date")
    args = parser.parse_args()
    text = render(build_rows())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run python tools/build_registry.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.splitlines()) - 1} tasks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
