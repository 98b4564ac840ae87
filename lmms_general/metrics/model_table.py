"""The one table of networks that model-based metrics load: where each comes from and which metrics need it.

Both the loaders (:mod:`lmms_general.metrics.models`, the FID / FVD / MUSIQ / aesthetic feature code) and the
``lmms-general weights`` manifest read this table, so a default changes in one place. A network is either a Hugging
Face hub repository (``repo_id`` at ``revision``) or a single file behind a URL, cached by torch hub under
``$TORCH_HOME/hub/checkpoints`` (``subdir`` below it for pyiqa). ``LMMS_GENERAL_MODEL_<NAME>`` overrides the
default with a local path (see :func:`lmms_general.metrics.models.resolve_model`).

``size_bytes`` is the approximate download (the weights plus configs) that ``lmms-general weights fetch`` makes.
"""

from __future__ import annotations

from dataclasses import dataclass

# configs, tokenizers and processors that a transformers ``from_pretrained`` reads next to the weights
HUB_SIDE_FILES: tuple[str, ...] = ("*.json", "*.txt", "*.model", "*.tiktoken")


@dataclass(frozen=True)
class ModelSource:
    """One network: a hub repository (``repo_id``) or a URL file (``url``), and the metric ids that load it."""

    name: str
    metrics: tuple[str, ...]
    size_bytes: int
    repo_id: str | None = None
    revision: str = "main"
    url: str | None = None
    subdir: str = ""  # below torch hub's checkpoints folder (pyiqa keeps its files in "pyiqa")
    note: str = ""
    modalities: tuple[str, ...] = ()  # only rows of these modalities need it (empty: every row of its metrics)

    def needed_by(self, metric_id: str, modality: str) -> bool:
        """Whether a row with ``metric_id`` in ``modality`` loads this network."""
        return metric_id in self.metrics and (not self.modalities or modality in self.modalities)

    @property
    def kind(self) -> str:
        """``"hub"`` or ``"url"``."""
        return "hub" if self.repo_id else "url"

    @property
    def filename(self) -> str:
        """The cached file name of a URL source (torch hub keeps the URL's basename)."""
        return (self.url or "").rsplit("/", 1)[-1]

    @property
    def hash_prefix(self) -> str | None:
        """The SHA-256 prefix a torch-hub style file name publishes (``name-<hex>.pth``), else None."""
        stem = self.filename.rsplit(".", 1)[0]
        tail = stem.rsplit("-", 1)[-1] if "-" in stem else ""
        return tail if len(tail) >= 6 and all(c in "0123456789abcdef" for c in tail) else None

    @property
    def source(self) -> str:
        """``repo_id@revision`` or the URL."""
        return f"{self.repo_id}@{self.revision}" if self.repo_id else str(self.url)

    @property
    def env_var(self) -> str:
        """The variable that points a run at a local copy."""
        return f"LMMS_GENERAL_MODEL_{self.name}"


MODEL_TABLE: dict[str, ModelSource] = {
    source.name: source
    for source in (
        ModelSource(
            "CLIP",
            ("clip_score", "clip_image_score", "clip_style", "frame_accuracy", "success_rate", "i2v_composite",
             "generated_class_accuracy", "user_preference_rate"),
            605_000_000,
            repo_id="openai/clip-vit-base-patch32",
            note="also fid feature='clip'",
        ),
        ModelSource("AESTHETIC_CLIP", ("aesthetic_score",), 1_710_000_000, repo_id="openai/clip-vit-large-patch14"),
        ModelSource(
            "AESTHETIC_HEAD",
            ("aesthetic_score",),
            4_000,
            url="https://github.com/LAION-AI/aesthetic-predictor/raw/main/sa_0_4_vit_l_14_linear.pth",
            note="LAION linear head on CLIP ViT-L/14",
        ),
        ModelSource("DINO", ("dino_score", "i2v_composite"), 345_000_000, repo_id="facebook/dino-vitb16",
                    note="also fid feature='dino'"),
        ModelSource("CLAP", ("clap_score", "style_clap", "fad"), 616_000_000, repo_id="laion/clap-htsat-unfused"),
        ModelSource("WHISPER", ("wer", "speech_cider"), 1_620_000_000, repo_id="openai/whisper-large-v3-turbo"),
        ModelSource("EMOTION", ("emotion_accuracy",), 380_000_000, repo_id="superb/wav2vec2-base-superb-er"),
        ModelSource(
            "DETECTOR",
            ("success_rate_single_object", "success_rate_multi_object"),
            613_000_000,
            repo_id="google/owlvit-base-patch32",
        ),
        ModelSource(
            "INCEPTION",
            ("fid",),
            95_628_359,
            url="https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/"
            "weights-inception-2015-12-05-6726825d.pth",
            note="torch-fidelity InceptionV3 (feature='inception', the default); 3D motion FID uses joint statistics",
            modalities=("image",),
        ),
        ModelSource(
            "R3D_18",
            ("fvd",),
            133_000_000,
            url="https://download.pytorch.org/models/r3d_18-b3b3357e.pth",
            note="torchvision R3D-18 Kinetics-400",
        ),
        ModelSource(
            "MUSIQ",
            ("musiq",),
            110_000_000,
            url="https://github.com/chaofengc/IQA-PyTorch/releases/download/v0.1-weights/musiq_koniq_ckpt-e95806b9.pth",
            subdir="pyiqa",
            note="pyiqa musiq (KonIQ); needs the pyiqa extra",
        ),
    )
}

# metrics that need a judge (a person's rating stand-in or a chat model) rather than fetchable weights
JUDGE_METRICS: dict[str, str] = {
    "mos": "LMMS_GENERAL_MODEL_MOS (a MOS predictor; no public default)",
    "gpt_score": "LMMS_GENERAL_JUDGE_MODEL or LMMS_GENERAL_JUDGE_BASE_URL (a chat judge)",
}

# metrics whose implementation needs an optional extra, and the pip requirement that installs it
EXTRA_METRICS: dict[str, str] = {"musiq": "pyiqa"}


def models_for_metric(metric_id: str, modality: str | None = None) -> list[ModelSource]:
    """The networks ``metric_id`` loads with its default options (on a row of ``modality``, when given)."""
    return [s for s in MODEL_TABLE.values()
            if (s.needed_by(metric_id, modality) if modality else metric_id in s.metrics)]
