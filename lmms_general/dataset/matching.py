"""Joining task folders to registry rows (§8, §10 rule 8).

A folder matches a row of the same modality and paradigm when, after :func:`norm_name`, one of these
agrees, tried in order: the explicit alias table (``resources/folder_aliases.csv`` -> the registry's
``folder_aliases``), the folder name vs the row's task name, the folder name vs the row's short name
(only when that short name is unique), then the annotation's ``task`` value vs task name / short name.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from lmms_general.dataset.annotations import norm_name
from lmms_general.registry import Registry, load_registry

Scope = tuple[str, str]


class Matcher:
    """Name lookups of one registry, per (modality, paradigm)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._alias: dict[Scope, dict[str, str]] = defaultdict(dict)
        self._names: dict[Scope, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._short: dict[Scope, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for spec in registry.values():
            scope = (spec.modality, spec.paradigm)
            for folder in spec.folder_aliases:
                self._alias[scope][norm_name(folder)] = spec.key
            for name in (spec.display_name, spec.task_name):
                if norm_name(name):
                    self._names[scope][norm_name(name)].add(spec.key)
            if norm_name(spec.short_name):
                self._short[scope][norm_name(spec.short_name)].add(spec.key)

    def _unique(self, table: dict[str, set[str]], name: str) -> str | None:
        keys = table.get(name)
        return next(iter(keys)) if keys and len(keys) == 1 else None

    def match(self, modality: str, paradigm: str, folder: str, header_task: str | None = None) -> str | None:
        """The registry key for a task folder, or None."""
        scope = (modality, paradigm)
        by_folder = norm_name(folder)
        key = self._alias[scope].get(by_folder)
        if key:
            return key
        for name in (by_folder, norm_name(header_task) if header_task else ""):
            if not name:
                continue
            key = self._unique(self._names[scope], name) or self._unique(self._short[scope], name)
            if key:
                return key
        return None


@functools.lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    """Matcher over the packaged registry."""
    return Matcher(load_registry())
