"""What changed since the last load: every piece of state that tells it, in one place.

A load does only the work its changes need, and a killed load leaves nothing the next one
cannot finish. The command line (`jadwh load`), the nightly schedule and the sensor on raw/
all decide what to load with `plan.plan_load`, from the same records, so that a load
published by one is known to the others. The map, outermost first:

| state | where | written by | read by | why |
|---|---|---|---|---|
| file hashes: size, times, inode -> sha256 | `.build/jad.raw_files.json` (`files.scan_remembered`) | every plan (CLI, schedule, sensor) | every plan | a cache: a tick or a plan hashes only files that changed; lost, all is hashed again |
| fingerprint of an operation: its files + reader version + model version | computed (`plan.fingerprints`), never stored as such | - | - | one hash that says whether an operation needs a load |
| landed fingerprints | `.build/jad.landed.json` (`plan.record_landed`) | landing | publish, every plan | what the build holds; landed but neither published nor held back: an interrupted load |
| published and held-back fingerprints | `jad.published.json` under `fingerprints` (`plan.record_publish`) | publish, after the swap | every plan | what the warehouse holds, what failed its checks; outside any DuckDB file, so a plan never opens the build a load may be writing |
| `raw.pending_operations` | build database (`build.mark_pending`) | landing adds, a successful dbt build removes | the dbt step | the operations dbt must rebuild (their raw rows changed) |
| `raw.build_state`: `landings` | build database | landing | the dbt step | landings numbered, never ordered by a clock: what lands during a dbt build stays pending |
| `raw.build_state`: `model_version`, `seeds_version` | build database | the dbt step | the dbt step | a changed model rebuilds every operation (full refresh); unchanged seeds are not loaded again |
| `raw.build_state`: `last_scope` | build database | the dbt step | checks, reports | the operations the last dbt build covered |
| `raw.build_scope` | build database (`build.write_scope`) | the dbt step | dbt (`macros/operation_scope.sql`) | the operations the running dbt build rebuilds |
| `raw.submissions.reader_version` | build database | landing | landing | a file read by another reader (code or seeds) is read again |
| `quality.validations` | build database (orchestration/quality) | Great Expectations | the gate | each operation validated since its files last landed |
| `audit.dbt_builds` | build database (dbt) | every dbt invocation | the gate | a failed dbt build holds back the publish |
| the publish record | `jad.published.json` (publish/atomic.py) | publish | `jadwh status`, reports, every plan | what was published, when, per operation |
| the attempt record | `jad.last_load.json` (load.py) | `jadwh load` | `jadwh status` | the last load, published or not |
| Dagster's runs | the Dagster instance | Dagster | the sensor | a queued or running run's operations are not requested again |

The sensor keeps no cursor: the plan's own cache of file hashes keeps its ticks cheap, and
its run keys are derived from content (`LoadPlan.run_key`), so the same load is never
requested twice.
"""
