"""The quality checks as Dagster asset checks: each on the asset it proves, each with the
numbers a steward needs in its metadata (derived, published, bounds, cells).

They fail with ERROR severity but do not stop the run: what they find holds back the
operations it concerns, and the publish asset decides per operation (quality/gate.py,
publish/compose.py), so that one broken operation never holds back the others.

One check per published metric and per charge of the breakdown (from the seeds, so a new
metric gets its check without code) and for a published count of countries, one per
reconciliation level, conservation, plausibility across countries, the quarantine, and the
Great Expectations suite. dbt's own tests appear through dagster-dbt as checks on the models
they test (and those on the raw sources as checks on the landed tables).

A published figure's check passes or fails on the primary source's figure (the rows of
marts.reconciliation that are `blocking`); what the other sources give is in its metadata,
marked not blocking.
"""

import dagster as dg

from orchestration.formatting import bounds, figure
from orchestration.ingest.vocabulary import COUNTRIES_PARTICIPATING, seed_codes
from orchestration.load_lock import exclusive_load
from orchestration.markdown import literal
from orchestration.quality import gate
from orchestration.quality.expectations import MAPPED, Suite
from orchestration.quality.validation import validate_database
from orchestration.resources import BuildDuckDBResource, WarehouseResource

RECONCILIATION = dg.AssetKey(["marts", "reconciliation"])
CONSERVATION = dg.AssetKey(["audit", "conservation"])
OUTLIERS = dg.AssetKey(["audit", "outliers"])
QUARANTINE = dg.AssetKey(["audit", "quarantine"])
ERROR = dg.AssetCheckSeverity.ERROR
SHOWN = 20  # failures listed in a check's metadata; the rest are counted


def _published_specs() -> list[dg.AssetCheckSpec]:
    specs = [
        dg.AssetCheckSpec(
            f"published_{metric}",
            asset=RECONCILIATION,
            blocking=False,
            description=f"The sum over countries of {metric} lies within the bounds of the published figure.",
        )
        for metric in seed_codes("metrics.csv", "metric_code")
    ]
    specs += [
        dg.AssetCheckSpec(
            f"published_arrests_{charge}",
            asset=RECONCILIATION,
            blocking=False,
            description=f"Arrests for {charge}, summed over countries, equal the published breakdown.",
        )
        for charge in seed_codes("charges.csv", "charge_code")
    ]
    specs.append(
        dg.AssetCheckSpec(
            f"published_{COUNTRIES_PARTICIPATING}",
            asset=RECONCILIATION,
            blocking=False,
            description="The number of countries that reported equals the count the primary source published.",
        )
    )
    return specs


LEVEL_SPECS = [
    dg.AssetCheckSpec(
        "countries_reporting",
        asset=RECONCILIATION,
        blocking=False,
        description="Every participant of the operation reported figures, and only participants count.",
    ),
    dg.AssetCheckSpec(
        "within_files",
        asset=RECONCILIATION,
        blocking=False,
        description="Each file's own TOTAL rows and columns equal the sum of their detail cells.",
    ),
    dg.AssetCheckSpec(
        "within_countries",
        asset=RECONCILIATION,
        blocking=False,
        description="Arrests by charge add up to arrests, hits never exceed searches, a summary equals its detail.",
    ),
]


def _other_sources(others: list[tuple]) -> dict:
    """What the non-primary sources give for the figure: reported, never blocking."""
    if not others:
        return {}
    return {
        "other_sources": dg.MetadataValue.md(
            "Not blocking: only the primary source gates the publish.\n\n"
            "| operation | source | published | derived | status | conflict |\n"
            "|---|---|---|---:|---|---|\n"
            + "\n".join(
                f"| {literal(op)} | {literal(source)} | {qualifier.replace('_', ' ')} {figure(published)} | "
                f"{figure(derived)} | {status} | {'yes' if conflict else ''} |"
                for op, source, derived, published, qualifier, status, conflict in others
            )
        )
    }


def _figure_result(
    check_name: str, rows: list[tuple], others: list[tuple] = ()
) -> dg.AssetCheckResult:
    if not rows:
        return dg.AssetCheckResult(
            check_name=check_name,
            asset_key=RECONCILIATION,
            passed=True,
            metadata={
                "published": "no primary source publishes this figure",
                **_other_sources(others),
            },
        )
    failing = [r for r in rows if r[-2] == "fail"]
    operation, derived, published, qualifier, lower, upper, lo_in, hi_in, status, detail = rows[0]
    metadata = {
        "derived_value": dg.MetadataValue.float(float(derived)) if derived is not None else None,
        "published_value": dg.MetadataValue.float(float(published)),
        "qualifier": qualifier,
        "lower_bound": dg.MetadataValue.float(float(lower)),
        "upper_bound": dg.MetadataValue.float(float(upper)),
        "bounds": bounds(lower, upper, lo_in, hi_in),
        "operation_id": operation,
    }
    if len(rows) > 1:
        metadata["operations"] = dg.MetadataValue.md(
            "| operation | derived | published | bounds | status |\n|---|---:|---|---|---|\n"
            + "\n".join(
                f"| {literal(r[0])} | {figure(r[1])} | {r[3].replace('_', ' ')} {figure(r[2])} | "
                f"{bounds(r[4], r[5], r[6], r[7])} | {r[8]} |"
                for r in rows
            )
        )
    if failing:
        metadata["detail"] = "; ".join(f"{r[0]}: {r[9]}" for r in failing if r[9])
    metadata.update(_other_sources(others))
    return dg.AssetCheckResult(
        check_name=check_name,
        asset_key=RECONCILIATION,
        passed=not failing,
        severity=ERROR,
        metadata={k: v for k, v in metadata.items() if v is not None},
    )


def _level_result(check_name: str, level: str, rows: list[tuple]) -> dg.AssetCheckResult:
    checked = [r for r in rows if r[0] == level]
    failing = [r for r in checked if r[2] == "fail"]
    table = "| check | derived | compared with | detail |\n|---|---:|---:|---|\n" + "\n".join(
        f"| {literal(r[1])} | {figure(r[3])} | {figure(r[4])} | {literal(r[5] or '')} |"
        for r in failing[:SHOWN]
    )
    return dg.AssetCheckResult(
        check_name=check_name,
        asset_key=RECONCILIATION,
        passed=not failing,
        severity=ERROR,
        metadata={
            "checks": len(checked),
            "failing": len(failing),
            **({"failures": dg.MetadataValue.md(table)} if failing else {}),
        },
    )


PUBLISHED_SPECS = _published_specs()


@dg.multi_asset_check(specs=PUBLISHED_SPECS + LEVEL_SPECS, name="reconciliation_checks")
def reconciliation_checks(duckdb: BuildDuckDBResource):
    """Reconciliation at its three levels, read from marts.reconciliation."""
    with duckdb.get_connection() as con:
        figures = con.execute(
            """
            select metric_code, charge_code, operation_id, derived_value, published_value,
                   qualifier, lower_bound, upper_bound, lower_inclusive, upper_inclusive,
                   status, detail, blocking, source, conflict
            from marts.reconciliation
            where check_level = 'across_countries' and metric_code is not null
            order by operation_id, source
            """
        ).fetchall()
        levels = con.execute(
            """
            select check_level, operation_id || ': ' || check_name, status, derived_value,
                   published_value, detail
            from marts.reconciliation
            order by operation_id, check_name
            """
        ).fetchall()
        participation = con.execute(
            """
            select operation_id, derived_value, published_value, lower_bound, upper_bound,
                   lower_inclusive, upper_inclusive, status, detail
            from marts.reconciliation where check_name = 'countries reporting = participants'
            """
        ).fetchall()
    for spec in PUBLISHED_SPECS:
        metric, _, charge = spec.name.removeprefix("published_").partition("arrests_")
        if charge:
            wanted = [r[2:] for r in figures if r[0] == "arrests" and r[1] == charge]
        else:
            wanted = [r[2:] for r in figures if r[0] == metric and r[1] is None]
        yield _figure_result(
            spec.name,
            [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]) for r in wanted if r[10]],
            [(r[0], r[11], r[1], r[2], r[3], r[8], r[12]) for r in wanted if not r[10]],
        )
    yield _figure_result(
        "countries_reporting",
        [(r[0], r[1], r[2], "exact", r[3], r[4], r[5], r[6], r[7], r[8]) for r in participation],
    )
    yield _level_result("within_files", "within_file", levels)
    yield _level_result("within_countries", "within_country", levels)


def _findings_result(
    asset_key: dg.AssetKey, findings: list[gate.Finding], counted: dict
) -> dg.AssetCheckResult:
    metadata = dict(counted)
    if findings:
        metadata["findings"] = dg.MetadataValue.md(
            "\n".join(f"- {literal(f.message)}" for f in findings[:SHOWN])
        )
    return dg.AssetCheckResult(
        asset_key=asset_key, passed=not findings, severity=ERROR, metadata=metadata
    )


@dg.asset_check(asset=CONSERVATION, blocking=False, name="every_cell_accounted_for")
def conservation_check(duckdb: BuildDuckDBResource) -> dg.AssetCheckResult:
    """Every non-empty cell of every accepted file is an observation, an ignored cell or
    quarantined, exactly once (names the cells that are not)."""
    with duckdb.get_connection() as con:
        findings = gate.conservation_failures(con)
        sheets, cells, missing, duplicated = con.execute(
            """select count(*), coalesce(sum(non_empty_cells), 0), coalesce(sum(missing_cells), 0),
                      coalesce(sum(duplicated_cells), 0) from audit.conservation"""
        ).fetchone()
    return _findings_result(
        CONSERVATION,
        findings,
        {
            "sheets": sheets,
            "non_empty_cells": int(cells),
            "missing_cells": int(missing),
            "duplicated_cells": int(duplicated),
        },
    )


@dg.asset_check(asset=OUTLIERS, blocking=False, name="plausible_across_countries")
def outliers_check(duckdb: BuildDuckDBResource) -> dg.AssetCheckResult:
    """No country's figure for an operation is more than its metric's outlier_ratio times the
    median of the other countries' (metrics.csv): each cell may be plausible while their sum
    is not."""
    with duckdb.get_connection() as con:
        findings = gate.outlier_failures(con)
        compared = con.execute("select count(*) from audit.outliers").fetchone()[0]
    return _findings_result(OUTLIERS, findings, {"figures_compared": compared})


@dg.asset_check(asset=QUARANTINE, blocking=False, name="no_cell_level_errors")
def quarantine_check(duckdb: BuildDuckDBResource) -> dg.AssetCheckResult:
    """No error-level item in the quarantine: a file read in part would give a wrong number
    that looks right. Rejected files and warnings are listed, and do not block."""
    with duckdb.get_connection() as con:
        findings = gate.quarantine_errors(con)
        by_severity = dict(
            con.execute("select severity, count(*) from audit.quarantine group by 1").fetchall()
        )
    return _findings_result(
        QUARANTINE,
        findings,
        {f"{severity}_items": count for severity, count in sorted(by_severity.items())},
    )


def _expectation_check(suite: Suite, blocking: bool = False, op_tags: dict | None = None):
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        blocking=blocking,
        name=f"expectations_{suite.name}",
        description=f"Great Expectations suite '{suite.name}': {suite.description} "
        "Error-level failures block the publish.",
        op_tags=op_tags,
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        duckdb: BuildDuckDBResource,
        warehouse: WarehouseResource,
    ) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            scope = suite.scope(con)
        with exclusive_load(warehouse.paths.load_lock):
            outcome = validate_database(
                warehouse.paths.build_database,
                suite,
                warehouse.paths.data_docs_dir,
                context.run.run_id,
                scope,
            )
        failing = outcome.blocking_failures
        return dg.AssetCheckResult(
            passed=not failing,
            severity=ERROR,
            metadata={
                "rows_validated": outcome.rows,
                "operations": "all" if scope is None else ", ".join(scope) or "none changed",
                "expectations": len(outcome.outcomes),
                "failing": len(failing),
                "data_docs": dg.MetadataValue.path(
                    str(outcome.data_docs or "not written: nothing to validate")
                ),
                "results": dg.MetadataValue.md(
                    "| expectation | severity | unexpected | e.g. |\n|---|---|---:|---|\n"
                    + "\n".join(
                        f"| {o.expectation} | {o.severity} | {o.unexpected_count} | {literal('; '.join(o.examples))} |"
                        for o in outcome.outcomes
                        if not o.success
                    )
                )
                if failing
                else "all expectations met",
            },
        )

    return _check


EXPECTATION_CHECKS = [_expectation_check(MAPPED)]
ALL_CHECKS = [
    reconciliation_checks,
    conservation_check,
    outliers_check,
    quarantine_check,
    *EXPECTATION_CHECKS,
]
