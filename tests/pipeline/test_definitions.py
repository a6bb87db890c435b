"""The code location loads and its graph runs from raw files to the published warehouse."""

import dagster as dg

from orchestration.code_location import build_definitions


def test_definitions_load_and_validate(paths):
    defs = build_definitions(paths)
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    for key in (
        "raw/observations",
        "staging/stg_raw__observations",
        "marts/fct_country_results",
        "marts/fct_operation_results",
        "marts/fct_arrests_by_charge",
        "marts/reconciliation",
        "warehouse/published",
    ):
        assert key in keys


def test_lineage_joins_raw_files_to_marts_and_publish(paths):
    graph = build_definitions(paths).resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["warehouse", "published"]))

    def all_upstream(key, seen=None):
        seen = seen if seen is not None else set()
        for parent in graph.get(key).parent_keys:
            if parent not in seen:
                seen.add(parent)
                all_upstream(parent, seen)
        return seen

    assert upstream is not None
    lineage = {k.to_user_string() for k in all_upstream(dg.AssetKey(["warehouse", "published"]))}
    assert {
        "raw/observations",
        "staging/stg_raw__observations",
        "marts/fct_country_results",
    } <= lineage
