"""The Great Expectations suites: what landed and mapped observations must look like.

Each suite reads one table of the build database (with the file name beside every row, so
a failure names file, sheet and cell) and states expectations with a severity: 'error'
blocks the publish, 'warning' is shown but does not. Allowed values come from the seeds,
so a new metric or unit in a seed is allowed here without code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from orchestration.changes import build as build_state
from orchestration.ingest.vocabulary import seed_codes
from orchestration.quality import gate

VALUE_STATUSES = ["number", "zero_marker", "not_available", "record"]
LAYOUTS = ["wide", "transposed", "long", "table", "record_list", "form"]


@dataclass(frozen=True)
class Suite:
    name: str
    asset_key: tuple[
        str, ...
    ]  # the asset the suite checks (no Dagster here: a worker imports this)
    description: str
    query: str
    scope_of_load: Callable[[duckdb.DuckDBPyConnection], list[str] | None]

    def expectations(self) -> list:
        return EXPECTATIONS[self.name]()

    def scope(self, con: duckdb.DuckDBPyConnection) -> list[str] | None:
        """The operations this load changed (None: all of them)."""
        return self.scope_of_load(con)


LANDED = Suite(
    name="landed_observations",
    asset_key=("raw", "observations"),
    description="Structure of what ingestion landed: provenance complete, statuses known, one row per cell.",
    query="""
        select observations.*, submissions.file_name
        from raw.observations
        inner join raw.submissions using (operation_id, file_id)
        where submissions.is_present and submissions.status = 'accepted'
    """,
    # what landed since this suite last validated it (this load, or a failed one before it)
    scope_of_load=lambda con: sorted(
        {operation for _, operation, _ in gate.stale_validations(con, ["landed_observations"])}
    ),
)

MAPPED = Suite(
    name="mapped_observations",
    asset_key=("intermediate", "int_observations_mapped"),
    description="Meaning after mapping: codes in the seeds, units known, days inside the operation, plausible values.",
    query="""
        select
            mapped.*,
            mapped.period_date is null
                or mapped.period_date between operations.start_date and operations.end_date
                as in_window
        from intermediate.int_observations_mapped as mapped
        inner join staging.stg_raw__operations as operations using (operation_id)
    """,
    scope_of_load=lambda con: _rebuilt_or_stale(con, "mapped_observations"),
)


def _rebuilt_or_stale(con: duckdb.DuckDBPyConnection, suite: str) -> list[str] | None:
    """The operations the last dbt build rebuilt (None: all of them), and any this suite has
    not validated since their files landed: a load killed between the build and the check
    left them modelled but unvalidated."""
    rebuilt = build_state.last_scope(con)
    if rebuilt is None:
        return None
    stale = {operation for _, operation, _ in gate.stale_validations(con, [suite])}
    return sorted(set(rebuilt) | stale)


SUITES = (LANDED, MAPPED)
SUITES_BY_NAME = {suite.name: suite for suite in SUITES}


def _landed() -> list:
    import great_expectations.expectations as gxe

    error = {"severity": "error"}
    return [
        *(
            gxe.ExpectColumnValuesToNotBeNull(column=column, meta=error)
            for column in (
                "operation_id",
                "file_id",
                "sheet_name",
                "cell_ref",
                "raw_text",
                "value_status",
            )
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="cell_ref", regex=r"^[A-Z]{1,3}[1-9][0-9]*$", meta=error
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="value_status", value_set=VALUE_STATUSES, meta=error
        ),
        gxe.ExpectColumnValuesToBeInSet(column="layout", value_set=LAYOUTS, meta=error),
        gxe.ExpectColumnValuesToBeInSet(
            column="total_of", value_set=["column", "row", "table"], meta=error
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value_number",
            row_condition='value_status != "not_available"',
            condition_parser="pandas",
            meta=error,
        ),
        # one row per cell of a file in an operation: the same bytes sent to two operations
        # are two files of two operations. Every expectation that compares rows with each
        # other names operation_id: an operation's result depends on its own rows only,
        # never on another operation validated in the same slice (whose files may change
        # while this one's do not, and would leave this one's result stale)
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["operation_id", "file_id", "sheet_name", "cell_ref"], meta=error
        ),
    ]


def _mapped() -> list:
    import great_expectations.expectations as gxe

    error = {"severity": "error"}
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="metric_code", value_set=seed_codes("metrics.csv", "metric_code"), meta=error
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="charge_code", value_set=seed_codes("charges.csv", "charge_code"), meta=error
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="written_unit",
            row_condition="unit_text.notnull()",
            condition_parser="pandas",
            meta={**error, "says": "every unit written in a file is a unit of unit_labels.csv"},
        ),
        gxe.ExpectColumnValuesToBeInSet(column="in_window", value_set=[True], meta=error),
        gxe.ExpectColumnValuesToBeBetween(column="value_canonical", min_value=0, meta=error),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_per_cell",
            column_B="value_canonical",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={**error, "says": "no figure above the metric's max_per_cell (metrics.csv)"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="period_date",
            row_condition="period_text.notnull() and not is_total",
            condition_parser="pandas",
            meta=error,
        ),
    ]


EXPECTATIONS = {LANDED.name: _landed, MAPPED.name: _mapped}
