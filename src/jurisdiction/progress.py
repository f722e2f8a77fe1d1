"""A progress bar for the slow steps (validating and indexing a big dataset), on stderr, on a
terminal only. The core reports `progress(phase, done, total)` to a callable it is given; this
module turns those calls into a rich progress bar that appears only once the work has taken
longer than DELAY seconds (a small dataset never shows one) and that leaves nothing behind
when it is done. Nothing is shown when stderr is not a terminal (a pipe, a file, a test), or
when JUR_NO_PROGRESS is set.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

DELAY = 1.0  # seconds of work before a bar is worth showing


def for_terminal(stream: Any = None) -> TerminalProgress | None:
    """A progress callable for stderr (or `stream`) when it is a terminal, else None."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("JUR_NO_PROGRESS"):
        return None
    try:
        if stream is None or not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):  # closed or not a real stream
        return None
    return TerminalProgress(stream)


class TerminalProgress:
    """Call with (phase, done, total); close() when the work is over."""

    def __init__(self, stream: Any, delay: float = DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self.start = time.monotonic()
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.last: tuple[str, int, int] | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.last = (phase, done, total)
        if self.bar is None:
            if time.monotonic() - self.start < self.delay:
                return
            self._open()
        task = self.tasks.get(phase)
        if task is None:
            for other in self.tasks.values():  # the earlier phases are complete
                t = self.bar.tasks[other]
                if t.total is not None:
                    self.bar.update(other, completed=t.total)
            task = self.tasks[phase] = self.bar.add_task(phase, total=total or None)
        self.bar.update(task, completed=done, total=total or None)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("jur: {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(file=self.stream),
            transient=True,
        )
        self.bar.start()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
