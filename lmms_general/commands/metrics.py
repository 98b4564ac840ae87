"""lmms-general metrics: every canonical metric, the tasks using it, implementation, model, proxy flag.

examples:
  lmms-general metrics                           # one line per metric
  lmms-general metrics --json metrics.json       # with the tasks of each metric
  lmms-general metrics --check-rows --rows nlp_causal_reasoning
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lmms_general.metrics.registry import all_metrics
from lmms_general.registry import load_registry

HELP = "list every metric, its tasks and implementation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import output_file

    parser.add_argument("--json", dest="json_out", metavar="OUT", type=output_file,
                        help="also write the listing as JSON to OUT")
    parser.add_argument("--check-rows", action="store_true",
                        help="check the row invariants (perfect >= SoTA; empty, unparsable, random < SoTA) on "
                             "synthetic samples of every row; exit 1 when a row breaks one without a documented "
                             "exception")
    parser.add_argument("--rows", nargs="+", metavar="KEY_OR_METRIC",
                        help="with --check-rows: only these registry keys or metric ids")
    parser.add_argument("--fid-feature", default=None, choices=("inception", "clip", "dino"),
                        help="with --check-rows: FID feature extractor (default: the metric's, Inception)")


def metric_rows() -> list[dict[str, Any]]:
    """One row per canonical metric id; ``tasks`` lists together cover every registry row."""
    specs = all_metrics()
    registry = load_registry()
    tasks: dict[str, list[str]] = {}
    for spec in registry.values():
        tasks.setdefault(spec.metric_id, []).append(spec.key)
    rows = []
    for metric_id in sorted(all_metrics()):
        spec = specs.get(metric_id)
        rows.append({
            "id": metric_id,
            "aliases": sorted(all_metrics()[metric_id].aliases),
            "tasks": tasks.get(metric_id, []),
            "implementation": spec.implementation if spec else "",
            "default_model": spec.default_model if spec else None,
            "proxy": bool(spec.proxy) if spec else False,
            "proxy_rows": {t: registry[t].proxy_reason for t in tasks.get(metric_id, []) if registry[t].proxy_reason},
            "implemented": spec is not None,
        })
    return rows


def check_rows_command(args: argparse.Namespace) -> int:
    """Run the row invariants and print one line per row; exit 1 on an undocumented violation."""
    import tempfile

    from lmms_general.level.row_checks import check_rows, describe

    registry = load_registry()
    wanted = set(args.rows or [])
    keys = [k for k, s in registry.items() if not wanted or k in wanted or s.metric_id in wanted]
    overrides = {"fid": {"feature": args.fid_feature}} if args.fid_feature else None
    with tempfile.TemporaryDirectory(prefix="lmms_general_rows_") as root:
        checks = check_rows(Path(root), keys, overrides)
    for check in checks:
        print(describe(check))
    failing = [c for c in checks if not c.ok]
    excused = [c for c in checks if c.violations and c.ok]
    print(f"{len(checks)} rows: {len(checks) - len(failing) - len(excused)} hold every invariant, "
          f"{len(excused)} documented exceptions, {len(failing)} failing")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"rows": [c.to_dict() for c in checks]}, indent=1),
                                       encoding="utf-8")
    return 1 if failing else 0


def run(args: argparse.Namespace) -> int:
    if getattr(args, "check_rows", False):
        return check_rows_command(args)
    rows = metric_rows()
    for row in rows:
        status = "" if row["implemented"] else "  [NOT IMPLEMENTED]"
        proxy = " (proxy)" if row["proxy"] else (f" ({len(row['proxy_rows'])} proxy rows)" if row["proxy_rows"] else "")
        model = f"  model={row['default_model']}" if row["default_model"] else ""
        print(f"{row['id']:<28} {len(row['tasks']):>4} tasks  {row['implementation']}{proxy}{model}{status}")
    done = sum(len(r["tasks"]) for r in rows if r["implemented"])
    print(f"{sum(r['implemented'] for r in rows)}/{len(rows)} metrics implemented, covering {done}/"
          f"{len(load_registry())} tasks")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"metrics": rows}, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0
