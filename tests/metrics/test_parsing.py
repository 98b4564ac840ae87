"""Deterministic answer parsers (never a random or default fallback)."""

from __future__ import annotations

import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.classification import answer_correct
from lmms_general.metrics.judged import verdict
from lmms_general.metrics.parsing import (
    extract_json,
    label_matches,
    normalize_answer,
    parse_boxes,
    parse_frame_boxes,
    parse_label,
    parse_number,
    parse_option_letter,
    parse_polygons,
    split_label_set,
)

OPTIONS = ["I knew he told a lie.", "I believed what he said.", "Nothing", "The dog barked"]

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("B", "B"),
        ("(B)", "B"),
        ("b.", "B"),
        ("Answer: B", "B"),
        ("The final answer is $\\boxed{B}$", "B"),
        ("B. I believed what he said.", "B"),
        ("I think the answer is C.", "C"),
        ("Answer: B because he said so", "B"),
        ("I believed what he said", "B"),  # option text itself
        ("the dog barked!", "D"),
        ("Answer: I do not know", None),
        ("", None),
        (None, None),
        ("E", None),  # beyond the 4 options
        ("no idea", None),
    ],
)
def test_option_letter(raw: str | None, expected: str | None) -> None:
    assert parse_option_letter(raw, OPTIONS) == expected

def test_option_letter_without_options_does_not_guess() -> None:
    assert parse_option_letter("a dog") is None
    assert parse_option_letter("Z") == "Z"

@pytest.mark.parametrize(
    "raw, expected",
    [("42", 42.0), ("The answer is 1,234.5 people.", 1234.5), ("$\\boxed{7}$ apples, 3 pears", 7.0),
     ("I count 3 cars and 4 trucks", 4.0), ("-2.5e1", -25.0), ("none", None), ("nan", None), (float("inf"), None),
     (3, 3.0), (None, None), (True, None)],
)
def test_number(raw: object, expected: float | None) -> None:
    assert parse_number(raw) == expected

def test_json_and_boxes() -> None:
    assert extract_json('Here: ```json\n{"a": [1, 2]}\n``` done') == {"a": [1, 2]}
    assert extract_json("prefix [1, 2] suffix") == [1, 2]
    assert extract_json("{broken") is None
    assert parse_boxes('{"bird": [[1, 2, 3, 4], [5, 6, 7, 8]]}') == [
        {"label": "bird", "bbox": [1.0, 2.0, 3.0, 4.0], "score": 1.0},
        {"label": "bird", "bbox": [5.0, 6.0, 7.0, 8.0], "score": 1.0},
    ]
    assert parse_boxes([{"Fall": [1, 2, 3, 4]}])[0]["label"] == "Fall"
    assert parse_boxes("the box is (10, 20, 30, 40)", "car")[0] == {"label": "car", "bbox": [10.0, 20.0, 30.0, 40.0],
                                                                      "score": 1.0}
    assert parse_boxes("[]") == []
    assert parse_boxes("no object here") is None
    assert parse_boxes('{"bird": "x"}') is None

def test_labels() -> None:
    assert parse_label("It is NOT sarcastic.", ["sarcastic", "not sarcastic"]) == "not sarcastic"
    assert parse_label("positive or negative", ["positive", "negative"]) is None
    assert normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    assert split_label_set("Person, Location<p>org.", multi=True) == {"person", "location", "org"}
    assert split_label_set("Person, Location", multi=False) == {"person, location"}


# --------------------------------------------------------------------------- parsers wired into the metrics


def _score(metric_id: str, raws: list[str], refs: list[object], context: dict | None = None) -> float:
    spec = get_metric(metric_id)
    ctx = context or {}
    return spec.score([spec.parse(r, ctx) for r in raws], [spec.prepare_reference(r, ctx) for r in refs])


def test_accuracy_reads_real_answers() -> None:
    raws = ["I think it's B", "**B**", "答案是B", "Yes, it is.", "It is a Toyota.", "42 apples", "4,2",
            "The answer is B and C", "No, it is not."]
    refs = ["B", "B", "B", "yes", "Toyota", "42", "42", "B", "yes"]
    assert _score("accuracy", raws, refs) == pytest.approx(100 * 6 / 9)


def test_accuracy_with_options_never_credits_two_letters() -> None:
    ctx = {"options": ["cat", "dog", "bird"]}
    assert _score("accuracy", ["The answer is B and C", "B or C", "so the answer is (B)."], ["B", "B", "B"],
                  ctx) == pytest.approx(100 / 3)


def test_accuracy_with_a_label_set() -> None:
    ctx = {"labels": ["Toyota", "Honda", "Ford"]}
    spec = get_metric("accuracy")
    assert spec.parse("It is not a Toyota, it is a Honda.", ctx) == "Honda"
    assert spec.parse("Toyota or Honda", ctx) is None
    assert _score("accuracy", ["It is a Toyota.", "A Honda Civic", "Ford?"], ["Toyota", "Toyota", "Ford"],
                  ctx) == pytest.approx(200 / 3)


def test_empty_reference_is_an_error_and_matches_nothing() -> None:
    spec = get_metric("accuracy")
    with pytest.raises(ValueError, match="empty reference"):
        spec.prepare_reference("", {})
    with pytest.raises(ValueError, match="empty reference"):
        spec.prepare_reference(["", " "], {})
    assert not answer_correct("A", [""]) and not answer_correct("", [""])
    assert not label_matches("A", "")


def test_corpus_classes_map_free_text_onto_reference_classes() -> None:
    raws = ["The utterance is sarcastic.", "This is NOT sarcastic.", "Not sarcastic", "I cannot tell."]
    refs = ["sarcastic", "not sarcastic", "sarcastic", "not sarcastic"]
    # mapped: sarcastic, not sarcastic, not sarcastic (wrong), unparsed (wrong) -> recall 1/2 per class
    assert _score("macro_accuracy", raws, refs) == pytest.approx(50.0)
    assert _score("f_score", raws[:2], refs[:2]) == pytest.approx(100.0)
    assert _score("macro_accuracy", ["Yes, it is.", "No."], ["yes", "no"]) == pytest.approx(100.0)


def test_anomaly_scores_through_the_ap_metric() -> None:
    spec = get_metric("ap")
    assert spec.parse("0.85", {}) == pytest.approx(0.85)
    assert spec.parse("Anomaly score: 0.12", {}) == pytest.approx(0.12)
    assert spec.parse("No anomaly detected.", {}) == 0.0
    assert spec.parse("I cannot determine that.", {}) is None
    raws = ["Anomaly score: 0.9", "0.2", "Anomaly score: 0.7", "0.1"]
    assert _score("ap", raws, ["yes", "no", "yes", "no"]) == pytest.approx(100.0)
    assert _score("ap", raws, ["no", "yes", "no", "yes"]) < 60.0


def test_regression_parse_value() -> None:
    spec = get_metric("mae")
    assert spec.parse("There are 42 apples.", {}) == 42.0
    assert spec.parse("4,2", {}) == 4.2  # a decimal comma
    assert spec.parse("4,2345", {}) is None
    assert spec.parse("I cannot count them.", {}) is None
    assert spec.parse("Here is the map: [[1, 2], [3, 4]]", {}) == [[1, 2], [3, 4]]
    assert spec.parse("out/depth_0001.png", {"task_dir": "/data/t"}) == "/data/t/out/depth_0001.png"


def test_judge_verdicts() -> None:
    assert [verdict(r) for r in ["Not correct.", "NO", "No, it names a dog.", "YES", "Correct.", "incorrect"]] == [
        0.0, 0.0, 0.0, 1.0, 1.0, 0.0]


def test_json_shapes() -> None:
    assert extract_json("{'a': (1, 2), 'b': None, 3: True}") == {"a": [1, 2], "b": None, "3": True}
    assert extract_json('Result: {"a": [1, 2,],} thanks') == {"a": [1, 2]}
    assert extract_json("<think>{1}</think>[3]") == [3]
    assert parse_frame_boxes('{"boxes": [[1, 2, 3, 4], null]}') == [[1.0, 2.0, 3.0, 4.0], None]
    assert parse_polygons('{"polygons": [[[0, 0], [4, 0], [4, 4]]]}') == [[0.0, 0.0, 4.0, 0.0, 4.0, 4.0]]


def test_parsers_are_fast() -> None:
    import time

    text = "Let me think step by step. " * 200 + "So the answer is (C)."
    start = time.perf_counter()
    for _ in range(200):
        assert parse_option_letter(text, OPTIONS) == "C"
        assert parse_number(text + " 42") == 42.0
    for hostile in ("{" * 3000, "[a] " * 3000, "(x, [y, {z " * 1000, "[" * 3000 + "]" * 3000):
        assert extract_json(hostile) is None and parse_boxes(hostile) is None
    assert time.perf_counter() - start < 10.0


# --------------------------------------------------------------------------- label sets (issue 18)

TEMPORAL = ["BEFORE", "IBEFORE", "AFTER", "IAFTER", "INCLUDES", "IS_INCLUDED", "BEGINS", "BEGUN_BY", "ENDS", "ENDED_BY"]
NLI = ["entailment", "neutral", "contradiction"]


def test_fold_makes_spellings_meet() -> None:
    from lmms_general.metrics.label_reading import fold

    assert fold("Citroën IS_INCLUDED Chang Dai-chien") == "citroen is included chang dai chien"
    assert fold("ＢＥＦＯＲＥ") == "before"
    assert fold("Škoda’s") == "skoda's"


@pytest.mark.parametrize(
    "raw, expected",
    [("BEFORE", "BEFORE"), ("IBEFORE", "IBEFORE"), ("ibefore.", "IBEFORE"), ("IS_INCLUDED", "IS_INCLUDED"),
     ("is included", "IS_INCLUDED"), ("INCLUDES", "INCLUDES"), ("BEGUN_BY", "BEGUN_BY"), ("begins", "BEGINS"),
     ("The relation is INCLUDES.", "INCLUDES"), ("IBEFORE (the invasion ends right before the treaty)", "IBEFORE"),
     ("It is BEFORE, not IBEFORE.", "BEFORE"), ("BEFORE or IBEFORE", None), ("INCLUDES / IS_INCLUDED", None),
     ("e1 IS_INCLUDED in e2: the talks took place during the summit", "IS_INCLUDED")],
)
def test_look_alike_labels_need_the_whole_label(raw: str, expected: str | None) -> None:
    assert parse_label(raw, TEMPORAL) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("The relationship is **neutral**: nothing says why he waits.", "neutral"),
     ("It is not neutral.", None),
     ("It is not neutral; it is entailment.", "entailment"),
     ("Neutral. It is neither entailment nor contradiction.", "neutral"),
     ("entailment or neutral", None),
     ("The answer is neutral, although it could also be entailment.", None),
     ("Is it entailment? No: the answer is neutral.", "neutral"),
     ("The premise entails the hypothesis.", "entailment"),
     ("The premise does not entail the hypothesis.", None),
     ("I'm sorry, I cannot tell whether it is neutral.", None)],
)
def test_labels_in_sentences_negations_and_commitments(raw: str, expected: str | None) -> None:
    assert parse_label(raw, NLI) == expected


def test_diacritics_hyphens_and_contained_labels() -> None:
    assert parse_label("Citroen", ["Citroën", "Peugeot"]) == "Citroën"
    assert parse_label("A painting by Chang Dai chien.", ["Chang Dai-chien", "Qi Baishi"]) == "Chang Dai-chien"
    clock = ["quarter", "quarter past", "quarter to"]
    assert parse_label("It's a quarter past three.", clock) == "quarter past"
    assert parse_label("quarter", clock) == "quarter"
    assert parse_option_letter("It's a quarter past three.", clock) == "B"


def test_yes_no_codes_and_code_tables() -> None:
    assert parse_label("Yes, a bird sings.", ["0", "1"], yes_no_codes={"yes": "1", "no": "0"}) == "1"
    assert parse_label("Malignant.", ["yes", "no"]) is None
    assert parse_label("Malignant.", ["benign", "malignant"]) == "malignant"
    codes = {"0": "negative", "1": "neutral", "2": "positive"}
    assert parse_label("The tone is positive.", ["0", "1", "2"], codes=codes) == "2"
    assert parse_label("2", ["0", "1", "2"], codes=codes) == "2"
    assert parse_label("There are 2 speakers and both sound positive.", ["0", "1", "2"], codes=codes) == "2"


def test_the_first_committed_answer_wins() -> None:
    follows = ["The conclusion follows", "The conclusion does not follow"]
    assert parse_option_letter("B. The premises are about cats; option A does not follow.", follows) == "B"
    assert parse_option_letter("Option A does not follow.", follows) is None
    assert parse_label("Positive. The reviewer is negative about the price but positive overall.",
                       ["positive", "negative"]) == "positive"


def test_micro_f1_reads_labels_in_sentences_with_a_label_set() -> None:
    ctx = {"task_type": "classification", "labels": NLI}
    raws = ["The relationship is **neutral**: ...", "Entailment.", "It is not neutral.", "neutral or contradiction"]
    refs = ["neutral", "entailment", "contradiction", "contradiction"]
    spec = get_metric("micro_f1")
    assert [spec.parse(r, ctx) for r in raws] == [["neutral"], ["entailment"], None, None]
    assert _score("micro_f1", raws, refs, ctx) == pytest.approx(100 * 2 * 2 / (2 * 2 + 0 + 2))
    # without a label set the official reading stays: the whole answer is the label
    assert get_metric("micro_f1").parse("The relationship is neutral.", {"task_type": "classification"}) == [
        "the relationship is neutral"]


def test_multi_label_references_are_sets() -> None:
    ctx = {"labels": ["bright", "dark", "percussive", "long_release"], "multi_label": True}
    spec = get_metric("accuracy")
    reference = spec.prepare_reference(["bright", "percussive"], ctx)
    assert reference == {"label_set": ["bright", "percussive"]}
    assert spec.parse("The note is bright and percussive, not dark.", ctx) == ["bright", "percussive"]
    assert _score("accuracy", ["bright"], [["bright", "percussive"]], ctx) == 0.0
    assert _score("accuracy", ["percussive and bright"], [["bright", "percussive"]], ctx) == 100.0
    assert _score("f1", ["bright"], [["bright", "percussive"]], ctx) == pytest.approx(100 * 2 / 3)
    ner = {"task_type": "ner", "labels": ["person", "location", "org"]}
    assert get_metric("micro_f1").parse("Person and location; no org.", ner) == ["location", "person"]


def test_label_reading_stays_linear_on_long_answers() -> None:
    import time

    start = time.perf_counter()
    assert parse_label("neutral " * 2000, NLI) == "neutral"
    assert parse_label("not " * 3000 + "neutral", NLI) is None
    assert parse_option_letter("A " * 3000, ["x", "y"]) == "A"  # only A is ever named
    assert parse_option_letter("A B " * 1500, ["x", "y"]) is None
    assert time.perf_counter() - start < 10.0


def test_yes_no_codes_from_the_question_text() -> None:
    from lmms_general.metrics.classification import context_yes_no_codes

    ctx = {"labels": ["0", "1"], "question": "Is there a bird singing? 1 = Yes, 0 = No"}
    assert context_yes_no_codes(ctx) == {"yes": "1", "no": "0"}
    spec = get_metric("accuracy")
    assert [spec.parse(r, ctx) for r in ("Yes, I hear a bird.", "No.", "1", "Birdsong.")] == ["1", "0", "1", None]
    assert context_yes_no_codes({"question": "Is it a bird? Yes or no."}) is None
    assert context_yes_no_codes({"yes_no_codes": {"yes": "T", "no": "F"}}) == {"yes": "T", "no": "F"}


# --------------------------------------------------------------------------- free text, fill-in, declared boxes


@pytest.mark.parametrize(
    "raw, expected",
    [
        ('Sure! Here\'s the next response:\n\n"You\'re welcome, sir. Let me know if you need anything else."',
         "You're welcome, sir. Let me know if you need anything else."),  # inside the quotes: content
        ('Next response: "Thanks so much."', "Thanks so much."),
        ('Sure! "We\'d better hurry, then."', "We'd better hurry, then."),
        ("Certainly, sir.", "Certainly, sir."),  # a reply, not a wrapper
        ("Thank you! It's really busy in here today.", "Thank you! It's really busy in here today."),
        ("Summary: The team won the championship final 2-1.", "The team won the championship final 2-1."),
        ("Sure, here's a caption: A dog on a beach.", "A dog on a beach."),
        ("Note that the dog is brown.", "Note that the dog is brown."),
        ("In summary, the team won the final.", "the team won the final."),
        ("Summary (one sentence): The team won.", "The team won."),
        ("The team won. Hope this helps!", "The team won."),
        ("Here's a possible next line: Thanks, see you then.", "Thanks, see you then."),
        ("  ", None),
    ],
)
def test_free_text_strips_chat_wrappers(raw: str, expected: str | None) -> None:
    from lmms_general.metrics.parsing import parse_free_text

    assert parse_free_text(raw, {}) == expected


@pytest.mark.parametrize(
    "context, raw, expected",
    [
        ({"task_type": "Dialogue"}, "Staff: My pleasure, sir.", "My pleasure, sir."),
        ({"task_name": "Multi-Turn Daily Dialogue Generation"}, "Speaker B: At nine sharp.", "At nine sharp."),
        # outside dialogue a leading "Word:" is the answer's own text, not a speaker
        ({"question": "What is the capital of France?"}, "Paris: the capital and largest city of France.",
         "Paris: the capital and largest city of France."),
        ({}, "Dog: a brown dog runs on the beach.", "Dog: a brown dog runs on the beach."),
    ],
)
def test_speaker_tags_are_stripped_from_dialogue_turns_only(context: dict, raw: str, expected: str) -> None:
    from lmms_general.metrics.parsing import parse_caption, parse_free_text

    assert parse_free_text(raw, context) == expected
    assert parse_caption("Dog: a brown dog runs.") == "Dog: a brown dog runs."


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("The answer is positive. The reviewer could also be a returning customer.", "positive"),
        ("Positive. Alternatively phrased, the review is upbeat.", "positive"),
        ("positive, but negative is also possible", None),
        ("Positive. It could also be neutral.", None),
        ("Is it positive or negative? It's positive.", "positive"),
    ],
)
def test_an_unrelated_also_later_does_not_void_a_committed_label(answer: str, expected: str | None) -> None:
    from lmms_general.metrics.label_reading import label_reader

    assert label_reader(["positive", "negative", "neutral"]).read(answer) == expected


def test_speaker_lines_are_not_yes_no_codes() -> None:
    from lmms_general.metrics.classification import context_yes_no_codes, parse_answer

    dialogue = {"question": "Dialogue:\nA: yes, sure.\nB: no thanks.\nWhat does B want?"}
    assert context_yes_no_codes(dialogue) is None
    assert parse_answer("B wants nothing.", dialogue) == "B wants nothing."
    assert context_yes_no_codes({"question": "Is there a bird? 1: Yes, 0: No"}) == {"yes": "1", "no": "0"}
    assert context_yes_no_codes({"question": "Y means yes, N means no"}) == {"yes": "Y", "no": "N"}


def test_prompts_and_parsers_read_yes_no_codes_alike() -> None:
    from lmms_general.metrics.classification import yes_no_codes_in
    from lmms_general.protocol.labels import prompt_yes_no_codes

    for text, codes in [("Is there a bird singing? 1 = Yes, 0 = No", {"yes": "1", "no": "0"}),
                        ("yes -> 1, no -> 0", {"yes": "1", "no": "0"}),
                        ("Is the claim true? Answer: yes or no. Then explain for no reason", None),
                        ("Dialogue:\nA: yes, sure.\nB: no thanks.", None)]:
        assert yes_no_codes_in(text) == codes
        assert prompt_yes_no_codes(text) == (codes or {})


@pytest.mark.parametrize(
    "question, raw, expected",
    [
        ("A: How can I help you? B: Come back after <MASK> when we open.", "Sure! The missing time is 16:00.", "16:00"),
        ("A: How can I help you? B: Come back after <MASK> when we open.", "B: Come back after 4 PM when we open.",
         "4 PM"),
        ("The meeting moved from Monday to <MASK>, one day later.", "Sure! <MASK> = Tuesday", "Tuesday"),
        ("The meeting moved from Monday to <MASK>, one day later.", "**Tuesday** (one day after Monday)", "Tuesday"),
        ("Breakfast is served before <MASK> each day.", "Breakfast is served before 9 AM each day.", "9 AM"),
        ("Breakfast is served before <MASK> each day.", "10:00 a.m.", "10:00 a.m."),
        ("<MASK> is the day after Monday.", "Tuesday is the day after Monday.", "Tuesday"),
        ("The meeting moved from Monday to <MASK>, one day later.", "The answer is Tuesday.", "Tuesday"),
        ("The meeting moved from Monday to <MASK>, one day later.", "Tuesday: one day after Monday", "Tuesday"),
        ("The meeting moved from Monday to <MASK>, one day later.", "Day: Tuesday", "Tuesday"),
        ("The meeting moved from Monday to <MASK>, one day later.", "Tuesday - the next day", "Tuesday"),
        ("A: How can I help you? B: Come back after <MASK> when we open.", "4:00 PM", "4:00 PM"),
        ("The meeting moved from Monday to <MASK>, one day later.",
         "The meeting moved from Monday to **Tuesday**, one day later.", "Tuesday"),
    ],
)
def test_fill_in_the_blank_gives_the_filled_span(question: str, raw: str, expected: str) -> None:
    from lmms_general.metrics.registry import parse_text

    assert parse_text(raw, {"question": question}) == expected


def test_boxes_declared_as_corners_are_converted() -> None:
    from lmms_general.metrics.parsing import parse_boxes
    from lmms_general.metrics.segmentation import parse_tube
    from lmms_general.metrics.tracking import parse_track

    corners = 'Bounding box in (x1, y1, x2, y2) format:\n{"bird": [[2, 3, 10, 9]]}'
    assert parse_boxes(corners)[0]["bbox"] == [2.0, 3.0, 8.0, 6.0]
    assert parse_boxes('xyxy: [[2, 3, 10, 9]]')[0]["bbox"] == [2.0, 3.0, 8.0, 6.0]
    assert parse_boxes('{"bird": [[2, 3, 10, 9]]}')[0]["bbox"] == [2.0, 3.0, 10.0, 9.0]  # as the prompt asks
    assert parse_boxes('[x, y, width, height] (not x1, y1, x2, y2): [[2, 3, 10, 9]]')[0]["bbox"] == [2, 3, 10, 9]
    assert parse_boxes('[x_min, y_min, x_max, y_max]: [[10, 3, 2, 9]]')[0]["bbox"] == [10, 3, 2, 9]  # not corners
    assert parse_tube('Boxes as [x1, y1, x2, y2]: {"0": [6, 5, 10, 13]}', {}) == {"0": [6.0, 5.0, 4.0, 8.0]}
    assert parse_track('[x_min, y_min, x_max, y_max]: [[4, 4, 8, 8], null]', {}) == [[4.0, 4.0, 4.0, 4.0], None]


def test_truncated_json_boxes_are_unparsed() -> None:
    from lmms_general.metrics.parsing import parse_boxes

    assert parse_boxes('{"bird": [[2, 3, 8, 6]]') is None
    assert parse_boxes('The bird is at [2, 3, 8, 6].')[0]["bbox"] == [2.0, 3.0, 8.0, 6.0]


def test_code_answers_keep_comments_and_operators() -> None:
    spec = get_metric("codebleu")
    assert spec.parse("# add one\nx = 2**3 + 1\n", {}) == "# add one\nx = 2**3 + 1"
