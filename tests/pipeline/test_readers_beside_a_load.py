"""A reader of the build database never makes a load fail.

DuckDB refuses a writer while anyone else has the file open, even read-only: `jadwh
quarantine` run beside a load once made the load fail. Readers now take the load lock
with a short wait and, while a load holds it, read the published warehouse and say so.
Two loads are tried: `jadwh load` (which holds the lock for its whole run) and the job as
the daemon runs it (whose steps take the lock one at a time: a reader may come in between)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from tests.hostile.test_faults import environment, like_seed, resend, start

runner = CliRunner()

# the load job as the daemon's run worker runs it: no lock around the run, only its steps'
DAEMON_LIKE = textwrap.dedent(
    """
    import sys
    import dagster as dg
    from orchestration.code_location import ASSETS, CHECKS
    from orchestration.partitions import discovered_operations, partition_tags, register_operations
    from orchestration.resources import resources_for
    from orchestration.settings import current_paths

    paths = current_paths()
    instance = dg.DagsterInstance.ephemeral()
    operations = discovered_operations(paths)
    register_operations(instance, operations)
    result = dg.materialize(
        [*ASSETS, *CHECKS],
        resources=resources_for(paths),
        instance=instance,
        raise_on_error=False,
        tags=partition_tags(instance, operations),
    )
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    print("failed steps:", failed)
    sys.exit(0 if result.success else 1)
    """
)


@pytest.mark.parametrize("how", ["jadwh load", "daemon run"])
def test_quarantine_beside_a_load_never_makes_it_fail(how, seed_warehouse, tmp_path, monkeypatch):
    paths = like_seed(seed_warehouse, tmp_path)
    resend(paths, 1)  # work for the load: a new file lands, dbt builds, it publishes
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("JAD_RAW_DIR", str(paths.raw_dir))
    monkeypatch.setenv("JAD_WAREHOUSE", str(paths.warehouse))
    if how == "jadwh load":
        load = start(paths)
    else:
        log = (tmp_path / "run.log").open("w")  # Dagster logs every event: not into a pipe
        load = subprocess.Popen(
            [sys.executable, "-c", DAEMON_LIKE],
            env=environment(paths),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    readings = []
    try:
        while load.poll() is None:
            result = runner.invoke(app, ["quarantine"])
            readings.append((result.exit_code, result.output))
    finally:
        out, err = load.communicate(timeout=600)
    if how != "jadwh load":
        out, err = (tmp_path / "run.log").read_text(), ""
    assert load.returncode == 0, f"{out[-5000:]}\n{err}"  # never refused its database
    assert "Conflicting lock" not in out + err
    assert len(readings) > 3
    assert all(code == 0 for code, _ in readings), readings  # nor was any reader
    if how == "jadwh load":  # it holds the lock all along: readers read the published one
        assert any("A load is running" in output for _, output in readings)
    assert os.path.exists(paths.warehouse)
