"""Writing generated media for the response convention of :mod:`lmms_general.protocol.media_response`.

Files are written as ``<output_dir>/<task>/<sample_id>[_<request key>]_<k>.<ext>`` (adapters pass a request key: a
hash of model settings + request, so a re-run can reuse the files, see :mod:`model_adapters.resume`); the response JSON
lists their absolute paths. Heavy libraries (PIL, soundfile, diffusers) are imported inside writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lmms_general.protocol.media_files import MAX_FOLDER_CHARS, MAX_NAME_CHARS, MediaWriter, safe_id, safe_name
from lmms_general.protocol.media_response import (
    FAILED_PREFIX,
    MEDIA_KEYS,
    build_response,
    failure,
    is_failure,
    parse_response,
)

# safe names and the writer live in lmms_general.protocol.media_files (the protocol's reference answers write media
# too, and the protocol never imports the adapters); re-exported here for the adapters
__all__ = ["FAILED_PREFIX", "MAX_FOLDER_CHARS", "MAX_NAME_CHARS", "MEDIA_KEYS", "MediaWriter", "build_response",
           "default_output_dir", "failure", "is_failure", "parse_response", "safe_id", "safe_name"]


MEDIA_DIR_ENV = "LMMS_GENERAL_MEDIA_DIR"
MEDIA_SUBDIR = "general_bench_media"


def _cli_output_path(argv: Sequence[str]) -> str | None:
    """The value of lmms-eval's ``--output_path`` in this process's command line, if any."""
    for i, arg in enumerate(argv):
        if arg == "--output_path" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--output_path="):
            return arg.split("=", 1)[1]
    return None


def default_output_dir(model_name: str, argv: Sequence[str] | None = None) -> str:
    """Where generated media go when the ``output_dir`` model arg is not given.

    ``$LMMS_GENERAL_MEDIA_DIR/<model>``, else ``<lmms-eval --output_path>/general_bench_media/<model>`` (next to
    the results and sample logs), else ``./general_bench_outputs/<model>``.
    """
    import os
    import sys

    env = os.environ.get(MEDIA_DIR_ENV, "").strip()
    if env:
        return str(Path(env).expanduser() / safe_name(model_name))
    output_path = _cli_output_path(sys.argv if argv is None else argv)
    if output_path:
        return str(Path(output_path).expanduser() / MEDIA_SUBDIR / safe_name(model_name))
    return str(Path("general_bench_outputs") / safe_name(model_name))
