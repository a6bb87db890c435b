"""The dbt documentation as one static page: every model, column, test and its lineage."""

from __future__ import annotations

import subprocess
from pathlib import Path

from orchestration import writing
from orchestration.load_lock import exclusive_load
from orchestration.settings import Paths, dbt_executable, dbt_project_dir, export_for_dbt


def generate_dbt_docs(paths: Paths) -> Path:
    """`dbt docs generate --static` on the build database; the page goes next to the
    warehouse as dbt_docs/index.html (it opens from disk, no server needed)."""
    project = dbt_project_dir()
    export_for_dbt(paths)
    with exclusive_load(paths.load_lock):
        subprocess.run(
            [
                dbt_executable(),
                "docs",
                "generate",
                "--static",
                "--quiet",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
            ],
            check=True,
        )
    target = paths.warehouse.parent / "dbt_docs" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    writing.copy_file(project / "target" / "static_index.html", target)
    return target
