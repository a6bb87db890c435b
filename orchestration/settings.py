"""Every setting of jad-warehouse: the `JAD_*` environment variables, read here and nowhere else.

`JAD_RAW_DIR` (default `raw/`) and `JAD_WAREHOUSE` (default `warehouse/jad.duckdb`) are what
a user usually sets. The paths derive from them, so that Dagster, dbt and the CLI agree:

- the published warehouse is `JAD_WAREHOUSE`; analysts open it read-only;
- loads write into a private build file in `<warehouse dir>/.build/`, which only the loader
  opens, and publish a copy by atomic replace (a DuckDB file open for writing
  cannot be opened by any other process).

`SETTINGS` lists every variable with its default and meaning (the README's table "Settings"
follows it; tests/test_settings_documented.py checks both against the code). Each is read
when it is needed, never at import (tests change the environment between cases); an empty
value counts as unset; a bad value is refused with one sentence naming the variable and the
value. dbt reads four of them itself through env_var() (dbt_project.yml, profiles.yml).

Standard library only (os, pathlib, dataclasses, re, zoneinfo): `ingest`, which may import
neither Dagster nor DuckDB, reads its limits here.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCK_NAME = "load.lock"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
MIB = 1024 * 1024


class SettingError(ValueError):
    """A `JAD_*` variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str
    read_by: str = "Python"  # "Python", "dbt" or "Python and dbt"


SETTINGS: tuple[Setting, ...] = (
    Setting("JAD_RAW_DIR", "raw/", "the folder of operations, one `<operation_id>/` each"),
    Setting(
        "JAD_WAREHOUSE",
        "warehouse/jad.duckdb",
        "the published warehouse; the build database, records, reports and docs live beside it",
        "Python and dbt",
    ),
    Setting(
        "JAD_DBT_PROJECT_DIR",
        "dbt_project/",
        "a copy of the dbt project with a deployment's own seeds (the tests use it); rarely needed",
    ),
    Setting(
        "JAD_DBT_DATABASE",
        "set by each load",
        "the DuckDB file dbt builds: a load points it at `<warehouse dir>/.build/jad.duckdb`; "
        "dbt run by hand falls back to `JAD_WAREHOUSE`",
        "Python and dbt",
    ),
    Setting(
        "JAD_DUCKDB_MEMORY_LIMIT",
        "512MB",
        "DuckDB's memory limit for every connection and for dbt (a DuckDB size: `2GiB`, `800MiB`)",
        "Python and dbt",
    ),
    Setting(
        "JAD_QUALIFIER_TOLERANCE",
        "0.05",
        "the tolerance t of the published qualifiers (`about` X is [X·(1−t), X·(1+t)])",
        "dbt",
    ),
    Setting("JAD_NIGHTLY_CRON", "0 2 * * *", "when the nightly load runs (cron)"),
    Setting("JAD_NIGHTLY_TIMEZONE", "Europe/Paris", "the time zone of `JAD_NIGHTLY_CRON`"),
    Setting("JAD_SQL_TIMEOUT_SECONDS", "60", "how long a `jadwh sql` query may run (`--timeout`)"),
    Setting("JAD_LIMIT_FILE_MB", "50", "the largest file read, in MiB"),
    Setting("JAD_LIMIT_UNCOMPRESSED_MB", "250", "the largest unpacked workbook, in MiB"),
    Setting(
        "JAD_LIMIT_COMPRESSION_RATIO",
        "100",
        "the largest ratio of unpacked to packed size (beyond it, a zip bomb)",
    ),
    Setting("JAD_LIMIT_ROWS", "100000", "the most rows in one sheet"),
    Setting("JAD_LIMIT_CELLS", "2000000", "the most cells in one file"),
    Setting("JAD_LIMIT_SECONDS", "120", "the longest the reading of one file may take"),
    Setting(
        "JAD_LIMIT_MEMORY_MB",
        "1024",
        "what reading one file may add to its worker process's memory, in MiB",
    ),
)
_DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


def default(name: str) -> str:
    """The default of a setting, as the README's table shows it."""
    return _DEFAULTS[name]


def _value(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    if name not in _DEFAULTS:
        raise KeyError(f"{name} is not a setting of orchestration/settings.py")
    return os.environ.get(name) or None


def positive_number(name: str, default: float) -> float:
    """A number above 0 (`JAD_LIMIT_*`, `JAD_SQL_TIMEOUT_SECONDS`), or `default` when unset."""
    value = _value(name)
    if value is None:
        return default
    try:
        parsed = float(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not a number") from None
    if math.isnan(parsed):
        raise SettingError(f"{name}={value!r} is not a number")
    if math.isinf(parsed):
        raise SettingError(f"{name}={value!r} must be a finite number")
    if parsed <= 0:
        raise SettingError(f"{name}={value!r} must be more than 0")
    return parsed


def raw_dir() -> Path:
    return _absolute(_value("JAD_RAW_DIR") or str(PROJECT_ROOT / "raw"))


def warehouse() -> Path:
    return _absolute(_value("JAD_WAREHOUSE") or str(PROJECT_ROOT / "warehouse" / "jad.duckdb"))


DEFAULT_MEMORY_LIMIT = _DEFAULTS["JAD_DUCKDB_MEMORY_LIMIT"]
# What DuckDB (2.0) accepts as memory_limit: a number and its unit, a percentage of the
# machine, or no limit ('-1', 'none'); a number without a unit is refused.
_DUCKDB_SIZE = re.compile(
    r"\s*(-.*|none|null|\d+(\.\d*)?\s*(b|bytes?|k|kb|kib|kilobytes?|m|mb|mib|megabytes?"
    r"|g|gb|gib|gigabytes?|t|tb|tib|terabytes?|%))\s*",
    re.IGNORECASE,
)


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit, a size such as '512MB' (dbt reads the same variable)."""
    value = _value("JAD_DUCKDB_MEMORY_LIMIT")
    if value is None:
        return DEFAULT_MEMORY_LIMIT
    if not _DUCKDB_SIZE.fullmatch(value):
        raise SettingError(
            f"JAD_DUCKDB_MEMORY_LIMIT={value!r} is not a DuckDB size such as '512MB' or '2GiB'"
        )
    return value


def qualifier_tolerance() -> float:
    """The tolerance dbt gives the published qualifiers; dbt reads it itself (dbt_project.yml),
    this checks it before dbt runs."""
    value = _value("JAD_QUALIFIER_TOLERANCE")
    if value is None:
        return float(_DEFAULTS["JAD_QUALIFIER_TOLERANCE"])
    try:
        parsed = float(value)
    except ValueError:
        raise SettingError(f"JAD_QUALIFIER_TOLERANCE={value!r} is not a number") from None
    if not 0 <= parsed < 1:  # nan fails this too
        raise SettingError(
            f"JAD_QUALIFIER_TOLERANCE={value!r} must be a fraction from 0 to below 1 (0.05 is 5%)"
        )
    return parsed


DEFAULT_CRON = _DEFAULTS["JAD_NIGHTLY_CRON"]
DEFAULT_TIMEZONE = _DEFAULTS["JAD_NIGHTLY_TIMEZONE"]
_CRON_FIELD = re.compile(r"[0-9A-Za-z*/,?#-]+")


def nightly_cron() -> str:
    """When the nightly load runs: five cron fields or a word such as '@daily' (Dagster
    checks the fields' values when it builds the schedule)."""
    value = _value("JAD_NIGHTLY_CRON")
    if value is None:
        return DEFAULT_CRON
    fields = value.split()
    if not (
        (len(fields) == 1 and fields[0].startswith("@"))
        or (len(fields) == 5 and all(_CRON_FIELD.fullmatch(field) for field in fields))
    ):
        raise SettingError(
            f"JAD_NIGHTLY_CRON={value!r} is not a cron schedule of five fields such as '0 2 * * *'"
        )
    return value


def nightly_timezone() -> str:
    value = _value("JAD_NIGHTLY_TIMEZONE")
    if value is None:
        return DEFAULT_TIMEZONE
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SettingError(
            f"JAD_NIGHTLY_TIMEZONE={value!r} is not a time zone such as 'Europe/Paris'"
        ) from None
    return value


DEFAULT_SQL_TIMEOUT_SECONDS = float(_DEFAULTS["JAD_SQL_TIMEOUT_SECONDS"])


def sql_timeout_seconds() -> float:
    return positive_number("JAD_SQL_TIMEOUT_SECONDS", DEFAULT_SQL_TIMEOUT_SECONDS)


def dbt_project_dir() -> Path:
    """The dbt project, seeds included. `JAD_DBT_PROJECT_DIR` may point at a copy with a
    deployment's own vocabulary (the tests use it to add a seed row); rarely needed."""
    return Path(_value("JAD_DBT_PROJECT_DIR") or DBT_PROJECT_DIR).resolve()


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

    def setting_for(self, path: str | os.PathLike | None) -> str | None:
        """The variable that decides where `path` is (so that an error names the setting a
        user can change, not another one): DAGSTER_HOME, JAD_WAREHOUSE or JAD_RAW_DIR."""
        if not path:
            return None
        where = _absolute(os.fspath(path))
        home = os.environ.get("DAGSTER_HOME")
        for variable, folder in (
            ("DAGSTER_HOME", _absolute(home) if home else None),
            ("JAD_WAREHOUSE", self.warehouse.parent),
            ("JAD_RAW_DIR", self.raw_dir),
        ):
            if folder is not None and where.is_relative_to(folder):
                return variable
        return None


def _absolute(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def current_paths() -> Paths:
    """Read the environment now (tests change it between cases)."""
    return Paths(raw_dir=raw_dir(), warehouse=warehouse())


def export_for_dbt(paths: Paths) -> None:
    """Give dbt's profiles.yml the absolute build path (dbt runs in its own folder: a relative path would point elsewhere)."""
    duckdb_memory_limit()  # dbt reads these two itself: a bad value is refused here, in one sentence
    qualifier_tolerance()
    os.environ["JAD_DBT_DATABASE"] = str(paths.build_database)
    os.environ.setdefault("DO_NOT_TRACK", "1")
