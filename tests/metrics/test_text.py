"""Text metrics against hand-computed values and a second library (the declared reference of each metric is
compared in the shared contract, tests/metrics/metric_cases.py)."""

from __future__ import annotations

import math

import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.text import bleu1_sample, coco_tokenize, rouge_sample
from tests.metrics._inputs import CAPTIONS_PRED, CAPTIONS_REF


def _score(metric_id: str, preds: list[str | None], refs: list[object]) -> float:
    spec = get_metric(metric_id)
    parsed = [None if p is None else spec.parse(p, {}) for p in preds]
    return spec.score(parsed, [spec.prepare_reference(r, {}) for r in refs])


def test_bleu1_hand() -> None:
    # unigram precision 1, brevity penalty exp(1 - 6/3)
    assert bleu1_sample("the cat sat", ["the cat sat on the mat"]) == pytest.approx(math.exp(-1))
    assert bleu1_sample("the cat sat on the mat", ["the cat sat on the mat"]) == pytest.approx(1.0)
    # max over references
    assert bleu1_sample("the cat sat", ["a dog", "the cat sat"]) == pytest.approx(1.0)
    assert _score("bleu_1", ["the cat sat", None, ""], ["the cat sat on the mat", "x", "y"]) == \
        pytest.approx(100 * math.exp(-1) / 3)


def test_rouge_hand() -> None:
    # ROUGE-1: overlap 3, P 3/3, R 3/6 -> 2/3
    assert rouge_sample("the cat sat", ["the cat sat on the mat"], "rouge1") == pytest.approx(2 / 3)
    # ROUGE-L: LCS 2 of 3 both ways
    assert rouge_sample("cat the sat", ["the cat sat"], "rougeL") == pytest.approx(2 / 3)
    # stemming: "sleeping" ~ "sleeps"
    assert rouge_sample("cats sleeping", ["cat sleeps"], "rouge1") == pytest.approx(1.0)
    assert _score("rouge_1", [None, "the cat sat"], ["a", ["zzz", "the cat sat on the mat"]]) == pytest.approx(100 / 3)
    assert _score("rouge_l", ["a b", "x"], ["a b", "y"]) == pytest.approx(50.0)


def test_bleu4_corpus_matches_nltk_corpus_bleu() -> None:
    from nltk.translate.bleu_score import corpus_bleu

    preds = ["a man is riding a horse on the beach", "two dogs are playing in the snow", "a cat is sleeping on a sofa"]
    refs = [["a man is riding a horse along the beach", "a person riding a horse"],
            ["two dogs are playing in snow"], ["a cat is sleeping on the sofa"]]
    ours = _score("bleu_4", preds, refs)
    expected = 100 * corpus_bleu([[coco_tokenize(r).split() for r in rs] for rs in refs],
                                 [coco_tokenize(p).split() for p in preds])
    assert ours == pytest.approx(expected, abs=1e-4)
    per_sample = [_score("bleu_4", [p], [r]) for p, r in zip(preds, refs, strict=True)]
    assert sum(per_sample) / 3 != pytest.approx(ours, abs=1e-3)


def test_cider_corpus() -> None:
    """pycocoevalcap's value is compared in tests/metrics/metric_cases.py; here: corpus document frequencies."""
    value = _score("cider", CAPTIONS_PRED, CAPTIONS_REF)
    assert value > 0
    # an empty / unparsed prediction keeps its sample in the corpus (lowers the score)
    assert _score("cider", [*CAPTIONS_PRED[:2], None, CAPTIONS_PRED[3]], CAPTIONS_REF) == pytest.approx(value)
    # document frequencies are corpus statistics: scoring samples alone gives another value
    alone = [_score("cider", [p], [r]) for p, r in zip(CAPTIONS_PRED, CAPTIONS_REF, strict=True)]
    assert sum(alone) / len(alone) != pytest.approx(value)


def test_codebleu() -> None:
    pytest.importorskip("codebleu", reason="codebleu is a declared dependency; environment lacks it")
    code = "def add(a, b):\n    return a + b\n"
    assert _score("codebleu", [code], [code]) == pytest.approx(100.0)
    other = _score("codebleu", ["def add(x, y):\n    return x - y\n", None], [code, code])
    assert 0 < other < 50


# --------------------------------------------------------------------------- fixed definitions (issue 9)

PTB_CASES = [
    "A man's riding a horse (brown) on the beach.",
    "Two dogs, playing in the snow -- don't they look happy?!",
    "The \"quick\" brown fox; it jumps... over 3.5 fences: wow",
    "a t-shirt and a U.S. flag",
]


def test_ptb_tokenizer_python_replica_equals_java_ptb() -> None:
    from lmms_general.metrics.text import java_available, ptb_tokenize_python

    if not java_available():
        pytest.skip("java not on PATH: pycocoevalcap's PTBTokenizer cannot run")
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    java = PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(PTB_CASES)})
    assert [ptb_tokenize_python(t) for t in PTB_CASES] == [java[i][0] for i in range(len(PTB_CASES))]


def test_stanford_ptb_call_equals_pycocoevalcap_ptbtokenizer() -> None:
    """Our JVM call (C1 compiler, serial GC) gives pycocoevalcap's PTBTokenizer output, caption for caption."""
    from lmms_general.metrics.text import java_available, stanford_ptb_tokenize

    if not java_available():
        pytest.skip("java not on PATH: pycocoevalcap's PTBTokenizer cannot run")
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    texts = [*PTB_CASES, "Hello,   world!!  (test) [x] {y} 'quoted' e.g. U.S.A. $5.00 50% a&b", "tab\there",
             "line\nbreak", "ünïcödé café naïve — dash – en…", "  padded  ", "can't won't gonna", ":-) ;-( <3",
             "1/2 3-4 5:30pm 10,000.5", "...", "a man rides a horse"]
    java = PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(texts)})
    assert stanford_ptb_tokenize(texts) == [java[i][0] for i in range(len(texts))]


def test_stanford_ptb_line_breaks_inside_a_text_do_not_shift_later_texts() -> None:
    """Java's PTBLexer (``-preserveLines``) also ends a line at CR, VT, FF, U+2028 and U+2029: such a character in one
    caption (a prediction with Windows line ends) must not move every later caption's tokens to another text."""
    from lmms_general.metrics.text import java_available, stanford_ptb_tokenize

    if not java_available():
        pytest.skip("java not on PATH")
    breaks = ["\r\n", "\r", "\x0b", "\x0c", "\u2028", "\u2029"]
    texts = [f"A cat{b}sits here." for b in breaks] + ["Next caption!"]
    assert stanford_ptb_tokenize(texts) == ["a cat sits here"] * len(breaks) + ["next caption"]


def test_stanford_ptb_more_lines_than_captions_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Java writes one line per caption line: a line end it splits at that is not made a space is a clear error,
    never every later caption's tokens moved to the previous text."""
    from lmms_general.metrics import text as text_metrics

    if not text_metrics.java_available():
        pytest.skip("java not on PATH")
    monkeypatch.setattr(text_metrics, "_JAVA_LINE_ENDS", str.maketrans({"\n": " "}))
    with pytest.raises(RuntimeError, match="3 lines"):
        text_metrics.stanford_ptb_tokenize(["a cat\rsits", "next caption"])
    assert text_metrics.stanford_ptb_tokenize([]) == []


def test_ptb_tokenize_lower_cases_and_keeps_bracket_tokens() -> None:
    """The COCO caption pipeline (PTBTokenizer then Bleu / Cider) is compared in tests/metrics/metric_cases.py."""
    from lmms_general.metrics.text import ptb_tokenize

    assert ptb_tokenize(["A man, riding a horse (on the beach)."]) == ["a man riding a horse -lrb- on the beach -rrb-"]


def test_video_bleu1_rows_are_scored_over_the_corpus() -> None:
    """Corpus BLEU-1 vs nltk corpus_bleu: tests/metrics/metric_cases.py (bleu_1 variant "corpus")."""
    preds = ["a man is riding a horse", "dogs", None]
    refs = [["a man rides a horse on the beach"], ["two dogs play in the snow"], ["a red car"]]
    corpus = get_metric("bleu_1").score(preds, refs, corpus=True)
    assert corpus != pytest.approx(get_metric("bleu_1").score(preds, refs), abs=1e-3)
    from lmms_general.registry import load_registry

    video_rows = [s for s in load_registry().values() if s.metric_id == "bleu_1" and s.modality == "video"]
    assert len(video_rows) == 42 and all(s.compute_options == {"corpus": True} for s in video_rows)


def test_chinese_bleu1_tokenised_by_character_as_sacrebleu_zh() -> None:
    from sacrebleu.metrics import BLEU

    pred, ref = "一个男人在街上走路", "一个男人在路上走"
    ours = _score("bleu_1", [pred], [ref])
    assert ours > 50  # word-level tokenisation would give one token each and BLEU-1 0
    # sacrebleu's zh-tokenised corpus BLEU restricted to unigrams is the same statistic
    sacre = BLEU(tokenize="zh", max_ngram_order=1, effective_order=True).corpus_score([pred], [[ref]]).score
    assert get_metric("bleu_1").score([pred], [[ref]], corpus=True) == pytest.approx(sacre, abs=1e-6)


def test_rouge_on_chinese_is_character_level() -> None:
    # rouge-score's default tokenizer drops non-ASCII text: identical Chinese used to score 0
    assert _score("rouge_1", ["一个男人在街上走路"], ["一个男人在街上走路"]) == pytest.approx(100.0)
    # 6 characters shared (一 个 人 在 上 路) of 9 and 8 -> F = 2 * 6 / 17
    assert _score("rouge_1", ["一个男人在街上走路"], ["一个女人在路上跑"]) == pytest.approx(100 * 2 * 6 / 17)


def test_word_tokens_memo_hands_out_fresh_lists():
    """Tokenisation is memoised for short texts; a caller changing its list must not change later results."""
    from lmms_general.metrics.text import word_tokens

    first = word_tokens("A man rides a horse, at dawn.")
    first.append("extra")
    assert word_tokens("A man rides a horse, at dawn.") == ["A", "man", "rides", "a", "horse", ",", "at", "dawn", "."]
    long_text = "word " * 400  # above the memo's length bound: tokenised every time, same result
    assert word_tokens(long_text) == ["word"] * 400


TREEBANK_CASES = [
    *PTB_CASES,
    "\"Hello,\" she said -- 'don't you're we'll I'm' (really) [yes] {no} <b>...",
    "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.",
    "«Quoted» “curly” ‘single’ „low” and ``ticks'' gonna wanna cannot 'tis 'twas d'ye",
    "Price: 5%? 10&20 @home #tag; a--b; c - d; e...f!? ?! Mr. Smith's O'Neil's rock 'n' roll",
    "Ünïcödé wörds, naïve café; 3.14e-5 x=1+2 a/b \\ back\tslash",
    "",
    "   ",
]


def test_treebank_tokens_equal_nltk_word_tokenizer() -> None:
    """The untimed tokenizer (nltk's patterns without the ReDoS timeout wrapper) gives NLTKWordTokenizer's tokens."""
    from nltk.tokenize import NLTKWordTokenizer

    from lmms_general.metrics.text import _treebank_tokenizer

    library, ours = NLTKWordTokenizer(), _treebank_tokenizer()
    for text in TREEBANK_CASES + CAPTIONS_PRED + [r for refs in CAPTIONS_REF for r in refs]:
        assert ours.tokenize(text) == library.tokenize(text), text


def test_rouge_equals_rouge_score_with_stemmer() -> None:
    """ROUGE-1 / ROUGE-L through the memoised stemmer equal rouge-score's own scorer (use_stemmer=True)."""
    from rouge_score import rouge_scorer

    library = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)
    cases = [*TREEBANK_CASES, "running runners ran quickly, generously generalizing", *CAPTIONS_PRED]
    for prediction in cases:
        for reference in cases + [r for refs in CAPTIONS_REF for r in refs]:
            expected = library.score(reference, prediction)
            for rouge_type in ("rouge1", "rougeL"):
                assert rouge_sample(prediction, [reference], rouge_type) == expected[rouge_type].fmeasure
