"""Readers: lmms-eval output folders (merge, bad input) and the official CSV / xlsx layout."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from lmms_general.registry import load_registry
from lmms_general.results import ResultsError, read_lmms_runs, read_official_scores
from lmms_general.results.samples import read_sample_items
from tests.level.level_fixtures import items, write_run

VECTORS = Path(__file__).resolve().parents[1] / "data" / "general_level" / "check_vectors"
T1 = "general_bench_nlp_commonsense_reasoning"
T2 = "general_bench_nlp_causal_reasoning"


def test_merge_latest_wins_and_other_benchmarks(tmp_path):
    folder = tmp_path / "runs" / "org__model"
    write_run(folder, "20250101_000000", "org/model", {T1: 10.0, T2: 20.0})
    write_run(folder, "20250102_000000", "org/model", {T1: 90.0}, samples={T1: items([1, 0])},
              other={"mmmu_val": {"mmmu_acc": 0.41}})
    [ms] = read_lmms_runs([tmp_path / "runs"])
    assert ms.model == "org/model"
    assert ms.scores == {"nlp_commonsense_reasoning": 90.0, "nlp_causal_reasoning": 20.0}
    assert any("overrides" in m and T1 in m for m in ms.messages)
    assert ms.other == {"mmmu_val": {"mmmu_acc": 0.41}}
    assert ms.samples["nlp_commonsense_reasoning"].name == f"20250102_000000_samples_{T1}.jsonl"
    log = read_sample_items(ms.samples["nlp_commonsense_reasoning"])
    assert [i["id"] for i in log.items] == ["s0", "s1"] and not log.errors


def test_bad_input_is_reported(tmp_path):
    folder = tmp_path / "m"
    write_run(folder, "20250101_000000", "m",
              {T1: math.nan, T2: None, "general_bench_no_such_task": 5.0},
              groups={"general_bench_nlp": [T1, T2, "general_bench_nlp_legal_question_answering"]})
    write_run(folder / "copy", "20250101_000000", "m", {T2: None})  # a duplicated run
    [ms] = read_lmms_runs([folder])
    text = "\n".join(ms.messages)
    assert "not a finite number" in text and T1 in text
    assert "no score" in text and T2 in text
    assert "unknown General-Bench task 'general_bench_no_such_task'" in text
    assert "general_bench_nlp_legal_question_answering of group general_bench_nlp has no result" in text
    assert "duplicated run" in text
    assert ms.scores["nlp_commonsense_reasoning"] is None


def test_registry_fallback_without_metadata(tmp_path):
    write_run(tmp_path, "20250101_000000", "m", {T1: 50.0}, with_metadata=False)
    [ms] = read_lmms_runs([tmp_path])
    assert ms.scores == {"nlp_commonsense_reasoning": 50.0}


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(ResultsError, match="no such file"):
        read_lmms_runs([tmp_path / "nope"])
    with pytest.raises(ResultsError, match="no \\*_results.json"):
        read_lmms_runs([tmp_path])
    (tmp_path / "x_results.json").write_text("{not json")
    with pytest.raises(ResultsError, match="x_results.json"):
        read_lmms_runs([tmp_path])


def test_bad_sample_line_is_counted(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"score": {"id": "a"}}\nnot json\n{"doc_id": 3}\n')
    log = read_sample_items(path)
    assert len(log.items) == 1 and len(log.errors) == 2 and ":2:" in log.errors[0]


def test_official_csv_layout():
    ms = read_official_scores(VECTORS / "half_sota", "HALF_SOTA")  # case-insensitive column match
    assert len(ms.scores) == 699
    assert ms.scores["nlp_commonsense_reasoning"] == pytest.approx(41.665)
    assert not ms.messages


def test_official_xlsx_layout(tmp_path):
    from openpyxl import Workbook

    registry = load_registry()
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in ("NLP", "Image-Comprehension", "Image-Generation", "Video-Comprehension", "Video-Generation",
                  "Audio-Comprehension", "Audio-Generation", "3D-Comprehension", "3D-Generation"):
        ws = workbook.create_sheet(sheet)
        ws.append(["No", "Task Name", "Task Short Name", "Metrics", "m"])
        for n, spec in enumerate(registry.sheet(sheet)):
            value = spec.sota if n else "∞"  # first row of each sheet missing
            ws.append([spec.no, spec.task_name, spec.short_name, spec.metric_raw, value])
    workbook.save(tmp_path / "m.xlsx")
    ms = read_official_scores(tmp_path / "m.xlsx", "m")
    assert len(ms.scores) == 699 - 9
    assert "nlp_commonsense_reasoning" not in ms.scores


def test_official_layout_errors(tmp_path):
    with pytest.raises(ResultsError, match="no column 'nobody'"):
        read_official_scores(VECTORS / "half_sota", "nobody")
    with pytest.raises(ResultsError, match="no CSV for sheet"):
        read_official_scores(tmp_path, "m")
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in (VECTORS / "half_sota").iterdir():
        (bad / f.name).write_text(f.read_text(encoding="utf-8").replace("Causal Reasoning,", "Casual Reasoning,", 1),
                                  encoding="utf-8")
    with pytest.raises(ResultsError, match="unknown task 'Casual Reasoning'"):
        read_official_scores(bad, "half_sota")


def test_parse_line_is_json_loads(tmp_path):
    """The sample-log line parser (orjson where it reads the line as ``json`` does) gives what ``json.loads`` gives:
    values orjson refuses or would read differently (NaN, 1e400, a lone surrogate, an integer past 64 bits) too,
    and the same bad-line messages."""
    import json as std_json

    from lmms_general.results.samples import iter_records, parse_line

    lines = [b'{"score": {"prediction": "A", "reference": ["A"], "value": 100.0, "state": [1.5, -0.0, 2e-310]}}\n',
             b'{"score": {"value": NaN, "big": 123456789012345678901234, "neg": -9999999999999999999}}\n',
             b'{"score": {"x": 1e400, "s": "\\ud800", "t": "\\u00e9\\ud83d\\ude00"}}\r\n',
             b'  {"score": {"n": 9223372036854775807, "a": 1, "a": 2}}  \n']
    for raw in lines:
        expected = std_json.loads(raw.decode("utf-8"))
        assert repr(parse_line(raw)) == repr(expected)
    log = tmp_path / "log.jsonl"
    log.write_bytes(lines[0] + b"\n   \n" + b'{"score": [1,]}\n' + b"\xff\xfe\n" + lines[1])
    got = list(iter_records(log))
    assert [number for number, _, _ in got] == [1, 4, 5, 6]
    assert got[1][2] == f"{log}:4: invalid JSON (Expecting value)"
    assert got[2][2] == f"{log}:5: not UTF-8 text (byte 0 of the line)"
    assert got[3][1]["score"]["big"] == 123456789012345678901234


def test_cyclic_gc_paused_restores_the_collector_state():
    import gc

    from lmms_general.level_run import cyclic_gc_paused

    was = gc.isenabled()
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            with pytest.raises(RuntimeError), cyclic_gc_paused():
                assert not gc.isenabled()
                raise RuntimeError("a task failed")
            assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_cyclic_gc_pause_in_two_threads_leaves_the_collector_on(monkeypatch):
    """Two threads pausing the collector at once (``compute_level`` / ``load_docs`` are public): one that starts
    while the other's pause is ending must not read "off", and leave the collector off for good after both."""
    import gc
    import threading

    from lmms_general.level_run import cyclic_gc_paused

    a_in, a_go, a_out = threading.Event(), threading.Event(), threading.Event()
    real_isenabled = gc.isenabled

    def isenabled() -> bool:
        state = real_isenabled()
        if threading.current_thread().name == "pauser-b":  # thread A's pause ends right after B read the state
            a_go.set()
            a_out.wait(5)
        return state

    def pauser_a() -> None:
        with cyclic_gc_paused():
            a_in.set()
            a_go.wait(5)
        a_out.set()

    def pauser_b() -> None:
        a_in.wait(5)
        with cyclic_gc_paused():
            pass

    was = real_isenabled()
    gc.enable()
    monkeypatch.setattr(gc, "isenabled", isenabled)
    try:
        threads = [threading.Thread(target=pauser_a, name="pauser-a"),
                   threading.Thread(target=pauser_b, name="pauser-b")]
        threads[0].start()
        threads[1].start()
        threads[1].join(10)
        a_go.set()
        threads[0].join(10)
        assert real_isenabled()
    finally:
        monkeypatch.undo()
        gc.enable() if was else gc.disable()
