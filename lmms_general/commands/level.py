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
import logging
import sys
from pathlib import Path
from typing import Any

from lmms_general.commands.args import existing_path, fail, n_boot, output_dir, output_file, seed
from lmms_general.level.normalization import MODES
from lmms_general.level_run import REPORT_FILES, ReportPaths, score_models, write_reports
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


def report_paths(args: argparse.Namespace) -> ReportPaths:
    """The report paths: ``--json`` / ``--markdown`` / ``--html`` / ``--csv``, the rest in ``--out-dir``, else in
    ``general_level/`` next to the first input."""
    given = ReportPaths(json=args.json, markdown=args.markdown, html=args.html, csv=args.csv)
    if args.no_default_reports and not args.out_dir:
        return given
    if args.out_dir:
        folder = args.out_dir
    elif args.paths and not args.official_scores:
        first = Path(args.paths[0])
        folder = (first if first.is_dir() else first.parent) / REPORT_DIR
    else:  # official sheets are reference data: never write next to them unasked
        return given
    every = ReportPaths.in_folder(folder)
    return ReportPaths(**{kind: getattr(given, kind) or getattr(every, kind) for kind in REPORT_FILES})


def _print_summary(reports: list[Any]) -> None:
    from lmms_general.reports.terminal import summary_table, warning_lines

    for line in warning_lines(reports):
        print(line, file=sys.stderr)
    print(summary_table(reports))


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
    prog = "lmms-general level"
    try:
        models = _inputs(args)
        reports = score_models(models, args.mode, args.n_boot, args.seed, progress=not args.quiet)
    except ResultsError as exc:
        return fail(prog, str(exc))
    _print_summary(reports)
    try:
        written = write_reports(reports, report_paths(args), with_tasks=args.with_tasks)
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
