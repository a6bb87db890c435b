"""Every dbt model and every column of every built table is described in yml."""

import json

from orchestration.settings import dbt_project_dir
from tests.conftest import query


def test_every_model_and_column_is_described(seed_warehouse):
    manifest = json.loads((dbt_project_dir() / "target" / "manifest.json").read_text())
    undescribed = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        schema, name = node["config"]["schema"], node["name"]
        if not node["description"].strip():
            undescribed.append(f"{schema}.{name}")
        documented = {c for c, d in node["columns"].items() if d["description"].strip()}
        built = {
            row[0]
            for row in query(
                seed_warehouse,
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
                [schema, name],
            )
        }
        assert built, f"{schema}.{name} was not built"
        undescribed += [f"{schema}.{name}.{c}" for c in sorted(built - documented)]
    assert undescribed == []


def test_descriptions_are_comments_in_the_published_warehouse(seed_warehouse):
    """persist_docs: DBeaver, the DuckDB CLI and any catalog reader show the yml descriptions
    of every model, seed and column, in the warehouse as published (a copy of the build)."""
    manifest = json.loads((dbt_project_dir() / "target" / "manifest.json").read_text())
    relations = {
        (schema, name): comment
        for schema, name, comment in query(
            seed_warehouse,
            """select schema_name, table_name, comment from duckdb_tables()
               union all select schema_name, view_name, comment from duckdb_views()""",
        )
    }
    columns = {
        (schema, name, column): comment
        for schema, name, column, comment in query(
            seed_warehouse,
            "select schema_name, table_name, column_name, comment from duckdb_columns()",
        )
    }
    wrong = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        schema, name = node["config"]["schema"], node["name"]
        if relations.get((schema, name)) != node["description"]:
            wrong.append(f"{schema}.{name}: {relations.get((schema, name))!r}")
        for column, properties in node["columns"].items():
            if columns.get((schema, name, column)) != properties["description"]:
                wrong.append(f"{schema}.{name}.{column}: {columns.get((schema, name, column))!r}")
    assert wrong == []
    # what an analyst sees, for one column of a mart
    assert columns[("marts", "fct_country_results", "source_cell")] == (
        "A1 reference(s) of the cell(s), comma-separated, in sheet order."
    )
    assert relations[("audit", "dbt_builds")].startswith("One row per dbt invocation")
