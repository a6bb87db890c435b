"""The jadwh command line: complete help, one clear sentence on bad input, meaningful exit
codes, and the commands analysts and stewards use, against a real warehouse."""

import csv

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from orchestration.cli import app

runner = CliRunner()
COMMANDS = ["load", "status", "sql", "quarantine", "report", "docs"]


@pytest.fixture
def env(seed_warehouse, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("JAD_RAW_DIR", str(seed_warehouse.raw_dir))
    monkeypatch.setenv("JAD_WAREHOUSE", str(seed_warehouse.warehouse))
    return seed_warehouse


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "JAD_RAW_DIR" in result.output and "JAD_WAREHOUSE" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_explains_itself(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 4


def test_bad_arguments_give_one_sentence_and_a_non_zero_exit(env):
    result = runner.invoke(app, ["quarantine", "--severity", "loud"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: --severity must be")
    assert len(result.output.strip().splitlines()) == 1
    assert runner.invoke(app, ["sql"]).exit_code == 2  # the query is required
    assert runner.invoke(app, ["report", "--operation", "no-such-operation"]).exit_code == 2


def test_a_failing_query_is_one_sentence(env):
    result = runner.invoke(app, ["sql", "select * from marts.no_such_table"])
    assert result.exit_code == 4
    assert result.output.startswith("error: the query failed: Catalog Error")


def test_sql_prints_a_table_and_writes_csv_and_parquet(env, tmp_path):
    shown = runner.invoke(
        app, ["sql", "select metric_code, value from marts.fct_operation_results order by 1"]
    )
    assert shown.exit_code == 0 and "persons_checked" in shown.output
    target = tmp_path / "out.csv"
    query = "select '=HYPERLINK(\"http://x\")' as evil, '-12' as negative, 'plain' as text"
    assert runner.invoke(app, ["sql", query, "--csv", str(target)]).exit_code == 0
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "-12", "plain"]  # formulas made inert
    parquet = tmp_path / "out.parquet"
    assert (
        runner.invoke(
            app, ["sql", "select * from marts.fct_country_results", "--parquet", str(parquet)]
        ).exit_code
        == 0
    )
    assert pq.read_table(parquet).num_rows > 500


def test_status_and_quarantine_describe_the_warehouse(env):
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and "2020-09-se-europe-jad" in status.output
    assert "Quarantine: empty" in status.output
    waiting = runner.invoke(app, ["quarantine"])
    assert waiting.exit_code == 0 and "Nothing waits for a steward" in waiting.output


def test_status_without_a_warehouse_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("JAD_WAREHOUSE", str(tmp_path / "none" / "jad.duckdb"))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 2 and "run `jadwh load` first" in result.output
