"""`jadwh sql` reads the warehouse's own tables and nothing else: every escape
that once worked (writing any file with COPY, reading any file, attaching the build
database, raising the memory limit, loading extensions, a query without end) now fails with
one sentence and exit code 4, and the exports still work, formulas made inert."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.settings import Paths

runner = CliRunner()
EXIT_QUERY = 4


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Paths:
    """A small published warehouse, and a build database beside it, as a load leaves them."""
    paths = Paths(raw_dir=tmp_path / "raw", warehouse=tmp_path / "warehouse" / "jad.duckdb")
    paths.build_dir.mkdir(parents=True)
    for database in (paths.warehouse, paths.build_database):
        con = duckdb.connect(str(database))
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_country_results as
               select * from (values ('AL', 'persons_checked', 120.0, '=HYPERLINK("http://x")'),
                                     ('AT', 'arrests', 3.0, '@SUM(A1:A9)'),
                                     ('BA', 'arrests', 4.0, '-12'))
               as t(country_code, metric_code, value, source_cell)"""
        )
        con.close()
    monkeypatch.setenv("COLUMNS", "1000")  # one sentence, one line
    monkeypatch.setenv("JAD_WAREHOUSE", str(paths.warehouse))
    monkeypatch.setenv("JAD_RAW_DIR", str(paths.raw_dir))
    return paths


def _refused(query: str, *args: str) -> str:
    result = runner.invoke(app, ["sql", query, *args])
    assert result.exit_code == EXIT_QUERY, result.output
    output = result.output.strip()
    assert output.startswith("error: the query "), output
    assert len(output.splitlines()) == 1, output  # one sentence
    assert "Traceback" not in output
    return output


def _sha(path: Path) -> bytes:
    return path.read_bytes()


def test_copy_to_writes_no_file(warehouse, tmp_path):
    target = tmp_path / "stolen.csv"
    said = _refused(f"copy marts.fct_country_results to '{target}'")
    assert not target.exists()
    assert "own tables only" in said


def test_copy_cannot_overwrite_the_build_database(warehouse):
    before = _sha(warehouse.build_database)
    _refused(f"copy (select 1) to '{warehouse.build_database}' (format parquet)")
    assert _sha(warehouse.build_database) == before
    assert duckdb.connect(str(warehouse.build_database), read_only=True).execute(
        "select count(*) from marts.fct_country_results"
    ).fetchone() == (3,)


def test_read_csv_of_any_file_is_refused(warehouse):
    said = _refused("select * from read_csv('/etc/passwd')")
    assert "root:" not in said


def test_read_text_and_glob_are_refused(warehouse):
    assert "root:" not in _refused("select content from read_text('/etc/passwd')")
    _refused("select * from glob('/etc/*')")


def test_attach_of_the_build_database_is_refused(warehouse):
    _refused(f"attach '{warehouse.build_database}' as build (read_only)")


def test_the_memory_limit_cannot_be_raised(warehouse):
    said = _refused("set memory_limit = '100GB'")
    assert "locked" in said
    _refused("set enable_external_access = true")
    shown = runner.invoke(app, ["sql", "select current_setting('memory_limit') as m"])
    assert shown.exit_code == 0 and "MiB" in shown.output


def test_a_query_over_the_memory_limit_fails(warehouse, monkeypatch):
    monkeypatch.setenv("JAD_DUCKDB_MEMORY_LIMIT", "64MB")
    said = _refused("select len(list(i)) from range(50000000) t(i)")
    assert "Out of Memory" in said


def test_extensions_cannot_be_installed_or_loaded(warehouse):
    _refused("install httpfs")
    _refused("load httpfs")


def test_a_query_without_end_is_stopped(warehouse):
    started = time.monotonic()
    said = _refused("select sum(hash(i)) from range(100000000000) t(i)", "--timeout", "1")
    assert "stopped after 1 s" in said
    assert time.monotonic() - started < 15


def test_the_timeout_comes_from_the_environment_too(warehouse, monkeypatch):
    monkeypatch.setenv("JAD_SQL_TIMEOUT_SECONDS", "1")
    assert "stopped after 1 s" in _refused("select sum(hash(i)) from range(100000000000) t(i)")


@pytest.mark.parametrize(
    ("name", "value"), [("JAD_SQL_TIMEOUT_SECONDS", "soon"), ("JAD_DUCKDB_MEMORY_LIMIT", "lots")]
)
def test_a_bad_setting_is_refused_in_one_sentence(warehouse, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["sql", "select 1"])
    assert result.exit_code == 2, result.output  # bad arguments
    assert result.output.strip().startswith(f"error: {name}={value!r} "), result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_exports_are_written_by_python_and_formulas_stay_inert(warehouse, tmp_path):
    query = "select * from marts.fct_country_results order by country_code"
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["sql", query, "--csv", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert [r[3] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "'@SUM(A1:A9)", "-12"]
    parquet = tmp_path / "out.parquet"
    result = runner.invoke(app, ["sql", query, "--parquet", str(parquet)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(parquet).num_rows == 3
