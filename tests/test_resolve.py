"""The resolver, by category: every form SPEC lists, addresses, ambiguity, coverage, typos,
and the refusal to guess."""

from __future__ import annotations

import pytest

from jurisdiction import resolve
from jurisdiction.model import STATUSES

DEHUAJIE_FORMS = [
    "德化街",
    "德化街街道",
    "德化街街道办事处",
    "德化街派出所",
    "二七区德化街",
    "郑州市二七区德化街道",
    "河南省郑州市二七区德化街街道",
    "dehuajie",
    "DeHuaJie",
    "de hua jie",
    "dhj",
    "德化街",  # full-width below
    "ＤｅＨｕａＪｉｅ",
    "德 化 街",
    "“德化街”",
    "（二七区）德化街",
    "二七区，德化街",
    "德华街",
    "  德化街！！ ",
    "郑州市二七区德化街街道某某小区3号楼",
    "二七德化街",
    "二七分局德化街派出所",
]


@pytest.mark.parametrize("query", DEHUAJIE_FORMS)
def test_every_spec_form_finds_dehuajie(index, query):
    a = resolve(query, index)
    assert (a.status, a.station, a.sub_bureau) == ("found", "德化街派出所", "二七分局"), a
    assert a.code == "410103010"


@pytest.mark.parametrize(
    "query,station",
    [
        ("鄭州市二七區銘功路", "铭功路派出所"),
        ("長江路", "长江路派出所"),
        ("⻄流湖", "西流湖派出所"),
        ("ｍｉｎｇｇｏｎｇｌｕ", "铭功路派出所"),
    ],
)
def test_traditional_lookalike_and_fullwidth(index, query, station):
    a = resolve(query, index)
    assert (a.status, a.station) == ("found", station)


def test_district_only_address_is_partial_without_a_station(index):
    a = resolve("郑州市二七区淮南街7号", index)
    assert (a.status, a.station, a.sub_bureau, a.district) == (
        "partial",
        None,
        "二七分局",
        "二七区",
    )
    assert a.match == "district"


def test_a_road_alone_decides_nothing_but_offers_the_same_named_subdistrict(index):
    """花园路 and 文化路 run on into 惠济区: a road's name never gives a sub-bureau alone."""
    for q in ("花园路26号", "文化路100号", "花园路与农业路交叉口", "经八路12号院"):
        a = resolve(q, index)
        assert (a.status, a.station, a.sub_bureau) == ("not_found", None, None), (q, a)
        assert len(a.candidates) == 1 and a.candidates[0].street.endswith("街道"), q
        assert "add the district" in a.note, q


def test_a_road_with_its_district_gives_the_sub_bureau_only(index):
    for q, bureau, cands in (
        ("郑州市金水区花园路124号", "金水分局", ["花园路街道"]),
        ("金水区花园路某某大厦", "金水分局", ["花园路街道"]),
        ("金水区文化路100号", "金水分局", ["文化路街道"]),
        ("惠济区文化路100号", "惠济分局", []),  # the road runs on into 惠济区
        ("郑东新区文化路", "郑东分局", []),  # 文化路街道 is 金水分局's, not in 郑东新区
        ("惠济区东风路", "惠济分局", []),
    ):
        a = resolve(q, index, limit=5)
        assert (a.status, a.station, a.sub_bureau) == ("partial", None, bureau), (q, a)
        # the namesake that could lie in the area is a candidate; one that cannot is shown
        # below the threshold, never as the answer
        inside = [c.street for c in a.candidates if c.score >= 75]
        assert inside == cands, q
        assert all(c.sub_bureau != bureau for c in a.candidates if c.score < 75), q


def test_explicit_subdistrict_inside_address_is_found(index):
    a = resolve("金水区花园路街道某某小区", index)
    assert (a.status, a.station, a.match) == ("found", "花园路派出所", "address")


def test_sanguanmiao_is_ambiguous_unless_the_district_decides(index):
    a = resolve("三官庙", index)
    assert a.status == "ambiguous"
    assert {c.street for c in a.candidates} == {"三官庙街道", "三官庙镇"}
    a = resolve("中原区三官庙", index)
    assert (a.status, a.station) == ("found", "三官庙派出所")
    a = resolve("三官庙镇", index)
    assert (a.status, a.district) == ("outside", "郑州航空港经济综合实验区")
    a = resolve("航空港区三官庙", index)
    assert a.status == "outside"


def test_huayuan_is_ambiguous(index):
    a = resolve("花园", index)
    assert a.status == "ambiguous"
    assert {c.street for c in a.candidates} == {"花园路街道", "花园口镇"}
    assert a.station is None


def test_places_outside_are_outside_never_a_station(index):
    for q in ("巩义市", "新郑市龙湖镇", "上街区", "峡窝镇", "登封市少林街道", "新华路"):
        a = resolve(q, index)
        assert a.status == "outside" and a.station is None and a.sub_bureau is None, (q, a)


def test_sub_bureau_names_are_partial(index):
    for q, b in (
        ("火车站分局", "火车站分局"),
        ("郑东新区分局", "郑东分局"),
        ("高新分局", "高新分局"),
        ("郑州市公安局二七分局", "二七分局"),
    ):
        a = resolve(q, index)
        assert (a.status, a.sub_bureau, a.station) == ("partial", b, None), q


def test_district_names_are_partial(index):
    for q, b in (
        ("二七", "二七分局"),
        ("管城区", "管城分局"),
        ("经开区", "经开分局"),
        ("郑东新区", "郑东分局"),
        ("erqi", "二七分局"),
    ):
        a = resolve(q, index)
        assert (a.status, a.sub_bureau) == ("partial", b), q


def test_a_district_whose_units_split_is_marked_unverified(index):
    a = resolve("金水区", index)
    assert a.status == "partial" and a.verified is False
    assert "郑东分局" in a.note


def test_unclear_zhengdong_units_say_unverified(index):
    for q in ("龙子湖", "龙子湖街道", "圃田", "圃田乡"):
        a = resolve(q, index)
        assert (a.status, a.sub_bureau, a.verified) == ("found", "郑东分局", False), q
        assert "unverified" in a.note and "12" in a.note, q


def test_zhengdong_units_coded_elsewhere(index):
    for q in ("如意湖", "商都路街道", "白沙镇", "杨桥街道", "豫兴", "祭城路", "祭城路街道"):
        a = resolve(q, index)
        assert (a.status, a.sub_bureau, a.verified) == ("found", "郑东分局", True), q


def test_place_named_stations(index):
    a = resolve("会展中心派出所", index)
    assert (a.status, a.station, a.sub_bureau, a.street) == (
        "found",
        "会展中心派出所",
        "郑东分局",
        None,
    )


def test_former_names_find_their_successor_and_say_so(index):
    a = resolve("南关街道", index)
    assert (a.status, a.street) == ("found", "南关街街道")
    assert "former name" in a.note and "南关街街道" in a.note
    a = resolve("南曹乡", index)
    # both successors are 管城分局's: the sub-bureau is known, the station is not
    assert (a.status, a.sub_bureau) == ("partial", "管城分局")
    assert {c.street for c in a.candidates} == {"南曹街道", "金岱街道"}
    a = resolve("卢店街道", index)
    assert a.status == "outside" and "later name" in a.note


def test_jingkai_official_and_short_names(index):
    for q in ("郑州经济技术开发区明湖街道", "明湖街道", "明湖", "经开区明湖"):
        a = resolve(q, index)
        assert (a.status, a.station, a.sub_bureau) == ("found", "明湖派出所", "经开分局"), q


def test_district_and_place_disagree(index):
    a = resolve("金水区德化街街道", index)
    assert (a.status, a.sub_bureau) == ("ambiguous", None)
    assert "德化街街道" in {c.street for c in a.candidates}
    # 德化街 is also a road: with a district it is the district's road (issue 14, item 3),
    # and the namesake that cannot lie there is shown, not chosen
    a = resolve("金水区德化街", index)
    assert (a.status, a.sub_bureau, a.station) == ("partial", "金水分局", None)
    assert "德化街街道" in {c.street for c in a.candidates} and "cannot lie in 金水区" in a.note


def test_kind_written_differently_costs_points(index):
    a = resolve("侯寨乡", index)
    assert (a.status, a.station) == ("found", "侯寨派出所")
    assert a.score == 90 and "officially a 街道" in a.note


def test_local_readings(index):
    for q, station in (
        ("shangdulu", "商都路派出所"),
        ("shifo", "石佛派出所"),
        ("wulipu", "五里堡派出所"),
        ("lvdongcun", "绿东村派出所"),
        ("ludongcun", "绿东村派出所"),
    ):
        assert resolve(q, index).station == station, q
    assert resolve("shangdoulu", index).status == "not_found"


def test_typos(index):
    assert resolve("德华街", index).station == "德化街派出所"  # same sound
    assert (
        resolve("紫荆山南", index).station == "紫荆山南路派出所"
    )  # missing character, 5-char name
    assert (
        resolve("航海南路", index).status == "ambiguous"
        or resolve("航海南路", index).status == "not_found"
    )
    assert resolve("紫荆山北路", index).status == "not_found"  # a different road: never a guess
    assert resolve("德比街", index).status == "not_found"


def test_two_character_cores_are_never_fuzzy_matched(index):
    for q in ("德化", "侯赛", "马塞", "南阳"):
        a = resolve(q, index)
        assert a.status != "found", (q, a)


def test_not_found_below_threshold_shows_candidates_on_request(index):
    a = resolve("紫荆山北路", index, limit=3)
    assert a.status == "not_found" and a.candidates and a.candidates[0].street == "紫荆山南路街道"
    assert a.candidates[0].score < 75


def test_limit_shows_candidates_for_found(index):
    a = resolve("德化街", index, limit=2)
    assert a.status == "found" and a.candidates[0].station == "德化街派出所"


def test_explain_records_the_steps(index):
    a = resolve("鄭州市二七區德化街街道办事处", index, explain=True)
    text = " | ".join(a.explain)
    assert (
        "traditional" in text
        and "prefix 郑州市 removed" in text
        and "street '德化街街道办事处'" in text
        and "decided by the street" in text
    )


@pytest.mark.parametrize(
    "query", ["", "   ", "！！！", "123456", "x" * 5000, "\x00\x01", "\ud800", "德化街" * 400]
)
def test_junk_is_not_found_not_an_error(index, query):
    a = resolve(query, index)
    assert a.status in STATUSES
    assert a.status != "found" or query == "德化街" * 400


def test_statuses_and_scores_are_in_range(index, dataset):
    for s in dataset.streets:
        a = resolve(s.name, index)
        assert a.status in STATUSES and 0 <= a.score <= 100


def test_every_official_name_answers_itself(index, dataset):
    """Each official name finds its own unit, except a name two units share: that one is
    ambiguous (or outside when none is served) and the district prefix decides it."""
    names = [s.name for s in dataset.streets]
    wrong = []
    for s in dataset.streets:
        a = resolve(s.name, index)
        expected = "found" if s.station else "outside"
        if names.count(s.name) > 1:
            sharing = {x.code for x in dataset.streets if x.name == s.name}
            served = any(x.station for x in dataset.streets if x.name == s.name)
            if (
                a.status != ("ambiguous" if served else "outside")
                or {c.code for c in a.candidates} != sharing
            ):
                wrong.append((s.name, a.status, "shared"))
            a = resolve(s.district + s.name, index)
        if (a.status, a.code, a.station) != (expected, s.code, s.station):
            wrong.append((s.name, a.status, a.code))
    assert wrong == []


def test_shared_official_names_are_exactly_these(dataset):
    names = [s.name for s in dataset.streets]
    assert sorted({n for n in names if names.count(n) > 1}) == [
        "东风路街道",
        "城关乡",
        "新华路街道",
        "西大街街道",
    ]


def test_every_collision_in_the_dataset_is_listed_and_never_found(index):
    """Every key (name, short name, office or kind form, reading, initials) that two streets
    share, computed from the index. Where two of them share the best tier, the key must
    answer ambiguous (or outside when no place sharing it is served); where one has a
    better tier (三官庙街道: the official name of 中原区's, a kind written otherwise for
    航空港区's 三官庙镇), that one answers."""
    from jurisdiction.resolve import TIER_SCORE

    collisions: dict[str, list[str]] = {}
    for key, hits in index._keys.items():
        codes = {h.row.code for h in hits if h.target == "S"}
        if len(codes) > 1:
            collisions.setdefault("/".join(sorted({h.tier for h in hits})), []).append(key)
    pinned = {
        "alias": "三官庙 东风路办事处 东风路街道办 东风路街道办事处 刘寨 城关 新华路 新华路办事处 "
        "新华路街道办 新华路街道办事处 西大街办事处 西大街街道办 西大街街道办事处 西大街道 龙湖",
        "alias/kind": "三官庙办事处 三官庙街道办 三官庙街道办事处 三官庙镇人民政府 三官庙镇政府 刘寨办事处 "
        "刘寨街道办 刘寨街道办事处 刘寨镇人民政府 刘寨镇政府 城关乡人民政府 城关乡政府 城关镇人民政府 "
        "城关镇政府 龙湖办事处 龙湖街道办 龙湖街道办事处 龙湖镇人民政府 龙湖镇政府",
        "alias/metro-bare": "东风路 西大街",
        "exact": "东风路街道 新华路街道 西大街街道",
        "exact/kind": "三官庙街道 三官庙镇 刘寨街道 刘寨镇 城关乡 城关镇 龙湖街道 龙湖镇",
        "former-split": "南曹乡 庙李镇 柳林镇 祭城镇 老鸦陈镇 须水镇 齐礼阎乡",
        "initials": "dfl jcl jgl jsl rhl sgm xdj xhl",
        "kind": "三官庙乡 三官庙乡人民政府 三官庙乡政府 东风路乡 东风路乡人民政府 东风路乡政府 东风路镇 "
        "东风路镇人民政府 东风路镇政府 刘寨乡 刘寨乡人民政府 刘寨乡政府 城关办事处 城关街道 城关街道办 "
        "城关街道办事处 新华路乡 新华路乡人民政府 新华路乡政府 新华路镇 新华路镇人民政府 新华路镇政府 "
        "西大街乡 西大街乡人民政府 西大街乡政府 西大街镇 西大街镇人民政府 西大街镇政府 龙湖乡 "
        "龙湖乡人民政府 龙湖乡政府",
        "pinyin": "chengguan dongfenglu liuzhai longhu sanguanmiao xidajie xidajiedao xinhualu",
    }
    assert {k: sorted(v) for k, v in collisions.items()} == {
        k: sorted(v.split()) for k, v in pinned.items()
    }
    wrong = []
    for keys in collisions.values():
        for key in keys:
            hits = [h for h in index.lookup(key) if h.target == "S"]
            top = max(TIER_SCORE[h.tier] for h in hits)
            best = {h.row.code for h in hits if TIER_SCORE[h.tier] == top}
            a = resolve(key, index)
            if len(best) > 1:
                bureaus = {h.row.sub_bureau for h in hits if h.row.code in best}
                shared = len(bureaus) == 1 and None not in bureaus
                if (
                    a.status not in (("partial",) if shared else ("ambiguous", "outside"))
                    or len({c.code for c in a.candidates}) < 2
                ):
                    wrong.append((key, a.status))
            elif a.code not in best:
                wrong.append((key, a.status, a.code))
    assert wrong == []


def test_memo_is_transparent(index):
    """Answers served from the memo equal answers computed afresh, query for query."""
    from jurisdiction import open_index

    fresh = open_index(index.head["path"], use_cache=False)
    queries = [
        "花园路26号",
        "花园路124号",
        "花园路9号",
        "郑州市二七区淮南街7号",
        "郑州市二七区淮南街8号",
        "德化街3号楼",
        "德化街街道3号楼",
        "12345",
        "1",
    ]
    for q in queries + queries:
        fresh.memo.clear()
        assert resolve(q, index) == resolve(q, fresh), q
    assert index.digit_free is True
    assert resolve("花园路26号", index).query == "花园路26号"
    assert resolve("花园路26", index).status == "not_found"  # a road alone decides nothing
    assert resolve("金水区花园路26", index).status == "partial"


def test_memo_is_bounded(index, monkeypatch):
    from importlib import import_module

    r = import_module("jurisdiction.resolve")  # the module; jurisdiction.resolve is the function
    monkeypatch.setattr(r, "MEMO_SIZE", 10)
    index.memo.clear()
    for i in range(100):
        resolve(f"不存在的地方{'甲' * (i % 50)}", index)
    assert len(index.memo) <= 10
    index.memo.clear()


# --- communities, villages, named places, addresses read as parts (issue 9) -----------------


@pytest.mark.parametrize(
    "query,status,station,bureau,place",
    [
        ("碧沙岗社区", "found", "林山寨派出所", "中原分局", "碧沙岗社区居委会"),
        ("碧沙岗社区居委会", "found", "林山寨派出所", "中原分局", "碧沙岗社区居委会"),
        ("郑州市二七区南彩社区3号院", "found", "德化街派出所", "二七分局", "南彩社区居民委员会"),
        ("惠济区申庄村", "found", "花园口派出所", "惠济分局", "申庄村民委员会"),
        ("申庄村", "ambiguous", None, None, None),
        ("中原区高新区莲花街100号", "partial", None, "高新分局", None),
        ("管城回族区经开区第八大街12号", "partial", None, "经开分局", None),
        ("金水区郑东新区众意路66号", "partial", None, "郑东分局", None),
        ("杜岭办事处经三路12号", "found", "杜岭派出所", "金水分局", None),
        ("侯寨乡某某村", "found", "侯寨派出所", "二七分局", None),
        ("潮河办事处", "found", "潮河派出所", "经开分局", None),
        ("文化路100号", "not_found", None, None, None),
        ("花园路26号", "not_found", None, None, None),
        ("金水区文化路100号", "partial", None, "金水分局", None),
        ("郑州站", "partial", None, "火车站分局", "郑州站"),
        ("郑州火车站西广场", "partial", None, "火车站分局", "郑州站"),
        ("郑州东站", "found", "郑州东站派出所", "郑东分局", "郑州东站"),
        ("地铁人民公园站", "partial", None, "地铁分局", "人民公园站 (3号线)"),
        ("3号线人民公园", "partial", None, "地铁分局", "人民公园站 (3号线)"),
        # 人民公园 alone is the park (郑州市人民公园, 二七区, a public page); the station is 人民公园站
        ("人民公园", "partial", None, "二七分局", "郑州市人民公园"),
        ("燕庄站", "partial", None, "地铁分局", "燕庄站 (1号线、6号线)"),
        ("会展中心", "found", "会展中心派出所", "郑东分局", "会展中心"),
        ("郑州国际会展中心", "found", "会展中心派出所", "郑东分局", "会展中心"),
        ("会展中心站", "partial", None, "地铁分局", "会展中心站 (1号线、4号线)"),
        ("二七区高新区科学大道", "ambiguous", None, None, None),  # 高新区 lies on 中原区
        # 南彩社区 is listed only under 德化街 (二七区): the subdistrict written decides (issue 14)
        ("林山寨街道南彩社区", "found", "林山寨派出所", "中原分局", None),
        ("郑州市金水南阳新村", "found", "南阳新村派出所", "金水分局", None),  # not 新村 village
        ("中原路100号", "not_found", None, None, None),  # a road named after a district
        ("惠济区西申庄村", "partial", None, "惠济分局", None),  # not 申庄村: 西 begins the name
        # 大王庄村 is listed under 京航 (经开区) and elsewhere, never near 侯寨: 侯寨 decides
        ("侯寨乡大王庄村", "found", "侯寨派出所", "二七分局", None),
        ("新乡会展中心", "not_found", None, None, None),  # another city's 会展中心
        ("8号线东风路", "partial", None, "地铁分局", "东风路站 (8号线)"),  # the line picks
        ("2号线东风路站", "partial", None, "地铁分局", "东风路站 (2号线/城郊线)"),
        ("东风路站", "partial", None, "地铁分局", None),  # two stations of that name
        ("郑州市金水区会展中心", "found", "会展中心派出所", "郑东分局", "会展中心"),
        ("二七区大学路燕庄站", "partial", None, "地铁分局", "燕庄站 (1号线、6号线)"),
    ],
)
def test_what_people_type(index, query, status, station, bureau, place):
    a = resolve(query, index)
    assert (a.status, a.station, a.sub_bureau, a.place) == (status, station, bureau, place), a


def test_a_line_that_does_not_call_at_the_station_is_said(index):
    a = resolve("1号线人民公园", index)
    assert (a.status, a.sub_bureau, a.place) == ("partial", "地铁分局", "人民公园站 (3号线)")
    assert "1号线 does not call at this station" in a.note
    assert "does not call" not in resolve("3号线人民公园", index).note


def test_a_road_alone_names_its_namesake_and_what_to_add(index):
    a = resolve("文化路100号", index)
    assert [c.street for c in a.candidates] == ["文化路街道"]
    assert "add the district" in a.note


def test_a_road_whose_namesake_another_sub_bureau_serves_is_ambiguous(index):
    a = resolve("郑州市金水区祭城路60号院", index)
    assert a.status == "ambiguous"
    assert {c.sub_bureau for c in a.candidates} == {"郑东分局", "金水分局"}


def test_explain_shows_the_parts_and_which_decided(index):
    a = resolve("郑州市二七区南彩社区3号院", index, explain=True)
    text = " | ".join(a.explain)
    assert "region '郑州市' · area '二七区' · community '南彩社区' · rest '3号院'" in text
    assert "decided by the community '南彩社区'" in text


def test_every_community_form_answers_its_unit_or_says_it_is_shared(index, dataset):
    """Every form of every community and village (index.community_forms): alone it gives
    the unit's station (or outside), or, where units with different answers share it, or a
    street or place has that name too, never a confident answer for one of them."""
    from jurisdiction.index import community_forms
    from jurisdiction.normalize import normalize

    streets = {s.code: s for s in dataset.streets}
    answers: dict[str, set] = {}
    for c in dataset.communities:
        s = streets[c.street]
        for form in community_forms(c.name):
            answers.setdefault(normalize(form), set()).add((s.station, s.sub_bureau, s.code))
    # a village form X村 stands for the communities X社区 too (路砦村: 路砦社区 was a village)
    for c in dataset.communities:
        if c.kind == "community":
            s = streets[c.street]
            for form in community_forms(c.name):
                core = normalize(form)
                if core.endswith("社区") and core[:-2] + "村" in answers:
                    answers[core[:-2] + "村"].add((s.station, s.sub_bureau, s.code))
    wrong = []
    for key, expected in answers.items():
        others = [h for h in index.lookup(key) if h.target != "C" and h.tier != "metro-bare"]
        a = resolve(key, index)
        if len({(st, b) for st, b, _ in expected}) == 1 and not others:
            station, bureau, _ = next(iter(expected))
            want = ("found", station, bureau) if station else ("outside", None, None)
            if (a.status, a.station, a.sub_bureau) != want:
                wrong.append((key, a.status, a.station))
        elif a.status == "found" and (a.station, a.sub_bureau) not in {
            (st, b) for st, b, _ in expected
        } | {(h.row.station, h.row.sub_bureau) for h in others if h.target == "S"}:
            wrong.append((key, a.status, a.station))
        elif a.status == "found" and len({(st, b) for st, b, _ in expected}) > 1:
            wrong.append((key, "found though shared", a.station))
    assert wrong == []
    assert len(answers) == 11_314


def test_a_bare_core_is_never_a_community(index):
    """碧沙岗 alone (no 社区, 村 or office marker) is not read as the community."""
    communities = {c.name for c in index.dataset.communities}
    for q in ("碧沙岗", "南彩", "申庄", "郑州日报"):
        a = resolve(q, index)
        # 碧沙岗 alone is the park (碧沙岗公园), a landmark: never the community
        assert a.place not in communities and a.status != "found", (q, a)
