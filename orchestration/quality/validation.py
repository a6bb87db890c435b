"""Running a suite with Great Expectations 1.x: offline, quiet, Data Docs as HTML.

GX takes about 3 s to import: a load that will validate starts a validator process that
imports it on the other core while the load lands and builds (`warm_up`), and a load with
nothing new never pays it. The landed-observations suite needs nothing dbt builds: landing
hands the validator a Parquet snapshot of what it landed (`validate_in_background`), which
is validated while dbt builds, and the check collects the outcome afterwards. Operations
are validated a slice at a time (memory stays bounded on a first load of hundreds of
operations), and the results are kept per operation in `quality.expectation_results` of
the build database, where the publish gate reads them: a load that validates some
operations keeps the results of the others. Data Docs are written next to the warehouse
for people to look at.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
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
from orchestration.quality.gate import landed_digests

IDENTIFYING_COLUMNS = ["operation_id", "file_name", "sheet_name", "cell_ref"]
EXAMPLES = 5
OPERATIONS_PER_SLICE = 25
_validator: _Validator | None = None


class _Validator:
    """A process that imports Great Expectations as soon as it starts, then validates on
    request, in order. A thread would not help: the import holds the interpreter lock.
    Each request has a number, so that one sent early (landing's) can be collected after
    others (the mapped suite's)."""

    def __init__(self):
        context = get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child,), daemon=True, name="gx-validator"
        )
        self.process.start()
        self.sent = self.received = 0
        self.answers: dict[int, tuple[bool, object]] = {}
        self.abandoned: set[int] = set()  # requests whose answers nobody will collect
        atexit.register(self.close)

    def close(self) -> None:
        """Let it exit on its own (killed, it would leave its semaphores behind)."""
        if self.process.is_alive():
            with contextlib.suppress(OSError):  # it died already
                self.connection.send(None)
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()

    def submit(self, request: _Request) -> int:
        # Answers to earlier requests are read first: the validator answers in order anyway,
        # and a large answer and a large request in the pipe at once would block both sides.
        self._receive_until(self.sent)
        self.sent += 1
        self.connection.send((self.sent, request))
        return self.sent

    def result(self, ticket: int) -> SuiteOutcome:
        self._receive_until(ticket)
        ok, payload = self.answers.pop(ticket)
        if not ok:
            raise RuntimeError(f"the validator failed:\n{payload}")
        return payload

    def abandon(self, ticket: int) -> None:
        if self.answers.pop(ticket, None) is None and ticket > self.received:
            self.abandoned.add(ticket)

    def _receive_until(self, ticket: int) -> None:
        while self.received < ticket:
            number, ok, payload = self.connection.recv()  # EOFError: the validator died
            if number in self.abandoned:
                self.abandoned.discard(number)
            else:
                self.answers[number] = (ok, payload)
            self.received = number

    @property
    def alive(self) -> bool:
        return self.process.is_alive()


@dataclass(frozen=True)
class _Request:
    """Validate `suite` for `scope`: rows from the build database (and keep the results
    there), or from a Parquet snapshot (the requester keeps them)."""

    suite: str
    docs_dir: str
    run_id: str
    scope: list[str] | None
    database: str | None = None
    snapshot: str | None = None


def _serve(connection) -> None:
    import great_expectations  # noqa: F401 - the point of this process: imported early

    from orchestration.quality.expectations import SUITES_BY_NAME

    while (message := connection.recv()) is not None:
        number, request = message
        try:
            suite = SUITES_BY_NAME[request.suite]
            con = connections.connect(request.database or ":memory:")
            started = _now()
            try:
                source = (
                    f"select * from read_parquet({_literal(request.snapshot)})"
                    if request.snapshot
                    else None
                )
                outcome = validate(con, suite, Path(request.docs_dir), request.scope, source)
                if request.database:
                    keep(con, outcome, request.run_id, validated_at=started)
            finally:
                con.close()
            connection.send((number, True, outcome))
        except Exception:
            connection.send((number, False, traceback.format_exc()))


def warm_up() -> None:
    """Start the validator process (once per process, again if it died): this load will
    validate."""
    global _validator
    if _validator is None or not _validator.alive:
        try:
            _validator = _Validator()
        except OSError:
            _validator = None  # no processes here: the checks import GX themselves


@dataclass(frozen=True)
class _Background:
    ticket: int
    run_id: str
    scope: list[str]
    snapshot: Path
    taken_at: dt.datetime  # what the outcome validates is the data as it was then
    digests: dict[str, str]  # operation -> its files as landed then (gate.LANDED_DIGESTS)


_background: dict[str, _Background] = {}  # suite -> its validation started early


def validate_in_background(
    con: duckdb.DuckDBPyConnection, suite: Suite, docs_dir: Path, run_id: str, snapshot_dir: Path
) -> list[str]:
    """Start validating what `suite` would validate now, from a Parquet snapshot (one file
    per run in `snapshot_dir`), in the validator process: the load goes on (dbt builds)
    meanwhile. The suite's check collects the outcome (`validate_database`) if its run and
    scope are still the same then. Returns the operations sent ([]: nothing to validate,
    or no validator). Only a speed-up: when it fails, the check validates the database."""
    _forget(suite.name)
    scope = suite.scope(con)
    if not scope or _validator is None or not _validator.alive:
        return []
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    for left in snapshot_dir.glob(f"{suite.name}.*.parquet"):
        left.unlink(missing_ok=True)  # of a load that was killed: this one has the lock
    snapshot = snapshot_dir / f"{suite.name}.{run_id}.parquet"
    taken_at = _now()
    try:
        digests = landed_digests(con)  # what the snapshot is a snapshot of
        con.execute(
            f"copy ({_rows_of(suite.query, scope)}) to {_literal(snapshot)} (format parquet)"
        )
        request = _Request(suite.name, str(docs_dir), run_id, scope, None, str(snapshot))
        ticket = _validator.submit(request)
    except (duckdb.Error, OSError, EOFError) as error:
        logging.getLogger(__name__).warning(f"{suite.name}: not validated early ({error})")
        snapshot.unlink(missing_ok=True)
        return []
    _background[suite.name] = _Background(ticket, run_id, scope, snapshot, taken_at, digests)
    return scope


def validate_database(
    database: Path, suite: Suite, docs_dir: Path, run_id: str, scope: list[str] | None
) -> SuiteOutcome:
    """Validate a suite on the build database: collected from the validation landing
    started when it covered this very scope in this run (and kept as of the time of its
    snapshot), else in the validator process when one is running, else here. The caller
    holds the load lock; nobody else has the file open."""
    early = _background.get(suite.name)
    if early is not None and (early.run_id, early.scope) == (run_id, scope) and _validator:
        try:
            outcome = _validator.result(early.ticket)
        except (RuntimeError, EOFError, OSError) as error:  # validate the database instead
            logging.getLogger(__name__).warning(f"{suite.name}: early validation lost ({error})")
            outcome = None
        finally:
            _forget(suite.name)
        if outcome is not None:
            con = connections.connect(str(database))
            try:
                keep(con, outcome, run_id, validated_at=early.taken_at, digests=early.digests)
            finally:
                con.close()
            return outcome
    _forget(suite.name)
    if _validator is not None and _validator.alive:
        request = _Request(suite.name, str(docs_dir), run_id, scope, str(database))
        return _validator.result(_validator.submit(request))
    con = connections.connect(str(database))
    try:
        started = _now()
        outcome = validate(con, suite, docs_dir, scope)
        keep(con, outcome, run_id, validated_at=started)
        return outcome
    finally:
        con.close()


def _forget(suite_name: str) -> None:
    """Drop an early validation (collected, or that nobody will collect): its snapshot,
    and its answer when it comes."""
    early = _background.pop(suite_name, None)
    if early is not None:
        early.snapshot.unlink(missing_ok=True)
        if _validator is not None:
            _validator.abandon(early.ticket)


def _now() -> dt.datetime:
    """UTC without a zone, as `raw.submissions.loaded_at` is written."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _rows_of(query: str, operations: list[str]) -> str:
    listed = ", ".join(_literal(op) for op in operations)
    return f"select * from ({query}) where operation_id in ({listed})"


def _literal(value) -> str:
    """A SQL string literal (COPY takes no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


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
    source: str | None = None,
) -> SuiteOutcome:
    """Validate one suite for the operations in `scope` (None: all of them), reading the
    suite's query on the build database, or `source` (a snapshot of its rows). Writes
    Data Docs, not results: `keep` does."""
    query = source or suite.query
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
        part, results = _validate_slice(con, suite, query, docs_dir, operations)
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

        _context(str(docs_dir)).build_data_docs(
            site_names=["jad"],
            resource_identifiers=[*pages, ExpectationSuiteIdentifier(name=suite.name)],
        )
    return total


def _validate_slice(
    con: duckdb.DuckDBPyConnection, suite: Suite, query: str, docs_dir: Path, operations: list[str]
) -> tuple[SuiteOutcome, list]:
    frame: pd.DataFrame = con.execute(
        f"select {_flat_columns(con, query)} from ({query}) "
        "where operation_id in (select unnest(?::varchar[]))",
        [operations],
    ).df()
    if frame.empty:
        return SuiteOutcome(suite.name, 0, [], None, [Validated(operations, [], {})]), []
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
    result = checkpoint.run(batch_parameters={"dataframe": frame})
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
