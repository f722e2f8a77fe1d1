"""The evaluation report: resolve every query of queries.tsv and count, per category,

- correct:   the status, station and sub-bureau expected;
- safe miss: not_found or ambiguous where an answer existed (the tool declined, honestly);
- wrong:     a confident answer that is false (a station, sub-bureau or coverage claimed
             that the expected answer does not support);
- hand:      how many of the category's rows were checked by hand against sources/ (the
             file's sixth column says `hand`; the others are generated from data/).

Run:  python tests/eval/report.py [--sweep]
--sweep also shows how the typo threshold was chosen: the typo and not_found categories
at other cut-offs.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATEGORIES = [
    "exact",
    "suffix",
    "office",
    "station",
    "prefixed",
    "address",
    "road-address",
    "pinyin",
    "initials",
    "traditional",
    "format",
    "typo",
    "former-name",
    "partial",
    "outside",
    "ambiguous",
    "not_found",
    # issue 9: communities, villages, named places, the metro, addresses read as parts
    "community",
    "village",
    "community-address",
    "shared-name",
    "office-form",
    "zone-district",
    "railway",
    "metro",
    "place-station",
    "road-no-district",
    "road-district",
    # issue 14: the scope the writer gave, shared sub-bureaus, namesake roads, village
    # forms of a community's core, metro stations outside 郑州市
    "scope",
    "shared-sub-bureau",
    "all-outside",
    "namesake-road",
    "village-core",
    "metro-outside",
]
COLUMNS = ["category", "query", "status", "station", "sub_bureau", "hand"]


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    safe: int = 0
    wrong: int = 0
    hand: int = 0
    wrong_cases: list = field(default_factory=list)
    safe_cases: list = field(default_factory=list)


def read_queries(path: Path = HERE / "queries.tsv") -> list[dict[str, str]]:
    """The rows, each a dict of COLUMNS (hand is "hand" or ""); a row with a column missing
    or one too many gets None or a None key, which test_queries_file_is_well_formed refuses."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def judge(expected: dict[str, str], answer) -> str:
    """'correct', 'safe' or 'wrong'."""
    exp_status = expected["status"]
    exp_station = expected["station"] or None
    exp_bureau = expected["sub_bureau"] or None
    if (
        answer.status == exp_status
        and answer.station == exp_station
        and (answer.sub_bureau == exp_bureau)
    ):
        return "correct"
    if answer.status == "not_found":
        return "safe"
    if exp_status == "found" and answer.status == "partial" and answer.sub_bureau == exp_bureau:
        return "safe"  # less specific but true: the sub-bureau without a station
    if answer.status == "ambiguous" and exp_status != "not_found":
        return "safe"
    return "wrong"


def evaluate(index, rows: list[dict[str, str]]) -> dict[str, Tally]:
    from jurisdiction import resolve

    tallies = {c: Tally() for c in CATEGORIES}
    for row in rows:
        t = tallies.setdefault(row["category"], Tally())
        a = resolve(row["query"], index)
        verdict = judge(row, a)
        t.total += 1
        t.hand += row.get("hand") == "hand"
        if verdict == "correct":
            t.correct += 1
        elif verdict == "safe":
            t.safe += 1
            t.safe_cases.append((row["query"], row["status"], row["station"], a.status, a.station))
        else:
            t.wrong += 1
            t.wrong_cases.append(
                (
                    row["query"],
                    row["status"],
                    row["station"],
                    row["sub_bureau"],
                    a.status,
                    a.station,
                    a.sub_bureau,
                )
            )
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    head = ("category", "total", "correct", "safe miss", "wrong", "% correct", "hand")
    fmt = "{:<19}{:>6}{:>9}{:>11}{:>7}{:>11}{:>6}"
    lines = [fmt.format(*head)]
    tot = Tally()
    for cat, t in tallies.items():
        tot.total += t.total
        tot.correct += t.correct
        tot.safe += t.safe
        tot.wrong += t.wrong
        tot.hand += t.hand
        lines.append(_line(fmt, cat, t))
    lines.append(_line(fmt, "all", tot))
    return "\n".join(lines)


def _line(fmt: str, name: str, t: Tally) -> str:
    pct = 100 * t.correct / t.total if t.total else 0
    return fmt.format(name, t.total, t.correct, t.safe, t.wrong, f"{pct:.1f}%", t.hand)


def totals(tallies: dict[str, Tally]) -> tuple[int, int, int, int]:
    return (
        sum(t.total for t in tallies.values()),
        sum(t.correct for t in tallies.values()),
        sum(t.safe for t in tallies.values()),
        sum(t.wrong for t in tallies.values()),
    )


def sweep(index, rows) -> str:
    """Typo threshold against the typo and not_found categories (the ones it moves)."""
    from jurisdiction import resolve as resolve_mod

    module = sys.modules["jurisdiction.resolve"]
    keep = module.THRESHOLD
    subset = [r for r in rows if r["category"] in ("typo", "not_found", "ambiguous")]
    lines = ["threshold  correct  safe  wrong   (typo + not_found + ambiguous categories)"]
    try:
        for th in (60, 65, 70, 72, 75, 77, 80, 85):
            module.THRESHOLD = th
            index.memo.clear()  # answers memoised under another threshold do not count
            c = s = w = 0
            for r in subset:
                v = judge(r, resolve_mod(r["query"], index))
                c += v == "correct"
                s += v == "safe"
                w += v == "wrong"
            lines.append(f"{th:>9}  {c:>7}  {s:>4}  {w:>5}")
    finally:
        module.THRESHOLD = keep
        index.memo.clear()
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from jurisdiction import open_index

    index = open_index(HERE.parents[1] / "data", use_cache=False)
    rows = read_queries()
    tallies = evaluate(index, rows)
    print(table(tallies))
    for cat, t in tallies.items():
        for case in t.wrong_cases:
            print("WRONG", cat, *case)
    if "-v" in argv:
        for cat, t in tallies.items():
            for case in t.safe_cases:
                print("safe", cat, *case)
    if "--sweep" in argv:
        print()
        print(sweep(index, rows))
    total, correct, _safe, wrong = totals(tallies)
    return 0 if wrong == 0 and correct >= 0.995 * total else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
