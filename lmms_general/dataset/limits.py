"""Size limits on what the loader unpacks and reads, each raised by its own environment variable.

Defaults fit the real General-Bench (~206 GB over 699 tasks): the largest task archive is
``AutomobileStreetSceneVideoObjectSegmentation.zip`` (2.6 GB Openset, 3.9 GB Closeset) of JPEG frames
that barely compress, and annotation files are kB to tens of MB. A limit of 0 switches the check off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lmms_general.dataset.errors import DatasetError

GIB = 1 << 30
MIB = 1 << 20


class LimitExceededError(DatasetError):
    """An archive or annotation file is larger than a configured limit (the message names the variable)."""


@dataclass(frozen=True)
class Limit:
    """One limit: its environment variable, default and what it bounds (for messages)."""

    env: str
    default: int
    what: str

    def value(self) -> int:
        """The limit in effect (``$env`` when it is a non-negative integer, else the default)."""
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        if raw.isdigit():
            return int(raw)
        return self.default

    def check(self, amount: int, where: str) -> None:
        """Raise :class:`LimitExceededError` naming ``where`` and the variable when ``amount`` is over the limit."""
        limit = self.value()
        if limit and amount > limit:
            raise LimitExceededError(
                f"{where}: {self.what} {amount:,} exceeds the limit {limit:,}; set {self.env} to a larger "
                f"value (0 = no limit) if this file is genuine"
            )


#: total bytes one archive may unpack to (16x the largest real task archive)
MAX_UNPACKED_BYTES = Limit("LMMS_GENERAL_MAX_UNPACKED_BYTES", 64 * GIB, "unpacked size (bytes)")
#: entries in one archive (VOS/Track archives hold tens of thousands of frames)
MAX_ARCHIVE_ENTRIES = Limit("LMMS_GENERAL_MAX_ARCHIVE_ENTRIES", 2_000_000, "number of entries")
#: unpacked size / archive size, checked once the unpacked total passes :data:`RATIO_FLOOR_BYTES`
MAX_COMPRESSION_RATIO = Limit("LMMS_GENERAL_MAX_COMPRESSION_RATIO", 200, "compression ratio")
#: bytes of one annotation file (read whole into memory)
MAX_ANNOTATION_BYTES = Limit("LMMS_GENERAL_MAX_ANNOTATION_BYTES", 512 * MIB, "annotation file size (bytes)")
#: small archives of text compress well; the ratio check starts above this unpacked size
RATIO_FLOOR_BYTES = 64 * MIB
