"""Landmarks (issue 15): the places people name, each with the page that says where it lies,
and the answers they give. The data is checked as shipped; the answers are checked against
the data (every landmark), not against a list typed here."""

from __future__ import annotations

import csv
import json
import re

import pytest

from jurisdiction import resolve
from jurisdiction.dataset import parse_dataset
from jurisdiction.errors import DataError

from conftest import DATA, REFERENCE, jur, out

LINE = re.compile(r"^(?P<file>[^\n]+\.yaml):(?P<line>\d+): (?P<msg>.+)$")


def landmarks(dataset):
    return [p for p in dataset.places if p.district is not None]


def test_landmarks_pinned_and_each_carries_its_page(dataset):
    lms = landmarks(dataset)
    assert len(lms) >= 300
    bad = [
        p.name
        for p in lms
        if not (p.cite and p.cite[0].startswith(("http://", "https://")) and p.cite[3])
    ]
    assert bad == []
    # the categories the issue names are all there
    kinds = {p.kind for p in lms}
    for kind in ("university", "hospital", "mall", "park", "museum", "government", "square"):
        assert kind in kinds, kind
    for kind in ("bus-station", "railway-station", "airport"):
        assert kind in kinds, kind
    # one entry per campus: a university's campuses share its name as a group name
    zzu = [p.name for p in lms if "郑州大学" in p.group]
    assert "郑州大学主校区" in zzu and len(zzu) >= 3


def test_every_row_of_the_source_table_is_in_the_data_or_left_out_for_a_stated_reason(dataset):
    """sources/landmarks.csv -> data/landmarks.yaml (tools/build_data.py); a row missing from
    the data is one the tool reports leaving out (taken name, digits, unknown area)."""
    with open(REFERENCE / "landmarks.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ids = {p.source for p in landmarks(dataset)}
    assert ids <= {r["id"] for r in rows}
    assert all(r["url"].startswith("http") and r["quote"] for r in rows)
    assert len(ids) >= 0.9 * len(rows)


def test_each_landmark_answers_for_its_district_and_no_more(index, dataset):
    """Every landmark's name: partial for its district's sub-bureau (found with the station
    where the page gives the subdistrict), outside outside the 11 sub-bureaus' area; the
    district in the answer is the page's. Never a station it has no page for."""
    districts = {d.name: d for d in dataset.districts}
    streets = {s.code: s for s in dataset.streets}
    wrong = []
    for p in landmarks(dataset):
        a = resolve(p.name, index)
        d = districts[p.district]
        if p.street:
            s = streets[p.street]
            want = ("found", s.station, s.sub_bureau) if s.station else ("outside", None, None)
        elif d.sub_bureau:
            want = ("partial", None, d.sub_bureau)
        else:
            want = ("outside", None, None)
        if (a.status, a.station, a.sub_bureau) != want or a.place != p.name:
            wrong.append((p.name, a.status, a.station, a.sub_bureau, a.place))
        elif not p.verified and a.verified:
            wrong.append((p.name, "verified though its page is not"))
    assert wrong == []


@pytest.mark.parametrize(
    "query,status,bureau,place",
    [
        ("二七塔", "partial", "二七分局", "二七纪念塔"),
        ("二七纪念塔", "partial", "二七分局", "二七纪念塔"),
        ("千玺广场", "partial", "郑东分局", "千玺广场"),
        ("大玉米", "partial", "郑东分局", "千玺广场"),
        ("郑州新郑国际机场", "outside", None, "郑州新郑国际机场"),
        ("郑州大学主校区", "partial", "高新分局", "郑州大学主校区"),
        ("郑大主校区", "partial", "高新分局", "郑州大学主校区"),  # a branch word decides
        ("郑州大学", "ambiguous", None, None),  # campuses in several areas
        ("二七塔附近", "partial", "二七分局", "二七纪念塔"),
        ("千玺广场东门", "partial", "郑东分局", "千玺广场"),
        ("绿城广场往西200米", "partial", "中原分局", "绿城广场"),
        ("二七纪念搭", "partial", "二七分局", "二七纪念塔"),  # one character off
        ("erqita", "partial", "二七分局", "二七纪念塔"),  # pinyin
        ("鄭州大學主校區", "partial", "高新分局", "郑州大学主校区"),  # traditional
        ("金水区二七塔", "ambiguous", None, None),  # the district disagrees
        ("二七区二七塔", "partial", "二七分局", "二七纪念塔"),  # and agrees
        ("人民公园站", "partial", "地铁分局", "人民公园站 (3号线)"),  # the station, not the park
    ],
)
def test_what_a_hotline_hears(index, query, status, bureau, place):
    a = resolve(query, index)
    assert (a.status, a.sub_bureau, a.place) == (status, bureau, place), a
    assert a.station is None or status == "found"


def test_zhengzhou_university_lists_its_campuses(index):
    a = resolve("郑州大学", index)
    places = {c.place for c in a.candidates}
    assert {"郑州大学主校区", "郑州大学南校区"} <= places
    assert a.sub_bureau is None and len({c.sub_bureau for c in a.candidates}) > 1


def test_a_landmark_in_a_zone_answers_for_the_zone(index, dataset):
    """郑东新区, 高新区, 经开区: the zone's sub-bureau, never the district the zone lies on."""
    zones = {
        "郑东新区": "郑东分局",
        "郑州高新技术产业开发区": "高新分局",
        "郑州经济技术开发区": "经开分局",
    }
    wrong = []
    for p in landmarks(dataset):
        if p.district in zones and not p.street:
            a = resolve(p.name, index)
            if a.sub_bureau != zones[p.district]:
                wrong.append((p.name, a.sub_bureau))
    assert wrong == []


@pytest.mark.parametrize("word", ["广场", "公园", "医院", "大学", "万达", "体育馆", "火车站"])
def test_generic_words_are_not_places(index, word):
    a = resolve(word, index)
    assert a.status in ("not_found", "ambiguous") and a.place is None, a


def test_explain_shows_the_landmark_decided():
    p = jur("find", "二七塔附近", "-f", "jsonl", "--explain")
    rec = json.loads(out(p))
    assert rec["place"] == "二七纪念塔" and rec["sub_bureau"] == "二七分局"
    assert any("decided by the landmark '二七塔'" in s for s in rec["explain"]), rec["explain"]


def test_list_places_gives_each_landmark_its_page():
    p = jur("list", "places", "-f", "jsonl")
    rows = [json.loads(line) for line in out(p).splitlines()]
    lm = [r for r in rows if r["url"]]
    assert len(lm) >= 300 and all(r["district"] for r in lm)
    tower = next(r for r in rows if r["place"] == "二七纪念塔")
    assert tower["sub_bureau"] == "二七分局" and tower["url"].startswith("http")


# --- the loader: landmarks.yaml is checked as strictly as the other files ----------------------


def _problems(directory) -> list[str]:
    with pytest.raises(DataError) as e:
        parse_dataset(directory)
    return e.value.lines()


ENTRY = """\
- name: 测试塔
  kind: landmark
  district: 二七区
  source:
    id: t-1
    url: https://example.org/a
    quote: 测试塔位于郑州市二七区
"""


@pytest.mark.parametrize(
    "text,message",
    [
        (
            ENTRY.replace(
                "  source:\n    id: t-1\n    url: https://example.org/a\n    quote: 测试塔位于郑州市二七区\n",
                "",
            ),
            "missing required key 'source'",
        ),
        (ENTRY.replace("    quote: 测试塔位于郑州市二七区\n", ""), "missing required key 'quote'"),
        (
            ENTRY.replace("district: 二七区", "district: 火星区"),
            "'火星区' is not a district or zone",
        ),
        (ENTRY + ENTRY.replace("t-1", "t-2"), "landmark '测试塔' is named twice"),
        (
            ENTRY.replace("  kind: landmark\n", "  kind: landmark\n  colour: red\n"),
            "unknown key 'colour'",
        ),
        (
            ENTRY.replace("district: 二七区", "district: 二七区\n  street: '410102001'"),
            "is not in 二七区",
        ),
        (ENTRY.replace("name: 测试塔", "name: 郑州站"), "landmark '郑州站' is named twice"),
        (
            ENTRY.replace("url: https://example.org/a", "url: ftp://example.org/a"),
            "url must be http(s)",
        ),
    ],
)
def test_a_broken_landmark_is_refused_with_its_line(data_copy, text, message):
    (data_copy / "landmarks.yaml").write_text(text, encoding="utf-8")
    lines = _problems(data_copy)
    hits = [ln for ln in lines if message in ln]
    assert hits, lines
    m = LINE.match(hits[0])
    assert m and m["file"].endswith("landmarks.yaml") and int(m["line"]) >= 1


def test_validate_refuses_a_landmark_without_a_source(data_copy):
    text = (data_copy / "landmarks.yaml").read_text(encoding="utf-8")
    first = text.index("  source:\n")
    end = text.index("\n- name:", first)
    (data_copy / "landmarks.yaml").write_text(text[:first] + text[end + 1 :], encoding="utf-8")
    p = jur("validate", "--data", str(data_copy))
    assert p.returncode == 2
    assert re.search(r"landmarks\.yaml:\d+: .*missing required key 'source'", p.stderr.decode())


def test_shipped_landmarks_file_is_in_the_wheel_list():
    text = (DATA.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/landmarks.yaml" = "jurisdiction/_data/landmarks.yaml"' in text
