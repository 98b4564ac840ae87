"""The streaming annotation reader (issue 20 item 6) reads exactly what the whole-file reader reads: the same
header, the same records (types, duplicate-key marks, oversized integers), the same error texts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmms_general.dataset import json_stream, jsonsafe
from lmms_general.dataset.annotations import (
    AnnotationError,
    _whole_file,
    iter_records,
    read_annotation,
    scan_annotation,
)

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data"
RECORD = {"id": "a", "input": {"question": "Why?", "options": ["x", "y"]}, "output": {"answer": "A"}}


def shape(value: Any) -> Any:
    """A comparable form keeping what equality hides: classes, duplicate-key marks, NaN, repr of markers."""
    if isinstance(value, jsonsafe.DuplicateKeyDict):
        return ("dupdict", value.duplicates, [(k, shape(v)) for k, v in value.items()])
    if isinstance(value, dict):
        return ("dict", [(k, shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [shape(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, jsonsafe.OversizedInt):
        return ("bigint", float(value), value.digits)
    if isinstance(value, jsonsafe.TooDeep):
        return ("toodeep",)
    return (type(value).__name__, value)


def outcome(read: Any, path: Path) -> Any:
    try:
        header, data = read(path)
    except AnnotationError as exc:
        return ("error", str(exc))
    return ("ok", shape(header), shape(list(data)))


def assert_same(path: Path) -> None:
    old = outcome(_whole_file, path)
    assert outcome(read_annotation, path) == old
    if old[0] == "ok":
        header, count = scan_annotation(path)
        assert (shape(header), count) == (old[1], len(old[2][1]))
        assert shape(list(iter_records(path))) == old[2]
    else:
        with pytest.raises(AnnotationError) as info:
            scan_annotation(path)
        assert str(info.value) == old[1]
        with pytest.raises(AnnotationError) as info:
            list(iter_records(path))
        assert str(info.value) == old[1]


@pytest.fixture(params=[json_stream.BLOCK, 7], ids=["block-1MiB", "block-7B"])
def block(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Tiny blocks put every value across block ends (numbers, escapes, multi-byte characters)."""
    monkeypatch.setattr(json_stream, "BLOCK", request.param)
    return request.param


def test_every_sample_tree_annotation_reads_the_same(block: int) -> None:
    paths = [p for p in SAMPLE_DATA.rglob("*.json") if p.name != "prediction.json"]
    assert len(paths) > 20
    for path in paths:
        assert_same(path)


CASES = {
    "plain": json.dumps({"task": "T", "type": "MultipleChoiceQA", "data": [RECORD, {**RECORD, "id": "b"}]}),
    "indented": json.dumps({"task": "T", "data": [RECORD] * 3}, indent=4),
    "header after data": json.dumps({"data": [RECORD], "task": "T", "domain": "a, b"}),
    "bare list": json.dumps([RECORD, RECORD]),
    "empty data": '{"task": "T", "data": []}',
    "empty object": "{}",
    "empty file": "",
    "truncated": json.dumps({"task": "T", "data": [RECORD] * 3})[:-30],
    "truncated header": '{"task": "T',
    "data twice": '{"task": "x", "data": [{"id": "lost"}], "data": [{"id": "kept"}]}',
    "task twice": '{"task": "x", "task": "y", "data": []}',
    "duplicate key in a record": '{"data": [{"id": "a", "input": {"q": 1, "q": 2}}]}',
    "data not a list": '{"task": "x", "data": {"id": "a"}}',
    "no data": '{"task": "x"}',
    "top level number": "42",
    "top level string": '"data"',
    "trailing garbage": '{"data": []} x',
    "two documents": '{"data": []}{"data": []}',
    "missing comma": '{"data": [{"id": 1} {"id": 2}]}',
    "trailing comma": '{"data": [{"id": 1},]}',
    "nan and infinity": '{"data": [{"id": 1, "v": NaN, "w": -Infinity, "x": 1e999}]}',
    "numbers": '{"data": [12345678901234567890, -0.5e-3, 7, 0]}',
    "oversized integer": '{"data": [{"id": 1, "v": ' + "9" * 5000 + "}]}",
    "oversized integer in header": '{"n": ' + "1" * 5000 + ', "data": []}',
    "lone surrogate escape": '{"task": "a\\ud800b", "data": [{"id": "x\\udc00"}]}',
    "escapes": '{"data": [{"id": "tab\\t quote\\" slash\\/ \\u00e9 \\ud83d\\ude00"}]}',
    "unicode": json.dumps({"task": "Ünïcødé ✓ 🐍", "data": [{"id": "é" * 40, "q": "漢字" * 30}]}, ensure_ascii=False),
    "deep record": '{"data": [{"id": 1}, ' + "[" * 5000 + "]" * 5000 + ', {"id": 3}]}',
    "deep header": '{"x": ' + "[" * 5000 + "]" * 5000 + ', "data": [{"id": 1}]}',
    "control character": '{"data": [{"id": "a\nb"}]}',
    "key not a string": '{1: 2, "data": []}',
    "whitespace everywhere": ' \n{ "task" : "T" ,\n\t"data" :\r\n [ {"id":1} , \n {"id":2} ] } \n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_crafted_files_read_the_same(name: str, tmp_path: Path, block: int) -> None:
    path = tmp_path / "annotation.json"
    path.write_text(CASES[name], encoding="utf-8")
    assert_same(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_other_encodings_read_the_same(encoding: str, tmp_path: Path, block: int) -> None:
    path = tmp_path / "annotation.json"
    path.write_bytes(CASES["unicode"].encode(encoding))
    assert_same(path)
    assert outcome(read_annotation, path)[0] == "ok"


def test_invalid_utf8_and_cesu_bytes_read_the_same(tmp_path: Path, block: int) -> None:
    path = tmp_path / "annotation.json"
    path.write_bytes(b'{"data": [{"id": "ok"}, {"id": "\xff\xfe"}]}')
    assert_same(path)
    path.write_bytes(b'{"task": "\xed\xa0\x80", "data": [{"id": "\xed\xb0\x80"}]}')  # surrogates in CESU-8
    assert_same(path)


def test_duplicate_keys_are_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "annotation.json"
    path.write_text(CASES["data twice"], encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"duplicate top-level key 'data'"):
        read_annotation(path)
    path.write_text(CASES["duplicate key in a record"], encoding="utf-8")
    _header, data = read_annotation(path)
    assert isinstance(data[0]["input"], jsonsafe.DuplicateKeyDict) and data[0]["input"].duplicates == ("q",)


def test_malformed_json_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "annotation.json"
    path.write_text('{"data": [\n{"id": 1}\n{"id": 2}]}', encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"malformed JSON \(line 3, column 1: Expecting ',' delimiter\)"):
        scan_annotation(path)


def test_streaming_never_holds_the_whole_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid file is read in blocks: the whole-file reader is not called and no block exceeds the buffer."""
    path = tmp_path / "annotation.json"
    path.write_text(json.dumps({"task": "T", "data": [RECORD] * 2000}), encoding="utf-8")
    monkeypatch.setattr(json_stream, "BLOCK", 4096)
    import lmms_general.dataset.annotations as annotations

    monkeypatch.setattr(annotations, "_whole_file", lambda p: pytest.fail("read whole"))
    header, count = scan_annotation(path)
    assert (header["task"], count) == ("T", 2000)
    assert sum(1 for _ in iter_records(path)) == 2000


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.dictionaries(st.sampled_from(["task", "type", "domain", "x"]), json_values, max_size=3),
       data=st.lists(json_values, max_size=5), cut=st.integers(min_value=0, max_value=400),
       indent=st.sampled_from([None, 1]), ascii_only=st.booleans())
def test_random_files_and_their_truncations_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           header: dict[str, Any], data: list[Any], cut: int,
                                                           indent: int | None, ascii_only: bool) -> None:
    monkeypatch.setattr(json_stream, "BLOCK", 5)
    text = json.dumps({**header, "data": data}, indent=indent, ensure_ascii=ascii_only)
    path = tmp_path / "annotation.json"
    for variant in (text, text[: len(text) * cut // 400]):
        path.write_text(variant, encoding="utf-8")
        assert_same(path)
