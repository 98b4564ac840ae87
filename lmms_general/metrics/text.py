"""Text-generation metrics: BLEU-1, BLEU@4, ROUGE-1, ROUGE-L, CIDEr, ANLS, CodeBLEU.

Sentence-level metrics follow the official NLP scorer (GENERAL_LEVEL_SCORING §2.2): best score over the
acceptable references, mean over samples, here on the 0-100 scale. Corpus metrics (BLEU@4, CIDEr)
pool n-gram statistics over the whole task. An unparsed (empty) prediction scores 0 and stays in the mean.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lmms_general.metrics._common import answer_list, percent, require_samples
from lmms_general.metrics.registry import MetricNotImplementedError, MetricSpec, register


def text_reference(raw: Any, context: Mapping[str, Any]) -> list[str]:
    """References as a list of strings (one string or several acceptable ones)."""
    return answer_list(raw)


# --------------------------------------------------------------------------- BLEU-1 (nltk)


@functools.lru_cache(maxsize=1)
def _nltk_bleu() -> tuple[Any, Any, Any]:
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    return NLTKWordTokenizer().tokenize, sentence_bleu, SmoothingFunction().method4


#: Chinese / Japanese characters: text holding them is tokenised one character per token
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.lru_cache(maxsize=1)
def _zh_tokenizer() -> Any:
    from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh

    return TokenizerZh()


def cjk_tokens(text: str) -> list[str]:
    """sacreBLEU's ``zh`` tokenisation (the standard for Chinese BLEU): every CJK character is a token,
    other text is split by the 13a rules."""
    return _zh_tokenizer()(text).split()


def word_tokens(text: str) -> list[str]:
    """nltk ``word_tokenize(text, preserve_line=True)``: the Treebank-style word tokenizer without
    Punkt sentence splitting (deterministic, needs no downloaded nltk data). Text with Chinese characters
    is tokenised per character (:func:`cjk_tokens`); whitespace splitting would make a Chinese sentence
    one token and its BLEU 0."""
    if _CJK.search(text):
        return cjk_tokens(text)
    return _nltk_bleu()[0](text)


def bleu1_sample(prediction: Any, references: Sequence[str]) -> float:
    """Best nltk sentence BLEU-1 (weights (1,0,0,0), smoothing method4) over the references, in [0, 1]."""
    if prediction is None or not references:
        return 0.0
    _tokenize, sentence_bleu, method4 = _nltk_bleu()
    hypothesis = word_tokens(str(prediction))
    if not hypothesis:
        return 0.0
    best = 0.0
    for reference in references:
        tokens = word_tokens(reference)
        if tokens:
            value = sentence_bleu([tokens], hypothesis, weights=(1, 0, 0, 0), smoothing_function=method4)
            best = max(best, float(value))
    return best


def bleu_1(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean best-reference sentence BLEU-1 (official NLP scorer), 0-100."""
    require_samples("bleu_1", predictions)
    return percent(bleu1_sample(p, answer_list(r)) for p, r in zip(predictions, references, strict=True))


# --------------------------------------------------------------------------- ROUGE (rouge-score)


class _CjkAwareTokenizer:
    """rouge-score's default tokenizer (lower case, stemming), per character for Chinese text (the default
    one drops every non-ASCII character, so Chinese ROUGE would be 0)."""

    def __init__(self) -> None:
        from rouge_score.tokenizers import DefaultTokenizer

        self._default = DefaultTokenizer(use_stemmer=True)

    def tokenize(self, text: str) -> list[str]:
        if _CJK.search(text):
            return [t.lower() for t in cjk_tokens(text) if not _COCO_PUNCT.fullmatch(t)]
        return self._default.tokenize(text)


@functools.lru_cache(maxsize=4)
def _rouge_scorer(rouge_type: str) -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer([rouge_type], tokenizer=_CjkAwareTokenizer())


def rouge_sample(prediction: Any, references: Sequence[str], rouge_type: str) -> float:
    """Best rouge-score F-measure (``use_stemmer=True``) over the references, in [0, 1]."""
    if prediction is None or not references:
        return 0.0
    scorer = _rouge_scorer(rouge_type)
    return max(scorer.score(reference, str(prediction))[rouge_type].fmeasure for reference in references)


def rouge_1(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean best-reference ROUGE-1 F (rouge-score, stemming), 0-100."""
    require_samples("rouge_1", predictions)
    return percent(rouge_sample(p, answer_list(r), "rouge1") for p, r in zip(predictions, references, strict=True))


def rouge_l(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean best-reference ROUGE-L F (rouge-score, stemming), 0-100."""
    require_samples("rouge_l", predictions)
    return percent(rouge_sample(p, answer_list(r), "rougeL") for p, r in zip(predictions, references, strict=True))


# --------------------------------------------------------------------------- corpus BLEU@4 and CIDEr (pycocoevalcap)

_COCO_PUNCT = re.compile(r"[^\w\s]")


def coco_tokenize(text: Any) -> str:
    """Lower-case and strip punctuation, the effect of the COCO caption PTB tokenizer (which needs Java);
    Chinese text one character per token (:func:`cjk_tokens`)."""
    folded = _COCO_PUNCT.sub(" ", str(text).lower())
    return " ".join(cjk_tokens(folded) if _CJK.search(folded) else folded.split())


def _coco_inputs(
    predictions: Sequence[Any], references: Sequence[Any]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    gts: dict[int, list[str]] = {}
    res: dict[int, list[str]] = {}
    for index, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        refs = [coco_tokenize(r) for r in answer_list(reference)]
        gts[index] = refs or [""]
        res[index] = [coco_tokenize(prediction) if prediction is not None else ""]
    return gts, res


def bleu_4(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Corpus BLEU@4 (pycocoevalcap ``Bleu(4)``, n-gram counts pooled over the task), 0-100."""
    from pycocoevalcap.bleu.bleu import Bleu

    require_samples("bleu_4", predictions)
    gts, res = _coco_inputs(predictions, references)
    scores, _ = Bleu(4).compute_score(gts, res, verbose=0)
    return 100.0 * float(scores[3])


def cider(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """CIDEr-D as pycocoevalcap ``Cider`` computes it (document frequencies from the task's references), x100."""
    from pycocoevalcap.cider.cider import Cider

    require_samples("cider", predictions)
    gts, res = _coco_inputs(predictions, references)
    score, _ = Cider().compute_score(gts, res)
    return 100.0 * float(score)


# --------------------------------------------------------------------------- ANLS (rapidfuzz Levenshtein)


def anls_sample(prediction: Any, references: Sequence[str], threshold: float = 0.5) -> float:
    """Best ``1 - normalised Levenshtein distance`` over references, 0 when the distance is >= threshold."""
    from rapidfuzz.distance import Levenshtein

    if prediction is None or not references:
        return 0.0
    pred = " ".join(str(prediction).lower().split())
    best = 0.0
    for reference in references:
        distance = Levenshtein.normalized_distance(pred, " ".join(reference.lower().split()))
        best = max(best, 1.0 - distance if distance < threshold else 0.0)
    return best


def anls(predictions: Sequence[Any], references: Sequence[Any], threshold: float = 0.5) -> float:
    """Average Normalised Levenshtein Similarity (ST-VQA / DocVQA definition, tau=0.5), 0-100."""
    require_samples("anls", predictions)
    return percent(anls_sample(p, answer_list(r), threshold) for p, r in zip(predictions, references, strict=True))


# --------------------------------------------------------------------------- CodeBLEU


def _calc_codebleu() -> Any:
    try:
        from codebleu import calc_codebleu
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MetricNotImplementedError("codebleu") from exc
    return calc_codebleu


def codebleu_sample(prediction: Any, references: Sequence[str], lang: str = "python") -> float:
    """CodeBLEU (``codebleu.calc_codebleu``, weights 0.25 x 4) of one prediction, in [0, 1].

    As in the official scorer the language is python; a prediction the parser cannot handle scores 0.
    """
    calc = _calc_codebleu()
    if prediction is None or not references or not str(prediction).strip():
        return 0.0
    try:
        result = calc([list(references)], [str(prediction)], lang=lang, weights=(0.25, 0.25, 0.25, 0.25))
    except (ValueError, RecursionError, ZeroDivisionError):
        return 0.0
    return float(result["codebleu"])


def codebleu(predictions: Sequence[Any], references: Sequence[Any], lang: str = "python") -> float:
    """Mean per-sample CodeBLEU (official NLP scorer), 0-100."""
    require_samples("codebleu", predictions)
    _calc_codebleu()
    return percent(codebleu_sample(p, answer_list(r), lang) for p, r in zip(predictions, references, strict=True))


_SENTENCE = {"kind": "sample", "native_range": (0.0, 1.0), "scale": "x100", "prepare_reference": text_reference}
register(MetricSpec(id="bleu_1", compute=bleu_1, implementation="nltk sentence_bleu (weights 1,0,0,0; method4)",
                    description="best-reference sentence BLEU-1, averaged over samples", **_SENTENCE))
register(MetricSpec(id="rouge_1", compute=rouge_1, implementation="rouge-score RougeScorer(rouge1, use_stemmer)",
                    description="best-reference ROUGE-1 F-measure, averaged over samples", **_SENTENCE))
register(MetricSpec(id="rouge_l", compute=rouge_l, implementation="rouge-score RougeScorer(rougeL, use_stemmer)",
                    description="best-reference ROUGE-L F-measure, averaged over samples", **_SENTENCE))
register(MetricSpec(id="anls", compute=anls, implementation="rapidfuzz normalized Levenshtein (ANLS, tau=0.5)",
                    description="average normalised Levenshtein similarity, best reference, threshold 0.5",
                    **_SENTENCE))
register(MetricSpec(id="codebleu", compute=codebleu, implementation="codebleu calc_codebleu (python)",
                    description="CodeBLEU (n-gram, weighted n-gram, AST and data-flow match), averaged over samples",
                    **_SENTENCE))
register(MetricSpec(id="bleu_4", compute=bleu_4, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="pycocoevalcap Bleu(4) (corpus)", prepare_reference=text_reference,
                    description="corpus BLEU with up to 4-grams over the task"))
register(MetricSpec(id="cider", compute=cider, kind="corpus", native_range=(0.0, 10.0), scale="x100",
                    implementation="pycocoevalcap Cider (CIDEr-D)", prepare_reference=text_reference,
                    description="consensus-based caption similarity with task-level document frequencies"))
