"""A metric is one object in one module (issue 21): every registered :class:`MetricSpec` declares all its parts, and
no table keyed by metric id is kept beside the specs (every such table is derived from them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lmms_general.metrics import MetricSpec, all_metrics
from lmms_general.metrics.registry import AS_IS, LevelMap

PACKAGE = Path(__file__).resolve().parents[2] / "lmms_general"
LEVEL_MAP_FORMS = {"as_is", "sigmoid", "tanh", "percent_complement", "fraction_complement", "affine"}
#: the tables the specs replaced; none of them may come back as a module attribute
REPLACED = {
    "lmms_general.metrics.aliases": ("METRIC_ALIASES", "LOWER_IS_BETTER", "CANONICAL_METRIC_IDS"),
    "lmms_general.protocol.kinds": ("_KIND_BY_METRIC",),
    "lmms_general.metrics.synthetic": ("GENERATORS", "LABEL_METRICS"),
    "lmms_general.level.normalization": ("SIGMOID_T", "CORRECTED_MAPPED", "OFFICIAL_KEYS"),
}
#: module-level tables keyed by metric id that are still kept beside the specs, with why (the list only shrinks)
KNOWN_TABLES = {
    ("metrics/aliases.py", "ROW_METRIC_IDS"),  # registry row -> metric id: a fact of the rows, not of the metrics
    ("metrics/coco_ap_statistics.py", "IOU_THRESHOLDS"),  # box-AP IoU thresholds shared by compute and statistics
    ("metrics/model_table.py", "MODEL_TABLE"),  # network -> the metrics that load it: a fact of the networks
    ("results/checks.py", "RANGES"),  # plausible raw range of reported scores (could come from native_range)
    ("results/checks.py", "DISTANCES"),  # lower-is-better distances (could come from lower_is_better + level_map)
    ("protocol/lint.py", "LABEL_METRICS"),  # metrics whose prompts `prompts --lint` checks for a label list
}


def missing_parts(spec: MetricSpec) -> list[str]:
    """The required parts a spec does not declare (empty: complete)."""
    missing = []
    if not spec.description.strip():
        missing.append("description")
    if not spec.task_kind:
        missing.append("task kind")
    if spec.level_map is None:
        missing.append("General-Level normalisation (level_map)")
    elif spec.level_map.form not in LEVEL_MAP_FORMS:
        missing.append(f"a known level_map form (got {spec.level_map.form!r})")
    elif spec.lower_is_better and spec.level_map == AS_IS:
        missing.append("a level_map for a lower-is-better value (used as it is, lower would score less)")
    if not callable(spec.synthetic):
        missing.append("synthetic case generator")
    if spec.statistics is None and not spec.no_statistics.strip():
        missing.append('statistics or an explicit no_statistics="<reason>"')
    if spec.statistics is not None and spec.no_statistics:
        missing.append("either statistics or no_statistics, not both")
    if spec.corpus_option and spec.statistics is None:
        missing.append("statistics for the corpus option")
    return missing


@pytest.mark.parametrize("metric_id", sorted(all_metrics()))
def test_every_metric_declares_every_part(metric_id: str) -> None:
    spec = all_metrics()[metric_id]
    assert not missing_parts(spec), f"{metric_id} misses: {missing_parts(spec)}"


def test_task_kinds_name_answer_formats() -> None:
    from lmms_general.protocol import answer_format

    for spec in all_metrics().values():
        assert answer_format(spec.task_kind).name == spec.task_kind, spec.id


def test_the_check_names_what_a_spec_misses() -> None:
    bare = MetricSpec(id="new_metric", compute=lambda p, r: 0.0, kind="corpus", native_range=None, scale="raw",
                      implementation="x")
    assert missing_parts(bare) == ["description", "task kind", "General-Level normalisation (level_map)",
                                   "synthetic case generator", 'statistics or an explicit no_statistics="<reason>"']
    wrong_way = MetricSpec(id="new_metric", compute=lambda p, r: 0.0, kind="sample", native_range=None, scale="raw",
                           implementation="x", description="d", task_kind="number", lower_is_better=True,
                           level_map=AS_IS, synthetic=lambda *a: None)
    assert missing_parts(wrong_way) == [
        "a level_map for a lower-is-better value (used as it is, lower would score less)"]
    sample = MetricSpec(id="new_metric", compute=lambda p, r: 0.0, kind="sample", native_range=None, scale="raw",
                        implementation="x", description="d", task_kind="number", level_map=LevelMap.sigmoid(1.0),
                        synthetic=lambda *a: None)
    assert missing_parts(sample) == []  # a sample metric's statistics default to the mean of per-sample scores


def test_every_registry_row_uses_a_registered_metric_and_spelling() -> None:
    from lmms_general.metrics.aliases import ROW_METRIC_IDS, metric_aliases
    from lmms_general.registry import load_registry

    specs, aliases = all_metrics(), metric_aliases()
    for row in load_registry().values():
        assert row.metric_id in specs, row.key
        assert ROW_METRIC_IDS.get(row.key) or aliases[row.metric_raw] == row.metric_id, row.key
        assert row.higher_is_better == specs[row.metric_id].higher_is_better, row.key


def test_replaced_tables_are_gone() -> None:
    import importlib

    for module, names in REPLACED.items():
        present = [n for n in names if hasattr(importlib.import_module(module), n)]
        assert not present, f"{module} keeps {present} beside the metric specs: derive them from all_metrics()"
    assert not (PACKAGE / "level" / "statistics.py").exists(), "bootstrap statistics belong to the metric specs"


def _id_tables(path: Path, ids: frozenset[str]) -> list[tuple[str, int]]:
    """Module-level names bound to a literal dict / set / tuple / list holding 3 or more metric ids as strings."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) and node.value is not None else []
        if not targets or not isinstance(targets[0], ast.Name) or targets[0].id == "__all__":
            continue
        strings = {n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        if isinstance(node.value, (ast.Dict, ast.Set, ast.Tuple, ast.List, ast.Call, ast.DictComp)) and len(
                strings & ids) >= 3:
            found.append((targets[0].id, len(strings & ids)))
    return found


def test_no_table_keyed_by_metric_id_beside_the_specs() -> None:
    ids = frozenset(all_metrics())
    found = {(path.relative_to(PACKAGE).as_posix(), name) for path in sorted(PACKAGE.rglob("*.py"))
             for name, _ in _id_tables(path, ids)}
    assert found <= KNOWN_TABLES, f"tables keyed by metric id beside the specs: {sorted(found - KNOWN_TABLES)}"
    assert KNOWN_TABLES <= found, f"fixed, remove from KNOWN_TABLES: {sorted(KNOWN_TABLES - found)}"


def test_the_table_check_sees_a_new_table(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('EXTRA: dict[str, float] = {"miou": 1.0, "rmse": 2.0, "fid": 3.0}\nOTHER = {"a": 1}\n')
    assert _id_tables(module, frozenset(all_metrics())) == [("EXTRA", 3)]
