"""Half of a big job in a forked copy of this process, on a second core.

Reading a country's communities.yaml and indexing its communities are Python work on
hundreds of thousands of records. Where os.fork exists, the second half of such a job runs
in a copy of the process, which shares the first half's memory until either writes to it,
and hands back its result as bytes through a pipe. The copy computes and writes to that pipe
only: it answers nothing, prints nothing, takes no lock and never returns into the caller's
stack (os._exit), so the thread of a progress bar left behind in the parent is no concern.
Anything that goes wrong in it (an exception, a signal, a short read) makes `result` None,
and the caller does that half itself: the answer never depends on the copy.
"""

from __future__ import annotations

import os
from collections.abc import Callable

Helper = tuple  # (the copy's pid, the read end of its pipe)


def start(work: Callable[[], bytes]) -> Helper | None:
    """Run work() in a forked copy; None where there is no fork (do the work here)."""
    import warnings

    if not hasattr(os, "fork"):
        return None
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        with warnings.catch_warnings():  # Python 3.12 warns of a fork with threads running
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid:
        os.close(w)
        return (pid, r)
    status = 1
    try:
        os.close(r)
        data = memoryview(work())
        while data:
            data = data[os.write(w, data) :]
        status = 0
    finally:
        os._exit(status)


def result(helper: Helper) -> bytes | None:
    """The bytes the copy wrote, once it has exited; None when it failed."""
    pid, fd = helper
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(fd)
    try:
        _, status = os.waitpid(pid, 0)
    except OSError:
        return None
    return b"".join(chunks) if status == 0 else None


def stop(helper: Helper) -> None:
    """End the copy (the caller gave up: an exception, Ctrl-C)."""
    import signal

    pid, fd = helper
    try:
        os.close(fd)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
