"""Fixed inputs shared by the non-generative metric tests (hand-checked vectors)."""

from __future__ import annotations

# (prediction, reference) pairs for text metrics; references may be lists of acceptable strings
CAPTIONS_PRED = [
    "a man is riding a horse on the beach",
    "two dogs play in the snow",
    "",
    "the cat sleeps",
]
CAPTIONS_REF = [
    ["a man rides a horse along the beach", "a person riding a horse"],
    ["dogs playing in snow"],
    ["a red car parked on the street"],
    ["a cat is sleeping on the sofa"],
]

# micro-F1: label sets where per-sample averaging differs from corpus pooling
LABEL_PRED = ["person<p>location", "org", None, "person<p>org<p>misc"]
LABEL_REF = ["person, location", "org, person", "misc", "person"]
