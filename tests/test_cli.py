"""The command line as a user meets it: exit codes, stdout and stderr checked apart."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import ERQI, REFERENCE, ROOT, TERRITORIAL_DISTRICTS, err, jur, out

ERQI_STATIONS = [n + "派出所" for n in ERQI]


def jsonl(p) -> list[dict]:
    return [json.loads(line) for line in out(p).splitlines()]


def test_find_dehuajie_jsonl():
    p = jur("find", "德化街", "-f", "jsonl")
    assert p.returncode == 0 and err(p) == ""
    [r] = jsonl(p)
    assert (r["status"], r["station"], r["sub_bureau"], r["query"]) == (
        "found",
        "德化街派出所",
        "二七分局",
        "德化街",
    )
    assert list(r)[:7] == [
        "query",
        "status",
        "station",
        "sub_bureau",
        "street",
        "district",
        "score",
    ]


def test_find_piped_defaults_to_tsv():
    p = jur("find", "德化街")
    assert p.returncode == 0
    assert out(p) == "德化街\tfound\t德化街派出所\t二七分局\t德化街街道\t二七区\t95\n"


def test_tsv_header_and_fields():
    p = jur("find", "德化街", "--header", "-o", "query,station,sub_bureau")
    assert out(p) == "query\tstation\tsub_bureau\n德化街\t德化街派出所\t二七分局\n"
    p = jur("find", "德化街", "-f", "jsonl", "-o", "station,score")
    assert jsonl(p) == [{"station": "德化街派出所", "score": 95}]


def test_unknown_field_and_format_are_usage_errors():
    for args in (
        ["find", "德化街", "-o", "query,nope"],
        ["find", "德化街", "-f", "xml"],
        ["roster", "不存在"],
        ["list", "cities"],
    ):
        p = jur(*args)
        assert p.returncode == 2, args
        assert out(p) == ""
        assert "Traceback" not in err(p) and err(p).strip(), args


def test_exit_1_when_any_query_is_not_found_and_all_records_printed():
    p = jur("find", "德化街", "不存在的地方", "三官庙")
    assert p.returncode == 1
    lines = out(p).splitlines()
    assert [ln.split("\t")[1] for ln in lines] == ["found", "not_found", "ambiguous"]


def test_stdin_one_record_per_line_in_order_blank_and_undecodable_included():
    data = "德化街\n\n".encode() + b"\xff\xfe\xfd\n" + "三官庙\r\n金水区花园路26号".encode()
    p = jur("find", "-f", "jsonl", stdin=data)
    assert p.returncode == 1 and err(p) == ""
    rows = jsonl(p)
    assert [r["status"] for r in rows] == [
        "found",
        "not_found",
        "not_found",
        "ambiguous",
        "partial",
    ]
    assert rows[3]["query"] == "三官庙"  # CR removed
    assert rows[2]["note"] == "not valid UTF-8"


def test_dash_reads_stdin_and_bom_is_dropped():
    p = jur("find", "-", stdin=b"\xef\xbb\xbf" + "德化街\n".encode())
    assert out(p).split("\t")[:3] == ["德化街", "found", "德化街派出所"]


def test_tsv_escapes_tabs_and_csv_quotes():
    p = jur("find", "-f", "tsv", stdin="德化\t街\n".encode())
    assert out(p).split("\t")[0] == "德化\\t街"
    assert len(out(p).rstrip("\n").split("\t")) == 7
    p = jur("find", '德化街,"x"', "-f", "csv")
    rows = list(csv.reader(io.StringIO(out(p))))
    assert rows[0][:3] == ["query", "status", "station"]
    assert rows[1][0] == '德化街,"x"'
    assert out(p).endswith("\r\n")


def test_json_is_one_array():
    p = jur("find", "德化街", "二七", "-f", "json")
    data = json.loads(out(p))
    assert [r["status"] for r in data] == ["found", "partial"]


@pytest.mark.parametrize("name", ["二七", "二七区", "二七分局", "erqi", "郑州市公安局二七分局"])
def test_roster_erqi_lists_the_reports_sixteen(name):
    p = jur("roster", name, "-f", "jsonl")
    assert p.returncode == 0 and err(p) == ""
    rows = jsonl(p)
    assert [r["station"] for r in rows] == ERQI_STATIONS
    assert all(r["sub_bureau"] == "二七分局" and len(r["streets"]) == 1 for r in rows)


def test_roster_without_name_lists_every_sub_bureau():
    p = jur("roster", "-f", "jsonl")
    rows = jsonl(p)
    assert len(rows) == 11 and rows[1] == {
        "sub_bureau": "二七分局",
        "kind": "territorial",
        "area": ["二七区"],
        "stations": 16,
        "full_name": "郑州市公安局二七分局",
    }


def test_roster_of_a_special_sub_bureau_says_stations_unknown():
    p = jur("roster", "地铁分局")
    assert p.returncode == 0 and out(p) == ""
    assert "not yet known" in err(p)


def test_roster_of_a_district_includes_units_run_by_zhengdong():
    rows = jsonl(jur("roster", "金水区", "-f", "jsonl"))
    bureaus = {r["sub_bureau"] for r in rows}
    assert bureaus == {"金水分局", "郑东分局"} and len(rows) == 24


def test_list_sub_bureaus():
    p = jur("list", "sub-bureaus", "-f", "jsonl")
    rows = jsonl(p)
    assert [r["sub_bureau"] for r in rows][:3] == ["金水分局", "二七分局", "中原分局"] and len(
        rows
    ) == 11


@pytest.mark.parametrize(
    "what,count",
    [("districts", 16), ("stations", 94), ("streets", 207), ("communities", 3140), ("places", 620)],
)
def test_list_counts(what, count):
    p = jur("list", what, "-f", "jsonl")
    assert p.returncode == 0 and len(out(p).splitlines()) == count


def test_all_207_official_names_through_stdin():
    """Issue 2's acceptance, with the four lines whose name two units share qualified by
    their district (the bare shared name is ambiguous: see test_resolve)."""
    with open(REFERENCE / "zhengzhou-townships.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = [r["name"] for r in rows]
    lines = [
        r["district_name"] + r["name"] if names.count(r["name"]) > 1 else r["name"] for r in rows
    ]
    p = jur("find", "-f", "jsonl", stdin="\n".join(lines) + "\n")
    answers = jsonl(p)
    assert len(answers) == 207
    served = TERRITORIAL_DISTRICTS
    zhongmou_zd = {"410122570", "410122571", "410122105"}
    wrong = []
    stations = []
    for r, a in zip(rows, answers, strict=True):
        inside = r["district_name"] in served or r["code"] in zhongmou_zd
        if inside and (a["status"], a["code"]) != ("found", r["code"]):
            wrong.append((r["name"], a["status"], a["code"]))
        if not inside and a["status"] != "outside":
            wrong.append((r["name"], a["status"]))
        if inside:
            stations.append(a["station"])
    assert wrong == []
    assert len(stations) == 90 == len(set(stations))


def test_show_station_and_sub_bureau():
    r = json.loads(out(jur("show", "德化街派出所", "-f", "json")))
    assert r["type"] == "station" and r["sub_bureau"] == "二七分局"
    assert [t["name"] for t in r["teams"]] == ["社区警务队", "案件办理队", "综合指挥室"]
    assert r["streets"][0]["name"] == "德化街街道"
    r = json.loads(out(jur("show", "二七", "-f", "json")))
    assert (
        r["type"] == "sub_bureau"
        and r["address"] == "郑州市二七区淮南街7号"
        and len(r["stations"]) == 16
    )
    p = jur("show", "火车站分局", "-f", "table")
    assert "stations    its stations are not yet known" in out(p)


def test_show_needs_a_name_of_one_station():
    p = jur("show", "南曹乡")
    assert p.returncode == 2 and out(p) == "" and "names 2 stations" in err(p)
    p = jur("show", "新华路")
    assert p.returncode == 2 and "outside" in err(p)
    p = jur("show", "三官庙", "-f", "json")  # one of the two places has a station: that one
    assert json.loads(out(p))["name"] == "三官庙派出所"


def test_tree():
    p = jur("tree", "二七", "-f", "table")
    lines = out(p).splitlines()
    assert lines[0] == "郑州市公安局" and lines[1] == "└── 二七分局 (16)" and len(lines) == 18
    p = jur("tree", "-f", "json")
    assert len(json.loads(out(p))["sub_bureaus"]) == 11


def test_version():
    p = jur("--version")
    assert p.returncode == 0 and out(p).startswith("jur 1.1.0 (dataset edition 2020-10-20)")


@pytest.mark.parametrize(
    "command", [[], ["find"], ["roster"], ["show"], ["list"], ["tree"], ["validate"]]
)
def test_every_command_has_help(command):
    p = jur(*command, "--help")
    assert p.returncode == 0 and "Usage: jur" in out(p)
    assert len(out(p).splitlines()) > 5


def display_width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_every_help_page_fits_80_columns():
    """Click wraps by characters; a CJK character takes two columns. Every line of every
    help page, rendered for an 80-column terminal, must fit."""
    wide = []
    for command in ([], ["find"], ["roster"], ["show"], ["list"], ["tree"], ["validate"]):
        p = jur(*command, "--help", env={"COLUMNS": "80"})
        for line in out(p).splitlines():
            if display_width(line) > 80:
                wide.append((" ".join(command), display_width(line), line))
    assert wide == []


def test_top_level_help_golden():
    """The examples stay one per line, their descriptions aligned in one display column."""
    p = jur("--help", env={"COLUMNS": "80"})
    path = GOLDEN / "help.txt"
    if os.environ.get("JUR_UPDATE_GOLDEN"):
        path.write_text(out(p), encoding="utf-8")
    assert out(p) == path.read_text(encoding="utf-8")
    examples = [ln for ln in out(p).splitlines() if ln.startswith("    jur ")]
    assert len(examples) == 5
    starts = set()
    for ln in examples:
        cmd_end = ln.index("  ", 4)
        desc = ln[cmd_end:].lstrip()
        starts.add(display_width(ln[: len(ln) - len(desc)]))
    assert len(starts) == 1


def test_explain_and_limit():
    p = jur("find", "鄭州市二七區德化街街道办事处", "-f", "jsonl", "--explain")
    [r] = jsonl(p)
    assert any("traditional" in s for s in r["explain"])
    p = jur("find", "德化街", "--explain")
    assert "explain 德化街:" in err(p)
    p = jur("find", "三官庙", "-f", "jsonl", "-n", "1")
    assert len(jsonl(p)[0]["candidates"]) == 1


FAST_CASES = [
    ["find", "德化街"],
    ["find", "德化街", "-f", "jsonl"],
    ["find", "三官庙", "花园路26号", "-f", "json", "-n", "2"],
    ["find", "德化街", "--header", "-o", "query,station"],
    ["find", "德化街", "--format=csv", "--explain"],
    ["find", "--", "-德化街"],
    ["find", "德化街", "-f", "tsv", "--limit=3"],
]


@pytest.mark.parametrize("args", FAST_CASES, ids=[" ".join(a) for a in FAST_CASES])
def test_fast_path_answers_exactly_as_the_typer_app(args):
    fast = jur(*args)
    slow = jur(*args, env={"JUR_NO_FAST": "1"})
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


def test_closed_pipe_is_quiet():
    cmd = f"{sys.executable} -m jurisdiction roster 二七 | head -1"
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, cwd=ROOT.parent)
    assert p.stderr == b"" and p.stdout.decode().startswith("二七分局\t马寨派出所")


def test_console_script_runs_from_another_folder(tmp_path):
    exe = ROOT / ".venv" / "bin" / "jur"
    candidates = [exe, *(p / "jur" for p in map(__import__("pathlib").Path, [sys.prefix + "/bin"]))]
    script = next((c for c in candidates if c.exists()), None)
    if script is None:
        pytest.skip("console script not installed")
    p = subprocess.run([str(script), "find", "德化街"], capture_output=True, cwd=tmp_path)
    assert p.returncode == 0 and "德化街派出所" in p.stdout.decode()


GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize(
    "name,args",
    [
        ("find_table", ["find", "德化街", "三官庙", "郑州市二七区淮南街7号", "-f", "table"]),
        ("roster_erqi_table", ["roster", "二七", "-f", "table"]),
        ("roster_table", ["roster", "-f", "table"]),
        ("show_station", ["show", "德化街派出所", "-f", "table"]),
    ],
)
def test_golden_tables_at_fixed_width(name, args):
    p = jur(*args, env={"COLUMNS": "100"})
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("JUR_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        path.write_text(out(p), encoding="utf-8")
    assert out(p) == path.read_text(encoding="utf-8")


def test_show_a_station_lists_its_communities_and_villages():
    p = jur("show", "林山寨派出所", "-f", "json")
    r = json.loads(out(p))
    assert len(r["communities"]) == 11
    assert r["communities"][0] == {
        "name": "碧沙岗社区居委会",
        "code": "410102001002",
        "kind": "community",
    }
    p = jur("show", "林山寨派出所", "-f", "table")
    assert "communities 11 (11 communities):" in out(p) and "郑州日报社区居委会" in out(p)
    p = jur("show", "会展中心派出所", "-f", "table")
    assert "places      会展中心" in out(p)


def test_find_gives_the_place_that_decided():
    p = jur("find", "碧沙岗社区", "燕庄站", "-f", "jsonl")
    first, second = jsonl(p)
    assert first["place"] == "碧沙岗社区居委会" and first["station"] == "林山寨派出所"
    assert second["place"] == "燕庄站 (1号线、6号线)" and second["sub_bureau"] == "地铁分局"
    p = jur("find", "碧沙岗社区", "-o", "query,station,place")
    assert out(p) == "碧沙岗社区\t林山寨派出所\t碧沙岗社区居委会\n"


def test_list_communities_and_places_say_who_answers():
    rows = jsonl(jur("list", "communities", "-f", "jsonl"))
    first = rows[0]
    assert (first["community"], first["station"], first["sub_bureau"]) == (
        "碧沙岗社区居委会",
        "林山寨派出所",
        "中原分局",
    )
    assert sum(1 for r in rows if r["station"]) == 1004
    places = {
        r["place"]: r
        for r in jsonl(jur("list", "places", "-f", "jsonl"))
        if r["kind"] != "metro-station"
    }
    assert places["郑州东站"]["station"] == "郑州东站派出所"
    assert places["郑州站"]["sub_bureau"] == "火车站分局" and places["郑州站"]["station"] is None


def test_table_notes_name_the_communities_that_compete():
    p = jur("find", "申庄村", "-f", "table", env={"COLUMNS": "100"})
    assert "申庄村民委员会, 花园口镇 (惠济区) → 花园口派出所" in out(p)
    assert "申庄村委会, 刘河镇 (荥阳市) → outside" in out(p)
