"""Every DuckDB connection of jad-warehouse, with one memory limit.

DuckDB keeps the pages it has read cached up to its memory limit, 80% of the machine by
default: a load of 300 operations grew to 850 MiB in each process that way. With a limit,
DuckDB spills what does not fit to a temporary folder beside the database instead, and
peak memory stops growing with the warehouse. JAD_DUCKDB_MEMORY_LIMIT sets it (a DuckDB
size such as '512MB', checked in orchestration/settings.py); dbt reads the same variable
(dbt_project/profiles.yml). All connections share it: DuckDB refuses a second connection to
a file with another configuration in the same process.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration import settings


def memory_limit() -> str:
    return settings.duckdb_memory_limit()


def connect(database: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        str(database), read_only=read_only, config={"memory_limit": memory_limit()}
    )
