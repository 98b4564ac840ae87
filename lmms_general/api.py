"""Python API in lm-eval's style: run General-Bench through lmms-eval, compute General-Level from results.

    import lmms_general
    run = lmms_general.evaluate(model="qwen2_vl", tasks=["general_bench_nlp"], root="/data/General-Bench-Openset",
                                model_args="pretrained=Qwen/Qwen2-VL-2B-Instruct", limit=8)
    report = lmms_general.compute_level(run.output_path, mode="corrected")
    print(report.models[0].result.level, report.models[0].result.level2)

Both return dataclasses; nothing here is imported by ``import lmms_general`` until first used. This module only
re-exports: running lmms-eval lives in :mod:`lmms_general.lmms_run`, the General-Level run in
:mod:`lmms_general.level_run`.
"""

from __future__ import annotations

from lmms_general.level_run import LevelReport, compute_level, data_roots, score_models
from lmms_general.lmms_run import EvaluationRun, evaluate

__all__ = ["EvaluationRun", "LevelReport", "compute_level", "data_roots", "evaluate", "score_models"]
