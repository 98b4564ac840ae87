"""Row invariants over all 699 registry rows (issue 9): perfect >= SoTA; empty, unparsable, random < SoTA.

The fast test covers the 607 rows whose metric needs no network. Metrics that need networks (slow tests) run
on the tiny random models of ``tests/fixtures/metric_models.py`` (FID on the tiny CLIP instead of Inception);
their values are meaningless against the SoTA, so those rows are documented exceptions (``metric:<id>``) and
are checked against the metric applied to the reference itself instead: the perfect answer (a copy of the
reference) scores no worse than an empty one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lmms_general.level.row_checks import check_rows, describe, load_exceptions
from lmms_general.metrics import get_metric
from lmms_general.registry import load_registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "METRICS.md"
OVERRIDES = {"fid": {"feature": "clip"}}


def _model_based(metric_id: str) -> bool:
    return get_metric(metric_id).default_model is not None


def _keys(model_based: bool) -> list[str]:
    return [k for k, s in load_registry().items() if _model_based(s.metric_id) == model_based]


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    """The rows whose metric needs no network (607 of 699; ~45 s on two busy cores)."""
    return check_rows(tmp_path_factory.mktemp("rows"), _keys(False))


@pytest.fixture(scope="module")
def model_checks(tmp_path_factory, metric_models_env):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in metric_models_env.items():
            patch.setenv(name, value)
        return check_rows(tmp_path_factory.mktemp("model_rows"), _keys(True), overrides=OVERRIDES)


def test_every_row_holds_its_invariants_or_is_a_documented_exception(checks) -> None:
    assert len(checks) + len(_keys(True)) == len(load_registry()) == 699
    failing = [describe(c) for c in checks if not c.ok]
    assert not failing, "rows breaking an invariant without a documented exception:\n" + "\n".join(failing)
    # the fixes of issue 9: empty answers never win, perfect ones always do, on these rows
    assert all(c.values["perfect"] is not None and c.values["empty"] is not None for c in checks)


@pytest.mark.slow
def test_model_based_rows_hold_invariants_or_are_documented(model_checks) -> None:
    failing = [describe(c) for c in model_checks if not c.ok]
    assert not failing, "\n".join(failing)


def test_exceptions_are_used_and_documented(checks) -> None:
    exceptions = load_exceptions()
    used = {c.exception.target for c in checks if c.exception is not None and c.violations}
    row_targets = {t for t in exceptions if not t.startswith("metric:")}
    assert row_targets == used, f"row exceptions no row needs: {sorted(row_targets - used)}"
    docs = DOCS.read_text(encoding="utf-8")
    for target, exc in exceptions.items():
        row = re.search(rf"^\| `{re.escape(target)}` \|([^\n]*)$", docs, re.M)
        assert row and exc.reason in row.group(1), f"{target} is not in docs/METRICS.md's exception table"


@pytest.mark.slow
def test_model_based_rows_perfect_is_the_reference_itself(model_checks) -> None:
    """Where networks make the SoTA comparison meaningless, the perfect answer (the reference medium) still
    scores no worse than noise, and an empty answer scores the metric's worst value."""
    for check in model_checks:
        spec = get_metric(check.metric_id)
        if spec.default_model is None or check.metric_id in ("mos", "gpt_score"):
            continue
        perfect, empty, noise = (check.values.get(k) for k in ("perfect", "empty", "random"))
        if perfect is None or empty is None or noise is None:
            continue
        better = spec.higher_is_better
        assert (perfect >= empty) if better else (perfect <= empty), describe(check)
