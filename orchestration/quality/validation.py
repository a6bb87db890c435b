"""Running the suite with Great Expectations 1.x: offline, quiet, Data Docs as HTML.

GX runs in the load's own process, in the suite's check, after the dbt build. Its import
(about 3 s) is started in a thread at the end of landing when the load will build
(`warm_up`) and overlaps the dbt build: dbt runs in its own process, and this one mostly
waits on dbt's output meanwhile, so the import's hold on the interpreter lock costs little.
The check finds GX imported. A load with nothing new never pays it. Operations are validated a slice at a time (memory stays bounded
on a first load of hundreds of operations), and the results are kept per operation in
`quality.expectation_results` of the build database, where the publish gate reads them,
with a record of which files each validation saw (`quality.validations`): a load that
validates some operations keeps the results of the others, and a result of other files
never passes for the files landed now. Data Docs are written next to the warehouse for
people to look at (`data_docs`: safe to open).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from orchestration import connections
from orchestration.quality import data_docs
from orchestration.quality.expectations import Suite
from orchestration.quality.gate import landed_digests

IDENTIFYING_COLUMNS = ["operation_id", "file_name", "sheet_name", "cell_ref"]
EXAMPLES = 5
OPERATIONS_PER_SLICE = 25
HISTORY = 10  # runs of the suite the Data Docs keep
BLOCKING = "critical"  # GX's FailureSeverity that blocks; recorded as 'error' (gate.py)
_import: threading.Thread | None = None


def _import_gx() -> None:
    try:
        import great_expectations  # noqa: F401
    except Exception:  # the check imports it again and reports what fails
        logging.getLogger(__name__).debug("great_expectations not imported early", exc_info=True)


def warm_up() -> None:
    """Import Great Expectations in a thread, once per process: this load will validate.
    Landing calls it at its end when the load will build, so the import overlaps the dbt
    build; the check that validates waits for it, never imports it twice."""
    global _import
    if _import is None:
        _import = threading.Thread(target=_import_gx, name="gx-import", daemon=True)
        _import.start()


def _imported() -> None:
    if _import is not None:
        _import.join()


def validate_database(
    database: Path, suite: Suite, docs_dir: Path, run_id: str, scope: list[str] | None
) -> SuiteOutcome:
    """Validate a suite on the build database and keep its outcome there, as of the files
    landed when its rows were read. The caller holds the load lock; nobody else has the
    file open."""
    _imported()
    con = connections.connect(str(database))
    try:
        started = _now()
        digests = landed_digests(con)  # the files the validated rows are of
        outcome = validate(con, suite, docs_dir, scope, run_name=run_id)
        keep(con, outcome, run_id, validated_at=started, digests=digests)
        return outcome
    finally:
        con.close()


def _now() -> dt.datetime:
    """UTC without a zone, as `raw.submissions.loaded_at` is written."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
class Validated:
    """One slice of operations as validated: what `keep` records for each of them."""

    operations: list[str]
    outcomes: list[ExpectationOutcome]
    rows_by_operation: dict[str, int]


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]
    data_docs: Path | None
    validated: list[Validated] = field(default_factory=list)
    everything: bool = False  # every operation was in scope: earlier results all go

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "error"]


def validate(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    docs_dir: Path,
    scope: list[str] | None = None,
    run_name: str = "manual",
) -> SuiteOutcome:
    """Validate one suite for the operations in `scope` (None: all of them), reading the
    suite's query on the build database. Writes Data Docs (the run `run_name` beside the
    last HISTORY runs), not results: `keep` does."""
    query = suite.query
    everything = scope is None
    if everything:
        # every operation, those with nothing to validate included: each gets its record
        scope = [
            r[0]
            for r in con.execute(
                f"""select operation_id from raw.operations
                    union select distinct operation_id from ({query}) order by 1"""
            ).fetchall()
        ]
    total = SuiteOutcome(suite.name, 0, [], None, everything=everything)
    pages = []  # the validation results Data Docs will show
    for start in range(0, len(scope), OPERATIONS_PER_SLICE):
        operations = scope[start : start + OPERATIONS_PER_SLICE]
        part, results = _validate_slice(con, suite, query, docs_dir, operations, run_name)
        pages += results
        total = SuiteOutcome(
            suite.name,
            total.rows + part.rows,
            _merge(total.outcomes, part.outcomes),
            part.data_docs or total.data_docs,
            total.validated + part.validated,
            everything,
        )
    if pages:  # once for all slices: each build compiles GX's templates again
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
        )

        _prune(docs_dir, suite.name, HISTORY)
        _context(str(docs_dir)).build_data_docs(
            site_names=["jad"],
            resource_identifiers=[*pages, ExpectationSuiteIdentifier(name=suite.name)],
        )
        data_docs.make_safe(docs_dir)  # no script runs, nothing is fetched
    return total


def _validate_slice(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    query: str,
    docs_dir: Path,
    operations: list[str],
    run_name: str,
) -> tuple[SuiteOutcome, list]:
    frame: pd.DataFrame = con.execute(
        f"select {_flat_columns(con, query)} from ({query}) "
        "where operation_id in (select unnest(?::varchar[]))",
        [operations],
    ).df()
    if frame.empty:
        return SuiteOutcome(suite.name, 0, [], None, [Validated(operations, [], {})]), []
    import great_expectations as gx

    data_docs.escape_frame(frame)  # GX prints values into Data Docs unescaped
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
            actions=[],  # Data Docs are built once, after the last slice
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [
                    c for c in IDENTIFYING_COLUMNS if c in frame.columns
                ],
                "partial_unexpected_count": EXAMPLES,
            },
        )
    )
    from great_expectations.core.run_identifier import RunIdentifier

    result = checkpoint.run(
        batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_name)
    )
    outcomes = [_outcome(r) for run in result.run_results.values() for r in run.results]
    rows = {str(op): int(n) for op, n in frame["operation_id"].value_counts().items()}
    part = SuiteOutcome(
        suite.name,
        len(frame),
        outcomes,
        docs_dir / "index.html",
        [Validated(operations, outcomes, rows)],
    )
    return part, list(result.run_results)


def _flat_columns(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The query's columns, lists joined as text. GX fingerprints each batch by hashing
    the frame; a column of lists cannot be hashed, and it pickled the whole frame instead
    (a third of the mapped suite's time). No expectation reads a list column."""
    columns = con.execute(f"describe {query}").fetchall()
    return ", ".join(
        f"array_to_string({_identifier(name)}, ' | ') as {_identifier(name)}"
        if column_type.endswith("[]")
        else _identifier(name)
        for name, column_type, *_ in columns
    )


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stores_dir(docs_dir: Path) -> Path:
    """Where GX keeps its suites and validation results between loads, for the Data Docs."""
    return docs_dir / ".stores"


@lru_cache(maxsize=4)
def _context(docs_dir: str):
    """A context whose stores are files under the Data Docs folder (the warehouse's), so the
    docs show the last HISTORY runs of each suite, not only this process's."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
    )

    for name in ("great_expectations", "great_expectations.core", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    config = DataContextConfig(
        store_backend_defaults=FilesystemStoreBackendDefaults(
            root_directory=str(stores_dir(Path(docs_dir)))
        ),
        data_docs_sites={
            "jad": {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": docs_dir,
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    if "build_database" not in {s.name for s in context.data_sources.all().values()}:
        context.data_sources.add_pandas("build_database")
    return context


def _prune(docs_dir: Path, suite: str, keep_runs: int) -> None:
    """Keep the newest `keep_runs` runs of a suite, in the stores and in the Data Docs (a run
    is a folder named by the Dagster run id, one per validation, whatever its slices)."""
    for root in (stores_dir(docs_dir) / "uncommitted" / "validations", docs_dir / "validations"):
        folder = root / suite
        if not folder.is_dir():
            continue
        runs = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in runs[: max(0, len(runs) - keep_runs)]:
            shutil.rmtree(old, ignore_errors=True)


def _outcome(result) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    unexpected = [r for r in (details.get("unexpected_index_list") or []) if isinstance(r, dict)]
    by_operation: dict[str, int] = {}
    unexpected = [
        {name: data_docs.unescape(value) for name, value in row.items()} for row in unexpected
    ]
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
        severity=_severity(config),
        unexpected_count=int(details.get("unexpected_count") or 0),
        examples=examples,
        unexpected_by_operation=by_operation,
    )


def _severity(config) -> str:
    """'error' (blocks) for GX's critical severity, its default; 'warning' or 'info' else."""
    severity = getattr(config, "severity", None) or BLOCKING
    severity = str(getattr(severity, "value", severity))
    return "error" if severity == BLOCKING else severity


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
    # that a suite validated an operation, when, and with which files (their digest as
    # landed): the publish gate refuses an operation whose files are not the ones its last
    # validation saw (a check that crashed or never ran, files re-landed or removed since)
    con.execute(
        """
        create table if not exists quality.validations (
            suite varchar, operation_id varchar, rows_validated bigint, run_id varchar,
            validated_at timestamp, landed_digest varchar
        )
        """
    )
    con.execute("alter table quality.validations add column if not exists landed_digest varchar")


def forget_validations(con: duckdb.DuckDBPyConnection, operations: list[str]) -> None:
    """These operations count as never validated: every suite validates them again in this
    load (`jadwh load --force`), and until it has, the publish holds them back."""
    _create_results(con)
    con.execute(
        "delete from quality.validations where operation_id in (select unnest(?::varchar[]))",
        [operations],
    )


def keep(
    con: duckdb.DuckDBPyConnection,
    outcome: SuiteOutcome,
    run_id: str,
    validated_at: dt.datetime | None = None,
    digests: dict[str, str] | None = None,
) -> None:
    """Record a suite's outcome in the build database, in one transaction: one row per
    operation and expectation, and one validation record per operation, as of
    `validated_at` (when the validated rows were read; now by default); the operations
    validated now replace their earlier rows (all of them, when all were validated)."""
    validated_at = validated_at or _now()
    digests = landed_digests(con) if digests is None else digests
    _create_results(con)
    con.execute("begin transaction")
    try:
        if outcome.everything:
            con.execute("delete from quality.expectation_results where suite = ?", [outcome.suite])
        for part in outcome.validated:
            _keep(con, outcome.suite, run_id, part, validated_at, digests)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _keep(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    run_id: str,
    part: Validated,
    now: dt.datetime,
    digests: dict[str, str],
) -> None:
    operations, outcomes, rows_by_operation = part.operations, part.outcomes, part.rows_by_operation
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
        """insert into quality.validations
           (suite, operation_id, rows_validated, run_id, validated_at, landed_digest)
           values (?, ?, ?, ?, ?, ?)""",
        [
            (suite, op, int(rows_by_operation.get(op, 0)), run_id, now, digests.get(op))
            for op in operations
        ],
    )
