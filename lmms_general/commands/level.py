"""``lmms-general level``: General-Level table, intervals and reports from lmms-eval runs or official sheets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lmms_general.level import LevelResult, LevelScorer, bootstrap_levels, with_intervals
from lmms_general.metrics.normalization import MODES
from lmms_general.registry import load_registry
from lmms_general.reports import ModelReport, leaderboard, write_csv, write_html, write_markdown
from lmms_general.reports.tables import proxy_scored
from lmms_general.results import ModelScores, ResultsError, read_lmms_runs, read_official_scores
from lmms_general.results.samples import bootstrap_inputs, rescore_missing

HELP = "General-Level table and report from lmms-eval runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="lmms-eval output folders or *_results.json files")
    parser.add_argument("--model", help="model to report (default: every model found); required with --official-scores")
    parser.add_argument("--mode", choices=MODES, default="corrected",
                        help="corrected (default) or official (bug-compatible with the official ranker)")
    parser.add_argument("--official-scores", metavar="DIR_OR_XLSX",
                        help="read scores from the official layout (.xlsx or folder of per-sheet CSVs)")
    parser.add_argument("--json", type=Path, metavar="OUT")
    parser.add_argument("--markdown", type=Path, metavar="OUT")
    parser.add_argument("--html", type=Path, metavar="OUT")
    parser.add_argument("--csv", type=Path, metavar="OUT")
    parser.add_argument("--n-boot", type=int, default=1000,
                        help="bootstrap replicates for the 95%% intervals (0 = no intervals; default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--with-tasks", action="store_true", help="add per-task outcomes to the JSON")


def _inputs(args: argparse.Namespace) -> list[ModelScores]:
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


def score_all(models: list[ModelScores], mode: str, n_boot: int, seed: int) -> list[ModelReport]:
    """Score every model (with intervals when sample logs exist and ``n_boot > 0``)."""
    registry = load_registry()
    scorer = LevelScorer(list(registry.values()), mode)  # type: ignore[arg-type]
    reports = []
    for ms in models:
        messages = list(ms.messages)
        if ms.samples:
            messages += rescore_missing(ms.scores, ms.samples, registry)
        result: LevelResult = scorer.score(ms.scores, ms.model)
        if n_boot > 0 and ms.samples:
            scored = {k: path for k, path in ms.samples.items() if ms.scores.get(k) is not None}
            tasks, notes = bootstrap_inputs(scored, registry, ms.scores)
            messages += notes
            if tasks:
                intervals = bootstrap_levels(scorer, ms.scores, tasks, n_boot=n_boot, seed=seed)
                result = with_intervals(result, intervals)
                messages.append(
                    f"95% intervals from {n_boot} bootstrap replicates over {len(tasks)} tasks (seed {seed})"
                )
        reports.append(ModelReport(result=result, messages=messages, other=ms.other))
    return reports


def _print_summary(reports: list[ModelReport]) -> None:
    for r in leaderboard([rep.result for rep in reports]):
        print(f"{r.model}  [{r.mode}]  reaches Level-{r.level}")
        print("  " + "  ".join(f"L{k[-1]}={v:.2f}" for k, v in r.overall.items()))
        for m in r.modalities:
            print(f"  {m.modality:<5} L2={m.level2:7.2f} L3={m.level3:7.2f} L4={m.level4:7.2f} "
                  f"S_C={m.S_C:6.2f} S_G={m.S_G:6.2f} supported {m.supported}/{m.tasks} wins {m.wins}")
        print(f"  nlp   S_L={r.nlp.S_L:.2f} w_L={r.nlp.w_L:.4f} supported {r.nlp.supported}/{r.nlp.tasks} "
              f"wins {r.nlp.wins}")
    for rep in reports:
        for message in rep.messages:
            print(f"note [{rep.result.model}]: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        models = _inputs(args)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reports = score_all(models, args.mode, args.n_boot, args.seed)
    _print_summary(reports)
    results = [rep.result for rep in reports]
    if args.json:
        payload = [r.to_dict(with_tasks=args.with_tasks) for r in results]
        for rep, item in zip(reports, payload, strict=True):
            item["messages"] = rep.messages
            item["proxy_scored"] = proxy_scored(rep.result)
            if rep.other:
                item["other_benchmarks"] = rep.other
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload[0] if len(payload) == 1 else payload, indent=1, ensure_ascii=False))
    if args.markdown:
        write_markdown(reports, args.markdown)
    if args.html:
        write_html(reports, args.html)
    if args.csv:
        write_csv(results, args.csv)
    return 0
