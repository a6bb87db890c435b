"""Where things live on disk, from the two environment variables a user sets.

`JAD_RAW_DIR` (default `raw/`) and `JAD_WAREHOUSE` (default `warehouse/jad.duckdb`) are all a
user sets. Everything else is derived from them, so that Dagster, dbt and the CLI agree:

- the published warehouse is `JAD_WAREHOUSE`; analysts open it read-only;
- loads write into a private build file in `<warehouse dir>/.build/`, which only the loader
  opens, and publish a copy by atomic replace (a DuckDB file open for writing
  cannot be opened by any other process).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCK_NAME = "load.lock"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def dbt_project_dir() -> Path:
    """The dbt project, seeds included. `JAD_DBT_PROJECT_DIR` may point at a copy with a
    deployment's own vocabulary (the tests use it to add a seed row); rarely needed."""
    return Path(os.environ.get("JAD_DBT_PROJECT_DIR", DBT_PROJECT_DIR)).resolve()


def dbt_executable() -> str:
    """dbt as installed beside this Python (the venv need not be activated)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def seeds_dir() -> Path:
    """The vocabulary: read by dbt as seeds and by ingestion to recognise structure."""
    return dbt_project_dir() / "seeds"


@dataclass(frozen=True)
class Paths:
    """The absolute paths one load works with (dbt runs in its own folder: a relative
    path would point somewhere else there)."""

    raw_dir: Path
    warehouse: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_dir", _absolute(str(self.raw_dir)))
        object.__setattr__(self, "warehouse", _absolute(str(self.warehouse)))

    @property
    def build_dir(self) -> Path:
        return self.warehouse.parent / ".build"

    @property
    def build_database(self) -> Path:
        """The private DuckDB file that loads write into; never opened by analysts."""
        return self.build_dir / self.warehouse.name

    @property
    def raw_files_memory(self) -> Path:
        """What the load plan remembers of raw/: size, times, inode and hash of each file."""
        return self.build_database.with_suffix(".raw_files.json")

    @property
    def withheld_dir(self) -> Path:
        """Texts kept out of the warehouse, for the steward (landing/withheld.py)."""
        return self.build_dir / "withheld"

    @property
    def validation_snapshots(self) -> Path:
        """Where landing leaves what Great Expectations validates during the dbt build."""
        return self.build_dir / "snapshots"

    @property
    def load_lock(self) -> Path:
        return self.build_dir / LOCK_NAME

    @property
    def publish_record(self) -> Path:
        """JSON beside the warehouse describing the last good publish."""
        return self.warehouse.with_suffix(".published.json")

    @property
    def attempt_record(self) -> Path:
        """JSON beside the warehouse describing the last load, published or not."""
        return self.warehouse.with_suffix(".last_load.json")

    @property
    def reports_dir(self) -> Path:
        return self.warehouse.parent / "reports"

    @property
    def data_docs_dir(self) -> Path:
        return self.warehouse.parent / "data_docs"


def _absolute(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def current_paths() -> Paths:
    """Read the environment now (tests change it between cases)."""
    return Paths(
        raw_dir=_absolute(os.environ.get("JAD_RAW_DIR", str(PROJECT_ROOT / "raw"))),
        warehouse=_absolute(
            os.environ.get("JAD_WAREHOUSE", str(PROJECT_ROOT / "warehouse" / "jad.duckdb"))
        ),
    )


def export_for_dbt(paths: Paths) -> None:
    """Give dbt's profiles.yml the absolute build path (dbt runs in its own folder: a relative path would point elsewhere)."""
    os.environ["JAD_DBT_DATABASE"] = str(paths.build_database)
    os.environ.setdefault("DO_NOT_TRACK", "1")
