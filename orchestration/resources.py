"""Dagster resources: where the files are, the build database, and dbt.

`WarehouseResource` carries the two paths a user sets (JAD_RAW_DIR, JAD_WAREHOUSE) and what
derives from them; `DuckDBResource` opens the private build database the load writes into
(never the published file, which analysts hold open).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version

from orchestration import connections
from orchestration.load_lock import exclusive_load
from orchestration.settings import LOCK_NAME, Paths, dbt_executable, dbt_project_dir, export_for_dbt


class WarehouseResource(dg.ConfigurableResource):
    """The raw folder and the published warehouse path of one deployment."""

    raw_dir: str
    warehouse: str

    @property
    def paths(self) -> Paths:
        return Paths(raw_dir=Path(self.raw_dir), warehouse=Path(self.warehouse))

    @contextlib.contextmanager
    def connection_to_published(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The published warehouse, read-only, as an analyst opens it."""
        con = connections.connect(self.paths.warehouse, read_only=True)
        try:
            yield con
        finally:
            con.close()

    def export_for_dbt(self) -> None:
        """Point dbt's profile at this deployment's build database."""
        self.paths.build_dir.mkdir(parents=True, exist_ok=True)
        export_for_dbt(self.paths)


class BuildDuckDBResource(DuckDBResource):
    """DuckDBResource on the build database, closing its connection even when a step fails.

    dagster-duckdb's own `get_connection` leaves the connection open on an exception, and
    DuckDB then refuses any other connection to the file in this process."""

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection held under the load lock (re-entrant within a load)."""
        with exclusive_load(Path(self.database).parent / LOCK_NAME):
            con = connections.connect(self.database)
            try:
                yield con
            finally:
                con.close()


class InstalledDbtCliResource(DbtCliResource):
    """dagster-dbt asks `dbt --version` at every invocation (2 s here); the dbt this code
    runs is the dbt-core installed beside it, whose version the package metadata knows."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def resources_for(paths: Paths) -> dict[str, object]:
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    project = dbt_project_dir()
    return {
        "warehouse": WarehouseResource(raw_dir=str(paths.raw_dir), warehouse=str(paths.warehouse)),
        "duckdb": BuildDuckDBResource(database=str(paths.build_database)),
        "dbt": InstalledDbtCliResource(
            project_dir=str(project), profiles_dir=str(project), dbt_executable=dbt_executable()
        ),
    }
