"""The real lmms-eval CLI (``python -m lmms_eval``) with every adapter on the sample data's generation groups (slow).

Each test runs one subprocess over ``lmms_general/sample_data/General-Bench-Openset`` with tiny random models
(tests/fixtures/tiny_models.py) or the offline stand-ins (tests/fixtures/stand_ins), and the generation metrics pointed
at tiny random metric models (``metric_models_env``), then checks what a user would: exit status 0 *and* a results
file (the CLI can exit 0 after a failure), a numeric ``score,none`` and samples for every leaf task, media files on
disk, and that the only failed samples are the expected, clearly reported ones.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ROOT = ROOT / "lmms_general" / "sample_data" / "General-Bench-Openset"
STAND_INS = ROOT / "tests" / "fixtures" / "stand_ins"
LIMIT = 2


@dataclass
class CliRun:
    results: dict[str, Any]  # the *_results.json
    samples: dict[str, list[dict[str, Any]]]  # leaf task -> its --log_samples records
    media: Path  # the adapter's output_dir
    log: str  # tail of stdout + stderr, for assertion messages


def run_lmms_eval(
    tmp_path: Path,
    metric_env: dict[str, str],
    model: str,
    model_args: dict[str, Any],
    tasks: str,
    *,
    batch_size: int = 2,
    pythonpath: tuple[Path, ...] = (),
) -> CliRun:
    """``python -m lmms_eval`` in a subprocess (offline); asserts exit 0 and a results file, returns the outputs."""
    media = tmp_path / "media"
    args = ",".join(f"{key}={value}" for key, value in {**model_args, "output_dir": media}.items())
    env = {
        **os.environ,
        **metric_env,
        "HF_HUB_OFFLINE": "1",
        "HF_MODULES_CACHE": str(tmp_path / "hf_modules"),  # diffusers copies custom pipeline code here
        "PYTHONPATH": os.pathsep.join(str(p) for p in (ROOT, *pythonpath)),
        "GENERAL_BENCH_ROOT": str(SAMPLE_ROOT),
    }
    cmd = [
        sys.executable,
        "-m",
        "lmms_eval",
        "--model",
        model,
        "--model_args",
        args,
        "--tasks",
        tasks,
        "--limit",
        str(LIMIT),
        "--batch_size",
        str(batch_size),
        "--output_path",
        str(tmp_path / "results"),
        "--log_samples",
        "--verbosity",
        "DEBUG",
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500)
    log = f"{' '.join(cmd)}\n--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-5000:]}"
    assert proc.returncode == 0, log
    found = sorted((tmp_path / "results").rglob("*_results.json"))
    assert found, f"no *_results.json written\n{log}"
    samples = {
        path.stem.split("_samples_", 1)[1]: [json.loads(line) for line in path.read_text().splitlines() if line]
        for path in found[-1].parent.glob("*_samples_*.jsonl")
    }
    return CliRun(json.loads(found[-1].read_text()), samples, media, log)


def assert_scored(
    run: CliRun,
    suffixes: tuple[str, ...],
    failing: dict[str, str] | None = None,
) -> dict[str, list[Path]]:
    """Every leaf ``general_bench_*`` task has samples and a finite numeric score.

    ``failing`` maps a leaf-task suffix to the reason every one of its samples must fail with (requests the model
    cannot serve: they still score, as the worst value); all other tasks must have no failed sample and one media
    file with one of ``suffixes`` per sample under ``<output_dir>/<task>/``. Returns the media files per task.
    """
    failing = failing or {}
    groups = set(run.results.get("group_subtasks", {}))
    leaves = {t: r for t, r in run.results["results"].items() if t.startswith("general_bench_") and t not in groups}
    assert leaves, f"no general_bench_* leaf task in the results\n{run.log}"
    unmatched = [s for s in failing if not any(t.endswith(s) for t in leaves)]
    assert not unmatched, f"expected failing tasks {unmatched} did not run: {sorted(leaves)}"
    media: dict[str, list[Path]] = {}
    for task, result in leaves.items():
        effective = run.results["n-samples"][task]["effective"]
        assert 0 < effective <= LIMIT, (task, run.results["n-samples"][task])
        score = result.get("score,none")
        assert isinstance(score, (int, float)) and not isinstance(score, bool), f"{task}: score,none={score!r}"
        assert math.isfinite(score), f"{task}: score,none={score!r}"
        logged = run.samples.get(task, [])
        assert len(logged) == effective, f"{task}: {len(logged)} logged samples for n-samples {effective}"
        reason = next((why for suffix, why in failing.items() if task.endswith(suffix)), None)
        if reason is not None:
            assert result.get("failed,none") == effective, (task, result)
            for sample in logged:
                response = str(sample.get("filtered_resps"))
                assert "[GENERATION_FAILED]" in response and reason in response, f"{task}: {response[:300]}"
            continue
        assert result.get("failed,none") == 0, (task, result, [str(s.get("filtered_resps"))[:300] for s in logged])
        files = sorted(p for p in (run.media / task).glob("*") if p.suffix in suffixes and p.stat().st_size > 0)
        assert len(files) >= effective, f"{task}: {len(files)} {suffixes} files for {effective} samples in {run.media}"
        media[task] = files
    return media


# -- general_pipeline: one run per generation group --------------------------------------------------------------


@pytest.mark.slow
def test_lmms_eval_cli_general_pipeline_image_gen(tmp_path: Path, tiny_sd: Path, metric_models_env: dict) -> None:
    model_args = {"t2i": tiny_sd, "edit": tiny_sd, "steps": 2, "height": 32, "width": 32, "strength": 0.9}
    run = run_lmms_eval(tmp_path, metric_models_env, "general_pipeline", model_args, "general_bench_image_gen")
    media = assert_scored(run, (".png",))
    expected = {"text_based_image_editing", "text_to_image_insect_generation", "image_deraining"}  # 2 edits, 1 T2I
    assert {t.removeprefix("general_bench_image_gen_") for t in media} == expected, sorted(media)


@pytest.mark.slow
def test_lmms_eval_cli_general_pipeline_video_gen(
    tmp_path: Path, tiny_animatediff: Path, tiny_svd: Path, metric_models_env: dict
) -> None:
    """Text-to-video with AnimateDiff, image-to-video (and video edits: the first frame animated) with Stable Video
    Diffusion (both tiny, random)."""
    from model_adapters.video_io import read_frames

    size = {"steps": 2, "height": 32, "width": 32, "num_frames": 4}
    model_args = {"t2v": tiny_animatediff, "i2v": tiny_svd, **size}
    run = run_lmms_eval(tmp_path, metric_models_env, "general_pipeline", model_args, "general_bench_video_gen")
    media = assert_scored(run, (".mp4",))
    # the sample data's T2V, I2V and video restoration (an edit)
    expected = {"athletics_video_generation", "plant_image_to_video_generation", "video_denoising"}
    assert {t.removeprefix("general_bench_video_gen_") for t in media} == expected, sorted(media)
    for path in (p for files in media.values() for p in files):
        video = read_frames(str(path))
        assert len(video) == size["num_frames"] and video[0].shape == (32, 32, 3), path


@pytest.mark.slow
def test_lmms_eval_cli_general_pipeline_audio_gen(tmp_path: Path, tiny_vits: Path, metric_models_env: dict) -> None:
    """Text-to-speech with VITS; video-to-audio needs ``t2a`` + ``comp_model``, so its samples fail (and score)."""
    import soundfile as sf

    run = run_lmms_eval(tmp_path, metric_models_env, "general_pipeline", {"tts": tiny_vits}, "general_bench_audio_gen")
    failing = {"_videotoaudio": "general_pipeline cannot do video_to_audio (supports ['text_to_speech'])"}
    media = assert_scored(run, (".wav",), failing=failing)
    assert set(media) == {"general_bench_audio_gen_texttospeech", "general_bench_audio_gen_emotionalspeechsynthesis"}
    for path in (p for files in media.values() for p in files):
        wave, rate = sf.read(str(path))
        assert rate == 16000 and len(wave) > 0, path


@pytest.mark.slow
def test_lmms_eval_cli_general_pipeline_3d_gen(
    tmp_path: Path, tiny_dpt: Path, tiny_sd: Path, metric_models_env: dict
) -> None:
    """Image-to-3D lifts DPT depth of the input; text-to-3D first renders the prompt with ``t2i``; point-cloud
    completion has no component, so its samples fail (and score)."""
    model_args = {"pc": tiny_dpt, "t2i": tiny_sd, "steps": 2, "height": 32, "width": 32, "pc_points": 512}
    run = run_lmms_eval(tmp_path, metric_models_env, "general_pipeline", model_args, "general_bench_3d_gen")
    failing = {"_3d_point_cloud_completion": "general_pipeline cannot do pointcloud_to_3d"}
    media = assert_scored(run, (".obj", ".ply"), failing=failing)
    expected = {"living_and_arts_image_to_3d_mesh_generation", "text_to_3d_living_and_arts_mesh_generation"}
    assert {t.removeprefix("general_bench_3d_gen_") for t in media} == expected, sorted(media)
    for task, path in ((t, p) for t, files in media.items() for p in files):
        lines = path.read_text().splitlines()
        assert path.suffix == (".obj" if "_mesh_" in task else ".ply"), path
        if path.suffix == ".obj":
            assert any(x.startswith("v ") for x in lines) and any(x.startswith("f ") for x in lines), path
        else:
            assert any(x.startswith("element vertex") for x in lines), path


# -- the generalist adapters on image generation ------------------------------------------------------------------


#: model -> (fixture giving the checkpoint, model_args from it, reason its image-editing samples fail or None)
GENERALISTS: dict[str, tuple[str, Callable[[Path], dict[str, Any]], str | None]] = {
    "janus": ("tiny_janus", lambda p: {"pretrained": p}, "janus cannot do image_edit (supports ['text_to_image'])"),
    "emu3": (
        "tiny_emu3",
        lambda p: {"pretrained": p, "image_area": 256, "top_k": 8},  # 2x2 visual tokens (the default is 720x720)
        "emu3 cannot do image_edit (supports ['text_to_image'])",
    ),
    # Emu2-Gen's real loading code on a stand-in folder (custom pipeline file + bf16 variant); chat is not needed
    "emu2": ("emu2_gen_stand_in", lambda p: {"gen": p}, None),
    "next_gpt": (
        "nextgpt_delta",
        lambda p: {"repo_path": STAND_INS / "nextgpt_repo", "ckpt_path": p, "dtype": "float32"},
        None,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("model", list(GENERALISTS))
def test_lmms_eval_cli_generalist_image_gen(
    model: str, tmp_path: Path, metric_models_env: dict, request: pytest.FixtureRequest
) -> None:
    fixture, make_args, edit_failure = GENERALISTS[model]
    model_args = make_args(request.getfixturevalue(fixture))
    pythonpath = (STAND_INS,)  # emu2's custom pipeline file imports emu2_stand_in; harmless for the others
    run = run_lmms_eval(
        tmp_path, metric_models_env, model, model_args, "general_bench_image_gen", pythonpath=pythonpath
    )
    edits = {"text_based_image_editing", "image_deraining"}
    failing = {f"_{task}": edit_failure for task in edits} if edit_failure else {}
    media = assert_scored(run, (".png",), failing=failing)
    expected = {"text_to_image_insect_generation"} | (edits if not edit_failure else set())
    assert {t.removeprefix("general_bench_image_gen_") for t in media} == expected, sorted(media)
