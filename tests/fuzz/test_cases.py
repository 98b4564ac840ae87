"""The bad-data cases of issue 10, one test each: reported with file/task/sample, nothing stops, nothing drops."""

from __future__ import annotations

import json
import logging
import os
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from lmms_general.cli import main as cli_main
from lmms_general.dataset import clear_process_cache, index_root, load_task
from lmms_general.hooks import aggregate_score, doc_to_text, doc_to_visual, process_results
from lmms_general.hooks.docs import build_docs, docs_to_dataset
from lmms_general.protocol import doc_of
from tests.fixtures.isolation import isolate_general_bench

CAUSAL = Path("nlp") / "Causal-Reasoning"
CARS = Path("image") / "comprehension" / "car_brands_recognition"
MCQ = {"task": "Causal Reasoning", "type": "MultipleChoiceQA"}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from isolate_general_bench(tmp_path, monkeypatch)


def _write(root: Path, rel: Path, text: str, name: str = "annotation.json") -> Path:
    path = root / rel / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _mcq(root: Path, data: list, **header: object) -> Path:
    return _write(root, CAUSAL, json.dumps({**MCQ, **header, "data": data}))


def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (9, 9, 9)).save(path)


def _run_all(root: Path, key: str, answer: str = "A") -> tuple[list[dict], list[dict], object]:
    """validate (exit 0), docs, Arrow, prompts, scoring, aggregation; returns (docs, items, score)."""
    assert cli_main(["validate", "--root", str(root), "--no-cache", "--json", str(root.parent / "v.json")]) == 0
    docs = build_docs(key, root)
    docs_to_dataset(docs)
    assert all(isinstance(doc_to_text(d), str) for d in docs)
    items = [process_results(d, [answer])["score"] for d in docs]
    return docs, items, aggregate_score(items)


def test_lone_surrogates(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    ann = _write(root, CAUSAL, json.dumps({**MCQ, "data": [
        {"id": "s\ud800", "input": {"question": "why \udfff?", "options": ["a", "b"]}, "output": {"answer": "A"}},
        {"id": "ok", "input": {"question": "q", "options": ["a", "b"]}, "output": {"answer": "B"}},
    ]}))
    docs, items, _ = _run_all(root, "nlp_causal_reasoning")
    assert len(docs) == 2 and "\ufffd" in doc_to_text(docs[0])
    errors = load_task(root, "nlp_causal_reasoning").samples[0].errors
    assert any(str(ann) in e and "lone surrogate" in e and "'s\ufffd'" in e for e in errors)
    assert items[0]["status"] == "failed" and items[1]["status"] == "ok"  # counted as wrong, in the denominator
    assert json.loads((tmp_path / "v.json").read_text())["tasks"][0]["samples"] == 2


def test_more_than_26_and_non_list_options(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    _mcq(root, [
        {"id": "many", "input": {"question": "pick", "options": [f"o{i}" for i in range(30)]},
         "output": {"answer": "AD"}},
        {"id": "dict", "input": {"question": "pick", "options": {"A": "x", "B": "y"}}, "output": {"answer": "A"}},
        {"id": "int", "input": {"question": "pick", "options": 3}, "output": {"answer": "A"}},
    ])
    docs, items, score = _run_all(root, "nlp_causal_reasoning", "AD")
    prompts = [doc_to_text(d) for d in docs]
    assert "Z. o25\nAA. o26" in prompts[0] and "AD. o29" in prompts[0]
    assert all(p.startswith("pick") for p in prompts[1:])  # non-list options: the prompt is still built
    assert "A. x\nB. y" in prompts[1] and items[1]["status"] == "unparsed"  # a lettered dict: coerced, not dropped
    assert items[2]["status"] == "failed" and "input.options is int" in items[2]["error"]  # an error, named
    assert len(items) == 3 and isinstance(score, float)


def test_media_path_with_nul_newline_or_too_long(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    _png(root / CARS / "images" / "ok.png")
    weird = ["/abs/x\x00.png", "images/a\nb.png", "images/" + "x" * 500 + ".png"]
    ann = _write(root, CARS, json.dumps({"task": "car brands recognition", "data": [
        {"id": f"w{i}", "input": {"image_file": raw}, "output": {"prediction": "GMC"}} for i, raw in enumerate(weird)
    ] + [{"id": "ok", "input": {"image_file": "images/ok.png"}, "output": {"prediction": "GMC"}}]}))
    docs, items, _ = _run_all(root, "image_comp_car_brands_recognition", "GMC")
    task = index_root(root, use_cache=False, check_samples=True).by_key("image_comp_car_brands_recognition")
    assert task.samples == 4 and task.media_missing == 3
    for i, why in enumerate(("NUL byte", "line break", "over 400")):
        assert any(f"sample 'w{i}'" in e and str(ann) in e and why in e for e in task.errors), why
    assert [i["status"] for i in items] == ["failed", "failed", "failed", "ok"]


def test_integer_over_the_digit_limit(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    text = json.dumps({**MCQ, "data": [
        {"id": "big", "input": {"question": "q", "options": ["a"]}, "output": {"answer": "__BIG__"}},
        {"id": "ok", "input": {"question": "q", "options": ["a"]}, "output": {"answer": "A"}},
    ]}).replace('"__BIG__"', "9" * 4400)
    _write(root, CAUSAL, text)
    docs, items, _ = _run_all(root, "nlp_causal_reasoning")
    assert len(docs) == 2
    sample = load_task(root, "nlp_causal_reasoning").samples[0]
    assert "integer of 4,400 digits" in sample.errors[0] and items[0]["status"] == "failed"


def test_json_nested_deeper_than_the_parser(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    deep = "[" * 1500 + "]" * 1500
    text = json.dumps({**MCQ, "others": "__DEEP__", "data": [
        {"id": "a", "input": {"question": "q", "options": ["x"]}, "output": {"answer": "A"}},
        "__DEEP__",
        {"id": "c", "input": {"question": "q", "options": ["x"]}, "output": {"answer": "__DEEP__"}},
        {"id": "d", "input": {"question": "q", "options": ["x"]}, "output": {"answer": "A"}},
    ]}).replace('"__DEEP__"', deep)
    ann = _write(root, CAUSAL, text)
    docs, items, _ = _run_all(root, "nlp_causal_reasoning")
    assert [doc_of(d).sample_id for d in docs] == ["a", "sample1", "sample2", "d"]
    data = load_task(root, "nlp_causal_reasoning")
    assert f"{ann}: sample #1: nested too deeply" in data.samples[1].errors[0]
    assert [i["status"] for i in items] == ["ok", "failed", "failed", "ok"]
    # nesting the parser survives but consumers would not (> 64 levels) is cut with an error
    text = json.dumps({**MCQ, "data": [{"id": "m", "input": {"question": "q", "options": ["x"]}, "output": "__D__"}]})
    _write(root, CAUSAL, text.replace('"__D__"', "[" * 200 + "]" * 200))
    clear_process_cache()
    assert "nested deeper than 64 levels" in load_task(root, "nlp_causal_reasoning").samples[0].errors[0]


def test_unreadable_task_folder_is_reported_and_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "tree"
    locked = _mcq(root, [{"id": "a"}]).parent
    _write(root, Path("nlp") / "Temporal-Reasoning", json.dumps({"task": "Temporal Reasoning", "data": [{"id": "t"}]}))
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root ignores permissions: simulate the failed listing
        real = Path.iterdir

        def iterdir(self: Path):  # noqa: ANN202
            if self == locked:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "iterdir", iterdir)
    try:
        assert cli_main(["validate", "--root", str(root), "--no-cache"]) == 0
        out = capsys.readouterr().out
        assert "cannot list the task folder (PermissionError: Permission denied)" in out
        assert index_root(root, use_cache=False).by_key("nlp_temporal_reasoning").samples == 1
    finally:
        locked.chmod(0o755)


def test_missing_references_stay_samples_and_fail(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    q = {"question": "q", "options": ["a", "b"]}
    _mcq(root, [
        {"id": "1", "input": q, "output": {"answer": "A"}},
        {"id": "2", "input": q, "output": {"answer": "A"}},
        {"id": "none", "input": q},
        {},
        {"id": "null", "input": q, "output": {"answer": None}},
    ])
    docs, items, score = _run_all(root, "nlp_causal_reasoning")
    assert len(docs) == 5 and index_root(root, use_cache=False).by_key("nlp_causal_reasoning").samples == 5
    data = load_task(root, "nlp_causal_reasoning")
    flagged = [s.id for s in data.samples if any("no reference answer" in e for e in s.errors)]
    assert flagged == ["none", "sample3", "null"]
    assert sum(process_results(d, ["A"])["failed"] for d in docs) == 3
    assert [i["status"] for i in items].count("ok") == 2 and score is not None


def test_malformed_annotation_is_shown_by_validate_and_group_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from lmms_general import lmms_integration, task_failures

    task_failures.clear_failures()
    root = tmp_path / "tree"
    _write(root, CAUSAL, '{"task": "Causal Reasoning", "data": [{"id": "1",]}')
    _write(root, Path("nlp") / "Temporal-Reasoning", json.dumps({"task": "Temporal Reasoning", "data": [{"id": "t"}]}))
    assert cli_main(["validate", "--root", str(root), "--no-cache"]) == 0
    assert "malformed JSON (line 1, column 50" in capsys.readouterr().out
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(root))
    with caplog.at_level(logging.WARNING, logger="lmms_general"):
        kept = lmms_integration.present_members(
            ["general_bench_nlp_causal_reasoning", "general_bench_nlp_temporal_reasoning", "general_bench_nlp_proof"]
        )
    assert kept == ["general_bench_nlp_temporal_reasoning"]
    err = capsys.readouterr().err
    assert err.count("general_bench_nlp_causal_reasoning: left out of this run: 0 samples in") == 1
    assert "malformed JSON" in err and "1 have no task folder" in caplog.text
    assert "general_bench_nlp_causal_reasoning" in task_failures.failed_tasks()


@pytest.mark.timeout(30)
def test_fifo_in_place_of_media_never_blocks(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / CARS / "images").mkdir(parents=True)
    os.mkfifo(root / CARS / "images" / "pipe.png")
    _write(root, CARS, json.dumps({"task": "car brands recognition", "data": [
        {"id": "p", "input": {"image_file": "images/pipe.png"}, "output": {"prediction": "GMC"}}]}))
    docs, items, _ = _run_all(root, "image_comp_car_brands_recognition", "GMC")
    assert "not a regular file" in load_task(root, "image_comp_car_brands_recognition").samples[0].errors[0]
    assert doc_to_visual(docs[0]) == [] and items[0]["status"] == "failed"
    assert cli_main(["validate", "--root", str(root), "--no-cache", "--deep"]) == 0


def test_annotation_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tree"
    _mcq(root, [{"id": str(i)} for i in range(100)])
    monkeypatch.setenv("LMMS_GENERAL_MAX_ANNOTATION_BYTES", "500")
    task = index_root(root, use_cache=False).by_key("nlp_causal_reasoning")
    assert task.samples == 0 and "LMMS_GENERAL_MAX_ANNOTATION_BYTES" in task.errors[0]


def _wav(path: Path) -> None:
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(8000)
        fh.writeframes(b"\0\0" * 800)


def _mp4(path: Path) -> bool:
    try:
        import av
        import numpy as np
    except ImportError:
        return False
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 40, np.uint8), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return True


def test_validate_deep_reports_corrupt_png_wav_mp4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "tree"
    images = root / CARS / "images"
    _png(images / "ok.png")
    good = images / "bad.png"
    good.write_bytes((images / "ok.png").read_bytes()[:40])  # truncated: the header still parses
    _wav(images / "ok.wav")
    (images / "bad.wav").write_bytes((images / "ok.wav").read_bytes()[:30])
    has_mp4 = _mp4(images / "ok.mp4")
    (images / "bad.mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"garbage" * 50)
    records = [{"id": n, "input": {"image_file": f"images/{n}.png", "audio_file": f"images/{n}.wav",
                                   "video_file": f"images/{n}.mp4"}, "output": {"prediction": "GMC"}}
               for n in ("ok", "bad")]
    ann = _write(root, CARS, json.dumps({"task": "car brands recognition", "data": records}))
    out_json = tmp_path / "deep.json"
    assert cli_main(["validate", "--root", str(root), "--no-cache", "--deep", "--json", str(out_json)]) == 0
    errors = json.loads(out_json.read_text())["tasks"][0]["errors"]
    corrupt = [e for e in errors if "corrupt" in e]
    assert len(corrupt) == 3, errors
    for name, kind in (("bad.png", "image"), ("bad.wav", "audio"), ("bad.mp4", "video")):
        assert any(f"corrupt {kind} file {images / name}" in e and str(ann) in e
                   and "task image_comp_car_brands_recognition" in e and "sample 'bad'" in e for e in corrupt), name
    assert has_mp4 or not any("ok.mp4" in e for e in errors)


@pytest.mark.timeout(30)
def test_fifo_prediction_file_is_refused(tmp_path: Path) -> None:
    from lmms_general.dataset import PredictionFileError, read_predictions

    os.mkfifo(tmp_path / "prediction.json")
    with pytest.raises(PredictionFileError, match="not a regular file"):
        read_predictions(tmp_path / "prediction.json")


def test_validate_survives_undecodable_names_and_a_directory_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "tree"
    _mcq(root, [{"id": "a", "output": {"answer": "A"}}])
    bad = os.fsencode(root / "nlp") + b"/Bad-\xff-Task"
    os.makedirs(bad)
    with open(bad + b"/annotation.json", "wb") as fh:
        fh.write(b'{"task": "x", "data": [{"id": "\\ud800"}]}')
    assert cli_main(["validate", "--root", str(root), "--no-cache", "--json", str(tmp_path / "v.json")]) == 0
    assert "Bad-\\udcff-Task" in capsys.readouterr().out
    report = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    assert [t["samples"] for t in report["tasks"]] == [1, 1]
    assert cli_main(["validate", "--root", str(root), "--json", str(tmp_path)]) == 2
    assert "cannot write" in capsys.readouterr().err
