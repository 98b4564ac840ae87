"""Round trip over all 699 rows: the reference rendered in its task kind's answer format parses back to a prediction
that scores what the reference itself scores (``tests/rows/synthetic.py`` writes the samples).

For comprehension rows the metric runs on both; rows where that value is not the metric's ideal are listed in
``tests/protocol/perfect.py`` (and the test fails for any other). For generation rows the rendered answer must name
a file byte-identical to the reference output, so every metric sees the same input as for the reference itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmms_general.protocol import answer_format, output_modality, task_kind
from lmms_general.registry import load_registry
from tests.protocol.perfect import SELF_REFERENCE, exact_match_judge, ideal_value
from tests.rows.synthetic import build_row

ROWS = list(load_registry())


def _context(sample, spec, index: int) -> dict:
    return {**sample.context, "output_modality": output_modality(spec), "index": index}


@pytest.fixture(scope="module")
def rows_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rows")


@pytest.mark.parametrize("key", [k for k in ROWS if load_registry()[k].paradigm == "comprehension"])
def test_comprehension_row_round_trip(key: str, rows_dir: Path) -> None:
    spec = load_registry()[key]
    case = build_row(spec, rows_dir)
    fmt = answer_format(task_kind(spec))
    out = rows_dir / "answers" / key
    predictions = []
    for i, sample in enumerate(case.samples):
        context = _context(sample, spec, i)
        text = fmt.render(sample.reference, context, out)
        prediction = fmt.parse(text, context, case.metric)
        assert prediction is not None, (key, text[:200])
        predictions.append(prediction)
    options = {"judge": exact_match_judge} if spec.metric_id == "gpt_score" else {}
    rendered = case.metric.score(predictions, case.references, **options)
    itself = case.metric.score(case.predictions("perfect"), case.references, **options)
    assert rendered == pytest.approx(itself, rel=1e-9, abs=1e-9), (key, rendered, itself)
    if spec.metric_id not in SELF_REFERENCE:
        ideal = ideal_value(spec.metric_id, spec.higher_is_better)
        assert rendered == pytest.approx(ideal, abs=1e-6), (key, rendered)


@pytest.mark.parametrize("key", [k for k in ROWS if load_registry()[k].paradigm == "generation"])
def test_generation_row_round_trip(key: str, rows_dir: Path) -> None:
    spec = load_registry()[key]
    case = build_row(spec, rows_dir)
    fmt = answer_format(task_kind(spec))
    out = rows_dir / "answers" / key
    for i, sample in enumerate(case.samples):
        context = _context(sample, spec, i)
        text = fmt.render(sample.reference, context, out)
        prediction = fmt.parse(text, context, case.metric)
        perfect = sample.predictions["perfect"]
        assert prediction is not None and perfect is not None, (key, text[:200])
        assert Path(prediction).read_bytes() == Path(perfect).read_bytes(), (key, prediction, perfect)
