"""The one way jur writes a file: `roster --output`, `annotate --output`, the caches.

A regular file (or a path that does not exist yet) is written to a fresh temporary file made
by `tempfile.mkstemp` in the target's own folder (an unpredictable name, opened O_EXCL, so a
planted symlink cannot redirect it), flushed and fsynced, then renamed over the target:
Ctrl-C or an error never leaves half a file, and a reader sees the old file or the new one.
An existing target keeps its permission bits.

A target that exists but is not a regular file (a device such as /dev/stdout, a FIFO) is
written in place: renaming over it would replace the device link with a plain file. A
symlink at the target is never followed to create or replace a file: its own target is
resolved first, and the rule above is applied to what it points at only when that is a
device or FIFO, or when the link is one the system keeps (/dev/stdout, /proc/self/fd/N); any
other symlink is refused (an attacker's link in a shared folder must not redirect jur's
output).

Nothing here prints or exits: errors are raised as `UsageError` with one line.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from .errors import UsageError


def _describe(e: OSError) -> str:
    return e.strerror or str(e)


def target_kind(path: str) -> str:
    """'missing', 'regular', 'special' (a device, FIFO or socket, written in place), or
    'symlink' (a link whose final target is a regular file or missing: refused)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(st.st_mode):
        try:
            real = os.stat(path)
        except OSError:
            return "symlink"
        if stat.S_ISCHR(real.st_mode) or stat.S_ISFIFO(real.st_mode) or stat.S_ISSOCK(real.st_mode):
            return "special"
        # /dev/stdout and /proc/self/fd/N are links the system keeps, not planted ones: write
        # through them in place (`--output /dev/stdout > file` writes the file).
        if os.path.abspath(path).startswith(("/dev/", "/proc/")):
            return "special"
        return "symlink"
    if stat.S_ISREG(st.st_mode):
        return "regular"
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    return "special"


@contextmanager
def atomic_writer(
    path: str | os.PathLike[str],
    *,
    binary: bool = False,
    encoding: str = "utf-8",
    mode: int | None = None,
) -> Iterator[IO]:
    """Open `path` for writing the safe way (see the module's comment) and yield the file.

    The new file replaces the target only when the `with` block ends without an exception;
    otherwise the temporary file is removed and the target is left as it was. `mode` sets
    the permission bits of a file that does not exist yet (default 0o644 less the umask);
    an existing file keeps its own."""
    path = os.fspath(path)
    kind = target_kind(path)
    if kind == "directory":
        raise UsageError(f"cannot write {path}: it is a directory")
    if kind == "symlink":
        raise UsageError(
            f"cannot write {path}: it is a symbolic link (refused: jur never writes through one)"
        )
    if kind == "special":
        try:
            f = open(
                path,
                "wb" if binary else "w",
                **({} if binary else {"encoding": encoding, "newline": ""}),
            )
        except OSError as e:
            raise UsageError(f"cannot write {path}: {_describe(e)}") from None
        with f:
            yield f
        return
    folder = os.path.dirname(os.path.abspath(path))
    keep_mode: int | None = None
    if kind == "regular":
        keep_mode = stat.S_IMODE(os.lstat(path).st_mode)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {_describe(e)}") from None
    ok = False
    try:
        if keep_mode is not None:
            os.fchmod(fd, keep_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, (0o644 if mode is None else mode) & ~umask)
        f = os.fdopen(
            fd, "wb" if binary else "w", **({} if binary else {"encoding": encoding, "newline": ""})
        )
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # rename() replaces whatever is at `path` (a link planted since we looked included)
        # and never writes through it.
        os.replace(tmp, path)
        ok = True
    except OSError as e:
        raise UsageError(f"cannot write {path}: {_describe(e)}") from None
    finally:
        if not ok:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, mode: int | None = None
) -> None:
    """Write all of `data` to `path` through `atomic_writer`."""
    with atomic_writer(path, binary=isinstance(data, bytes), mode=mode) as f:
        f.write(data)


def open_regular_for_read(path: str | os.PathLike[str], *, max_bytes: int) -> bytes | None:
    """Read a file jur itself keeps (a cache) without following a symlink, without blocking on
    a FIFO and without reading a device: None when the path is missing or not a regular file;
    at most `max_bytes` bytes (the caller decides what a larger file means)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        chunks = []
        left = max_bytes
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
