"""How dbt nodes appear in Dagster: keys by schema, groups by layer, owners and versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

OWNER = "team:data-stewards"


class JadDbtTranslator(DagsterDbtTranslator):
    def __init__(self):
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_code_references=False,
                # the tests on the raw sources (dbt_project/models/staging/_raw__sources.yml)
                # appear as checks on the landed tables, like the tests on the models
                enable_source_tests_as_checks=True,
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """`marts/fct_country_results`: the key says where the table lives in DuckDB.

        Sources keep dagster-dbt's key (`raw/observations`), which is the landing asset's key,
        so the graph runs from raw files to marts in one piece."""
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            schema = dbt_resource_props.get("config", {}).get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """One group per layer: vocabulary (seeds), staging, intermediate, marts, audit."""
        if dbt_resource_props["resource_type"] == "seed":
            return "vocabulary"
        return dbt_resource_props.get("config", {}).get("schema") or "transform"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return [OWNER]

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The checksum of the SQL (or seed CSV): a changed model shows as changed code."""
        checksum = dbt_resource_props.get("checksum") or {}
        return checksum.get("checksum", "")[:16] or None
