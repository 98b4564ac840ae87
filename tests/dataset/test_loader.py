"""Loader rules: root resolution, annotation choice, headers, ids, media forms, matching, caches, hub, predictions."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lmms_general import dataset
from lmms_general.dataset import (
    DatasetNotFoundError,
    TaskNotFoundError,
    index_root,
    load_task,
    read_predictions,
    resolve_root,
)
from lmms_general.dataset.annotations import find_annotation, normalise_header
from lmms_general.dataset.hub import allow_patterns
from lmms_general.dataset.matching import default_matcher

from .conftest import OPENSET, write_task


def test_resolve_root_needs_a_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="GENERAL_BENCH_ROOT.*General-Level/General-Bench-Openset"):
        resolve_root()
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        resolve_root(tmp_path / "missing")
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(OPENSET))
    assert resolve_root() == OPENSET.resolve()


def test_missing_task_names_key_root_and_hub(tmp_path: Path) -> None:
    write_task(tmp_path / "nlp" / "Causal-Reasoning", [{"id": "1", "input": {}, "output": {"answer": "A"}}])
    with pytest.raises(TaskNotFoundError) as info:
        load_task(tmp_path, "image_comp_bird_detection")
    text = str(info.value)
    assert "image_comp_bird_detection" in text and str(tmp_path) in text
    assert "General-Level/General-Bench-Openset" in text and "GENERAL_BENCH_DOWNLOAD" in text
    with pytest.raises(TaskNotFoundError, match="not a General-Bench registry key"):
        load_task(tmp_path, "no_such_key")


def test_annotation_priority(tmp_path: Path) -> None:
    task = tmp_path / "T"
    (task / "json").mkdir(parents=True)
    for name in (
        "json/annotation.json",
        "json/annotation_v2.json",
        "json/annotation_v10.json",
        "T.json",
        "other.json",
        "prediction.json",
    ):
        (task / name).write_text("{}")
    assert find_annotation(task, "T")[0].name == "annotation_v10.json"
    (task / "annotation.json").write_text("{}")
    assert find_annotation(task, "T")[0].name == "annotation.json"
    loose = tmp_path / "BirdDetection"
    loose.mkdir()
    for name in ("bird_detection.json", "meta.json", "prediction.json"):
        (loose / name).write_text("{}")
    assert find_annotation(loose, "BirdDetection") == (loose / "bird_detection.json", [])
    odd = tmp_path / "Odd"
    odd.mkdir()
    (odd / "a.json").write_text("{}")
    (odd / "b.json").write_text("{}")
    chosen, notes = find_annotation(odd, "Odd")
    assert chosen.name == "a.json" and "several annotation candidates" in notes[0]
    only_pred = tmp_path / "P"
    only_pred.mkdir()
    (only_pred / "prediction.json").write_text("[]")
    assert find_annotation(only_pred, "P") == (None, [])


def test_header_normalisation() -> None:
    header = normalise_header(
        {
            "domain": "Art",
            "capability": ["Reasoning Ability"],
            "type": "x",
            "general_capability": "Content Recognition, Reasoning Ability",
        }
    )
    assert header["domain"] == ["Art"]
    assert header["general_capability"] == ["Content Recognition", "Reasoning Ability"]
    assert header["capability"] == ["Reasoning Ability"] and header["type"] == "x"
    assert normalise_header({"capability": "A"})["general_capability"] == ["A"]


def test_ids_are_strings_and_extras_are_kept(tmp_path: Path) -> None:
    write_task(
        tmp_path / "nlp" / "Causal-Reasoning",
        [
            {"id": 7, "input": {"question": "q"}, "output": {"answer": "A"}, "note": {"k": 1}},
            {"input": {"question": "r"}, "output": {"answer": "B"}},
        ],
        type="MultipleChoiceQA",
    )
    samples = load_task(tmp_path, "nlp_causal_reasoning").samples
    assert [s.id for s in samples] == ["7", "sample1"]
    assert samples[0].extra == {"note": {"k": 1}} and samples[0].task_type == "MultipleChoiceQA"


def test_media_path_forms(tmp_path: Path) -> None:
    task = tmp_path / "image" / "comprehension" / "car_brands_recognition"
    (task / "images" / "sub").mkdir(parents=True)
    for name in ("a.png", "b.png", "c.png", "sub/d.png"):
        (task / "images" / name).write_bytes(b"")
    write_task(
        task,
        [
            {"id": "bare", "input": {"image_file": "a.png"}},
            {"id": "rel", "input": {"image_file": "images/b.png"}},
            {"id": "author", "input": {"image_file": "./data/comprehension/car_brands_recognition/images/c.png"}},
            {"id": "backslash", "input": {"image_file": "sub\\d.png"}},
            {"id": "absolute_inside", "input": {"image_file": str(task / "images" / "a.png")}},
        ],
        name="json/annotation.json",
    )
    data = load_task(tmp_path, "image_comp_car_brands_recognition", verify_media=False)
    assert not data.errors
    got = {s.id: s.media[0].path.relative_to(task.resolve()).as_posix() for s in data.samples}
    assert got == {
        "bare": "images/a.png",
        "rel": "images/b.png",
        "author": "images/c.png",
        "backslash": "images/sub/d.png",
        "absolute_inside": "images/a.png",
    }


def test_matching_rules() -> None:
    m = default_matcher()
    assert m.match("image", "comprehension", "chemistry_vqa") == "image_comp_chemistry_visual_question_answering"
    assert m.match("nlp", "comprehension", "Causal-Reasoning") == "nlp_causal_reasoning"
    assert m.match("video", "comprehension", "AnimalVOS") == "video_comp_animal_video_object_segmentation"
    assert m.match("video", "generation", "AthleticsT2V") == "video_gen_athletics_video_generation"
    assert m.match("nlp", "comprehension", "Weird-Folder", "Causal Reasoning") == "nlp_causal_reasoning"
    assert m.match("nlp", "comprehension", "Dialogue-Relation-Extraction", "dialogue relation extraction") is None
    # ambiguous short names never match ("Video Superresolution" names two rows)
    assert m.match("video", "generation", "VideoSuperresolution") is None


def test_two_folders_for_one_row_are_reported(tmp_path: Path) -> None:
    for name in ("Causal-Reasoning", "causal_reasoning"):
        write_task(tmp_path / "nlp" / name, [{"id": "1"}])
    tasks = index_root(tmp_path).tasks
    assert [t.registry_key for t in tasks] == ["nlp_causal_reasoning", None]
    assert "already taken" in tasks[1].errors[0]


def test_index_cache_is_warm_and_invalidated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ann = write_task(tmp_path / "nlp" / "Causal-Reasoning", [{"id": "1"}, {"id": "2"}])
    assert index_root(tmp_path).by_key("nlp_causal_reasoning").samples == 2
    dataset.clear_process_cache()
    import lmms_general.dataset.index as index_module

    def boom(*args, **kwargs):
        raise AssertionError("warm index must not re-parse annotations")

    with monkeypatch.context() as m:
        m.setattr(index_module, "parse_task", boom)
        assert index_root(tmp_path).by_key("nlp_causal_reasoning").samples == 2
    ann.write_text(json.dumps({"task": "x", "data": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}))
    os.utime(ann, ns=(1, 1))
    assert index_root(tmp_path, use_cache=False).by_key("nlp_causal_reasoning").samples == 3
    dataset.clear_process_cache()
    assert index_root(tmp_path).by_key("nlp_causal_reasoning").samples == 3


def test_index_root_is_thread_safe() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: index_root(OPENSET), range(8)))
    assert all(r is results[0] for r in results)


def test_read_predictions_both_shapes(tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([{"id": 1, "prediction": "A"}, {"id": "m1", "prediction_final": "42"}]))
    assert read_predictions(bare) == {"1": {"id": 1, "prediction": "A"}, "m1": {"id": "m1", "prediction_final": "42"}}
    wrapped = tmp_path / "sub" / "prediction.json"
    wrapped.parent.mkdir()
    wrapped.write_text(
        json.dumps(
            {"task": "t", "skill": "s", "type": "generation", "data": [{"id": "g1", "prediction": "out/g1.png"}]}
        )
    )
    record = read_predictions(wrapped)["g1"]
    assert record["prediction_path"] == str(tmp_path / "sub" / "out" / "g1.png")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"prediction": "A"}]))
    with pytest.raises(dataset.PredictionFileError, match="bad.json: prediction #0 has no 'id'"):
        read_predictions(bad)


FILES = [
    "nlp/Causal-Reasoning/annotation.json",
    "nlp/Causal-Reasoning/prediction.json",
    "image/comprehension/BirdDetection/bird_detection.json",
    "image/comprehension/BirdDetection/images/a.jpg",
    "video/comprehension/AnimalVOS.zip",
    "video/comprehension/BallTrack/BallTrack.json",
    "3D/generation/image_2_3d_mesh/open.tar.gz",
    "README.md",
]


def test_hub_allow_patterns_select_only_requested_tasks() -> None:
    keys = [
        "nlp_causal_reasoning",
        "video_comp_animal_video_object_segmentation",
        "3d_gen_living_and_arts_image_to_3d_mesh_generation",
    ]
    assert allow_patterns(FILES, keys) == [
        "3D/generation/image_2_3d_mesh/*",
        "nlp/Causal-Reasoning/*",
        "video/comprehension/AnimalVOS.zip",
    ]


def test_download_tasks_calls_snapshot_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    calls: dict[str, object] = {}

    class FakeApi:
        def list_repo_files(self, repo, repo_type, revision):
            calls["list"] = (repo, repo_type, revision)
            return FILES

    def fake_snapshot(**kwargs):
        calls["snapshot"] = kwargs
        return kwargs["local_dir"]

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    out = dataset.download_tasks(["image_comp_bird_detection"], tmp_path / "gb", closeset=True, revision="abc123")
    assert out == tmp_path / "gb"
    assert calls["list"] == ("General-Level/General-Bench-Closeset", "dataset", "abc123")
    assert calls["snapshot"] == {
        "repo_id": "General-Level/General-Bench-Closeset",
        "repo_type": "dataset",
        "revision": "abc123",
        "local_dir": str(tmp_path / "gb"),
        "allow_patterns": ["image/comprehension/BirdDetection/*"],
    }


def test_download_offline_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub

    class OfflineApi:
        def list_repo_files(self, *args, **kwargs):
            raise OSError("offline")

    monkeypatch.setattr(huggingface_hub, "HfApi", OfflineApi)
    with pytest.raises(DatasetNotFoundError, match="cannot list https://huggingface.co/datasets/General-Level"):
        dataset.download_tasks(["nlp_causal_reasoning"], tmp_path)


def test_load_task_downloads_when_enabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nlp").mkdir()
    import lmms_general.dataset.hub as hub

    def fake_download(keys, target, *, closeset=False, revision=None):
        assert keys == ["nlp_causal_reasoning"] and revision == "r1" and not closeset
        write_task(Path(target) / "nlp" / "Causal-Reasoning", [{"id": "1", "output": {"answer": "A"}}])
        return Path(target)

    monkeypatch.setattr(hub, "download_tasks", fake_download)
    monkeypatch.setenv("GENERAL_BENCH_DOWNLOAD", "1")
    monkeypatch.setenv("GENERAL_BENCH_REVISION", "r1")
    assert [s.id for s in load_task(tmp_path, "nlp_causal_reasoning").samples] == ["1"]
