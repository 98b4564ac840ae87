"""The answer protocol: typed docs, one answer format per task kind, and the one per-sample scoring path.

Independent of lmms-eval: the lmms-eval hooks (:mod:`lmms_general.hooks`), ``lmms-general score`` and re-scoring
from sample logs all go through :func:`score_item` and :func:`task_score`.
"""

from lmms_general.protocol.doc import Doc, MediaRef, doc_of, doc_row, make_doc, task_docs
from lmms_general.protocol.formats import FORMATS, AnswerFormat, answer_format
from lmms_general.protocol.kinds import generation_kind, output_modality, task_kind
from lmms_general.protocol.prompts import build_prompt
from lmms_general.protocol.references import has_reference, raw_reference
from lmms_general.protocol.scoring import SampleItem, TaskScore, prepared_reference, score_item, task_score

__all__ = [
    "FORMATS",
    "AnswerFormat",
    "Doc",
    "MediaRef",
    "SampleItem",
    "TaskScore",
    "answer_format",
    "build_prompt",
    "doc_of",
    "doc_row",
    "generation_kind",
    "has_reference",
    "make_doc",
    "output_modality",
    "prepared_reference",
    "raw_reference",
    "score_item",
    "task_docs",
    "task_kind",
    "task_score",
]
