"""The synthetic row samples live in :mod:`lmms_general.metrics.synthetic` (``lmms-general metrics
--check-rows`` uses them too); this module re-exports them for the tests."""

from lmms_general.metrics.synthetic import *  # noqa: F403
from lmms_general.metrics.synthetic import (  # noqa: F401
    PREDICTION_KINDS,
    UNPARSABLE_TEXT,
    RowCase,
    SyntheticSample,
    build_row,
    build_rows,
    describe,
    generator_for,
)
