"""A task kind is one object (issue 21): everything that differs between task kinds lives on its
:class:`~lmms_general.protocol.formats.AnswerFormat`, and no other module branches on a task-kind name."""

from __future__ import annotations

import ast

import pytest

from lmms_general.protocol.formats import FORMATS, AnswerFormat
from lmms_general.protocol.kinds import task_kind
from lmms_general.registry import load_registry
from tests.conftest import REPO

KIND_NAMES = frozenset(FORMATS)
#: the one module where task-kind names may be compared and tabled
HOME = REPO / "lmms_general" / "protocol" / "formats.py"
#: ``path relative to the repository -> why`` for modules that may name task kinds in a table keyed by them
#: (each metric names its kind on its own ``MetricSpec.task_kind``: no table keyed by kinds is needed)
ALLOWED: dict[str, str] = {}
SCANNED = ("lmms_general", "model_adapters")


def _kind_names(node: ast.AST) -> set[str]:
    """The task-kind names a constant or a literal collection of constants holds."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & KIND_NAMES
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in KIND_NAMES}
    return set()


def kind_branches(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` of every comparison of a ``*kind*`` expression with a task-kind name (``kind == "dense"``,
    ``doc.task_kind in {"qa", "label_set"}``, ``task_kind(spec) != "detection"``) and of every dict literal keyed
    by two or more task-kind names (a per-kind table such as the former ``MAX_NEW_TOKENS``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            names = set().union(*(_kind_names(s) for s in sides))
            if names and any("kind" in ast.unparse(s) for s in sides if not _kind_names(s)):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in KIND_NAMES}
            if len(keys) >= 2:
                found.append((node.lineno, f"dict keyed by {sorted(keys)}"))
    return found


def test_the_detector_finds_kind_branches() -> None:
    code = ('if kind == "dense": pass\nif doc.task_kind in {"qa", "label_set"}: pass\n'
            'x = task_kind(spec) != "detection"\nT = {"qa": 64, "tube": 512}\n'
            'if kind == "audio": pass\nif paradigm == "generation": pass\n')
    assert [line for line, _ in kind_branches(code)] == [1, 2, 3, 4]


def test_no_module_but_formats_branches_on_a_task_kind() -> None:
    offenders = []
    for folder in SCANNED:
        for path in sorted((REPO / folder).rglob("*.py")):
            relative = str(path.relative_to(REPO))
            if path == HOME or relative in ALLOWED:
                continue
            offenders += [f"{relative}:{line}: {code}" for line, code in kind_branches(path.read_text("utf-8"))]
    assert not offenders, ("task-kind behaviour belongs on its AnswerFormat (lmms_general/protocol/formats.py), "
                           "not in a branch elsewhere:\n" + "\n".join(offenders))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_complete(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.name == name
    assert isinstance(fmt.max_new_tokens, int) and fmt.max_new_tokens > 0
    assert type(fmt).render_wrong is not AnswerFormat.render_wrong, f"{name}: no wrong-answer renderer"
    goal = fmt.goal("Scene Classification", {"labels": ["a", "b"]}, video=False)
    assert isinstance(goal, str) and goal.endswith((".", "?"))


def test_every_row_has_a_format() -> None:
    kinds = {task_kind(spec) for spec in load_registry().values()}
    assert kinds <= KIND_NAMES, kinds - KIND_NAMES
    assert KIND_NAMES <= kinds, f"formats no row uses: {KIND_NAMES - kinds}"
