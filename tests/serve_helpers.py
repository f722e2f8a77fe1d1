"""Running `jur serve` as a user does, for the server's tests: a real process on 127.0.0.1, a
port the system picks (--port 0), the address read from the line it prints."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

from conftest import ROOT


class Served:
    def __init__(self, proc: subprocess.Popen, url: str) -> None:
        self.proc = proc
        self.url = url
        self.out = b""
        self.err = b""

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])


@contextlib.contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """`jur serve --port 0 ARGS` running; stopped with Ctrl-C (SIGINT) at the end, its whole
    output kept in .out and .err."""
    full_env = dict(os.environ)
    full_env.pop("COLUMNS", None)
    full_env.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "jurisdiction", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=full_env,
        cwd=str(ROOT.parent),
    )
    assert proc.stdout is not None
    first = proc.stdout.readline().decode("utf-8")
    if "http://" not in first:
        proc.kill()
        out, err = proc.communicate(timeout=30)
        raise AssertionError(f"jur serve did not start: {first!r} {out!r} {err.decode()!r}")
    url = first.split("http://", 1)[1].split()[0]
    s = Served(proc, "http://" + url)
    try:
        yield s
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=20)
        s.out = first.encode("utf-8") + out
        s.err = err
