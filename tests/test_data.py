"""The shipped dataset itself: pinned counts and invariants. Each check collects every
offender, so a failure lists all bad rows at once."""

from __future__ import annotations

import csv
import re

from jurisdiction.syllables import split_syllables

from conftest import ERQI, REFERENCE, TERRITORIAL_DISTRICTS

SPEC_SUB_BUREAUS = [
    "金水分局",
    "二七分局",
    "中原分局",
    "管城分局",
    "惠济分局",
    "郑东分局",
    "高新分局",
    "经开分局",
    "火车站分局",
    "地铁分局",
    "水上分局",
]
ZHENGDONG_CODES = {
    "410105560",
    "410105561",
    "410105562",
    "410105563",
    "410105564",
    "410104570",
    "410122570",
    "410122571",
    "410122105",
    "410105015",  # 祭城路: cited pages
    "410105014",  # 龙子湖: the zone's count, unverified
    "410104202",  # 圃田: the zone's count, unverified
}


def reference_rows():
    path = REFERENCE / "zhengzhou-townships.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_pinned_counts(dataset):
    assert len(dataset.streets) == 207
    assert len(dataset.sub_bureaus) == 11
    assert len(dataset.stations) == 94
    assert sum(1 for s in dataset.streets if s.station) == 90
    assert sum(1 for s in dataset.streets if s.station is None) == 117


def test_sub_bureaus_are_the_reports_eleven(dataset):
    assert [b.name for b in dataset.sub_bureaus] == SPEC_SUB_BUREAUS
    kinds = {b.name: b.kind for b in dataset.sub_bureaus}
    assert [n for n, k in kinds.items() if k == "special"] == ["火车站分局", "地铁分局", "水上分局"]


def test_erqi_has_exactly_the_reports_sixteen_in_order(dataset):
    erqi = dataset.sub_bureau("二七分局")
    assert list(erqi.stations) == [n + "派出所" for n in ERQI]
    assert erqi.address == "郑州市二七区淮南街7号"
    assert erqi.established == "2020-10-20"
    assert all(dataset.station(n).source == "reform-2020" for n in erqi.stations)


def test_only_erqi_has_an_address(dataset):
    assert [b.name for b in dataset.sub_bureaus if b.address] == ["二七分局"]


def test_special_sub_bureaus_have_no_invented_stations(dataset):
    offenders = [b.name for b in dataset.sub_bureaus if b.kind == "special" and b.stations]
    assert offenders == []


def test_streets_are_the_reference_rows_exactly(dataset):
    rows = reference_rows()
    ours = [(s.code, s.name, s.district, s.kind) for s in dataset.streets]
    theirs = [(r["code"], r["name"], r["district_name"], r["kind"]) for r in rows]
    assert ours == theirs


def test_codes_are_unique_and_well_formed(dataset):
    codes = [s.code for s in dataset.streets]
    bad = [c for c in codes if not re.fullmatch(r"4101\d{5}", c)]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    assert bad == [] and dupes == []


def test_one_street_one_station_both_ways(dataset):
    served: dict[str, list[str]] = {}
    for s in dataset.streets:
        if s.station:
            served.setdefault(s.station, []).append(s.name)
    twice = {k: v for k, v in served.items() if len(v) > 1}
    idle = [
        st.name for st in dataset.stations if st.kind == "territorial" and st.name not in served
    ]
    assert twice == {} and idle == []


def test_no_dangling_station(dataset):
    names = {st.name for st in dataset.stations}
    assert [s.name for s in dataset.streets if s.station and s.station not in names] == []


def test_every_territorial_unit_is_served_and_the_rest_are_outside(dataset):
    wrong = []
    for s in dataset.streets:
        inside = s.district in TERRITORIAL_DISTRICTS or s.code in ZHENGDONG_CODES
        if inside != (s.station is not None):
            wrong.append((s.code, s.name, s.station))
    assert wrong == []


def test_zhengdong_units_belong_to_zhengdong(dataset):
    wrong = [
        (s.code, s.name, s.sub_bureau)
        for s in dataset.streets
        if (s.code in ZHENGDONG_CODES) != (s.sub_bureau == "郑东分局")
    ]
    assert wrong == []
    bases = {s.code: s.basis for s in dataset.streets if s.code in ZHENGDONG_CODES}
    assert bases.pop("410122105") == "source"  # 白沙镇: cited pages
    assert bases.pop("410105015") == "source"  # 祭城路街道: cited pages
    assert bases.pop("410105014") == "count"  # 龙子湖街道
    assert bases.pop("410104202") == "count"  # 圃田乡
    assert set(bases.values()) == {"zone-code"}
    assert len(ZHENGDONG_CODES) == 12  # the zone says it runs 12 乡(镇)办


def test_only_the_zones_count_is_unverified(dataset):
    unverified = {s.name: s.sub_bureau for s in dataset.streets if not s.verified}
    assert unverified == {"龙子湖街道": "郑东分局", "圃田乡": "郑东分局"}
    assert all("twelve" in s.note for s in dataset.streets if not s.verified)
    jicheng = next(s for s in dataset.streets if s.code == "410105015")
    assert jicheng.verified and jicheng.source.startswith(
        "nbs-2020; jichenglu-2025; jichenglu-2019"
    )
    # listings write its office 祭城办事处 (sources/former-names.csv)
    assert ("祭城办事处", "office") in [(n, r) for n, r, _ in jicheng.other_names]


def test_station_names_follow_their_source(dataset):
    by_station = {s.station: s for s in dataset.streets if s.station}
    wrong = []
    for st in dataset.stations:
        if st.kind == "territorial" and by_station[st.name].short + "派出所" != st.name:
            wrong.append(st.name)
        ids = {s["id"] for s in dataset.meta["sources"]}
        for sid in (st.source or "").split("; "):
            if sid not in ids or not (sid in ("reform-2020", "rule") or sid.startswith("news-")):
                wrong.append((st.name, sid))
    assert wrong == []
    news = {
        "南阳路派出所": "news-nanyanglu",
        "杜岭派出所": "news-duling",
        "丰庆路派出所": "news-ccepi-2025",
        "经八路派出所": "news-jingbalu",
        "枫杨派出所": "news-ccepi-2025",
        "凤凰台派出所": "news-fenghuangtai",
        "西大街派出所": "news-xidajie",
        "刘寨派出所": "news-liuzhai",
        "文化路派出所": "news-wenhualu",
    }
    assert {n: dataset.station(n).source for n in news} == news
    places = [(st.name, st.sub_bureau) for st in dataset.stations if st.kind == "place"]
    assert places == [
        ("会展中心派出所", "郑东分局"),
        ("郑州东站派出所", "郑东分局"),
        ("水上派出所", "郑东分局"),
        ("朝凤路派出所", "经开分局"),
    ]
    assert "low trust" in dataset.station("水上派出所").note
    assert "not stated" in dataset.station("朝凤路派出所").note
    # 东站派出所: a probable other name of 郑州东站派出所, never a station of its own
    dongzhan = dataset.station("郑州东站派出所")
    assert [(n, r) for n, r, _ in dongzhan.other_names] == [("东站派出所", "probable")]
    assert "railway police" in dongzhan.other_names[0][2]
    assert dataset.station("东站派出所") is None
    sources = [st.source for st in dataset.stations]
    assert (sources.count("rule"), sources.count("reform-2020")) == (65, 16)


def test_news_stations_are_in_the_found_list(dataset):
    path = REFERENCE / "zhengzhou-stations-found.csv"
    with open(path, encoding="utf-8") as f:
        found = {r["station"] for r in csv.DictReader(f)}
    news = {st.name for st in dataset.stations if (st.source or "").startswith("news-")}
    probable = {n for st in dataset.stations for n, r, _ in st.other_names if r == "probable"}
    assert news | probable == found


def test_station_counts_per_sub_bureau(dataset):
    counts = {b.name: len(b.stations) for b in dataset.sub_bureaus}
    assert counts == {
        "金水分局": 17,
        "二七分局": 16,
        "中原分局": 14,
        "管城分局": 12,
        "惠济分局": 8,
        "郑东分局": 15,
        "高新分局": 5,
        "经开分局": 7,
        "火车站分局": 0,
        "地铁分局": 0,
        "水上分局": 0,
    }


def test_departments_recorded_once_and_teams(dataset):
    deps = dataset.meta["departments"]
    assert len(deps["names"]) == 14 and deps["names"][0] == "政治处"
    assert "not published" in deps["per_sub_bureau"]
    teams = [t["name"] for t in dataset.meta["teams"]["list"]]
    assert teams == ["社区警务队", "案件办理队", "综合指挥室"]


def test_every_reading_splits_into_one_syllable_per_character(dataset):
    bad = []
    for s in dataset.streets:
        if not s.pinyin:
            bad.append((s.name, "no reading"))
        for r in s.pinyin:
            syl = split_syllables(r, len(s.short))
            if syl is None or len(syl) != len(s.short):
                bad.append((s.name, r))
    assert bad == []


def test_checked_readings_are_recorded_with_a_reason(dataset):
    import yaml

    from conftest import DATA

    by_short = {s.short: s for s in dataset.streets}
    assert by_short["商都路"].pinyin == ("shangdulu",)
    assert by_short["石佛"].pinyin == ("shifo",)
    assert set(by_short["五里堡"].pinyin) == {"wulibao", "wulibu", "wulipu"}
    raw = yaml.safe_load((DATA / "streets.yaml").read_text(encoding="utf-8"))
    noted = {r["short"] for r in raw if r.get("pinyin_note")}
    assert noted == {"商都路", "石佛", "五里堡", "祭城路", "大隗"}


def test_former_names_come_from_the_editions_list(dataset):
    others = {(s.name, n, rel) for s in dataset.streets for n, rel, _ in s.other_names}
    assert ("南关街街道", "南关街道", "former") in others
    assert ("南曹街道", "南曹乡", "former-split") in others
    assert ("金岱街道", "南曹乡", "former-split") in others
    assert ("卢店镇", "卢店街道", "later") in others
    assert len(others) == 33


def test_former_names_rows_each_cite_a_page_and_reach_the_data(dataset):
    """sources/former-names.csv (issue 14): every row has its page and quote, names a unit of
    the 2020 edition by code and name, and becomes an other name of that unit; a name
    divided among several units is `split` on every row."""
    with open(REFERENCE / "former-names.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    streets = {s.code: s for s in dataset.streets}
    bad = []
    by_former: dict[str, set[str]] = {}
    for r in rows:
        by_former.setdefault(r["former"], set()).add(r["relation"])
        s = streets.get(r["current_code"])
        if not (r["url"].startswith("http") and r["quote"] and s and s.name == r["current"]):
            bad.append(r["former"])
        elif r["former"] not in {n for n, _, _ in s.other_names}:
            bad.append(r["former"])
    assert bad == []
    assert all(len(v) == 1 for v in by_former.values()), by_former
    assert len(rows) == 27


def test_name_collisions_are_known(dataset):
    """Every short name that two places share; each must come out ambiguous or outside."""
    seen: dict[str, list[str]] = {}
    for s in dataset.streets:
        seen.setdefault(s.short, []).append(s.district)
    shared = {k: v for k, v in seen.items() if len(v) > 1}
    assert sorted(shared) == sorted(
        ["新华路", "城关", "西大街", "东风路", "刘寨", "三官庙", "龙湖"]
    )


# --- communities, villages and named places (issue 9) ---------------------------------------

COMMUNITIES_PER_DISTRICT = {  # sources/SOURCES.md, section 5
    "中原区": 152,
    "二七区": 176,
    "管城回族区": 144,
    "金水区": 272,
    "上街区": 59,
    "惠济区": 84,
    "中牟县": 336,
    "郑州经济技术开发区": 64,
    "郑州高新技术产业开发区": 70,
    "郑州航空港经济综合实验区": 172,
    "巩义市": 320,
    "荥阳市": 314,
    "新密市": 351,
    "新郑市": 283,
    "登封市": 343,
}


def test_communities_pinned_counts(dataset):
    assert len(dataset.communities) == 3140
    street_district = {s.code: s.district for s in dataset.streets}
    per_district: dict[str, int] = {}
    for c in dataset.communities:
        d = street_district[c.street]
        per_district[d] = per_district.get(d, 0) + 1
    assert per_district == COMMUNITIES_PER_DISTRICT
    kinds = [c.kind for c in dataset.communities]
    assert (kinds.count("community"), kinds.count("village")) == (961, 2179)
    served_streets = {s.code for s in dataset.streets if s.station}
    served = [c for c in dataset.communities if c.street in served_streets]
    # the seven territorial districts and zones, and the three 中牟-coded units 郑东 runs
    zhongmu_zhengdong = [
        c
        for c in dataset.communities
        if c.street in ZHENGDONG_CODES and street_district[c.street] == "中牟县"
    ]
    inside = sum(COMMUNITIES_PER_DISTRICT[d] for d in TERRITORIAL_DISTRICTS)
    assert (inside, len(zhongmu_zhengdong), len(served)) == (962, 42, 1004)


def test_communities_are_the_source_rows_exactly(dataset):
    with open(REFERENCE / "zhengzhou-communities.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ours = [(c.code, c.name, c.street) for c in dataset.communities]
    assert ours == [(r["code"], r["name"], r["street_code"]) for r in rows]


def test_every_community_lies_in_the_street_its_code_names(dataset):
    codes = {s.code for s in dataset.streets}
    bad = [
        (c.code, c.name)
        for c in dataset.communities
        if c.street not in codes or c.code[:9] != c.street or not re.fullmatch(r"\d{12}", c.code)
    ]
    assert bad == []
    assert len({c.code for c in dataset.communities}) == 3140
    streets_without = codes - {c.street for c in dataset.communities}
    assert streets_without == set()  # every township has communities (SOURCES.md)


def test_lin_shan_zhai_serves_eleven_communities(dataset):
    st = dataset.station("林山寨派出所")
    names = [c.name for c in dataset.communities if c.street in st.streets]
    assert len(names) == 11 and names[0] == "碧沙岗社区居委会"


def test_places_pinned_and_sourced(dataset):
    kinds: dict[str, int] = {}
    for p in dataset.places:
        if p.district is None:  # landmarks: tests/test_landmarks.py
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
    assert kinds == {"railway-station": 2, "landmark": 1, "metro-station": 235}
    assert sum(1 for p in dataset.places if p.district is not None) == 382
    ids = {s["id"] for s in dataset.meta["sources"]}
    unsourced = [
        p.name
        for p in dataset.places
        if p.district is None and not set(p.source.split("; ")) <= ids
    ]
    assert unsourced == []
    metro = [p for p in dataset.places if p.kind == "metro-station"]
    assert all(p.lines for p in metro)
    # the 郑许线's 许昌段 lies in 许昌市: not 地铁分局's (sources/places.md); the rest are
    xuchang = [p.name for p in metro if p.outside]
    assert xuchang == [
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
    assert all(p.outside == "许昌市" and p.sub_bureau is None for p in metro if p.outside)
    assert all(p.sub_bureau == "地铁分局" for p in metro if not p.outside)
    by_name = {p.name: p for p in dataset.places if p.kind != "metro-station"}
    assert by_name["郑州站"].sub_bureau == "火车站分局"
    assert by_name["郑州东站"].station == "郑州东站派出所"
    assert by_name["会展中心"].station == "会展中心派出所"
    assert "郑州国际会展中心" in by_name["会展中心"].aliases


def test_metro_stations_are_the_source_rows(dataset):
    with open(REFERENCE / "zhengzhou-metro-stations.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    metro = [(p.name, "|".join(p.lines)) for p in dataset.places if p.kind == "metro-station"]
    assert metro == [(r["station"], r["lines"]) for r in rows]


def test_zones_lie_on_the_districts_zhengdong_md_names(dataset):
    lies = {d.name: d.lies_on for d in dataset.districts if d.lies_on}
    assert lies == {
        "郑州经济技术开发区": ("管城回族区", "中牟县"),
        "郑州高新技术产业开发区": ("中原区",),
        "郑东新区": ("金水区", "管城回族区", "中牟县"),
    }
