"""Regenerate the character tables the resolver uses at query time, without their libraries.

Run:  pip install -e '.[build-data]' && python tools/build_tables.py

- src/jurisdiction/tables/t2s.tsv: traditional -> simplified, one character each, from
  OpenCC's TSCharacters.txt (Apache-2.0) as shipped by opencc-python-reimplemented 0.1.7.
  Where OpenCC lists several simplified forms, the first is taken.
- src/jurisdiction/tables/pinyin.tsv: every CJK Unified Ideograph (U+4E00-U+9FFF) with its
  toneless readings from pypinyin 0.55.0 (heteronyms included), for same-sound typo scoring.
Both libraries are slow to import (pypinyin ~0.45 s), so they are used here only.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "jurisdiction" / "tables"


def build_t2s() -> str:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = raw.partition("\t")
        simp = simp.split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            lines.append(f"{trad}\t{simp}")
    return "# traditional\tsimplified (OpenCC TSCharacters.txt, Apache-2.0)\n" + "\n".join(lines) + "\n"


def build_pinyin() -> str:
    from pypinyin import Style, pinyin

    lines = []
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
        if readings and readings[0]:
            uniq = sorted({r.replace("ü", "v") for r in readings[0]})
            lines.append(ch + "\t" + ",".join(uniq))
    return "# character\ttoneless readings (pypinyin 0.55.0, heteronyms)\n" + "\n".join(lines) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "t2s.tsv").write_text(build_t2s(), encoding="utf-8")
    (OUT / "pinyin.tsv").write_text(build_pinyin(), encoding="utf-8")
    print(f"wrote {OUT}/t2s.tsv and pinyin.tsv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
