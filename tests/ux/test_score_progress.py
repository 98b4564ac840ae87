"""`lmms-general score` shows a progress bar over the tasks on stderr (terminal only); stdout stays the table."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

import lmms_general.commands.score as score_command
from lmms_general.cli import main
from tests.conftest import SAMPLE_ROOT

TASKS = ("Causal-Reasoning", "Natural-Language-Inference")


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "General-Bench-Openset"
    for name in TASKS:
        shutil.copytree(SAMPLE_ROOT / "nlp" / name, root / "nlp" / name)
    nli = root / "nlp" / "Natural-Language-Inference"
    samples = json.loads(next(nli.glob("*.json")).read_text(encoding="utf-8"))["data"]
    (nli / "prediction.json").write_text(json.dumps([{"id": s["id"], "prediction": "entailment"} for s in samples]))
    return root


class _Recorder:
    """Stands in for tqdm: records the constructor's arguments and what the bar was told."""

    bars: list[_Recorder] = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs, self.n, self.postfixes = args, kwargs, 0, []
        _Recorder.bars.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        self.n += n

    def set_postfix_str(self, text, refresh=True):
        self.postfixes.append(text)


def test_score_bar_counts_tasks_on_stderr_and_leaves_stdout_alone(tree, capsys, monkeypatch):
    assert main(["score", "--root", str(tree)]) in (0, 1)
    plain = capsys.readouterr()
    assert "2 task(s) with predictions" in plain.out

    _Recorder.bars = []
    monkeypatch.setattr(score_command, "tqdm", _Recorder)
    assert main(["score", "--root", str(tree)]) in (0, 1)
    [bar] = _Recorder.bars
    assert bar.kwargs["total"] == 2 and bar.n == 2 and bar.kwargs["desc"] == "scoring General-Bench-Openset"
    assert bar.kwargs["disable"] is None and bar.kwargs["leave"] is False and bar.kwargs["file"] is sys.stderr
    assert bar.postfixes == ["nlp_causal_reasoning", "nlp_natural_language_inference"]
    assert capsys.readouterr().out == plain.out

    from tqdm import tqdm as real_tqdm  # a real bar forced on (as on a terminal): it goes to stderr only

    monkeypatch.setattr(score_command, "tqdm", lambda **kw: real_tqdm(**{**kw, "disable": False}))
    assert main(["score", "--root", str(tree)]) in (0, 1)
    shown = capsys.readouterr()
    assert shown.out == plain.out and "scoring General-Bench-Openset" in shown.err
