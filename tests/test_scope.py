"""The scope a writer gives (issue 14): resolve.in_scope from a table, and the answers the
issue's examples must give, end to end."""

from __future__ import annotations

import json

import pytest

from jurisdiction import open_index, resolve
from jurisdiction.index import Hit
from jurisdiction.normalize import normalize
from jurisdiction.resolve import in_scope

from conftest import jur, out


@pytest.fixture(scope="module")
def index():
    return open_index()


def _community_hits(index, text: str) -> list[Hit]:
    return [h for h in index.lookup(normalize(text)) if h.target == "C"]


def _street_hits(index, text: str) -> list[Hit]:
    return [h for h in index.lookup(normalize(text)) if h.target == "S"]


# (community text, scope: a street written or else a district or zone, verdict, the streets of
# the hits the verdict rests on). Each row is a fact of data/: where NBS lists the name.
SCOPE_TABLE = [
    # inside: the community lies in the street written
    ("碧沙岗社区", "林山寨街道", None, "inside", {"林山寨街道"}),
    # inside a district: 路砦社区 is 二七区淮河路街道's (路砦村, the village, is 金水区's)
    ("路砦社区", None, "二七区", "inside", {"淮河路街道"}),
    # only elsewhere under the same sub-bureau: 柿园村 is listed under 西流湖街道 (中原分局)
    ("柿园村", "须水街道", None, "same-sub-bureau", {"西流湖街道"}),
    # only far away: six 刘庄村, none in 花园口镇 or under 惠济分局
    ("刘庄村", "花园口镇", None, "elsewhere", set()),
    # a contradiction: 磨李社区 is 金水区龙子湖街道, run by 郑东新区; written with a 金水分局
    # street of the same district, the parts disagree
    ("磨李社区", "杜岭街道", None, "contradiction", {"龙子湖街道"}),
    # the same community with its district alone: it lies in 金水区, so it decides (its street
    # is run by 郑东新区, and the answer says so)
    ("磨李社区", None, "金水区", "inside", {"龙子湖街道"}),
]


@pytest.mark.parametrize("text,street,district,verdict,rests_on", SCOPE_TABLE)
def test_in_scope_table(index, text, street, district, verdict, rests_on):
    hits = _community_hits(index, text)
    assert hits, f"{text} is not a community in data/"
    scope_streets = _street_hits(index, street) if street else []
    area = index.areas.get(normalize(district)) if district else None
    assert (street is None) or scope_streets, f"{street} is not a street"
    got, chosen = in_scope(index, hits, scope_streets, area)
    assert got == verdict
    assert {h.row.street.name for h in chosen} == rests_on


def test_in_scope_is_pure(index):
    """The same arguments give the same verdict, and the hits passed in are not changed."""
    hits = _community_hits(index, "柿园村")
    scope = _street_hits(index, "须水街道")
    before = (list(hits), list(scope))
    assert in_scope(index, hits, scope, None) == in_scope(index, hits, scope, None)
    assert (hits, scope) == before


# The examples under "Why" in issue 14, with the answer each must give.
WHY = [
    ("惠济区花园口镇刘庄村", "found", "花园口派出所", "惠济分局"),
    ("中原区须水街道柿园村", "partial", None, "中原分局"),
    ("新郑市官渡镇", "outside", None, None),
    ("中牟县八千乡", "outside", None, None),
    ("南曹乡", "partial", None, "管城分局"),
    ("郑东新区文化路", "partial", None, "郑东分局"),
    ("惠济区东风路", "partial", None, "惠济分局"),
    ("管城回族区祭城路", "ambiguous", None, None),
    ("路砦村", "ambiguous", None, None),
    ("二七区路砦村", "found", "淮河路派出所", "二七分局"),
]


@pytest.mark.parametrize("query,status,station,bureau", WHY)
def test_the_issues_examples(index, query, status, station, bureau):
    a = resolve(query, index)
    assert (a.status, a.station, a.sub_bureau) == (status, station, bureau)


def test_the_metro_stations_in_xuchang_are_outside(index):
    a = resolve("许昌东站", index)
    assert a.status == "outside" and a.sub_bureau is None and "许昌" in (a.note or "")


@pytest.mark.parametrize(
    "query,scope,verdict",
    [
        ("惠济区花园口镇刘庄村", "花园口镇", "elsewhere"),
        ("中原区须水街道柿园村", "须水街道", "same-sub-bureau"),
    ],
)
def test_explain_shows_the_scope_that_decided(query, scope, verdict):
    p = jur("find", query, "-f", "jsonl", "--explain")
    steps = " ".join(json.loads(out(p))["explain"])
    assert scope in steps and "scope" in steps
