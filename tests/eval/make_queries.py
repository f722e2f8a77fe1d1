"""Write tests/eval/queries.tsv: queries with the answer expected, by category.

Run:  pip install -e '.[build-data]' && python tests/eval/make_queries.py

Expected answers come from the dataset and the sources, by construction (a query made from
the official name of a unit expects that unit's station), never from running the resolver;
the hand-written cases at the end were each checked against the sources by hand. Where a
generated query would be unfair (the typo'd name is itself another place, or two places are
equally near), the generator drops it rather than guess an expectation.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jurisdiction.dataset import parse_dataset  # noqa: E402
from jurisdiction.normalize import pinyin_table  # noqa: E402
from jurisdiction.syllables import split_syllables  # noqa: E402

SHORT_DISTRICT = {
    "中原区": "中原",
    "二七区": "二七",
    "管城回族区": "管城区",
    "金水区": "金水",
    "惠济区": "惠济区",
    "郑州经济技术开发区": "经开区",
    "郑州高新技术产业开发区": "高新区",
}

HAND = [
    # category, query, status, station, sub_bureau
    ("partial", "郑州市二七区淮南街7号", "partial", "", "二七分局"),
    ("partial", "二七", "partial", "", "二七分局"),
    ("partial", "二七区", "partial", "", "二七分局"),
    ("partial", "erqi", "partial", "", "二七分局"),
    ("partial", "二七分局", "partial", "", "二七分局"),
    ("partial", "郑州市公安局二七分局", "partial", "", "二七分局"),
    ("partial", "中原区", "partial", "", "中原分局"),
    ("partial", "管城回族区", "partial", "", "管城分局"),
    ("partial", "管城区", "partial", "", "管城分局"),
    ("partial", "金水区", "partial", "", "金水分局"),
    ("partial", "惠济区", "partial", "", "惠济分局"),
    ("partial", "郑东新区", "partial", "", "郑东分局"),
    ("partial", "郑东", "partial", "", "郑东分局"),
    ("partial", "高新区", "partial", "", "高新分局"),
    ("partial", "郑州高新技术产业开发区", "partial", "", "高新分局"),
    ("partial", "经开区", "partial", "", "经开分局"),
    ("partial", "郑州经济技术开发区", "partial", "", "经开分局"),
    ("partial", "火车站分局", "partial", "", "火车站分局"),
    ("partial", "地铁分局", "partial", "", "地铁分局"),
    ("partial", "水上分局", "partial", "", "水上分局"),
    ("partial", "郑东新区分局", "partial", "", "郑东分局"),
    ("partial", "郑东新区公安分局", "partial", "", "郑东分局"),
    ("partial", "高新技术产业开发区分局", "partial", "", "高新分局"),
    ("partial", "经济技术开发区分局", "partial", "", "经开分局"),
    ("partial", "金水分局", "partial", "", "金水分局"),
    ("partial", "郑州市公安局中原分局", "partial", "", "中原分局"),
    ("partial", "河南省郑州市中原区桐柏南路100号", "partial", "", "中原分局"),
    ("partial", "郑州市惠济区某某路8号院", "partial", "", "惠济分局"),
    ("partial", "郑州市郑东新区某某大道100号", "partial", "", "郑东分局"),
    ("partial", "高新区科学大道100号", "partial", "", "高新分局"),
    ("partial", "jinshui", "partial", "", "金水分局"),
    ("partial", "zhongyuan", "partial", "", "中原分局"),
    ("partial", "二七区二七广场", "partial", "", "二七分局"),
    ("partial", "郑州市管城回族区商城路10号", "partial", "", "管城分局"),
    ("outside", "巩义市", "outside", "", ""),
    ("outside", "上街区", "outside", "", ""),
    ("outside", "航空港区", "outside", "", ""),
    ("outside", "郑州航空港经济综合实验区", "outside", "", ""),
    ("outside", "新郑市", "outside", "", ""),
    ("outside", "登封市", "outside", "", ""),
    ("outside", "荥阳市", "outside", "", ""),
    ("outside", "新密市", "outside", "", ""),
    ("outside", "中牟县", "outside", "", ""),
    ("outside", "新华路街道", "outside", "", ""),
    ("outside", "城关乡", "outside", "", ""),
    ("outside", "新郑市龙湖镇", "outside", "", ""),
    ("outside", "登封市少林街道某某村", "outside", "", ""),
    ("outside", "巩义市新华路100号", "outside", "", ""),
    ("outside", "郑州市上街区济源路街道", "outside", "", ""),
    ("outside", "航空港区三官庙", "outside", "", ""),
    ("outside", "三官庙镇", "outside", "", ""),
    ("outside", "新密市刘寨镇", "outside", "", ""),
    ("outside", "刘寨镇", "outside", "", ""),
    ("outside", "龙湖镇", "outside", "", ""),
    ("ambiguous", "三官庙", "ambiguous", "", ""),
    ("ambiguous", "花园", "ambiguous", "", ""),
    ("ambiguous", "南阳", "ambiguous", "", "金水分局"),
    ("ambiguous", "西大街街道", "ambiguous", "", ""),
    ("ambiguous", "西大街", "ambiguous", "", ""),
    ("ambiguous", "东风路街道", "ambiguous", "", ""),
    ("ambiguous", "东风路", "ambiguous", "", ""),
    ("ambiguous", "龙湖", "ambiguous", "", ""),
    ("ambiguous", "刘寨", "ambiguous", "", ""),
    ("ambiguous", "南曹乡", "ambiguous", "", "管城分局"),
    ("ambiguous", "金水区德化街", "ambiguous", "", ""),
    ("ambiguous", "二七区花园路", "ambiguous", "", ""),
    ("ambiguous", "中原区德化街街道", "ambiguous", "", ""),
    ("ambiguous", "航海", "ambiguous", "", ""),
    ("ambiguous", "紫荆", "ambiguous", "", ""),
    ("former-name", "南关街道", "found", "南关街派出所", "管城分局"),
    ("former-name", "郑州市管城回族区南关街道", "found", "南关街派出所", "管城分局"),
    ("former-name", "管城区南关街道办事处", "found", "南关街派出所", "管城分局"),
    ("former-name", "南曹乡人民政府", "ambiguous", "", "管城分局"),
    ("former-name", "卢店街道", "outside", "", ""),
    ("former-name", "登封市卢店街道", "outside", "", ""),
    ("former-name", "大孟街道", "outside", "", ""),
    ("former-name", "中牟县大孟街道", "outside", "", ""),
    ("former-name", "伏羲山风景区管理委员会", "outside", "", ""),
    ("former-name", "侯寨乡", "found", "侯寨派出所", "二七分局"),
    ("former-name", "南关街道办事处", "found", "南关街派出所", "管城分局"),
    ("former-name", "nanguanjiedao", "found", "南关街派出所", "管城分局"),
    ("not_found", "淮南街", "not_found", "", ""),
    ("not_found", "北京市朝阳区", "not_found", "", ""),
    ("not_found", "上海", "not_found", "", ""),
    ("not_found", "紫荆山北路", "not_found", "", ""),
    ("not_found", "中原东路", "not_found", "", ""),
    ("not_found", "德比街", "not_found", "", ""),
    ("not_found", "xyz", "not_found", "", ""),
    ("not_found", "hello world", "not_found", "", ""),
    ("not_found", "12345", "not_found", "", ""),
    ("not_found", "！！！", "not_found", "", ""),
    ("not_found", "", "not_found", "", ""),
    ("not_found", "德化", "not_found", "", ""),
    ("not_found", "侯赛", "not_found", "", ""),
    ("not_found", "金水源街道", "not_found", "", ""),
    ("not_found", "会展中心", "not_found", "", ""),
    ("not_found", "郑州大学", "not_found", "", ""),
    ("not_found", "人民公园", "not_found", "", ""),
    ("not_found", "航海南路", "not_found", "", ""),
    ("not_found", "颍河路派出所", "not_found", "", ""),
    ("not_found", "长江", "not_found", "", ""),
    ("not_found", "文化", "not_found", "", ""),
    ("not_found", "abcdefg", "not_found", "", ""),
    ("not_found", "zzzz", "not_found", "", ""),
    ("not_found", "洛阳市西工区", "not_found", "", ""),
    ("not_found", "开封市", "not_found", "", ""),
    ("station", "会展中心派出所", "found", "会展中心派出所", "郑东分局"),
    ("station", "郑州东站派出所", "found", "郑州东站派出所", "郑东分局"),
    ("station", "郑东新区分局会展中心派出所", "found", "会展中心派出所", "郑东分局"),
    ("address", "郑州市二七区马寨镇某某村5组", "found", "马寨派出所", "二七分局"),
    ("address", "惠济区古荥镇某某村", "found", "古荥派出所", "惠济分局"),
    ("address", "管城回族区圃田乡某某村", "found", "圃田派出所", "郑东分局"),
    ("address", "中原区须水街道办事处某某社区", "found", "须水派出所", "中原分局"),
    ("address", "郑州市郑东新区如意湖街道某某大厦12楼", "found", "如意湖派出所", "郑东分局"),
    ("address", "中牟县白沙镇某某村", "found", "白沙派出所", "郑东分局"),
    ("address", "高新区石佛镇某某小区", "found", "石佛派出所", "高新分局"),
    ("address", "郑州市金水区南阳新村街道某某小区", "found", "南阳新村派出所", "金水分局"),
    ("address", "我住在德化街街道附近", "found", "德化街派出所", "二七分局"),
    ("address", "郑州市二七区德化街派出所旁边", "found", "德化街派出所", "二七分局"),
    # probes for confident wrong answers (roads named after districts cross districts)
    ("not_found", "金水路100号", "not_found", "", ""),
    ("not_found", "中原路", "not_found", "", ""),
    ("not_found", "二七路3号", "not_found", "", ""),
    ("not_found", "郑州东站", "not_found", "", ""),
    ("not_found", "郑州火车站", "not_found", "", ""),
    ("not_found", "二七广场", "not_found", "", ""),
    ("not_found", "北京路", "not_found", "", ""),
    ("not_found", "管城街", "not_found", "", ""),
    ("partial", "经开第八大街", "partial", "", "经开分局"),
    ("partial", "高新区莲花街", "partial", "", "高新分局"),
    ("partial", "郑州市经开区第八大街", "partial", "", "经开分局"),
    ("exact", "郑东新区龙湖", "found", "龙湖派出所", "郑东分局"),
    ("outside", "新郑龙湖", "outside", "", ""),
    ("address", "花园路街道26号", "found", "花园路派出所", "金水分局"),
    ("suffix", "大学路", "found", "大学路派出所", "二七分局"),
    ("prefixed", "郑州大学路", "found", "大学路派出所", "二七分局"),
    ("road-address", "文化路与农业路交叉口", "partial", "", "金水分局"),
    ("road-address", "航海东路与紫荆山南路交叉口", "partial", "", "管城分局"),
    ("traditional", "鄭州市金水區花園路26號", "partial", "", "金水分局"),
    ("road-address", "花园路26号", "partial", "", "金水分局"),
    ("road-address", "郑州市金水区花园路124号", "partial", "", "金水分局"),
    ("road-address", "花园路与农业路交叉口", "partial", "", "金水分局"),
    ("road-address", "二七区大学路80号", "partial", "", "二七分局"),
    ("road-address", "中原区建设路与桐柏路交叉口", "partial", "", "中原分局"),
    ("road-address", "郑州市金水区文化路97号", "partial", "", "金水分局"),
    ("road-address", "郑州市二七区京广路某某大厦", "partial", "", "二七分局"),
    ("road-address", "经八路1号院", "partial", "", "金水分局"),
    ("road-address", "人民路220号", "partial", "", "金水分局"),
    ("road-address", "郑州市中原区中原西路3号", "partial", "", "中原分局"),
]


def short_district(d: str) -> str:
    return SHORT_DISTRICT.get(d, d)


def main() -> int:
    import opencc

    s2t = opencc.OpenCC("s2t")
    ds = parse_dataset(ROOT / "data")
    rng = random.Random(20201020)
    streets = ds.streets
    shorts: dict[str, list] = {}
    names: dict[str, list] = {}
    for s in streets:
        shorts.setdefault(s.short, []).append(s)
        names.setdefault(s.name, []).append(s)
    served = [s for s in streets if s.station and len(shorts[s.short]) == 1]
    outside = [s for s in streets if not s.station and len(shorts[s.short]) == 1]
    rows: list[tuple[str, str, str, str, str]] = []

    def found(cat: str, q: str, s) -> None:
        rows.append((cat, q, "found", s.station, s.sub_bureau))

    for s in served:
        found("exact", s.name, s)
        found("suffix", s.short, s)
        if s.kind == "街道" and s.short.endswith("街"):
            found("suffix", s.short[:-1] + "街道", s)
        office = {
            "街道": ["街道办事处", "办事处", "街道办"],
            "镇": ["镇人民政府", "镇政府"],
            "乡": ["乡人民政府"],
        }
        for suf in office.get(s.kind, []):
            found("office", s.short + suf, s)
        found("station", s.station, s)
        found("prefixed", f"河南省郑州市{s.district}{s.name}", s)
        found("prefixed", f"郑州市{short_district(s.district)}{s.short}", s)
        found("address", f"郑州市{s.district}{s.name}幸福小区{rng.randint(1, 30)}号楼", s)
        found("traditional", s2t.convert(f"郑州市{s.district}{s.name}"), s)
    for s in rng.sample(served, 40):
        found("format", f" {s.short} ", s)
        found("format", "（" + short_district(s.district) + "）" + s.short, s)
        found("format", "\u3000" + s.short + "！", s)
        found("format", "".join(chr(ord(c) + 0xFEE0) for c in s.pinyin[0].upper()), s)
        found("format", "“" + " ".join(s.short) + "”", s)
    # pinyin: full readings (unique keys only), in varied case and spacing
    readings: dict[str, set[str]] = {}
    for s in streets:
        for r in s.pinyin:
            readings.setdefault(r, set()).add(s.code)
    for s in served:
        for r in s.pinyin:
            if len(readings[r]) != 1:
                continue
            syl = split_syllables(r, len(s.short))
            style = rng.choice(["lower", "title", "spaced"])
            q = (
                r
                if style == "lower"
                else "".join(x.title() for x in syl)
                if style == "title"
                else " ".join(syl)
            )
            found("pinyin", q, s)
    # initials: cores of 3+ characters; unique initials found, shared ones ambiguous/outside
    inits: dict[str, list] = {}
    for s in streets:
        if len(s.short) < 3:
            continue
        for r in s.pinyin:
            syl = split_syllables(r, len(s.short))
            if syl:
                inits.setdefault("".join(x[0] for x in syl), []).append(s)
    for key, group in sorted(inits.items()):
        uniq = {x.code: x for x in group}
        if key in readings:  # also somebody's full reading: not an initials query
            continue
        if len(uniq) == 1:
            s = next(iter(uniq.values()))
            if s.station:
                found("initials", key, s)
            else:
                rows.append(("initials", key, "outside", "", ""))
        else:
            stations = {x.station for x in uniq.values()}
            if stations == {None}:
                rows.append(("initials", key, "outside", "", ""))
            else:
                rows.append(("initials", key, "ambiguous", "", ""))
    # typos: one same-sound character, one missing character (4+), one extra character
    table = pinyin_table()
    by_sound: dict[str, list[str]] = {}
    for ch, rs in table.items():
        for r in rs:
            by_sound.setdefault(r, []).append(ch)
    all_shorts = set(shorts)

    def unfair(q: str, s) -> bool:
        """The typo is itself a name, or as near to another place as to this one."""
        if q in all_shorts:
            return True
        for other in all_shorts - {s.short}:
            if _distance1(q, other):
                return True
        return False

    for s in rng.sample(served, 60):
        core = s.short
        if len(core) >= 3:
            i = rng.randrange(len(core))
            sounds = sorted(table.get(core[i], ()))
            pool = [c for r in sounds for c in by_sound.get(r, []) if c != core[i] and c in COMMON]
            if pool:
                q = core[:i] + rng.choice(sorted(pool)) + core[i + 1 :]
                if not unfair(q, s):
                    found("typo", q, s)
        if len(core) >= 4:
            i = rng.randrange(len(core))
            q = core[:i] + core[i + 1 :]
            if not unfair(q, s):
                found("typo", q, s)
        if len(core) >= 3:
            # inside the name: a character after it reads as the start of an address
            # (南阳路小区), which is answered as a road, not as a typo
            i = rng.randrange(1, len(core))
            q = core[:i] + rng.choice("的了大小") + core[i:]
            if not unfair(q, s):
                found("typo", q, s)
    # one wrong character that does not sound the same, in names of four or more: the tool
    # declines these (a different road is often one character away: 紫荆山北路/南路), so
    # they count as safe misses; the threshold sweep shows what accepting them would cost
    common = sorted(COMMON)
    long_names = [s for s in served if len(s.short) >= 4]
    for s in rng.sample(long_names, min(25, len(long_names))):
        core = s.short
        i = rng.randrange(len(core))
        pool = [
            c
            for c in common
            if c != core[i] and not (table.get(c, set()) & table.get(core[i], set()))
        ]
        q = core[:i] + rng.choice(pool) + core[i + 1 :]
        if not unfair(q, s):
            found("typo", q, s)
    # roads that share a subdistrict's name, with a house number, a compound or a crossing:
    # the sub-bureau of the same-named subdistrict, never its station (SPEC, issue 3)
    roads = [s for s in served if s.short.endswith(("路", "街"))]
    for s in roads:
        n = rng.randint(1, 300)
        rows.append(("road-address", f"{s.short}{n}号", "partial", "", s.sub_bureau))
        rows.append(
            ("road-address", f"郑州市{s.district}{s.short}{n}号院", "partial", "", s.sub_bureau)
        )
    for s in rng.sample(roads, 15):
        rows.append(("road-address", f"{s.short}与某某路交叉口", "partial", "", s.sub_bureau))
    for s in outside:
        rows.append(("outside", s.name, "outside", "", ""))
    rows.extend(HAND)
    seen: set[str] = set()
    out = ["category\tquery\tstatus\tstation\tsub_bureau"]
    for cat, q, status, station, bureau in rows:
        if q in seen:
            continue
        seen.add(q)
        out.append("\t".join([cat, q, status, station or "", bureau or ""]))
    (HERE / "queries.tsv").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {len(out) - 1} queries")
    return 0


def _distance1(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


# The 3,500 characters of the 通用规范汉字表 first tier would be ideal; absent that, typos use
# characters from the dataset's own names and common place-name characters, so that the
# substitutions are ones a person would plausibly type.
COMMON = set(
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感"
    "华化花话画划滑桦骅铧路鹿露陆录禄街接节杰洁结阶皆捷德得湖胡虎互户护沪壶河和合何荷禾贺鹤阳杨洋羊扬仰养样央路庙妙苗描秒村存寸新心欣辛星兴杏城成程承诚乘呈晨沉陈臣建见件坚健剑渐箭江将姜疆讲奖降酱金今斤津紧近进劲京经精井景静境敬镜竞"
)


if __name__ == "__main__":
    raise SystemExit(main())
