"""The validator process: requests answered in order, whatever their size."""

import threading

import duckdb
import pytest

from orchestration.quality import validation
from orchestration.quality.expectations import LANDED


@pytest.fixture
def empty_snapshot(tmp_path):
    """A snapshot of the landed-observations suite's rows that holds none."""
    path = tmp_path / "landed.parquet"
    con = duckdb.connect()
    con.execute(f"copy (select 'none' as operation_id where false) to '{path}' (format parquet)")
    con.close()
    return path


def test_a_large_answer_and_a_large_request_do_not_block_each_other(tmp_path, empty_snapshot):
    """Landing's early validation can answer with a record per operation while the next
    check sends a scope of as many operations: both beyond what a pipe holds (64 KiB)."""
    validation.warm_up()
    validator = validation._validator
    many = [f"operation-{n:05d}" for n in range(20_000)]  # ~400 KiB each way

    def request():
        return validation._Request(
            LANDED.name, str(tmp_path / "docs"), "run", many, snapshot=str(empty_snapshot)
        )

    answers = {}

    def exchange():
        early = validator.submit(request())
        later = validator.submit(request())
        answers["later"] = validator.result(later)
        answers["early"] = validator.result(early)

    worker = threading.Thread(target=exchange, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the validator and the load wait for each other"
    assert set(answers) == {"early", "later"}
    for outcome in answers.values():
        assert sum(len(part.operations) for part in outcome.validated) == len(many)
        assert outcome.rows == 0
