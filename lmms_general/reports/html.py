"""Self-contained HTML report (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from lmms_general.atomic_json import write_text_atomic
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

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;font-size:.88em}
th{background:#f0f0f0;position:sticky;top:0}td:not(:first-child){text-align:right}h2{border-bottom:2px solid #3182bd}
td.text{text-align:left;white-space:nowrap}td.wrap{white-space:normal;max-width:30em;overflow-wrap:break-word}
td.text:first-child{min-width:10em}td.err{color:#a33;max-width:17em;min-width:12em}
table.tasks td,table.tasks th{font-size:.8em;padding:.2em .4em}
img{max-width:100%;margin:.4em;vertical-align:top}.note{color:#555;font-size:.9em}
.warn{background:#fff4e5;border-left:4px solid #e6550d;padding:.5em 1em;margin:.8em 0}
.warn li{margin:.2em 0}
tr.win td{background:#edf8e9}tr.bad td{background:#fdecea}
"""


def _clean(text: object) -> str:
    """One line of escaped text (newlines and runs of spaces collapsed)."""
    return html.escape(" ".join(str(text).split()))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], text_cols: Sequence[int] = (),
           row_class: Sequence[str] | None = None, error_col: int | None = None,
           wrap_cols: Sequence[int] = (0,), table_class: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for n, row in enumerate(rows):
        cls = f" class='{row_class[n]}'" if row_class and row_class[n] else ""
        cells = "".join(
            f"<td class='text{' err wrap' if i == error_col else ' wrap' if i in wrap_cols else ''}'>{_clean(c)}</td>"
            if i in text_cols
            else f"<td>{_clean(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    css = f" class='{table_class}'" if table_class else ""
    return f"<table{css}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _intro(reports: Sequence[ModelReport]) -> str:
    with_ci = any(r.result.ci for r in reports)
    ci = ("Brackets are 95% bootstrap intervals (within-task resampling of the sample logs)."
          if with_ci else "No intervals: no sample logs (run lmms-eval with --log_samples) or --n-boot 0.")
    return (f"<p class='note'>Scores on the 0-100 General-Level scale. {ci} The reached level is the highest "
            "k &ge; 2 with a positive score at every level 2..k.</p>")


def render_html(reports: Sequence[ModelReport]) -> str:
    """The whole report as one HTML string."""
    results = [r.result for r in reports]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>General-Level report</title><style>{_STYLE}</style></head><body>",
        f"<h1>General-Level report ({html.escape(results[0].mode)} mode)</h1>",
        _intro(reports),
    ]
    if len(results) > 1:
        parts += ["<h2>Leaderboard</h2>", _table(LEADERBOARD_HEADER, leaderboard_rows(results), text_cols=(1,))]
        parts.append(_img(plots.radar(results), "Level-2 per modality"))
    header, rows = comparison_table(reports)
    if len(header) > 4:
        parts += ["<h2>Other lmms-eval benchmarks</h2>", _table(header, rows)]
    for rep in reports:
        parts += _model_section(rep)
    parts.append("</body></html>")
    return "\n".join(parts)


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_clean(i)}</li>" for i in items) + "</ul>"


def _model_section(rep: ModelReport) -> list[str]:
    r = rep.result
    won = won_rows(r)
    unsupported = unsupported_by_group(r)
    tasks = task_rows(rep)
    parts = [f"<h2>{html.escape(r.model)}: Level-{r.level}</h2>"]
    if rep.warnings:
        parts.append(f"<div class='warn'><b>Warnings ({len(rep.warnings)})</b>{_list(rep.warnings)}</div>")
    parts += [
        "<h3>Provenance</h3>", _table(["Field", "Value"], provenance_rows(rep), text_cols=(1,), wrap_cols=(1,)),
        "<h3>Levels</h3>", _table(LEVEL_HEADER, level_rows(r), text_cols=(2,), wrap_cols=(2,)),
        "<h3>Scope view</h3>",
        _table(SCOPE_HEADER, scope_rows(rep.scopes), text_cols=(1,)) if rep.scopes else "<p>No scopes.</p>",
        _list(SCOPE_NOTES).replace("<ul>", "<ul class='note'>", 1),
        "<h3>Per modality</h3>",
        _table(MODALITY_HEADER, modality_rows(r)),
        _img(plots.paradigm_bars(r), "comprehension vs generation"),
        _img(plots.radar([r]), "radar"),
        f"<h3>Tasks that ran ({len(tasks)})</h3>",
        "<p class='note'>Samples / OK / Failed / Unparsed / Errors / Bad ref. come from the sample log (\"no log\" "
        "without --log_samples). Failed = the model gave no usable answer (or no prediction); Unparsed = an answer "
        "the parser could not read; Errors = the sample could not be scored (data or metric problem); Bad ref. = "
        "the sample's reference is malformed (a data problem, not in the score). Failed and unparsed samples score "
        "as wrong.</p>",
    ]
    if tasks:
        classes = ["win" if row[6] == "yes" else "bad" if row[-1] else "" for row in tasks]
        parts.append(_table(TASK_HEADER, tasks, text_cols=(0, 1, 2, 13), row_class=classes, error_col=13,
                            wrap_cols=(0, 2), table_class="tasks"))
    else:
        parts.append("<p>None.</p>")
    parts += [
        f"<h3>Tasks won over the SoTA specialist ({len(won)})</h3>",
        _table(WON_HEADER, won, text_cols=(0, 1, 2, 3)) if won else "<p>None.</p>",
        f"<details><summary>Tasks not supported ({sum(len(v) for v in unsupported.values())}): missing or "
        "scored 0</summary><ul>",
    ]
    parts += [
        f"<li><b>{html.escape(g)}</b> ({len(n)}): {html.escape('; '.join(n))}</li>" for g, n in unsupported.items()
    ]
    parts.append("</ul></details>")
    proxies = proxy_scored(r)
    if proxies:
        n_proxy = sum(len(v) for v in proxies.values())
        parts.append(f"<details><summary>Scored with a proxy metric ({n_proxy})</summary><ul>")
        parts += [
            f"<li><b>{html.escape(m)}</b> ({len(n)}): {html.escape('; '.join(n))}</li>" for m, n in proxies.items()
        ]
        parts.append("</ul></details>")
    if rep.messages:
        parts.append(f"<details><summary>Input notes ({len(rep.messages)})</summary>{_list(rep.messages)}</details>")
    return parts


def write_html(reports: Sequence[ModelReport], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, render_html(reports))
    return out
