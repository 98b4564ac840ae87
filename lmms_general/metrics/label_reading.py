"""Reading which label(s) of a known label set an answer names, the way a careful grader reads it.

A :class:`LabelReader` is built once per label set (cached) and reads free-text answers:

* **whole labels only**, folded for case, diacritics ("Citroën" = "Citroen"), hyphens / underscores / spaces
  ("Chang Dai-chien" = "chang dai chien", ``IS_INCLUDED`` = "is included"), articles and markdown; word boundaries
  keep ``BEFORE`` out of ``IBEFORE`` and ``INCLUDES`` out of ``IS_INCLUDED``; a plural names its label ("two chairs");
* **the longest label wins** where two labels match over the same words ("quarter past" over "quarter",
  "not sarcastic" over "sarcastic");
* **negated mentions do not count** ("it is not neutral", "option A does not follow", "rather than X");
* **the first committed answer wins over later mentions**: a label that opens the answer ("**neutral**: ...",
  "IBEFORE (the invasion ...)") or follows an answer phrase ("The relation is INCLUDES.", "Answer: B") beats labels
  named later in the explanation; two different committed labels, or labels offered as alternatives
  ("positive or negative"), are unparsed, never a pick, and so is a label offered beside an alternative outside the
  label set ("GMC or Chevrolet", "table/desk", "American, maybe Canadian", "X, but it might be Y");
* **yes/no** answers map to the task's yes/no labels or codes ("Yes, ..." -> ``"1"`` where 1 = Yes);
* **code tables** (``{code: meaning}``): the code or its meaning selects the code; composite codes
  (``"a o l"`` = action, object, location) are read field by field;
* short labels (one or two characters, digits) count only where an answer is committed, never inside prose.

Multi-label answers (:meth:`LabelReader.read_set`) give every label named and not negated.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lmms_general.metrics.parsing import boxed_content, clean_response, is_refusal, is_yes_no, parse_yes_no

_SPACED_DASH = re.compile(r"(?<=\S)\s+(?:[\u2013\u2014\u2015]+|-{1,2})\s+(?=\S)")
_SEPARATORS = re.compile(r"[_\-\u2010-\u2015\u2212]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(r"[^\W_]+")
_ARTICLES = frozenset({"a", "an", "the"})
#: what may stand between the words of a label in an answer: spaces, punctuation within a sentence ("T-shirt/top",
#: "U.S."), articles, or nothing ("Daichien" = "Dai-chien")
_JOIN = r"(?:[^\w\n;:!?.]|\.(?!\s)|_|(?<![^\W_])(?:a|an|the)(?![^\W_]))*"


def fold(text: object) -> str:
    """Lower case, diacritics dropped, full-width forms made ASCII, ``_`` and hyphens as spaces (a dash between
    spaces as a clause break ``;``), one space between
    words: ``fold("Citroën IS_INCLUDED Dai-chien") == "citroen is included dai chien"``."""
    text = str(text)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _SPACED_DASH.sub(" ; ", text.casefold().translate(_APOSTROPHES))  # "not X — it's Y": a clause break
    return " ".join(_SEPARATORS.sub(" ", text).split())


def _is_weak(folded: str) -> bool:
    """Labels too short to be found inside prose: one or two characters, a number, or only one- and
    two-character words (codes such as ``"a o l"``)."""
    compact = folded.replace(" ", "")
    tokens = _TOKEN.findall(folded)
    return len(compact) <= 2 or compact.replace(".", "").isdigit() or all(len(t) <= 2 for t in tokens)


def _label_pattern(folded: str) -> re.Pattern[str]:
    tokens = _TOKEN.findall(folded)
    if len(tokens) > 1 and any(len(t) > 2 and t not in _ARTICLES for t in tokens):
        # articles inside a label may be left out ("Lord of Rings"); a last "a" is a name ("Solution A"), kept
        tokens = [t for t in tokens[:-1] if t not in _ARTICLES] + tokens[-1:]
    body = _JOIN.join(re.escape(t) for t in tokens) if tokens else re.escape(folded)
    if tokens and len(tokens[-1]) >= 3 and tokens[-1].isascii() and tokens[-1].isalpha():
        body += r"(?P<plural>e?s)?"  # "two chairs", "buses": the plural names the label too
    left = "" if _CJK.match(folded[:1]) or not folded[:1].isalnum() else r"(?<![^\W_])"
    right = "" if _CJK.match(folded[-1:]) or not folded[-1:].isalnum() else r"(?![^\W_])"
    return re.compile(left + body + right)


# --------------------------------------------------------------------------- context of a mention

_CLAUSE_END = re.compile(r"[.;:!?,\n(\[]|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b")
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|hardly|unlikely|except|excluding|exclude|cannot|can't|isn't|aren't|"
    r"wasn't|weren't|doesn't|don't|didn't|won't|wouldn't|shouldn't|rather than|instead of|other than|ruled out|"
    r"rule out|n't|whether)(?![^\W_])"
)
_NOT_NEGATION = re.compile(r"\b(?:no doubt|not only|not just|not sure|nothing but|no matter)\b")
_AFTER_NEGATION = re.compile(
    r"[\s)\]\"'*]*(?:(?:label|option|answer|relation|category|class|choice|one|here)\s+)?"
    r"(?:(?:is|are|was|were|does|do|did|would|should|could|can|will|seems?|appears?)\s+(?:not\b|n't\b)"
    r"|(?:isn't|aren't|wasn't|weren't|doesn't|don't|didn't|can't|cannot|won't)\b"
    r"|(?:is|are|was|seems?|would\s+be)\s+(?:incorrect|wrong|false|ruled\s+out|excluded|unlikely|not\s+correct)\b)"
)
_ALTERNATIVE = re.compile(
    r"[\s)\]\"'*]*(?:,|/|&|\bor\b|\band\b|\bvs\.?|\bversus\b|\band/or\b)[\s(\[\"'*]*"
    r"(?:(?:maybe|possibly|perhaps|probably|either|also|a|an|the)\s+)*"
)
_FILLERS = (
    r"(?:\s|[*\"'(\[:=\-]|\b(?:a|an|the|most|likely|probably|clearly|definitely|certainly|be|to|of|like|just|simply|"
    r"actually|indeed|then|here|therefore|thus|so|correct|right|best|final|my|our|answer|option|choice|label|"
    r"category|type|class|relation|relationship)\b)*"
)
_STRONG_ANCHOR = re.compile(
    r"(?:\b(?:final\s+)?answer\s*(?:is|would\s+be|should\s+be|will\s+be|=|:)|\bfinal\s+answer\b|\banswer\s*$)"
    + _FILLERS + "$"
)
_ANCHOR = re.compile(
    r"(?:\b(?:label|category|class|classification|relation|relationship|sentiment|emotion|intent|prediction|result|"
    r"output|verdict|accent|genre|type|choice|option|stance|tone|polarity|diagnosis|species|breed|brand|artist|"
    r"painter|style|instrument|scene|sound|event|quality|qualities|speaker|language|emotion)\b[^.;!?\n]{0,60}?"
    r"(?:\bis|\bare|\bwould\s+be|\bshould\s+be|\bseems\s+to\s+be|=|:)"
    r"|\b(?:classified|categori[sz]ed|labell?ed|identified|recogni[sz]ed)\s+as"
    r"|\bi(?:\s+would|\s+will|'d|'ll)?\s+(?:choose|pick|select|say|go\s+with|go\s+for|classify\s+(?:it|this)\s+as)"
    r"|\b(?:it|this|that|which|he|she|they)\s*(?:is|'s|was|are|seems|appears|sounds|looks)"
    r"|\b(?:it's|that's|this's|so|therefore|thus|hence)"
    r"|\b(?:is|are|was|were|seems|appears|sounds|looks)(?:\s+to\s+be|\s+like)?"
    r"|^\s*(?:answer|label|category|prediction)\s*$"
    r"|^\s*[^\W\d_]+(?:\s+[^\W\d_]+){0,3}\s*:)"
    + _FILLERS + "$"
)
#: a second answer offered: "it could (also) be Y", "or possibly Y", "maybe Y" (checked only when another label
#: follows the committed one)
_HEDGE = re.compile(r"\b(?:could|might|may)\s+(?:also\s+|as\s+well\s+)?be\b|\balternatively\b|\b(?:possibly|maybe|"
                    r"perhaps)\b|\beither\b")
_LEAD = re.compile(r"^[\s*#>\"'(\[{:\-]*$")
#: an alternative offered right after / before a label, whether or not it is a label ("X or Y", "X/Y", "X, maybe Y",
#: "X, but it might be Y", "Y or X")
_OFFER_AFTER = re.compile(
    r"[\s)\]\"'*,]*(?:/|\bor\b(?!\s+(?:not|so|more|less|similar|thereabouts|something|other)\b)"
    r"|,?\s*\(?\s*(?:or\s+)?(?:maybe|possibly|perhaps)\b"
    r"|,?\s*(?:but|though|although|or)\s+(?:it|this|that|he|she|they)?(?:'s)?\s*(?:might|may|could)\s+"
    r"(?:also\s+|as\s+well\s+)?be\b"
    r"|,?\s*(?:but|though|although)\s+[^.;!?\n]{0,40}\b(?:is|are)\s+(?:also|equally)\s+(?:possible|plausible|likely)\b)"
    r"[\s(\[\"'*]*(?:a\s+|an\s+|the\s+)?[^\W_]"
)
_EITHER_OR = re.compile(r"[\s)\]\"'*,]*\bor\b(?:\s+(?:maybe|possibly|perhaps))?[\s(\[\"'*]*(?:a\s+|an\s+|the\s+)?")
#: a second answer offered later: "... It could also be Y", "alternatively Y", "Y is also possible"
_ALSO_POSSIBLE = re.compile(r"\b(?:could|might|may)\s+(?:also|as\s+well)\s+be\b|\balternatively\b(?!\s+phrased)"
                            r"|\b(?:is|are|seems)\s+(?:also|equally)\s+(?:possible|plausible|likely)\b(?!\s+to\b)")
#: a next sentence that offers another answer about the same thing ("It could also be a stool.")
_ALSO_NEXT = re.compile(r"[.!?]*\s+(?:but\s+|or\s+)?(?:it|this|that|the\s+answer)\s+(?:could|might|may)\s+"
                        r"(?:also|as\s+well)\s+be\b|[.!?]*\s+alternatively\b(?!\s+phrased)", re.IGNORECASE)
_SENTENCE_STOP = re.compile(r"[.!?\n]")


class _Sentences:
    """Sentence ends of one answer, found once: where the sentence holding a position ends, and the last "also
    possible" phrase of each sentence (so that checking every mention stays linear in the answer's length)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.stops = [m.start() for m in _SENTENCE_STOP.finditer(text)]
        self._last_also: dict[int, int] = {}

    def end(self, position: int) -> int:
        """The stop character ending the sentence that holds ``position`` (or the end of the text)."""
        i = bisect.bisect_left(self.stops, position)
        return self.stops[i] if i < len(self.stops) else len(self.text)

    def also_possible_after(self, position: int) -> bool:
        """Whether an "also possible" phrase starts after ``position`` in the same sentence."""
        end = self.end(position)
        if end not in self._last_also:
            i = bisect.bisect_left(self.stops, end)
            start = self.stops[i - 1] + 1 if i > 0 else 0
            found = [m.start() for m in _ALSO_POSSIBLE.finditer(self.text, start, end)]
            self._last_also[end] = found[-1] if found else -1
        return self._last_also[end] >= position


_OR_AFTER = re.compile(r"[\s)\]\"'*,]*\bor\b(?!\s+(?:not|so|more|less|similar)\b)[\s(\[\"'*]*[^\W_]")
_OR_BEFORE = re.compile(r"[^\W_][\s)\]\"'*]*\bor\b[\s(\[\"'*]*(?:maybe\s+|possibly\s+|perhaps\s+)?"
                        r"(?:a\s+|an\s+|the\s+)?$")
_OFFER_BEFORE = re.compile(r"[^\W_][\s)\]\"'*]*(?:/|\bor\b)[\s(\[\"'*]*(?:maybe\s+|possibly\s+|perhaps\s+)?"
                           r"(?:a\s+|an\s+|the\s+)?$")
#: what may follow a label that opens the answer for it to be the answer: nothing, punctuation, a reason
_LEAD_END = re.compile(r"[\s*\"']*(?:$|[.:;,!)\]\-(\n/]|\b(?:because|since|as|is|was|fits|best)\b"
                       r"|\b(?:has|have|contains|shows)\s+(?:a\s+|the\s+)?(?:more|higher|greater|larger)\b)")
_QUESTION_AFTER = re.compile(r"[\s)\]*\"']*\?")


@dataclass(frozen=True)
class Mention:
    """One whole-label match in the folded answer."""

    start: int
    end: int
    label: int
    negated: bool = False
    rank: int = 0  # how the answer commits to it: 0 a mention, 1 after an anchor, 2 opens the answer, 3 answer phrase

    @property
    def committed(self) -> bool:
        return self.rank > 0


#: how far back a mention's clause and sentence are read (keeps long answers linear)
_WINDOW = 240


def _clause_before(text: str, start: int) -> str:
    before = text[max(0, start - _WINDOW):start]
    ends = list(_CLAUSE_END.finditer(before))
    return before[ends[-1].end():] if ends else before


def _is_negated(text: str, start: int, end: int) -> bool:
    clause = _clause_before(text, start)
    window = " ".join(clause.split()[-4:])
    window = _NOT_NEGATION.sub(" ", window)
    return bool(_NEGATION.search(window)) or bool(_AFTER_NEGATION.match(text, end))


def _commitment(text: str, start: int, end: int) -> int:
    """How the answer commits to the mention at ``text[start:end]``: 3 after an answer phrase ("the answer is X"),
    2 opening the answer ("X.", "**X**: ...", "X (because ...)"), 1 after a weaker anchor ("the relation is X",
    "it is X"), 0 a mere mention (or a question: "is it X?")."""
    if _QUESTION_AFTER.match(text, end):
        return 0
    if _LEAD.match(text, 0, start):
        return 2 if _LEAD_END.match(text, end) else 0
    sentence = re.split(r"[.;!?\n]\s", text[max(0, start - _WINDOW):start])[-1]
    if _STRONG_ANCHOR.search(sentence):
        return 3
    return 1 if _ANCHOR.search(sentence) else 0


# --------------------------------------------------------------------------- the reader


class LabelReader:
    """Reads answers against one label set (with an optional code table and yes/no codes)."""

    def __init__(self, labels: Sequence[str], codes: Mapping[str, str] | None = None,
                 yes_no_codes: Mapping[str, str] | None = None,
                 aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self.labels = [str(label) for label in labels]
        self.codes = {str(k): str(v) for k, v in (codes or {}).items()}
        # (first word, pattern, label index, weak) for every spelling that selects a label: the label, its code's
        # meaning (the first word is a cheap substring test before the pattern runs)
        self._patterns: list[tuple[str, re.Pattern[str], int, bool]] = []
        self._exact: dict[str, int] = {}
        for index, label in enumerate(self.labels):
            spellings = [label]
            if label in self.codes:
                spellings.append(self.codes[label])
            for spelling in spellings:
                folded = fold(spelling)
                if not folded:
                    continue
                self._exact.setdefault(folded, index)
                self._exact.setdefault(" ".join(_TOKEN.findall(folded)), index)
                first = next(iter(_TOKEN.findall(folded)), folded)
                self._patterns.append((first, _label_pattern(folded), index, _is_weak(folded)))
        for label, spellings in (aliases or {}).items():  # other spellings of a label (an offered choice's parts)
            if label not in self.labels:
                continue
            index = self.labels.index(label)
            for spelling in spellings:
                folded = fold(spelling)
                if not folded:
                    continue
                self._exact.setdefault(folded, index)
                if len(folded.replace(" ", "")) > 2:  # a one-letter alias ("B" for "Solution B") only as the answer
                    first = next(iter(_TOKEN.findall(folded)), folded)
                    self._patterns.append((first, _label_pattern(folded), index, _is_weak(folded)))
        self.yes_no: dict[str, int] = {}
        for index, label in enumerate(self.labels):
            decision = is_yes_no(label) or is_yes_no(self.codes.get(label, ""))
            if decision:
                self.yes_no.setdefault(decision, index)
        for decision, code in (yes_no_codes or {}).items():
            key = is_yes_no(decision)
            if key and str(code) in self.labels:
                self.yes_no[key] = self.labels.index(str(code))
        self._fields = _composite_fields(self.labels, self.codes)
        # identifier-like labels (``IS_INCLUDED``, ``BEFORE``) written in their exact spelling outrank prose words
        self._spelled = [(re.compile(r"(?<![^\W_])" + re.escape(label) + r"(?![^\W_])"), index)
                         for index, label in enumerate(self.labels)
                         if len(label) > 2 and (label.isupper() or "_" in label)]
        # word stems of one-word labels ("entail" for entailment), read only when no whole label is named
        self._stems = [(re.compile(r"(?<![^\W_])" + re.escape(stem) + r"\w*"), index)
                       for index, label in enumerate(self.labels) if (stem := _stem(fold(label)))]

    # ------------------------------------------------------------------ public

    def read(self, raw: object) -> str | None:
        """The one label the answer commits to, or None (nothing named, two labels named, a refusal)."""
        index = self.read_index(raw)
        return None if index is None else self.labels[index]

    def read_index(self, raw: object) -> int | None:
        """Like :meth:`read`, as the label's position in the label set."""
        text = self._answer_text(raw)
        if not text:
            return None
        exact = self._exact_match(text)
        if exact is not None:
            return exact
        index = self._read_index(raw, text)
        if index is not None and self._hedged(text, index):
            return None
        return index

    def _hedged(self, text: str, index: int) -> bool:
        """Whether the answer offers an alternative to the label it names, in or outside the label set
        ("GMC or Chevrolet", "table/desk", "American, maybe Canadian", "X, but it might be Y")."""
        sentences = _Sentences(text)
        for mention in self.mentions(text, weak_anywhere=True):
            if mention.label != index or mention.negated:
                continue
            end = sentences.end(mention.end)
            if text[end:end + 1] == "?":
                continue  # "Is it a chair or a stool? It's a chair.": the question, not the answer
            if _OFFER_AFTER.match(text, mention.end) or _OFFER_BEFORE.search(_clause_before(text, mention.start)):
                return True
            if sentences.also_possible_after(mention.end):
                return True  # "X, but Y is also possible": an alternative in the same sentence
            if _ALSO_NEXT.match(text, end):
                return True  # "X. It could also be Y.": the next sentence offers another answer
        return False

    def _read_index(self, raw: object, text: str) -> int | None:
        if self.yes_no:
            decision = parse_yes_no(text)
            if decision in self.yes_no:
                return self.yes_no[decision]
        mentions = self.mentions(text)
        live = [m for m in mentions if not m.negated]
        refusal = is_refusal(text)
        committed = [m for m in live if m.rank == 3 or (m.committed and not refusal)]
        if committed:
            top = max(m.rank for m in committed)
            labels = {m.label for m in committed if m.rank == top}
            first = next(m for m in committed if m.label in labels)
            if len(labels) == 1 and not self._offered_with_alternative(text, first, live):
                return first.label
            return None
        if refusal:
            return None
        composite = self._read_composite(text, live)
        if composite is not None:
            return composite
        distinct = {m.label for m in live}
        if len(distinct) > 1:
            if _HEDGE.search(text) or any(_ALTERNATIVE.fullmatch(text, a.end, b.start)
                                          for a, b in zip(live, live[1:], strict=False) if a.label != b.label):
                return None  # labels offered as alternatives
            raw_text = clean_response(raw)
            distinct = {i for pattern, i in self._spelled if i in distinct and pattern.search(raw_text)} or distinct
        if not distinct and not mentions:
            distinct = {i for pattern, i in self._stems
                        if any(not _is_negated(text, m.start(), m.end()) for m in pattern.finditer(text))}
        return distinct.pop() if len(distinct) == 1 else None

    def read_exact(self, raw: object) -> str | None:
        """The label the whole answer is (folded, any spelling), or None."""
        text = self._answer_text(raw)
        index = self._exact_match(text) if text else None
        return None if index is None else self.labels[index]

    def read_set(self, raw: object) -> list[str] | None:
        """Every label the answer names and does not negate (multi-label tasks), in label-set order; None when
        it names none."""
        text = self._answer_text(raw)
        if not text:
            return None
        exact = self._exact_match(text)
        if exact is not None:
            return [self.labels[exact]]
        mentions = self.mentions(text, weak_anywhere=True)
        named = sorted({m.label for m in mentions if not m.negated})
        if not named or (is_refusal(text) and not any(m.committed for m in mentions)):
            return None
        if self._stems:  # adjectives of labels not named ("distorted" -> distortion)
            named = sorted(set(named) | {i for pattern, i in self._stems if i not in named and any(
                not _is_negated(text, m.start(), m.end()) for m in pattern.finditer(text))})
        live = [m for m in mentions if not m.negated]
        if any(_EITHER_OR.fullmatch(text, a.end, b.start) for a, b in zip(live, live[1:], strict=False)) or any(
                _OR_AFTER.match(text, m.end) or _OR_BEFORE.search(_clause_before(text, m.start)) for m in live):
            return None  # "dark or reverb": alternatives offered (in or outside the label set), not a set named
        return [self.labels[i] for i in named]

    def mentions(self, text: str, *, weak_anywhere: bool = False) -> list[Mention]:
        """Whole-label matches in a folded answer, overlaps resolved (the longest label wins), in text order."""
        found: list[tuple[int, int, int, bool, bool]] = []
        for first, pattern, index, weak in self._patterns:
            if first in text:
                found.extend((m.start(), m.end(), index, weak, bool(m.groupdict().get("plural")))
                             for m in pattern.finditer(text) if m.end() > m.start())
        found.sort(key=lambda f: (-(f[1] - f[0]), f[4], f[0]))  # longest first; the exact spelling before a plural
        taken = bytearray(len(text))
        kept: list[tuple[int, int, int, bool, bool]] = []
        for item in found:  # longest first: a shorter label inside a longer one's words is dropped
            if not any(taken[item[0]:item[1]]):
                taken[item[0]:item[1]] = b"\x01" * (item[1] - item[0])
                kept.append(item)
        out = []
        for start, end, index, weak, _ in sorted(kept):
            rank = _commitment(text, start, end)
            if weak and not rank and not (weak_anywhere and self._in_list(text, start, end)):
                continue
            out.append(Mention(start, end, index, _is_negated(text, start, end), rank))
        return out

    # ------------------------------------------------------------------ helpers

    def fold_answer(self, raw: object) -> str:
        """The folded answer text the reader matches labels in (``\\boxed{}`` content when there is one)."""
        return self._answer_text(raw)

    @staticmethod
    def _answer_text(raw: object) -> str:
        if raw is None:
            return ""
        text = clean_response(raw)
        boxed = boxed_content(text) if text else None
        return fold(boxed if boxed else text)

    def _exact_match(self, text: str) -> int | None:
        bare = text.strip(" .!*\"'`()[]{}:")
        for candidate in (bare, " ".join(_TOKEN.findall(bare))):
            if candidate in self._exact:
                return self._exact[candidate]
        return None

    @staticmethod
    def _in_list(text: str, start: int, end: int) -> bool:
        """A short label standing as a list item ("a, b" / "a; b"), for multi-label answers."""
        left = text[max(0, start - 20):start].rstrip()
        right = text[end:end + 20].lstrip()
        return (bool(_LEAD.match(text, 0, start)) or left[-1:] in {",", ";", "/", ":"}) and (
            not right or right[0] in ",;/.")

    @staticmethod
    def _offered_with_alternative(text: str, mention: Mention, live: list[Mention]) -> bool:
        """Whether a committed label is offered together with another one ("positive or negative", "X, but it
        could also be Y")."""
        others = [m for m in live if m.label != mention.label]
        for other in others:
            lo, hi = sorted([mention, other], key=lambda m: m.start)
            if _ALTERNATIVE.fullmatch(text, lo.end, hi.start):
                return True
        later = [m for m in others if m.start > mention.end]
        return bool(later) and bool(_HEDGE.search(text, mention.end))

    def _read_composite(self, text: str, live: list[Mention]) -> int | None:
        """A composite code (``"a o l"``) read field by field from the meanings the answer names."""
        if not self._fields:
            return None
        named = {self.labels[m.label] for m in live}
        picked: list[str] = []
        for codes in self._fields:
            hits = [c for c in codes if c in named or _names(text, self.codes.get(c, ""))]
            if len(hits) != 1:
                nothing = [c for c in codes if fold(self.codes.get(c, "")) in {"none", "no", "n/a", "nothing"}]
                if hits or len(nothing) != 1:
                    return None
                hits = nothing
            picked.append(hits[0])
        composite = " ".join(picked)
        return self.labels.index(composite) if composite in self.labels else None


_SUFFIXES = ("ation", "ment", "ion", "ity", "ness")


def _stem(folded: str) -> str | None:
    """The stem of a one-word label of seven letters or more with a noun suffix ("entailment" -> "entail",
    "contradiction" -> "contradict"), or None."""
    if " " in folded or len(folded) < 7 or not folded.isalpha():
        return None
    for suffix in _SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 5:
            return folded[: -len(suffix)]
    return None


def _names(text: str, meaning: str) -> bool:
    folded = fold(meaning)
    if not folded or _is_weak(folded) or folded in {"none", "no", "nothing"}:
        return False
    return any(not _is_negated(text, m.start(), m.end()) for m in _label_pattern(folded).finditer(text))


def _composite_fields(labels: Sequence[str], codes: Mapping[str, str]) -> list[list[str]]:
    """The code fields of composite-code labels (``"a o l"``: position 0 holds the action codes, ...), or [] when
    the labels are not composites of the code table's codes."""
    if not codes:
        return []
    split = [str(label).split() for label in labels]
    if not split or any(len(s) < 2 or any(c not in codes for c in s) for s in split):
        return []
    width = len(split[0])
    if any(len(s) != width for s in split):
        return []
    return [sorted({s[i] for s in split}) for i in range(width)]  # the codes some label uses at each position


@functools.lru_cache(maxsize=256)
def _reader(labels: tuple[str, ...], codes: tuple[tuple[str, str], ...],
            yes_no_codes: tuple[tuple[str, str], ...],
            aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> LabelReader:
    return LabelReader(labels, dict(codes), dict(yes_no_codes), dict(aliases))


def label_reader(labels: Sequence[str], codes: Mapping[str, str] | None = None,
                 yes_no_codes: Mapping[str, str] | None = None,
                 aliases: Mapping[str, Sequence[str]] | None = None) -> LabelReader:
    """The (cached) reader of a label set (``aliases``: further spellings of some labels)."""
    alias_pairs = tuple(sorted((str(k), tuple(str(v) for v in vs)) for k, vs in (aliases or {}).items()))
    return _reader(tuple(str(label) for label in labels), _pairs(codes), _pairs(yes_no_codes), alias_pairs)


_OFFERED = re.compile(r"(?i)\b(?:candidate\s+)?(?:choices|options|candidates|answers?)\s*(?:are|is|:)\s*:?\s*"
                      r"(\[[^\[\]]*\])")
_PART_SPLIT = re.compile(r"\s*(?:;|:|\s[\u2013\u2014-]\s)\s*")


@functools.lru_cache(maxsize=4096)
def offered_choices(text: str) -> tuple[str, ...]:
    """The candidate answers a question offers in its own text ("The candidate choices are ['Solution B',
    'Solution A', 'neither; their concentrations are the same']"), () when it offers none (or fewer than two)."""
    import ast

    match = _OFFERED.search(text or "")
    if not match:
        return ()
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return ()
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        return ()
    choices = tuple(dict.fromkeys(str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip()))
    return choices if len(choices) >= 2 else ()


def choice_aliases(choices: Sequence[str]) -> dict[str, list[str]]:
    """Other spellings a grader accepts for offered choices: each part of a choice written in parts
    ("neither; their concentrations are the same" -> "neither", "their concentrations are the same") and the one
    letter or digit that tells choices apart ("Solution B" -> "B"), each only when no other choice shares it."""
    parts = {c: [p for p in _PART_SPLIT.split(c) if p.strip()] for c in choices}
    tails = {c: _TOKEN.findall(fold(c))[-1:] for c in choices}
    out: dict[str, list[str]] = {}
    for choice in choices:
        spellings = [p for p in parts[choice] if len(parts[choice]) > 1
                     and not any(fold(p) == fold(q) for other in choices if other != choice for q in parts[other])]
        tail = tails[choice]
        if (tail and len(tail[0]) == 1 and len(_TOKEN.findall(fold(choice))) > 1
                and not any(tails[o] == tail for o in choices if o != choice)):
            spellings.append(tail[0])
        if spellings:
            out[choice] = spellings
    return out


def _pairs(mapping: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in (mapping or {}).items()))
