"""``lmms-general metrics``: every canonical metric, the tasks using it, implementation, model, proxy flag."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lmms_general.metrics.aliases import CANONICAL_METRIC_IDS, METRIC_ALIASES
from lmms_general.metrics.registry import all_metrics
from lmms_general.registry import load_registry

HELP = "list every metric, its tasks and implementation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import output_file

    parser.add_argument("--json", dest="json_out", metavar="OUT", type=output_file,
                        help="also write the listing as JSON to OUT")


def metric_rows() -> list[dict[str, Any]]:
    """One row per canonical metric id; ``tasks`` lists together cover every registry row."""
    specs = all_metrics()
    tasks: dict[str, list[str]] = {}
    for spec in load_registry().values():
        tasks.setdefault(spec.metric_id, []).append(spec.key)
    rows = []
    for metric_id in sorted(CANONICAL_METRIC_IDS):
        spec = specs.get(metric_id)
        rows.append({
            "id": metric_id,
            "aliases": sorted(raw for raw, mid in METRIC_ALIASES.items() if mid == metric_id),
            "tasks": tasks.get(metric_id, []),
            "implementation": spec.implementation if spec else "",
            "default_model": spec.default_model if spec else None,
            "proxy": bool(spec.proxy) if spec else False,
            "implemented": spec is not None,
        })
    return rows


def run(args: argparse.Namespace) -> int:
    rows = metric_rows()
    for row in rows:
        status = "" if row["implemented"] else "  [NOT IMPLEMENTED]"
        proxy = " (proxy)" if row["proxy"] else ""
        model = f"  model={row['default_model']}" if row["default_model"] else ""
        print(f"{row['id']:<28} {len(row['tasks']):>4} tasks  {row['implementation']}{proxy}{model}{status}")
    done = sum(len(r["tasks"]) for r in rows if r["implemented"])
    print(f"{sum(r['implemented'] for r in rows)}/{len(rows)} metrics implemented, covering {done}/"
          f"{len(load_registry())} tasks")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"metrics": rows}, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0
