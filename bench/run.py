"""Benchmarks of jur, measured side by side in one run: medians of interleaved runs, and the
ratios that matter, each printed with its goal.

    python bench/run.py                 # builds bench/out/venv (pip install . + cpca) first
    python bench/run.py --runs 15       # more runs per figure
    python bench/run.py --venv DIR      # reuse a venv that has jur and cpca installed
    python bench/run.py --baseline REV  # compare cold starts with another commit (default:
                                        # 23b4c6e, jur 1.0), built from `git archive REV`

What it measures (whole-process wall time, and peak memory from GNU time):
  cold `jur find 德化街 -f tsv`   vs a one-command Typer app (bench/floor_app.py), `python -c pass`
      and the same command of the baseline commit (jur 1.0: the roster page and the online
      step must not slow the cold offline path)
  cold `jur find 德化街 -f table` vs the one-command Typer app
  20,000 addresses naming a subdistrict, and 20,000 naming a community or village, through
      `jur find -f tsv` vs cpca.transform on the same lines (cpca is installed in the
      benchmark's venv only; it is not a dependency of jur)
  cold `jur find 德化街` on a dataset grown to 40,000 streets with 10 communities each
      (bench/grow.py: 401,070 communities) vs the shipped one
  cold `jur find` of an address (郑州市二七区淮河路街道兴华街12号院3号楼) vs of a name
  1,000,000 queries through stdin: throughput and peak memory, against 100,000 (flat memory)
  big datasets (bench/grow.py --style block, 16 communities a street): `jur validate` and the
      index build (the first `jur find`, empty cache) at 50,000, 200,000 and 640,000
      communities: wall, peak memory, cache size, and a cold find afterwards (--only-scale)
  jur serve: single-name GET /api/find on one uvicorn worker under wrk (50 keep-alive
      connections, 10 s), requests/s and p99 against a bare Starlette app (bench/serve.py)

The machine is shared and noisy: absolute times drift, so every comparison is a ratio of
medians over runs interleaved round by round (A B C, A B C, ...). Nothing here is a test:
the test suite makes no timing assertion.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
REFERENCE = ROOT / "sources" / "zhengzhou-townships.csv"
COMMUNITIES = ROOT / "sources" / "zhengzhou-communities.csv"
ADDRESS = "郑州市二七区淮河路街道兴华街12号院3号楼"  # the cold address of issue 19
SCALE_SIZES = (50_000, 200_000, 640_000)  # communities of the grown datasets (16 a street)
BASELINE = "23b4c6e"  # jur 1.0, before communities, places, the roster page and --online


def sh(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, **kw)


def make_venv(path: Path, source: Path = ROOT, *, cpca: bool = True) -> Path:
    """A venv with jur installed as a user gets it (pip install ., bytecode compiled) and cpca."""
    py = path / "bin" / "python"
    if not py.exists():
        print(
            f"building {path} (pip install {source}{' cpca' if cpca else ''}) ...", file=sys.stderr
        )
        venv.create(path, with_pip=True)
        sh([str(py), "-m", "pip", "install", "-q", str(source), *(["cpca"] if cpca else [])])
    sh([str(py), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(source)])
    # PYTHONDONTWRITEBYTECODE may be set where this runs: compile as pip normally would
    site = subprocess.run(
        [str(py), "-c", "import jurisdiction, os; print(os.path.dirname(jurisdiction.__file__))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    sh([str(py), "-m", "compileall", "-q", site], stdout=subprocess.DEVNULL)
    return py


def baseline_venv(rev: str) -> Path:
    """A venv with jur as it was at commit `rev` (from `git archive`, nothing else)."""
    src = OUT / f"src-{rev}"
    if not (src / "pyproject.toml").exists():
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    return make_venv(OUT / f"venv-{rev}", src, cpca=False)


GNU_TIME = "/usr/bin/time"


def run_once(
    cmd: list[str], stdin: Path | None, env: dict[str, str], *, memory: bool = False
) -> float:
    """Wall seconds of one process; with memory=True, its peak resident MiB instead.

    Peak memory comes from GNU time (%M): wait4's ru_maxrss would include the RSS of the
    forked copy of this (larger) benchmark process, which Linux keeps across exec."""
    if memory:
        out = OUT / "time.txt"
        cmd = [GNU_TIME, "-f", "%M", "-o", str(out), *cmd]
    f = open(stdin, "rb") if stdin else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        p = subprocess.run(
            cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        wall = time.perf_counter() - start
    finally:
        if stdin:
            f.close()
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}")
    if memory:
        return int(out.read_text().split()[-1]) / 1024
    return wall


def measure(
    cases: dict[str, tuple[list[str], Path | None]], runs: int, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """Median wall and median peak memory per case, over runs interleaved round by round."""
    walls: dict[str, list[float]] = {k: [] for k in cases}
    mems: dict[str, list[float]] = {k: [] for k in cases}
    has_time = os.access(GNU_TIME, os.X_OK)
    for name, (cmd, stdin) in cases.items():  # warm-up: caches built, files in page cache
        run_once(cmd, stdin, env)
        if has_time:
            mems[name].append(run_once(cmd, stdin, env, memory=True))
    for _ in range(runs):
        for name, (cmd, stdin) in cases.items():
            walls[name].append(run_once(cmd, stdin, env))
    return {
        k: (statistics.median(walls[k]), statistics.median(mems[k]) if mems[k] else float("nan"))
        for k in cases
    }


def write_inputs() -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    with open(REFERENCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    addresses = OUT / "addresses_20k.txt"
    lines = [
        f"河南省郑州市{rows[i % len(rows)]['district_name']}{rows[i % len(rows)]['name']}幸福小区{i + 1}号楼"
        for i in range(20_000)
    ]
    addresses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(COMMUNITIES, encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    community_addresses = OUT / "community_addresses_20k.txt"
    clines = [
        f"郑州市{units[i % len(units)]['district_name']}{units[i % len(units)]['name']}{i + 1}号院"
        for i in range(20_000)
    ]
    community_addresses.write_text("\n".join(clines) + "\n", encoding="utf-8")
    mix = [
        *lines[:2000],
        *clines[:2000],
        "燕庄站",
        "郑州东站",
        *(r["name"] for r in rows),
        "德化街",
        "dehuajie",
        "花园路26号",
        "三官庙",
        "不存在的地方",
    ]
    million = OUT / "queries_1m.txt"
    hundred_k = OUT / "queries_100k.txt"
    with open(million, "w", encoding="utf-8") as f:
        for i in range(1_000_000):
            f.write(mix[i % len(mix)].replace("幸福小区", f"幸福小区{i}-") + "\n")
    with open(hundred_k, "w", encoding="utf-8") as f:
        for i in range(100_000):
            f.write(mix[i % len(mix)].replace("幸福小区", f"幸福小区{i}-") + "\n")
    grown = OUT / "grown"
    if not (grown / "communities.yaml").exists():
        sh([sys.executable, str(HERE / "grow.py"), str(grown), "--streets", "40000"])
    return {
        "addresses": addresses,
        "community_addresses": community_addresses,
        "million": million,
        "hundred_k": hundred_k,
        "grown": grown,
    }


def annotate_inputs() -> tuple[Path, Path]:
    """A 100,000-row CSV with 20 columns (ids with leading zeros, 18-digit ID numbers, text
    with commas, numbers; the address last), and its address column alone, one per line."""
    table, column = OUT / "annotate_100k.csv", OUT / "annotate_100k_addresses.txt"
    if table.exists() and column.exists():
        return table, column
    with open(REFERENCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(COMMUNITIES, encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    mix = [
        f"河南省郑州市{r['district_name']}{r['name']}幸福小区{i}号楼" for i, r in enumerate(rows)
    ]
    mix += [f"郑州市{u['district_name']}{u['name']}{i}号院" for i, u in enumerate(units[:2000])]
    mix += ["燕庄站", "郑州东站", "德化街", "花园路26号", "三官庙", "不存在的地方"]
    with (
        open(table, "w", encoding="utf-8", newline="") as t,
        open(column, "w", encoding="utf-8") as c,
    ):
        w = csv.writer(t)
        w.writerow(["编号", "姓名", "证件号码", "备注", *(f"字段{j}" for j in range(15)), "地址"])
        for i in range(100_000):
            address = mix[i % len(mix)].replace("幸福小区", f"幸福小区{i}-")
            w.writerow(
                [f"{i:06d}", "张三", f"410103{19900101 + i % 9000:08d}{i % 9999:04d}"]
                + ['夜间噪音，"施工"扰民' if i % 7 == 0 else "无"]
                + [str(i * j) for j in range(15)]
                + [address]
            )
            c.write(address + "\n")
    return table, column


def annotate_cases(jur: list[str]) -> dict[str, tuple[list[str], Path | None]]:
    """`jur annotate` on the 100,000-row table against `jur find` on its address column."""
    table, column = annotate_inputs()
    return {
        "jur find, 100,000 addresses (one column)": ([*jur, "find", "-f", "tsv"], column),
        "jur annotate, 100,000 rows x 20 columns": (
            [*jur, "annotate", str(table), "--column", "地址"],
            None,
        ),
    }


def annotate_goals(results: dict[str, tuple[float, float]]) -> list[tuple[str, float, float]]:
    find = results["jur find, 100,000 addresses (one column)"]
    annotate = results["jur annotate, 100,000 rows x 20 columns"]
    return [
        ("annotate 100,000 rows / find on the address column", annotate[0] / find[0], 1.5),
        ("peak memory of annotate, 100,000 rows, MiB", annotate[1], 200),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=9, help="interleaved runs per figure (median taken)"
    )
    parser.add_argument("--venv", type=Path, default=OUT / "venv")
    parser.add_argument(
        "--skip-million", action="store_true", help="leave out the 1,000,000-line run"
    )
    parser.add_argument("--baseline", default=BASELINE, help="commit to compare cold starts with")
    parser.add_argument(
        "--only-annotate", action="store_true", help="measure jur annotate against find only"
    )
    parser.add_argument(
        "--skip-serve", action="store_true", help="leave out jur serve under load (bench/serve.py)"
    )
    parser.add_argument(
        "--skip-scale",
        action="store_true",
        help="leave out validate and build on datasets of 50,000 to 640,000 communities",
    )
    parser.add_argument(
        "--only-scale", action="store_true", help="measure validate and build at scale only"
    )
    parser.add_argument(
        "--scale-runs", type=int, default=3, help="runs per figure at scale (median taken)"
    )
    args = parser.parse_args(argv)

    py = make_venv(args.venv)
    jur = [str(args.venv / "bin" / "jur")]
    if args.only_annotate:
        return report_annotate(jur, args.runs)
    if args.only_scale:
        return report_scale(jur, args.scale_runs)
    base_jur = [str(baseline_venv(args.baseline).parent / "jur")]
    inputs = write_inputs()
    env = dict(os.environ)
    env.pop("JUR_DATA", None)
    env["JUR_CACHE_DIR"] = str(OUT / "cache")
    env.pop("COLUMNS", None)

    # The grown dataset: validate it, build its cache, and let its files age past the
    # cache's 2-second guard for files changed just now (see index.RACY_NS).
    sh([*jur, "validate", "--data", str(inputs["grown"])], env=env, stdout=subprocess.DEVNULL)
    sh([*jur, "find", "德化街", "--data", str(inputs["grown"])], env=env, stdout=subprocess.DEVNULL)
    sh([*base_jur, "find", "德化街"], env=env, stdout=subprocess.DEVNULL)
    time.sleep(2.5)

    floor = [str(py), str(HERE / "floor_app.py"), "德化街"]
    cpca = [
        str(py),
        "-c",
        "import sys, cpca; cpca.transform(sys.stdin.read().splitlines()).to_csv(sys.stdout, sep='\\t')",
    ]
    cold = {
        "python -c pass": ([str(py), "-c", "pass"], None),
        "typer one-command app": (floor, None),
        "jur find 德化街 -f tsv": ([*jur, "find", "德化街", "-f", "tsv"], None),
        f"jur {args.baseline} find 德化街 -f tsv": (
            [*base_jur, "find", "德化街", "-f", "tsv"],
            None,
        ),
        "jur find 德化街 -f table": ([*jur, "find", "德化街", "-f", "table"], None),
        "jur find ADDRESS -f tsv": ([*jur, "find", ADDRESS, "-f", "tsv"], None),
        "jur find 德化街 (40,000 streets)": (
            [*jur, "find", "德化街", "-f", "tsv", "--data", str(inputs["grown"])],
            None,
        ),
    }
    batch = {
        "jur find, 20,000 addresses": ([*jur, "find", "-f", "tsv"], inputs["addresses"]),
        "cpca.transform, 20,000 addresses": (cpca, inputs["addresses"]),
        "jur find, 20,000 community addresses": (
            [*jur, "find", "-f", "tsv"],
            inputs["community_addresses"],
        ),
        "cpca.transform, 20,000 community addr.": (cpca, inputs["community_addresses"]),
    }
    print(
        f"jur benchmark: {args.runs} interleaved runs each, medians; python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    results = measure(cold, args.runs, env)
    results.update(measure(batch, max(3, args.runs // 2), env))
    if not args.skip_million:
        big = {
            "jur find, 100,000 queries": ([*jur, "find", "-f", "tsv"], inputs["hundred_k"]),
            "jur find, 1,000,000 queries": ([*jur, "find", "-f", "tsv"], inputs["million"]),
        }
        results.update(measure(big, 3, env))
    results.update(measure(annotate_cases(jur), max(3, args.runs // 2), env))

    print()
    print(f"{'what':<42}{'median wall':>13}{'peak memory':>14}")
    for name, (wall, mem) in results.items():
        print(f"{name:<42}{wall * 1000:>10.1f} ms{mem:>10.1f} MiB")

    def r(a: str, b: str) -> float:
        return results[a][0] / results[b][0]

    goals = [
        (
            "cold find tsv / typer one-command app",
            r("jur find 德化街 -f tsv", "typer one-command app"),
            1.25,
        ),
        ("cold find tsv / python -c pass", r("jur find 德化街 -f tsv", "python -c pass"), 2.5),
        (
            "cold address / cold name (tsv)",
            r("jur find ADDRESS -f tsv", "jur find 德化街 -f tsv"),
            1.2,
        ),
        (
            f"cold find tsv / jur {args.baseline}",
            r("jur find 德化街 -f tsv", f"jur {args.baseline} find 德化街 -f tsv"),
            1.1,
        ),
        (
            "cold find table / typer one-command app",
            r("jur find 德化街 -f table", "typer one-command app"),
            1.6,
        ),
        (
            "20,000 addresses: jur / cpca",
            r("jur find, 20,000 addresses", "cpca.transform, 20,000 addresses"),
            0.25,
        ),
        (
            "20,000 community addresses: jur / cpca (our goal)",
            r("jur find, 20,000 community addresses", "cpca.transform, 20,000 community addr."),
            0.5,
        ),
        (
            "cold find: 40,000 streets, 401,070 comm. / shipped",
            r("jur find 德化街 (40,000 streets)", "jur find 德化街 -f tsv"),
            1.3,
        ),
    ]
    goals += annotate_goals(results)
    if not args.skip_million:
        m1 = results["jur find, 1,000,000 queries"]
        m100 = results["jur find, 100,000 queries"]
        goals.append(("peak memory: 1,000,000 / 100,000 queries", m1[1] / m100[1], 1.1))
        goals.append(("peak memory of 1,000,000 queries, MiB", m1[1], 150))
    print()
    print(f"{'ratio':<52}{'measured':>10}{'goal':>10}")
    ok = True
    for name, value, goal in goals:
        met = value <= goal
        ok &= met
        print(f"{name:<52}{value:>10.2f}{'≤ ' + str(goal):>10}  {'met' if met else 'NOT MET'}")
    if not args.skip_million:
        wall = results["jur find, 1,000,000 queries"][0]
        print(
            f"\nthroughput: {1_000_000 / wall:,.0f} queries/s through stdin ({wall:.1f} s for 1,000,000)"
        )
    if not args.skip_scale:
        print()
        ok &= report_scale(jur, args.scale_runs) == 0
    if not args.skip_serve:  # jur serve under load, against a bare Starlette app: bench/serve.py
        import serve as serve_bench

        sh([str(py), "-m", "pip", "install", "-q", f"{ROOT}[serve]"])
        figures = serve_bench.bench(str(py))
        if figures is not None:
            ok &= serve_bench.report(figures, 10, 50)
    return 0 if ok else 1


def report_annotate(jur: list[str], runs: int) -> int:
    """--only-annotate: the annotate figures alone (the same cases as in the full run)."""
    env = dict(os.environ)
    env.pop("JUR_DATA", None)
    env["JUR_CACHE_DIR"] = str(OUT / "cache")
    OUT.mkdir(parents=True, exist_ok=True)
    results = measure(annotate_cases(jur), runs, env)
    for name, (wall, mem) in results.items():
        print(f"{name:<42}{wall * 1000:>10.1f} ms{mem:>10.1f} MiB")
    ok = True
    for name, value, goal in annotate_goals(results):
        met = value <= goal
        ok &= met
        print(f"{name:<52}{value:>10.2f}{'≤ ' + str(goal):>10}  {'met' if met else 'NOT MET'}")
    return 0 if ok else 1


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak resident MiB) of one process, both from one run (GNU time)."""
    out = OUT / "time.txt"
    start = time.perf_counter()
    p = subprocess.run(
        [GNU_TIME, "-f", "%M", "-o", str(out), *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}")
    return wall, int(out.read_text().split()[-1]) / 1024


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _pss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_peak(cmd: list[str], env: dict[str, str]) -> float:
    """Peak memory of a command and every process it forks, together: the largest sum of
    their proportional set sizes (PSS: a page two processes share counts half in each),
    sampled every 20 ms. jur's build forks a copy for half its work, and GNU time's %M
    gives the largest single process only. NaN where /proc cannot tell."""
    if not os.path.exists("/proc/self/smaps_rollup"):
        return float("nan")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0.0
    while p.poll() is None:
        peak = max(peak, sum(_pss_mib(q) for q in _tree(p.pid)))
        time.sleep(0.02)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}")
    return peak


def report_scale(jur: list[str], runs: int) -> int:
    """Issue 19: `jur validate` and the index build (the first `jur find`, on an empty cache)
    on datasets grown to 50,000, 200,000 and 640,000 communities in yaml.safe_dump's block
    style (bench/grow.py --style block, 16 communities a street): median wall and peak memory
    over `runs` runs, the cache's size on disk, and a cold find afterwards against the shipped
    dataset's."""
    import shutil

    env = dict(os.environ)
    env.pop("JUR_DATA", None)
    rows = []
    for size in SCALE_SIZES:
        data = OUT / f"grown-{size // 1000}k"
        streets = 207 + -(-(size - 3140) // 16)
        if not (data / "units.yaml").exists():
            sh(
                [
                    sys.executable,
                    str(HERE / "grow.py"),
                    str(data),
                    "--streets",
                    str(streets),
                    "--communities",
                    "16",
                    "--style",
                    "block",
                ],
                stderr=subprocess.DEVNULL,
            )
        communities = (data / "communities.yaml").read_bytes().count(b"\n- ")
        validate, build = [], []
        cache = OUT / f"cache-{size // 1000}k"
        for _ in range(runs):
            validate.append(timed([*jur, "validate", "--data", str(data)], env))
            shutil.rmtree(cache, ignore_errors=True)
            build.append(
                timed(
                    [*jur, "find", "德化街", "-f", "tsv", "--data", str(data)],
                    {**env, "JUR_CACHE_DIR": str(cache)},
                )
            )
        # memory of all the processes together, in one more run of each (sampling /proc
        # costs time, so not in the timed runs); the larger of the two measures is reported
        validate_tree = tree_peak([*jur, "validate", "--data", str(data)], env)
        shutil.rmtree(cache, ignore_errors=True)
        build_tree = tree_peak(
            [*jur, "find", "德化街", "-f", "tsv", "--data", str(data)],
            {**env, "JUR_CACHE_DIR": str(cache)},
        )
        size_mb = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / 1e6
        answer = subprocess.run(
            [*jur, "find", "德化街", "-f", "tsv", "--data", str(data)],
            capture_output=True,
            text=True,
            env={**env, "JUR_CACHE_DIR": str(cache)},
        ).stdout.split("\t")
        time.sleep(2.5)  # the files age past the cache's guard for files changed just now
        cold = measure(
            {
                "shipped": ([*jur, "find", "德化街", "-f", "tsv"], None),
                "grown": ([*jur, "find", "德化街", "-f", "tsv", "--data", str(data)], None),
            },
            max(5, runs),
            {**env, "JUR_CACHE_DIR": str(cache)},
        )
        rows.append(
            (
                size,
                communities,
                statistics.median(w for w, _ in validate),
                max(statistics.median(m for _, m in validate), validate_tree),
                statistics.median(w for w, _ in build),
                max(statistics.median(m for _, m in build), build_tree),
                size_mb,
                cold["grown"][0] / cold["shipped"][0],
                answer[2] if len(answer) > 2 else "",
            )
        )
    print(f"big datasets (bench/grow.py --style block): medians of {runs} runs")
    print("peak: the larger of GNU time's %M and the largest sum of PSS over all processes")
    print(
        f"{'communities':>12}{'validate':>10}{'peak':>10}{'build':>10}{'peak':>10}"
        f"{'cache':>10}{'cold find':>11}  德化街"
    )
    for _size, n, vw, vm, bw, bm, mb, ratio, station in rows:
        print(
            f"{n:>12,}{vw:>9.1f}s{vm:>7.0f}MiB{bw:>9.1f}s{bm:>7.0f}MiB{mb:>8.0f}MB"
            f"{ratio:>10.2f}x  {station}"
        )
    big = rows[-1]
    first, mid = rows[0], rows[-2]
    goals = [
        ("validate, 640,000 communities, s", big[2], 10.0),
        ("validate peak, MiB", big[3], 400.0),
        ("index build (first find), s", big[4], 20.0),
        ("index build peak, MiB", big[5], 800.0),
        ("cache on disk, MB", big[6], 250.0),
        ("cold find after the build / shipped", big[7], 1.3),
        (
            "build per community: 640k / 200k (linear: 1)",
            (big[4] / big[1]) / (mid[4] / mid[1]),
            1.1,
        ),
        ("build per community: 200k / 50k", (mid[4] / mid[1]) / (first[4] / first[1]), 1.1),
    ]
    print()
    ok = big[8] == "德化街派出所"
    print(f"德化街 on the 640,000-community dataset: {big[8] or 'no answer'}")
    for name, value, goal in goals:
        met = value <= goal
        ok &= met
        print(f"{name:<52}{value:>10.2f}{'≤ ' + str(goal):>10}  {'met' if met else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
