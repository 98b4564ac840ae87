"""The bundled sample trees: generator reproducibility, size, and what the index finds in them."""

from __future__ import annotations

import importlib.util
import io
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lmms_general.dataset import index_root, load_task, sample_reference
from lmms_general.registry import load_registry

from .conftest import CLOSESET, LEGACY, OPENSET, SAMPLE_DATA

TEXT_METRICS = {"accuracy", "f1", "micro_f1", "bleu_1", "rouge_1", "rouge_l"}
TOOL = Path(__file__).resolve().parents[2] / "tools" / "make_sample_data.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample_data", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _frames(data: bytes) -> np.ndarray:
    import av

    with av.open(io.BytesIO(data)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)]).astype(float)


def _members(data: bytes, name: str) -> dict[str, bytes]:
    if name.endswith(".zip") or name.endswith(".npz"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {i.filename: zf.read(i) for i in zf.infolist()}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
        return {m.name: (tf.extractfile(m).read() if m.isfile() else b"<dir>") for m in tf.getmembers()}


def assert_same_content(name: str, committed: bytes, generated: bytes) -> None:
    """Bytes must match, except encoder outputs, which must decode to the same content."""
    suffix = name.lower()
    if suffix.endswith((".png", ".jpg", ".jpeg")):
        a = np.asarray(Image.open(io.BytesIO(committed)), dtype=float)
        b = np.asarray(Image.open(io.BytesIO(generated)), dtype=float)
        assert a.shape == b.shape and np.abs(a - b).mean() < 2.0, name
    elif suffix.endswith(".mp4"):
        a, b = _frames(committed), _frames(generated)
        assert a.shape == b.shape and np.abs(a - b).mean() < 3.0, name
    elif suffix.endswith((".zip", ".tar.gz", ".npz")):
        ma, mb = _members(committed, suffix), _members(generated, suffix)
        assert sorted(ma) == sorted(mb), name
        for member in ma:
            assert_same_content(f"{name}!{member}", ma[member], mb[member])
    else:
        assert committed == generated, name


def test_committed_tree_matches_generator(tmp_path: Path) -> None:
    _generator().write(tmp_path)
    generated = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(SAMPLE_DATA).as_posix()
        for p in SAMPLE_DATA.rglob("*")
        if p.is_file() and p.relative_to(SAMPLE_DATA).parts[0] in _generator().TREES
    )
    assert generated == committed
    for rel in committed:
        assert_same_content(rel, (SAMPLE_DATA / rel).read_bytes(), (tmp_path / rel).read_bytes())


def test_sample_tree_is_small() -> None:
    assert sum(p.stat().st_size for p in SAMPLE_DATA.rglob("*") if p.is_file()) < 2_000_000


def test_openset_index_covers_every_quirk() -> None:
    index = index_root(OPENSET)
    by_name = {t.name: t for t in index.tasks}
    assert all(not t.errors for t in index.tasks), [t.errors for t in index.tasks if t.errors]
    assert all(t.media_missing == 0 for t in index.tasks)
    expect = {
        "Causal-Reasoning": ("nlp_causal_reasoning", "annotation.json", 4),
        "Natural-Language-Inference": ("nlp_natural_language_inference", "annotation.json", 3),
        "Temporal-Event-Reasoning": ("nlp_temporal_event_reasoning", "annotation.json", 4),
        "Multi-Turn-Daily-Dialogue-Generation": ("nlp_multi_turn_daily_dialogue_generation", "annotation.json", 3),
        "Dialogue-Relation-Extraction": (None, "annotation.json", 1),
        "BirdDetection": ("image_comp_bird_detection", "bird_detection.json", 3),
        "car_brands_recognition": ("image_comp_car_brands_recognition", "annotation.json", 3),
        "fall-human-detection": ("image_comp_fall_human_detection", "annotation_v2.json", 2),
        "chemistry_vqa": ("image_comp_chemistry_visual_question_answering", "annotation.json", 3),
        "AnimalVOS": ("video_comp_animal_video_object_segmentation", "annotation.json", 2),
        "AutomobileVideoObjectSegmentation": ("video_comp_automobile_video_object_segmentation", "annotation.json", 2),
        "BallTrack": ("video_comp_ball_tracking", "BallTrack.json", 1),
        "StaticActionDet": ("video_comp_spatial_temporal_static_action_detection", "annotation.json", 1),
        "AthleticsT2V": ("video_gen_athletics_video_generation", "annotation.json", 3),
        "AccentClassification": ("audio_comp_accent_classification", "accent_classification.json", 3),
        "3d_classification": ("3d_comp_3d_furniture_classification", "annotation.json", 3),
        "image_2_3d_mesh": ("3d_gen_living_and_arts_image_to_3d_mesh_generation", "annotation.json", 2),
        # weight-free generation tasks (scored offline by the demo)
        "Image-Deraining": ("image_gen_image_deraining", "annotation.json", 3),
        "Video-Denoising": ("video_gen_video_denoising", "annotation.json", 3),
        "EmotionalSpeechSynthesis": ("audio_gen_emotionalspeechsynthesis", "annotation.json", 4),
        "3D-Point-Cloud-Completion": ("3d_gen_3d_point_cloud_completion", "annotation.json", 3),
    }
    for name, (key, annotation, samples) in expect.items():
        task = by_name[name]
        assert (task.registry_key, task.annotation_file.name, task.samples) == (key, annotation, samples), name
    assert "prediction" not in {t.name for t in index.tasks}  # audio/comprehension/prediction.json is no task
    assert index.by_key("nlp_causal_reasoning") is by_name["Causal-Reasoning"]
    assert "nlp_commonsense_reasoning" in index.unmatched_registry_keys
    assert "nlp_causal_reasoning" not in index.unmatched_registry_keys
    assert by_name["3d_classification"].modality == "3d"  # upper-case 3D/ folder


def test_demo_coverage_per_modality_and_paradigm() -> None:
    registry = load_registry()
    matched = [t for t in index_root(OPENSET).tasks if t.registry_key]
    for modality in ("image", "video", "audio", "3d", "nlp"):
        scorable = [
            t
            for t in matched
            if t.modality == modality
            and t.paradigm == "comprehension"
            and registry[t.registry_key].metric_id in TEXT_METRICS
            and 3 <= t.samples <= 5
        ]
        assert len(scorable) >= 2, modality
        if modality != "nlp":
            assert sum(t.paradigm == "generation" for t in matched if t.modality == modality) >= 2, modality


def test_closeset_loads_without_outputs() -> None:
    index = index_root(CLOSESET)
    assert {t.registry_key for t in index.tasks} == {t.registry_key for t in index_root(OPENSET).tasks}
    for task in index.tasks:
        if task.registry_key is None:
            continue
        data = load_task(CLOSESET, task.registry_key)
        assert data.header.get("set_type") == "closeset" and not data.errors
        for sample in data.samples:
            assert sample.output is None
            if sample.paradigm == "comprehension":
                assert sample_reference(sample) is None


def test_legacy_casing_tree() -> None:
    index = index_root(LEGACY)
    assert {(t.modality, t.registry_key) for t in index.tasks} == {
        ("nlp", "nlp_causal_reasoning"),
        ("image", "image_comp_bird_detection"),
        ("3d", "3d_comp_3d_furniture_classification"),
    }


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("nlp_causal_reasoning", "A"),
        ("nlp_temporal_reasoning", ["4:00 PM", "four PM", "16:00"]),
        ("nlp_natural_language_inference", "neutral"),
        ("nlp_multi_turn_daily_dialogue_generation", "Certainly, sir."),
        ("nlp_mathematical_word_problem_solving", "42"),
        ("nlp_time_series", 5.0),
        ("nlp_abstractive_summarization", "A new city park opened to crowds."),
        ("image_comp_bird_detection", {"bird": [[2, 3, 8, 6]]}),
        ("image_comp_car_brands_recognition", "GMC"),
        ("image_comp_fall_human_detection", [{"Fall": [1.5, 2.5, 9.0, 6.0]}]),
        ("image_comp_art_image_visual_question_answering", ["person", "man"]),
        ("audio_comp_bird_sound_detection", 1),
        ("audio_comp_note_qualities_analysis", ["bright", "percussive"]),
        ("audio_comp_intent_classification", "a o l"),
        ("video_comp_ball_tracking", [[4, 4, 4, 4], [5, 4, 4, 4]]),
    ],
)
def test_reference_variants(key: str, expected: object) -> None:
    assert sample_reference(load_task(OPENSET, key).samples[0]) == expected


def test_reference_files_are_resolved_like_media() -> None:
    """The depth reference is written as a bare basename; it resolves to the file in the depth/ subfolder."""
    from lmms_general.dataset.reference import raw_sample_reference

    sample = load_task(OPENSET, "video_comp_indoor_static_video_depth_estimation").samples[0]
    assert raw_sample_reference(sample) == "c.npz"
    resolved = Path(sample_reference(sample))
    assert resolved.is_file() and resolved.parent.name == "depth" and resolved.name == "c.npz"


def test_sample_level_references_and_media() -> None:
    vg = load_task(OPENSET, "video_comp_human_video_grounding").samples[0]
    assert vg.id == "y_0001"  # no id: original_video_id
    assert sample_reference(vg)["trajectory"] == {"0": {"bbox": [1, 2, 6, 6]}, "1": {"bbox": [2, 2, 6, 6]}}
    assert [(m.kind, m.path.name) for m in vg.media] == [("video", "y.mp4")]
    vos = load_task(OPENSET, "video_comp_animal_video_object_segmentation").samples[0]
    assert vos.media[0].kind == "frames" and vos.media[0].path.is_dir()
    assert set(sample_reference(vos)) == {"0", "1"}
    # a generation sample's reference is media, built from the whole sample in one place (protocol.references)
    from lmms_general.protocol import task_docs
    from lmms_general.protocol.references import generation_reference
    from lmms_general.registry import load_registry

    def first_generation_reference(key: str) -> dict:
        data = load_task(OPENSET, key)
        assert sample_reference(data.samples[0]) is None
        return generation_reference(task_docs(load_registry()[key], data)[0])

    ref = first_generation_reference("image_gen_text_based_image_editing")
    assert ref["prompt"] == "make the sky red" and Path(ref["source"][0]).name == "src0.png"
    i23 = load_task(OPENSET, "3d_gen_living_and_arts_image_to_3d_mesh_generation").samples[0]
    assert [(m.kind, m.role) for m in i23.media] == [("image", "input"), ("pointcloud", "output")]
    assert Path(first_generation_reference("audio_gen_texttospeech")["target"][0]).name == "ref0.wav"
