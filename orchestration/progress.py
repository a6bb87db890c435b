"""How far a load is, for whoever watches it: the CLI draws a progress bar, a Dagster run
(daemon, UI) just logs. The assets report to `current()`, which is silent unless a caller
installed a reporter with `reporting(...)`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol


class LoadProgress(Protocol):
    def stage(self, description: str) -> None: ...

    def tool_output(self) -> AbstractContextManager:
        """Where the chatter of dbt goes: a run's log by default, nowhere under a progress bar."""
        ...

    def files_found(self, operation_id: str, total: int) -> None: ...

    def file_done(self, operation_id: str, relative_path: str, read: bool) -> None: ...

    def landed(self, summary) -> None: ...

    def recovered(self, sentence: str) -> None:
        """A run whose process was gone was marked failed and its pool claims freed."""
        ...


class _Silent:
    def stage(self, description: str) -> None:
        pass

    def tool_output(self) -> AbstractContextManager:
        return contextlib.nullcontext()

    def files_found(self, operation_id: str, total: int) -> None:
        pass

    def file_done(self, operation_id: str, relative_path: str, read: bool) -> None:
        pass

    def landed(self, summary) -> None:
        pass

    def recovered(self, sentence: str) -> None:
        pass


_current: LoadProgress = _Silent()


def current() -> LoadProgress:
    return _current


@contextlib.contextmanager
def reporting(progress: LoadProgress) -> Iterator[LoadProgress]:
    global _current
    previous, _current = _current, progress
    try:
        yield progress
    finally:
        _current = previous
