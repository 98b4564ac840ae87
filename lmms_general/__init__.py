"""lmms_general: General-Bench tasks and General-Level scoring for lmms-eval.

Python API (imported lazily, so ``import lmms_general`` stays cheap)::

    import lmms_general
    run = lmms_general.evaluate(model="qwen2_vl", tasks="general_bench_nlp", root="/data/General-Bench-Openset")
    report = lmms_general.compute_level(run, mode="corrected")
    report.models[0].result.level
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module holding it
_LAZY = {
    "evaluate": "lmms_general.api",
    "compute_level": "lmms_general.api",
    "EvaluationRun": "lmms_general.api",
    "LevelReport": "lmms_general.api",
    "ModelReport": "lmms_general.reports.tables",
    "LevelResult": "lmms_general.level.types",
    "ModalityResult": "lmms_general.level.types",
    "TaskOutcome": "lmms_general.level.types",
    "ResultsError": "lmms_general.results.types",
}

__all__ = ["__version__", "lm_eval_task_manager", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    from lmms_general.api import EvaluationRun, LevelReport, compute_level, evaluate  # noqa: F401
    from lmms_general.level.types import LevelResult, ModalityResult, TaskOutcome  # noqa: F401
    from lmms_general.reports.tables import ModelReport  # noqa: F401
    from lmms_general.results.types import ResultsError  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lmms_general' has no attribute {name!r}")


def lm_eval_task_manager(root: Any = None, **kwargs: Any) -> Any:
    """An ``lm_eval.tasks.TaskManager`` for the NLP tasks under lm-evaluation-harness (needs the ``lm-eval`` extra).

    See :func:`lmms_general.lm_eval_route.lm_eval_task_manager`.
    """
    from lmms_general.lm_eval_route import lm_eval_task_manager as build

    return build(root, **kwargs)
