"""Parsers with the label context the prompts pass (``labels``, ``label_codes``, ``multi_label``, ``yes_no_codes``;
see docs/ARCHITECTURE.md): the ground-truth answer still scores perfectly, on the sample tree and on the synthetic
samples of every label row, and a multi-label reference is one set, never alternatives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lmms_general import dataset
from lmms_general.metrics import get_metric
from lmms_general.protocol import answer_format, make_doc, prepared_reference, score_item, task_score
from lmms_general.registry import load_registry
from tests.conftest import SAMPLE_ROOT
from tests.protocol.perfect import ideal_value, is_perfect
from tests.rows.synthetic import build_row


def _flat_codes(header: dict) -> dict[str, str]:
    """A header code table (``{"field": {code: meaning}}`` or ``{code: meaning}``) flattened to code -> meaning."""
    out: dict[str, str] = {}
    for value in header.values():
        if isinstance(value, dict):
            for code, meaning in value.items():
                if isinstance(meaning, str):
                    out[str(code)] = meaning
    return out


#: sample-tree label tasks and the context the prompts helper gives them (labels = the references' labels)
LABEL_TASKS: dict[str, dict] = {
    "3d_comp_3d_furniture_classification": {},
    "3d_comp_3d_vehicle_classification": {},
    "audio_comp_accent_classification": {},
    "audio_comp_bird_sound_detection": {"yes_no_codes": {"yes": "1", "no": "0"}},
    "audio_comp_intent_classification": {"codes_from": "intent_label"},
    "audio_comp_note_qualities_analysis": {"multi_label": True},
    "image_comp_car_brands_recognition": {},
    "nlp_natural_language_inference": {},
    "video_comp_tv_show_recognition": {},
}


def _label_docs(key: str) -> list:
    spec = load_registry()[key]
    data = dataset.load_task(SAMPLE_ROOT, key)
    docs = [make_doc(spec, data.header, s, str(data.folder.folder)) for s in data.samples]
    extra = dict(LABEL_TASKS[key])
    codes_from = extra.pop("codes_from", None)
    if codes_from:
        extra["label_codes"] = _flat_codes(data.header[codes_from])
    labels: set[str] = set()
    for doc in docs:
        raw = doc.reference if isinstance(doc.reference, list) else [doc.reference]
        labels |= {str(r) for r in raw if r is not None}
    context = {"labels": sorted(labels), **extra}
    return [dataclasses.replace(d, context={**d.context, **context}) for d in docs]


def _items(key: str, out: Path, wrong: bool) -> list[dict]:
    items = []
    for doc in _label_docs(key):
        reference = prepared_reference(doc)
        context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
        fmt = answer_format(doc.task_kind)
        answer = fmt.render_wrong(reference, context, out) if wrong else fmt.render(reference, context, out)
        items.append(score_item(doc, answer))
    return items


def test_label_tasks_are_in_the_sample_tree() -> None:
    keys = {t.registry_key for t in dataset.index_root(SAMPLE_ROOT, use_cache=False).tasks}
    assert set(LABEL_TASKS) <= keys


@pytest.mark.parametrize("key", sorted(LABEL_TASKS))
def test_ground_truth_scores_perfectly_with_the_label_context(key: str, tmp_path: Path) -> None:
    spec = load_registry()[key]
    items = _items(key, tmp_path, wrong=False)
    assert all(i["status"] == "ok" for i in items), [(i["status"], i["raw"], i["error"]) for i in items]
    assert is_perfect(task_score(items).score, spec.metric_id, spec.higher_is_better)
    wrong_items = _items(key, tmp_path, wrong=True)  # another label of the set: read, and wrong
    assert all(i["status"] == "ok" for i in wrong_items), [(i["status"], i["raw"]) for i in wrong_items]
    wrong = task_score(wrong_items).score
    assert wrong is not None and wrong < ideal_value(spec.metric_id, spec.higher_is_better)


def test_multi_label_reference_is_one_set(tmp_path: Path) -> None:
    docs = _label_docs("audio_comp_note_qualities_analysis")
    doc = next(d for d in docs if isinstance(d.reference, list) and len(d.reference) == 2)
    assert prepared_reference(doc) == {"label_set": sorted(doc.reference)}
    first, second = doc.reference
    half = score_item(doc, f"The note sounds {first.replace('_', ' ')}.")
    both = score_item(doc, f"It is {first} and {second.replace('_', ' ')}.")
    negated = score_item(doc, f"{first}, but not {second}")
    assert half["prediction"] == [first] and both["prediction"] == sorted(doc.reference)
    assert task_score([half]).score == 0.0  # naming one of two labels is not full marks
    assert task_score([both]).score == 100.0
    assert task_score([negated]).score == 0.0
    assert get_metric("f1").score([half["prediction"]], [half["reference"]]) == pytest.approx(100 * 2 / 3)


def test_code_table_accepts_the_code_or_its_meaning() -> None:
    docs = _label_docs("audio_comp_intent_classification")
    doc = next(d for d in docs if d.reference == "a o l")
    for answer in ("a o l", "Activate the lights in the kitchen.", "Intent: activate / lights / kitchen",
                   "The intent is a o l."):
        item = score_item(doc, answer)
        assert item["prediction"] == "a o l", answer
        assert task_score([item]).score == 100.0
    assert score_item(doc, "Deactivate the lights in the kitchen.")["prediction"] is None  # b o l is no label
    assert score_item(doc, "Play music.")["prediction"] is None  # action missing: not a full intent


def test_yes_no_codes_map_yes_to_the_code() -> None:
    docs = _label_docs("audio_comp_bird_sound_detection")
    yes = next(d for d in docs if str(d.reference) == "1")
    no = next(d for d in docs if str(d.reference) == "0")
    assert score_item(yes, "Yes, a bird is singing in the recording.")["prediction"] == "1"
    assert score_item(no, "No, there is no bird.")["prediction"] == "0"
    assert score_item(yes, "1")["prediction"] == "1"
    assert score_item(yes, "Birdsong.")["prediction"] is None


# ----------------------------------------------------------------------------------------- all 699 rows

LABEL_METRICS = ("accuracy", "macro_accuracy", "f_score", "micro_f1", "em_at_1", "f1")


def _label_rows() -> list[str]:
    registry = load_registry()
    return [k for k, s in registry.items() if s.paradigm == "comprehension" and s.metric_id in LABEL_METRICS]


@pytest.fixture(scope="module")
def rows_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("label_rows")


@pytest.mark.parametrize("key", _label_rows())
def test_synthetic_rows_round_trip_with_their_label_set(key: str, rows_dir: Path) -> None:
    """Every label row's synthetic samples, given the labels of the row's references as the label set (options,
    when a row has them, keep precedence): the rendered reference parses back and scores perfectly."""
    spec = load_registry()[key]
    case = build_row(spec, rows_dir)
    fmt = answer_format(case.samples[0].context.get("task_kind") or _kind(spec))
    labels = sorted({str(x) for s in case.samples for x in (s.raw_reference if isinstance(s.raw_reference, list)
                                                          else str(s.raw_reference).split("<p>"))})
    predictions = []
    for i, sample in enumerate(case.samples):
        context = {**sample.context, "labels": labels, "output_modality": "text", "index": i}
        reference = case.metric.prepare_reference(sample.raw_reference, context)
        prediction = fmt.parse(fmt.render(reference, context), context, case.metric)
        assert prediction is not None, (key, sample.raw_reference)
        predictions.append(prediction)
    score = case.metric.score(predictions, case.references)
    assert score == pytest.approx(ideal_value(spec.metric_id, spec.higher_is_better), abs=1e-6), (key, score)


def _kind(spec) -> str:
    from lmms_general.protocol import task_kind

    return task_kind(spec)
