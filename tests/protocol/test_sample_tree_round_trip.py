"""Every comprehension task of the bundled sample tree: the reference rendered in the prompt's answer format parses
back and scores the metric's perfect value; a wrong answer in the same format scores worse."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmms_general import dataset
from lmms_general.protocol import answer_format, prepared_reference, score_item, task_docs, task_score
from lmms_general.registry import load_registry
from tests.conftest import SAMPLE_ROOT
from tests.protocol.perfect import SELF_REFERENCE, ideal_value, is_perfect


def _comprehension_keys() -> list[str]:
    registry = load_registry()
    keys = [t.registry_key for t in dataset.index_root(SAMPLE_ROOT, use_cache=False).tasks if t.registry_key]
    return sorted(k for k in keys if registry[k].paradigm == "comprehension")


def _docs(key: str):
    spec = load_registry()[key]
    return task_docs(spec, dataset.load_task(SAMPLE_ROOT, key))  # with the task's label set, as lmms-eval gets it


def _answers(key: str, out: Path, wrong: bool) -> list[dict]:
    items = []
    for doc in _docs(key):
        reference = prepared_reference(doc)
        context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
        if wrong:
            answer = answer_format(doc.task_kind).render_wrong(reference, context, out)
        else:
            answer = answer_format(doc.task_kind).render(reference, context, out)
        items.append(score_item(doc, answer))
    return items


@pytest.mark.parametrize("key", _comprehension_keys())
def test_rendered_reference_scores_perfectly(key: str, tmp_path: Path) -> None:
    spec = load_registry()[key]
    items = _answers(key, tmp_path, wrong=False)
    assert all(i["status"] == "ok" for i in items), [(i["status"], i["error"]) for i in items]
    result = task_score(items)
    if spec.metric_id in SELF_REFERENCE:  # the metric applied to the references themselves
        refs = [i["reference"] for i in items]
        assert result.score == pytest.approx(task_score([{**i, "prediction": i["reference"]} for i in items]).score)
        assert refs and result.score is not None
    else:
        assert is_perfect(result.score, spec.metric_id, spec.higher_is_better), (result.score, result.error)


@pytest.mark.parametrize("key", _comprehension_keys())
def test_wrong_answer_in_the_same_format_scores_worse(key: str, tmp_path: Path) -> None:
    spec = load_registry()[key]
    items = _answers(key, tmp_path, wrong=True)
    assert all(i["status"] == "ok" for i in items), [(i["status"], i["error"], i["raw"][:80]) for i in items]
    score = task_score(items).score
    ideal = ideal_value(spec.metric_id, spec.higher_is_better)
    assert score is not None and (score < ideal if spec.higher_is_better else score > ideal), score


def test_score_command_route_gives_the_same_perfect_scores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`lmms-general score` on prediction.json files holding the rendered references: the same per-sample path as the
    lmms-eval hooks, so every comprehension task scores what the hooks route scores."""
    import json
    import shutil

    from lmms_general.commands.score import score_root

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))  # unpacked archives stay in this test
    dataset.clear_process_cache()
    root = tmp_path / "General-Bench-Openset"
    shutil.copytree(SAMPLE_ROOT, root)
    expected = {}
    for key in _comprehension_keys():
        items = _answers(key, tmp_path / "media", wrong=False)
        expected[key] = task_score(items).score
        # next to the annotation, as the official suite writes it (an archived task is unpacked by loading it)
        annotation = dataset.load_task(root, key, verify_media=False).folder.annotation_file
        records = [{"id": i["id"], "prediction": i["raw"]} for i in items]
        (annotation.parent / "prediction.json").write_text(json.dumps(records), encoding="utf-8")
    scored = {r.registry_key: r for r in score_root(root)}
    for key, value in expected.items():
        assert scored[key].score == pytest.approx(value), (key, scored[key])
        assert scored[key].n_unparsed == 0 and scored[key].n_missing == 0, key


def _weight_free_generation_keys() -> list[str]:
    """Generation tasks of the sample tree whose metric needs no network weights and no judge (scored offline)."""
    from lmms_general.metrics.model_table import JUDGE_METRICS, models_for_metric

    registry = load_registry()
    keys = [t.registry_key for t in dataset.index_root(SAMPLE_ROOT, use_cache=False).tasks if t.registry_key]
    return sorted(k for k in keys if registry[k].paradigm == "generation"
                  and not models_for_metric(registry[k].metric_id, registry[k].modality)
                  and registry[k].metric_id not in JUDGE_METRICS)


def test_weight_free_generation_tasks_cover_every_modality() -> None:
    registry = load_registry()
    assert {registry[k].modality for k in _weight_free_generation_keys()} == {"image", "video", "audio", "3d"}


@pytest.mark.parametrize("key", _weight_free_generation_keys())
def test_generation_reference_copy_scores_perfectly_and_noise_worse(key: str, tmp_path: Path) -> None:
    spec = load_registry()[key]
    items = _answers(key, tmp_path / "right", wrong=False)
    assert all(i["status"] == "ok" for i in items), [(i["status"], i["error"]) for i in items]
    assert is_perfect(task_score(items).score, spec.metric_id, spec.higher_is_better), task_score(items)
    wrong = _answers(key, tmp_path / "wrong", wrong=True)
    assert all(i["status"] == "ok" for i in wrong), [(i["status"], i["error"]) for i in wrong]
    score = task_score(wrong).score
    ideal = ideal_value(spec.metric_id, spec.higher_is_better)
    assert score is not None and (score < ideal if spec.higher_is_better else score > ideal), score
