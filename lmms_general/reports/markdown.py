"""Markdown report; figures are written as PNG files next to it and linked relatively."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lmms_general.atomic_json import write_bytes_atomic, write_text_atomic
from lmms_general.reports import plots
from lmms_general.reports.scopes import SCOPE_HEADER, SCOPE_NOTES, scope_rows
from lmms_general.reports.tables import (
    LEADERBOARD_HEADER,
    LEVEL_HEADER,
    MODALITY_HEADER,
    TASK_HEADER,
    WON_HEADER,
    ModelReport,
    comparison_table,
    leaderboard_rows,
    level_rows,
    modality_rows,
    provenance_rows,
    proxy_scored,
    task_rows,
    unsupported_by_group,
    won_rows,
)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped)."""

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "model"


def write_markdown(reports: Sequence[ModelReport], out: Path) -> Path:
    """Write the report to ``out`` and its figures to ``<out stem>_figures/``; returns ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    figures = out.parent / f"{out.stem}_figures"
    figures.mkdir(exist_ok=True)
    results = [r.result for r in reports]
    parts = [f"# General-Level report ({results[0].mode} mode)", ""]
    ci = ("brackets are 95% bootstrap intervals (within-task resampling of samples)"
          if any(r.result.ci for r in reports) else
          "no intervals (no sample logs: run lmms-eval with --log_samples; or --n-boot 0)")
    parts.append(
        f"Scores are on the 0-100 General-Level scale; {ci}. The reached level is the highest k >= 2 with a "
        "positive score at every level 2..k."
    )
    if len(results) > 1:
        parts += ["", "## Leaderboard", "", table(LEADERBOARD_HEADER, leaderboard_rows(results))]
        name = "radar_models.png"
        write_bytes_atomic(figures / name, plots.radar(results))
        parts += ["", f"![Level-2 per modality]({figures.name}/{name})"]
    header, rows = comparison_table(reports)
    if len(header) > 4:
        parts += ["", "## Other lmms-eval benchmarks", "", table(header, rows)]
    for rep in reports:
        parts += _model_section(rep, figures)
    write_text_atomic(out, "\n".join(parts) + "\n")
    return out


def _model_section(rep: ModelReport, figures: Path) -> list[str]:
    r = rep.result
    base = slug(r.model)
    write_bytes_atomic(figures / f"{base}_bars.png", plots.paradigm_bars(r))
    write_bytes_atomic(figures / f"{base}_radar.png", plots.radar([r]))
    parts = ["", f"## {r.model}: Level-{r.level}", ""]
    if rep.warnings:
        parts += [f"> **Warning:** {' '.join(w.split())}" for w in rep.warnings] + [""]
    parts += ["### Provenance", "", table(["Field", "Value"], provenance_rows(rep)), ""]
    parts += ["### Levels", "", table(LEVEL_HEADER, level_rows(r))]
    parts += ["", "### Scope view", "", table(SCOPE_HEADER, scope_rows(rep.scopes)), ""]
    parts += [f"* {note}" for note in SCOPE_NOTES]
    parts += ["", "### Per modality", "", table(MODALITY_HEADER, modality_rows(r))]
    parts += ["", f"![comprehension vs generation]({figures.name}/{base}_bars.png)"]
    parts += [f"![radar]({figures.name}/{base}_radar.png)"]
    tasks = task_rows(rep)
    parts += ["", f"### Tasks that ran ({len(tasks)})", ""]
    parts.append(table(TASK_HEADER, tasks) if tasks else "None.")
    won = won_rows(r)
    parts += ["", f"### Tasks won over the SoTA specialist ({len(won)})", ""]
    parts.append(table(WON_HEADER, won) if won else "None.")
    unsupported = unsupported_by_group(r)
    total = sum(len(v) for v in unsupported.values())
    parts += ["", f"### Unsupported tasks ({total})", ""]
    for group, names in unsupported.items():
        parts.append(f"* **{group}** ({len(names)}): " + "; ".join(names))
    proxies = proxy_scored(r)
    if proxies:
        parts += ["", f"### Scored with a proxy metric ({sum(len(v) for v in proxies.values())})", ""]
        parts += [f"* **{metric}** ({len(names)}): " + "; ".join(names) for metric, names in proxies.items()]
    if rep.messages:
        parts += ["", f"### Input notes ({len(rep.messages)})", ""] + [f"* {' '.join(m.split())}" for m in rep.messages]
    return parts
