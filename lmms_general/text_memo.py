"""Results of pure functions of a text remembered per process for short texts: a task's prompts, labels and parsed
answers repeat, so each distinct short text is judged once; longer texts (documents, long answers) are computed every
time, so the memory a memo holds stays bounded.

The keys of such memos: :func:`json_key` (a JSON value as an exact hashable key), :func:`values_key` (the values a
function reads from a mapping) and :class:`Keyed` (an argument the memo keys by its key, not by itself)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def remembered_for_short_texts(maxsize: int, max_chars: int = 512) -> Callable[[F], F]:
    """Decorator: ``fn(text, *args)`` remembered (``functools.lru_cache`` of ``maxsize``, thread-safe) when ``text`` has
    at most ``max_chars`` characters; ``args`` must then be hashable. ``fn`` must be pure."""

    def wrap(fn: F) -> F:
        memo = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text: str, *args: Any) -> Any:
            return memo(text, *args) if len(text) <= max_chars else fn(text, *args)

        call.cache_clear = memo.cache_clear  # type: ignore[attr-defined]
        call.cache_info = memo.cache_info  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return wrap


def json_key(value: Any) -> Any:
    """A hashable key of a JSON value, equal for two values exactly when they are equal with the same types all the
    way down (``True``, ``1`` and ``1.0`` differ, so do a list and a dict; order kept). Raises TypeError for a value
    that holds something unhashable besides lists and dicts."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is list:
        return (list, tuple([json_key(item) for item in value]))
    if kind is dict:
        return (dict, tuple([(json_key(k), json_key(v)) for k, v in value.items()]))
    hash(value)
    return (kind, value)


#: id -> (list or dict, its json_key): a task's docs share one label set object, keyed once (the object is held, so
#: its id cannot name another object while it is here)
_SHARED_KEYS: dict[int, tuple[Any, Any]] = {}
_MAX_SHARED = 512


class _HashedKey:
    """A :func:`json_key` with its hash worked out once: a memo key holding a task's label set is hashed per sample,
    and a tuple's hash is not cached (200 labels: ~3 µs a time). Equal to, and hashed as, the key itself."""

    __slots__ = ("key", "_hash")

    def __init__(self, key: Any) -> None:
        self.key, self._hash = key, hash(key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if type(other) is _HashedKey:
            return other is self or (self._hash == other._hash and self.key == other.key)
        return self.key == other


def _shared_key(value: Any) -> Any:
    entry = _SHARED_KEYS.get(id(value))
    if entry is not None and entry[0] is value:
        return entry[1]
    key = _HashedKey(json_key(value))
    if len(_SHARED_KEYS) >= _MAX_SHARED:
        _SHARED_KEYS.clear()  # per-sample lists pass through; the shared ones come back at their next use
    _SHARED_KEYS[id(value)] = (value, key)
    return key


def values_key(mapping: Mapping[str, Any], keys: Sequence[str]) -> tuple[Any, ...]:
    """The :func:`json_key` of ``mapping.get(k)`` for each of ``keys`` (an absent key as None): a memo key for a
    function that reads only these keys with ``get``. A list or dict value is keyed once per object (the mapping's
    values must not be mutated, as a :class:`~lmms_general.protocol.doc.Doc`'s are not)."""
    out = []
    for value in map(mapping.get, keys):
        kind = type(value)
        if kind is str or value is None:
            out.append(value)
        elif kind is list or kind is dict:
            out.append(_shared_key(value))
        else:
            out.append(json_key(value))
    return tuple(out)


class ValuesKeys:
    """:func:`values_key` of one set of keys, for mappings that mostly hold the same objects under them (the docs of one
    task share their label set and header facts): the last key is given again while every value is the same object
    (thread-safe: the last values and their key are replaced together)."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = tuple(keys)
        self._last: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None

    def __call__(self, mapping: Mapping[str, Any]) -> tuple[Any, ...]:
        values = tuple(map(mapping.get, self.keys))
        last = self._last
        if last is not None and all(map(operator.is_, values, last[0])):
            return last[1]
        key = values_key(mapping, self.keys)
        self._last = (values, key)
        return key


class Keyed:
    """A memo argument that hashes and compares by ``key`` and carries a value (what the function computes from on a
    miss, :meth:`take`): the memo's answer for one value serves every value with an equal key."""

    __slots__ = ("key", "_value", "_hash")

    def __init__(self, key: Any, value: Any) -> None:
        self.key, self._value, self._hash = key, value, hash(key)

    def take(self) -> Any:
        """The value, once: the memo then holds the key only (not a sample's whole doc per remembered answer)."""
        value, self._value = self._value, None
        return value

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keyed) and self._hash == other._hash and self.key == other.key
