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
    assert len(dataset.stations) == 93
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
    assert jicheng.verified and jicheng.source == "nbs-2020; jichenglu-2025; jichenglu-2019"


def test_station_names_follow_their_source(dataset):
    by_station = {s.station: s for s in dataset.streets if s.station}
    wrong = []
    for st in dataset.stations:
        if st.kind == "territorial" and by_station[st.name].short + "派出所" != st.name:
            wrong.append(st.name)
        ids = {s["id"] for s in dataset.meta["sources"]}
        if st.source not in ids or not (
            st.source in ("reform-2020", "rule") or st.source.startswith("news-")
        ):
            wrong.append((st.name, st.source))
    assert wrong == []
    news = {
        "南阳路派出所": "news-nanyanglu",
        "杜岭派出所": "news-duling",
        "丰庆路派出所": "news-ccepi-2025",
        "经八路派出所": "news-jingbalu",
        "枫杨派出所": "news-ccepi-2025",
        "凤凰台派出所": "news-fenghuangtai",
        "西大街派出所": "news-xidajie",
    }
    assert {n: dataset.station(n).source for n in news} == news
    places = [(st.name, st.sub_bureau) for st in dataset.stations if st.kind == "place"]
    assert places == [
        ("会展中心派出所", "郑东分局"),
        ("郑州东站派出所", "郑东分局"),
        ("水上派出所", "郑东分局"),
    ]
    assert "low trust" in dataset.station("水上派出所").note
    sources = [st.source for st in dataset.stations]
    assert (sources.count("rule"), sources.count("reform-2020")) == (67, 16)


def test_news_stations_are_in_the_found_list(dataset):
    path = REFERENCE / "zhengzhou-stations-found.csv"
    with open(path, encoding="utf-8") as f:
        found = {r["station"] for r in csv.DictReader(f)}
    news = {st.name for st in dataset.stations if (st.source or "").startswith("news-")}
    assert news == found


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
        "经开分局": 6,
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
    assert len(others) == 6


def test_name_collisions_are_known(dataset):
    """Every short name that two places share; each must come out ambiguous or outside."""
    seen: dict[str, list[str]] = {}
    for s in dataset.streets:
        seen.setdefault(s.short, []).append(s.district)
    shared = {k: v for k, v in seen.items() if len(v) > 1}
    assert sorted(shared) == sorted(
        ["新华路", "城关", "西大街", "东风路", "刘寨", "三官庙", "龙湖"]
    )
