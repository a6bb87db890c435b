"""Running a suite with Great Expectations 1.x: offline, quiet, Data Docs as HTML.

GX takes about 3 s to import: a load that will validate starts a validator process that
imports it on the other core while the load lands and builds (`warm_up`), and a load with
nothing new never pays it. Operations are validated a slice at a time (memory stays bounded on a first load of
hundreds of operations), and the results are kept per operation in
`quality.expectation_results` of the build database, where the publish gate reads them: a
load that validates some operations keeps the results of the others. Data Docs are written
next to the warehouse for people to look at.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import sys
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from orchestration import connections
from orchestration.quality.expectations import Suite

IDENTIFYING_COLUMNS = ["operation_id", "file_name", "sheet_name", "cell_ref"]
EXAMPLES = 5
OPERATIONS_PER_SLICE = 25
_validator: _Validator | None = None


class _Validator:
    """A process that imports Great Expectations as soon as it starts, then validates on
    request. A thread would not help: the import holds the interpreter lock."""

    def __init__(self):
        context = get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child,), daemon=True, name="gx-validator"
        )
        self.process.start()
        atexit.register(self.close)

    def close(self) -> None:
        """Let it exit on its own (killed, it would leave its semaphores behind)."""
        if self.process.is_alive():
            with contextlib.suppress(OSError):  # it died already
                self.connection.send(None)
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()

    def validate(self, request: tuple) -> SuiteOutcome:
        self.connection.send(request)
        ok, payload = self.connection.recv()
        if not ok:
            raise RuntimeError(f"the validator failed:\n{payload}")
        return payload


def _serve(connection) -> None:
    import great_expectations  # noqa: F401 - the point of this process: imported early

    from orchestration.quality.expectations import SUITES_BY_NAME

    while (request := connection.recv()) is not None:
        database, suite_name, docs_dir, run_id, scope = request
        try:
            con = connections.connect(database)
            try:
                outcome = validate(con, SUITES_BY_NAME[suite_name], Path(docs_dir), run_id, scope)
            finally:
                con.close()
            connection.send((True, outcome))
        except Exception:
            connection.send((False, traceback.format_exc()))


def warm_up() -> None:
    """Start the validator process (once per process): this load will validate."""
    global _validator
    if _validator is None and "great_expectations" not in sys.modules:
        try:
            _validator = _Validator()
        except OSError:
            _validator = None  # no processes here: the checks import GX themselves


def validate_database(
    database: Path, suite: Suite, docs_dir: Path, run_id: str, scope: list[str] | None
) -> SuiteOutcome:
    """Validate a suite on the build database: in the validator process when one was
    started, else here. The caller holds the load lock; nobody else has the file open."""
    if _validator is not None and _validator.process.is_alive():
        return _validator.validate((str(database), suite.name, str(docs_dir), run_id, scope))
    con = connections.connect(str(database))
    try:
        return validate(con, suite, docs_dir, run_id, scope)
    finally:
        con.close()


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    severity: str
    unexpected_count: int
    examples: list[str] = field(default_factory=list)
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


def validate(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    docs_dir: Path,
    run_id: str,
    scope: list[str] | None = None,
) -> SuiteOutcome:
    """Validate one suite for the operations in `scope` (None: all of them)."""
    _create_results(con)
    if scope is None:
        con.execute("delete from quality.expectation_results where suite = ?", [suite.name])
        # every operation, those with nothing to validate included: each gets its record
        scope = [
            r[0]
            for r in con.execute(
                f"""select operation_id from raw.operations
                    union select distinct operation_id from ({suite.query}) order by 1"""
            ).fetchall()
        ]
    total = SuiteOutcome(suite.name, 0, [], None)
    for start in range(0, len(scope), OPERATIONS_PER_SLICE):
        part = _validate_slice(
            con, suite, docs_dir, run_id, scope[start : start + OPERATIONS_PER_SLICE]
        )
        total = SuiteOutcome(
            suite.name,
            total.rows + part.rows,
            _merge(total.outcomes, part.outcomes),
            part.data_docs or total.data_docs,
        )
    return total


def _validate_slice(
    con: duckdb.DuckDBPyConnection, suite: Suite, docs_dir: Path, run_id: str, operations: list[str]
) -> SuiteOutcome:
    frame: pd.DataFrame = con.execute(
        f"select * from ({suite.query}) where operation_id in (select unnest(?::varchar[]))",
        [operations],
    ).df()
    if frame.empty:
        _keep(con, suite.name, run_id, [], operations, {})
        return SuiteOutcome(suite.name, 0, [], None)
    import great_expectations as gx

    docs_dir.mkdir(parents=True, exist_ok=True)
    context = _context(str(docs_dir))
    source = context.data_sources.get("build_database")
    asset = (
        source.get_asset(suite.name)
        if suite.name in {a.name for a in source.assets}
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
    _keep(con, suite.name, run_id, outcomes, operations, frame["operation_id"].value_counts())
    return SuiteOutcome(suite.name, len(frame), outcomes, docs_dir / "index.html")


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


def _merge(
    total: list[ExpectationOutcome], part: list[ExpectationOutcome]
) -> list[ExpectationOutcome]:
    """One outcome per expectation over the slices validated so far."""
    if not total or not part:
        return total or part
    return [
        ExpectationOutcome(
            a.expectation,
            a.column,
            a.success and b.success,
            a.severity,
            a.unexpected_count + b.unexpected_count,
            (a.examples + b.examples)[:EXAMPLES],
            {**a.unexpected_by_operation, **b.unexpected_by_operation},
        )
        for a, b in zip(total, part, strict=True)
    ]


def _create_results(con: duckdb.DuckDBPyConnection) -> None:
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
    # that a suite validated an operation, and when: the publish gate refuses an operation
    # whose files landed after its last validation (a check that crashed or never ran)
    con.execute(
        """
        create table if not exists quality.validations (
            suite varchar, operation_id varchar, rows_validated bigint, run_id varchar,
            validated_at timestamp
        )
        """
    )


def _keep(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    run_id: str,
    outcomes: list[ExpectationOutcome],
    operations: list[str],
    rows_by_operation,
) -> None:
    """One row per operation and expectation, and one validation record per operation;
    the operations validated now replace their earlier rows."""
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
    con.execute(
        "delete from quality.expectation_results where suite = ? and operation_id in (select unnest(?::varchar[]))",
        [suite, operations],
    )
    if rows:
        names = [
            "suite",
            "operation_id",
            "expectation",
            "success",
            "severity",
            "unexpected_count",
            "examples",
            "run_id",
            "validated_at",
        ]
        con.register(
            "_results", pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])
        )
        try:
            con.execute(
                f"insert into quality.expectation_results ({', '.join(names)}) select * from _results"
            )
        finally:
            con.unregister("_results")
    con.execute(
        "delete from quality.validations where suite = ? and operation_id in (select unnest(?::varchar[]))",
        [suite, operations],
    )
    con.executemany(
        "insert into quality.validations values (?, ?, ?, ?, ?)",
        [(suite, op, int(rows_by_operation.get(op, 0)), run_id, now) for op in operations],
    )
    con.execute("commit")
