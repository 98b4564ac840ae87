"""Per-sample sufficient statistics of CodeBLEU, so bootstrap replicates sum them instead of re-parsing code.

``codebleu.calc_codebleu`` pools four corpus statistics: n-gram BLEU and keyword-weighted n-gram BLEU
(clipped n-gram counts, hypothesis and closest-reference lengths), AST subtree matches and data-flow matches.
Each is a sum over samples, so a replicate's CodeBLEU is the closing formula applied to the drawn samples'
summed statistics. The per-sample pieces are computed with the library's own functions (``modified_precision``,
``modified_recall``, ``closest_ref_length``, ``brevity_penalty``, ``SmoothingFunction``, ``get_data_flow``,
``normalize_dataflow``, ``remove_comments_and_docstrings``, the tree-sitter parser), mirroring its loops, quirks
included (a data-flow score of 0 counts as 1). The caller checks the value on the original items against the
metric's score (:func:`lmms_general.metrics.resampling.agrees`) and recomputes per replicate when they differ.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lmms_general.metrics._common import answer_list
from lmms_general.metrics.resampling import SumReplicator

ORDERS = 4
WEIGHTS = (0.25, 0.25, 0.25, 0.25)
#: columns: BLEU num x4, den x4, hyp len, ref len | weighted num x4, den x4, hyp len, ref len | syntax match,
#: total | data-flow match, total | non-blank prediction
_BLEU, _WEIGHTED, _SYNTAX, _FLOW, _BLANK = 0, 10, 20, 22, 24
WIDTH = 25


def _subtrees(root: Any) -> list[str]:
    """The s-expressions of the root and of every node with children (the library's ``get_all_sub_trees``)."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(str(node))
        stack.extend(child for child in node.children if len(child.children) != 0)
    return out


def _strip(code: str, lang: str) -> str:
    from codebleu.parser import remove_comments_and_docstrings

    try:
        return remove_comments_and_docstrings(code, lang)
    except Exception:  # noqa: BLE001 - the library keeps the code as it is
        return code


def _sample_stats(refs: list[str], hyp: str, lang: str, keywords: set[str], parsers: tuple[Any, Any]) -> np.ndarray:
    from codebleu import bleu, weighted_ngram_match
    from codebleu.dataflow_match import get_data_flow, normalize_dataflow

    row = np.zeros(WIDTH)
    refs, hyp = [r.strip() for r in refs], hyp.strip()
    hyp_tokens, ref_tokens = hyp.split(), [r.split() for r in refs]
    weighted_refs = [[tokens, {t: 1 if t in keywords else 0.2 for t in tokens}] for tokens in ref_tokens]
    for n in range(1, ORDERS + 1):
        row[_BLEU + n - 1], row[_BLEU + ORDERS + n - 1] = bleu.modified_precision(ref_tokens, hyp_tokens, n)
        num, den = weighted_ngram_match.modified_recall(weighted_refs, hyp_tokens, n)
        row[_WEIGHTED + n - 1], row[_WEIGHTED + ORDERS + n - 1] = num, den
    row[_BLEU + 8], row[_BLEU + 9] = len(hyp_tokens), bleu.closest_ref_length(ref_tokens, len(hyp_tokens))
    row[_WEIGHTED + 8] = len(hyp_tokens)
    row[_WEIGHTED + 9] = weighted_ngram_match.closest_ref_length(weighted_refs, len(hyp_tokens))
    parser, flow = parsers
    stripped, candidate = [], hyp
    for reference in refs:  # both loops below strip the same way (the candidate again per reference): once here
        candidate = _strip(candidate, lang)
        stripped.append((candidate, _strip(reference, lang)))
    for candidate, reference in stripped:  # corpus_syntax_match's loop
        cand = set(_subtrees(parser.parse(bytes(candidate, "utf8")).root_node))
        ref = _subtrees(parser.parse(bytes(reference, "utf8")).root_node)
        row[_SYNTAX] += sum(s in cand for s in ref)
        row[_SYNTAX + 1] += len(ref)
    for candidate, reference in stripped:  # corpus_dataflow_match's loop
        cand_flow = normalize_dataflow(get_data_flow(candidate, [parser, flow]))
        ref_flow = normalize_dataflow(get_data_flow(reference, [parser, flow]))
        if ref_flow:
            row[_FLOW + 1] += len(ref_flow)
            for item in ref_flow:
                if item in cand_flow:
                    row[_FLOW] += 1
                    cand_flow.remove(item)
    row[_BLANK] = float(bool(hyp))
    return row


def _close_bleu(s: np.ndarray, brevity_penalty: Any) -> float:
    """The library's ``corpus_bleu`` closing steps on summed statistics (method1 smoothing)."""
    from codebleu.bleu import SmoothingFunction

    numerators, denominators = s[:ORDERS], s[ORDERS : 2 * ORDERS]
    if numerators[0] == 0:
        return 0.0
    bp = brevity_penalty(s[9], s[8])
    p_n = SmoothingFunction().method1([(numerators[i], denominators[i]) for i in range(ORDERS)])
    return bp * math.exp(math.fsum(w * math.log(p[0] / p[1]) for w, p in zip(WEIGHTS, p_n, strict=True)))


def _close(s: np.ndarray) -> float:
    """CodeBLEU (0-100) of summed statistics, as ``metrics.text.codebleu`` gives it (0 on the errors it maps to 0)."""
    from codebleu import bleu, weighted_ngram_match

    if s[_BLANK] == 0 or s[_SYNTAX + 1] == 0:  # all blank, or no reference subtree (the library divides by 0)
        return 0.0
    try:
        ngram = _close_bleu(s[_BLEU : _BLEU + 10], bleu.brevity_penalty)
        weighted = _close_bleu(s[_WEIGHTED : _WEIGHTED + 10], weighted_ngram_match.brevity_penalty)
    except (ValueError, ZeroDivisionError):
        return 0.0
    syntax = s[_SYNTAX] / s[_SYNTAX + 1]
    flow = s[_FLOW] / s[_FLOW + 1] if s[_FLOW + 1] else 0
    alpha, beta, gamma, theta = WEIGHTS
    return 100.0 * float(alpha * ngram + beta * weighted + gamma * syntax + theta * (flow or 1))


def codebleu_statistics(predictions: list[Any], references: list[Any], lang: str = "python", **options: Any
                        ) -> SumReplicator:
    """Sufficient statistics of ``metrics.text.codebleu`` (references padded to one width, as it does)."""
    from codebleu.codebleu import PACKAGE_DIR
    from codebleu.dataflow_match import dfg_function
    from codebleu.utils import get_tree_sitter_language
    from tree_sitter import Parser

    refs = [answer_list(r) or [""] for r in references]
    width = max(len(r) for r in refs)
    refs = [r + [r[-1]] * (width - len(r)) for r in refs]
    preds = [str(p) if p is not None else "" for p in predictions]
    keywords = {k.strip() for k in (PACKAGE_DIR / "keywords" / f"{lang}.txt").read_text(encoding="utf-8").splitlines()}
    parser = Parser()
    parser.language = get_tree_sitter_language(lang)
    stats = np.stack([_sample_stats(r, p, lang, keywords, (parser, dfg_function[lang]))
                      for r, p in zip(refs, preds, strict=True)])

    def finish(summed: np.ndarray) -> np.ndarray:
        return np.array([_close(row) for row in summed])

    return SumReplicator(stats, finish)
