"""How much one file may cost: safe defaults, each overridable by an environment variable
(`JAD_LIMIT_*`, read and checked in orchestration/settings.py).

Files arrive from dozens of services by email and shared drives; a few are broken, some
are hostile (a zip bomb named .xlsx, a sheet of a million rows). A file over a limit is
rejected with the limit it broke, before it can exhaust memory or time, and the rest of
the load goes on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from orchestration import settings
from orchestration.ingest.problems import UnreadableFile
from orchestration.settings import MIB


def _default(name: str) -> float:
    return float(settings.default(name))


@dataclass(frozen=True)
class Limits:
    """What one file may cost; the defaults are those of orchestration/settings.py."""

    max_file_bytes: int = int(_default("JAD_LIMIT_FILE_MB") * MIB)
    # a workbook's unzipped parts
    max_uncompressed_bytes: int = int(_default("JAD_LIMIT_UNCOMPRESSED_MB") * MIB)
    max_compression_ratio: float = _default("JAD_LIMIT_COMPRESSION_RATIO")  # beyond: a zip bomb
    max_rows_per_sheet: int = int(_default("JAD_LIMIT_ROWS"))
    max_cells_per_file: int = int(_default("JAD_LIMIT_CELLS"))
    max_seconds_per_file: float = _default("JAD_LIMIT_SECONDS")
    # what reading one file may add to its reading process's memory
    max_memory_bytes: int = int(_default("JAD_LIMIT_MEMORY_MB") * MIB)

    @classmethod
    def from_environment(cls) -> Limits:
        """The limits of `JAD_LIMIT_*` (orchestration/settings.py); a bad value is refused."""
        default = cls()

        def number(name: str, default: float, scale: float = 1) -> float:
            value = settings.positive_number(name, 0.0)
            return value * scale if value else default

        return cls(
            max_file_bytes=int(number("JAD_LIMIT_FILE_MB", default.max_file_bytes, MIB)),
            max_uncompressed_bytes=int(
                number("JAD_LIMIT_UNCOMPRESSED_MB", default.max_uncompressed_bytes, MIB)
            ),
            max_compression_ratio=number(
                "JAD_LIMIT_COMPRESSION_RATIO", default.max_compression_ratio
            ),
            max_rows_per_sheet=int(number("JAD_LIMIT_ROWS", default.max_rows_per_sheet)),
            max_cells_per_file=int(number("JAD_LIMIT_CELLS", default.max_cells_per_file)),
            max_seconds_per_file=number("JAD_LIMIT_SECONDS", default.max_seconds_per_file),
            max_memory_bytes=int(number("JAD_LIMIT_MEMORY_MB", default.max_memory_bytes, MIB)),
        )


class Deadline:
    """The time a file may take, checked between the phases of its reading (a Rust call
    cannot be interrupted; the size limits bound what it can cost)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def check(self, phase: str) -> None:
        if time.monotonic() > self.until:
            raise UnreadableFile(
                "over_time_limit",
                f"reading the file took longer than {self.seconds:.0f} s (at {phase}); "
                "raise JAD_LIMIT_SECONDS if it is legitimate",
            )
