"""lmms-eval hooks shared by every General-Bench task YAML (referenced as ``!function lmms_general.hooks.X``).

Thin adapters from lmms-eval's calling conventions to :mod:`lmms_general.protocol`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from typing import Any

from lmms_general.hooks import docs as _docs  # noqa: F401 - registers the doc store's builder of tasks' docs
from lmms_general.hooks.media import doc_to_visual, load_inputs, record_unsupported, unsupported_inputs
from lmms_general.hooks.results import aggregate_error, aggregate_failed, aggregate_score, process_results
from lmms_general.protocol import doc_of

__all__ = [
    "aggregate_error",
    "aggregate_failed",
    "aggregate_score",
    "doc_to_messages",
    "doc_to_target",
    "doc_to_text",
    "doc_to_visual",
    "process_results",
]


def doc_to_text(doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None) -> str:
    """Prompt text with the model-specific pre/post prompt from the YAML (the doc's prompt is built once)."""
    kwargs = lmms_eval_specific_kwargs or {}
    return f"{kwargs.get('pre_prompt', '')}{doc_of(doc).prompt}{kwargs.get('post_prompt', '')}"


def doc_to_target(doc: Mapping[str, Any]) -> str:
    """The annotation's output as text, for lmms-eval's sample log."""
    output = doc_of(doc).sample.get("output")
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, default=str)


_CHAT_TYPE = {"image": "image", "frames": "image", "video": "video", "audio": "audio"}


def doc_to_messages(
    doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Chat messages with explicitly typed media (lmms-eval mislabels untyped audio dicts as video).

    Chat content has no 3D type: with ``LMMS_GENERAL_RENDER_3D`` set, point clouds and meshes go as rendered views
    (images); otherwise the sample gets the status "input modality not supported by this model" (scored as failed),
    never a prompt without its input. Simple-mode models get the arrays via ``doc_to_visual``.
    """
    missing = unsupported_inputs(doc, frozenset(_CHAT_TYPE))
    if missing:
        record_unsupported(doc, missing)
    content: list[dict[str, Any]] = [
        {"type": _CHAT_TYPE[kind], "url": value}
        for kind, values in load_inputs(doc)
        if kind in _CHAT_TYPE
        for value in values
    ]
    content.append({"type": "text", "text": doc_to_text(doc, lmms_eval_specific_kwargs)})
    return [{"role": "user", "content": content}]


def _keep_signatures(*hooks: Any) -> None:
    """Store each hook's signature on it: lmms-eval calls ``inspect.signature`` on ``doc_to_visual`` /
    ``doc_to_messages`` for every request of a task with ``lmms_eval_specific_kwargs`` (all of ours), and a stored
    ``__signature__`` is returned as is instead of being rebuilt from the function each time."""
    for hook in hooks:
        hook.__signature__ = inspect.signature(hook)


_keep_signatures(doc_to_visual, doc_to_messages, doc_to_text)
