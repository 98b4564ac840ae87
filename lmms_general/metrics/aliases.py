"""One map from every metric spelling in the General-Level reference table to a canonical metric id.

The official workbooks spell the same metric up to four ways (``Acc``/``ACC``, ``BLEU-1``/``BLUE_1``,
``ROUGE-L``/``Rouge-L f``, ``CLIP score``/``CLIPScore``, ...). Everything downstream of the registry
works with canonical ids only; the raw spelling is kept for output and for the bug-compatible
official ranker, which matches metric names by exact upper-case string.
"""

from __future__ import annotations

# raw spelling (exactly as in the reference CSVs) -> canonical metric id
METRIC_ALIASES: dict[str, str] = {
    # classification / QA
    "Acc": "accuracy",
    "ACC": "accuracy",
    "Macro-Acc": "macro_accuracy",
    "EM@1": "em_at_1",
    "E-Acc": "emotion_accuracy",
    "F1": "f1",
    "F1 Score": "f1",
    "Micro-F1": "micro_f1",
    "AUC": "auc",
    "Fram-Acc": "frame_accuracy",
    "Successful rate": "success_rate",
    "Single-Object Successful Rate": "success_rate_single_object",
    "Multi-Object Successful Rate": "success_rate_multi_object",
    # text generation
    "BLEU-1": "bleu_1",
    "BLUE_1": "bleu_1",
    "BLEU@4": "bleu_4",
    "ROUGE-1": "rouge_1",
    "ROUGE-L": "rouge_l",
    "Rouge-L f": "rouge_l",
    "CIDEr": "cider",
    "ANLS": "anls",
    "CodeBLEU": "codebleu",
    # detection / segmentation / grounding
    "AP": "ap",
    "AP10": "ap10",
    "AP50": "ap50",
    "AP75": "ap75",
    "mAP": "map",
    "mAP@50": "map50",
    "R@50": "recall_at_50",
    "mIoU": "miou",
    "Instance mIoU": "instance_miou",
    "m_vIoU": "m_viou",
    "DICE": "dice",
    "PQ": "pq",
    "Structure measure": "s_measure",
    "SAD": "sad",
    "F-score": "f_score",
    "AMOTA (Average Multi-Object Tracking Accuracy)": "amota",
    # regression / geometry
    "MAE": "mae",
    "MSE": "mse",
    "RMS": "rms",
    "RMSE": "rmse",
    "absRel": "abs_rel",
    "EPE": "epe",
    "RTE ( Relative Translation Error)": "rte",
    "CD (Chamfer Distance)": "chamfer_distance",
    # The one "L1 distance" row (Static Video Generation) has SoTA 99.72: that is VBench's
    # temporal-flickering score ((255 - mean |frame diff|) / 255 * 100, higher is better), not a
    # raw distance. We score it as such; see README "Metric decisions".
    "L1 distance": "temporal_flickering",
    # image / video generation
    "FID": "fid",
    "FVD": "fvd",
    "PSNR": "psnr",
    "MS-SSIM": "ms_ssim",
    "CLIP score": "clip_score",
    "CLIPScore": "clip_score",
    "CLIP img score": "clip_image_score",
    "CLIP-Style": "clip_style",
    "DINOScore": "dino_score",
    "MUSIQ": "musiq",
    "MUSIQ score": "musiq",
    "Aesthetic score": "aesthetic_score",
    "Optical Flow Score": "optical_flow_score",
    "DINO+ViCLIP+Optical flow+Motion Smooth": "i2v_composite",
    # audio
    "WER": "wer",
    "MCD": "mcd",
    "FAD": "fad",
    "CLAP": "clap_score",
    "Style-CLAP": "style_clap",
    "PCC": "pitch_class_consistency",
    "MOS": "mos",
    # judged
    "GPT-Score": "gpt_score",
    "User preference rates": "user_preference_rate",
}

# canonical ids whose raw value is better when lower (before any General-Level normalisation)
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "mae",
        "mse",
        "rms",
        "rmse",
        "abs_rel",
        "epe",
        "rte",
        "chamfer_distance",
        "fid",
        "fvd",
        "wer",
        "mcd",
        "fad",
        "sad",
        "lab_error",
    }
)

#: rows whose reference-table metric name ("AUC", "RMSE", "Acc") is measured by a row-specific protocol
#: (lmms_general/metrics/image_maps.py; docs/METRICS.md): registry key -> metric id, used by tools/build_registry.py
ROW_METRIC_IDS: dict[str, str] = {
    "image_gen_infection_map_generation": "pixel_auc",
    "image_gen_image_shadow_removal": "lab_error",
    "image_gen_eeg_based_image_generation": "generated_class_accuracy",
    "audio_gen_imagetospeech": "speech_cider",
}
ROW_SPECIFIC_METRIC_IDS: frozenset[str] = frozenset(ROW_METRIC_IDS.values())

CANONICAL_METRIC_IDS: frozenset[str] = frozenset(METRIC_ALIASES.values()) | ROW_SPECIFIC_METRIC_IDS


def canonical_metric_id(raw: str) -> str:
    """Return the canonical id for a raw metric spelling (exact match first, then case/space-insensitive).

    Raises:
        KeyError: the spelling is unknown; the message lists the closest known spellings.
    """
    if raw in METRIC_ALIASES:
        return METRIC_ALIASES[raw]
    if raw in CANONICAL_METRIC_IDS:
        return raw
    folded = _fold(raw)
    for spelling, metric_id in METRIC_ALIASES.items():
        if _fold(spelling) == folded:
            return metric_id
    raise KeyError(f"unknown metric spelling {raw!r}; known: {sorted(METRIC_ALIASES)}")


def higher_is_better(metric_id: str) -> bool:
    """Direction of the raw metric value."""
    if metric_id not in CANONICAL_METRIC_IDS:
        raise KeyError(f"unknown metric id {metric_id!r}")
    return metric_id not in LOWER_IS_BETTER


def _fold(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
