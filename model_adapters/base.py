"""Shared lmms-eval base class for the generalist adapters: request parsing, routing, batching, failure counting.

Subclasses implement :meth:`GeneralistAdapter.understand` (comprehension requests -> text) and
:meth:`GeneralistAdapter.generate` (one batch of same-kind generation requests -> response strings), and list
the generation kinds they support in ``supported_kinds``. Any exception inside a batch is retried item by item;
an item that still fails becomes a ``[GENERATION_FAILED] ...`` response, is logged and counted, never raised.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from typing import Any

from lmms_eval.api.model import lmms

from model_adapters import resume
from model_adapters.media_output import MediaWriter, default_output_dir, failure, is_failure
from model_adapters.requests import GenRequest, parse_request

logger = logging.getLogger(__name__)


def as_bool(value: Any) -> bool:
    """Parse a ``--model_args`` boolean (``true/false/1/0/yes/no``)."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def optional(value: Any) -> Any:
    """``None`` for empty / ``none`` / ``null`` model args, else the value."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "none", "null"}):
        return None
    return value


def local_rank() -> int:
    """This process's rank on its node: ``LOCAL_RANK`` (set by torchrun and accelerate launch), else 0."""
    try:
        return int(os.environ.get("LOCAL_RANK", "0"))
    except ValueError:
        return 0


def world_size() -> int:
    """Number of processes in the run: ``WORLD_SIZE`` (torchrun / accelerate), else 1."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def bind_device(device: Any) -> str:
    """The device this process should use for ``device``.

    ``auto`` picks ``cuda`` when available, else ``cpu``. Under several processes (torchrun / accelerate
    launch), a CUDA device becomes ``cuda:<LOCAL_RANK>`` so rank N does not load onto GPU 0 with every other
    rank; an explicit different index is overridden with a warning (data parallelism means one GPU per rank).
    ``cpu`` / ``mps`` are kept. Single process: the device as given. More ranks than visible GPUs share them
    round-robin (``cuda:<LOCAL_RANK % device_count>``, as accelerate does), e.g. two ranks on one GPU.
    """
    name = str(optional(device) or "cpu").strip()
    if name == "auto":
        import torch

        name = "cuda" if torch.cuda.is_available() else "cpu"
    if world_size() == 1 or not name.startswith("cuda"):
        return name
    bound = f"cuda:{local_rank()}"
    if name not in {"cuda", "cuda:0", bound}:
        logger.warning("device=%s ignored under %d processes: rank-local device is %s", name, world_size(), bound)
    import torch

    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        if local_rank() >= count:
            bound = f"cuda:{local_rank() % count}"
            logger.warning("rank %d shares %s: %d ranks, %d GPUs", local_rank(), bound, world_size(), count)
        torch.cuda.set_device(bound)  # NCCL collectives and bare .cuda() calls follow the rank's GPU
    return bound


class GeneralistAdapter(lmms):
    """Base of every adapter here (simple style: requests carry ``ctx`` and ``doc_to_visual``)."""

    is_simple = True
    model_name = "generalist"
    supported_kinds: frozenset[str] = frozenset()
    understands = True

    def __init__(
        self,
        output_dir: str | None = None,
        batch_size: int | str = 1,
        device: str = "cpu",
        seed: int = 0,
        max_new_tokens: int = 128,
        max_batch_size: Any = None,
        resume: bool | str = True,
        **unknown: Any,
    ) -> None:
        super().__init__()
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown model_args {sorted(unknown)}")
        self.output_dir = str(optional(output_dir) or default_output_dir(self.model_name))
        self.batch_size = max(1, int(batch_size)) if str(batch_size).isdigit() else 1
        self.device = bind_device(device)
        self.seed = int(seed)
        self.max_new_tokens = int(max_new_tokens)
        self.failures: list[str] = []
        self.generated_items = 0
        self.reused_items = 0
        self.resume = as_bool(resume)
        if world_size() > 1:
            self._warm_shared_index()

    @staticmethod
    def _warm_shared_index() -> None:
        """Several ranks: index ``$GENERAL_BENCH_ROOT`` once under a file lock (the others read its cache)."""
        from lmms_general.launch.shared_index import warm_index

        try:
            warm_index()
        except Exception as exc:  # noqa: BLE001 - the task hooks report a bad root with the task's name
            logger.warning("General-Bench index not pre-built (%s); each rank builds its own", exc)

    # -- to implement ----------------------------------------------------------------------------------
    def understand(self, batch: list[GenRequest], instances: list[Any]) -> list[str]:
        """Answer comprehension requests with text (one string per request)."""
        raise NotImplementedError(f"{self.model_name} has no understanding path")

    def generate(self, kind: str, batch: list[GenRequest]) -> list[str]:
        """Produce media for a batch of requests of one generation kind; return JSON responses."""
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------------------------
    def writer(self, req: GenRequest) -> MediaWriter:
        """A media writer for this request (``<output_dir>/<task>/<sample_id>_<request key>_<k>.<ext>``)."""
        return MediaWriter(self.output_dir, req.task, req.sample_id, request_key=resume.request_key(self, req))

    def generator(self, offset: int = 0):
        """A seeded CPU ``torch.Generator`` (deterministic outputs across runs)."""
        import torch

        return torch.Generator(device="cpu").manual_seed(self.seed + offset)

    # -- lmms-eval API -----------------------------------------------------------------------------------
    def loglikelihood(self, requests: list[Any]) -> list[tuple[float, bool]]:
        raise NotImplementedError(f"{self.model_name} does not support loglikelihood requests")

    def generate_until_multi_round(self, requests: list[Any]) -> list[str]:
        raise NotImplementedError(f"{self.model_name} does not support multi-round requests")

    def generate_until(self, requests: list[Any]) -> list[str]:
        """Route every request to understanding or generation; return responses in request order."""
        results: list[str | None] = [None] * len(requests)
        comprehension: list[tuple[GenRequest, Any]] = []
        by_kind: dict[str, list[GenRequest]] = defaultdict(list)
        for position, instance in enumerate(requests):
            try:
                req = parse_request(position, instance, self.task_dict)
            except Exception as exc:  # bad input for one sample: counted, others continue
                results[position] = self._fail(instance.args[4], instance.args[3], f"reading inputs: {exc!r}")
                continue
            if req.load_error:
                results[position] = self._fail(req.task, req.sample_id, f"load error: {req.load_error}")
            elif not req.kind:
                comprehension.append((req, instance))
            elif req.kind not in self.supported_kinds:
                results[position] = self._fail(
                    req.task,
                    req.sample_id,
                    f"{self.model_name} cannot do {req.kind} (supports {sorted(self.supported_kinds)})",
                )
            else:
                by_kind[req.kind].append(req)
        if comprehension:
            self._run_understanding(comprehension, results)
        for kind, reqs in by_kind.items():
            for start in range(0, len(reqs), self.batch_size):
                self._run_generation(kind, reqs[start : start + self.batch_size], results)
        final = [r if r is not None else failure("no response") for r in results]
        self.failures.extend(r for r in final if is_failure(r))
        if self.failures:
            logger.warning("%s: %d failed request(s) so far", self.model_name, len(self.failures))
        return final

    def _run_understanding(self, pairs: list[tuple[GenRequest, Any]], results: list[str | None]) -> None:
        batch = [req for req, _ in pairs]
        try:
            answers = self.understand(batch, [inst for _, inst in pairs])
        except Exception as exc:
            logger.exception("%s: understanding failed", self.model_name)
            answers = [self._fail(req.task, req.sample_id, f"understanding: {exc!r}") for req in batch]
        for req, answer in zip(batch, answers, strict=True):
            results[req.position] = answer.text if hasattr(answer, "text") else str(answer)

    def _reuse(self, batch: list[GenRequest], results: list[str | None]) -> list[GenRequest]:
        """Fill results of requests whose media a previous run already wrote; return the others."""
        todo = []
        for req in batch:
            key = resume.request_key(self, req)
            reused = resume.load_reusable(resume.manifest_path(self.output_dir, req.task, req.sample_id, key))
            if reused is None:
                todo.append(req)
            else:
                results[req.position] = reused
                self.reused_items += 1
        if len(todo) < len(batch):
            logger.info("%s: reused media of %d request(s) from %s (resume=false regenerates)", self.model_name,
                        len(batch) - len(todo), self.output_dir)
        return todo

    def _remember(self, req: GenRequest, response: str) -> None:
        key = resume.request_key(self, req)
        try:
            resume.store(resume.manifest_path(self.output_dir, req.task, req.sample_id, key), response, key)
        except OSError as exc:  # resume is an optimisation; the run goes on
            logger.warning("%s: could not record %s/%s for resume: %s", self.model_name, req.task, req.sample_id, exc)

    def _run_generation(self, kind: str, batch: list[GenRequest], results: list[str | None]) -> None:
        if self.resume:
            batch = self._reuse(batch, results)
            if not batch:
                return
        try:
            outputs = self.generate(kind, batch)
        except Exception as exc:
            if len(batch) == 1:
                logger.exception("%s: %s failed for %s", self.model_name, kind, batch[0].sample_id)
                outputs = [self._fail(batch[0].task, batch[0].sample_id, f"{kind}: {exc!r}")]
            else:
                for req in batch:  # retry one by one so one bad sample does not sink the batch
                    self._run_generation(kind, [req], results)
                return
        for req, out in zip(batch, outputs, strict=True):
            results[req.position] = out
            if not is_failure(out):
                self.generated_items += 1
                self._remember(req, out)

    def _fail(self, task: Any, sample_id: Any, reason: str) -> str:
        message = failure(f"{self.model_name} {task}/{sample_id}: {reason}")
        logger.warning(message)
        return message
