"""Score the model-side answer corpus (``answers.jsonl``) the way a run does, and compare with its reader.

The corpus was written by someone who read only the prompts (``lmms-general prompts`` output) and the references,
never our renderer or parsers: each row is a raw answer as a chat model writes it, the reader's ``verdict``
(``correct`` / ``wrong`` / ``unparseable``) and the value the reader reads out of it (``expected``). A row agrees when
our score for the answer equals our score for the reader's reading of it:

* ``correct`` / ``wrong`` on choice, label and number tasks: full credit or not, as the reader says;
* on every other kind (text, boxes, masks, tracks), the score of the raw answer equals the score of ``expected``
  given as a bare answer (the reader's reading, free of prose, fences and preambles);
* ``unparseable``: no credit (and, reported apart, the status ``unparsed``).

Docs come from the real route (``lmms_general.hooks.docs.build_docs``: the task's label set included), answers go
through :func:`lmms_general.protocol.score_item` and :func:`lmms_general.protocol.task_score`.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("answers.jsonl")
#: a second corpus by another writer, written after the prompt rework and never used to tune the parsers
HELDOUT = Path(__file__).with_name("heldout.jsonl")
ADJUSTMENTS = Path(__file__).with_name("adjustments.json")
#: kinds whose reader verdict is full credit or none
VERDICT_KINDS = frozenset({"qa", "label_set", "number", "anomaly"})


@dataclass(frozen=True)
class Outcome:
    task: str
    sample_id: str
    kind: str
    style: str
    answer: str
    verdict: str
    agrees: bool
    status: str
    ours: float | None
    wanted: float | None


def rows(corpus: Path = CORPUS) -> list[dict[str, Any]]:
    """The corpus rows with the reader adjustments applied (each adjustment carries its reason)."""
    adjustments = json.loads(ADJUSTMENTS.read_text(encoding="utf-8")) if ADJUSTMENTS.exists() else []
    by_answer = {(a["task"], a["sample_id"], a["answer"]): a for a in adjustments}
    out = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        fix = by_answer.get((row["task"], row["sample_id"], row["answer"]))
        if fix:
            row = {**row, "verdict": fix["verdict"], "expected": fix.get("expected", row["expected"])}
        out.append(row)
    return out


@functools.cache
def _docs(task: str, root: str) -> Mapping[str, Any]:
    from lmms_general.hooks.docs import build_docs
    from lmms_general.protocol import doc_of
    from lmms_general.registry import TASK_PREFIX

    return {d.sample_id: d for d in (doc_of(r) for r in build_docs(task.removeprefix(TASK_PREFIX), root))}


def _score(doc: Any, answer: str) -> tuple[float | None, str]:
    from lmms_general.protocol import score_item, task_score

    item = score_item(doc, answer)
    return task_score([item], doc.registry_key).score, str(item["status"])


def _perfect(doc: Any) -> float | None:
    from lmms_general.protocol import answer_format, prepared_reference

    context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
    return _score(doc, answer_format(doc.task_kind).render(prepared_reference(doc), context))[0]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _as_answer(expected: Any) -> str:
    return expected if isinstance(expected, str) else json.dumps(expected, ensure_ascii=False)


def outcomes(root: Path, corpus: Path = CORPUS) -> Iterator[Outcome]:
    """One :class:`Outcome` per corpus row."""
    for row in rows(corpus):
        doc = _docs(row["task"], str(root))[row["sample_id"]]
        ours, status = _score(doc, row["answer"])
        verdict = row["verdict"]
        if doc.task_kind in VERDICT_KINDS or verdict == "unparseable":
            perfect = _perfect(doc)
            credited = _same(ours, perfect)
            agrees = credited == (verdict == "correct")
            wanted = perfect if verdict == "correct" else None
        else:
            wanted = _score(doc, _as_answer(row["expected"]))[0] if row["expected"] is not None else None
            agrees = _same(ours, wanted)
        yield Outcome(row["task"], row["sample_id"], doc.task_kind, row.get("style", ""), row["answer"], verdict,
                      agrees, status, ours, wanted)


def summary(results: list[Outcome]) -> str:
    """Agreement overall and per kind, and the unparseable rows our parser did not leave unparsed."""
    lines = [f"model-side corpus: {sum(r.agrees for r in results)} of {len(results)} rows agree with the reader "
             f"({100 * sum(r.agrees for r in results) / max(len(results), 1):.1f} %)"]
    for kind in sorted({r.kind for r in results}):
        part = [r for r in results if r.kind == kind]
        lines.append(f"  {kind:<12} {sum(r.agrees for r in part):>4} / {len(part)}")
    unparseable = [r for r in results if r.verdict == "unparseable"]
    lines.append(f"  unparseable rows left unparsed: {sum(r.status == 'unparsed' for r in unparseable)} / "
                 f"{len(unparseable)}")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.answers.model_side.agreement [heldout]: the table and every disagreement
    import sys

    from tests.conftest import SAMPLE_ROOT

    found = list(outcomes(SAMPLE_ROOT, HELDOUT if sys.argv[1:] == ["heldout"] else CORPUS))
    for r in found:
        if not r.agrees:
            print(f"DISAGREE {r.task} {r.sample_id} [{r.style}] verdict={r.verdict} status={r.status} "
                  f"ours={r.ours} wanted={r.wanted}: {r.answer[:90]!r}")
    print(summary(found))
