"""lmms-eval model adapters for multimodal generalists, registered through the ``lmms_eval.models`` entry point.

``manifests()`` is the entry-point target. lmms-eval calls it when ``lmms_eval.models`` is first imported,
which happens before the CLI builds its TaskManager; we use that moment to make ``task_yamls/`` visible
(see :mod:`lmms_general.lmms_integration`). Listing adapters imports no torch/transformers: each adapter
module is imported only when ``--model`` selects it.
"""

from __future__ import annotations

import os
from typing import Any

#: model id -> (simple class path or None, chat class path or None, aliases)
ADAPTERS: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {
    "general_pipeline": ("model_adapters.general_pipeline.GeneralPipeline", None, ("pipeline_agent",)),
    "janus": ("model_adapters.janus.Janus", None, ("janus_pro",)),
    "emu3": ("model_adapters.emu3.Emu3", None, ()),
    "emu2": ("model_adapters.emu2.Emu2", None, ()),
    "next_gpt": ("model_adapters.next_gpt.NextGPT", None, ("nextgpt",)),
    "general_bench_oracle": ("model_adapters.oracle.GroundTruthOracle", None, ()),
}


def manifests() -> list[Any]:
    """Return lmms-eval ``ModelManifest`` objects for every adapter (and expose our tasks to lmms-eval).

    ``LMMS_GENERAL_DISABLE_ENTRY_POINT=1`` turns the entry point off (no adapters, no tasks).
    """
    if os.environ.get("LMMS_GENERAL_DISABLE_ENTRY_POINT", "").strip() not in ("", "0"):
        return []
    from lmms_eval.models.registry_v2 import ModelManifest

    from lmms_general.lmms_integration import install_task_path

    install_task_path()
    return [
        ModelManifest(model_id=model_id, simple_class_path=simple, chat_class_path=chat, aliases=aliases)
        for model_id, (simple, chat, aliases) in ADAPTERS.items()
    ]
