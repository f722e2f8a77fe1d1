"""Write a dataset grown to N streets (default 40,000), each with a station of its own and
C communities (default 10).

    python bench/grow.py OUT_DIR [--streets 40000] [--communities 10] [--style flow|block]

It is the shipped dataset (all its files) plus synthetic streets (测试00001街道 … served by
测试00001派出所 …) spread over ten synthetic sub-bureaus, each street with its communities
(测00001-01社区 …). It exists only to measure how jur's cost grows with the size of
a dataset; it is not data about Zhengzhou. The result validates.

--style block writes streets.yaml and communities.yaml (shipped records included) exactly as
`yaml.safe_dump` writes a list of mappings: block style, keys sorted, strings that are not
ASCII as "\\u..." escapes. That is what a user who generates a dataset gets; --style flow
(the default) writes the synthetic records in a compact flow style.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def grow(out: Path, total: int, communities: int = 10, style: str = "flow") -> None:
    out.mkdir(parents=True, exist_ok=True)
    units = (ROOT / "data" / "units.yaml").read_text(encoding="utf-8")
    streets = (ROOT / "data" / "streets.yaml").read_text(encoding="utf-8")
    shipped = streets.count("\n- name: ") + (1 if streets.startswith("- name: ") else 0)
    extra = max(0, total - shipped)
    per = -(-extra // 10)
    unit_lines = [units.rstrip("\n")]
    street_lines = [streets.rstrip("\n")]
    n = 0
    for b in range(10):
        unit_lines.append(f"- name: 测试{b}分局\n  kind: territorial\n  stations:")
        for _ in range(per):
            if n >= extra:
                break
            n += 1
            unit_lines.append(f"  - name: 测试{n:05d}派出所\n    source: synthetic")
            street_lines.append(
                f"- name: 测试{n:05d}街道\n  code: '9{n:08d}'\n  district: 测试{b}区\n"
                f"  kind: 街道\n  short: 测试{n:05d}\n  station: 测试{n:05d}派出所\n"
                f"  pinyin: [ceshi{n:05d}]"
            )
    # the synthetic stations cite a source id that units.sources must list
    text = "\n".join(unit_lines) + "\n"
    text = text.replace(
        "sources:\n",
        "sources:\n- id: synthetic\n  title: bench/grow.py (synthetic, for measurement only)\n",
        1,
    )
    (out / "units.yaml").write_text(text, encoding="utf-8")
    (out / "streets.yaml").write_text("\n".join(street_lines) + "\n", encoding="utf-8")
    for name in ("places.yaml", "landmarks.yaml"):  # copied as they are
        if (ROOT / "data" / name).exists():
            (out / name).write_bytes((ROOT / "data" / name).read_bytes())
    if style == "block":
        _block(out, units_extra=n, communities=communities)
        return
    with open(out / "communities.yaml", "w", encoding="utf-8") as f:
        f.write((ROOT / "data" / "communities.yaml").read_text(encoding="utf-8"))
        for s in range(1, n + 1):
            for c in range(1, communities + 1):
                # flow style: 400,000 communities stay under the loader's 32 MiB a file
                f.write(
                    f"- {{name: 测{s:05d}-{c:02d}社区, code: '9{s:08d}{c:03d}', "
                    f"street: '9{s:08d}'}}\n"
                )


def _dump(records: list[dict]) -> str:
    """yaml.safe_dump's text for a list (the C emitter when there is one: same output)."""
    import yaml

    return yaml.dump(records, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))


def _block(out: Path, units_extra: int, communities: int) -> None:
    """streets.yaml and communities.yaml rewritten as yaml.safe_dump writes them."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    shipped = yaml.load((ROOT / "data" / "streets.yaml").read_text(encoding="utf-8"), loader)
    streets = list(shipped)
    for n in range(1, units_extra + 1):
        b = (n - 1) // -(-units_extra // 10)
        streets.append(
            {
                "name": f"测试{n:05d}街道",
                "code": f"9{n:08d}",
                "district": f"测试{b}区",
                "kind": "街道",
                "short": f"测试{n:05d}",
                "station": f"测试{n:05d}派出所",
                "pinyin": [f"ceshi{n:05d}"],
            }
        )
    (out / "streets.yaml").write_text(_dump(streets), encoding="utf-8")
    with open(out / "communities.yaml", "w", encoding="utf-8") as f:
        f.write(_dump(yaml.load((ROOT / "data" / "communities.yaml").read_bytes(), loader)))
        chunk: list[dict] = []
        for s in range(1, units_extra + 1):
            for c in range(1, communities + 1):
                chunk.append(
                    {
                        "name": f"测{s:05d}-{c:02d}社区",
                        "code": f"9{s:08d}{c:03d}",
                        "street": f"9{s:08d}",
                        "kind": "community",
                    }
                )
            if len(chunk) >= 20_000:  # a block list dumped in parts is the list dumped whole
                f.write(_dump(chunk))
                chunk = []
        if chunk:
            f.write(_dump(chunk))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--streets", type=int, default=40_000)
    parser.add_argument("--communities", type=int, default=10, help="per synthetic street")
    parser.add_argument("--style", choices=("flow", "block"), default="flow")
    args = parser.parse_args(argv)
    grow(args.out, args.streets, args.communities, args.style)
    print(
        f"wrote {args.out} ({args.streets} streets, {args.communities} communities each)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
