"""`jur serve`: a search page for the hotline desk and a JSON API for dispatch systems.

Optional: it needs the `serve` extra (`pip install 'jur[serve]'`: Starlette, uvicorn). Nothing
here is imported by the other commands, so the cold path of `jur find` never pays for it.

    app.py      the Starlette app: routes, limits, errors, security headers
    page.py     the HTML of the page and of a station's page (every string escaped)
    static/     the page's script and style, served from memory by their fixed names

`run_serve` binds the socket itself (so that port 0 and a port already in use are reported
plainly), prints the address and hands the socket to uvicorn.
"""

from __future__ import annotations

import os
import socket
import sys

from ..errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

LOOPBACK = ("127.0.0.1", "localhost", "::1")
ENV_DATA = "JUR_SERVE_DATA"
ENV_ONLINE = "JUR_SERVE_ONLINE"


def missing_extra() -> UsageError:
    return UsageError("jur serve needs the serve extra: pip install 'jur[serve]'")


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port, or UsageError with the reason."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise UsageError(f"--host {host!r}: {getattr(e, 'strerror', None) or e}") from None
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(infos[0][4])
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    # Listening now: a client that reads the printed address may connect at once (its
    # connection waits in the backlog until uvicorn accepts).
    sock.listen(2048)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def http_protocol() -> object:
    """uvicorn's httptools protocol that takes raw UTF-8 in a URL (serve/protocol.py), or
    uvicorn's own choice where httptools is not installed."""
    try:
        from .protocol import Utf8TargetProtocol
    except ImportError:
        return "auto"
    return Utf8TargetProtocol


def run_serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    data: str | None = None,
    online: bool = False,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Serve until Ctrl-C. Raises UsageError / DataError before listening when the extra is
    missing, the dataset does not validate, --online has no key, or the port is taken."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        import uvicorn
        from uvicorn.supervisors import Multiprocess

        from .app import create_app
    except ImportError:
        raise missing_extra() from None
    if workers < 1:
        raise UsageError("--workers must be 1 or more")
    app = create_app(data=data, online=online)  # loads and checks the dataset (and the key)
    sock = bind(host, port)
    where = address(sock)
    if host not in LOOPBACK:
        err.write(
            f"jur serve: listening on {host}, not only on this machine: anyone who can reach "
            f"{where} can use it (see README, 'jur serve')\n"
        )
    edition = app.state.index.edition
    out.write(
        f"jur serve: {where} (dataset edition {edition}; {workers} worker"
        f"{'s' if workers > 1 else ''}{'; online lookups on' if online else ''}; Ctrl-C stops)\n"
    )
    out.flush()
    import signal

    # launch.py lets a closed pipe end the CLI quietly (SIGPIPE's default); a server must
    # instead survive a client that hangs up while it writes.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    common = {
        "log_level": "warning",
        # No access log: queries are callers' addresses (personal data), and a path may hold
        # control characters that must not reach a terminal.
        "access_log": False,
        "server_header": False,
        "timeout_keep_alive": 5,
        "limit_concurrency": 2048,
        "http": http_protocol(),
    }
    if workers == 1:
        server = uvicorn.Server(uvicorn.Config(app, **common))
        server.run(sockets=[sock])
        return 0
    # Each worker process builds its own app from the import string; they learn the
    # options through the environment (the dataset is already checked, the cache warm).
    os.environ[ENV_DATA] = data or ""
    os.environ[ENV_ONLINE] = "1" if online else ""
    config = uvicorn.Config(
        "jurisdiction.serve.app:app_from_env", factory=True, workers=workers, **common
    )
    try:  # uvicorn 0.55 and later
        supervisor = Multiprocess(config, sockets=[sock])
    except TypeError:  # before: the supervisor is given the server's run
        supervisor = Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock])
    supervisor.run()
    return 0
