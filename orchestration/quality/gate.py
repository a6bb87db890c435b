"""What blocks a publish, read from the build database: one list of findings that the
asset checks report and the publish asset decides on, however the publish was started.
Each finding names the operation it holds back; one without an operation (a dbt model or
test that failed) puts the whole build in doubt.

Blocking: a dbt model or test that failed (those on the raw sources too), a reconciliation
that does not add up, a cell lost or counted twice (conservation), a country's figure far
beyond the other countries' (audit.outliers), an error-level quarantine item (a file read
in part), a failed expectation of Great Expectations whose own `severity` is critical
(recorded as 'error'), an operation that Great Expectations has not validated with its
files as they are now.

Of the published figures, only the primary source's gate the publish: marts.reconciliation
marks every row `blocking` but a non-primary source's, and the gate reads failures where
`blocking` is true. What the other sources give, and where they disagree, is reported
(`source_disagreements`, marts.published_source_conflicts), never blocking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from orchestration.formatting import figure

# Step order within a load (Dagster's in-process executor runs the ready step of highest
# `dagster/priority` first; default 0): the publish after the checks. Only speed depends on
# this order: a publish that came before a validation would be refused by
# `unvalidated_operations`, never let through.
RUNS_LAST = {"dagster/priority": "-2"}


@dataclass(frozen=True)
class Finding:
    check: str  # the check that failed
    message: str  # one sentence, with the numbers and the file, sheet and cell where known
    # the operation it holds back; None: the build itself is in doubt, nothing is published
    operation_id: str | None = None


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _missing(check: str, table: str) -> list[Finding]:
    return [Finding(check, f"{table} was not built, so nothing proves this load")]


def dbt_build_failures(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    if not _table_exists(con, "audit", "dbt_builds"):
        return _missing("dbt build", "audit.dbt_builds")
    failures, nodes = con.execute(
        "select failures, failed_nodes from audit.dbt_builds order by finished_at desc limit 1"
    ).fetchone()
    if failures:
        return [Finding("dbt build", f"{failures} dbt model(s) or test(s) failed: {nodes}")]
    return []


def _column_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return bool(
        con.execute(
            """select count(*) from duckdb_columns()
               where schema_name = ? and table_name = ? and column_name = ?""",
            [schema, table, column],
        ).fetchone()[0]
    )


def reconciliation_failures(
    con: duckdb.DuckDBPyConnection, level: str | None = None
) -> list[Finding]:
    """Failing checks that block: every check of the data, the primary source's figures."""
    if not _table_exists(con, "marts", "reconciliation"):
        return _missing("reconciliation", "marts.reconciliation")
    # a reconciliation built before sources were told apart: every failure blocks
    blocking = "blocking" if _column_exists(con, "marts", "reconciliation", "blocking") else "true"
    rows = con.execute(
        f"""
        select operation_id, check_level, check_name, derived_value, qualifier,
               published_value, lower_bound, upper_bound, detail
        from marts.reconciliation
        where status = 'fail' and {blocking} and (? is null or check_level = ?)
        order by operation_id, check_level, check_name
        """,
        [level, level],
    ).fetchall()
    return [
        Finding(
            f"reconciliation {check_level.replace('_', ' ')}",
            f"{operation_id}: {name}: derived {figure(derived)} against {qualifier.replace('_', ' ')} "
            f"{figure(published)}, allowed [{figure(lower)}, {figure(upper)}]"
            + (f"; {detail}" if detail else ""),
            operation_id,
        )
        for operation_id, check_level, name, derived, qualifier, published, lower, upper, detail in rows
    ]


def source_disagreements(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """What does not block but an analyst must see: a non-primary source's figure that the
    data contradicts (a conflict when another source's passes), and a source whose own
    breakdown or country count does not add up."""
    findings = []
    if _column_exists(con, "marts", "reconciliation", "blocking"):
        rows = con.execute(
            """
            select operation_id, source, check_name, derived_value, qualifier, published_value,
                   conflict
            from marts.reconciliation
            where status = 'fail' and not blocking
            order by operation_id, source, check_name
            """
        ).fetchall()
        findings += [
            Finding(
                "source conflict" if conflict else "source disagrees",
                f"{operation_id}: {source}: {name}: {qualifier.replace('_', ' ')} "
                f"{figure(published)} against the data's {figure(derived)} (not blocking)",
            )
            for operation_id, source, name, derived, qualifier, published, conflict in rows
        ]
    if _table_exists(con, "marts", "published_source_consistency"):
        rows = con.execute(
            """
            select operation_id, source, detail, data_detail
            from marts.published_source_consistency
            where status = 'gap' order by operation_id, source, check_name
            """
        ).fetchall()
        findings += [
            Finding("source gap", f"{operation_id}: {source}: {detail}; {data_detail}")
            for operation_id, source, detail, data_detail in rows
        ]
    return findings


def conservation_failures(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    if not _table_exists(con, "audit", "conservation"):
        return _missing("conservation", "audit.conservation")
    rows = con.execute(
        """select operation_id, detail from audit.conservation where status = 'fail'
           order by operation_id, file_name, sheet_name"""
    ).fetchall()
    return [Finding("conservation", detail, operation) for operation, detail in rows]


def outlier_failures(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    if not _table_exists(con, "audit", "outliers"):
        return _missing("outliers", "audit.outliers")
    rows = con.execute(
        """select operation_id, detail from audit.outliers where status = 'fail'
           order by operation_id, metric_code, country_code"""
    ).fetchall()
    return [Finding("outlier", detail, operation) for operation, detail in rows]


def quarantine_errors(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    if not _table_exists(con, "audit", "quarantine"):
        return _missing("quarantine", "audit.quarantine")
    rows = con.execute(
        """
        select operation_id, reason_code, message from audit.quarantine
        where severity = 'error' order by operation_id, file_name, sheet_name, cell_ref
        """
    ).fetchall()
    return [
        Finding(f"quarantine ({reason})", message, operation) for operation, reason, message in rows
    ]


def expectation_failures(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Critical expectations (recorded as 'error') that failed, as validated with the operation's current
    files: a result of files that were since re-landed or removed is not shown as a reason
    (`unvalidated_operations` holds the operation back until it is validated again)."""
    if not _table_exists(con, "quality", "expectation_results"):
        return []  # Great Expectations has not run on this build yet; its checks say so
    from orchestration.quality.expectations import SUITES

    stale = {
        (suite, operation)
        for suite, operation, _ in stale_validations(con, [s.name for s in SUITES])
    }
    rows = con.execute(
        """
        select suite, operation_id, expectation, unexpected_count, examples
        from quality.expectation_results
        where not success and severity = 'error' and suite in (select unnest(?::varchar[]))
        order by suite, operation_id, expectation
        """,
        [[s.name for s in SUITES]],  # a suite retired since (its rules moved to dbt) says nothing
    ).fetchall()
    return [
        Finding(
            f"expectations {suite}",
            f"{operation}: {expectation}: {count} unexpected value(s)"
            + (f", e.g. {examples}" if examples else ""),
            operation,
        )
        for suite, operation, expectation, count, examples in rows
        if (suite, operation) not in stale
    ]


# What a suite's result of an operation is a result of: the operation's files as landed
# (content, reader, status, presence, landing) and its manifest, as one digest. A result is
# current while the digest it was recorded with is the digest now: equality, never the
# order of two clock readings (a load stamped by a clock two hours ahead once made every
# later validation look older than the landing, and blocked every load for two hours).
LANDED_DIGESTS = """
    select s.operation_id,
           md5(coalesce(any_value(o.manifest_sha256), '') || '|' || string_agg(
               concat_ws(':', s.file_id, s.reader_version, s.status, s.is_present,
                         strftime(s.loaded_at, '%Y-%m-%dT%H:%M:%S.%f')),
               ',' order by s.file_id)) as landed_digest,
           max(s.loaded_at) as landed_at
    from raw.submissions as s
    left join raw.operations as o using (operation_id)
    group by s.operation_id
"""


def landed_digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """operation -> the digest of its files as landed now (LANDED_DIGESTS)."""
    if not _table_exists(con, "raw", "submissions"):
        return {}
    return dict(
        con.execute(f"select operation_id, landed_digest from ({LANDED_DIGESTS})").fetchall()
    )


def stale_validations(
    con: duckdb.DuckDBPyConnection, suites: list[str]
) -> list[tuple[str, str, dt.datetime]]:
    """(suite, operation, landed_at) for each operation whose files changed since the suite
    last validated it (re-landed, read by another reader, removed, its manifest changed:
    the digest the validation recorded is not the digest now), or that it never validated."""
    digest_column = _table_exists(con, "quality", "validations") and _column_exists(
        con, "quality", "validations", "landed_digest"
    )
    validated = (
        "select suite, operation_id, landed_digest from quality.validations"
        if digest_column
        else "select null::varchar as suite, null::varchar as operation_id, "
        "null::varchar as landed_digest where false"
    )
    return con.execute(
        f"""
        with landed as ({LANDED_DIGESTS}),
        suites as (select unnest(?::varchar[]) as suite)
        select suites.suite, landed.operation_id, landed.landed_at
        from landed
        cross join suites
        left join ({validated}) as validated
            on validated.suite = suites.suite and validated.operation_id = landed.operation_id
        where validated.landed_digest is null
            or validated.landed_digest <> landed.landed_digest
        order by landed.operation_id, suites.suite
        """,
        [suites],
    ).fetchall()


def unvalidated_operations(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Operations a Great Expectations suite has not validated since their files landed:
    its check crashed, or did not run before the publish. Results left by an earlier load
    must not pass for this one's."""
    from orchestration.quality.expectations import SUITES

    if not _table_exists(con, "raw", "submissions"):
        return _missing("expectations", "raw.submissions")
    return [
        Finding(
            f"expectations {suite}",
            f"{operation}: not validated with its files as they are now (landed last at "
            f"{landed_at:%Y-%m-%d %H:%M:%S} UTC; the check did not run or did not finish); "
            "load again",
            operation,
        )
        for suite, operation, landed_at in stale_validations(con, [s.name for s in SUITES])
    ]


def held_back(findings: list[Finding]) -> dict[str, list[Finding]]:
    """operation -> what holds it back (an operation is the unit of trust: its findings hold
    back its own figures, never another operation's)."""
    by_operation: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.operation_id is not None:
            by_operation.setdefault(finding.operation_id, []).append(finding)
    return by_operation


def build_findings(findings: list[Finding]) -> list[Finding]:
    """What puts the whole build in doubt (a dbt model or test that failed, a table that
    was not built): nothing is published."""
    return [f for f in findings if f.operation_id is None]


def manifest_problems(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """An operation whose manifest breaks the interface: nothing of it can be trusted."""
    if not _table_exists(con, "raw", "manifest_problems"):
        return []
    rows = con.execute(
        "select operation_id, message from raw.manifest_problems order by operation_id"
    ).fetchall()
    return [Finding("manifest", message, operation) for operation, message in rows]


def blocking_findings(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Everything that keeps this build, or one of its operations, from being published;
    empty when every operation may be."""
    return (
        manifest_problems(con)
        + dbt_build_failures(con)
        + conservation_failures(con)
        + outlier_failures(con)
        + quarantine_errors(con)
        + reconciliation_failures(con)
        + expectation_failures(con)
        + unvalidated_operations(con)
    )
