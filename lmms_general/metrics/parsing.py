"""Deterministic answer parsers shared by the metric families.

Every parser returns ``None`` when the response holds no usable answer; the caller keeps the sample
in the denominator and scores it as wrong / worst. No parser ever guesses (the official NLP
predictor defaults to option ``A``; we do not), and an answer that names two options is unparsed.

Responses are cleaned once (:func:`clean_response`): ``<think>`` blocks, markdown emphasis / headings and
full-width punctuation are removed before any rule runs. All regular expressions are compiled at import.
"""

from __future__ import annotations

import ast
import json
import math
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)
_BOXED = re.compile(r"\\boxed\s*\{\s*((?:[^{}]|\{[^{}]*\})*)\}")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}")
_ANSWER_LEAD = re.compile(
    r"^\s*(?:(?:the|my)\s+)?(?:final\s+|correct\s+|best\s+)?(?:answer|option|choice|caption|description|label)"
    r"\s*(?:is|would\s+be|should\s+be|:)?\s*[:\-]?\s*|^\s*答案\s*(?:是|为|:)?\s*",
    re.IGNORECASE,
)
_FENCE = re.compile(r"```[A-Za-z]*\s*(.*?)```", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`|^\s{0,3}#{1,6}\s*|^[ \t]*>[ \t]?", re.MULTILINE)
_FULL_WIDTH = str.maketrans({"：": ":", "（": "(", "）": ")", "，": ",", "。": ".", "！": "!", "？": "?", "；": ";",
                             "【": "[", "】": "]", "“": '"', "”": '"', "‘": "'", "’": "'"})
_REFUSAL = re.compile(
    r"(?i)\b(?:i(?:'m|\s+am)\s+(?:sorry|afraid|unable|not\s+able)|i\s+apologi[sz]e|sorry,|"
    r"i\s+do\s*n[o']t\s+know|(?:i\s+(?:can(?:not|'t)|could\s*n[o']t|am\s+unable\s+to|'m\s+unable\s+to)|unable\s+to)\s+"
    r"(?:determine|tell|answer|help|assist|provide|identify|say|decide|be\s+(?:sure|certain)|access|view|count|"
    r"describe|process|see\s+(?:the|this|any)\s+(?:image|video|picture|audio|clip|file))|"
    r"can(?:not|'t)\s+(?:be\s+)?(?:determined?|tell|answer|identify|say)|"
    r"(?:not|im)possible\s+to\s+(?:determine|tell|answer|say)|as\s+an\s+ai\b|"
    r"(?:insufficient|not\s+enough)\s+(?:information|context|detail))"
    r"|无法|抱歉|不能确定|不确定"
)


#: three or more line breaks (with only blanks between them), and runs of more than 16 spaces / tabs
_BLANK_RUN = re.compile(r"\n(?:[ \t\r\f\v]*\n){2,}")
_SPACE_RUN = re.compile(r"[ \t]{17,}")


def clean_response(raw: Any, *, ascii_punctuation: bool = True) -> str:
    """The response without ``<think>`` blocks and markdown emphasis/headings/quotes; full-width punctuation
    made ASCII unless ``ascii_punctuation`` is False. An unterminated ``<think>`` block leaves nothing."""
    text = _THINK.sub(" ", str(raw))
    if "<think>" in text.lower():
        return ""
    text = unwrap_answer_object(text)
    if ascii_punctuation:
        text = text.translate(_FULL_WIDTH)
    # a model running to its token limit can emit thousands of blank lines or spaces; runs are folded first so that
    # every later pattern sees a short gap (they would otherwise rescan each run from every position: quadratic)
    text = _SPACE_RUN.sub(" ", _BLANK_RUN.sub("\n\n", text))
    return _MARKDOWN.sub("", text).strip()


#: keys under which a chat model puts its answer when it answers in JSON unasked; the others it may add beside it
_ANSWER_OBJECT_KEYS = ("answer", "final_answer", "label", "prediction", "choice", "option", "result")
_ASIDE_KEYS = frozenset({"explanation", "reasoning", "rationale", "reason", "confidence", "analysis", "thought"})
_WHOLE_FENCE = re.compile(r"\A```[\w-]*[ \t]*\n?(.*?)\n?```\Z", re.DOTALL)


#: LaTeX commands a model writes unescaped inside a JSON string ("\frac" would decode as a form feed + "rac")
_LATEX_IN_JSON = re.compile(
    r"\\(?=(?:frac|dfrac|tfrac|times|boxed|text|textbf|sqrt|cdot|pi|theta|alpha|beta|gamma|delta|neq|leq|geq|le|ge|"
    r"rightarrow|leftarrow|left|right|mathrm|mathbf|approx|pm|circ|degree|infty|sum|int|log|ln|sin|cos|tan)\b)")


def answer_object(text: str) -> dict[str, Any] | None:
    """The JSON object a response consists of when it only wraps its answer (``{"answer": "B"}``,
    ``{"final_answer": 3.5, "explanation": "..."}``, fenced or not): its keys folded (lower case, ``_`` for
    spaces), with ``"_key"`` naming the answer's key. None for anything else (structured answers such as boxes,
    polygons or generated-media objects included)."""
    stripped = text.strip()
    if not stripped.startswith(("{", "```")) or len(stripped) > 100_000:
        return None
    fenced = _WHOLE_FENCE.match(stripped)
    body = fenced.group(1).strip() if fenced else stripped
    if not (body.startswith("{") and body.endswith("}")):
        return None
    try:
        value = json.loads(_LATEX_IN_JSON.sub(r"\\\\", body))
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    folded = {str(k).strip().lower().replace(" ", "_"): v for k, v in value.items()}
    key = next((k for k in _ANSWER_OBJECT_KEYS if k in folded), None)
    if key is None or not set(folded) - {key} <= _ASIDE_KEYS:
        return None
    return {**folded, "_key": key}


def unwrap_answer_object(text: str) -> str:
    """The answer of a response that only wraps it in a JSON object (:func:`answer_object`), as text: a string or
    number as written, booleans as Yes / No, a list of scalars as its JSON text. Anything else is returned
    unchanged."""
    found = answer_object(text)
    if found is None:
        return text
    answer = found[found["_key"]]
    scalar = (str, int, float)
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    if isinstance(answer, scalar):
        return str(answer)
    if isinstance(answer, list) and answer and all(isinstance(v, scalar) and not isinstance(v, bool) for v in answer):
        return json.dumps(answer, ensure_ascii=False)
    return text


def is_refusal(text: str) -> bool:
    """Whether a response declines to answer ("I cannot determine", "I'm sorry", "无法判断")."""
    return bool(_REFUSAL.search(text))


def normalize_answer(text: Any) -> str:
    """SQuAD-style folding: lower case, punctuation and articles removed, whitespace collapsed."""
    folded = str(text).lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", folded).split())


def boxed_content(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` (``\\text{}`` unwrapped), or None."""
    boxed = _BOXED.findall(text)
    if not boxed:
        return None
    return _TEXT_CMD.sub(r"\1", boxed[-1]).strip()


def strip_answer_lead(text: str) -> str:
    """The answer part of a response: ``\\boxed{X}`` content, or the text after "Answer:"/"The answer is"."""
    text = clean_response(text)
    boxed = boxed_content(text)
    if boxed is not None:
        return boxed
    stripped = text.strip()
    return _ANSWER_LEAD.sub("", stripped, count=1).strip() or stripped


def _letters(n_options: int | None) -> str:
    return string.ascii_uppercase[: n_options or 26]


# --------------------------------------------------------------------------- option letters

#: phrases after which the answer letter follows: "strong" ones name the answer (the last one wins), "weak"
#: ones may introduce it ("it's B", "so B") and count only when they all name the same letter
_STRONG_ANCHOR = re.compile(
    r"(?i)\b(?:final\s+answer|answer|i(?:\s+would|\s+will|'d|'ll)?\s+(?:choose|select|pick|go\s+(?:with|for))"
    r"|my\s+(?:choice|pick|selection)|(?:correct|right|best)\s+(?:option|choice)|(?:option|choice)(?=\s*:))\b"
    r"|答案|选择|选项|选"
)
_WEAK_ANCHOR = re.compile(
    r"(?i)\b(?:it\s*'?s|it\s+is|that\s*'?s|that\s+is|so|therefore|thus|hence|be"
    r"|i\s+(?:think|believe|guess)|i(?:\s+would|'d)\s+say)\b"
)
_FILLER = re.compile(
    r"(?i)(?:\s+|[:=\-–—>,]|(?:is|are|was|would|will|should|must|be|the|most|likely|probably|definitely|clearly|"
    r"correct|right|best|final|answer|option|choice|letter|then|here|therefore|thus|so|go|with|for|might|may|could|"
    r"perhaps|maybe)\b"
    r"|是|为|应该|应|该|正确|的|答案|选项|选择|项|了)*"
)
_LETTER_TOKEN = re.compile(r"[\(\[]?([A-Za-z])[\)\]]?(?![A-Za-z0-9'])")
_OTHER_LETTER = re.compile(
    r"(?i)[\)\]\.:]?\s*(?:,|/|&|\band\b|\bor\b|和|或|与)\s*(?:option\s+)?[\(\[]?([A-Za-z])[\)\]]?(?![A-Za-z0-9'])"
)
_WHOLE_LETTER = re.compile(r"\s*(?:option\s+|choice\s+)?[\(\[]?([A-Za-z])[\)\]\.:]?\s*", re.IGNORECASE)
_LEAD_LETTER = re.compile(r"\s*[\(\[]?([A-Z])(?:[\)\]\.:]|\s+[-–—]|\s+(?:is\b|because\b|since\b|as\b))")
_LISTED_LETTER = re.compile(r"(?m)^[ \t]*[\(\[]?([A-Z])[\)\]\.:]\s")  # [ \t]: \s* across blank lines is quadratic
_BRACKETED = re.compile(r"\(([A-Z])\)")
_WORD_FOLLOWS = re.compile(r"\s*[A-Za-z]")
_PRONOUN_FOLLOWS = re.compile(r"\s+[a-z]|'")
_AMBIGUOUS = "<ambiguous>"
_HEDGE = re.compile(
    r"(?i)\b(?:could|might|may)\s+(?:also|as\s+well)\s+be\s+[\(\[]?[A-Z][\)\]]?(?![A-Za-z])|\balternatively\b"
    r"|\b(?:is|are|seems)\s+(?:also|equally)\s+(?:possible|plausible|likely|valid)\b"
)


def _letter_after(text: str, start: int, valid: str) -> str | None:
    """The option letter that directly follows ``text[start:]`` (fillers skipped), ``_AMBIGUOUS`` when a
    second option is named with it ("B and C"), else None."""
    match = _LETTER_TOKEN.match(text, _FILLER.match(text, start).end())
    if not match:
        return None
    letter, token, end = match.group(1), match.group(0), match.end()
    bracketed = token[0] in "([" or token[-1] in ")]"
    if letter.islower():
        # "a"/"b" only when bracketed or standing alone ("answer: b"), never the article in "a dog"
        if not bracketed and _WORD_FOLLOWS.match(text, end):
            return None
        letter = letter.upper()
    if letter == "I" and not bracketed and _PRONOUN_FOLLOWS.match(text, end):
        return None  # the pronoun: "answer: I think ..."
    if letter not in valid:
        return None
    other = _OTHER_LETTER.match(text, end)
    if other and other.group(1).upper() in valid and other.group(1).upper() != letter:
        return _AMBIGUOUS
    return letter


def _anchored_letter(text: str, pattern: re.Pattern[str], valid: str, *, consistent: bool) -> str | None:
    """The letter after the last anchor of ``pattern`` that is followed by one (or ``_AMBIGUOUS``); with
    ``consistent``, ``_AMBIGUOUS`` when the anchors name different letters ("maybe B ... or it's C")."""
    letters = [_letter_after(text, m.end(), valid) for m in pattern.finditer(text)]
    letters = [letter for letter in letters if letter is not None]
    if not letters:
        return None
    if consistent and len(set(letters)) > 1:
        return _AMBIGUOUS
    return letters[-1]


def parse_option_letter(raw: str | None, options: Sequence[str] | None = None) -> str | None:
    """The option letter a response chooses, or None.

    Rules, first that applies: ``\\boxed{B}``; the letter after the last answer phrase ("the answer is (B)",
    "Answer: B", "I choose B", "答案是B", "选B"); the letter after a weaker phrase ("I think it's B",
    "so B", "option B"); a response that is only a letter (``B``, ``(B)``, ``**B**``); a leading ``B.`` /
    ``(B)`` / ``B)``; the only bracketed letter; the text of exactly one option (read like a label: folded, the
    longest option text over one it contains, negated options ignored); else the one letter standing alone
    somewhere in the answer, as lmms-eval's ``can_infer`` reads it ("... so B fits best"; not the article "A", not
    a negated "option A does not follow"). A response that names two
    options as the answer ("B and C", "B or C") or recites several options, or a refusal without an answer
    phrase, is None. Letters beyond ``len(options)`` are rejected when options are known.
    """
    if raw is None:
        return None
    text = clean_response(raw)
    if not text:
        return None
    valid = _letters(len(options) if options else None)
    boxed = boxed_content(text)
    if boxed is not None:
        letter = _letter_after(boxed, 0, valid)
        if letter is not None:
            return None if letter == _AMBIGUOUS else letter
    if _HEDGE.search(text):
        return None
    for pattern, consistent in ((_STRONG_ANCHOR, False), (_WEAK_ANCHOR, True)):
        letter = _anchored_letter(text, pattern, valid, consistent=consistent)
        if letter is not None:
            return None if letter == _AMBIGUOUS else letter
    exact = _exact_option(text, options) if options else None
    if exact is not None:
        return exact
    if is_refusal(text):
        return None
    whole = _WHOLE_LETTER.fullmatch(text)
    if whole:
        letter = whole.group(1).upper()
        return letter if letter in valid else None
    if len(set(_LISTED_LETTER.findall(text)) & set(valid)) > 1:
        return None  # the options recited, not one chosen
    lead = _LEAD_LETTER.match(text)
    if lead and lead.group(1) in valid:
        other = _OTHER_LETTER.match(text[lead.end(1):])
        if other and other.group(1).upper() in valid and other.group(1).upper() != lead.group(1):
            return None
        return lead.group(1)
    bracketed = {b for b in _BRACKETED.findall(text) if b in valid}
    if len(bracketed) == 1:
        return bracketed.pop()
    if len(bracketed) > 1:
        return None
    if options:
        by_text = _option_by_text(text, options)
        if by_text is not None or _names_options(text, options):
            return by_text
    return _standalone_letter(text, valid if options else "ABCDE")  # unknown options: can_infer's five letters


_STANDALONE = re.compile(r"(?<![A-Za-z0-9'’])([A-Z])(?![A-Za-z0-9'’])")
_LETTER_NEGATED_BEFORE = re.compile(r"(?i)\b(?:not|no|never|neither|nor|except|excluding|rather\s+than|instead\s+of)"
                                    r"\s+(?:option\s+|choice\s+)?[\(\[]?$")
_LETTER_NEGATED_AFTER = re.compile(r"(?i)[\)\]]?\s+(?:is|are|was|does|do|would\s+be|seems)\s+"
                                   r"(?:not|incorrect|wrong|false|ruled\s+out)\b|[\)\]]?\s+(?:isn't|doesn't|can't|cannot)\b")


_LETTER_PAIR = re.compile(r"(?<![A-Za-z0-9'’])[\(\[]?([A-Z])[\)\]]?\s*(?:,|/|&|\bor\b|\band\b)\s*"
                          r"(?:option\s+)?[\(\[]?([A-Z])(?![A-Za-z0-9'’])")
#: "A"/"I" followed by a lower-case word that is not a verb or conjunction: the article or the pronoun
_ARTICLE_FOLLOWS = re.compile(r"\s+(?!(?:or|and|nor|is|was|seems|fits|matches|describes|looks|appears|would|should|"
                              r"could|might|may|must|will|because|since|as|best|too)\b)[a-z]")


def _standalone_letter(text: str, valid: str) -> str | None:
    """The one option letter standing alone somewhere in the answer (lmms-eval ``can_infer``'s reading), not an
    article ("A dog"), the pronoun "I", or a negated letter ("not A", "option A does not follow"); None when
    several letters stand alone."""
    for pair in _LETTER_PAIR.finditer(text):
        if {pair.group(1), pair.group(2)} <= set(valid) and pair.group(1) != pair.group(2):
            return None  # "A or B": two options offered
    found = set()
    for match in _STANDALONE.finditer(text):
        letter = match.group(1)
        if letter not in valid:
            continue
        if letter in "AI" and _ARTICLE_FOLLOWS.match(text, match.end()):
            continue
        if _LETTER_NEGATED_BEFORE.search(text, max(0, match.start() - 40), match.start()) or \
                _LETTER_NEGATED_AFTER.match(text, match.end()):
            continue
        found.add(letter)
    return found.pop() if len(found) == 1 else None


def _exact_option(text: str, options: Sequence[str]) -> str | None:
    """The letter of the option whose text the whole answer is (after folding), or None."""
    norm = normalize_answer(strip_answer_lead(text))
    for index, option in enumerate(options):
        if norm and normalize_answer(option) == norm:
            return string.ascii_uppercase[index]
    return None


def _names_options(text: str, options: Sequence[str]) -> bool:
    """Whether the answer names any option by its text (then its letters are not read from stray capitals)."""
    from lmms_general.metrics.label_reading import label_reader

    reader = label_reader(options)
    return bool(reader.mentions(reader.fold_answer(text)))


_NEGATED = re.compile(r"\b(?:not|no|never|isnt|arent|wasnt|neither|nor|rather\s+than|instead\s+of)\s+(?:\w+\s+)?$")


def _mentions(norm: str, phrase: str) -> bool:
    """Whether a folded phrase occurs in folded text as whole words (its last word also in the plural: "horses"
    names "horse"), not right after a negation."""
    plural = "(?:e?s)?" if re.search(r"[a-z]{3}$", phrase) else ""
    for match in re.finditer(rf"(?<!\w){re.escape(phrase)}{plural}(?!\w)", norm):
        if not _NEGATED.search(norm[: match.start()]):
            return True
    return False


def _option_by_text(text: str, options: Sequence[str]) -> str | None:
    """The option whose text the answer commits to (:class:`~lmms_general.metrics.label_reading.LabelReader` over
    the option texts: whole texts, the longest over one it contains, negations ignored), or None."""
    from lmms_general.metrics.label_reading import label_reader

    exact = _exact_option(text, options)
    if exact is not None:
        return exact
    index = label_reader(options).read_index(strip_answer_lead(text))
    return None if index is None else string.ascii_uppercase[index]


def reference_letter(value: Any) -> str | None:
    """The letter of a reference written as ``"B"``, ``"(B)"`` or ``"B."``; None when it is not a letter."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\s*[\(\[]?([A-Za-z])[\)\]\.]?\s*", value)
    return match.group(1).upper() if match else None


# --------------------------------------------------------------------------- yes / no

_YES_OR_NO = re.compile(r"(?i)\b(?:yes\s+or\s+no|no\s+or\s+yes)\b")
_YES_NO_WORD = re.compile(r"(?i)(?<![A-Za-z])(yes|yeah|yep|no|nope)(?![A-Za-z])")
_YES_LEAD = re.compile(
    r"(?i)^\s*(?:yes|yeah|yep|yup|true|correct|right|indeed|certainly|definitely|absolutely|affirmative)\b"
    r"|^\s*(?:是的|是|对|有|正确)"
)
_NO_LEAD = re.compile(r"(?i)^\s*(?:no|nope|false|incorrect|wrong|negative|not\s+at\s+all|not\s+really)\b"
                      r"|^\s*(?:不是|不对|不|否|没有|错误)")


def parse_yes_no(raw: Any) -> str | None:
    """``"yes"`` / ``"no"`` from a response: its leading word ("Yes, it is.", "No.", "是的", "不是"), the word
    after an answer phrase / in ``\\boxed{}``, else the only one of yes/no it contains. None for refusals and
    for answers holding both."""
    if raw is None:
        return None
    text = strip_answer_lead(str(raw))
    if not text or _YES_OR_NO.search(text):
        return None
    for pattern, value in ((_NO_LEAD, "no"), (_YES_LEAD, "yes")):
        if pattern.match(text):
            return value
    if is_refusal(text):
        return None
    words = {m.group(1).lower() for m in _YES_NO_WORD.finditer(text)}
    words = {"yes" if w in {"yes", "yeah", "yep"} else "no" for w in words}
    return words.pop() if len(words) == 1 else None


def is_yes_no(value: Any) -> str | None:
    """``"yes"`` / ``"no"`` when a reference is one of them (also true/false, 是/否), else None."""
    norm = normalize_answer(value)
    if norm in {"yes", "true", "是", "是的", "对"}:
        return "yes"
    if norm in {"no", "false", "否", "不是", "不对"}:
        return "no"
    return None


# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])[-+−]?(?:\d+(?:,\d+)+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\d])|(?<![A-Za-z0-9_.])[-+]?\.\d+"
)
_FRACTION = re.compile(r"[\s:=]*(?:is\s+)?([-+]?\d+)\s*/\s*(\d+)(?![\d/.])\s*")
_THOUSANDS = re.compile(r"[-+−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_ANCHOR = re.compile(r"(?i)\b(?:answer|total|result)\b|答案|总共")
_WORD_NUMBERS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBER = re.compile(
    r"(?i)\b(" + "|".join(_WORD_NUMBERS) + r")(?:[\s-](one|two|three|four|five|six|seven|eight|nine))?\b"
)


_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d{1,2}")
#: a number that opens the answer (after at most a short label: "Next value:") and is then explained
_LEAD_NUMBER = re.compile(
    r"\s*(?:[A-Za-z][A-Za-z ]{0,30}?(?::|\s+is|\s+would\s+be|\s+=)\s*)?"
    r"(?P<number>[-+−]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+)(?![\d,.]*\d)(?!\s*[-+*/×÷=–—]\s*\d)"
    r"(?:\s*[A-Za-z%°]{0,12}?)?\s*(?:\(|[—–]|;|$|(?P<stop>\.)(?:\s|$)|,?\s+(?:because|since|as|given)\b)"
)
_CONCLUSION = re.compile(r"(?i)\b(?:so|therefore|thus|hence|which\s+gives|giving|making|then)\b[^.;\n]*?\d")
_LISTED_STEP = re.compile(r"(?:^|\s)\d+[.)]\s+\S")
#: two numbers offered as alternatives ("6 or 7")
_NUMBER_OR = re.compile(r"\d\s*,?\s*(?:or|maybe|possibly|perhaps)(?:\s+(?:maybe|possibly|perhaps))?\s*[-+]?\d"
                        r"|(?i:\bbetween)\s+[-+]?\d[\d.,]*\s+and\s+[-+]?\d")


def _numbers(scope: str) -> list[float | None]:
    """Numbers of a text in order; a comma followed by one or two digits is a decimal comma ("2,5" = 2.5), another
    comma group that is not a thousands group ("4,2345", "1,2,3") is None (ambiguous)."""
    out: list[float | None] = []
    for token in _NUMBER.findall(scope):
        token = token.replace("−", "-")
        if "," in token and not _THOUSANDS.fullmatch(token):
            out.append(float(token.replace(",", ".")) if _DECIMAL_COMMA.fullmatch(token) else None)
            continue
        value = float(token.replace(",", ""))
        out.append(value if math.isfinite(value) else None)
    return out


_LATEX_FRACTION = re.compile(r"\\[dt]?frac\s*\{\s*(-?\d+(?:\.\d+)?)\s*\}\s*\{\s*(-?\d+(?:\.\d+)?)\s*\}")


def parse_number(raw: Any) -> float | None:
    """A number from a response: ``\\boxed{}`` content, else the first number after the last answer phrase
    ("answer", "total", "答案"), else a number that opens the answer and is then explained ("5 (it grows by 1)"),
    else the only number, else the last number (two offered as alternatives, "6 or 7", are None); number words
    ("seven") when the text has no digits. Thousands separators only in proper groups ("4,200"), a decimal comma
    with one or two digits ("2,5" = 2.5); units and
    other trailing words are ignored ("42 apples"). Refusals, NaN and inf are None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    text = clean_response(raw)
    if not text:
        return None
    text = _LATEX_FRACTION.sub(r"\1/\2", text).replace("$", " ")  # "$\frac{1}{2}$" is the fraction 1/2
    boxed = boxed_content(text)
    scopes: list[tuple[str, bool]] = [(boxed, True)] if boxed else []
    anchors = list(_NUMBER_ANCHOR.finditer(text))
    if not scopes and not anchors and is_refusal(text):
        return None
    if anchors:
        scopes.append((text[anchors[-1].end():], True))
    elif not scopes:
        lead = _LEAD_NUMBER.match(text)
        if lead and lead.group("stop") and _LISTED_STEP.search(text, lead.end()):
            lead = None  # "1. Count ... 2. Add ...": a numbered list, not an answer
        after = lead.end() if lead else 0
        if lead and text[after - 1:after] == "(":  # reasoning inside the note does not count
            after = text.find(")", after) + 1 or len(text)
        if lead and _CONCLUSION.search(text, after):
            lead = None  # "The difference is 2 (4 - 2), so the next value is 10": reasoning that ends on its answer
        if _NUMBER_OR.search(text):
            return None  # "6 or 7", "5, or maybe 6", "between 6 and 7": no commitment
        if lead:  # "5 (the series increases by 1)", "Next value: 4.0 (each step ...)": the first number commits
            scopes.append((lead.group("number"), True))
    scopes.append((text, False))
    for scope, first in scopes:
        fraction = (_FRACTION.match if first else _FRACTION.fullmatch)(scope.strip().rstrip("."))
        if fraction and float(fraction.group(2)) != 0:
            return float(fraction.group(1)) / float(fraction.group(2))
        numbers = _numbers(scope)
        if numbers:
            return numbers[0] if first else numbers[-1]
    words = _WORD_NUMBER.findall(text)
    if words:
        tens, ones = words[-1]
        value = _WORD_NUMBERS[tens.lower()]
        return float(value + _WORD_NUMBERS[ones.lower()] if ones and value >= 20 and value % 10 == 0 else value)
    return None


# --------------------------------------------------------------------------- free-text labels


def parse_label(raw: Any, labels: Sequence[str], *, codes: Mapping[str, str] | None = None,
                yes_no_codes: Mapping[str, str] | None = None) -> str | None:
    """The one label of ``labels`` an answer commits to, read as a careful grader reads it
    (:class:`~lmms_general.metrics.label_reading.LabelReader`): whole labels folded for case, diacritics, hyphens and
    markdown, the longest label over a look-alike, negated mentions ignored, the first committed answer over later
    mentions, yes/no onto the task's yes/no labels or ``yes_no_codes``, a code table's meanings onto its codes.
    None for refusals, answers naming two labels and answers naming none."""
    from lmms_general.metrics.label_reading import label_reader

    if raw is None or not labels:
        return None
    return label_reader(labels, codes, yes_no_codes).read(raw)


def parse_labels(raw: Any, labels: Sequence[str], *, codes: Mapping[str, str] | None = None) -> list[str] | None:
    """Every label of ``labels`` a multi-label answer names and does not negate (label-set order); None when it
    names none."""
    from lmms_general.metrics.label_reading import label_reader

    if raw is None or not labels:
        return None
    return label_reader(labels, codes).read_set(raw)


def label_matches(prediction: Any, reference: Any, labels: Sequence[str] | None = None) -> bool:
    """Whether a free-text answer names the reference label.

    With the task's label set: :func:`parse_label` over it picks the reference. Without one: the answer
    equals the reference after folding, or (a yes/no reference) answers it, or mentions it once, not after a
    negation, in an answer of at most 12 words that offers no alternatives ("It is a Toyota." -> Toyota).
    An empty reference matches nothing."""
    ref = normalize_answer(reference)
    if not ref or prediction is None:
        return False
    if labels:
        picked = parse_label(prediction, labels)
        return picked is not None and normalize_answer(picked) == ref
    text = strip_answer_lead(str(prediction))
    norm = normalize_answer(text)
    if norm == ref and label_words(text) == label_words(reference):
        return True
    decision = is_yes_no(reference)
    if decision is not None:
        return parse_yes_no(text) == decision
    if not norm or is_refusal(text) or len(norm.split()) > 12 or re.search(r"\bor\b|/", text):
        return False
    return _mentions(label_words(text), label_words(reference))


def label_words(text: Any) -> str:
    """SQuAD folding that keeps a last article-like word, which names something ("Solution A" is not "Solution B")."""
    words = str(text).lower().translate(_PUNCT).split()
    return " ".join([w for w in words[:-1] if not _ARTICLES.fullmatch(w)] + words[-1:])


# --------------------------------------------------------------------------- JSON, boxes, polygons


def _decode(candidate: str) -> Any | None:
    try:
        return json.loads(candidate)
    except (ValueError, RecursionError):
        pass
    try:  # Python literals models often write: single quotes, True/None, tuples
        value = ast.literal_eval(candidate)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return _as_json_value(value) if isinstance(value, (dict, list, tuple)) else None


def _as_json_value(value: Any) -> Any:
    """A decoded Python literal with tuples as lists and keys as strings (what ``json.loads`` would give)."""
    if isinstance(value, (list, tuple)):
        return [_as_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _as_json_value(v) for k, v in value.items()}
    return value


_TRAILING_COMMA = re.compile(r",\s*([\]}])")


def extract_json(raw: Any) -> Any | None:
    """The first JSON value in a response: the whole text, a fenced block, or the first balanced
    ``{...}`` / ``[...]`` span that decodes (JSON, else a Python literal; trailing commas tolerated).
    None when nothing decodes."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    text = _THINK.sub(" ", raw).strip()
    for candidate in (text, *(f.strip() for f in _FENCE.findall(text))):
        value = _decode(candidate)
        if value is not None:
            return value
    for index, close in _bracket_spans(text)[:_MAX_SPANS]:
        span = text[index:close + 1]
        value = _decode(span)
        if value is None:
            value = _decode(_TRAILING_COMMA.sub(r"\1", span))
        if value is not None:
            return value
    return None


_MAX_SPANS = 200
_PAIRS = {"]": "[", "}": "{"}


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """``(open, close)`` indices of the balanced ``[...]`` / ``{...}`` spans, by opening position, found in one
    pass (brackets inside quoted strings ignored; unmatched brackets have no span)."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    quote = None
    for index, char in enumerate(text):
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = None
        elif char == '"' or (char == "'" and stack):
            quote = char
        elif char in "[{":
            stack.append((char, index))
        elif char in "]}":
            while stack and stack[-1][0] != _PAIRS[char]:
                stack.pop()  # an unclosed bracket of the other kind
            if stack:
                spans.append((stack.pop()[1], index))
    return sorted(spans)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_box(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == 4 and all(_is_number(v) for v in value)


#: keys under which a response lists unlabelled boxes: ``{"boxes": [[x, y, w, h], ...]}``
_BOX_LIST_KEYS = frozenset({"boxes", "bboxes", "bbox", "box", "objects", "detections", "predictions", "results"})


def boxes_from_value(value: Any, default_label: str | None = None) -> list[dict[str, Any]] | None:
    """Boxes ``[{"label", "bbox": [x, y, w, h], "score"}]`` from a decoded annotation-style value.

    Accepts ``{class: [[x,y,w,h], ...]}``, ``{class: [x,y,w,h]}``, ``[{class: [x,y,w,h]}]``,
    ``[{"label"/"class", "bbox"/"box", "score"}]``, ``{"boxes": [...]}`` (any of these inside),
    ``[[x,y,w,h], ...]`` and one ``[x,y,w,h]``.
    Returns None when the value has another shape (an empty list/dict means "no boxes" and is ``[]``).
    """
    out: list[dict[str, Any]] = []
    if _is_box(value):
        return [{"label": default_label, "bbox": [float(v) for v in value], "score": 1.0}]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).lower() in _BOX_LIST_KEYS:
            inner = next(iter(value.values()))
            if isinstance(inner, (list, dict)):
                return boxes_from_value(inner, default_label)
        if ("bbox" in value or "box" in value) and _is_box(value.get("bbox", value.get("box"))):
            value = [value]
        else:
            for label, boxes in value.items():
                if _is_box(boxes):
                    boxes = [boxes]
                if not isinstance(boxes, list) or not all(_is_box(b) for b in boxes):
                    return None
                out.extend({"label": str(label), "bbox": [float(v) for v in b], "score": 1.0} for b in boxes)
            return out
    if not isinstance(value, (list, tuple)):
        return None
    for item in value:
        if _is_box(item):
            out.append({"label": default_label, "bbox": [float(v) for v in item], "score": 1.0})
        elif isinstance(item, dict) and ("bbox" in item or "box" in item):
            box = item.get("bbox", item.get("box"))
            if not _is_box(box):
                return None
            label = item.get("label", item.get("class", item.get("category", default_label)))
            score = item.get("score", 1.0)
            score = float(score) if _is_number(score) else 1.0
            label = None if label is None else str(label)
            out.append({"label": label, "bbox": [float(v) for v in box], "score": score})
        elif isinstance(item, dict):
            nested = boxes_from_value(item, default_label)
            if nested is None:
                return None
            out.extend(nested)
        else:
            return None
    return out


_BOX_TEXT = re.compile(
    r"[\[\(]\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*[\]\)]"
)


_XYXY_DECLARED = re.compile(
    r"(?i)\bxyxy\b|\bx_?(?:1|min)\s*,\s*y_?(?:1|min)\s*,\s*x_?(?:2|max)\s*,\s*y_?(?:2|max)\b"
    r"|\bleft\s*,\s*top\s*,\s*right\s*,\s*bottom\b|\btop[-\s]left\s+(?:and|to)\s+bottom[-\s]right\b"
)
_XYWH_DECLARED = re.compile(r"(?i)\bxywh\b|\bx(?:_?min)?\s*,\s*y(?:_?min)?\s*,\s*w(?:idth)?\s*,\s*h(?:eight)?\b")


def declares_xyxy(raw: Any) -> bool:
    """Whether an answer says its boxes are corners ("(x1, y1, x2, y2)", "[x_min, y_min, x_max, y_max]",
    "xyxy") and not ``[x, y, w, h]``."""
    if not isinstance(raw, str):
        return False
    return bool(_XYXY_DECLARED.search(raw)) and not _XYWH_DECLARED.search(raw)


def xyxy_to_xywh(boxes: Sequence[Sequence[float] | None]) -> list[list[float] | None] | None:
    """Corner boxes ``[x1, y1, x2, y2]`` as ``[x, y, w, h]`` (None entries kept); None when a box is not a
    corner box (x2 < x1 or y2 < y1), so the caller keeps the boxes as given."""
    out: list[list[float] | None] = []
    for box in boxes:
        if box is None:
            out.append(None)
            continue
        x1, y1, x2, y2 = (float(v) for v in box)
        if x2 < x1 or y2 < y1:
            return None
        out.append([x1, y1, x2 - x1, y2 - y1])
    return out


def _truncated_json(raw: str) -> bool:
    """An answer that opens a JSON value and never closes it (cut off): more opening than closing brackets."""
    text = _FENCE.sub(lambda m: m.group(1), raw).strip()
    return text[:1] in "{[" and text.count("{") + text.count("[") > text.count("}") + text.count("]")


def parse_boxes(raw: Any, default_label: str | None = None) -> list[dict[str, Any]] | None:
    """Boxes ``[x, y, w, h]`` from a response (:func:`_parse_boxes`); boxes the answer declares as corners
    ("(x1, y1, x2, y2)", "xyxy") are converted."""
    boxes = _parse_boxes(raw, default_label)
    if boxes and declares_xyxy(raw):
        converted = xyxy_to_xywh([b["bbox"] for b in boxes])
        if converted is not None:
            boxes = [{**b, "bbox": c} for b, c in zip(boxes, converted, strict=True)]
    return boxes


def _parse_boxes(raw: Any, default_label: str | None = None) -> list[dict[str, Any]] | None:
    """Boxes from a response: decoded JSON in any :func:`boxes_from_value` shape, else every
    ``[a, b, c, d]`` / ``(a, b, c, d)`` in the text. None when neither yields a box (the response
    is unparsed, not "no objects"); an explicit empty JSON list/object is ``[]``."""
    if isinstance(raw, str) and _truncated_json(raw):
        return None  # a JSON answer cut off: its box list may be incomplete
    value = extract_json(raw)
    if value is not None:
        boxes = boxes_from_value(value, default_label)
        if boxes is not None:
            return boxes
    if not isinstance(raw, str):
        return None
    found = [[float(g) for g in m.groups()] for m in _BOX_TEXT.finditer(raw)]
    if not found:
        return None
    return [{"label": default_label, "bbox": b, "score": 1.0} for b in found]


def parse_frame_boxes(raw: Any) -> list[list[float] | None] | None:
    """Per-frame tracking boxes ``[[x, y, w, h] | None, ...]`` from ``{"boxes": [...]}`` (the tracking
    prompt's format; also ``"bboxes"`` / ``"track"`` / ``"trajectory"``), a plain list of boxes, or
    ``{frame_index: box}``. A frame entry that is not a box (``null``, ``[]``) is None. None when no
    frame has a box."""
    value = extract_json(raw)
    if isinstance(value, dict):
        for key in ("boxes", "bboxes", "track", "trajectory", "bbox"):
            if key in value:
                value = value[key]
                break
        else:
            if value and all(str(k).strip().lstrip("-").isdigit() for k in value):
                value = [value[k] for k in sorted(value, key=lambda k: int(str(k)))]
    if _is_box(value):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return None
    frames = [[float(v) for v in box] if _is_box(box) else None for box in value]
    return frames if any(b is not None for b in frames) else None


def _polygon(value: Any) -> list[float] | None:
    """A flat ``[x1, y1, x2, y2, ...]`` polygon (>= 3 points) from a flat list or a list of ``[x, y]`` points."""
    if not isinstance(value, (list, tuple)):
        return None
    if value and all(isinstance(p, (list, tuple)) and len(p) == 2 and all(_is_number(v) for v in p) for p in value):
        value = [v for p in value for v in p]
    if len(value) < 6 or len(value) % 2 or not all(_is_number(v) for v in value):
        return None
    return [float(v) for v in value]


def parse_polygons(raw: Any) -> list[list[float]] | None:
    """Polygons ``[[x1, y1, x2, y2, ...], ...]`` from ``{"polygons": [...]}`` (the segmentation prompt's
    format; also ``"polygon"`` / ``"segmentation"`` / ``"points"``), a list of flat polygons, one flat
    polygon, or lists of ``[x, y]`` points. ``{"polygons": []}`` is ``[]`` (no target); None when the
    response holds no polygon."""
    value = extract_json(raw)
    if isinstance(value, dict):
        for key in ("polygons", "polygon", "segmentation", "points", "mask"):
            if key in value:
                value = value[key]
                break
        else:
            return None
    if isinstance(value, (list, tuple)) and not value:
        return []
    single = _polygon(value)
    if single is not None and not (value and isinstance(value[0], (list, tuple)) and len(value[0]) != 2):
        return [single]
    if not isinstance(value, (list, tuple)):
        return None
    polygons = [_polygon(p) for p in value]
    if not polygons or any(p is None for p in polygons):
        return None
    return polygons  # type: ignore[return-value]


# --------------------------------------------------------------------------- captions, anomaly scores

_CAPTION_LEAD = re.compile(
    r"(?i)^\s*(?:here\s+is\s+(?:a|the)\s+(?:caption|description)\s*(?:for\s+the\s+\w+)?\s*:|"
    r"(?:the\s+)?(?:caption|description|summary|translation|answer)\s*:|(?:描述|标题|字幕|答案)\s*[:：])\s*"
)


#: chat wrappers a grader strips from a free-text answer: an interjection ("Sure!", "Great question!"), a preamble
#: ("Here's a summary:", "Here is a concise summary of the text:"), a field name ("Summary:", "Next response:"), a
#: speaker tag ("Staff:", "B:")
_INTERJECTION = re.compile(
    r"(?i)^\s*(?:sure(?:\s+thing)?|certainly|of\s+course|absolutely|great\s+question|good\s+question|"
    r"happy\s+to\s+help|okay|ok)\s*(?:!+\s*|[,.]\s*(?=here\b|here's|below\b))"
)
_PREAMBLE = re.compile(
    r"(?i)^\s*(?:here(?:'s|\s+is|\s+are)|below\s+is)\s+(?:(?:a|an|the|my|your|one)\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:summary|summaries|caption|description|response|reply|answer|translation|version|rewrite|line|continuation|"
    r"sentence|paragraph|text)(?:\s+(?:of|for|to)\s+[^:\n]{0,50})?\s*:\s*"
)
_FIELD_LEAD = re.compile(
    r"(?i)^\s*(?:(?:the|a|my)\s+)?(?:(?:next|final|short|brief|concise|one[-\s]sentence)\s+)?"
    r"(?:summary|caption|description|response|reply|answer|translation|output|result)\s*(?:\([^()\n]{0,30}\))?"
    r"\s*:\s*|^\s*(?:in\s+summary|to\s+summari[sz]e|in\s+short|tl;?\s*dr)\s*[,:]\s*"
    r"|^\s*(?:描述|标题|字幕|答案|摘要|总结)\s*[:：]\s*"
)
_SPEAKER = re.compile(r"^\s*(?!(?:Yes|No)\b)(?:[A-Z]|[A-Z][a-z]{1,15}(?:\s+(?:[A-Z]|\d{1,2}))?)\s*:\s+(?=\S)")
_OFFER_START = (r"(?:let\s+me\s+know\b|feel\s+free\b|i\s+hope\s+(?:this|that)\s+helps\b|hope\s+(?:this|that)\s+helps\b|"
                r"would\s+you\s+like\b|if\s+you(?:'d|\s+would)?\s+(?:like|want|need)\b|do\s+you\s+want\s+me\b|shall\s+i\b)")
#: a trailing offer: in a paragraph of its own, or a last sentence about the answer itself ("... a longer version")
_OFFER = re.compile(
    r"(?is)\n[ \t]*" + _OFFER_START + r"[^\n]*$"  # [ \t]*, not \s*: blank-line runs must stay linear
    r"|(?<=[.!?])\s+" + _OFFER_START + r"[^\n]*\b(?:version|summary|caption|description|response|answer|"
    r"translation|changes?|details?|adjust\w*|expand\w*|shorter|longer|rephrase\w*|more\s+(?:help|information)|"
    r"(?:other|more|further|any)\s+questions?)\b[^\n]*$"
    r"|(?<=[.!?])\s+(?:i\s+)?hope\s+(?:this|that)\s+helps\b[^\n]*$"
)
_QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019", "\u300c": "\u300d"}


def _unquote(text: str) -> str | None:
    """The text inside one pair of surrounding quotes, or None when it is not wrapped in quotes."""
    close = _QUOTES.get(text[:1])
    if close and len(text) > 1 and text.endswith(close) and close not in text[1:-1]:
        return text[1:-1].strip()
    return None


def strip_chat_wrappers(text: str, *, speaker: bool = False) -> str:
    """A free-text answer without what a grader strips around it: interjections ("Sure!"), preambles ("Here's a
    summary:"), field names ("Summary:", "Next response:"), a speaker tag ("Staff:"), surrounding quotes and trailing
    offers ("Let me know if you'd like a longer version."). The content itself is kept as written."""
    text = text.strip()
    for _ in range(4):  # wrappers nest: "Sure! Here's the next response: \"...\""
        before = text
        text = _INTERJECTION.sub("", text, count=1) or before
        text = _PREAMBLE.sub("", text, count=1) or text
        text = _FIELD_LEAD.sub("", text, count=1) or text
        inner = _unquote(text)
        if inner:
            return inner  # a quoted reply: everything inside is content
        text = _OFFER.sub("", text).strip() or text
        if text == before:
            break
    if speaker:
        text = _SPEAKER.sub("", text, count=1) or text
    return _unquote(text) or text


_MASK = "<MASK>"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_HEAD_NOTE = re.compile(r"^(?P<head>[^:\n]{1,40}?)\s*(?::|\s[\u2013\u2014-])\s+\S")
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*[.!]?\s*$")
_FILL_LEAD = re.compile(
    r"(?i)^\s*(?:<MASK>|\[MASK\]|mask)\s*(?:=|:|->|\u2192|is)\s*"
    r"|^\s*(?:the\s+)?(?:missing|masked|blank|hidden)(?:\s+[\w-]+){0,2}\s+(?:is|would\s+be|should\s+be|=|:)\s+"
    r"|^\s*(?:the\s+)?(?:correct\s+|final\s+)?(?:answer|word|filled[-\s]in\s+\w+)\s+(?:is|would\s+be|should\s+be)"
    r"\s+|^\s*(?:it(?:'s|\s+is)|that(?:'s|\s+is)|probably|likely)\s+"
    r"|^\s*(?:the\s+)?(?:blank|mask|<MASK>)\s+(?:is\s+)?(?:filled\s+(?:in\s+)?)?(?:with|by)\s+"
)


def _words_pattern(words: Sequence[str]) -> str:
    return r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in words) + r"(?![^\W_])"


def fill_in_span(answer: str, template: str) -> str:
    """The span an answer puts in the ``<MASK>`` of ``template``: "<MASK> = Tuesday", "The missing time is 16:00.",
    "**Tuesday** (one day after Monday)" -> the value; a whole sentence that reproduces the template ("Breakfast is
    served before 9 AM each day.") -> what stands between the template's words before and after the mask. The
    answer as given when it is none of these."""
    text = answer.strip()
    lead = _FILL_LEAD.match(text)
    if lead and text[lead.end():].strip():
        text = text[lead.end():].strip()
    else:
        before, _, after = template.partition(_MASK)
        left, right = _WORD.findall(before)[-3:], _WORD.findall(after)[:3]
        start, end = 0, len(text)
        found = False
        if left:
            m = re.search(_words_pattern(left), text, re.IGNORECASE)
            if m:
                start, found = m.end(), True
        if right:
            m = re.search(_words_pattern(right), text[start:], re.IGNORECASE)
            if m and m.start() > 0:
                end, found = start + m.start(), True
        span = text[start:end].strip(" \t\n,;:")
        if found and span and (start > 0 or end < len(text)):
            text = span
        else:
            head = _HEAD_NOTE.match(text)
            if head and len(head.group("head").split()) <= 4:
                rest = text[head.end("head"):].lstrip(" :\u2013\u2014-")
                # "Tuesday: one day after Monday" -> the value before its note; "Time: 4 PM" -> the value after a name
                named = text[head.end("head"):].lstrip()[:1] == ":"
                text = head.group("head") if len(rest.split()) > 3 or not named else rest
    text = _TRAILING_NOTE.sub("", text).strip() or text
    if not re.search(r"\.[^\W_]\.$", text):  # "10:00 a.m." keeps its abbreviation
        text = text.rstrip(".!").strip() or text
    return _unquote(text) or text


def is_dialogue(context: Mapping[str, Any] | None) -> bool:
    """Whether the answer is a dialogue turn (the task type or name says dialogue), so a speaker tag may lead it."""
    if not context:
        return False
    return any("dialog" in str(context.get(key) or "").lower() for key in ("task_type", "task_name", "registry_key"))


def parse_free_text(raw: Any, context: Mapping[str, Any] | None = None) -> str | None:
    """A free-text answer (summaries, dialogue, open QA) as a grader reads it: reasoning blocks and markdown
    dropped, chat wrappers stripped (:func:`strip_chat_wrappers`), and for a fill-in-the-blank prompt (a question
    with ``<MASK>``) the filled span (:func:`fill_in_span`). None when nothing is left."""
    if raw is None:
        return None
    question = context.get("question") if context else None
    masked = isinstance(question, str) and _MASK in question
    # a speaker tag ("Staff: ...") is stripped only where the answer is a dialogue turn: elsewhere "Paris: the
    # capital of France" keeps its first word (and a fill-in answer "Tuesday: ..." is aligned with its template)
    text = strip_chat_wrappers(clean_response(raw, ascii_punctuation=False),
                               speaker=is_dialogue(context) and not masked)
    if masked and text:
        text = fill_in_span(text, str(question))
    return text.strip() or None


def parse_caption(raw: Any) -> str | None:
    """A caption / free text: the response without reasoning, markdown, a "Caption:" lead, chat wrappers
    (:func:`strip_chat_wrappers`) and surrounding quotes; None for empty answers and refusals."""
    if raw is None:
        return None
    text = _CAPTION_LEAD.sub("", clean_response(raw, ascii_punctuation=False), count=1).strip()
    text = strip_chat_wrappers(text)
    text = text.strip().strip('"').strip()
    if not text or is_refusal(text):
        return None
    return text


_ANOMALY_YES = re.compile(
    r"(?i)^\s*(?:yes|true|anomal(?:y|ous)|abnormal|defective|defect(?:s)?\s+(?:found|detected|present)|damaged)\b"
    r"|\b(?:is|looks|appears|seems)\s+(?:anomalous|abnormal|defective|damaged)\b|\b(?:has|have|shows?|contains?)\s+"
    r"(?:an?\s+)?(?:anomal(?:y|ies)|defects?|damage|cracks?|scratch(?:es)?|holes?)\b"
    r"|\bthere\s+(?:is|are)\s+(?:an?\s+|some\s+|visible\s+|clear\s+)*(?:anomal(?:y|ies)|defects?|damage|cracks?|"
    r"scratch(?:es)?|holes?|dents?|stains?)\b"
)
_ANOMALY_NO = re.compile(
    r"(?i)^\s*(?:no|false|normal|good|ok|defect-?free|non-?defective)\b|\bno\s+(?:anomal(?:y|ies)|defects?|damage)\b"
    r"|\b(?:is|looks|appears|seems)\s+(?:normal|fine|good|intact|defect-?free)\b|\bnot\s+(?:anomalous|defective)\b"
)


def parse_anomaly_score(raw: Any) -> float | None:
    """An anomaly score in [0, 1]: a number in [0, 1] ("0.85", "Anomaly score: 0.12"), a percentage
    ("85%"), else a decision ("Yes", "anomalous", "has a crack" -> 1; "No", "normal", "no defects" -> 0).
    A stated confidence belongs to the decision ("No, normal (confidence: 95%)" -> 0.05, "Yes ... 90% sure" ->
    0.9, also as ``{"answer": "No", "confidence": 0.95}``); a score stated beside it wins ("0.7 (confidence: 60%)"
    -> 0.7). None when the response holds neither (numbers outside [0, 1] are not scores)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if 0.0 <= raw <= 1.0 else None
    wrapped = answer_object(str(raw))
    if wrapped is not None and "confidence" in wrapped:  # unwrapping alone would drop the confidence
        answer = wrapped[wrapped["_key"]]
        answer = ("Yes" if answer else "No") if isinstance(answer, bool) else answer
        raw = f"{answer} (confidence: {wrapped['confidence']})"
    text = strip_answer_lead(clean_response(raw))
    confidence = _CONFIDENCE.search(text)
    if confidence:  # how sure of the decision, not an anomaly score
        rest = text[: confidence.start()] + " " + text[confidence.end():]
        stated = _stated_score(rest)
        if stated is not None:
            return stated
        decision = _anomaly_decision(rest)
        number = confidence.group("value") or confidence.group("value2")
        value = float(number) / (100.0 if confidence.group("percent") or confidence.group("percent2") else 1.0)
        if decision is None or not 0.0 <= value <= 1.0:
            return decision
        return value if decision == 1.0 else round(1.0 - value, 12)
    stated = _stated_score(text)
    if stated is not None:
        return stated
    if is_refusal(text):
        return None
    return _anomaly_decision(text)


def _stated_score(text: str) -> float | None:
    """A score the text states: a percentage up to 100 (as a fraction), else a number in [0, 1]."""
    percent = re.search(r"(\d+(?:\.\d+)?)\s*%", text)
    if percent and float(percent.group(1)) <= 100:
        return float(percent.group(1)) / 100.0
    number = parse_number(text)
    return number if number is not None and 0.0 <= number <= 1.0 else None


#: a number stated as the confidence of the answer ("confidence: 95%", "I am 90% sure", "certainty 0.8")
_CONFIDENCE = re.compile(
    r"\b(?:confidence|certainty|confident|certain|sure)\b(?:\s+(?:level|score))?\s*(?:[:=]|is|of)?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<percent>%)?"
    r"|(?P<value2>\d+(?:\.\d+)?)\s*(?P<percent2>%)\s*(?:confidence|certainty|confident|certain|sure)\b",
    re.IGNORECASE,
)


def _anomaly_decision(text: str) -> float | None:
    """1.0 for an anomalous decision, 0.0 for a normal one (the first stated wins), None for neither."""
    negative, positive = _ANOMALY_NO.search(text), _ANOMALY_YES.search(text)
    if negative and (not positive or negative.start() <= positive.start()):
        return 0.0
    if positive:
        return 1.0
    return None


def split_label_set(text: Any, *, multi: bool) -> frozenset[str]:
    """A label set as the official NLP scorer builds it: lower-cased, split on ``<p>``; with ``multi``
    (multi-label / extraction types) ``", "``, ``";"`` and new lines separate labels too. Empty parts dropped."""
    value = str(text).strip().lower()
    if multi:
        value = re.sub(r",\s|;|\n", "<p>", value)
    parts = (p.strip().strip(".").strip() for p in value.split("<p>"))
    return frozenset(p for p in parts if p)
