"""lmms-general weights: the networks model-based metrics load — list them, fetch them, check they are here.

Compute nodes of a cluster usually have no internet: fetch on a login node, check, then run.

examples:
  lmms-general weights list                          # name, source, size, rows that need it, cached or not
  lmms-general weights list --json weights.json
  lmms-general weights fetch CLIP INCEPTION          # into the standard caches (HF_HUB_CACHE / TORCH_HOME)
  lmms-general weights fetch --all --dir /shared/w   # into a folder to copy to an air-gapped cluster
  lmms-general weights check                         # exit 1 naming each missing model and the rows it blocks
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "list, fetch and check the weights model-based metrics need"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import output_file

    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = sub.add_parser("list", help="every network a metric loads: source, size, rows, cache")
    listing.add_argument("--json", dest="json_out", metavar="OUT", type=output_file,
                         help="also write the list as JSON to OUT")
    fetch = sub.add_parser("fetch", help="download networks (hub repositories and URL files)")
    fetch.add_argument("names", nargs="*", metavar="NAME", help="names from `weights list` (e.g. CLIP INCEPTION)")
    fetch.add_argument("--all", action="store_true",
                       help="every metric network (adapter default models only by name)")
    fetch.add_argument("--dir", type=Path, help="download below DIR instead of the standard caches")
    sub.add_parser("check", help="which networks are present; exit 1 naming each missing one")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def list_command(args: argparse.Namespace) -> int:
    from lmms_general.metrics.weights_manifest import manifest

    rows = manifest(adapters=True)
    metric_rows = [r for r in rows if r.source.metrics]
    width = max((len(r.source.source) for r in rows), default=len("source"))
    print(f"{'name':<15} {'source':<{width}} {'size':>9} {'rows':>4}  {'cached':<6} used by")
    for r in rows:
        size = _size(r.source.size_bytes) if r.source.size_bytes else "?"
        used_by = ", ".join(r.source.metrics) or f"{r.source.note} (the evaluated model)"
        print(f"{r.source.name:<15} {r.source.source:<{width}} {size:>9} {len(r.rows):>4}  "
              f"{'yes' if r.present_at else 'no':<6} {used_by}")
    total = sum(r.source.size_bytes for r in metric_rows)
    print(f"{len(metric_rows)} metric networks, about {_size(total)} in all, "
          f"{sum(1 for r in metric_rows if r.present_at)} present ({len(rows) - len(metric_rows)} adapter defaults "
          "besides, fetched only by name). Rows needing a judge instead: mos (LMMS_GENERAL_MODEL_MOS), gpt_score "
          "(LMMS_GENERAL_JUDGE_*).")
    if args.json_out:
        from lmms_general.atomic_json import write_text_atomic

        write_text_atomic(args.json_out, json.dumps([r.to_json() for r in rows], indent=1) + "\n")
        print(f"wrote {args.json_out}")
    return 0


def fetch_command(args: argparse.Namespace) -> int:
    from lmms_general.commands.args import fail
    from lmms_general.metrics.model_table import MODEL_TABLE
    from lmms_general.metrics.weights_manifest import by_name, env_for_dir, fetch, unknown_names

    names = [n.upper() for n in args.names]
    if args.all:
        names = list(MODEL_TABLE)
    if not names:
        return fail("lmms-general weights fetch", "name the networks to fetch (see `lmms-general weights list`) "
                    "or pass --all")
    unknown = unknown_names(names)
    if unknown:
        return fail("lmms-general weights fetch", f"unknown network(s) {', '.join(unknown)}; known: "
                    f"{', '.join(by_name())}")
    failed = []
    known = by_name()
    for name in names:
        source = known[name]
        size = f"about {_size(source.size_bytes)}" if source.size_bytes else "size unknown"
        print(f"fetching {name} from {source.source} ({size})", flush=True)
        try:
            where = fetch(source, args.dir)
        except Exception as exc:  # noqa: BLE001 - network errors come in many types; the rest still run
            print(f"  {name}: failed: {type(exc).__name__}: {str(exc)[:300]}", file=sys.stderr)
            failed.append(name)
            continue
        print(f"  {name}: {where}")
    if args.dir:
        env = " ".join(f"{k}={v}" for k, v in env_for_dir(args.dir.resolve()).items())
        print(f"copy {args.dir} to the cluster and run with: export {env}")
    if failed:
        print(f"{len(failed)} of {len(names)} failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def check_command(args: argparse.Namespace) -> int:
    from lmms_general.metrics.weights_manifest import manifest

    rows = manifest()
    missing = [r for r in rows if r.present_at is None]
    for r in rows:
        if r.present_at:
            print(f"ok       {r.source.name:<15} {r.present_at}")
    for r in missing:
        print(f"missing  {r.source.name:<15} blocks {len(r.rows)} rows ({', '.join(r.source.metrics)}): "
              f"lmms-general weights fetch {r.source.name}")
    if missing:
        print(f"{len(missing)} of {len(rows)} networks missing; their rows are reported as not scorable",
              file=sys.stderr)
        return 1
    print(f"all {len(rows)} networks present")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"list": list_command, "fetch": fetch_command, "check": check_command}[args.action](args)
