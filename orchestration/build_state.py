"""Moved to orchestration.changes.build (kept for orchestration/quality until it imports
from there)."""

from orchestration.changes.build import *  # noqa: F403
from orchestration.changes.build import last_scope  # noqa: F401
