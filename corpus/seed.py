"""The seed operation: South-East Europe JADs, 24–27 September 2020 (the press release).

Its manifest (raw/2020-09-se-europe-jad/operation.yaml) is an input: dates, participants
and published figures come from it. The random streams are seeded by the operation id,
so the same manifest always yields the same truth and the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

from corpus.allocation import allocate, targets_from_published
from corpus.ground_truth import truth_document, write_truth
from corpus.model import OperationTruth
from corpus.profiles import PROFILES
from corpus.render import RenderedFile, load_operation, render_operation, write_submissions

SEED_OPERATION_ID = "2020-09-se-europe-jad"
#: What services call this operation in their file names.
SEED_TAG = "SEE"


def seed_manifest(raw_dir: Path) -> Path:
    return Path(raw_dir) / SEED_OPERATION_ID / "operation.yaml"


def primary_figures(manifest: dict) -> list[dict]:
    """The figures of the manifest's primary source (the one the truth reproduces): the one
    source of the single-source form, or the source marked `primary: true` of a list."""
    published = manifest["published"]
    if isinstance(published, dict):
        return published["figures"]
    primary = [s for s in published if s.get("primary", len(published) == 1)]
    return primary[0]["figures"]


def build_seed(raw_dir: Path) -> tuple[OperationTruth, list[RenderedFile], dict]:
    """The seed's truth, its rendered files and its truth document (nothing written)."""
    operation, manifest = load_operation(seed_manifest(raw_dir), tag=SEED_TAG)
    rng = random.Random(f"corpus:{operation.operation_id}")
    targets = targets_from_published(primary_figures(manifest), rng)
    truth = allocate(operation, PROFILES, targets, rng)
    files = render_operation(truth, PROFILES)
    return truth, files, truth_document(truth, files)


def write_seed(raw_dir: Path, truth_dir: Path) -> tuple[list[Path], Path]:
    """Write the seed's submissions under raw_dir and its truth JSON under truth_dir."""
    _, files, document = build_seed(raw_dir)
    written = write_submissions(files, Path(raw_dir) / SEED_OPERATION_ID / "submissions")
    truth_path = write_truth(document, Path(truth_dir) / f"{SEED_OPERATION_ID}.json")
    return written, truth_path
