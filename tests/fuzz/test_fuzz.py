"""Seeded fuzz of annotation files: >= 1,000 files per run over every annotation convention and task kind.

Every file must pass ``validate``, the docs, prompt and scoring hooks and the aggregation without an
uncaught exception, and keep every record: records in the file = samples counted by ``validate`` =
docs built = items scored + items failed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmms_general.dataset import clear_process_cache

from .harness import TASKS, FuzzTask, annotation_files, answers, check, make_tree, write_annotation

EXAMPLES_PER_TASK = 92  # x 11 tasks = 1,012 files per run
FUZZ = settings(
    max_examples=EXAMPLES_PER_TASK,
    derandomize=True,  # seeded: the same files on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    saved = {k: os.environ.get(k) for k in ("LMMS_GENERAL_CACHE", "GENERAL_BENCH_ROOT")}
    os.environ["LMMS_GENERAL_CACHE"] = str(root / "cache")
    os.environ.pop("GENERAL_BENCH_ROOT", None)
    yield root
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    clear_process_cache()


@pytest.mark.parametrize("task", TASKS, ids=[f"{t.kind}-{t.key}" for t in TASKS])
def test_fuzzed_annotation_files(task: FuzzTask, fuzz_root: Path) -> None:
    tree = make_tree(task, fuzz_root / task.key)
    seen: list[int] = []

    @FUZZ
    @given(file=annotation_files(task), replies=answers, data=st.data())
    def one_file(file: tuple[object, int | None], replies: list[str], data: st.DataObject) -> None:
        doc, records = file
        write_annotation(task, tree, doc)
        outcome = check(task, tree, records, replies)
        seen.append(1)
        assert not outcome.crashes, outcome.crashes[0]
        if records is not None:
            assert outcome.counted == records, (outcome.counted, records)
            assert outcome.docs == records
            assert outcome.scored + outcome.failed == records
        else:
            assert outcome.counted == 0

    one_file()
    assert len(seen) >= EXAMPLES_PER_TASK
