"""``--model general_bench_oracle``: the ground-truth oracle.

It answers every General-Bench sample with its reference, rendered by the task kind's answer format in exactly the
format the prompt asks for (:mod:`lmms_general.protocol.formats`); generation samples get the reference media
copied into the run's output folder in the media-response convention. Through the real pipeline every task must
then score its perfect value: a task that does not exposes a prompt/parser/metric mismatch.

It opens every input of every sample first (decoding images, frames, audio, arrays, and a frame of each video), so
a media path that breaks fails the sample as it would for a real model. ``corrupt=0.3,seed=0`` replaces that share
of answers (chosen deterministically per sample) with wrong answers in the same format, so scores drop by about
that share. Samples of other (non General-Bench) tasks get an explicit ``[ERROR]`` answer.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from lmms_eval.api.model import lmms

from model_adapters.base import bind_device
from model_adapters.media_output import default_output_dir, safe_name

logger = logging.getLogger(__name__)


def _unit_interval(seed: int, task: str, sample_id: str) -> float:
    """A deterministic number in [0, 1) per (seed, task, sample): which samples the corruption hits."""
    digest = hashlib.sha256(f"{seed}\0{task}\0{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def open_inputs(row: Any) -> None:
    """Open every input medium of a doc the way a model would; raises naming the file when one cannot be read."""
    from lmms_general.hooks.media import load_inputs, media_failure
    from lmms_general.protocol import doc_of

    doc = doc_of(row)
    if doc.load_error:
        raise ValueError(doc.load_error)
    for kind, values in load_inputs(doc):
        if kind == "video":
            for path in values:
                _first_video_frame(str(path))
    problem = media_failure(doc.registry_key, doc.sample_id)
    if problem:
        raise ValueError(problem)


def _first_video_frame(path: str) -> None:
    from lmms_general.metrics.media import load_video

    if not len(load_video(path, max_frames=1)):
        raise ValueError(f"{path}: the video has no frame")


class GroundTruthOracle(lmms):
    """The ground-truth oracle (simple-style lmms-eval model; generation requests only)."""

    is_simple = True

    def __init__(self, corrupt: float | str = 0.0, seed: int | str = 0, output_dir: str | None = None,
                 pretrained: str | None = None, batch_size: int | str = 1, device: str | None = None,
                 **unknown: Any) -> None:
        """``pretrained`` only names the run in reports (lmms-eval's model-name convention); nothing is loaded."""
        super().__init__()
        if unknown:
            raise TypeError(f"general_bench_oracle: unknown model_args {sorted(unknown)} "
                            "(accepted: corrupt, seed, output_dir, pretrained)")
        self.corrupt = float(corrupt)
        if not 0.0 <= self.corrupt <= 1.0:
            raise ValueError(f"general_bench_oracle: corrupt must be in [0, 1], got {corrupt}")
        self.seed = int(seed)
        name = "general_bench_oracle" if self.corrupt == 0 else f"general_bench_oracle_corrupt{self.corrupt:g}"
        self.output_dir = Path(output_dir or default_output_dir(name))
        self.batch_size_per_gpu = int(batch_size) if str(batch_size).isdigit() else 1
        # lmms-eval's multi-process path (torchrun / accelerate) gathers counts on `lm.device`
        self.device = bind_device(device)

    def answer(self, row: Any, task: str) -> str:
        """The (possibly corrupted) reference answer of one doc."""
        from lmms_general.protocol import doc_of, prepared_reference
        from lmms_general.protocol.formats import answer_format
        from lmms_general.protocol.media_response import failure

        doc = doc_of(row)
        try:
            open_inputs(doc)
        except Exception as exc:  # noqa: BLE001 - a broken input fails this sample only, as for a real model
            return failure(f"oracle {task}/{doc.sample_id}: cannot read input: {type(exc).__name__}: {exc}")
        reference = prepared_reference(doc)
        if reference is None:
            return failure(f"oracle {task}/{doc.sample_id}: the sample has no reference answer (Closeset?)")
        context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
        folder = self.output_dir / safe_name(task)
        fmt = answer_format(doc.task_kind)
        if self.corrupt and _unit_interval(self.seed, task, doc.sample_id) < self.corrupt:
            return fmt.render_wrong(reference, context, folder)
        return fmt.render(reference, context, folder)

    def generate_until(self, requests: list[Any]) -> list[str]:
        from lmms_general.protocol.doc import is_general_bench_row
        from lmms_general.protocol.media_response import failure

        answers = []
        for instance in requests:
            _ctx, _gen_kwargs, _doc_to_visual, doc_id, task, split = instance.args
            row = self.task_dict[task][split][doc_id]
            if not is_general_bench_row(row):
                answers.append(f"[ERROR] general_bench_oracle answers General-Bench tasks only, not {task}")
                continue
            try:
                answers.append(self.answer(row, task))
            except Exception as exc:  # noqa: BLE001 - counted per sample by the hooks, never raised
                logger.exception("oracle: %s sample %s", task, doc_id)
                answers.append(failure(f"oracle {task}/{doc_id}: {type(exc).__name__}: {exc}"))
        return answers

    def loglikelihood(self, requests: list[Any]) -> list[tuple[float, bool]]:
        raise NotImplementedError("general_bench_oracle answers generate_until requests only")

    def generate_until_multi_round(self, requests: list[Any]) -> list[str]:
        raise NotImplementedError("general_bench_oracle answers generate_until requests only")
