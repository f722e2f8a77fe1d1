"""The `jur` entry point.

jur runs once per lookup from shells and scripts, so start-up is most of its cost. Importing
Typer costs ~80 ms here, four times what the rest of a lookup costs. The common call
`jur find QUERY... [-f FMT] [--header] [-o LIST] [-n N] [--explain] [--data DIR]` is
therefore parsed here by hand and handed straight to commands.run_find; anything else (help,
other commands, an option this parser does not know, a bad value) goes to the Typer app in
cli.py, which gives the same answers and the proper error messages. A test runs the same
invocations through both paths and compares them.
"""

from __future__ import annotations

import os
import sys

from .errors import Exit, JurError
from .render import FORMATS  # render imports nothing heavy; the find path loads it anyway


def parse_fast_find(args: list[str]) -> dict | None:
    """The keyword arguments of run_find for a plain `find` call, or None to defer to Typer."""
    if not args or args[0] != "find" or os.environ.get("JUR_NO_FAST"):
        return None
    kw: dict = {
        "queries": [],
        "fmt": None,
        "header": False,
        "fields": None,
        "limit": 0,
        "explain": False,
        "data": None,
    }
    it = iter(args[1:])
    only_positional = False
    for a in it:
        if only_positional or a == "-" or not a.startswith("-"):
            kw["queries"].append(a)
            continue
        if a == "--":
            only_positional = True
            continue
        name, eq, value = a.partition("=")
        if name in ("-f", "--format", "-o", "--fields", "-n", "--limit", "--data"):
            if not eq:
                value = next(it, None)
                if value is None:
                    return None
            if name in ("-f", "--format"):
                if value not in FORMATS:
                    return None
                kw["fmt"] = value
            elif name in ("-o", "--fields"):
                kw["fields"] = value
            elif name in ("-n", "--limit"):
                if not value.isdigit():
                    return None
                kw["limit"] = int(value)
            else:
                kw["data"] = value
        elif a == "--header":
            kw["header"] = True
        elif a == "--explain":
            kw["explain"] = True
        else:
            return None  # -h, --help, anything unknown: Typer answers
    if not kw["queries"] and sys.stdin.isatty():
        return None  # Typer explains what is missing
    if kw["data"] is None and os.environ.get("JUR_DATA"):
        kw["data"] = os.environ["JUR_DATA"]
    return kw


def report(e: JurError) -> None:
    """An error's lines on stderr, control characters escaped; nothing when stderr is
    closed or cannot be written."""
    say(e.lines())


def say(lines: list[str]) -> None:
    from .render import printable

    stream = sys.stderr
    if stream is None:
        return
    try:
        for line in lines:
            stream.write(printable(line) + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


WRITE_ERRNOS = {"ENOSPC", "EPIPE", "EBADF", "EIO", "EDQUOT", "EFBIG", "EROFS", "ENXIO"}


def write_failed(e: OSError) -> int:
    """A write error (stdout on a full disk, a closed stream): one line, exit 2, and the
    broken stream pointed at /dev/null so that exiting does not fail on it again."""
    import errno

    what = e.strerror or e.__class__.__name__
    if errno.errorcode.get(e.errno or 0) in WRITE_ERRNOS:
        what = f"cannot write: {what}"
    quiet_broken_streams()
    say([f"jur: {what}"])
    return Exit.USAGE


def quiet_broken_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                fd = os.open(os.devnull, os.O_WRONLY)
                os.dup2(fd, stream.fileno())
                os.close(fd)
            except (OSError, ValueError):
                pass


def main(argv: list[str] | None = None) -> None:
    import signal

    # A closed pipe (jur roster 二七 | head -1) ends the process quietly, as it does cat.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = sys.argv[1:] if argv is None else argv
    if sys.stdout is None:  # started with stdout closed (>&-): nothing can be answered
        say(["jur: standard output is closed"])
        raise SystemExit(int(Exit.USAGE))
    try:
        kw = parse_fast_find(args)
        if kw is not None:
            import gc

            # A lookup makes acyclic tuples by the thousand (the loaded shards, the answers):
            # the cycle collector would walk them again and again for nothing (~5% of a cold
            # find or of a batch). Off for this process; a batch of stdin still sweeps what
            # it made, once, between reads (commands.offline_batches).
            gc.disable()
            from .commands import run_find

            try:
                code = run_find(**kw)
            except JurError as e:
                report(e)
                code = e.exit_code
        elif args == ["--version"]:
            from .commands import version_text

            sys.stdout.write(version_text() + "\n")
            code = Exit.OK
        else:
            from .cli import run

            code = run(args)
    except KeyboardInterrupt:
        code = Exit.INTERRUPTED
    except OSError as e:
        code = write_failed(e)
    if code == Exit.INTERRUPTED:
        # A second Ctrl-C while exiting ends the process at once, with the same status and
        # no traceback.
        signal.signal(signal.SIGINT, lambda *_: os._exit(int(Exit.INTERRUPTED)))
    try:
        sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    except OSError as e:
        code = write_failed(e)
    raise SystemExit(int(code))
