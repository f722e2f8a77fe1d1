"""The online step's cache room: the service's answers kept on disk between runs.

The file (CACHE_DIR/CACHE_FILE under the index cache's directory) holds one JSON object a
line, `{"k": key, "d": "YYYY-MM-DD", "v": value}`, appended as answers arrive; the last line
of a key wins. The key is what was sent to the service (the address as sent and the city,
or the position), so two texts the service could read differently never share an answer.
The service key (JUR_AMAP_KEY) is never written.

Reading never trusts the file:
  - it is opened with O_NOFOLLOW and O_NONBLOCK and used only when it is a regular file (a
    planted symlink, a FIFO or a device is refused, and said so on stderr);
  - at most MAX_BYTES are read; a line that is not UTF-8, not JSON, or whose value does not
    have the shape the caller expects (`check`) is skipped, and the count said on stderr;
  - an entry older than --online-max-age (or dated in the future) is dropped;
  - it is read only when the first query that needs the service comes (lazily): a run that
    asks about nothing never reads it.
When most of its lines are dead (skipped, expired or superseded), or it is larger than
MAX_BYTES, it is rewritten with the live entries only, newest first up to MAX_BYTES / 2,
through jurisdiction.files (a temporary file renamed over it). Appending opens it the same
safe way; a last line without its newline gets one first, so the next entry stays whole.
A cache that cannot be read or written never stops the lookups.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from datetime import date

from ..files import open_regular_for_read, write_atomic

CACHE_DIR = "geocode"
# The file's name carries its key format: 1.1's amap-v3.jsonl keyed on the normalised query,
# which merged addresses such as 经三路1-3号 and 经三路13号; it is not read.
CACHE_FILE = "amap-v3.sent.jsonl"
MAX_BYTES = 32 << 20  # the size cap: read at most this, and compact above it
COMPACT_MIN_BYTES = 64 << 10  # a smaller file is never worth rewriting

Check = Callable[[str, object], bool]


class Cache:
    """The service's answers by key, with the date received (see the module's comment)."""

    def __init__(
        self,
        root: str | None,
        max_age: int,
        today: date | None = None,
        *,
        check: Check | None = None,
    ) -> None:
        self.path = os.path.join(root, CACHE_DIR, CACHE_FILE) if root else None
        self.max_age = max_age
        self.today = today or date.today()
        self.check = check or (lambda key, value: True)
        self.entries: dict[str, tuple[str, object]] = {}
        self.skipped = 0  # lines that could not be read
        self.problem: str | None = None  # why the file is not used at all, if it is not
        self.loaded = False
        self.lock = threading.Lock()
        self._fd: int | None = None

    # --- reading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the file once (later calls do nothing); compact it when mostly dead."""
        with self.lock:
            if self.loaded:
                return
            try:
                self._load()
            finally:
                self.loaded = True  # set last: get() in another thread waits on the lock

    def _load(self) -> None:
        if self.path is None:
            return
        raw = self._read()
        if raw is None:
            return
        lines = raw.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        dead = 0  # lines that hold no live answer: unreadable, superseded or expired
        for line in lines:
            row = self._parse(line)
            if row is None:
                self.skipped += 1
                dead += 1
                continue
            key, day, value = row
            if key in self.entries:
                dead += 1  # the older answer for this key is dead now
            if self._fresh(day):
                self.entries[key] = (day, value)
            else:
                self.entries.pop(key, None)
                dead += 1
        too_big = len(raw) > MAX_BYTES
        if too_big or (len(raw) >= COMPACT_MIN_BYTES and dead > len(lines) - dead):
            self._compact()

    def _read(self) -> bytes | None:
        assert self.path is not None
        try:
            st = os.lstat(self.path)
        except OSError:
            return None  # no cache yet
        if not stat.S_ISREG(st.st_mode):
            self.problem = "it is not a regular file (a link, a device or a FIFO): not used"
            self.path = None
            return None
        raw = open_regular_for_read(self.path, max_bytes=MAX_BYTES + 1)
        if raw is None:
            self.problem = "it cannot be read as a regular file: not used"
            self.path = None
        return raw

    def _parse(self, line: bytes) -> tuple[str, str, object] | None:
        try:
            row = json.loads(line.decode("utf-8"))
            key, day, value = row["k"], row["d"], row["v"]
        except Exception:  # not UTF-8, not JSON, too deep, not an object, a key missing
            return None
        if not isinstance(key, str) or not isinstance(day, str):
            return None
        try:
            date.fromisoformat(day)
            ok = self.check(key, value)
        except Exception:
            return None
        return (key, day, value) if ok else None

    def _fresh(self, day: str) -> bool:
        age = (self.today - date.fromisoformat(day)).days
        return 0 <= age <= self.max_age

    def _compact(self) -> None:
        """Rewrite the file with the live entries, newest first up to half the cap."""
        assert self.path is not None
        budget = MAX_BYTES // 2
        keep: list[bytes] = []
        for key, (day, value) in sorted(
            self.entries.items(), key=lambda kv: kv[1][0], reverse=True
        ):
            line = _line(key, day, value)
            if len(line) > budget:
                self.entries.pop(key)
                continue
            budget -= len(line)
            keep.append(line)
        try:
            write_atomic(self.path, b"".join(reversed(keep)), mode=0o600)
        except Exception:  # UsageError (a link planted meanwhile), OSError: not fatal
            pass

    def get(self, key: str) -> object | None:
        """The cached value of a key, or None."""
        if not self.loaded:
            self.load()
        hit = self.entries.get(key)
        return None if hit is None else hit[1]

    # --- writing ----------------------------------------------------------------------------

    def put(self, key: str, value: object) -> None:
        """Keep a new answer, in memory and at the end of the file."""
        day = self.today.isoformat()
        line = _line(key, day, value)
        with self.lock:
            self.entries[key] = (day, value)
            if self.path is None:
                return
            try:
                fd = self._open_for_append()
                if fd is not None:
                    os.write(fd, line)
            except OSError:
                self._drop_writer()

    def _open_for_append(self) -> int | None:
        if self._fd is not None:
            return self._fd
        assert self.path is not None
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o600)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            os.close(fd)
            self.path = None
            return None
        if st.st_size and os.pread(fd, 1, st.st_size - 1) != b"\n":
            os.write(fd, b"\n")  # a cut last line must not swallow the next entry
        self._fd = fd
        return fd

    def _drop_writer(self) -> None:
        self.close()
        self.path = None  # an unwritable cache does not stop the lookups

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None


def _line(key: str, day: str, value: object) -> bytes:
    text = json.dumps({"k": key, "d": day, "v": value}, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
