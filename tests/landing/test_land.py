"""Landing through a pool of reading processes lands exactly what one process lands."""

from __future__ import annotations

from orchestration import connections
from orchestration.ingest.versions import reader_version
from orchestration.ingest.vocabulary import load_vocabulary
from orchestration.landing.land import land_operations
from orchestration.landing.raw_tables import FILE_TABLES, arrow_schema
from orchestration.raw_layout import discover_operations
from tests.conftest import RAW_DIR

LOAD_TIMES = {"loaded_at", "first_seen_at", "detected_at"}  # differ from one load to the next


def _land(database, workers: int) -> dict[str, list[tuple]]:
    con = connections.connect(database)
    try:
        summaries = land_operations(
            con, discover_operations(RAW_DIR), load_vocabulary(), reader_version(), workers=workers
        )
        assert sum(s.files_read for s in summaries) > 30
        contents = {}
        for table in FILE_TABLES:
            columns = [n for n in arrow_schema(table).names if n not in LOAD_TIMES]
            contents[table] = con.execute(
                f"select {', '.join(columns)} from raw.{table} order by all"
            ).fetchall()
        return contents
    finally:
        con.close()


def test_two_reading_processes_land_the_same_rows_as_one(tmp_path):
    one = _land(tmp_path / "one.duckdb", workers=1)
    two = _land(tmp_path / "two.duckdb", workers=2)
    assert len(one["observations"]) > 1000 and len(one["cells"]) > len(one["observations"])
    for table in FILE_TABLES:
        assert two[table] == one[table], f"raw.{table} differs between 1 and 2 reading processes"
