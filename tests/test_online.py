"""jur find --online against a local fake of AMap's web service (tests/fake_amap.py).

Nothing here talks to the real service: the fake listens on 127.0.0.1, on a port the system
picks. No assertion depends on timing; timeouts are short so the suite stays fast.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from datetime import date, timedelta

import pytest
from fake_amap import DEHUA, FakeAmap, address, closed_port_url, regeocode

from jurisdiction import online
from jurisdiction.commands import run_find
from jurisdiction.errors import JurError

from conftest import ROOT, jur


def put(f: FakeAmap, text: str, location: str, township: str, towncode: str, **kw) -> None:
    """An address the fake geocodes to `location`, in `township`."""
    district = kw.pop("district", "二七区")
    adcode = kw.pop("adcode", towncode[:6])
    level = kw.pop("level", "门牌号")
    f.add_address(text, address(location, f"河南省郑州市{district}{text}", district, adcode, level))
    f.add_position(
        location,
        regeocode(
            formatted=f"河南省郑州市{district}{township}{text}",
            district=district,
            adcode=adcode,
            township=township,
            towncode=towncode,
        ),
    )


def find(index, *queries: str, stdin: str | bytes | None = None, **kw):
    """run_find in-process with --online: (exit status, records, stderr lines)."""
    out, err = io.StringIO(), io.StringIO()
    options = {"online": True, "online_rate": 1000.0, "online_timeout": 2.0, **kw}
    try:
        code = run_find(
            list(queries),
            fmt="jsonl",
            out=out,
            err=err,
            index=index,
            stdin=None if stdin is None else io.BytesIO(_bytes(stdin)),
            **options,
        )
    except JurError as e:
        code = e.exit_code
        err.write("".join(line + "\n" for line in e.lines()))
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return int(code), records, err.getvalue().splitlines()


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


# --- the acceptance cases --------------------------------------------------------------------


def test_address_found_through_the_township_code(fake, index):
    code, records, err = find(index, "经三路66号", "德化街")
    r, dehua = records
    assert (r["status"], r["station"], r["sub_bureau"]) == ("found", "德化街派出所", "二七分局")
    assert (r["street"], r["code"], r["match"], r["score"]) == (
        "德化街街道",
        "410103010",
        "geocoder",
        online.SCORE,
    )
    assert "河南省郑州市二七区经三路66号" in r["note"]
    assert dehua["match"] == "alias" and dehua["score"] == 95  # offline, untouched
    assert fake.paths() == ["/v3/geocode/geo", "/v3/geocode/regeo"]
    assert fake.asked("address") == ["经三路66号", ""]  # 德化街 was never sent
    assert fake.requests[0][1]["city"] == "410100"
    assert (code, err) == (0, [])


def test_the_score_is_below_every_offline_name_tier():
    from jurisdiction.resolve import SCORE_ROAD, THRESHOLD

    assert online.SCORE < THRESHOLD <= SCORE_ROAD


def test_a_second_run_makes_no_request(fake, index):
    first = find(index, "经三路66号", "113.6650,34.7526", "无此地址1号")
    n = len(fake.requests)
    assert (
        n == 3
    )  # geo + regeo for the address (the position shares its regeo), geo for the unknown
    assert find(index, "经三路66号", "113.6650,34.7526", "无此地址1号") == first
    assert len(fake.requests) == n


def test_a_position_goes_to_regeo_only(fake, index):
    code, [r], _ = find(index, "113.6650,34.7526")
    assert (r["status"], r["station"], r["match"]) == ("found", "德化街派出所", "geocoder")
    assert fake.paths() == ["/v3/geocode/regeo"]
    assert fake.asked("location") == [DEHUA]
    assert code == 0


def test_a_gps_position_is_converted_to_gcj02(fake, index):
    find(index, "113.6650, 34.7526", crs="wgs84")
    lng, lat = map(float, fake.asked("location")[0].split(","))
    assert (round(lng, 6), round(lat, 6)) == (113.671103, 34.751486)


def test_wgs84_to_gcj02_reference_values():
    # the published formula's reference pair, and no shift outside China
    lng, lat = online.wgs84_to_gcj02(116.404, 39.915)
    assert (round(lng, 9), round(lat, 9)) == (116.410244499, 39.916404282)
    assert online.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_without_online_nothing_is_sent_whatever_the_environment(fake):
    env = {"JUR_AMAP_URL": fake.url, "JUR_AMAP_KEY": fake.key}
    for args in (
        ["find", "经三路66号", "113.6650,34.7526"],  # the fast path of launch.py
        ["find", "--crs", "wgs84", "经三路66号"],  # an option only Typer knows: the Typer path
    ):
        p = jur(*args, env=env)
        assert p.returncode == 1
        assert len(p.stdout.decode().splitlines()) == len(args) - (3 if "--crs" in args else 1)
    assert fake.requests == []


def test_the_cold_path_imports_nothing_of_the_online_step():
    code = (
        "import sys\n"
        "from jurisdiction.launch import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = [m for m in ('jurisdiction.online', 'urllib.request', 'http.client',\n"
        "       'concurrent.futures')\n"
        "       if m in sys.modules]\n"
        "sys.stderr.write(repr(bad))\n"
    )
    for args in (["find", "德化街"], ["find", "德化街", "--crs", "gcj02"]):
        p = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, cwd=str(ROOT.parent)
        )
        assert p.stderr.decode().endswith("[]"), (args, p.stderr.decode())
        assert "德化街派出所" in p.stdout.decode()


def test_cli_online_end_to_end(fake):
    env = {"JUR_AMAP_URL": fake.url, "JUR_AMAP_KEY": fake.key}
    p = jur("find", "--online", "-f", "tsv", "经三路66号", "德化街", env=env)
    lines = p.stdout.decode().splitlines()
    assert [ln.split("\t")[:4] for ln in lines] == [
        ["经三路66号", "found", "德化街派出所", "二七分局"],
        ["德化街", "found", "德化街派出所", "二七分局"],
    ]
    assert (p.returncode, p.stderr) == (0, b"")
    p = jur("find", "--online", "-f", "tsv", "经三路66号", env=env)  # same cache directory
    assert p.returncode == 0 and len(fake.requests) == 2


# --- what the service says -------------------------------------------------------------------


def test_no_result_keeps_the_offline_answer(fake, index):
    code, [r], err = find(index, "经七路99号")
    assert r["status"] == "not_found" and r["match"] is None
    assert r["note"].endswith("online: the geocoder knows no such place")
    assert fake.paths() == ["/v3/geocode/geo"]
    assert (code, err) == (1, [])


def test_a_place_outside_zhengzhou_is_not_found_and_says_where(fake, index):
    fake.add_address(
        "鼓楼街1号", address("114.35,34.80", "河南省开封市龙亭区鼓楼街1号", "龙亭区", "410202")
    )
    _, [r], _ = find(index, "鼓楼街1号")
    assert r["status"] == "not_found"
    assert "outside 郑州市: 河南省开封市龙亭区鼓楼街1号" in r["note"]
    assert fake.paths() == ["/v3/geocode/geo"]  # no township asked for


def test_a_place_outside_the_sub_bureaus_area_is_outside(fake, index):
    put(fake, "测试东路8号", "113.30,34.81", "济源路街道", "410106001000", district="上街区")
    code, [r], _ = find(index, "测试东路8号")
    assert (r["status"], r["station"], r["sub_bureau"]) == ("outside", None, None)
    assert (r["street"], r["district"], r["match"]) == ("济源路街道", "上街区", "geocoder")
    assert "outside the 11 sub-bureaus' area" in r["note"]
    assert code == 1


def test_the_township_name_decides_when_its_code_is_missing(fake, index):
    regeo = regeocode(
        formatted="河南省郑州市二七区德化街街道",
        district="二七区",
        adcode="410103",
        township="德化街街道",
        towncode="410103010000",
    )
    regeo["addressComponent"]["towncode"] = []  # an empty field, as the service sends it
    fake.add_position("113.600000,34.700000", regeo)
    _, [r], _ = find(index, "113.6,34.7")
    assert (r["status"], r["station"]) == ("found", "德化街派出所")


def test_an_unknown_township_keeps_the_offline_answer(fake, index):
    put(fake, "新路1号", "113.61,34.71", "新设街道", "410103999000")
    _, [r], _ = find(index, "新路1号")
    assert r["status"] == "not_found"
    assert "新设街道 (410103999000), which the dataset does not know" in r["note"]


def test_a_coarse_match_decides_nothing(fake, index):
    fake.add_address(
        "经三路", address("113.68,34.78", "河南省郑州市金水区经三路", "金水区", "410105", "道路")
    )
    _, [r], _ = find(index, "经三路")
    assert r["status"] == "not_found"
    assert "only a 道路" in r["note"] and "too coarse" in r["note"]
    assert fake.paths() == ["/v3/geocode/geo"]


def test_a_crossing_is_found_but_unverified(fake, index):
    put(
        fake,
        "农业路与丰庆路交叉口",
        "113.70,34.80",
        "德化街街道",
        "410103010000",
        level="道路交叉路口",
    )
    _, [r], _ = find(index, "农业路与丰庆路交叉口")
    assert (r["status"], r["station"], r["verified"]) == ("found", "德化街派出所", False)
    assert "boundary" in r["note"]


def test_a_position_the_service_knows_nothing_about(fake, index):
    _, [r], _ = find(index, "120.5,30.1")  # the fake answers with every field []
    assert r["status"] == "not_found"
    assert r["note"].endswith("online: the geocoder knows no place at this position")
    fake.add_position(
        "114.350000,34.800000",
        regeocode(
            formatted="河南省开封市龙亭区北道门街道",
            district="龙亭区",
            adcode="410202",
            township="北道门街道",
            towncode="410202001000",
        ),
    )
    _, [r], _ = find(index, "114.35,34.8")
    assert r["status"] == "not_found" and "outside 郑州市: 河南省开封市龙亭区" in r["note"]


def test_positions_outside_china_or_swapped_are_not_sent(fake, index):
    _, records, _ = find(index, "34.7526,113.6650", "2.35,48.85")
    assert "latitude,longitude" in records[0]["note"]
    assert "not a position in China" in records[1]["note"]
    assert fake.requests == []


def test_nothing_to_geocode_is_not_sent(fake, index):
    # a district or sub-bureau alone, no Chinese character, blank, longer than an address
    _, records, _ = find(index, "二七区", "郑州市二七分局", "zzz 12", "", "经三路" * 100)
    assert [r["status"] for r in records] == ["partial", "partial"] + ["not_found"] * 3
    _, records, _ = find(index, stdin=b"\n\xe7\xbb\x8f\xff66\n")  # blank, not UTF-8
    assert [r["status"] for r in records] == ["not_found", "not_found"]
    assert fake.requests == []


def test_a_metro_station_or_a_guess_from_a_name_prefix_is_not_sent(fake, index):
    # 燕庄站 is the metro (地铁分局 answers, not the station of the ground under it); 花园
    # begins several names: the geocoder would only guess among them too
    _, records, _ = find(index, "燕庄站", "郑州站", "花园")
    assert [r["status"] for r in records] == ["partial", "partial", "ambiguous"]
    assert [r["sub_bureau"] for r in records[:2]] == ["地铁分局", "火车站分局"]
    assert fake.requests == []


def test_several_places_in_different_streets_are_ambiguous_unless_a_district_picks(fake, index):
    sanguan = regeocode(
        formatted="河南省郑州市中原区三官庙街道",
        district="中原区",
        adcode="410102",
        township="三官庙街道",
        towncode="410102006000",
    )
    fake.add_position("113.620000,34.730000", sanguan)
    for text in ("建设路8号", "中原区建设路8号"):
        fake.add_address(
            text,
            address(DEHUA, "河南省郑州市二七区建设路8号", "二七区", "410103"),
            address("113.620000,34.730000", "河南省郑州市中原区建设路8号", "中原区", "410102"),
        )
    _, [r], _ = find(index, "建设路8号")
    assert r["status"] == "ambiguous"
    assert {"德化街街道", "三官庙街道"} <= {c["street"] for c in r["candidates"]}
    _, [r], _ = find(index, "中原区建设路8号")
    assert (r["status"], r["station"]) == ("found", "三官庙派出所")
    assert "中原区建设路8号" in r["note"]


# --- the user's words come first -------------------------------------------------------------


def test_a_district_written_that_disagrees_gives_ambiguous(fake, index):
    fake.add_address(
        "金水区经三路66号", address(DEHUA, "河南省郑州市二七区经三路66号", "二七区", "410103")
    )
    _, [r], _ = find(index, "金水区经三路66号")
    assert (r["status"], r["station"], r["match"]) == ("ambiguous", None, "geocoder")
    assert {(c["street"], c["district"]) for c in r["candidates"]} == {
        ("德化街街道", "二七区"),
        (None, "金水区"),
    }
    assert "not in 金水区 as written" in r["note"]


def test_a_district_written_that_agrees_is_found(fake, index):
    fake.add_address(
        "二七区经三路66号", address(DEHUA, "河南省郑州市二七区经三路66号", "二七区", "410103")
    )
    _, [r], _ = find(index, "二七区经三路66号")
    assert (r["status"], r["station"]) == ("found", "德化街派出所")


def test_a_district_agrees_with_a_township_of_the_zone_that_lies_on_it(fake, index):
    # 高新区's units lie on 中原区 (zhengdong.md): the same rule as offline, not a conflict
    put(fake, "中原区莲花街2号", "113.56,34.82", "石佛镇", "410172160000",
        district="中原区", adcode="410102")  # fmt: skip
    _, [r], _ = find(index, "中原区莲花街2号")
    assert (r["status"], r["station"], r["sub_bureau"]) == ("found", "石佛派出所", "高新分局")


def test_a_zone_beside_a_district_decides(fake, index):
    put(fake, "中原区高新区莲花街1号", "113.55,34.81", "石佛镇", "410172160000",
        district="中原区", adcode="410102")  # fmt: skip
    _, [r], _ = find(index, "中原区高新区莲花街1号")
    assert (r["status"], r["station"], r["sub_bureau"]) == ("found", "石佛派出所", "高新分局")


def test_ambiguous_offline_becomes_found_when_the_geocoder_picks_a_candidate(fake, index):
    put(fake, "三官庙", "113.62,34.73", "三官庙街道", "410102006000", district="中原区")
    _, [r], _ = find(index, "三官庙")
    assert (r["status"], r["station"], r["match"]) == ("found", "三官庙派出所", "geocoder")


def test_ambiguous_offline_stays_ambiguous_when_the_geocoder_picks_another(fake, index):
    put(fake, "三官庙", "113.62,34.73", "德化街街道", "410103010000")
    _, [r], _ = find(index, "三官庙")
    assert r["status"] == "ambiguous"
    assert [c["street"] for c in r["candidates"]][-1] == "德化街街道"
    assert {"三官庙街道", "三官庙镇"} <= {c["street"] for c in r["candidates"]}
    assert "none of the names that fit" in r["note"]


def test_a_number_on_a_road_is_decided_by_the_geocoder(fake, index):
    # offline: 花园路124号 is partial (a road that shares 花园路街道's name)
    put(fake, "花园路124号", "113.68,34.79", "文化路街道", "410105008000", district="金水区")
    _, [r], _ = find(index, "花园路124号")
    assert (r["status"], r["station"], r["sub_bureau"]) == ("found", "文化路派出所", "金水分局")


# --- failures --------------------------------------------------------------------------------


def test_an_invalid_key_stops_everything_after_one_request(fake, index, monkeypatch):
    monkeypatch.setenv("JUR_AMAP_KEY", "wrong-key")
    queries = ["经三路66号", "经四路1号", "经五路2号", "经六路3号", "德化街"]
    code, records, err = find(index, *queries, online_workers=3)
    assert code == 2
    assert [r["query"] for r in records] == queries  # nothing is lost
    assert [r["status"] for r in records] == ["not_found"] * 4 + ["found"]
    assert all("online lookup stopped" in r["note"] for r in records[:4])
    assert len(fake.requests) == 1
    assert len(err) == 1 and "INVALID_USER_KEY" in err[0]


def test_invalid_key_from_the_cli_one_line_no_traceback_and_no_key(fake):
    env = {"JUR_AMAP_URL": fake.url, "JUR_AMAP_KEY": "secret-wrong-key-123"}
    p = jur("find", "--online", "--explain", "经三路66号", "经四路1号", env=env)
    assert p.returncode == 2
    stderr = p.stderr.decode()
    online_lines = [ln for ln in stderr.splitlines() if not ln.startswith("explain ")]
    assert len(online_lines) == 1 and online_lines[0].startswith("jur: online lookups stopped")
    assert "Traceback" not in stderr
    assert len(p.stdout.decode().splitlines()) == 2
    assert "secret-wrong-key-123" not in p.stdout.decode() + stderr
    assert len(fake.requests) == 1


@pytest.mark.parametrize("refusal", ["quota", "account_quota"])
def test_an_exhausted_quota_stops_further_requests(fake, index, refusal):
    put(fake, "经四路1号", "113.67,34.76", "德化街街道", "410103010000")
    fake.script = [None, None, refusal]  # 经三路66号 is answered; 经四路1号's geo is refused
    code, records, err = find(index, "经三路66号", "经四路1号", "经五路2号", online_workers=1)
    assert code == 2
    assert [r["status"] for r in records] == ["found", "not_found", "not_found"]
    assert len(fake.requests) == 3  # nothing after the refusal
    assert len(err) == 1 and "quota" in err[0]


def test_too_frequent_then_success(fake, index):
    fake.script = ["too_frequent", "too_frequent"]
    code, [r], err = find(index, "经三路66号")
    assert (r["status"], r["station"]) == ("found", "德化街派出所")
    assert fake.paths() == ["/v3/geocode/geo"] * 3 + ["/v3/geocode/regeo"]
    assert (code, err) == (0, [])


def test_too_frequent_for_ever_keeps_the_offline_answer(fake, index, monkeypatch):
    monkeypatch.setattr(online.client, "RETRIES", 2)
    fake.mode = "too_frequent"
    code, [r], err = find(index, "经三路66号")
    assert r["status"] == "not_found" and "too frequent" in r["note"]
    assert len(fake.requests) == 3
    assert code == 1 and len(err) == 1 and "offline only" in err[0]


def test_a_5xx_is_retried(fake, index):
    fake.script = ["http503"]
    code, [r], _ = find(index, "经三路66号")
    assert (r["status"], code) == ("found", 0)


def test_a_timeout_is_retried_then_reported(fake, index, monkeypatch):
    monkeypatch.setattr(online.client, "RETRIES", 1)
    fake.mode = "hang"
    code, [r], err = find(index, "经三路66号", online_timeout=0.2)
    assert r["status"] == "not_found" and "no answer within 0.2 s" in r["note"]
    assert len(fake.requests) == 2
    assert code == 1 and len(err) == 1


def test_a_timeout_then_success(fake, index):
    fake.script = ["hang"]
    code, [r], _ = find(index, "经三路66号", online_timeout=0.2)
    assert (r["status"], code) == ("found", 0)


@pytest.mark.parametrize("action", ["malformed", "not_object"])
def test_a_malformed_answer_keeps_the_offline_answer(fake, index, action):
    fake.script = [action]
    code, [r, d], err = find(index, "经三路66号", "德化街")
    assert r["status"] == "not_found" and "online lookup gave an answer that is not" in r["note"]
    assert d["status"] == "found"
    assert (code, err) == (1, [])  # one query not found; the service was reachable


def test_an_unexpected_error_infocode_keeps_the_offline_answer(fake, index):
    fake.script = ["invalid_params"]
    _, [r], err = find(index, "经三路66号")
    assert "INVALID_PARAMS (20000)" in r["note"] and err == []


def test_a_service_that_is_down_leaves_the_offline_answers(fake):
    env = {"JUR_AMAP_URL": closed_port_url(), "JUR_AMAP_KEY": "k"}
    queries = ["经三路66号", "德化街", "经四路1号", "经五路2号", "经六路3号", "经七路4号"]
    p = jur("find", "--online", "--online-rate", "100", "-f", "jsonl", *queries, env=env)
    assert p.returncode == 1
    records = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r["query"] for r in records] == queries
    assert records[1]["status"] == "found"
    assert all(r["status"] == "not_found" for i, r in enumerate(records) if i != 1)
    notes = [r["note"] for i, r in enumerate(records) if i != 1]
    assert sum("lookup failed: cannot connect: Connection refused" in n for n in notes) == 3
    assert sum("skipped: the service is unreachable" in n for n in notes) == 2
    lines = p.stderr.decode().splitlines()
    assert len(lines) == 1 and "offline only" in lines[0] and "Traceback" not in lines[0]


def test_online_without_a_key_is_a_usage_error(fake, index, monkeypatch):
    monkeypatch.delenv("JUR_AMAP_KEY")
    code, records, err = find(index, "经三路66号")
    assert (code, records) == (2, [])
    assert err == [
        "jur: --online needs an AMap web-service key in the environment variable JUR_AMAP_KEY"
    ]


# --- batches ---------------------------------------------------------------------------------


def test_batch_order_is_kept_while_lookups_run_at_once(fake, index):
    # 路2号's answer waits until the fake has been asked about 路5号: four lookups are in
    # flight together, and the answers still come out in input order.
    towns = [("410103010000", "德化街街道", "二七区"), ("410102006000", "三官庙街道", "中原区"),
             ("410105008000", "文化路街道", "金水区")]  # fmt: skip
    queries = [f"测试路{i}号" for i in range(1, 9)]
    for i, q in enumerate(queries):
        code, name, district = towns[i % 3]
        put(fake, q, f"113.{600000 + i:06d},34.700000", name, code, district=district)
    asked_last = threading.Event()
    original = fake.handle

    def handle(h):
        if "%E6%B5%8B%E8%AF%95%E8%B7%AF5%E5%8F%B7" in h.path:  # 测试路5号
            asked_last.set()
        if "%E6%B5%8B%E8%AF%95%E8%B7%AF2%E5%8F%B7" in h.path:  # 测试路2号
            asked_last.wait(5)
        original(h)

    fake.handle = handle
    code, records, _ = find(index, stdin="\n".join(queries) + "\n", online_workers=4)
    assert asked_last.is_set()
    assert [r["query"] for r in records] == queries
    assert [r["street"] for r in records] == [towns[i % 3][1] for i in range(8)]
    assert code == 0


def test_the_same_address_twice_is_asked_once(fake, index):
    find(index, "经三路66号", "经三路66号", "经三路 66号", online_workers=3)
    assert fake.paths() == ["/v3/geocode/geo", "/v3/geocode/regeo"]


# --- the cache -------------------------------------------------------------------------------


def cache_file(scratch_cache) -> str:
    return os.path.join(str(scratch_cache), online.CACHE_DIR, online.CACHE_FILE)


def test_the_cache_holds_answers_and_dates_never_the_key(fake, index, scratch_cache):
    find(index, "经三路66号", "经七路99号")
    rows = [json.loads(line) for line in open(cache_file(scratch_cache), encoding="utf-8")]
    by_key = {r["k"]: r for r in rows}
    assert sorted(by_key) == ["geo|410100|经七路99号", "geo|410100|经三路66号", f"regeo|{DEHUA}"]
    assert {r["d"] for r in rows} == {date.today().isoformat()}
    assert by_key["geo|410100|经七路99号"]["v"] == []  # "no such place" is an answer too
    assert fake.key not in open(cache_file(scratch_cache), encoding="utf-8").read()


def test_max_age_bounds_the_cached_answers(fake, index, scratch_cache):
    find(index, "经三路66号")
    path = cache_file(scratch_cache)
    old = (date.today() - timedelta(days=10)).isoformat()
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({**r, "d": old}, ensure_ascii=False) + "\n")
    find(index, "经三路66号", online_max_age=30)
    assert len(fake.requests) == 2  # ten days old is young enough
    find(index, "经三路66号", online_max_age=5)
    assert len(fake.requests) == 4  # too old: asked again


def test_a_damaged_cache_is_ignored(fake, index, scratch_cache):
    path = cache_file(scratch_cache)
    os.makedirs(os.path.dirname(path))
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"k": "geo|410100|经三路66号", "d": "not a date", "v": []}\nnot json\n')
    _, [r], _ = find(index, "经三路66号")
    assert r["status"] == "found"
