"""The dbt sources declare every column of every raw table, written from the one definition
of the raw schema (orchestration/raw_schema.py): a column added there and not
here, or typed differently, fails here."""

import duckdb
import yaml

from orchestration.landing.raw_tables import create_raw_schema
from orchestration.raw_schema import (
    SOURCE_TABLES,
    SOURCES_YML,
    column_types,
    main,
    sources_yml,
)
from orchestration.settings import DBT_PROJECT_DIR

SOURCES = DBT_PROJECT_DIR / SOURCES_YML


def _tables(text: str) -> dict[str, dict]:
    (raw,) = [s for s in yaml.safe_load(text)["sources"] if s["name"] == "raw"]
    return {t["name"]: t for t in raw["tables"]}


def test_the_sources_file_is_what_the_raw_schema_generates():
    text = SOURCES.read_text(encoding="utf-8")
    assert sources_yml(text) == text, (
        "dbt_project/" + SOURCES_YML + " and orchestration/raw_schema.py disagree: "
        "run python -m orchestration.raw_schema --sources-yml"
    )
    assert main(["--sources-yml", "--check"]) == 0


def test_every_raw_column_is_declared_with_its_type():
    tables = _tables(SOURCES.read_text(encoding="utf-8"))
    assert list(tables) == list(SOURCE_TABLES)
    for table in SOURCE_TABLES:
        declared = [(c["name"], c["data_type"]) for c in tables[table]["columns"]]
        assert declared == list(column_types(table)), table
        assert tables[table]["description"].strip(), table
        assert tables[table]["meta"] == {"dagster": {"asset_key": ["raw", table]}}


def test_the_declared_types_are_the_types_duckdb_builds():
    con = duckdb.connect()
    create_raw_schema(con)
    built = {
        (table, column): data_type.lower()
        for table, column, data_type in con.execute(
            "select table_name, column_name, data_type from duckdb_columns() where schema_name = 'raw'"
        ).fetchall()
    }
    declared = {
        (table, c["name"]): c["data_type"]
        for table, entry in _tables(SOURCES.read_text(encoding="utf-8")).items()
        for c in entry["columns"]
    }
    assert declared == {key: t for key, t in built.items() if key[0] in SOURCE_TABLES}


def test_the_generator_follows_the_schema_and_keeps_what_people_wrote():
    document = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))
    observations = next(t for t in document["sources"][0]["tables"] if t["name"] == "observations")
    observations["description"] = "Edited by a person."
    observations["columns"] = [
        {"name": "unit_text", "data_type": "integer", "description": "The unit as written."},
        {"name": "cell_ref", "data_tests": ["not_null"]},
        {"name": "a_column_the_reader_no_longer_writes", "data_type": "varchar"},
    ]
    document["sources"][0]["tables"] = [
        t for t in document["sources"][0]["tables"] if t["name"] != "cells"
    ]

    regenerated = _tables(sources_yml(yaml.safe_dump(document, sort_keys=False)))

    assert list(regenerated) == list(SOURCE_TABLES)  # the dropped table is back
    assert regenerated["cells"]["meta"] == {"dagster": {"asset_key": ["raw", "cells"]}}
    columns = {c["name"]: c for c in regenerated["observations"]["columns"]}
    assert [(n, c["data_type"]) for n, c in columns.items()] == list(column_types("observations"))
    assert regenerated["observations"]["description"] == "Edited by a person."
    assert columns["unit_text"] == {
        "name": "unit_text",
        "data_type": "varchar",
        "description": "The unit as written.",
    }
    assert columns["cell_ref"]["data_tests"] == ["not_null"]
