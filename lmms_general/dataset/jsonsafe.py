"""Reading annotation JSON that Python's parser or our consumers would choke on, without losing records.

* integers over Python's 4,300-digit str->int limit are read as :class:`OversizedInt` (a float, infinite)
  instead of failing the whole file;
* a file nested deeper than the C parser's recursion limit is split at the top level: every record that
  still cannot be parsed becomes a :class:`TooDeep` marker (one bad sample, not a lost task);
* :func:`clean` walks one value and repairs what downstream code cannot handle: lone UTF-16 surrogates
  (not encodable as UTF-8) become U+FFFD, containers nested deeper than :data:`MAX_DEPTH` are cut; each
  repair is returned as a problem text naming the field;
* a key named twice in one object (``object_pairs_hook``) is kept as a :class:`DuplicateKeyDict`: at the top level
  the annotation reader refuses the file, inside a record :func:`clean` reports it (that sample fails).
"""

from __future__ import annotations

import json
import re
from typing import Any

#: containers deeper than this inside one record are cut (real annotations nest < 10 levels)
MAX_DEPTH = 64
#: integer literals longer than this are read as :class:`OversizedInt`
INT_DIGITS = 4000
_SURROGATE = re.compile("[\ud800-\udfff]")
#: the scalar types a JSON parse gives (a subclass such as :class:`OversizedInt` is not one of them)
_SCALARS = frozenset({int, float, bool, type(None)})
#: raw-text signs that a lone surrogate may be present (``\\uD8xx``-``\\uDFxx`` escapes or CESU bytes)
RAW_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_RAW_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_RAW_CESU = re.compile(rb"\xed[\xa0-\xbf]")


def raw_surrogates(raw: bytes) -> bool:
    """Whether :data:`RAW_SURROGATE` matches ``raw``, its two halves searched apart: each has a literal first byte the
    regex engine skips ahead to, where the alternation is tried at every byte (~20 times slower on a large file)."""
    return _RAW_ESCAPE.search(raw) is not None or (b"\xed" in raw and _RAW_CESU.search(raw) is not None)


class OversizedInt(float):
    """An integer literal with more digits than Python converts (kept as ``inf``, sign preserved)."""

    digits: int = 0


class DuplicateKeyDict(dict):
    """A JSON object that named some keys more than once (the last value kept, as ``json`` does); the repeated
    keys are in ``duplicates`` so the reader reports them instead of silently losing the earlier values."""

    duplicates: tuple[str, ...] = ()


def object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: a plain dict, or a :class:`DuplicateKeyDict` naming repeated keys."""
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    repeated = [k for k, _ in pairs if k in seen or seen.add(k)]
    marked = DuplicateKeyDict(out)
    marked.duplicates = tuple(dict.fromkeys(repeated))
    return marked


class TooDeep:
    """A record the JSON parser could not read because it nests too deeply."""

    def __repr__(self) -> str:
        return "<record nested too deeply to parse>"


def parse_int(text: str) -> int | float:
    if len(text) <= INT_DIGITS:
        return int(text)
    value = OversizedInt("-inf" if text.startswith("-") else "inf")
    value.digits = len(text.lstrip("-"))
    return value


def _ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _skip(text: str, i: int) -> int:
    """Index just past the JSON value starting at ``i`` (iterative: no recursion, brackets and strings)."""
    depth, in_str, escape = 0, False, False
    for j in range(i, len(text)):
        c = text[j]
        if in_str:
            if escape:
                escape = False
            elif c == "\\":
                escape = True
            elif c == '"':
                in_str = False
                if depth == 0:
                    return j + 1
        elif c == '"':
            in_str = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return j + 1
        elif depth == 0 and c in ",:":
            return j
    raise json.JSONDecodeError("unterminated value", text, i)


class _Shallow:
    """Top-level parser whose values are decoded one by one by the C decoder."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder(parse_int=parse_int, object_pairs_hook=object_pairs)

    def value(self, i: int) -> tuple[Any, int]:
        try:
            return self.decoder.raw_decode(self.text, i)
        except RecursionError:
            return TooDeep(), _skip(self.text, i)

    def expect(self, i: int, char: str) -> int:
        i = _ws(self.text, i)
        if i >= len(self.text) or self.text[i] != char:
            raise json.JSONDecodeError(f"expected {char!r}", self.text, i)
        return i + 1

    def array(self, i: int) -> tuple[list[Any], int]:
        i = self.expect(i, "[")
        items: list[Any] = []
        i = _ws(self.text, i)
        if i < len(self.text) and self.text[i] == "]":
            return items, i + 1
        while True:
            item, i = self.value(_ws(self.text, i))
            items.append(item)
            i = _ws(self.text, i)
            if i < len(self.text) and self.text[i] == ",":
                i += 1
                continue
            return items, self.expect(i, "]")

    def document(self) -> Any:
        i = _ws(self.text, 0)
        if i < len(self.text) and self.text[i] == "[":
            doc, i = self.array(i)
        else:
            doc, i = DuplicateKeyDict(), self.expect(i, "{")
            repeated: list[str] = []
            i = _ws(self.text, i)
            if i < len(self.text) and self.text[i] == "}":
                i += 1
            else:
                while True:
                    key, i = self.decoder.raw_decode(self.text, _ws(self.text, i))
                    i = _ws(self.text, self.expect(i, ":"))
                    if key in doc:
                        repeated.append(key)
                    if key == "data" and i < len(self.text) and self.text[i] == "[":
                        doc[key], i = self.array(i)
                    else:
                        doc[key], i = self.value(i)
                    i = _ws(self.text, i)
                    if i < len(self.text) and self.text[i] == ",":
                        i += 1
                        continue
                    i = self.expect(i, "}")
                    break
            doc.duplicates = tuple(dict.fromkeys(repeated))
        if _ws(self.text, i) != len(self.text):
            raise json.JSONDecodeError("Extra data", self.text, i)
        return doc


def loads(raw: bytes) -> tuple[Any, bool]:
    """Parse annotation bytes: (document, whether lone surrogates may be present). Pass the bytes without
    keeping a name for them (``loads(handle.read())``) and they are freed before parsing: one copy less at peak.

    Raises:
        json.JSONDecodeError: malformed JSON; UnicodeDecodeError: not UTF-8/16/32.
    """
    text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    maybe_surrogates = raw_surrogates(raw)
    del raw  # the bytes are not kept while the objects are built (the caller passes them without a name)
    try:
        return json.loads(text, parse_int=parse_int, object_pairs_hook=object_pairs), maybe_surrogates
    except RecursionError:
        return _Shallow(text).document(), maybe_surrogates


def clean(value: Any, where: str, *, surrogates: bool = True, depth: int = 0) -> tuple[Any, list[str]]:
    """``value`` made safe for UTF-8, JSON and recursive consumers, plus one problem text per repair."""
    if _is_clean(value, surrogates, depth):  # the usual record: nothing to repair, no path text built
        return value, []
    problems: list[str] = []
    return _clean(value, where, surrogates, depth, problems), problems


def _is_clean(value: Any, surrogates: bool, depth: int) -> bool:
    """Whether :func:`_clean` would return ``value`` itself with no problem: only plain ``dict`` / ``list`` / ``str``
    / ``int`` / ``float`` / ``bool`` / None, no lone surrogate (when checked), nothing deeper than
    :data:`MAX_DEPTH`. Any other type (a marker, a subclass) answers False and goes the full way. Strings and scalars
    inside a container are checked in its loop (one call per container, not per value)."""
    kind = type(value)
    if kind is str:
        return not surrogates or value.isascii() or not _SURROGATE.search(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        depth += 1
        for key, item in value.items():
            if type(key) is str:
                if surrogates and not key.isascii() and _SURROGATE.search(key):
                    return False
            elif not _is_clean(key, surrogates, depth):
                return False
            kind = type(item)
            if kind is str:
                if surrogates and not item.isascii() and _SURROGATE.search(item):
                    return False
            elif kind not in _SCALARS and not _is_clean(item, surrogates, depth):
                return False
        return True
    if kind is list:
        if depth >= MAX_DEPTH:
            return False
        depth += 1
        for item in value:
            kind = type(item)
            if kind is str:
                if surrogates and not item.isascii() and _SURROGATE.search(item):
                    return False
            elif kind not in _SCALARS and not _is_clean(item, surrogates, depth):
                return False
        return True
    return kind in _SCALARS


def _clean(value: Any, where: str, surrogates: bool, depth: int, problems: list[str]) -> Any:
    if isinstance(value, str):
        if surrogates and _SURROGATE.search(value):
            problems.append(f"{where}: invalid Unicode (lone surrogate) replaced by U+FFFD")
            return _SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, OversizedInt):
        limit = "over Python's 4,300-digit limit"
        problems.append(f"{where}: integer of {value.digits:,} digits ({limit}) read as {value}")
        return value
    if isinstance(value, TooDeep):
        problems.append(f"{where}: nested too deeply for the JSON parser (value dropped)")
        return None
    if isinstance(value, (dict, list)):
        if depth >= MAX_DEPTH:
            problems.append(f"{where}: nested deeper than {MAX_DEPTH} levels (value dropped)")
            return None
        if isinstance(value, list):
            out_list = [_clean(v, f"{where}[{i}]", surrogates, depth + 1, problems) for i, v in enumerate(value)]
            return out_list if any(a is not b for a, b in zip(out_list, value, strict=True)) else value
        if isinstance(value, DuplicateKeyDict) and value.duplicates:
            keys = ", ".join(repr(k) for k in value.duplicates)
            problems.append(f"{where}: duplicate key {keys} (the earlier value would be silently lost)")
            value = dict(value)
        out: dict[str, Any] = {}
        changed = False
        for k, v in value.items():
            key = _clean(k, f"{where} key", surrogates, depth + 1, problems)
            new = _clean(v, f"{where}.{key}", surrogates, depth + 1, problems)
            changed = changed or key is not k or new is not v
            out[key] = new
        return out if changed else value
    return value
