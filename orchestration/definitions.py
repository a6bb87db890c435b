"""The Dagster code location (`dagster dev -m orchestration.definitions`)."""

from orchestration.code_location import build_definitions

defs = build_definitions()
