"""The version of the reader: a hash of the ingestion code and the vocabulary seeds.

A file landed by the same reader is not read again; when the code or a seed changes, every
file is read again with the new reader (a steward's new seed row must reach old files).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from orchestration.settings import seeds_dir as default_seeds_dir

INGEST_DIR = Path(__file__).resolve().parent


def reader_version(seeds_dir: Path | None = None) -> str:
    seeds_dir = seeds_dir or default_seeds_dir()
    files = sorted(INGEST_DIR.glob("*.py")) + sorted(seeds_dir.glob("*.csv"))
    signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _hash(signature)


@lru_cache(maxsize=8)
def _hash(signature: tuple) -> str:
    digest = hashlib.sha256()
    for path, _, _ in signature:
        digest.update(Path(path).name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]
