"""The command line's progress display: rich bars on stderr for :mod:`tallrx.progress` tasks.

One rich ``Progress`` per command shows every open task as a row (description, bar, units done of
total, rate, ETA). The display starts only after ``delay`` seconds, so quick commands never flash
a bar, and it is transient: when the work ends the bars vanish and the command's summary lines
stay. :func:`show_progress` installs it when stderr is a terminal and ``--quiet`` was not given.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tallrx import progress

if TYPE_CHECKING:
    from rich.console import Console

#: seconds of work before a bar appears
DELAY = 1.0


def _rate_column():
    """A rich column ``123 curves/s`` (rich's own speed column is for bytes)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            unit = task.fields.get("unit") or "items"
            speed = task.finished_speed or task.speed
            if speed is None:
                return Text(f"- {unit}/s", style="progress.data.speed")
            fmt = f"{speed:,.0f}" if speed >= 10 else f"{speed:.2g}"
            return Text(f"{fmt} {unit}/s", style="progress.data.speed")

    return Rate()


class RichReporter:
    """A :class:`tallrx.progress.Reporter` drawing rich bars on ``console`` after ``delay`` s."""

    def __init__(self, console: Console, delay: float = DELAY) -> None:
        self.console = console
        self.delay = delay
        self._lock = threading.RLock()
        self._bar = None
        self._timer: threading.Timer | None = None
        self._open = 0

    def _columns(self) -> list:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

        return [TextColumn("{task.description}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                _rate_column(), TextColumn("ETA"), TimeRemainingColumn()]

    def _start(self) -> None:
        with self._lock:
            if self._bar is not None and self._open and not self._bar.live.is_started:
                self._bar.start()

    def open(self, description: str, total: int | None, unit: str) -> _RichHandle:
        with self._lock:
            if self._bar is None:
                from rich.progress import Progress

                self._bar = Progress(*self._columns(), console=self.console, transient=True)
                if self.delay <= 0:
                    self._bar.start()
                else:
                    self._timer = threading.Timer(self.delay, self._start)
                    self._timer.daemon = True
                    self._timer.start()
            self._open += 1
            task_id = self._bar.add_task(description, total=total, unit=unit)
            return _RichHandle(self, task_id)

    def _closed(self, task_id) -> None:
        with self._lock:
            self._open -= 1
            if self._bar is not None:
                if self._bar.live.is_started:
                    self._bar.refresh()  # the final count is drawn once before the row goes
                self._bar.remove_task(task_id)
            if self._open == 0:
                self.stop()

    def stop(self) -> None:
        """End the display (the bars vanish); a later task starts a new one."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._bar is not None:
                self._bar.stop()
                self._bar = None


class _RichHandle:
    __slots__ = ("_owner", "_task")

    def __init__(self, owner: RichReporter, task_id) -> None:
        self._owner = owner
        self._task = task_id

    def advance(self, n: int) -> None:
        bar = self._owner._bar
        if bar is not None:
            bar.advance(self._task, n)

    def set_total(self, total: int | None) -> None:
        bar = self._owner._bar
        if bar is not None:
            bar.update(self._task, total=total)

    def close(self) -> None:
        self._owner._closed(self._task)


@contextlib.contextmanager
def show_progress(console: Console, *, quiet: bool = False,
                  delay: float | None = None) -> Iterator[RichReporter | None]:
    """Show :mod:`tallrx.progress` tasks as rich bars on ``console`` inside the block when it is a
    terminal and not ``quiet`` (after ``delay`` s, default :data:`DELAY`); otherwise show
    nothing. Yields the reporter (or None)."""
    if quiet or not console.is_terminal:
        yield None
        return
    reporter = RichReporter(console, delay=DELAY if delay is None else delay)
    try:
        with progress.reporting(reporter):
            yield reporter
    finally:
        reporter.stop()
