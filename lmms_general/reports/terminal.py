"""The terminal summary: Markdown tables in lmms-eval's style (``|Tasks|Version|...``), warnings once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmms_general.reports.tables import MODALITY_LABELS, fmt, leaderboard, with_ci


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table with padded columns (the layout lmms-eval prints its results in)."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        padded = (f"{c:<{w}}" if i < 2 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        return "|" + "|".join(padded) + "|"

    sep = "|" + "|".join(("-" * w if i < 2 else "-" * (w - 1) + ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(cells[0]), sep, *map(line, cells[1:])])


def summary_table(reports: Sequence[Any]) -> str:
    """Overall table (one row per model), per-modality table, and other lmms-eval benchmarks."""
    by_result = {id(r.result): r for r in reports}
    ordered = [by_result[id(res)] for res in leaderboard([r.result for r in reports])]
    header = ["Model", "Mode", "Level", "Level-2", "Level-3", "Level-4", "Level-5", "Scored", "Wins", "Failed",
              "Unparsed"]
    rows = []
    for rep in ordered:
        r = rep.result
        ran = sum(o.raw is not None for o in r.outcomes)
        failed = sum(s.no_answer + s.count("error") for s in rep.stats.values())
        unparsed = sum(s.count("unparsed") for s in rep.stats.values())
        has_logs = bool(rep.stats)
        rows.append([r.model, r.mode, f"Level-{r.level}", *(with_ci(r, k, v) for k, v in r.overall.items()),
                     f"{ran}/{len(r.outcomes)}", str(len(r.tasks_won)),
                     str(failed) if has_logs else "–", str(unparsed) if has_logs else "–"])
    parts = ["General-Level", _table(header, rows)]
    mod_header = ["Model", "Modality", "Level-2", "Level-3", "Level-4", "S_C", "S_G", "Supported", "Wins"]
    mod_rows = []
    for rep in ordered:
        r = rep.result
        for m in r.modalities:
            mod_rows.append([r.model, MODALITY_LABELS[m.modality], fmt(m.level2), fmt(m.level3),
                             fmt(m.level4), fmt(m.S_C), fmt(m.S_G), f"{m.supported}/{m.tasks}",
                             str(m.wins)])
        mod_rows.append([r.model, "NLP", "", "", "", f"S_L={r.nlp.S_L:.2f}", f"w_L={r.nlp.w_L:.4f}",
                         f"{r.nlp.supported}/{r.nlp.tasks}", str(r.nlp.wins)])
    parts += ["", _table(mod_header, mod_rows)]
    other = [(rep.result.model, task, metric, value) for rep in ordered
             for task, metrics in sorted(rep.other.items()) for metric, value in sorted(metrics.items())]
    if other:
        parts += ["", "Other lmms-eval benchmarks",
                  _table(["Model", "Task", "Metric", "Value"], [[m, t, k, f"{v:.4g}"] for m, t, k, v in other])]
    return "\n".join(parts)


def warning_lines(reports: Sequence[Any]) -> list[str]:
    """``warning [model]: ...`` once per distinct warning, then how many notes the reports hold."""
    lines = []
    for rep in reports:
        lines += [f"warning [{rep.result.model}]: {w}" for w in rep.warnings]
    lines += missing_weights_lines(reports)
    notes = sum(len(rep.messages) for rep in reports)
    if notes:
        lines.append(f"{notes} input notes (overrides, rescored tasks, bootstrap) are listed in the reports")
    return list(dict.fromkeys(lines))


def missing_weights_lines(reports: Sequence[Any]) -> list[str]:
    """One line per missing network that left tasks unscored (the notes naming ``lmms-general weights fetch``), with
    every such task that needs it and the command that fetches it."""
    from lmms_general.metrics.weights_manifest import missing_lines
    from lmms_general.registry import load_registry

    registry = load_registry()
    keys = []
    for rep in reports:
        for message in rep.messages:
            task = str(message).split(":", 1)[0].strip()
            if "lmms-general weights fetch" in str(message) and task.startswith("general_bench_"):
                key = task[len("general_bench_"):]
                if key in registry:
                    keys.append(key)
    return missing_lines(sorted(set(keys)))
