"""Self-contained HTML report (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from lmms_general.reports import plots
from lmms_general.reports.tables import (
    LEADERBOARD_HEADER,
    LEVEL_HEADER,
    MODALITY_HEADER,
    WON_HEADER,
    ModelReport,
    comparison_table,
    leaderboard_rows,
    level_rows,
    modality_rows,
    proxy_scored,
    unsupported_by_group,
    won_rows,
)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;font-size:.9em}
th{background:#f0f0f0}td:not(:first-child){text-align:right}h2{border-bottom:2px solid #3182bd}
img{max-width:100%;margin:.4em}.note{color:#555;font-size:.9em}
"""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def render_html(reports: Sequence[ModelReport]) -> str:
    """The whole report as one HTML string."""
    results = [r.result for r in reports]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>General-Level report</title><style>{_STYLE}</style></head><body>",
        f"<h1>General-Level report ({html.escape(results[0].mode)} mode)</h1>",
        "<p class='note'>Scores on the 0-100 General-Level scale; brackets are 95% bootstrap intervals. "
        "The reached level is the highest k &ge; 2 with a positive score at every level 2..k.</p>",
    ]
    if len(results) > 1:
        parts += ["<h2>Leaderboard</h2>", _table(LEADERBOARD_HEADER, leaderboard_rows(results))]
        parts.append(_img(plots.radar(results), "Level-2 per modality"))
    header, rows = comparison_table(reports)
    if len(header) > 4:
        parts += ["<h2>Other lmms-eval benchmarks</h2>", _table(header, rows)]
    for rep in reports:
        parts += _model_section(rep)
    parts.append("</body></html>")
    return "\n".join(parts)


def _model_section(rep: ModelReport) -> list[str]:
    r = rep.result
    won = won_rows(r)
    unsupported = unsupported_by_group(r)
    parts = [
        f"<h2>{html.escape(r.model)}: Level-{r.level}</h2>",
        _table(LEVEL_HEADER, level_rows(r)),
        "<h3>Per modality</h3>",
        _table(MODALITY_HEADER, modality_rows(r)),
        _img(plots.paradigm_bars(r), "comprehension vs generation"),
        _img(plots.radar([r]), "radar"),
        f"<h3>Tasks won over the SoTA specialist ({len(won)})</h3>",
        _table(WON_HEADER, won) if won else "<p>None.</p>",
        f"<details><summary>Unsupported tasks ({sum(len(v) for v in unsupported.values())})</summary><ul>",
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
        parts.append(f"<details><summary>Input notes ({len(rep.messages)})</summary><ul>")
        parts += [f"<li>{html.escape(m)}</li>" for m in rep.messages]
        parts.append("</ul></details>")
    return parts


def write_html(reports: Sequence[ModelReport], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(reports), encoding="utf-8")
    return out
