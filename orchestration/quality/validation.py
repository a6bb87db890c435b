"""Running a suite with Great Expectations 1.x: offline, quiet, Data Docs as HTML.

GX is imported here, lazily (about 3 s): a load pays it once, when its checks run. The
results are kept in `quality.expectation_results` of the build database, where the publish
gate reads them, and written as Data Docs next to the warehouse for people to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.quality.expectations import Suite

IDENTIFYING_COLUMNS = ["file_name", "sheet_name", "cell_ref"]
EXAMPLES = 5


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    severity: str
    unexpected_count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]
    data_docs: Path | None

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "error"]


@lru_cache(maxsize=4)
def _context(docs_dir: str):
    import great_expectations as gx

    for name in ("great_expectations", "great_expectations.core", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    context.add_data_docs_site(
        site_name="jad",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": docs_dir,
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    context.data_sources.add_pandas("build_database")
    return context


def validate(
    con: duckdb.DuckDBPyConnection, suite: Suite, docs_dir: Path, run_id: str
) -> SuiteOutcome:
    """Validate one suite on the build database; keep the results; write Data Docs."""
    import great_expectations as gx

    frame: pd.DataFrame = con.execute(suite.query).df()
    docs_dir.mkdir(parents=True, exist_ok=True)
    context = _context(str(docs_dir))
    source = context.data_sources.get("build_database")
    asset_names = {a.name for a in source.assets}
    asset = (
        source.get_asset(suite.name)
        if suite.name in asset_names
        else source.add_dataframe_asset(suite.name)
    )
    batch_definition = next(
        iter(asset.batch_definitions), None
    ) or asset.add_batch_definition_whole_dataframe("all")
    expectation_suite = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations())
    context.suites.add_or_update(expectation_suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=expectation_suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["jad"])],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [
                    c for c in IDENTIFYING_COLUMNS if c in frame.columns
                ],
                "partial_unexpected_count": EXAMPLES,
            },
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": frame})
    outcomes = [_outcome(r) for run in result.run_results.values() for r in run.results]
    _keep(con, suite.name, run_id, outcomes)
    return SuiteOutcome(suite.name, len(frame), outcomes, docs_dir / "index.html")


def _outcome(result) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    examples = [
        "{file_name} {sheet_name}!{cell_ref}".format(
            **{c: row.get(c, "?") for c in IDENTIFYING_COLUMNS}
        )
        for row in (details.get("unexpected_index_list") or [])[:EXAMPLES]
        if isinstance(row, dict)
    ]
    return ExpectationOutcome(
        expectation=config.type
        + (f"({config.kwargs.get('column')})" if config.kwargs.get("column") else ""),
        column=config.kwargs.get("column"),
        success=bool(result.success),
        severity=(config.meta or {}).get("severity", "warning"),
        unexpected_count=int(details.get("unexpected_count") or 0),
        examples=examples,
    )


def _keep(
    con: duckdb.DuckDBPyConnection, suite: str, run_id: str, outcomes: list[ExpectationOutcome]
) -> None:
    con.execute("create schema if not exists quality")
    con.execute(
        """
        create table if not exists quality.expectation_results (
            suite varchar, expectation varchar, success boolean, severity varchar,
            unexpected_count integer, examples varchar, run_id varchar, validated_at timestamp
        )
        """
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    con.execute("delete from quality.expectation_results where suite = ?", [suite])
    for o in outcomes:
        con.execute(
            "insert into quality.expectation_results values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                suite,
                o.expectation,
                o.success,
                o.severity,
                o.unexpected_count,
                "; ".join(o.examples),
                run_id,
                now,
            ],
        )
    con.execute("commit")


def outcome_as_json(outcome: SuiteOutcome) -> str:
    return json.dumps([o.__dict__ for o in outcome.outcomes], default=str)
