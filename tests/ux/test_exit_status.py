"""A failed General-Bench task makes lmms-eval exit 3 (issue 20 item 1): for ``python -m lmms_eval`` a clean
``sys.exit`` after the run becomes 3 with one summary line; for the ``lmms-eval`` console script (its launcher runs
``sys.exit(main())``, looking ``sys.exit`` up before ``main()`` runs) an ``atexit`` handler ends a run that finished
without an uncaught exception with 3. Any other status passes through, and only lmms-eval's CLI process is touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
sys.argv[0] = {argv0!r}

def main():
    from lmms_general.task_failures import evaluation_returned, report_failure  # loaded inside main(), as ours is
    if {fail}:
        report_failure("general_bench_x", "malformed JSON")
    evaluation_returned()  # what our simple_evaluate wrapper says when lmms-eval's evaluation returns
    print("results written")

{ending}
"""
MODULE_ENDING = "main()\nsys.exit({status})"  # lmms_eval/__main__.py: main(); sys.exit(0)
LAUNCHER_ENDING = "sys.exit(main())"  # the console script pip generates


def _exit(argv0: str, fail: bool, ending: str) -> subprocess.CompletedProcess:
    code = SCRIPT.format(argv0=argv0, fail=fail, ending=ending)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(("argv0", "fail", "status", "expected"), [
    ("/venv/bin/lmms-eval", True, None, 3),
    ("/venv/bin/lmms-eval", True, 0, 3),
    ("/venv/bin/lmms-eval", True, 1, 1),  # lmms-eval's own failure status is kept
    ("/venv/bin/lmms-eval", False, None, 0),
    ("my_script.py", True, 0, 0),  # not lmms-eval's CLI: sys.exit is left alone
])
def test_clean_exit_after_a_task_failure_is_3(argv0: str, fail: bool, status: object, expected: int) -> None:
    proc = _exit(argv0, fail, MODULE_ENDING.format(status=status))
    assert proc.returncode == expected, proc.stderr
    assert "results written" in proc.stdout
    summary = "1 requested General-Bench task(s) failed, the others' results were written: general_bench_x"
    assert (summary in proc.stderr) == (expected == 3)


SUMMARY = "1 requested General-Bench task(s) failed, the others' results were written: general_bench_x"


@pytest.mark.parametrize(("fail", "ending", "expected"), [
    (True, LAUNCHER_ENDING, 3),
    (False, LAUNCHER_ENDING, 0),
    (True, "import atexit\natexit.register(lambda: print('other handler ran'))\n" + LAUNCHER_ENDING, 3),
    (True, "def main2():\n    main()\n    raise RuntimeError('crash after the run')\nsys.exit(main2())", 1),
    # our own fatal error after the failure (a later task without data): its status 2 is kept
    (True, "def main2():\n    main()\n    from lmms_general.user_errors import fatal\n"
           "    raise fatal('general_bench_y: no data')\nsys.exit(main2())", 2),
])
def test_console_script_launcher_exits_3_after_a_task_failure(fail: bool, ending: str, expected: int) -> None:
    """``sys.exit(main())`` evaluates ``sys.exit`` before ``main()``: the status comes from an atexit handler that
    still runs the other handlers, and an uncaught exception keeps its status 1."""
    proc = _exit("/venv/bin/lmms-eval", fail, ending)
    assert proc.returncode == expected, proc.stderr
    assert "results written" in proc.stdout
    assert (SUMMARY in proc.stderr) == (expected == 3) and proc.stderr.count(SUMMARY) <= 1
    if "other handler" in ending:
        assert "other handler ran" in proc.stdout
