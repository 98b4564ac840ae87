"""How closely each metric's per-sample statistics (``MetricSpec.statistics``) reproduce its ``compute`` on the 699
rows' synthetic samples (:mod:`lmms_general.metrics.synthetic`): the largest |statistics - compute| per metric, over the
perfect / empty / unparsable / random cases with the rows' options (issue 21: whether the point score could come from
the statistics).

Usage: ``python benchmarks/statistics_agreement.py``
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np


def main() -> int:
    from lmms_general.metrics import all_metrics, synthetic
    from lmms_general.registry import load_registry

    logging.disable(logging.WARNING)
    specs = all_metrics()
    worst: dict[str, float] = defaultdict(float)
    compared, declined = Counter(), Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for row in load_registry().values():
            spec = specs[row.metric_id]
            if spec.statistics is None or not (spec.kind == "corpus" or spec.corpus_option):
                continue
            case = synthetic.build_row(row, Path(tmp))
            for kind in synthetic.PREDICTION_KINDS:
                predictions, references = case.predictions(kind), case.references
                try:
                    point = spec.score(predictions, references, **row.compute_options)
                except Exception:  # noqa: BLE001 - a case the metric itself rejects has nothing to compare
                    continue
                replicator = spec.statistics(predictions, references, **row.compute_options)
                if replicator is None:
                    declined[spec.id] += 1
                    continue
                value = float(replicator(np.arange(len(predictions))[None, :])[0])
                compared[spec.id] += 1
                worst[spec.id] = max(worst[spec.id], abs(value - point))
    print(f"{'metric':<16}{'cases':>6}  {'max |statistics - compute|':>27}  declined (statistics None)")
    for metric_id in sorted(compared | declined):
        print(f"{metric_id:<16}{compared[metric_id]:>6}  {worst[metric_id]:>27.3g}  {declined[metric_id]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
