"""Text-generation metrics: BLEU-1, BLEU@4, ROUGE-1, ROUGE-L, CIDEr, ANLS, CodeBLEU.

Sentence-level metrics follow the official NLP scorer (GENERAL_LEVEL_SCORING §2.2): best score over the
acceptable references, mean over samples, here on the 0-100 scale. Corpus metrics (BLEU@4, CIDEr, and
BLEU-1 / CodeBLEU where the row's source scores the corpus in one call) pool n-gram statistics over the
whole task. An unparsed (empty) prediction scores 0 and stays in the mean.

Tokenisation: BLEU-1 splits Chinese / Japanese / Korean text into characters (sacrebleu's ``zh``
tokenizer, the standard for Chinese BLEU) and other text with nltk's Treebank tokenizer; BLEU@4 and
CIDEr use pycocoevalcap's Stanford PTB tokenizer (Java) when ``java`` is on the PATH, else
:func:`ptb_tokenize_python`, a Treebank replica equal to it on the tested cases.
"""

from __future__ import annotations

import functools
import re
import shutil
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lmms_general.metrics._common import answer_list, percent, require_samples
from lmms_general.metrics.codebleu_statistics import codebleu_statistics
from lmms_general.metrics.registry import (
    AS_IS,
    MetricNotImplementedError,
    MetricSpec,
    SampleStates,
    parse_verbatim,
    register,
)
from lmms_general.metrics.resampling import MeanReplicator, Replicator, SumReplicator, count_matrix
from lmms_general.metrics.synthetic import N_LABEL_SAMPLES, gen_code, gen_short_answer, gen_text


def text_reference(raw: Any, context: Mapping[str, Any]) -> list[str]:
    """References as a list of strings (one string or several acceptable ones)."""
    return answer_list(raw)


# --------------------------------------------------------------------------- BLEU-1 (nltk)


@functools.lru_cache(maxsize=1)
def _nltk_bleu() -> tuple[Any, Any, Any]:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    return _treebank_tokenizer().tokenize, sentence_bleu, SmoothingFunction().method4


def _untimed(value: Any) -> Any:
    """``value`` with every ``nltk.redos.TimedPattern`` replaced by the ``regex`` pattern it wraps."""
    if isinstance(value, (list, tuple)):
        return type(value)(_untimed(v) for v in value)
    inner = getattr(value, "_rx", None)
    return inner if inner is not None and hasattr(inner, "sub") else value


@functools.lru_cache(maxsize=1)
def _treebank_tokenizer() -> Any:
    """nltk's ``NLTKWordTokenizer`` (its own ``tokenize`` and patterns) with the patterns it ships applied directly.

    nltk >= 3.10 wraps each of its fixed patterns in ``nltk.redos.TimedPattern``, a ReDoS guard for
    caller-supplied patterns that runs every substitution under a wall-clock timeout (more than half the
    tokeniser's time); these linear patterns need no guard. Same ``regex`` engine, same patterns and flags, so
    the same tokens (tested against ``NLTKWordTokenizer``)."""
    from nltk.tokenize import NLTKWordTokenizer

    tables = {name: _untimed(getattr(NLTKWordTokenizer, name)) for name in dir(NLTKWordTokenizer) if name.isupper()}
    return type("UntimedWordTokenizer", (NLTKWordTokenizer,), tables)()


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
    one token and its BLEU 0. Short texts are memoised: nltk >= 3.10 runs every regex under a ReDoS
    timeout (~0.7 ms per sentence), and scoring and its bootstrap tokenise the same answers several times."""
    if len(text) > _MEMO_CHARS:
        return list(_tokenize(text))
    return list(_memo_tokens(text))


_MEMO_CHARS = 1000


def _tokenize(text: str) -> tuple[str, ...]:
    if _CJK.search(text):
        return tuple(cjk_tokens(text))
    return tuple(_nltk_bleu()[0](text))


_memo_tokens = functools.lru_cache(maxsize=1 << 14)(_tokenize)


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


def corpus_bleu_1(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """nltk ``corpus_bleu`` with weights (1, 0, 0, 0): clipped unigram counts and lengths pooled over the
    task, one brevity penalty (the official video scorer's BLEU-1), in [0, 1]."""
    from nltk.translate.bleu_score import corpus_bleu

    refs = [[word_tokens(r) for r in answer_list(ref)] or [[]] for ref in references]
    hyps = [word_tokens(str(p)) if p is not None else [] for p in predictions]
    if not any(hyps):
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nltk warns about absent 2-4-gram matches even at weight 0
        return float(corpus_bleu(refs, hyps, weights=(1, 0, 0, 0)))


def bleu_1(predictions: Sequence[Any], references: Sequence[Any], corpus: bool = False) -> float:
    """BLEU-1, 0-100: mean best-reference sentence BLEU-1 (official NLP scorer), or with ``corpus=True``
    (a row option) corpus BLEU-1 over the task."""
    require_samples("bleu_1", predictions)
    if corpus:
        return 100.0 * corpus_bleu_1(predictions, references)
    return percent(bleu1_sample(p, answer_list(r)) for p, r in zip(predictions, references, strict=True))


# --------------------------------------------------------------------------- ROUGE (rouge-score)


_COCO_PUNCT = re.compile(r"[^\w\s]")


class _CjkAwareTokenizer:
    """rouge-score's default tokenizer (lower case, stemming), per character for Chinese text (the default
    one drops every non-ASCII character, so Chinese ROUGE would be 0)."""

    def __init__(self) -> None:
        from nltk.stem import porter

        self._stemmer = _MemoStemmer(porter.PorterStemmer())

    def tokenize(self, text: str) -> list[str]:
        from rouge_score import tokenize

        if _CJK.search(text):
            return [t.lower() for t in cjk_tokens(text) if not _COCO_PUNCT.fullmatch(t)]
        return tokenize.tokenize(text, self._stemmer)  # what DefaultTokenizer(use_stemmer=True) calls


class _MemoStemmer:
    """A Porter stemmer that stems each distinct word once (``stem`` is a pure function of the word; rouge-score
    stems every token of every text, most of its time)."""

    def __init__(self, stemmer: Any) -> None:
        self.stem = functools.lru_cache(maxsize=1 << 16)(stemmer.stem)


@functools.lru_cache(maxsize=4)
def _rouge_scorer(rouge_type: str) -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer([rouge_type], tokenizer=_CjkAwareTokenizer())


def rouge_sample(prediction: Any, references: Sequence[str], rouge_type: str) -> float:
    """Best rouge-score F-measure (``use_stemmer=True``) over the references, in [0, 1]; text with CJK
    characters is tokenised per character (sacrebleu ``zh``)."""
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

#: tokens pycocoevalcap's PTBTokenizer drops after tokenising
PTB_PUNCTUATIONS = frozenset(
    ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"]
)
_PTB_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "{": "-lcb-", "}": "-rcb-", "[": "-lsb-", "]": "-rsb-"}


_MARK_RUN = re.compile(r"[?!]{2,}")


def ptb_tokenize_python(text: str) -> str:
    """The COCO caption tokenisation without Java: nltk's Treebank tokenizer (the PTB conventions the
    Stanford tokenizer implements), lower-cased, brackets as (lower-cased, so kept) PTB tokens,
    pycocoevalcap's punctuation dropped."""
    text = _MARK_RUN.sub(lambda m: f" {m.group().replace('?', 'qmarkx').replace('!', 'bangx')} ", text)
    tokens = [_PTB_BRACKETS.get(t, t) for t in _nltk_bleu()[0](text.replace("\n", " ").lower())]
    tokens = [t.replace("qmarkx", "?").replace("bangx", "!") for t in tokens]  # "?!" stays one token, as in PTB
    return " ".join(t for t in tokens if t not in PTB_PUNCTUATIONS)


def java_available() -> bool:
    return shutil.which("java") is not None


def ptb_tokenize(texts: Sequence[str]) -> list[str]:
    """pycocoevalcap ``PTBTokenizer`` (Stanford CoreNLP, lower-cased, punctuation removed) on every text in
    one Java call (:func:`stanford_ptb_tokenize`); :func:`ptb_tokenize_python` when Java is absent. Empty texts
    stay empty; text with Chinese / Japanese characters is tokenised per character (:func:`cjk_tokens`). Each
    distinct text is tokenised once per process (a memo per tokenizer)."""
    out = ["" for _ in texts]
    indices = []
    cjk = _CJK.search("".join(texts)) is not None  # one scan; per text only when some text has such characters
    for i, text in enumerate(texts):
        if cjk and _CJK.search(text):  # Chinese / Japanese: one character per token, punctuation dropped
            out[i] = " ".join(t for t in cjk_tokens(text.lower()) if t not in PTB_PUNCTUATIONS and t.isalnum())
        elif text.strip():
            indices.append(i)
    java = java_available()
    memo = _PTB_MEMO.setdefault(java, {})  # never emptied, only replaced: safe while another thread tokenises
    todo = list(dict.fromkeys(texts[i] for i in indices if texts[i] not in memo))  # each text once
    if todo:  # one Java start for every text not tokenised before in this process
        fresh = dict(zip(todo, stanford_ptb_tokenize(todo) if java else map(ptb_tokenize_python, todo), strict=True))
        if len(memo) + len(fresh) > _PTB_MEMO_SIZE:
            _PTB_MEMO[java] = dict(fresh)  # a new memo for later calls; this call reads its own
        memo.update(fresh)
    for i in indices:
        out[i] = memo[texts[i]]
    return out


#: Java used -> {text: tokenised text}: level and the bootstrap tokenise a task's captions more than once, and
#: each Java call starts a JVM; per-caption tokenisation is independent of the other captions
_PTB_MEMO: dict[bool, dict[str, str]] = {}
_PTB_MEMO_SIZE = 500_000
#: JVM options for a process that lives about a second: the C1 compiler only and the serial collector (no C2
#: compiler or parallel GC threads warming up for a run this short: ~40 % less JVM CPU); the tokens are the same
_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
#: every character the Java PTBLexer ends a line at (``-preserveLines``: one caption per line), as a space, as
#: pycocoevalcap does for "\n" only: a CR (Windows line ends), VT, FF, U+2028 or U+2029 in one caption would
#: otherwise move every later caption's tokens to another text
_JAVA_LINE_ENDS = str.maketrans(dict.fromkeys("\n\r\x0b\x0c\u2028\u2029", " "))


def stanford_ptb_tokenize(texts: Sequence[str]) -> list[str]:
    """pycocoevalcap ``PTBTokenizer().tokenize`` of each text (one caption per line): its jar, class, options
    (``-preserveLines -lowerCase``, the captions in a file), line handling (every line end inside a caption a
    space: :data:`_JAVA_LINE_ENDS`, pycocoevalcap's "\\n" and the others Java ends a line at) and punctuation
    removal, in one JVM started with :data:`_JVM_OPTIONS`. Raises ``RuntimeError`` when Java fails or returns
    another number of lines."""
    if not texts:
        return []
    import subprocess
    import tempfile
    from pathlib import Path

    from pycocoevalcap.tokenizer import ptbtokenizer

    jar = Path(ptbtokenizer.__file__).parent / ptbtokenizer.STANFORD_CORENLP_3_4_1_JAR
    punctuation = frozenset(ptbtokenizer.PUNCTUATIONS)
    with tempfile.TemporaryDirectory(prefix="lmms_general_ptb_") as folder:
        captions = Path(folder) / "captions.txt"
        captions.write_bytes("\n".join(t.translate(_JAVA_LINE_ENDS) for t in texts).encode())
        done = subprocess.run(["java", *_JVM_OPTIONS, "-cp", str(jar), "edu.stanford.nlp.process.PTBTokenizer",
                               "-preserveLines", "-lowerCase", str(captions)], capture_output=True, check=False)
    lines = done.stdout.decode().split("\n")  # one line per caption, none after the last
    if done.returncode != 0 or len(lines) != len(texts):
        raise RuntimeError(f"Stanford PTBTokenizer (java) failed on {len(texts)} captions (exit {done.returncode}, "
                           f"{len(lines)} lines): {done.stderr.decode(errors='replace')[-500:]}")
    return [" ".join(w for w in line.rstrip().split(" ") if w not in punctuation) for line in lines[: len(texts)]]


def coco_tokenize(text: Any) -> str:
    """One text through :func:`ptb_tokenize` (COCO caption tokenisation)."""
    return ptb_tokenize([str(text)])[0]


def _coco_inputs(
    predictions: Sequence[Any], references: Sequence[Any]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    for prediction, reference in zip(predictions, references, strict=True):
        refs = answer_list(reference)
        start = len(texts)
        texts.append(str(prediction) if prediction is not None else "")
        texts.extend(refs)
        spans.append((start, len(texts)))
    tokens = ptb_tokenize(texts)
    gts = {i: tokens[a + 1 : b] or [""] for i, (a, b) in enumerate(spans)}
    res = {i: [tokens[a]] for i, (a, _) in enumerate(spans)}
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


def codebleu(predictions: Sequence[Any], references: Sequence[Any], lang: str = "python") -> float:
    """CodeBLEU of the task in one ``calc_codebleu`` call over all samples (the official scorer's call:
    n-gram and syntax/data-flow match statistics pooled over the corpus), 0-100. Unparsed answers enter as
    empty code; a corpus the parser cannot handle at all scores 0."""
    require_samples("codebleu", predictions)
    calc = _calc_codebleu()
    refs = [answer_list(r) or [""] for r in references]
    width = max(len(r) for r in refs)
    refs = [r + [r[-1]] * (width - len(r)) for r in refs]  # calc_codebleu needs as many references per sample
    preds = [str(p) if p is not None else "" for p in predictions]
    if not any(p.strip() for p in preds):
        return 0.0
    try:
        result = calc(refs, preds, lang=lang, weights=(0.25, 0.25, 0.25, 0.25))
    except (ValueError, RecursionError, ZeroDivisionError):
        return 0.0
    return 100.0 * float(result["codebleu"])


# ------------------------------------------------------------------ per-sample statistics (the bootstrap)


def bleu_4_statistics(predictions: list[Any], references: list[Any], **options: Any) -> Replicator:
    """Per sample: test and closest reference length, guessed and correct n-gram counts (pycocoevalcap's
    ``cook_test``); BLEU@4 of the sums. Not per-sample states logged at scoring time: the texts are PTB-tokenised
    together (pycocoevalcap's tokenizer starts one Java process per call)."""
    from pycocoevalcap.bleu.bleu_scorer import cook_refs, cook_test

    gts, res = _coco_inputs(predictions, references)
    rows = []
    for i in range(len(predictions)):
        comps = cook_test(res[i][0], cook_refs(gts[i]))
        testlen = comps["testlen"]
        reflen = min((abs(length - testlen), length) for length in comps["reflen"])[1]
        rows.append([float(v) for v in (testlen, reflen, *comps["guess"], *comps["correct"])])
    return bleu_4_replicator(rows)


def bleu_4_replicator(states: Sequence[Sequence[float]], **options: Any) -> Replicator:
    """BLEU@4 of the summed per-sample statistics (:func:`bleu_4_statistics`), as pycocoevalcap's corpus score."""
    n = 4

    def finish(s: np.ndarray) -> np.ndarray:
        small, tiny = 1e-9, 1e-15
        testlen, reflen = s[:, 0], s[:, 1]
        bleu = np.prod([(s[:, 2 + n + k] + tiny) / (s[:, 2 + k] + small) for k in range(n)], axis=0)
        value = bleu ** (1.0 / n)
        ratio = (testlen + tiny) / (reflen + small)
        with np.errstate(divide="ignore", over="ignore"):
            penalty = np.where(ratio < 1, np.exp(1 - 1 / ratio), 1.0)
        return 100.0 * value * penalty

    return SumReplicator(np.asarray(states, dtype=np.float64).reshape(len(states), 2 + 2 * n), finish)


def _corpus_bleu_1_row(prediction: Any, reference: Any) -> list[float]:
    """Corpus BLEU-1 as :func:`lmms_general.metrics.text.corpus_bleu_1` (nltk ``corpus_bleu``, weights
    (1, 0, 0, 0)), one sample's part: the clipped unigram matches, ``max(1, hypothesis length)`` (the precision's
    denominator), the hypothesis length and the closest reference length (the brevity penalty's)."""
    from collections import Counter

    refs = [word_tokens(r) for r in answer_list(reference)] or [[]]
    hyp = word_tokens(str(prediction)) if prediction is not None else []
    max_ref: Counter[str] = Counter()
    for ref in refs:
        for token, count in Counter(ref).items():
            max_ref[token] = max(max_ref[token], count)
    matches = sum(min(count, max_ref[token]) for token, count in Counter(hyp).items())
    closest = min((len(r) for r in refs), key=lambda length: (abs(length - len(hyp)), length))
    return [float(matches), float(max(1, len(hyp))), float(len(hyp)), float(closest)]


def _corpus_bleu_1_finish(s: np.ndarray) -> np.ndarray:
    matches, denominator, hyp_len, ref_len = s.T
    safe = np.where(hyp_len > 0, hyp_len, 1.0)
    penalty = np.where(hyp_len > ref_len, 1.0, np.where(hyp_len == 0, 0.0, np.exp(1.0 - ref_len / safe)))
    return np.where(matches > 0, 100.0 * penalty * matches / denominator, 0.0)


def bleu_1_state(prediction: Any, reference: Any, corpus: bool = False, **options: Any) -> Any:
    """One sample's BLEU-1 statistics: on rows with the ``corpus`` option its corpus BLEU-1 counts, else its
    sentence BLEU-1 value."""
    if corpus:
        return _corpus_bleu_1_row(prediction, reference)
    return bleu_1([prediction], [reference])


def bleu_1_replicator(states: Sequence[Any], corpus: bool = False, **options: Any) -> Replicator:
    """Corpus BLEU-1 of the summed counts on rows with the ``corpus`` option, else the mean of sentence values."""
    if corpus:
        return SumReplicator(np.asarray(states, dtype=np.float64).reshape(len(states), 4), _corpus_bleu_1_finish)
    return MeanReplicator(np.asarray(states, dtype=np.float64))


#: BLEU-1's statistics (:func:`bleu_1_state`); on sentence rows each item logs its ``value`` instead of a state
BLEU_1_STATES = SampleStates(of=bleu_1_state, replicator=bleu_1_replicator)


@dataclass(frozen=True)
class CiderReplicator:
    """CIDEr-D as pycocoevalcap ``Cider`` computes it, with document frequencies from each replicate.

    With ``w_g = log(N) - log(max(1, df_g))`` (N = images, df_g = drawn images whose references hold
    n-gram g) every term of the cosine similarities is ``w_g**2`` times a count that does not depend on
    the replicate. So: ``df = drawn @ D``, ``u = w**2``, then the numerators and squared norms of every
    (image, reference, n) are sparse matrices times ``u``.
    """

    doc: Any  # (n, G) 0/1: image i's references hold n-gram g
    num: Any  # (P, G) per (image, reference, order) pair: min(tf_h, tf_r) * tf_r
    hyp_sq: Any  # (n * 4, G): tf_h**2 per (image, order)
    ref_sq: Any  # (P, G): tf_r**2
    pair_image: np.ndarray  # (P,) image of each pair
    pair_hyp_row: np.ndarray  # (P,) row of hyp_sq for the pair's image and order
    pair_weight: np.ndarray  # (P,) Gaussian length penalty * 10 / (4 * references of the image)

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        n = self.doc.shape[0]
        out = np.empty(idx.shape[0])
        for start in range(0, idx.shape[0], 100):
            drawn = count_matrix(idx[start : start + 100], n)
            df = np.asarray((drawn @ self.doc).todense())
            u = (np.log(float(n)) - np.log(np.maximum(1.0, df))) ** 2  # (rows, G)
            num = np.asarray(self.num @ u.T)  # (P, rows)
            norm_h = np.sqrt(np.asarray(self.hyp_sq @ u.T))[self.pair_hyp_row]
            norm_r = np.sqrt(np.asarray(self.ref_sq @ u.T))
            both = (norm_h != 0) & (norm_r != 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.where(both, num / np.where(both, norm_h * norm_r, 1.0), num)
            per_image = np.zeros((n, val.shape[1]))
            np.add.at(per_image, self.pair_image, val * self.pair_weight[:, None])
            out[start : start + drawn.shape[0]] = 100.0 * np.asarray(drawn @ per_image).diagonal() / idx.shape[1]
        return out


def cider_statistics(predictions: list[Any], references: list[Any], **options: Any) -> Replicator:
    """Per-image n-gram tables of the hypothesis and references (:class:`CiderReplicator`)."""
    from pycocoevalcap.cider.cider_scorer import precook
    from scipy import sparse

    gts, res = _coco_inputs(predictions, references)
    n_img, orders, sigma = len(predictions), 4, 6.0
    vocab: dict[tuple[str, ...], int] = {}
    doc, num, ref_sq, hyp_sq = ([], [], []), ([], [], []), ([], [], []), ([], [], [])
    pair_image, pair_hyp_row, pair_weight = [], [], []

    def add(target: tuple[list, list, list], row: int, col: int, value: float) -> None:
        target[0].append(row), target[1].append(col), target[2].append(value)

    for i in range(n_img):
        hyp = precook(res[i][0], orders)
        refs = [precook(r, orders) for r in gts[i]]
        for g in {g for ref in refs for g in ref}:
            add(doc, i, vocab.setdefault(g, len(vocab)), 1.0)
        for g, tf in hyp.items():
            add(hyp_sq, i * orders + len(g) - 1, vocab.setdefault(g, len(vocab)), float(tf) ** 2)
        hyp_len = sum(tf for g, tf in hyp.items() if len(g) == 2)  # pycocoevalcap's "length": bigram count
        for ref in refs:
            ref_len = sum(tf for g, tf in ref.items() if len(g) == 2)
            penalty = np.e ** (-(float(hyp_len - ref_len) ** 2) / (2 * sigma**2))
            for order in range(orders):
                p = len(pair_image)
                pair_image.append(i)
                pair_hyp_row.append(i * orders + order)
                pair_weight.append(penalty * 10.0 / (orders * len(refs)))
                for g, tf in ref.items():
                    if len(g) - 1 != order:
                        continue
                    col = vocab.setdefault(g, len(vocab))
                    add(ref_sq, p, col, float(tf) ** 2)
                    if g in hyp:
                        add(num, p, col, float(min(hyp[g], tf) * tf))
    g_count, p_count = len(vocab), len(pair_image)

    def matrix(parts: tuple[list, list, list], rows: int) -> Any:
        return sparse.csr_matrix((parts[2], (parts[0], parts[1])), shape=(rows, g_count))

    return CiderReplicator(matrix(doc, n_img), matrix(num, p_count), matrix(hyp_sq, n_img * orders),
                           matrix(ref_sq, p_count), np.array(pair_image), np.array(pair_hyp_row),
                           np.array(pair_weight))


_SENTENCE = {"kind": "sample", "native_range": (0.0, 1.0), "scale": "x100", "prepare_reference": text_reference}
register(MetricSpec(id="bleu_1", compute=bleu_1,
                    implementation="nltk sentence_bleu (weights 1,0,0,0; method4) / corpus_bleu; sacrebleu zh tokens",
                    description="best-reference sentence BLEU-1 averaged over samples (corpus BLEU-1 with corpus=True)",
                    **_SENTENCE,
                    aliases=("BLEU-1", "BLUE_1"),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_text,
                    statistics=BLEU_1_STATES,
                    corpus_option=True))
register(MetricSpec(id="rouge_1", compute=rouge_1, implementation="rouge-score RougeScorer(rouge1, use_stemmer)",
                    description="best-reference ROUGE-1 F-measure, averaged over samples", **_SENTENCE,
                    aliases=("ROUGE-1",),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_text))
register(MetricSpec(id="rouge_l", compute=rouge_l, implementation="rouge-score RougeScorer(rougeL, use_stemmer)",
                    description="best-reference ROUGE-L F-measure, averaged over samples", **_SENTENCE,
                    aliases=("ROUGE-L", "Rouge-L f"),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_text))
register(MetricSpec(id="anls", compute=anls, implementation="rapidfuzz normalized Levenshtein (ANLS, tau=0.5)",
                    description="average normalised Levenshtein similarity, best reference, threshold 0.5",
                    **_SENTENCE,
                    aliases=("ANLS",),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_short_answer,
                    synthetic_samples=N_LABEL_SAMPLES))
register(MetricSpec(id="codebleu", compute=codebleu, implementation="codebleu calc_codebleu (python, one corpus call)",
                    description="CodeBLEU (n-gram, weighted n-gram, AST and data-flow match) of the whole task",
                    parse=parse_verbatim, **{**_SENTENCE, "kind": "corpus"},
                    aliases=("CodeBLEU",),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_code,
                    statistics=codebleu_statistics))
register(MetricSpec(id="bleu_4", compute=bleu_4, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="pycocoevalcap Bleu(4) (corpus, PTB tokenizer)", prepare_reference=text_reference,
                    description="corpus BLEU with up to 4-grams over the task",
                    aliases=("BLEU@4",),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_text,
                    statistics=bleu_4_statistics))
register(MetricSpec(id="cider", compute=cider, kind="corpus", native_range=(0.0, 10.0), scale="x100",
                    implementation="pycocoevalcap Cider (CIDEr-D, PTB tokenizer)", prepare_reference=text_reference,
                    description="consensus-based caption similarity with task-level document frequencies",
                    aliases=("CIDEr",),
                    task_kind="text",
                    level_map=AS_IS,
                    synthetic=gen_text,
                    statistics=cider_statistics))
