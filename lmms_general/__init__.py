"""lmms_general: General-Bench tasks and General-Level scoring for lmms-eval."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def lm_eval_task_manager(root: Any = None, **kwargs: Any) -> Any:
    """An ``lm_eval.tasks.TaskManager`` for the NLP tasks under lm-evaluation-harness (needs the ``lm-eval`` extra).

    See :func:`lmms_general.lm_eval_route.lm_eval_task_manager`.
    """
    from lmms_general.lm_eval_route import lm_eval_task_manager as build

    return build(root, **kwargs)
