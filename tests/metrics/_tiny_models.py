"""Tiny randomly-initialised networks built offline, saved with ``save_pretrained`` for the loading tests.

Nothing is downloaded: tokenizers are byte-level BPEs trained on a fixed in-file corpus, models come
from small configs with a fixed seed.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = [
    "a photo of a cat",
    "a photo of a dog",
    "a red car on the street",
    "a man riding a horse",
    "the quick brown fox jumps over the lazy dog",
    "music with drums and guitar",
    "a person speaking",
    "hello world this is a test",
    "birds singing in the forest",
    "rain falling on a roof",
] * 10


def _bpe(vocab_size: int = 300) -> tuple[dict[str, int], list[tuple[str, str]]]:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    bpe.train_from_iterator(CORPUS, trainer=trainer)
    state = json.loads(bpe.to_str())
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["model"]["merges"]]
    return state["model"]["vocab"], merges


def build_clip(out: Path, image_size: int = 32, seed: int = 0) -> Path:
    """A 2-layer CLIP (hidden 32, 32x32 images) with a tiny BPE tokenizer and the standard processor."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    torch.manual_seed(seed)
    vocab, merges = _bpe()
    vocab = dict(vocab)
    for token in ("<|startoftext|>", "<|endoftext|>"):
        vocab.setdefault(token, len(vocab))
    tokenizer = CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=32)
    config = CLIPConfig(
        text_config={
            "vocab_size": len(vocab) + 8,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 32,
            "bos_token_id": vocab["<|startoftext|>"],
            "eos_token_id": vocab["<|endoftext|>"],
            "pad_token_id": vocab["<|endoftext|>"],
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": image_size,
            "patch_size": 8,
        },
        projection_dim=16,
    )
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )
    CLIPModel(config).eval().save_pretrained(out)
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(out)
    return out


def build_dino(out: Path, image_size: int = 32, seed: int = 0) -> Path:
    """A 2-layer DINOv2 backbone (hidden 32) with its image processor."""
    import torch
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    torch.manual_seed(seed)
    config = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        image_size=image_size,
        patch_size=8,
    )
    Dinov2Model(config).eval().save_pretrained(out)
    BitImageProcessor(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}, do_center_crop=True
    ).save_pretrained(out)
    return out


def build_clap(out: Path, seed: int = 0) -> Path:
    """A tiny CLAP (HTSAT audio tower, RoBERTa text tower) at 16 kHz with a tiny BPE tokenizer."""
    import torch
    from transformers import ClapConfig, ClapFeatureExtractor, ClapModel, ClapProcessor, RobertaTokenizer

    torch.manual_seed(seed)
    vocab, merges = _bpe()
    vocab = dict(vocab)
    for token in ("<s>", "</s>", "<pad>", "<unk>", "<mask>"):
        vocab.setdefault(token, len(vocab))
    tokenizer = RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=32)
    config = ClapConfig(
        text_config={
            "vocab_size": len(vocab) + 8,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": len(vocab) + 40,
            "projection_dim": 16,
            "pad_token_id": vocab["<pad>"],
            "bos_token_id": vocab["<s>"],
            "eos_token_id": vocab["</s>"],
        },
        audio_config={
            "spec_size": 64,
            "num_mel_bins": 16,
            "patch_embeds_hidden_size": 16,
            "hidden_size": 32,
            "depths": [1, 1],
            "num_attention_heads": [2, 2],
            "window_size": 4,
            "patch_size": 4,
            "patch_stride": [4, 4],
            "projection_dim": 16,
            "enable_fusion": False,
        },
        projection_dim=16,
    )
    extractor = ClapFeatureExtractor(
        feature_size=16,
        sampling_rate=16000,
        hop_length=160,
        max_length_s=1,
        fft_window_size=400,
        truncation="rand_trunc",
        padding="repeatpad",
    )
    ClapModel(config).eval().save_pretrained(out)
    ClapProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(out)
    return out


def build_whisper(out: Path, seed: int = 0) -> Path:
    """A 1-layer Whisper (d_model 32) with a tiny BPE tokenizer (random weights: transcripts are noise)."""
    import torch
    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )

    torch.manual_seed(seed)
    vocab, merges = _bpe()
    vocab = dict(vocab)
    specials = ["<|endoftext|>", "<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]
    for token in specials:
        vocab.setdefault(token, len(vocab))
    tokenizer = WhisperTokenizer(
        vocab=vocab,
        merges=merges,
        unk_token="<|endoftext|>",
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    config = WhisperConfig(
        vocab_size=len(vocab) + 8,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        num_mel_bins=80,
        max_source_positions=1500,
        max_target_positions=64,
        decoder_start_token_id=vocab["<|startoftranscript|>"],
        eos_token_id=vocab["<|endoftext|>"],
        pad_token_id=vocab["<|endoftext|>"],
        bos_token_id=vocab["<|endoftext|>"],
        begin_suppress_tokens=None,
        suppress_tokens=None,
    )
    model = WhisperForConditionalGeneration(config).eval()
    model.generation_config.forced_decoder_ids = None
    model.generation_config.max_length = 12
    model.save_pretrained(out)
    WhisperProcessor(feature_extractor=WhisperFeatureExtractor(), tokenizer=tokenizer).save_pretrained(out)
    return out


def build_audio_classifier(out: Path, labels: tuple[str, ...] = ("neu", "hap", "ang", "sad"), seed: int = 0) -> Path:
    """A 1-layer wav2vec2 sequence classifier with emotion labels (random weights)."""
    import torch
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForSequenceClassification

    torch.manual_seed(seed)
    config = Wav2Vec2Config(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16, 16),
        conv_stride=(5, 4),
        conv_kernel=(10, 8),
        num_feat_extract_layers=2,
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        classifier_proj_size=16,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    Wav2Vec2ForSequenceClassification(config).eval().save_pretrained(out)
    Wav2Vec2FeatureExtractor(sampling_rate=16000).save_pretrained(out)
    return out


def build_inception(out: Path, seed: int = 0) -> Path:
    """torch-fidelity's FID InceptionV3 with random weights, saved as the ``.pth`` state dict the real
    weights file is (the loading path of ``LMMS_GENERAL_MODEL_INCEPTION``). Full size: ~95 MB."""
    import torch
    import torch_fidelity.feature_extractor_inceptionv3 as fe

    torch.manual_seed(seed)
    real_loader, real_load = fe.load_state_dict_from_url, fe.FeatureExtractorInceptionV3.load_state_dict
    fe.load_state_dict_from_url = lambda *a, **k: {}  # nothing to download: keep the random init
    fe.FeatureExtractorInceptionV3.load_state_dict = lambda self, state, *a, **k: None
    try:
        module = fe.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    finally:
        fe.load_state_dict_from_url, fe.FeatureExtractorInceptionV3.load_state_dict = real_loader, real_load
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(module.state_dict(), out)
    return out
