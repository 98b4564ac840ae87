"""lmms-general level: General-Level scores and reports from lmms-eval output folders.

Give the lmms-eval --output_path folder(s) (or *_results.json files). Every model found gets its
Levels 2-5, the four leaderboard scopes (A full/quick, B per modality, C per paradigm, D per skill cluster),
a per-task table (score, SoTA, normalised score, win, samples, failed, unparsed, first error), 95% bootstrap
intervals from the sample logs (--log_samples) and its provenance. Without output options the reports
(level.json, report.md, report.html, level.csv) are written to general_level/ next to the first lmms-eval
PATH (with --official-scores only where --out-dir or a file option says).

examples:
  lmms-general level runs/                      # reports in runs/general_level/
  lmms-general level runs/ --out-dir reports/ --n-boot 200
  lmms-general level runs/ --html report.html --no-default-reports
  lmms-general level --official-scores sheets/ --model GPT-4o --mode official
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import write_text_atomic
from lmms_general.commands.args import existing_path, fail, n_boot, output_dir, output_file, seed
from lmms_general.level.normalization import MODES
from lmms_general.results import ResultsError

HELP = "General-Level table and reports from lmms-eval output folders"
REPORT_DIR = "general_level"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", type=existing_path,
                        help="lmms-eval output folders or *_results.json files")
    parser.add_argument("--model", help="model to report (default: every model found); required with --official-scores")
    parser.add_argument("--mode", choices=MODES, default="corrected",
                        help="corrected (default) or official (bug-compatible with the official ranker)")
    parser.add_argument("--official-scores", metavar="DIR_OR_XLSX", type=existing_path,
                        help="read scores from the official layout (.xlsx or folder of per-sheet CSVs)")
    parser.add_argument("--out-dir", type=output_dir, metavar="DIR",
                        help=f"write level.json, report.md, report.html, level.csv here "
                             f"(default: {REPORT_DIR}/ next to the first PATH)")
    parser.add_argument("--no-default-reports", action="store_true",
                        help="write only the files named with --json/--markdown/--html/--csv")
    parser.add_argument("--json", type=output_file, metavar="OUT", help="JSON result to OUT")
    parser.add_argument("--markdown", type=output_file, metavar="OUT", help="Markdown report to OUT (+ figures)")
    parser.add_argument("--html", type=output_file, metavar="OUT", help="self-contained HTML report to OUT")
    parser.add_argument("--csv", type=output_file, metavar="OUT", help="CSV (one row per model) to OUT")
    parser.add_argument("--n-boot", type=n_boot, default=1000,
                        help="bootstrap replicates for the 95%% intervals (0 = no intervals, else >= 2; default 1000)")
    parser.add_argument("--seed", type=seed, default=0, help="bootstrap seed, 0 <= seed < 2**32 (default 0)")
    parser.add_argument("--with-tasks", action="store_true", help="add per-task outcomes to the JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _inputs(args: argparse.Namespace) -> list[Any]:
    from lmms_general.results import read_lmms_runs, read_official_scores

    if args.official_scores:
        if not args.model:
            raise ResultsError("--official-scores needs --model NAME (the model column)")
        return [read_official_scores(args.official_scores, args.model)]
    if not args.paths:
        raise ResultsError("give at least one lmms-eval output PATH, or --official-scores with --model")
    models = read_lmms_runs(args.paths)
    if not args.model:
        return models
    chosen = [m for m in models if m.model.lower() == args.model.lower()]
    if not chosen:
        raise ResultsError(f"model {args.model!r} not found; models in the input: {[m.model for m in models]}")
    return chosen


def default_outputs(args: argparse.Namespace) -> None:
    """Fill in the report paths: ``--out-dir``, else ``general_level/`` next to the first input."""
    if args.no_default_reports and not args.out_dir:
        return
    if args.out_dir:
        folder = args.out_dir
    elif args.paths and not args.official_scores:
        first = Path(args.paths[0])
        folder = (first if first.is_dir() else first.parent) / REPORT_DIR
    else:  # official sheets are reference data: never write next to them unasked
        return
    for name, file in (("json", "level.json"), ("markdown", "report.md"), ("html", "report.html"),
                       ("csv", "level.csv")):
        if getattr(args, name) is None:
            setattr(args, name, folder / file)


def _print_summary(reports: list[Any]) -> None:
    from lmms_general.reports.terminal import summary_table, warning_lines

    for line in warning_lines(reports):
        print(line, file=sys.stderr)
    print(summary_table(reports))


def _payload(reports: list[Any], with_tasks: bool) -> Any:
    from lmms_general.reports.tables import proxy_scored

    payload = []
    for rep in reports:
        item = rep.result.to_dict(with_tasks=with_tasks)
        item["messages"] = rep.messages
        item["warnings"] = rep.warnings
        item["provenance"] = rep.provenance
        item["task_errors"] = rep.errors
        item["proxy_scored"] = proxy_scored(rep.result)
        item["scopes"] = [vars(b) for b in rep.scopes]
        item["samples"] = {k: {"samples": s.samples, **s.counts, "first_error": s.first_error}
                           for k, s in sorted(rep.stats.items())}
        if rep.other:
            item["other_benchmarks"] = rep.other
        payload.append(item)
    return payload[0] if len(payload) == 1 else payload


def write_reports(reports: list[Any], args: argparse.Namespace) -> list[Path]:
    """Write every requested report; returns the paths written."""
    from lmms_general.reports import write_csv, write_html, write_markdown

    written = []
    if args.json:
        write_text_atomic(args.json, json.dumps(_payload(reports, args.with_tasks), indent=1, ensure_ascii=False,
                                                default=str))
        written.append(args.json)
    if args.markdown:
        written.append(write_markdown(reports, args.markdown))
    if args.html:
        written.append(write_html(reports, args.html))
    if args.csv:
        written.append(write_csv(reports, args.csv))
    return written


class _Once(logging.Filter):
    """Let each (logger, message template, first argument) through once; count the repeats."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[tuple[str, str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        key = (record.name, str(record.msg), str(args[0]) if args else "")
        self.seen[key] = self.seen.get(key, 0) + 1
        return self.seen[key] == 1

    @property
    def repeats(self) -> int:
        return sum(n - 1 for n in self.seen.values())


def _log_once() -> tuple[logging.Handler, _Once]:
    """Our library warnings (metrics re-scoring sample logs) once each, as ``warning: ...`` lines."""
    handler = logging.StreamHandler(sys.stderr)
    once = _Once()
    handler.addFilter(once)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("lmms_general")
    logger.addHandler(handler)
    logger.propagate = False
    return handler, once


def run(args: argparse.Namespace) -> int:
    handler, once = _log_once()
    try:
        return _run(args)
    finally:
        logger = logging.getLogger("lmms_general")
        logger.removeHandler(handler)
        logger.propagate = True
        if once.repeats:
            print(f"({once.repeats} repeated library warnings not shown)", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from lmms_general.api import score_models

    prog = "lmms-general level"
    try:
        models = _inputs(args)
        reports = score_models(models, args.mode, args.n_boot, args.seed, progress=not args.quiet)
    except ResultsError as exc:
        return fail(prog, str(exc))
    default_outputs(args)
    _print_summary(reports)
    try:
        written = write_reports(reports, args)
    except OSError as exc:
        return fail(prog, f"cannot write the report: {exc}")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    if all(all(o.raw is None for o in rep.result.outcomes) for rep in reports):
        closeset = any("Closeset" in w for rep in reports for w in rep.warnings)
        why = ("the Closeset has no answers: export a submission (`lmms-general export-submission PATH --out DIR`)"
               if closeset else "no General-Bench task has a score in the input")
        return fail(prog, why, 1)
    return 0
