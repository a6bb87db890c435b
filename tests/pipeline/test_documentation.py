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
