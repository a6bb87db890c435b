"""Everything Dagster serves, assembled for one deployment's paths."""

from __future__ import annotations

import dagster as dg

from orchestration.automation.jobs import load_warehouse
from orchestration.automation.schedules import build_nightly_schedule
from orchestration.automation.sensors import build_raw_files_sensor
from orchestration.landing.assets import land_raw_files
from orchestration.publish.assets import published_warehouse
from orchestration.quality.checks import ALL_CHECKS
from orchestration.reports.assets import operation_reports
from orchestration.resources import resources_for
from orchestration.settings import Paths, current_paths
from orchestration.transform.assets import jad_dbt_models

ASSETS = [land_raw_files, jad_dbt_models, published_warehouse, operation_reports]
CHECKS = ALL_CHECKS


def build_definitions(paths: Paths | None = None) -> dg.Definitions:
    paths = paths or current_paths()
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=CHECKS,
        jobs=[load_warehouse],
        schedules=[build_nightly_schedule(paths)],
        sensors=[build_raw_files_sensor(paths)],
        resources=resources_for(paths),
    )
