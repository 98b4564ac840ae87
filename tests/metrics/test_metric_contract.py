"""The contract every registered metric keeps, checked on the shared vectors of ``metric_cases.CASES``.

For each metric: (a) its value equals its reference implementation's; (b) its per-sample statistics (the
bootstrap's replicates) reproduce the score on the identity index to 1e-9, and a replicate of a permuted index or
of one drawing sample 0 twice equals the score of the lists permuted / with sample 0 in place of sample 1;
(c) four threads scoring the same vectors at once get the same value; (d) its registry rows are built by the
synthetic row generator that ``tests/rows/test_invariants.py`` checks (perfect >= SoTA, empty / unparsable /
random < SoTA); (e) every registered metric has an entry in the table.

A corpus metric without per-sample statistics (the bootstrap recomputes it per replicate: AMOTA, pixel AUC, PQ,
WER, FID, FAD, speech CIDEr today) has nothing to compare in (b). Model-based metrics run (b) and (c) on the tiny
random networks (slow-marked); their value comparison is named per entry in ``elsewhere``.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.registry import all_metrics
from tests.metrics.metric_cases import CASES, Case, resolve_options, statistics_replicator, statistics_value

ROOT = Path(__file__).resolve().parents[2]
COMPUTED = sorted(m for m, case in CASES.items() if case.offline is None)
#: every computed metric with its default options, then each option variant of its case (``metric:variant``)
CHECKED = COMPUTED + sorted(f"{m}:{v}" for m in COMPUTED for v in CASES[m].variants)
#: the statistics / thread checks; those on tiny random networks are slow (they build the networks): ``make test``
STATEFUL = [pytest.param(c, marks=pytest.mark.slow) if CASES[c.partition(":")[0]].tiny_models else c for c in CHECKED]
#: the cases whose value is compared with a reference here
VALUED = [c for c in CHECKED if CASES[c.partition(":")[0]].expected is not None]
#: the cases compared with their reference elsewhere (offline or on tiny random weights)
ELSEWHERE = sorted(m for m, case in CASES.items() if case.expected is None)


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    """``metric id[:variant] -> (predictions, references, options)``, built once per metric on first use."""
    built: dict[str, tuple[list, list, dict]] = {}

    def get(checked: str) -> tuple[list, list, dict]:
        metric_id, _, variant = checked.partition(":")
        if metric_id not in built:
            case = CASES[metric_id]
            preds, refs = case.vectors(tmp_path_factory.mktemp(metric_id))
            built[metric_id] = (preds, refs, resolve_options(case))
        preds, refs, options = built[metric_id]
        return preds, refs, {**options, **(CASES[metric_id].variants[variant].options if variant else {})}

    return get


@pytest.fixture
def models(request, monkeypatch):
    """Point the model-based metrics at the tiny random networks when the case runs on them."""

    def use(checked: str) -> None:
        if CASES[checked.partition(":")[0]].tiny_models:
            for name, value in request.getfixturevalue("metric_models_env").items():
                monkeypatch.setenv(name, value)

    return use


def _score(metric_id: str, preds: list, refs: list, options: dict) -> float:
    return get_metric(metric_id).score(preds, refs, **options)


def test_every_metric_has_a_case() -> None:
    missing = sorted(set(all_metrics()) - set(CASES))
    assert not missing, (
        "metrics without an entry in tests/metrics/metric_cases.py: add CASES[" + "], CASES[".join(map(repr, missing))
        + "] = Case(reference=..., vectors=..., expected=...) (or Case(offline=why, elsewhere=tests))")
    stale = sorted(set(CASES) - set(all_metrics()))
    assert not stale, f"CASES entries for metrics that are not registered: {stale}"


@pytest.mark.parametrize("metric_id", ELSEWHERE)
def test_cases_checked_elsewhere_say_why_and_where(metric_id: str) -> None:
    case = CASES[metric_id]
    why = case.offline or (case.reference if case.tiny_models else "")
    assert len(why) > 20 and case.elsewhere, f"{metric_id}: give the reason and the tests comparing its value"
    for node in case.elsewhere:
        path, function = node.split("::")
        assert re.search(rf"^def {function}\(", (ROOT / path).read_text(), re.M), f"{metric_id}: {node} not found"


@pytest.mark.parametrize("checked", VALUED)
def test_value_equals_the_reference_implementation(checked: str, vectors) -> None:
    metric_id, _, variant = checked.partition(":")
    case: Case = CASES[metric_id]
    reference, expected_fn = (case.variants[variant].reference, case.variants[variant].expected) if variant else (
        case.reference, case.expected)
    preds, refs, options = vectors(checked)
    value = _score(metric_id, preds, refs, options)
    expected = float(expected_fn(preds, refs, options))
    assert math.isfinite(value)
    assert value == pytest.approx(expected, abs=case.tolerance, rel=0), f"{checked} vs {reference}"


@pytest.mark.parametrize("checked", STATEFUL)
def test_statistics_reproduce_the_score_and_resample_like_it(checked: str, vectors, models) -> None:
    metric_id = checked.partition(":")[0]
    models(checked)
    preds, refs, options = vectors(checked)
    spec = get_metric(metric_id)
    replicator = statistics_replicator(spec, preds, refs, options)
    if replicator is None:
        assert spec.kind == "corpus", f"{metric_id}: a sample metric always has per-sample statistics"
        return  # the bootstrap recomputes this corpus metric per replicate: nothing to compare
    score = _score(metric_id, preds, refs, options)
    rel = CASES[metric_id].statistics_rtol
    assert statistics_value(spec, preds, refs, options) == pytest.approx(score, abs=1e-9, rel=rel)
    n = len(preds)
    order = np.random.default_rng(0).permutation(n)
    permuted = _score(metric_id, [preds[i] for i in order], [refs[i] for i in order], options)
    assert float(replicator(order[None, :])[0]) == pytest.approx(permuted, abs=1e-9, rel=rel), "permuted index"
    twice = np.array([0, 0, *range(2, n)])
    doubled = _score(metric_id, [preds[i] for i in twice], [refs[i] for i in twice], options)
    assert float(replicator(twice[None, :])[0]) == pytest.approx(doubled, abs=1e-9, rel=rel), "sample 0 drawn twice"


@pytest.mark.parametrize("checked", STATEFUL)
def test_four_threads_get_the_same_value(checked: str, vectors, models) -> None:
    metric_id = checked.partition(":")[0]
    models(checked)
    preds, refs, options = vectors(checked)
    alone = _score(metric_id, preds, refs, options)
    with ThreadPoolExecutor(4) as pool:
        values = list(pool.map(lambda _: _score(metric_id, preds, refs, options), range(4)))
    assert values == [alone] * 4


def test_every_metric_has_rows_built_by_the_row_invariant_generators() -> None:
    """The row invariants themselves run in tests/rows/test_invariants.py (all 699 rows); here: each metric of
    the table has registry rows and a synthetic generator, so that test covers it."""
    from lmms_general.metrics.synthetic import generator_for
    from lmms_general.registry import load_registry

    rows: dict[str, list] = {}
    for spec in load_registry().values():
        rows.setdefault(spec.metric_id, []).append(spec)
    assert not sorted(set(CASES) - set(rows)), "metrics no registry row uses"
    for metric_id in CASES:
        for row in rows[metric_id]:
            assert generator_for(row) is not None, f"{row.key}: no synthetic generator for {metric_id}"
