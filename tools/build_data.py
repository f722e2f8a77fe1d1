"""Regenerate data/units.yaml and data/streets.yaml from the sources in sources/.

Run:  pip install -e '.[build-data]' && python tools/build_data.py [--reference DIR] [--out DIR]

Every fact written comes from a source listed in SOURCES below, or from a rule SPEC.md states
(and the record says which). Curated facts live in the tables of this file, each with its
source id; the 207 subdistricts and townships come row by row from zhengzhou-townships.csv.
pypinyin is used here only, never at query time.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = ROOT / "sources"

EDITION = "2020-10-20"

SOURCES = [
    {
        "id": "reform-2020",
        "title": "最新公安改革 (警视在线, reprinted from 澎湃新闻)",
        "date": "2020-10-21",
        "url": "http://jingsw.com/news/show-3181.html",
        "file": "sources/seed-article.md",
    },
    {
        "id": "nbs-2020",
        "title": "国家统计局 2020年统计用区划代码和城乡划分代码 (data as of 2020-06-30)",
        "date": "2020-11-06",
        "url": "https://github.com/modood/Administrative-divisions-of-China (commit 78b6f36)",
        "file": "sources/zhengzhou-townships.csv",
    },
    {
        "id": "nbs-editions",
        "title": "Differences between NBS editions 2019-2023 (modood crawls)",
        "date": "2023",
        "url": "https://github.com/modood/Administrative-divisions-of-China",
        "file": "sources/SOURCES.md",
    },
    {
        "id": "zhengdong",
        "title": "Units run by 郑东新区, coded under other districts",
        "date": "",
        "url": "",
        "file": "sources/zhengdong.md",
    },
    {
        "id": "baisha-2014",
        "title": "白沙镇 2014年年初正式划归郑东新区管辖",
        "date": "",
        "url": "w.sf024.com/info/535658435.html",
        "file": "sources/zhengdong.md",
    },
    {
        "id": "news-nanyanglu",
        "title": "河南法治报 2025-05-21 p.04: 郑州市公安局金水分局南阳路派出所",
        "date": "2025-05-21",
        "url": "http://epaper.hnfzb.com:8080/epaper/uniflows/hnfzb/2025/05/21/04/04_49.htm",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-huizhan",
        "title": "郑州晚报 via 河南热线 2023-01-11: 郑东新区分局会展中心派出所",
        "date": "2023-01-11",
        "url": "http://zhengzhou.henanrexian.com.cn/zhengzhou/2023/0111/182244.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-dongzhan",
        "title": "东方今报 via jinbw.com.cn 2021-07-31: 郑州东站派出所所长",
        "date": "2021-07-31",
        "url": "http://www.jinbw.com.cn/a/20210731/n_1627686177226968.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-duling",
        "title": "郑州日报 e-paper p.05 (undated, after 2020-08): 市公安局金水分局杜岭派出所",
        "date": "",
        "url": "https://dzb.zzrbnews.com/news/20813.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-ccepi-2025",
        "title": "ccepi.cn 2025-08-09 (an aggregator site): 金水分局丰庆路派出所, 高新区分局枫杨派出所",
        "date": "2025-08-09",
        "url": "http://www.ccepi.cn/ccep/2025/0809/60872.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-jingbalu",
        "title": "网易 (undated, about 2025-12): 郑州市公安局金水分局经八路派出所",
        "date": "",
        "url": "https://www.163.com/dy/article/KKUBT2Q60550B6IS.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-fenghuangtai",
        "title": "郑州日报 e-paper p.05 (February 2025 or 2026): 凤凰台派出所 (sub-bureau not stated)",
        "date": "",
        "url": "https://dzb.zzrbnews.com/news/74868.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-xidajie",
        "title": "大河报 via 顶端新闻 (undated): 管城区西大街街道…联合西大街派出所 (sub-bureau not stated)",
        "date": "",
        "url": "https://m.dingxinwen.cn/detail/475E83B648BA4C74BB65973F989603",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-shuishang",
        "title": "河南商报 mirror in traditional characters (2021, low trust): 鄭東新區公安分局……水上派出所所長",
        "date": "2021",
        "url": "http://www.torchshop.cn/news/show-39460.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "jichenglu-2025",
        "title": "郑东新区管委会社会事业局 notice 2025-05-29: 郑东新区祭城路街道办事处",
        "date": "2025-05-29",
        "url": "https://www.zhengguannews.cn/zghnews/334296.html",
        "file": "sources/zhengdong.md",
    },
    {
        "id": "jichenglu-2019",
        "title": "中原网 2019-03-07: 郑东新区祭城路街道办事处",
        "date": "2019-03-07",
        "url": "https://news.zynews.cn/2019-03/07/content_11707885.htm",
        "file": "sources/zhengdong.md",
    },
    {
        "id": "nbs-2020-villages",
        "title": "国家统计局 2020年统计用区划代码和城乡划分代码: 居民委员会 and 村民委员会 of 郑州市",
        "date": "2020-11-06",
        "url": "https://github.com/modood/Administrative-divisions-of-China (commit 78b6f36, dist/villages.csv)",
        "file": "sources/zhengzhou-communities.csv",
    },
    {
        "id": "metro-2025",
        "title": "Zhengzhou metro stations and lines (metromancn/MetroMapOpenMiniProgram, src/data/zz.js, MIT)",
        "date": "2025-01-23",
        "url": "https://github.com/metromancn/MetroMapOpenMiniProgram (commit 087310a)",
        "file": "sources/zhengzhou-metro-stations.csv",
    },
    {
        "id": "zhengzhou-station",
        "title": "郑州站: in 二七区, between 一马路 and 京广快速路 (mirror of the Wikipedia article); its 东广场 and 西广场",
        "date": "",
        "url": "https://wikis.tw/%E9%83%91%E5%B7%9E%E7%AB%99",
        "file": "sources/places.md",
    },
    {
        "id": "news-chaofenglu",
        "title": "大象新闻 via 中华网河南 2022-02-10: 郑州市公安局经开分局朝凤路派出所",
        "date": "2022-02-10",
        "url": "https://henan.china.com/news/dsxy/2022/0210/2530246443.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-dongzhan-2023",
        "title": "中原网 report, copied (2023-04-24, date from the URL): 郑州市公安局郑东新区分局东站派出所",
        "date": "2023-04-24",
        "url": "http://www.fangzhi.nfhot.net/gd/2023/0424/11253.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-liuzhai",
        "title": "正观新闻·郑州晚报, undated mirror in traditional characters (low trust): 惠济分局刘寨派出所",
        "date": "",
        "url": "http://www.ansshj.com/news/299034",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "news-wenhualu",
        "title": "河南商报, undated mirror in traditional characters (low trust): 金水分局文化路派出所",
        "date": "",
        "url": "https://sqyf168.com/news/show-32337.html",
        "file": "sources/zhengzhou-stations-found.csv",
    },
    {
        "id": "zhengxu-xuchang",
        "title": "郑许市域铁路 许昌段: 11 stations in 许昌市 (长葛市, 建安区), from 双庙李 to 许昌东",
        "date": "2021-07-16",
        "url": "http://www.ettaleb.com/henan/yhzx/2021/0716/558928.html",
        "file": "sources/places.md",
    },
    {
        "id": "former-names",
        "title": "Former and office names of urban subdistricts, each row with its page and quote",
        "date": "",
        "url": "",
        "file": "sources/former-names.csv",
    },
    {
        "id": "rule",
        "title": "naming rule (SPEC): short name of the subdistrict or township + 派出所",
        "date": "",
        "url": "",
        "file": "README.md",
    },
]

DEPARTMENTS = [
    "政治处",
    "纪委",
    "情报指挥中心",
    "警务保障室",
    "法制大队",
    "政治安全保卫大队",
    "刑事侦查大队",
    "治安管理大队",
    "经济犯罪侦查大队",
    "出入境管理大队",
    "巡特警大队",
    "网络安全保卫大队",
    "禁毒大队",
    "食药环犯罪侦查大队",
]

TEAMS = [
    {
        "name": "社区警务队",
        "role": "community policing",
        "duties": "采集基础信息、管理实有人口、组织安全防范、强化治安管理、化解矛盾纠纷、服务辖区群众;"
        "以社区警务室为前沿阵地;工作日就近就地处置本社区纠纷求助警情;本社区案件警情必到现场协助",
    },
    {
        "name": "案件办理队",
        "role": "case handling",
        "duties": "处置辖区案件警情的接处警;办理辖区内行政案件和治安部门管辖的刑事案件;参与巡逻防控、治安防范和管理",
    },
    {
        "name": "综合指挥室",
        "role": "command room",
        "duties": "统筹指挥案件办理队、社区警务队开展接处警、打击办案、巡逻防控、基础管控、服务群众",
    },
]

# District or zone (as coded in nbs-2020, plus 郑东新区 which has no code) -> its sub-bureau.
# aliases: the short forms people write (rule: drop 区/县/市 and the 回族 qualifier; the
# zones' usual short forms as SPEC and the issues write them).
DISTRICTS = [
    ("中原区", "410102", "district", ["中原"], "中原分局"),
    ("二七区", "410103", "district", ["二七"], "二七分局"),
    ("管城回族区", "410104", "district", ["管城区", "管城"], "管城分局"),
    ("金水区", "410105", "district", ["金水"], "金水分局"),
    ("上街区", "410106", "district", ["上街"], None),
    ("惠济区", "410108", "district", ["惠济"], "惠济分局"),
    ("中牟县", "410122", "county", ["中牟"], None),
    (
        "郑州经济技术开发区",
        "410171",
        "zone",
        ["经济技术开发区", "郑州经开区", "经济开发区", "郑州经济开发区", "经开区", "经开"],
        "经开分局",
    ),
    (
        "郑州高新技术产业开发区",
        "410172",
        "zone",
        [
            "高新技术产业开发区",
            "郑州高新技术开发区",
            "高新技术开发区",
            "郑州高新开发区",
            "高新开发区",
            "郑州高新区",
            "高新区",
            "高新",
        ],
        "高新分局",
    ),
    (
        "郑州航空港经济综合实验区",
        "410173",
        "zone",
        [
            "航空港经济综合实验区",
            "郑州航空港实验区",
            "航空港实验区",
            "郑州航空港区",
            "航空港区",
            "郑州港区",
            "港区",
            "航空港",
        ],
        None,
    ),
    ("巩义市", "410181", "county-city", ["巩义"], None),
    ("荥阳市", "410182", "county-city", ["荥阳"], None),
    ("新密市", "410183", "county-city", ["新密"], None),
    ("新郑市", "410184", "county-city", ["新郑"], None),
    ("登封市", "410185", "county-city", ["登封"], None),
    ("郑东新区", None, "zone", ["郑州郑东新区", "郑东"], "郑东分局"),
]
# The districts whose territory a zone's units lie on (zhengdong.md, "The development zones
# and the districts whose territory they lie on"): a unit of the zone agrees with these
# districts written beside it. 航空港区's is not recorded in any source found.
ZONE_LIES_ON = {
    "郑州高新技术产业开发区": ["中原区"],
    "郑州经济技术开发区": ["管城回族区", "中牟县"],
    "郑东新区": ["金水区", "管城回族区", "中牟县"],
}

# The 11 sub-bureaus of reform-2020, in the report's order.
# (short name, full name, other names, kind, area, address)
SUB_BUREAUS = [
    ("金水分局", "郑州市公安局金水分局", [], "territorial", ["金水区"], None),
    ("二七分局", "郑州市公安局二七分局", [], "territorial", ["二七区"], "郑州市二七区淮南街7号"),
    ("中原分局", "郑州市公安局中原分局", [], "territorial", ["中原区"], None),
    ("管城分局", "郑州市公安局管城分局", ["管城回族区分局"], "territorial", ["管城回族区"], None),
    ("惠济分局", "郑州市公安局惠济分局", [], "territorial", ["惠济区"], None),
    (
        "郑东分局",
        "郑州市公安局郑东分局",
        ["郑东新区分局", "郑东新区公安分局"],
        "territorial",
        ["郑东新区"],
        None,
    ),
    (
        "高新分局",
        "郑州市公安局高新技术产业开发区分局",
        ["高新技术产业开发区分局", "高新区分局"],
        "territorial",
        ["郑州高新技术产业开发区"],
        None,
    ),
    (
        "经开分局",
        "郑州市公安局经济技术开发区分局",
        ["经济技术开发区分局", "经开区分局"],
        "territorial",
        ["郑州经济技术开发区"],
        None,
    ),
    ("火车站分局", "郑州市公安局火车站分局", [], "special", ["railway station area"], None),
    ("地铁分局", "郑州市公安局地铁分局", [], "special", ["metro"], None),
    ("水上分局", "郑州市公安局水上分局", [], "special", ["waters"], None),
]

# The 16 stations of 二七分局, in the report's order (reform-2020).
ERQI_STATIONS = "马寨 侯寨 大学路 五里堡 一马路 解放路 德化街 铭功路 建中街 福华街 蜜蜂张 淮河路 嵩山路 长江路 京广路 人和路".split()

# Units run by 郑东新区 (zhengdong.md): code -> (basis, source ids, verified, note).
# basis: zone-code (the 560-599 code rule), source (a cited page), count (the zone says it runs
# twelve units and these are the last two of exactly twelve candidates; no page names them).
COUNT_NOTE = (
    "zhengdong.md: no page names it as run by 郑东新区; the zone says it runs 12 乡(镇)办 and "
    "this is one of exactly twelve candidates, so 郑东分局 is assumed, unverified"
)
ZHENGDONG_UNITS = {
    "410105560": ("zone-code", "zhengdong", True, None),
    "410105561": ("zone-code", "zhengdong", True, None),
    "410105562": ("zone-code", "zhengdong", True, None),
    "410105563": ("zone-code", "zhengdong", True, None),
    "410105564": ("zone-code", "zhengdong", True, None),
    "410104570": ("zone-code", "zhengdong", True, None),
    "410122570": ("zone-code", "zhengdong", True, None),
    "410122571": ("zone-code", "zhengdong", True, None),
    "410122105": ("source", "baisha-2014", True, None),
    "410105015": ("source", "jichenglu-2025; jichenglu-2019", True, None),  # 祭城路街道
    "410105014": ("count", "zhengdong", False, COUNT_NOTE),  # 龙子湖街道
    "410104202": ("count", "zhengdong", False, COUNT_NOTE),  # 圃田乡
}

# Stations that a news source names (zhengzhou-stations-found.csv) -> source id. Each of the
# territorial ones is named exactly as the rule predicts; where the source does not state
# the sub-bureau, the station's sub-bureau follows from its subdistrict's district.
NEWS_STATIONS = {
    "南阳路派出所": "news-nanyanglu",
    "杜岭派出所": "news-duling",
    "丰庆路派出所": "news-ccepi-2025",
    "枫杨派出所": "news-ccepi-2025",
    "经八路派出所": "news-jingbalu",
    "凤凰台派出所": "news-fenghuangtai",
    "西大街派出所": "news-xidajie",
    "刘寨派出所": "news-liuzhai",
    "文化路派出所": "news-wenhualu",
}
NO_BUREAU_NOTE = (
    "the source names the station but not its sub-bureau; the sub-bureau follows from the "
    "district of the subdistrict it is named after"
)
# Stations named after a place, not a subdistrict: (sub-bureau, station, source id).
PLACE_STATIONS = [
    ("郑东分局", "会展中心派出所", "news-huizhan"),
    ("郑东分局", "郑州东站派出所", "news-dongzhan"),
    ("郑东分局", "水上派出所", "news-shuishang"),
    ("经开分局", "朝凤路派出所", "news-chaofenglu"),
]
# Names a source writes that probably mean a recorded station (no page says they are the
# same unit): written name -> (station, source id, note). Answered with verified false.
PROBABLE_STATION_NAMES = {
    "东站派出所": (
        "郑州东站派出所",
        "news-dongzhan-2023",
        "a 2023 report names 郑东新区分局东站派出所: probably 郑州东站派出所 under a shorter name, "
        "but no page says so; the railway police (郑州铁路公安处) also have a station that "
        "reports call 郑州东站派出所",
    ),
}

# Names of a unit in other NBS editions (SOURCES.md, "Differences between editions").
# code -> list of (name, relation, note)
OTHER_NAMES = {
    "410104003": [
        ("南关街道", "former", "2019 edition name (410104003), renamed 南关街街道 in 2020")
    ],
    "410104011": [
        (
            "南曹乡",
            "former-split",
            "2019 edition 南曹乡 (410104201) was replaced in 2020 by 南曹街道 and 金岱街道",
        )
    ],
    "410104012": [
        (
            "南曹乡",
            "former-split",
            "2019 edition 南曹乡 (410104201) was replaced in 2020 by 南曹街道 and 金岱街道",
        )
    ],
    "410183401": [("伏羲山风景区管理委员会", "later", "2021 edition name")],
    "410185102": [("卢店街道", "later", "2021 edition: 卢店镇 became 卢店街道 (410185004)")],
    "410122110": [("大孟街道", "later", "2022 edition: 大孟镇 became 大孟街道 (410122004)")],
}

# Readings checked by hand against pypinyin's (name core -> (readings, reason)).
# Every other core was read through: pypinyin's phrase reading is the usual one.
READINGS = {
    "商都路": (["shangdulu"], "都 in 商都 (the Shang capital) is dū; pypinyin reads shangdou"),
    "石佛": (["shifo"], "佛 is fó (Buddha) in this name; pypinyin reads shifu"),
    "五里堡": (
        ["wulibao", "wulibu", "wulipu"],
        "堡 in place names is read bǔ or pù besides bǎo; which one is local is not sourced, all are indexed",
    ),
    "祭城路": (
        ["jichenglu", "zhaichenglu"],
        "祭城 is named after the ancient state 祭 (Zhài); jì is the common reading; both indexed",
    ),
    "大隗": (
        ["dakui", "dawei"],
        "隗 is kuí or wěi (as a name); which one the town uses is not sourced, both indexed",
    ),
}

SUFFIX_RE = re.compile(r"(街道|回族乡|镇|乡)$")


def short_name(name: str) -> str:
    """The core of an official name: the zone prefix and the kind suffix removed."""
    core = name.removeprefix("郑州经济技术开发区")
    if core.endswith("管理委员会"):
        return core.removesuffix("管理委员会")
    if core == "送表矿区":
        return core
    return SUFFIX_RE.sub("", core)


def readings_of(core: str) -> tuple[list[str], str | None]:
    from pypinyin import lazy_pinyin

    if core in READINGS:
        readings, reason = READINGS[core]
        return list(readings), reason
    return ["".join(lazy_pinyin(core))], None


def read_townships(reference: Path) -> list[dict[str, str]]:
    with open(reference / "zhengzhou-townships.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 207:
        sys.exit(f"expected 207 rows in zhengzhou-townships.csv, found {len(rows)}")
    return rows


def read_former_names(reference: Path, codes: dict[str, str]) -> dict[str, list[tuple]]:
    """sources/former-names.csv -> code -> [(name, relation, note)]: names listings still
    write for a unit (a former town it grew out of, a former town divided among several
    units, or the office's name as listings write it), each row with its page."""
    with open(reference / "former-names.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    successors: dict[str, list[str]] = {}
    for r in rows:
        if codes.get(r["current_code"]) != r["current"]:
            sys.exit(f"former-names.csv: {r['current']} is not {r['current_code']}")
        successors.setdefault(r["former"], []).append(r["current"])
    out: dict[str, list[tuple]] = {}
    for r in rows:
        former, current = r["former"], r["current"]
        cite = f"{r['publisher'] or 'page'}, {r['date']}: {r['url']}"
        if r["relation"] == "split":
            if len(successors[former]) < 2:
                sys.exit(f"former-names.csv: {former} is split but has one successor")
            relation = "former-split"
            note = f"{former} was divided among {'、'.join(successors[former])} ({cite})"
        elif r["relation"] == "office":
            relation = "office"
            note = f"how listings write the office of {current} ({cite})"
        elif r["relation"] == "former":
            if len(successors[former]) != 1:
                sys.exit(f"former-names.csv: {former} has several successors but is not split")
            relation = "former"
            note = f"{current} grew out of it ({cite})"
        else:
            sys.exit(f"former-names.csv: unknown relation {r['relation']}")
        out.setdefault(r["current_code"], []).append((former, relation, note))
    return out


def read_found_stations(reference: Path) -> dict[str, dict[str, str]]:
    """station name -> its row (sub_bureau may be empty: not stated by the source)."""
    with open(reference / "zhengzhou-stations-found.csv", encoding="utf-8", newline="") as f:
        return {r["station"]: r for r in csv.DictReader(f)}


def build(reference: Path) -> tuple[dict, list[dict]]:
    rows = read_townships(reference)
    found = read_found_stations(reference)
    formers = read_former_names(reference, {r["code"]: r["name"] for r in rows})
    district_bureau = {d[0]: d[4] for d in DISTRICTS}
    bureau_aliases = {b[0]: b[2] for b in SUB_BUREAUS}

    def sourced(bureau: str, station: str) -> bool:
        """The found list names this station, under this sub-bureau or under none."""
        row = found.get(station)
        if row is None:
            return False
        stated = row["sub_bureau"]
        if stated and stated not in {bureau, *bureau_aliases[bureau]}:
            sys.exit(f"{station}: the source says {stated}, the rule gives {bureau}")
        return True

    stations: dict[str, list[dict]] = {b[0]: [] for b in SUB_BUREAUS}
    streets: list[dict] = []
    used: set[str] = set()
    for row in rows:
        code, name, district = row["code"], row["name"], row["district_name"]
        core = short_name(name)
        bureau = district_bureau[district]
        basis = "district"
        verified = True
        source = "nbs-2020"
        note = None
        if code in ZHENGDONG_UNITS:
            bureau = "郑东分局"
            basis, basis_source, verified, note = ZHENGDONG_UNITS[code]
            source = f"nbs-2020; {basis_source}"
        station = None
        if bureau is None:
            basis = "outside"
        else:
            station = core + "派出所"
            record = {"name": station}
            if bureau == "二七分局":
                record["source"] = "reform-2020"
            elif sourced(bureau, station):
                if station not in NEWS_STATIONS:
                    sys.exit(f"{station} is in zhengzhou-stations-found.csv without a source id")
                record["source"] = NEWS_STATIONS[station]
                if not found[station]["sub_bureau"]:
                    record["note"] = NO_BUREAU_NOTE
                used.add(station)
            else:
                record["source"] = "rule"
            stations[bureau].append(record)
        readings, reason = readings_of(core)
        entry: dict = {
            "name": name,
            "code": code,
            "district": district,
            "kind": row["kind"],
            "short": core,
            "station": station,
            "basis": basis,
            "verified": verified,
            "pinyin": readings,
        }
        if reason:
            entry["pinyin_note"] = reason
        others = [*OTHER_NAMES.get(code, []), *formers.get(code, [])]
        if code in formers:
            source += "; former-names"
        if others:
            entry["other_names"] = [{"name": n, "relation": r, "note": t} for n, r, t in others]
        if note:
            entry["note"] = note
        entry["source"] = source
        streets.append(entry)

    # 二七分局's stations in the report's order, exactly.
    erqi = {s["name"]: s for s in stations["二七分局"]}
    expected = [n + "派出所" for n in ERQI_STATIONS]
    if sorted(erqi) != sorted(expected):
        sys.exit(f"二七 stations differ from the report: {sorted(erqi)} vs {sorted(expected)}")
    stations["二七分局"] = [erqi[n] for n in expected]
    for bureau, station, source in PLACE_STATIONS:
        if not sourced(bureau, station):
            sys.exit(f"{station} of {bureau} is not in zhengzhou-stations-found.csv")
        record = {"name": station, "kind": "place", "source": source}
        if found[station]["note"]:
            record["note"] = found[station]["note"]
        others = [
            {"name": written, "relation": "probable", "note": note}
            for written, (target, _, note) in PROBABLE_STATION_NAMES.items()
            if target == station
        ]
        for written, (target, other_source, _) in PROBABLE_STATION_NAMES.items():
            if target == station:
                if written not in found:
                    sys.exit(f"{written} is not in zhengzhou-stations-found.csv")
                record["source"] += f"; {other_source}"
                used.add(written)
        if others:
            record["other_names"] = others
        stations[bureau].append(record)
        used.add(station)
    unused = sorted(set(found) - used)
    if unused:
        sys.exit(f"stations in zhengzhou-stations-found.csv not recorded: {unused}")

    units = {
        "edition": EDITION,
        "sources": SOURCES,
        "city_bureau": {
            "name": "郑州市公安局",
            "reform_date": EDITION,
            "levels": "city bureau → sub-bureau → station (three levels, restored 2020-10-20)",
            "abolished_units": 29,
            "sub_bureaus_announced": 11,
            "stations_announced": 112,
            "principle": "一区一分局、一街道(乡镇)一派出所",
            "source": "reform-2020",
        },
        "departments": {
            "per_sub_bureau": "8–14, set up as needed; which ones each sub-bureau has is not published",
            "names": DEPARTMENTS,
            "source": "reform-2020",
        },
        "teams": {
            "structure": "两队一室",
            "joint_duty": "三警联勤: 社区民警、案件办理民警、综合指挥民警各司其职又分工协作",
            "list": TEAMS,
            "source": "reform-2020",
        },
        "districts": [
            {
                "name": name,
                "code": code,
                "kind": kind,
                "aliases": aliases,
                "pinyin": district_readings(aliases[-1]),
                "sub_bureau": bureau,
                **({"lies_on": ZONE_LIES_ON[name]} if name in ZONE_LIES_ON else {}),
                "source": "nbs-2020"
                if code and name not in ZONE_LIES_ON
                else "nbs-2020; zhengdong",
            }
            for name, code, kind, aliases, bureau in DISTRICTS
        ],
        "sub_bureaus": [
            {
                "name": short,
                "full_name": full,
                "aliases": aliases,
                "pinyin": district_readings(short.removesuffix("分局")),
                "kind": kind,
                "area": area,
                **({"address": address} if address else {}),
                "established": EDITION,
                "source": "reform-2020",
                "stations": stations[short],
            }
            for short, full, aliases, kind, area, address in SUB_BUREAUS
        ],
    }
    return units, streets


# --- communities and villages (zhengzhou-communities.csv) -------------------------------------

# The office suffixes NBS prints, longest first, with the kind each marks: the same table the
# index derives the forms people write from (one rule, one place).
sys.path.insert(0, str(ROOT / "src"))
from jurisdiction.index import COMMUNITY_SUFFIXES as OFFICE_SUFFIXES  # noqa: E402


def community_kind(name: str) -> str:
    for suffix, kind in OFFICE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind
    sys.exit(f"community {name}: no office suffix known")


def read_communities(reference: Path, street_codes: set[str]) -> list[dict]:
    with open(reference / "zhengzhou-communities.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 3140:
        sys.exit(f"expected 3140 rows in zhengzhou-communities.csv, found {len(rows)}")
    out = []
    for r in rows:
        if r["street_code"] not in street_codes or r["code"][:9] != r["street_code"]:
            sys.exit(f"community {r['code']} {r['name']}: street {r['street_code']} unknown")
        out.append(
            {
                "name": r["name"],
                "code": r["code"],
                "street": r["street_code"],
                "kind": community_kind(r["name"]),
            }
        )
    return out


# --- named places ---------------------------------------------------------------------------


# The stations of the 郑许线 that lie in 许昌市, not 郑州市 (sources/places.md): its 许昌段 has
# 11 stations (河南商报, 2021-07-16), from 许昌东 north through 建安区 and 长葛市 to the border;
# they are the line's 11 southernmost stations in the source's order, all south of 34.31°N,
# where 八千 (航空港区八千乡, in 郑州市) lies at 34.38°N. The build checks both facts.
XUCHANG_STATIONS = [
    "双庙李",
    "大周",
    "颍川路",
    "葛天源",
    "永和路",
    "农大路",
    "体育中心",
    "电气谷",
    "芙蓉湖",
    "鹿鸣湖",
    "许昌东",
]
XUCHANG_NOTE = (
    "on the 郑许线's 许昌段, in 许昌市: outside 郑州市, so not a station 郑州's 地铁分局 is known "
    "to police; which police serve it is not in any source found"
)


def read_metro(reference: Path) -> list[dict]:
    with open(reference / "zhengzhou-metro-stations.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 235:
        sys.exit(f"expected 235 rows in zhengzhou-metro-stations.csv, found {len(rows)}")
    zx = [r for r in rows if r["lines"] == "郑许线"]
    south = [r["station"] for r in zx[-len(XUCHANG_STATIONS) :]]
    if south != XUCHANG_STATIONS or any(float(r["lat_gcj02"]) > 34.31 for r in zx[-11:]):
        sys.exit(f"the 郑许线's 许昌段 is not its 11 southernmost stations: {south}")
    if min(float(r["lat_gcj02"]) for r in zx[:-11]) < 34.35:
        sys.exit("a 郑许线 station north of the 许昌段 lies south of 34.35°N")
    out = []
    for r in rows:
        place = {"name": r["station"], "kind": "metro-station"}
        if r["station"] in XUCHANG_STATIONS:
            place["outside"] = "许昌市"
            place["lines"] = r["lines"].split("|")
            place["source"] = "metro-2025; zhengxu-xuchang"
            place["note"] = XUCHANG_NOTE
        else:
            place["sub_bureau"] = "地铁分局"
            place["lines"] = r["lines"].split("|")
            place["source"] = "metro-2025; reform-2020"
        out.append(place)
    return out


# Places that answer for a station or sub-bureau, each with its source (sources/places.md).
PLACES = [
    {
        "name": "郑州站",
        "kind": "railway-station",
        "sub_bureau": "火车站分局",
        "aliases": [
            "郑州火车站",
            "郑州站东广场",
            "郑州站西广场",
            "郑州火车站东广场",
            "郑州火车站西广场",
        ],
        "source": "reform-2020; zhengzhou-station",
        "note": "火车站分局 polices the railway station area; which of its stations serves it is not published",
    },
    {
        "name": "郑州东站",
        "kind": "railway-station",
        "station": "郑州东站派出所",
        "source": "news-dongzhan",
    },
    {
        "name": "会展中心",
        "kind": "landmark",
        "station": "会展中心派出所",
        "aliases": ["郑州国际会展中心", "国际会展中心"],
        "source": "news-huizhan",
    },
]


# --- landmarks (issue 15) --------------------------------------------------------------------

# How sources/landmarks.csv writes an area -> the dataset's district or zone.
LANDMARK_AREAS = {
    "中原区": "中原区",
    "二七区": "二七区",
    "管城回族区": "管城回族区",
    "金水区": "金水区",
    "惠济区": "惠济区",
    "上街区": "上街区",
    "郑东新区": "郑东新区",
    "高新区": "郑州高新技术产业开发区",
    "经开区": "郑州经济技术开发区",
    "航空港区": "郑州航空港经济综合实验区",
    "中牟县": "中牟县",
    "巩义市": "巩义市",
    "荥阳市": "荥阳市",
    "新密市": "新密市",
    "新郑市": "新郑市",
    "登封市": "登封市",
}
# Words that are no one place's name: an other name that is only one of these is dropped.
GENERIC = {
    "广场",
    "公园",
    "医院",
    "大学",
    "学院",
    "中学",
    "体育馆",
    "体育场",
    "图书馆",
    "博物馆",
    "火车站",
    "汽车站",
    "客运站",
    "机场",
    "商场",
    "市场",
    "万达",
    "万达广场",
    "正弘",
    "丹尼斯",
    "大商",
    "东区",
    "西区",
    "南区",
    "北区",
    "新校区",
    "老校区",
    "主校区",
    "本部",
    "总院",
    "分院",
    "新馆",
    "老馆",
    "政府",
    "管委会",
    "人民医院",
    "中医院",
    "儿童医院",
    "植物园",
    "动物园",
    "游乐园",
    "湿地公园",
    "森林公园",
    "奥体中心",
    "会展中心",
    "购物中心",
}


def landmark_kinds() -> set[str]:
    """The kinds the loader accepts (one list: jurisdiction.dataset.LANDMARK_KINDS)."""
    sys.path.insert(0, str(ROOT / "src"))
    from jurisdiction.dataset import LANDMARK_KINDS

    return LANDMARK_KINDS


def taken_keys(units: dict, streets: list[dict], communities: list[dict], places: list[dict]):
    """The normalised names the rest of the dataset already answers to (streets, districts,
    sub-bureaus, communities, places other than a metro station's bare name): a landmark
    never takes one of them (an other name is dropped; a landmark's own name drops the row)."""
    sys.path.insert(0, str(ROOT / "src"))
    import tempfile

    from jurisdiction.dataset import parse_dataset
    from jurisdiction.index import dataset_entries

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        (out / "units.yaml").write_text(dump(units, ""), encoding="utf-8")
        (out / "streets.yaml").write_text(dump(streets, ""), encoding="utf-8")
        (out / "communities.yaml").write_text(dump(communities, ""), encoding="utf-8")
        (out / "places.yaml").write_text(dump(places, ""), encoding="utf-8")
        ds = parse_dataset(out)
    return ds, {
        key
        for key, hit, _ in dataset_entries(ds)
        if hit.tier not in ("metro-bare", "pinyin", "initials")
    }


def read_landmarks(reference: Path, ds, taken: set[str]) -> tuple[list[dict], list[str]]:
    """sources/landmarks.csv -> the entries of data/landmarks.yaml, and what was left out
    and why. A row's area decides its district or zone; its subdistrict is kept only when the
    page states it and it names a unit of that district or zone. An other name that two rows
    share becomes a group name of both (二七万达 is one branch; 万达 would be every one)."""
    from pypinyin import lazy_pinyin

    sys.path.insert(0, str(ROOT / "src"))
    from jurisdiction.normalize import normalize

    with open(reference / "landmarks.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    districts = {d.name: d for d in ds.districts}
    shorts = {normalize(s.short) for s in ds.streets}
    left_out: list[str] = []
    names: dict[str, str] = {}
    alias_rows: dict[str, list[str]] = {}
    kept = []
    for r in rows:
        name = r["name"].strip()
        key = normalize(name)
        area = LANDMARK_AREAS.get(r["area"].strip())
        if area is None or area not in districts:
            left_out.append(f"{r['id']} {name}: area '{r['area']}' is not a district or zone")
            continue
        if r["kind"] not in landmark_kinds():
            left_out.append(f"{r['id']} {name}: kind '{r['kind']}'")
            continue
        if not (r["url"].startswith("http") and r["quote"].strip()):
            left_out.append(f"{r['id']} {name}: no page or quote")
            continue
        if key in taken:
            left_out.append(f"{r['id']} {name}: the dataset already answers to this name")
            continue
        if any(ch in "0123456789" for ch in key):
            # the batch memo reads every run of digits as a house number (no name holds one)
            left_out.append(f"{r['id']} {name}: a name with digits")
            continue
        if key in names:
            left_out.append(f"{r['id']} {name}: named twice (first {names[key]})")
            continue
        names[key] = r["id"]
        kept.append(r)
        for a in (x.strip() for x in r["aliases"].split("|")):
            if a:
                alias_rows.setdefault(normalize(a), []).append(r["id"])
    out = []
    for r in kept:
        area = LANDMARK_AREAS[r["area"].strip()]
        d = districts[area]
        aliases, group = [], []
        for a in (x.strip() for x in r["aliases"].split("|")):
            k = normalize(a)
            if not a or a in GENERIC or len(k) < 2 or k == normalize(r["name"]):
                continue
            if any(ch in "0123456789" for ch in k):
                left_out.append(f"{r['id']}: other name {a} holds digits")
                continue
            if k in taken or k in names:
                left_out.append(f"{r['id']}: other name {a} is taken by another place")
                continue
            if any(sh.startswith(k) and sh != k for sh in shorts):
                # 嵩山 would shadow 嵩山路 (a subdistrict's name and a road) in every address
                left_out.append(f"{r['id']}: other name {a} begins a subdistrict's name")
                continue
            (group if len(alias_rows[k]) > 1 else aliases).append(a)
        for g in (x.strip() for x in r["group"].split("|")):
            k = normalize(g)
            digits = any(ch in "0123456789" for ch in k)
            if (
                g
                and g not in GENERIC
                and len(k) >= 2
                and k not in taken
                and k not in names
                and not digits
            ):
                group.append(g)
        entry: dict = {"name": r["name"].strip(), "kind": r["kind"]}
        if aliases:
            entry["aliases"] = list(dict.fromkeys(aliases))
        if group:
            entry["group"] = list(dict.fromkeys(group))
        entry["district"] = area
        street = r["street"].strip()
        if street:
            code = _street_code(ds, street, d)
            if code:
                entry["street"] = code
            else:
                left_out.append(f"{r['id']}: subdistrict {street} is not a unit of {area}: dropped")
        readings = [r["name"].strip(), *aliases]
        entry["pinyin"] = list(
            dict.fromkeys("".join(lazy_pinyin(n)) for n in readings if len(normalize(n)) >= 3)
        )
        entry["verified"] = r["verified"].strip() == "yes"
        source = {"id": r["id"], "url": r["url"].strip()}
        for k in ("date", "publisher"):
            if r[k].strip():
                source[k] = r[k].strip()
        source["quote"] = r["quote"].strip()
        if r["note"].strip():  # what the researcher noted about the page, for a checker
            source["note"] = r["note"].strip()
        entry["source"] = source
        out.append(entry)
    return out, left_out


def _street_code(ds, written: str, d) -> str | None:
    """The code of the unit a page names (京广路街道, 沟赵乡, 龙子湖办事处), if it lies in the
    district or zone d: coded under it, or run by its sub-bureau."""
    for s in ds.streets:
        if s.district != d.name and not (d.sub_bureau and s.sub_bureau == d.sub_bureau):
            continue
        forms = {s.name, s.short + (s.kind or ""), s.short + "街道", s.short + "办事处"}
        if written in forms:
            return s.code
    return None


def district_readings(short: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return ["".join(lazy_pinyin(short))]


class _Dumper(yaml.SafeDumper):
    pass


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, str) for x in data) and sum(len(x) for x in data) < 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dump(data: object, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)
    return header + body


UNITS_HEADER = """\
# The organisation of 郑州市公安局 after the reform of 2020-10-20.
# Generated by tools/build_data.py from sources/; every record names its source
# (ids in `sources`). `source: rule` = named by SPEC's pattern: short name + 派出所.
"""
STREETS_HEADER = """\
# All 207 subdistricts and townships of 郑州市 (NBS 2020 edition) and the station serving each.
# Generated by tools/build_data.py from sources/zhengzhou-townships.csv.
# basis: district (the code's district's sub-bureau), zone-code / source (run by 郑东新区,
# see zhengdong.md), outside (beyond the 11 sub-bureaus' area: station null).
"""


COMMUNITIES_HEADER = """\
# All 3,140 communities (居民委员会) and villages (村民委员会) of 郑州市, NBS 2020 edition.
# Generated by tools/build_data.py from sources/zhengzhou-communities.csv (source nbs-2020-villages).
# street: the code of the subdistrict or township it lies in (streets.yaml). kind: community or
# village, from the office suffix of the name. The forms people write are derived from the name
# by the rule in the README (no office suffix, …社区 / …村, 砦 written 寨).
"""
LANDMARKS_HEADER = """\
# Named places of 郑州 and the district or zone a public page says each lies in (and its
# subdistrict, only where the page says so), built by tools/build_data.py from
# sources/landmarks.csv. The district gives the sub-bureau; it comes from a public page, not
# from the police. Each entry carries its page and the sentence that states the location.
"""
PLACES_HEADER = """\
# Named places and the station or sub-bureau that answers for each (sources/places.md; the
# metro stations from sources/zhengzhou-metro-stations.csv, policed by 地铁分局).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    units, streets = build(args.reference)
    communities = read_communities(args.reference, {s["code"] for s in streets})
    places = PLACES + read_metro(args.reference)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "units.yaml").write_text(dump(units, UNITS_HEADER), encoding="utf-8")
    (args.out / "streets.yaml").write_text(dump(streets, STREETS_HEADER), encoding="utf-8")
    (args.out / "communities.yaml").write_text(
        dump(communities, COMMUNITIES_HEADER), encoding="utf-8"
    )
    (args.out / "places.yaml").write_text(dump(places, PLACES_HEADER), encoding="utf-8")
    ds, taken = taken_keys(units, streets, communities, places)
    landmarks, left_out = read_landmarks(args.reference, ds, taken)
    (args.out / "landmarks.yaml").write_text(dump(landmarks, LANDMARKS_HEADER), encoding="utf-8")
    for line in left_out:
        print(f"landmarks: left out {line}", file=sys.stderr)
    print(
        f"wrote {args.out}: {len(streets)} streets, {len(communities)} communities, "
        f"{len(places)} places, {len(landmarks)} landmarks"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
