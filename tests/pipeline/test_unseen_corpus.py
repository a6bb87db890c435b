"""The unseen-template corpus (tests/fixtures/unseen/: 58 files in 20 layouts and 26
languages, written by someone who never read the reader): no figure is ever wrong or lost
without a flag, before or after a steward adds the seed rows the quarantine asks for
(tests/fixtures/steward.py). The shares of figures right are floors measured when this test
was written (docs/unseen-templates.md): a drop is a regression."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import dbt_project_dir
from tests.fixtures.scoring import score_corpus
from tests.fixtures.steward import seed_rows, seeded_project

UNSEEN = Path(__file__).resolve().parents[1] / "fixtures" / "unseen"
# measured: 1,111 of 1,634 (68.0%) with no seed change, 1,580 (96.7%) after one round
FLOOR_AS_SENT, FLOOR_AFTER_STEWARD = 0.66, 0.96


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    root = tmp_path_factory.mktemp("unseen")
    before = score_corpus(UNSEEN, root / "round0")
    con = duckdb.connect(
        str(root / "round0" / "warehouse" / ".build" / "jad.duckdb"), read_only=True
    )
    try:
        rows = seed_rows(con, UNSEEN, root / "round0" / "warehouse" / ".build" / "withheld")
    finally:
        con.close()
    project = seeded_project(rows, dbt_project_dir(), root / "dbt_project")
    previous = os.environ.get("JAD_DBT_PROJECT_DIR")
    os.environ["JAD_DBT_PROJECT_DIR"] = str(project)
    try:
        after = score_corpus(UNSEEN, root / "round1")
    finally:
        if previous is None:
            os.environ.pop("JAD_DBT_PROJECT_DIR", None)
        else:
            os.environ["JAD_DBT_PROJECT_DIR"] = previous
    return before, after, rows


def _share(scores) -> float:
    return sum(s.right for s in scores) / sum(s.figures for s in scores)


def test_no_silent_wrong_figure_in_files_nobody_here_wrote(rounds):
    before, after, _ = rounds
    for scores in (before, after):
        silent = [line for s in scores for line in s.wrong if "silent" in line]
        assert silent == []


def test_figures_right_as_sent_and_after_the_seed_rows_asked_for(rounds):
    before, after, rows = rounds
    assert _share(before) >= FLOOR_AS_SENT
    assert _share(after) >= FLOOR_AFTER_STEWARD
    assert sum(len(r) for r in rows.values()) > 100  # the steward had labels to add
