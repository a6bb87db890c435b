"""Metamorphic tests: the committed operation's workbooks rewritten as another sender of the
same figures might lay them out (tests/fixtures/perturb.py) give the same warehouse."""

from __future__ import annotations

import random
import shutil

from tests.conftest import GROUND_TRUTH, RAW_DIR, SEED_OPERATION
from tests.fixtures.perturb import perturbed_xlsx
from tests.fixtures.scoring import score_corpus


def test_a_rearranged_layout_gives_the_same_figures(tmp_path):
    rng = random.Random(20261201)
    corpus = tmp_path / "corpus" / SEED_OPERATION
    shutil.copytree(RAW_DIR / SEED_OPERATION, corpus)
    shutil.copy(GROUND_TRUTH, corpus / "ground_truth.json")
    rewritten = []
    for path in sorted((corpus / "submissions").glob("*.xlsx")):
        path.write_bytes(perturbed_xlsx(path.read_bytes(), rng))
        rewritten.append(path.name)
    assert len(rewritten) >= 20

    (score,) = score_corpus(tmp_path / "corpus", tmp_path / "work")

    assert score.wrong == [] and score.right == score.figures
    assert score.verdicts["quarantine_errors"] == 0
    assert score.verdicts["checks_failed"] == 0
