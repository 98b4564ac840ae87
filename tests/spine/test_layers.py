"""Imports between the layers go down only (read with ``ast`` from the package sources, nothing imported).

Layers, lowest first (docs/ARCHITECTURE.md): dataset <- metrics <- level <- protocol <- hooks <- results <- reports
<- level_run <- commands. The model adapters sit above all of them: no layer imports ``model_adapters``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lmms_general"
LAYERS = ("dataset", "metrics", "level", "protocol", "hooks", "results", "reports", "level_run", "commands")
#: upward imports still in the code (issue 21 leaves them for a later step); a new one fails the test
KNOWN_UPWARD: set[tuple[str, str]] = set()  # none left; a new one must be moved down, not listed


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "model_adapters":
        return "model_adapters"
    return parts[1] if parts[0] == "lmms_general" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] if node.module == "lmms_general" else [node.module]
            found += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def upward_imports(package: Path = PACKAGE) -> list[tuple[str, int, str]]:
    """(file, line, module) of every import from a higher layer, or of ``model_adapters``."""
    bad = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        src = rel.split("/")[0].removesuffix(".py")
        for line, module in _imports(path):
            target = _layer(module)
            upward = src in LAYERS and target in LAYERS and LAYERS.index(target) > LAYERS.index(src)
            if target == "model_adapters" or upward:
                bad.append((rel, line, module))
    return bad


def test_no_new_upward_import() -> None:
    found = [(f, line, m) for f, line, m in upward_imports() if (f, m) not in KNOWN_UPWARD]
    assert not found, "upward imports between layers (move the code down instead):\n" + "\n".join(
        f"  lmms_general/{f}:{line} imports {m}" for f, line, m in found)


def test_known_upward_imports_are_still_there() -> None:
    """An entry fixed in the code must leave KNOWN_UPWARD too (the list only shrinks)."""
    present = {(f, m) for f, _, m in upward_imports()}
    assert KNOWN_UPWARD <= present, f"remove from KNOWN_UPWARD: {sorted(KNOWN_UPWARD - present)}"


@pytest.mark.parametrize(("low", "high"), [("protocol", "model_adapters"), ("metrics", "level"),
                                           ("dataset", "protocol"), ("dataset", "metrics")])
def test_named_rules_hold_without_exception(low: str, high: str) -> None:
    hits = [(f, m) for path in sorted((PACKAGE / low).rglob("*.py"))
            for f, m in [(path.relative_to(PACKAGE).as_posix(), m) for _, m in _imports(path)] if _layer(m) == high]
    assert not hits, f"{low} must not import {high}: {hits}"


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "dataset").mkdir()
    (tmp_path / "dataset" / "x.py").write_text("def f():\n    from lmms_general.metrics import get_metric\n")
    (tmp_path / "protocol").mkdir()
    (tmp_path / "protocol" / "y.py").write_text("from model_adapters.media_output import safe_id\n")
    assert upward_imports(tmp_path) == [("dataset/x.py", 2, "lmms_general.metrics"),
                                        ("protocol/y.py", 1, "model_adapters.media_output")]
