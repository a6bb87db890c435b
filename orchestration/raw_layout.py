"""The layout of raw/: one folder per operation, `raw/<operation_id>/operation.yaml` (the
manifest) and `raw/<operation_id>/submissions/` (the files countries sent).

Plain Python, below everything that looks at raw/: landing reads it, the partitions list its
operations, the sensor and the load plan scan it.
"""

from __future__ import annotations

from pathlib import Path

MANIFEST = "operation.yaml"
SUBMISSIONS = "submissions"


def discover_operations(raw_dir: Path) -> list[Path]:
    """Every `raw/<operation_id>/` that holds a manifest, in name order."""
    if not raw_dir.is_dir():
        return []
    return sorted(p.parent for p in raw_dir.glob(f"*/{MANIFEST}"))
