"""Deterministic answer parsers (never a random or default fallback)."""

from __future__ import annotations

import pytest

from lmms_general.metrics.parsing import (
    extract_json,
    normalize_answer,
    parse_boxes,
    parse_label,
    parse_number,
    parse_option_letter,
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
