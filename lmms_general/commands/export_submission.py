"""lmms-general export-submission: Closeset prediction.json files per task, validated and zipped.

Per General-Bench task of a model's lmms-eval run it writes the documented wrapper
{"task", "skill", "type", "data": [{"id", "prediction"}]} to
<out>/<model>/<modality>/<paradigm>/<task folder>/prediction.json; generated media are copied
into media/ next to it and referenced relative to the file. Everything is validated and zipped
as <out>/<model>-<leaderboard-id>.zip.

examples:
  lmms-general export-submission runs/ --out submission/
  lmms-general export-submission runs/ --out submission/ --model janus   # one model of several
"""

from __future__ import annotations

import argparse
import sys

from lmms_general.results import ResultsError, read_lmms_runs
from lmms_general.results.submission import export_model, validate_tree, zip_tree

HELP = "write Closeset prediction.json files and the submission zip"
PROG = "lmms-general export-submission"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import existing_path, file_stem, output_dir

    parser.add_argument("paths", nargs="+", metavar="PATH", type=existing_path,
                        help="lmms-eval output folders or *_results.json files")
    parser.add_argument("--out", type=output_dir, required=True, metavar="DIR", help="output folder")
    parser.add_argument("--model", help="export only this model (default: every model found)")
    parser.add_argument(
        "--leaderboard-id", default="scope-a-full", type=file_stem,
        help="suffix of the zip name (default scope-a-full)"
    )


def run(args: argparse.Namespace) -> int:
    from lmms_general.commands.args import fail

    try:
        models = read_lmms_runs(args.paths)
    except ResultsError as exc:
        return fail(PROG, str(exc))
    if args.model:
        found = [m.model for m in models]
        models = [m for m in models if m.model.lower() == args.model.lower()]
        if not models:
            return fail(PROG, f"model {args.model!r} not found; models in the input: {found}")
    status = 0
    for ms in models:
        export = export_model(ms, args.out)
        problems = validate_tree(export.root)
        for note in ms.messages + export.messages + problems:
            print(f"note [{ms.model}]: {note}", file=sys.stderr)
        if problems:
            fail(PROG, f"{ms.model}: submission invalid ({len(problems)} problems); no zip written")
            status = 1
            continue
        archive = zip_tree(export.root, args.out / f"{export.slug}-{args.leaderboard_id}.zip")
        print(f"{ms.model}: {len(export.files)} tasks, {export.samples} predictions, "
              f"{export.media} media files -> {archive}")
    return status
