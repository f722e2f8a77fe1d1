"""jur serve under load: single-name `GET /api/find` on one uvicorn worker, against a bare
Starlette app that returns a constant (the floor any Starlette app on uvicorn pays).

    python bench/serve.py                      # with this interpreter (needs jur[serve])
    python bench/serve.py --python VENV/bin/python --seconds 10 --rounds 2
    python bench/run.py                        # runs this too, in the benchmark's venv

Load: wrk (Debian's `wrk` package; `apt-get install wrk`), one thread, 50 keep-alive
connections, for --seconds per round after a 2-second warm-up; requests/s and the 99th
percentile latency as wrk measures them. Rounds alternate floor, jur, floor, jur, ... and
the medians are reported. Both servers run one uvicorn worker with the same settings
(httptools, uvloop when installed, no access log); each server and wrk are pinned to one
core of their own when the machine has two (taskset), so on a 2-core machine the load
generator competes with the server only for what the system itself needs.

Only 127.0.0.1 is ever addressed. Nothing here is a test: the suite makes no timing claim.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERY = "/api/find?q=%E5%BE%B7%E5%8C%96%E8%A1%97"  # 德化街
GOAL_RPS = 3000
GOAL_P99_MS = 25.0


def floor_app():  # the floor: the least a Starlette app on uvicorn can do
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = b'{"status": "ok"}'

    async def constant(request):
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/api/find", constant)])


def run_floor(port_file: str) -> None:
    """The floor server: prints nothing, writes its port to port_file once it listens."""
    import socket

    import uvicorn

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    tmp = Path(port_file + ".tmp")  # renamed whole: the reader never sees half a number
    tmp.write_text(str(sock.getsockname()[1]))
    tmp.rename(port_file)
    config = uvicorn.Config(
        floor_app(), log_level="warning", access_log=False, server_header=False, http="httptools"
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # how bench() stops it
        pass


def pin(core: int) -> list[str]:
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(core)]
    return []


def ready(proc: subprocess.Popen, port: int) -> None:
    """Wait until the server answers a request (up to 20 s)."""
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(200):
        try:
            with opener.open(f"http://127.0.0.1:{port}{QUERY}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server on port {port} did not answer")


def start(kind: str, python: str, tmp: Path) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ)
    env["JUR_CACHE_DIR"] = str(tmp / "cache")
    if kind == "floor":
        port_file = tmp / "floor.port"
        port_file.unlink(missing_ok=True)
        cmd = [*pin(0), python, str(Path(__file__).resolve()), "--floor-server", str(port_file)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        for _ in range(600):
            if port_file.exists() and port_file.read_text():
                return proc, int(port_file.read_text())
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
        raise SystemExit("the floor server did not start")
    cmd = [*pin(0), python, "-m", "jurisdiction", "serve", "--port", "0"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"jur serve did not start: {line!r}")
    return proc, int(m.group(1))


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wrk(port: int, seconds: int, connections: int) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of one wrk run against 127.0.0.1:port."""
    url = f"http://127.0.0.1:{port}{QUERY}"
    cmd = [*pin(1), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"wrk failed ({p.returncode}) on port {port}: {p.stdout}{p.stderr}")
    out = p.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"wrk got error responses:\n{out}")
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:  # on a busy machine a few connections may time out: said, not hidden
        print(f"serve: wrk on port {port}: socket errors: {errors.group(1)}", file=sys.stderr)
    return rps, p99


def bench(
    python: str, *, seconds: int = 10, rounds: int = 2, connections: int = 50
) -> dict[str, tuple[float, float]] | None:
    """Median (requests/s, p99 ms) of the floor app and of jur serve, or None without wrk."""
    if not shutil.which("wrk"):
        print("serve: wrk is not installed (apt-get install wrk): skipped", file=sys.stderr)
        return None
    tmp = HERE / "out" / "serve"
    tmp.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[tuple[float, float]]] = {"floor": [], "jur": []}
    for _ in range(rounds):
        for kind in ("floor", "jur"):
            proc, port = start(kind, python, tmp)
            ready(proc, port)
            try:
                wrk(port, 2, connections)  # warm-up: connections open, caches filled
                runs[kind].append(wrk(port, seconds, connections))
            finally:
                stop(proc)
    return {
        kind: (
            statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results),
        )
        for kind, results in runs.items()
    }


def report(results: dict[str, tuple[float, float]], seconds: int, connections: int) -> bool:
    floor, jur = results["floor"], results["jur"]
    print(
        f"\njur serve: GET {QUERY} (德化街), one uvicorn worker, wrk -t1 -c{connections} "
        f"-d{seconds}s, medians of rounds"
    )
    print(f"{'server':<42}{'requests/s':>12}{'p99 ms':>10}")
    print(f"{'bare Starlette constant app (floor)':<42}{floor[0]:>12,.0f}{floor[1]:>10.2f}")
    print(f"{'jur serve /api/find?q=德化街':<41}{jur[0]:>12,.0f}{jur[1]:>10.2f}")
    ok_rps = jur[0] >= GOAL_RPS
    ok_p99 = jur[1] <= GOAL_P99_MS
    print(
        f"jur / floor: {jur[0] / floor[0]:.2f} of the floor's requests/s; goal ≥ {GOAL_RPS:,} "
        f"req/s {'met' if ok_rps else 'NOT MET'}, p99 ≤ {GOAL_P99_MS:g} ms "
        f"{'met' if ok_p99 else 'NOT MET'}"
    )
    return ok_rps and ok_p99


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter with jur[serve]")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--floor-server", metavar="PORT_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_server:
        run_floor(args.floor_server)
        return 0
    results = bench(
        args.python, seconds=args.seconds, rounds=args.rounds, connections=args.connections
    )
    if results is None:
        return 1
    return 0 if report(results, args.seconds, args.connections) else 1


if __name__ == "__main__":
    raise SystemExit(main())
