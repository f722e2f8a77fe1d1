"""20,000 addresses naming a community or village through `jur find -f tsv`, side by side:
this tree, a baseline commit, and cpca.transform on the same lines (the goal in bench/run.py:
jur / cpca <= 0.5).

    python bench/community_batch.py                 # baseline 6f86d16, 9 interleaved runs
    python bench/community_batch.py --runs 15 --baseline REV

The lines are made as bench/run.py's write_inputs() makes them (from
sources/zhengzhou-communities.csv). Both venvs are built as bench/run.py builds them (pip
install ., bytecode compiled; cpca in this tree's venv only, never a dependency of jur). Before
timing, the answers of both trees on these lines and on the 20,000 subdistrict addresses are
compared byte for byte. Medians of runs interleaved round by round; nothing here is a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (bench/run.py: make_venv, baseline_venv, run_once)

BASELINE = "6f86d16"  # branch scale before the per-line work on community addresses was cut


def write_lines() -> dict[str, Path]:
    """The 20,000 community and 20,000 subdistrict addresses of bench/run.py, alone."""
    bench.OUT.mkdir(parents=True, exist_ok=True)
    with open(bench.REFERENCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(bench.COMMUNITIES, encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    lines = [
        f"河南省郑州市{rows[i % len(rows)]['district_name']}{rows[i % len(rows)]['name']}幸福小区{i + 1}号楼"
        for i in range(20_000)
    ]
    clines = [
        f"郑州市{units[i % len(units)]['district_name']}{units[i % len(units)]['name']}{i + 1}号院"
        for i in range(20_000)
    ]
    out = {
        "community": bench.OUT / "community_addresses_20k.txt",
        "subdistrict": bench.OUT / "addresses_20k.txt",
    }
    out["community"].write_text("\n".join(clines) + "\n", encoding="utf-8")
    out["subdistrict"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def answers(jur: list[str], stdin: Path, env: dict[str, str]) -> bytes:
    with open(stdin, "rb") as f:
        p = subprocess.run(jur, stdin=f, capture_output=True, env=env)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(jur)} exited {p.returncode}: {p.stderr.decode()[-500:]}")
    return p.stdout + b"\0" + p.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs (median taken)")
    parser.add_argument("--baseline", default=BASELINE, help="commit to compare with")
    parser.add_argument("--venv", type=Path, default=bench.OUT / "venv")
    args = parser.parse_args(argv)

    py = bench.make_venv(args.venv)
    base_py = bench.baseline_venv(args.baseline)
    inputs = write_lines()
    env = dict(os.environ)
    env.pop("JUR_DATA", None)
    env.pop("COLUMNS", None)
    envs = {}
    for name in ("tree", "baseline"):
        envs[name] = dict(env, JUR_CACHE_DIR=str(bench.OUT / f"cache-batch-{name}"))
    jur = [str(py.parent / "jur"), "find", "-f", "tsv"]
    base_jur = [str(base_py.parent / "jur"), "find", "-f", "tsv"]

    same = True
    for what, path in inputs.items():
        ours = answers(jur, path, envs["tree"])
        theirs = answers(base_jur, path, envs["baseline"])
        print(f"answers on the 20,000 {what} lines: {'identical' if ours == theirs else 'DIFFER'}")
        same &= ours == theirs

    cpca = [
        str(py),
        "-c",
        "import sys, cpca; cpca.transform(sys.stdin.read().splitlines())"
        ".to_csv(sys.stdout, sep='\\t')",
    ]
    cases = {
        f"jur {args.baseline}": (base_jur, envs["baseline"]),
        "jur (this tree)": (jur, envs["tree"]),
        "cpca.transform": (cpca, env),
    }
    walls: dict[str, list[float]] = {k: [] for k in cases}
    for cmd, e in cases.values():  # warm-up: caches built, files in the page cache
        bench.run_once(cmd, inputs["community"], e)
    for _ in range(args.runs):
        for name, (cmd, e) in cases.items():
            walls[name].append(bench.run_once(cmd, inputs["community"], e))
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(
        f"\n20,000 community addresses, {args.runs} interleaved runs, median wall "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    for name, m in med.items():
        print(f"  {name:<24}{m * 1000:>9.1f} ms   (min {min(walls[name]) * 1000:.1f})")
    tree, base, cp = med["jur (this tree)"], med[f"jur {args.baseline}"], med["cpca.transform"]
    print(f"\n  jur (this tree) / cpca      {tree / cp:6.2f}   goal <= 0.5")
    print(f"  jur {args.baseline} / cpca{' ' * (15 - len(args.baseline))}{base / cp:6.2f}")
    print(f"  this tree / {args.baseline}{' ' * (16 - len(args.baseline))}{tree / base:6.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
