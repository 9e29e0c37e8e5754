"""Progress of long work, reported without knowing who listens.

Pure analysis code marks its units of work; a front end (the command line) decides whether and how
to show them. Nothing is shown, and the cost is one function call per update, unless a front end
installed a :class:`Reporter` with :func:`reporting`::

    from tallrx import progress

    with progress.task("fitting curves", total=len(groups), unit="curves") as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))

    for plate in progress.track(plates, "reading plates", unit="plates"):
        ...

Code deep inside a loop that a caller already wrapped in a task reports into that task with the
module functions :func:`set_total` and :func:`advance` (they act on the innermost open task and do
nothing when none is open), so an engine can count its units while the caller names the work.
This module imports nothing from tallrx or from any display library (layer 1).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

__all__ = ["Handle", "Reporter", "Task", "advance", "enabled", "reporting", "set_total", "task",
           "track"]

T = TypeVar("T")


class Handle(Protocol):
    """What a reporter returns for one task: told of progress, then closed."""

    def advance(self, n: int) -> None:  # pragma: no cover - protocol
        """``n`` more units are done."""

    def set_total(self, total: int | None) -> None:  # pragma: no cover - protocol
        """The task has ``total`` units (None: unknown)."""

    def close(self) -> None:  # pragma: no cover - protocol
        """The task ended (finished, failed or interrupted)."""


class Reporter(Protocol):
    """A front end that shows progress (e.g. the CLI's rich bars on a terminal)."""

    def open(self, description: str, total: int | None, unit: str) -> Handle:  # pragma: no cover
        """Start showing a task of ``total`` units (None: unknown) named ``description``."""


class Task:
    """One open task: :meth:`advance` it by units done; :meth:`set_total` when its size is known."""

    __slots__ = ("_handle", "done", "total")

    def __init__(self, handle: Handle | None, total: int | None) -> None:
        self._handle = handle
        self.done = 0
        self.total = total

    def advance(self, n: int = 1) -> None:
        """``n`` more units are done (counted even when nobody listens)."""
        self.done += n
        if self._handle is not None:
            self._handle.advance(n)

    def set_total(self, total: int | None) -> None:
        """The task has ``total`` units (None: unknown)."""
        self.total = total
        if self._handle is not None:
            self._handle.set_total(total)


_REPORTER: Reporter | None = None
_OPEN: list[Task] = []


def enabled() -> bool:
    """True when a front end shows progress (code may skip preparing costly descriptions)."""
    return _REPORTER is not None


@contextlib.contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Show progress through ``reporter`` inside the block (None: show nothing); front ends only."""
    global _REPORTER
    before = _REPORTER
    _REPORTER = reporter
    try:
        yield
    finally:
        _REPORTER = before


@contextlib.contextmanager
def task(description: str, total: int | None = None, unit: str = "") -> Iterator[Task]:
    """A unit of long work named ``description`` with ``total`` units (e.g. curves, plates, wells).

    Yields a :class:`Task`; the reporter's display of it ends with the block, also on an error or
    a Ctrl-C.
    """
    reporter = _REPORTER
    handle = reporter.open(description, total, unit) if reporter is not None else None
    t = Task(handle, total)
    _OPEN.append(t)
    try:
        yield t
    finally:
        _OPEN.remove(t)
        if handle is not None:
            handle.close()


def track(items: Iterable[T], description: str, total: int | None = None,
          unit: str = "") -> Iterator[T]:
    """Iterate over ``items``, advancing a :func:`task` by one per item (``total`` defaults to
    ``len(items)`` when it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with task(description, total, unit) as t:
        for item in items:
            yield item
            t.advance(1)


def advance(n: int = 1) -> None:
    """Advance the innermost open task by ``n`` units (nothing when no task is open)."""
    if _OPEN:
        _OPEN[-1].advance(n)


def set_total(total: int | None) -> None:
    """Set the size of the innermost open task (nothing when no task is open)."""
    if _OPEN:
        _OPEN[-1].set_total(total)
