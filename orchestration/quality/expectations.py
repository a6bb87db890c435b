"""The Great Expectations suite: what mapped observations must look like, row by row, where
a rule depends on another column or on the operation.

What is structural (not null, accepted values, unique keys, cell references, codes in the
seeds) is a dbt test on the raw sources and the models (dbt_project/models/**/_*.yml),
surfaced by dagster-dbt as asset checks. Great Expectations keeps the conditional and
cross-column rules: a written unit is a unit of unit_labels.csv and of the metric's
dimension, a figure lies between zero and its metric's max_per_cell (metrics.csv), a day
lies inside its operation, a day written is a day read.

The suite reads one table of the build database (with the file name beside every row, so
a failure names file, sheet and cell). Each expectation has GX's own `severity`:
'critical' (GX's default) blocks the publish of the operation it concerns, 'warning' and
'info' are shown but do not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from orchestration.changes import build as build_state
from orchestration.quality import gate


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


MAPPED = Suite(
    name="mapped_observations",
    asset_key=("intermediate", "int_observations_mapped"),
    description="Meaning after mapping, row by row: units known and of the metric's dimension, "
    "days inside the operation, figures between zero and the metric's max_per_cell.",
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


SUITES = (MAPPED,)
SUITES_BY_NAME = {suite.name: suite for suite in SUITES}


def _mapped() -> list:
    import great_expectations.expectations as gxe

    blocking = "critical"  # GX's own severity; an expectation without one blocks as well
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="written_unit",
            row_condition="unit_text.notnull()",
            condition_parser="pandas",
            severity=blocking,
            notes="Every unit written in a file is a unit of unit_labels.csv.",
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="written_dimension",
            column_B="metric_dimension",
            ignore_row_if="either_value_is_missing",
            severity=blocking,
            notes="A unit written beside a figure measures what its metric measures "
            "(kilograms for a mass, pieces for a count).",
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="in_window",
            value_set=[True],
            severity=blocking,
            notes="Every day lies inside its operation's start and end dates.",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="value_canonical", min_value=0, severity=blocking, notes="No negative figure."
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_per_cell",
            column_B="value_canonical",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            severity=blocking,
            notes="No figure above its metric's max_per_cell (metrics.csv).",
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="period_date",
            row_condition="period_text.notnull() and not is_total",
            condition_parser="pandas",
            severity=blocking,
            notes="A day written beside a figure is read as a day.",
        ),
    ]


EXPECTATIONS = {MAPPED.name: _mapped}
