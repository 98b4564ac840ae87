"""The loader's shortcuts give what the long way gives (issue 23): a record the streaming reader calls ``plain`` is one
:func:`jsonsafe.clean` returns unchanged with no problem, the one-call-per-container ``_is_clean`` answers as the
one-call-per-value walk did, and resolved media paths equal ``Path(str)`` of the same text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmms_general.dataset import json_stream, jsonsafe
from lmms_general.dataset.annotations import iter_records, read_annotation_plain
from lmms_general.dataset.media import MediaResolver
from lmms_general.dataset.samples import build_samples

RECORD = {"id": "a", "input": {"image_file": "images/a.png", "prompt": "What?"}, "output": {"answer": "x"}}


def reference_is_clean(value: Any, surrogates: bool, depth: int) -> bool:
    """``_is_clean`` as it was before it checked strings inside the container's loop (one call per value)."""
    kind = type(value)
    if kind is str:
        return not surrogates or value.isascii() or not jsonsafe._SURROGATE.search(value)
    if kind is dict:
        if depth >= jsonsafe.MAX_DEPTH:
            return False
        return all(reference_is_clean(k, surrogates, depth + 1) and reference_is_clean(v, surrogates, depth + 1)
                   for k, v in value.items())
    if kind is list:
        if depth >= jsonsafe.MAX_DEPTH:
            return False
        return all(reference_is_clean(v, surrogates, depth + 1) for v in value)
    return value is None or kind is int or kind is float or kind is bool


def nested(depth: int, inner: Any = "x") -> Any:
    for _ in range(depth):
        inner = [inner]
    return inner


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
    st.sampled_from(["\ud800", "a\udfffb", "\ud83d\ude00", "é", jsonsafe.OversizedInt("inf"), jsonsafe.TooDeep(),
                     (1, 2), b"x"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=4), st.sampled_from(["\udc00", 7])), inner, max_size=3),
        st.builds(lambda d: jsonsafe.DuplicateKeyDict(d), st.dictionaries(st.text(max_size=3), inner, max_size=2)),
        st.integers(55, 70).map(nested),
    ),
    max_leaves=12,
)


@settings(max_examples=400, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(value=VALUES, surrogates=st.booleans(), depth=st.sampled_from([0, 1, 60, 63, 64]))
def test_is_clean_answers_as_the_walk_per_value(value: Any, surrogates: bool, depth: int) -> None:
    assert jsonsafe._is_clean(value, surrogates, depth) == reference_is_clean(value, surrogates, depth)


#: JSON texts of records (written raw into the file, so escapes, huge integers and repeated keys survive)
RAW_RECORDS = st.one_of(
    st.just(json.dumps(RECORD)),
    st.builds(json.dumps, st.dictionaries(st.text(max_size=5), st.recursive(
        st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
        max_leaves=10), max_size=4)),
    st.sampled_from([
        '{"id": "s\\ud800"}', '{"id": "p\\ud83d\\ude00"}', '{"id": "k", "\\udc00": 1}', '{"id": "k", "v": "\\uDBFF"}',
        '{"id": "big", "n": ' + "7" * 4100 + "}", '{"id": "int", "n": ' + "7" * 3999 + "}",
        '{"id": "dup", "input": {"q": 1, "q": 2}}', '{"id": "d", "id": "e"}',
        '{"id": "brackets", "t": "' + "[{" * 70 + '"}', "[1, 2]", '"text"', "null", "3",
    ]),
    st.integers(60, 70).map(lambda d: '{"id": "deep", "v": ' + "[" * d + "]" * d + "}"),
    st.integers(60, 70).map(lambda d: '{"id": "deepobj", "v": ' + '{"a": ' * d + "1" + "}" * d + "}"),
)


@settings(max_examples=150, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(records=st.lists(RAW_RECORDS, max_size=6), block=st.sampled_from([7, 64, json_stream.BLOCK]),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]), bare=st.booleans())
def test_a_plain_record_is_one_clean_returns_unchanged(tmp_path_factory: pytest.TempPathFactory, records: list[str],
                                                         block: int, encoding: str, bare: bool) -> None:
    path = tmp_path_factory.mktemp("plain") / "annotation.json"
    body = "[" + ", ".join(records) + "]"
    path.write_bytes((body if bare else '{"task": "t", "data": ' + body + "}").encode(encoding, "surrogatepass"))
    saved, json_stream.BLOCK = json_stream.BLOCK, block
    try:
        top = json_stream.TopLevel()
        flags = []
        for record in iter_records(path, top):
            flags.append(top.plain)
            if top.plain:
                assert jsonsafe.clean(record, "record") == (record, [])
                assert jsonsafe.clean(record, "record")[0] is record
        _header, data, all_plain = read_annotation_plain(path)
    finally:
        json_stream.BLOCK = saved
    assert len(flags) == len(data)
    assert all_plain == all(flags)
    if encoding == "utf-16":
        assert not any(flags)  # the raw-byte surrogate test is exact for UTF-8 only
    # and the samples are the same either way
    for plain in (True, False):
        built, _missing = build_samples(data, annotation_file=path, resolver=None, plain_records=plain and all_plain)
        if plain:
            first = built
        else:
            assert built == first


def test_plain_is_said_of_ordinary_records_and_not_of_the_others(tmp_path: Path) -> None:
    path = tmp_path / "annotation.json"
    texts = [json.dumps(RECORD), json.dumps({"id": "deep", "v": nested(63)}), json.dumps({"id": "d", "v": nested(64)}),
             '{"id": "dup", "id": "e"}', json.dumps(RECORD)]
    path.write_text('{"task": "t", "data": [' + ", ".join(texts) + "]}", encoding="utf-8")
    top = json_stream.TopLevel()
    flags = [top.plain for _ in iter_records(path, top)]
    # 63 levels of list under the record nest 64 brackets deep (allowed); 64 levels are 65 (not vouched); after a
    # repeated key nothing more is vouched in that file
    assert flags == [True, True, False, False, False]
    path.write_text('{"task": "t\\ud800", "data": [' + json.dumps(RECORD) + "]}", encoding="utf-8")
    top = json_stream.TopLevel()
    assert [top.plain for _ in iter_records(path, top)] == [False]
    path.write_text('{"task": "t", "data": [' + json.dumps(RECORD) + ', {"n": ' + "1" * 4001 + "}]}", encoding="utf-8")
    _header, data, all_plain = read_annotation_plain(path)
    assert len(data) == 2 and not all_plain


def test_resolved_paths_equal_paths_parsed_from_text(tmp_path: Path) -> None:
    (tmp_path / "images" / "sub").mkdir(parents=True)
    for name in ("a.png", "sub/b.png"):
        (tmp_path / "images" / name).write_bytes(b"x")
    (tmp_path / "linked").symlink_to(tmp_path / "images")
    resolver = MediaResolver(tmp_path)
    for raw, rel in [("images/a.png", "images/a.png"), ("./images//sub/b.png", "images/sub/b.png"),
                     ("a.png", "images/a.png"), ("other/b.png", None), ("images\\sub\\b.png", "images/sub/b.png"),
                     ("images/sub", "images/sub"), ("images/a.png", "images/a.png")]:
        path, _is_dir = resolver.resolve_entry(raw)
        if rel is None:
            assert path is None
            continue
        expected = Path(str(tmp_path.resolve() / rel))
        assert path == expected and str(path) == str(expected) and path.parts == expected.parts
    linked, _ = resolver.resolve_entry("linked/sub/b.png")
    assert linked == (tmp_path / "images" / "sub" / "b.png").resolve()
    assert resolver.resolve_entry("linked/sub/b.png") == (linked, False)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(raw=st.lists(st.one_of(st.binary(max_size=4), st.sampled_from(
    [b"\\u", b"\\uD8", b"\\ud", b"\\udc", b"\\uDf", b"\\uDa", b"\\uD7", b"\xed", b"\xed\xa0", b"\xed\xbf", b"\xed\x9f",
     b"\xed\xc0", b"u", b"\\", b"D", b"8"])), max_size=8).map(b"".join))
def test_raw_surrogates_is_the_regex_search(raw: bytes) -> None:
    assert jsonsafe.raw_surrogates(raw) == bool(jsonsafe.RAW_SURROGATE.search(raw))
