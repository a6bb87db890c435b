"""The dbt project, and its manifest made ready before Dagster reads it.

`DbtProject.prepare_if_dev()` parses only under `dagster dev`; the CLI, the
tests and CI load the definitions elsewhere, so the manifest is parsed here whenever it is
missing or older than the project's SQL and yml. This module must not define @dbt_assets
(`dagster-dbt project prepare-and-package --file` imports it).
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import dbt_executable, dbt_project_dir


def _newest_source(project_dir: Path) -> float:
    patterns = ("models/**/*", "macros/**/*", "tests/**/*", "seeds/*.csv", "*.yml")
    return max(
        (
            p.stat().st_mtime
            for pattern in patterns
            for p in project_dir.glob(pattern)
            if p.is_file()
        ),
        default=0.0,
    )


def prepared_project(project_dir: Path | None = None) -> DbtProject:
    """The DbtProject with a manifest no older than its sources."""
    project_dir = project_dir or dbt_project_dir()
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source(project_dir):
        os.environ.setdefault("DO_NOT_TRACK", "1")
        DbtCliResource(
            project_dir=str(project_dir),
            profiles_dir=str(project_dir),
            dbt_executable=dbt_executable(),
        ).cli(["parse", "--quiet"], target_path=project.target_path, raise_on_error=True).wait()
    return project


dbt_project = prepared_project()
