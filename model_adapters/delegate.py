"""Delegation of text answers to any lmms-eval model.

Example model args: ``comp_model=qwen2_vl,comp_model_args=pretrained=...;device=cpu``.
"""

from __future__ import annotations

from typing import Any

_AUX_TASK = "__generalist_aux__"


def load_lmms_model(name: str, arg_string: str = "", device: str | None = None) -> Any:
    """Build a registered lmms-eval model; ``;`` in ``arg_string`` stands for ``,`` (model_args nesting)."""
    from lmms_eval.models import get_model

    args = arg_string.replace(";", ",")
    cls = get_model(name)
    return cls.create_from_arg_string(args, {"device": device} if device and "device=" not in args else None)


def ask(model: Any, prompts: list[str], visuals: list[list[Any]], max_new_tokens: int = 64) -> list[str]:
    """Ask a simple-style lmms-eval model free-form questions about arbitrary media (one answer per prompt)."""
    from lmms_eval.api.instance import Instance

    docs = [{"visuals": v} for v in visuals]
    model.task_dict = {**getattr(model, "task_dict", {}), _AUX_TASK: {"aux": docs}}
    requests = [
        Instance(
            request_type="generate_until",
            arguments=(prompt, {"max_new_tokens": max_new_tokens}, _aux_visuals, i, _AUX_TASK, "aux"),
            idx=0,
            metadata={"task": _AUX_TASK, "doc_id": i, "repeats": 1},
        )
        for i, prompt in enumerate(prompts)
    ]
    answers = model.generate_until(requests)
    return [a.text if hasattr(a, "text") else str(a) for a in answers]


def _aux_visuals(doc: dict[str, Any]) -> list[Any]:
    return list(doc["visuals"])
