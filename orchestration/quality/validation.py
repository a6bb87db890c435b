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

IDENTIFYING_COLUMNS = ["operation_id", "file_name", "sheet_name", "cell_ref"]
EXAMPLES = 5


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    severity: str
    unexpected_count: int
    examples: list[str] = field(default_factory=list)
    # unexpected rows per operation: a load that validates some operations keeps the
    # results of the others (the gate must still see an earlier failure)
    unexpected_by_operation: dict[str, int] = field(default_factory=dict)


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
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    docs_dir: Path,
    run_id: str,
    scope: list[str] | None = None,
) -> SuiteOutcome:
    """Validate one suite on the build database, for the operations in `scope` (None: all);
    keep the results per operation; write Data Docs."""
    import great_expectations as gx

    if scope is None:
        frame: pd.DataFrame = con.execute(suite.query).df()
    else:
        frame = con.execute(
            f"select * from ({suite.query}) where operation_id in (select unnest(?::varchar[]))",
            [scope],
        ).df()
    if frame.empty:
        return SuiteOutcome(suite.name, 0, [], None)  # nothing changed: nothing to validate
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
    operations = (
        sorted(set(frame["operation_id"]) | set(scope or [])) if "operation_id" in frame else []
    )
    _keep(con, suite.name, run_id, outcomes, operations, replace_all=scope is None)
    return SuiteOutcome(suite.name, len(frame), outcomes, docs_dir / "index.html")


def _outcome(result) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    unexpected = [r for r in (details.get("unexpected_index_list") or []) if isinstance(r, dict)]
    by_operation: dict[str, int] = {}
    for row in unexpected:
        operation = str(row.get("operation_id", ""))
        by_operation[operation] = by_operation.get(operation, 0) + 1
    examples = [
        "{operation_id} {file_name} {sheet_name}!{cell_ref}".format(
            **{c: row.get(c, "?") for c in IDENTIFYING_COLUMNS}
        )
        for row in unexpected[:EXAMPLES]
    ]
    column = config.kwargs.get("column")
    condition = config.kwargs.get("row_condition")
    return ExpectationOutcome(
        expectation=config.type
        + (f"({column})" if column else "")
        + (f" where {condition}" if condition else ""),
        column=column,
        success=bool(result.success),
        severity=(config.meta or {}).get("severity", "warning"),
        unexpected_count=int(details.get("unexpected_count") or 0),
        examples=examples,
        unexpected_by_operation=by_operation,
    )


def _keep(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    run_id: str,
    outcomes: list[ExpectationOutcome],
    operations: list[str],
    replace_all: bool,
) -> None:
    """One row per suite, operation and expectation; the operations validated now replace
    their earlier rows, the others keep theirs."""
    con.execute("create schema if not exists quality")
    con.execute(
        """
        create table if not exists quality.expectation_results (
            suite varchar, operation_id varchar, expectation varchar, success boolean,
            severity varchar, unexpected_count integer, examples varchar, run_id varchar,
            validated_at timestamp
        )
        """
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        (
            suite,
            operation,
            o.expectation,
            o.unexpected_by_operation.get(operation, 0) == 0,
            o.severity,
            o.unexpected_by_operation.get(operation, 0),
            "; ".join(e for e in o.examples if e.startswith(f"{operation} ")),
            run_id,
            now,
        )
        for operation in operations
        for o in outcomes
    ]
    con.execute("begin transaction")
    if replace_all:
        con.execute("delete from quality.expectation_results where suite = ?", [suite])
    else:
        con.execute(
            "delete from quality.expectation_results where suite = ? "
            "and operation_id in (select unnest(?::varchar[]))",
            [suite, operations],
        )
    con.executemany(
        "insert into quality.expectation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
    con.execute("commit")


def outcome_as_json(outcome: SuiteOutcome) -> str:
    return json.dumps([o.__dict__ for o in outcome.outcomes], default=str)
