"""Row invariants over the registry: on synthetic samples (:mod:`lmms_general.metrics.synthetic`) a
perfect answer must reach the row's SoTA, and an empty, an unparsable and a random answer must stay below it.

Comparisons are direction-aware on the SoTA table's scale; for a row whose SoTA is already on the
General-Level scale (``sota_scale: mapped``) the model value is mapped first (corrected mode). Rows that
break an invariant pass only with a documented exception (``resources/row_exceptions.csv``, mirrored in
``docs/METRICS.md``). Used by ``tests/rows/test_invariants.py`` and ``lmms-general metrics --check-rows``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from lmms_general.level.normalization import corrected_unclipped
from lmms_general.metrics.synthetic import PREDICTION_KINDS, RowCase, build_row
from lmms_general.registry import TaskSpec, load_registry

#: the invariant each prediction kind must satisfy against the SoTA
EXPECTATION = {"perfect": ">= SoTA", "empty": "< SoTA", "unparsable": "< SoTA", "random": "< SoTA"}


@dataclass(frozen=True)
class RowException:
    """A documented exception: the invariants (prediction kinds) a row may break, and why."""

    target: str  # a registry key, or ``metric:<id>`` for every row of a metric
    kinds: frozenset[str]
    reason: str


@dataclass
class RowCheck:
    """The outcome of the invariants on one row."""

    key: str
    metric_id: str
    sota: float
    higher_is_better: bool
    values: dict[str, float | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    exception: RowException | None = None

    @property
    def excused(self) -> list[str]:
        """Violated kinds the documented exception covers."""
        if self.exception is None:
            return []
        return [k for k in self.violations if "*" in self.exception.kinds or k in self.exception.kinds]

    @property
    def ok(self) -> bool:
        return set(self.violations) <= set(self.excused)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "metric": self.metric_id, "sota": self.sota, "values": self.values,
                "errors": self.errors, "violations": self.violations, "ok": self.ok,
                "exception": self.exception.reason if self.exception else None}


def load_exceptions() -> dict[str, RowException]:
    """``target -> RowException`` from ``resources/row_exceptions.csv``."""
    text = resources.files("lmms_general").joinpath("resources/row_exceptions.csv").read_text(encoding="utf-8")
    out: dict[str, RowException] = {}
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        kinds = frozenset(k.strip() for k in row["kinds"].split(";") if k.strip())
        unknown = kinds - set(PREDICTION_KINDS) - {"*"}
        if unknown:
            raise ValueError(f"row_exceptions.csv: {row['target']}: unknown kinds {sorted(unknown)}")
        out[row["target"]] = RowException(row["target"], kinds, row["reason"])
    return out


def exception_for(spec: TaskSpec, exceptions: Mapping[str, RowException]) -> RowException | None:
    return exceptions.get(spec.key) or exceptions.get(f"metric:{spec.metric_id}")


def comparable(spec: TaskSpec, value: float) -> float:
    """The model value on the scale of the row's SoTA number (mapped when the SoTA is)."""
    if spec.sota_is_mapped:
        mapped = corrected_unclipped(spec.metric_id, value)
        return float("nan") if mapped is None else mapped
    return value


def at_least_sota(spec: TaskSpec, value: float) -> bool:
    """Whether a value reaches the SoTA (ties count), in the row's direction."""
    value = comparable(spec, value)
    if math.isnan(value):
        return False
    higher = True if spec.sota_is_mapped else spec.higher_is_better
    return value >= spec.sota - 1e-9 if higher else value <= spec.sota + 1e-9


def check_case(case: RowCase, exceptions: Mapping[str, RowException], overrides: Mapping[str, Any] | None = None
               ) -> RowCheck:
    """Score the four prediction kinds of one row and list the invariants it breaks."""
    spec = case.spec
    result = RowCheck(spec.key, spec.metric_id, spec.sota, spec.higher_is_better,
                      exception=exception_for(spec, exceptions))
    options = {**spec.compute_options, **(overrides or {})}
    for kind in PREDICTION_KINDS:
        try:
            value = float(case.score(kind, **options))
        except Exception as exc:  # noqa: BLE001 - reported per row and kind
            result.values[kind] = None
            result.errors[kind] = f"{type(exc).__name__}: {str(exc)[:200]}"
            result.violations.append(kind)
            continue
        result.values[kind] = value
        reaches = at_least_sota(spec, value)
        if (kind == "perfect") != reaches:
            result.violations.append(kind)
    return result


def check_rows(
    root: Path,
    keys: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[RowCheck]:
    """Build the synthetic samples of the rows under ``root`` and check them (``overrides``: extra compute
    options by metric id, e.g. ``{"fid": {"feature": "clip"}}``)."""
    registry = load_registry()
    exceptions = load_exceptions()
    out = []
    for key in keys if keys is not None else list(registry):
        spec = registry[key]
        case = build_row(spec, root)
        out.append(check_case(case, exceptions, (overrides or {}).get(spec.metric_id)))
    return out


def describe(check: RowCheck) -> str:
    """One line: key, metric, SoTA, values by kind, violations and their status."""
    values = " ".join(f"{k}={'ERR' if v is None else f'{v:.4g}'}" for k, v in check.values.items())
    status = "ok" if not check.violations else ("excused" if check.ok else "FAIL")
    broken = ",".join(f"{k}({EXPECTATION[k]})" for k in check.violations)
    reason = f" -- {check.exception.reason}" if check.exception and check.violations else ""
    errors = f" errors: {check.errors}" if check.errors else ""
    return f"{status:7s} {check.key} [{check.metric_id}] sota={check.sota:g} {values} {broken}{reason}{errors}"
