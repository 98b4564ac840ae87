"""Reading an annotation's records one at a time, with the very decoder :mod:`~lmms_general.dataset.jsonsafe` uses.

The file is read in blocks; the top level (``{"task": .., "data": [ .. ], ..}`` or a bare ``[ .. ]``) is walked here
and every value under it (each record, each header value) is decoded by ``json.JSONDecoder.raw_decode`` with the
same hooks as the whole-file reader (oversized integers, duplicate keys, ``NaN``), so a record read here equals the
one the whole-file reader builds. Peak memory is one block plus one record, not the file's text plus all its objects.

Anything this walker does not read exactly as the whole-file reader would (malformed JSON, a top-level key named
twice, ``data`` that is not a list, a record nested too deeply for the C parser, a byte that is not valid in the
file's encoding) raises :class:`NeedsWholeFile`: the caller then reads the file the old way, which gives the exact
error message (line and column) or repair it always gave. Valid annotations never take that path.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lmms_general.dataset import jsonsafe

#: bytes read at a time (grown while one value is longer)
BLOCK = 1 << 20
_WS = " \t\r\n"
_SPACE = re.compile(r"[ \t\r\n]*")
_COMMA = re.compile(r"[ \t\r\n]*,[ \t\r\n]*")
#: keys shorter than this are shared between records (the whole-file parser shares every key the same way)
_MEMO_KEY_LEN = 64
_MEMO_SIZE = 4096


class NeedsWholeFile(Exception):  # noqa: N818 - a signal, not an error: the caller re-reads the file the old way
    """The file must be read whole (it is malformed or needs a repair only the whole-file reader makes)."""


@dataclass
class TopLevel:
    """What the walk found around the records: the top-level keys other than ``data`` (in file order), whether
    the file is a bare record list, and whether it may hold lone surrogates (as :func:`jsonsafe.loads` says).

    ``plain`` says whether the record yielded last is plain JSON that :func:`jsonsafe.clean` returns unchanged with no
    problem, so its walk can be skipped: the file is UTF-8 with no lone-surrogate sign (a ``\\uD800``-``\\uDFFF``
    escape or CESU bytes) read so far, no integer over the digit limit and no key named twice was read so far (the
    only values of another type than plain ``dict``/``list``/``str``/``int``/``float``/``bool``/None the decoder
    makes), and the record's text has at most :data:`jsonsafe.MAX_DEPTH` opening brackets (so nothing in it nests
    that deep). Each test errs on the side of False. ``marked`` records the decoder's part; ``plain_count`` counts the
    plain records (all of them are plain when it equals the number of records)."""

    header: dict[str, Any] = field(default_factory=dict)
    bare_list: bool = False
    surrogates: bool = False
    plain: bool = False
    marked: bool = False
    plain_count: int = 0


def _decoder(top: TopLevel) -> json.JSONDecoder:
    """The whole-file reader's decoder, sharing short keys between records as one whole-file parse does; an
    oversized integer or a key named twice sets ``top.marked``."""
    memo: dict[str, str] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        try:
            out = {memo[k]: v for k, v in items}  # every key seen before: the usual object
        except KeyError:
            share = memo.setdefault if len(memo) < _MEMO_SIZE else memo.get
            out = {share(k, k) if len(k) < _MEMO_KEY_LEN else k: v for k, v in items}
        if len(out) == len(items):
            return out
        top.marked = True
        return jsonsafe.object_pairs([(memo.get(k, k), v) for k, v in items])  # a key named twice: marked

    def ints(text: str) -> int | float:
        if len(text) <= jsonsafe.INT_DIGITS:
            return int(text)
        top.marked = True
        return jsonsafe.parse_int(text)

    return json.JSONDecoder(parse_int=ints, object_pairs_hook=pairs)


class _Text:
    """The file's decoded text as a sliding buffer: ``text[pos:]`` is what is not consumed yet."""

    def __init__(self, handle: BinaryIO, top: TopLevel) -> None:
        self.handle = handle
        self.top = top
        head = handle.read(4)
        encoding = json.detect_encoding(head)
        self.utf8 = encoding in ("utf-8", "utf-8-sig")  # where the raw-byte surrogate test is exact
        self.decoder = codecs.getincrementaldecoder(encoding)("surrogatepass")
        self.tail = b""  # the last raw bytes, for a surrogate escape split between two blocks
        self.text = ""
        self.pos = 0
        self.start = 0  # where the value decoded last starts in ``text``
        self.eof = False
        self._feed(head)

    def _feed(self, raw: bytes) -> None:
        window = self.tail + raw
        if not self.top.surrogates and jsonsafe.raw_surrogates(window):
            self.top.surrogates = True
        self.tail = window[-8:]
        try:
            self.text += self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise NeedsWholeFile(str(exc)) from exc

    def more(self) -> bool:
        """Read another block (at least as long as the text held); False at the end of the file."""
        if self.eof:
            return False
        self.text, self.pos = self.text[self.pos:], 0
        raw = self.handle.read(max(BLOCK, len(self.text)))
        self.eof = not raw
        self._feed(raw)
        return True

    def skip_ws(self) -> str:
        """The next character after white space ("" at the end of the file)."""
        while True:
            text, pos = self.text, self.pos
            if pos < len(text) and text[pos] not in _WS:
                return text[pos]
            self.pos = pos = _SPACE.match(text, pos).end()
            if pos < len(text):
                return text[pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        if self.skip_ws() != char:
            raise NeedsWholeFile(f"expected {char!r}")
        self.pos += 1

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode the value at the cursor, reading more blocks while it may be cut by the buffer's end."""
        self.skip_ws()
        scan = decoder.scan_once  # what ``decoder.raw_decode`` calls, without its Python frame
        while True:
            text = self.text
            self.start = start = self.pos
            try:
                value, end = scan(text, start)
            except StopIteration as stop:  # raw_decode's own translation
                if self._cut(json.JSONDecodeError("Expecting value", text, stop.value)):
                    continue
            except json.JSONDecodeError as exc:
                if self._cut(exc):
                    continue
            except RecursionError as exc:  # the whole-file reader marks such a record (one bad sample)
                raise NeedsWholeFile("nested too deeply") from exc
            else:
                if end >= len(text) - 16 and self.more():
                    continue  # a number (or anything) ending at the buffer's end may go on in the next block
                self.pos = end
                return value

    def _cut(self, exc: json.JSONDecodeError) -> bool:
        """True when the error may come from a value cut by the buffer's end and another block was read; else
        raises :class:`NeedsWholeFile`."""
        cut = exc.pos >= len(self.text) - 16 or exc.msg.startswith("Unterminated string")
        if cut and self.more():
            return True
        raise NeedsWholeFile(str(exc)) from exc


def _shallow(text: _Text) -> bool:
    """Whether the value decoded last has at most :data:`jsonsafe.MAX_DEPTH` opening brackets in its text (so nothing
    in it nests that deep; a text of at most twice as many characters cannot hold more)."""
    start, end = text.start, text.pos
    return end - start <= 2 * jsonsafe.MAX_DEPTH or (
        text.text.count("{", start, end) + text.text.count("[", start, end) <= jsonsafe.MAX_DEPTH)


def _array(text: _Text, decoder: json.JSONDecoder, top: TopLevel) -> Iterator[Any]:
    text.expect("[")
    if text.skip_ws() == "]":
        text.pos += 1
        return
    while True:
        record = text.value(decoder)
        if text.utf8 and not (top.surrogates or top.marked) and _shallow(text):  # plain JSON: see TopLevel
            top.plain = True
            top.plain_count += 1
        yield record
        top.plain = False
        comma = _COMMA.match(text.text, text.pos)  # the usual separator and the white space after it, at once
        if comma is not None and comma.end() < len(text.text):
            text.pos = comma.end()
            continue
        char = text.skip_ws()
        text.pos += 1
        if char == "]":
            return
        if char != ",":
            raise NeedsWholeFile("expected ',' or ']'")


def records(path: Path, top: TopLevel) -> Iterator[Any]:
    """The records of an annotation file in order; ``top`` is filled as the walk goes (complete once the iterator
    is exhausted). Raises :class:`NeedsWholeFile` (see the module docstring) and OSError."""
    with path.open("rb") as handle:
        text = _Text(handle, top)
        decoder = _decoder(top)
        first = text.skip_ws()
        if first == "[":
            top.bare_list = True
            yield from _array(text, decoder, top)
        elif first == "{":
            text.pos += 1
            seen_data = False
            if text.skip_ws() == "}":
                raise NeedsWholeFile("no 'data' list")
            while True:
                if text.skip_ws() != '"':
                    raise NeedsWholeFile("expected a key")
                key = text.value(decoder)
                text.expect(":")
                if key in top.header or (key == "data" and seen_data):
                    raise NeedsWholeFile(f"duplicate top-level key {key!r}")
                if key == "data":
                    if text.skip_ws() != "[":
                        raise NeedsWholeFile("'data' is not a list")
                    seen_data = True
                    yield from _array(text, decoder, top)
                else:
                    top.header[key] = text.value(decoder)
                char = text.skip_ws()
                text.pos += 1
                if char == "}":
                    break
                if char != ",":
                    raise NeedsWholeFile("expected ',' or '}'")
            if not seen_data:
                raise NeedsWholeFile("no 'data' list")
        else:
            raise NeedsWholeFile("top level is not an object or a list")
        if text.skip_ws() != "":
            raise NeedsWholeFile("extra data after the top level")
