"""Strict loading: every broken dataset is refused with FILE:LINE: message and exit 2, by
`jur validate` and by `jur find` alike, with no traceback and nothing executed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jurisdiction import DataError
from jurisdiction.dataset import parse_dataset, parse_yaml

from conftest import err, jur, out

LINE = re.compile(r"^(?P<file>[^\n]+\.yaml):(?P<line>\d+): (?P<msg>.+)$")


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(DataError) as e:
        parse_dataset(directory)
    return e.value.lines()


# Each breaks a copy of the shipped dataset: (name, function(dir) -> None, file, message part)
def _tag(d):
    replace_once(
        d / "streets.yaml",
        "code: '410103010'",
        "code: !!python/object/apply:os.system ['touch PWNED']",
    )


def _tag_plain(d):
    replace_once(d / "streets.yaml", "district: 二七区", "district: !custom 二七区")


def _alias(d):
    replace_once(d / "streets.yaml", "- name: 林山寨街道", "- name: &a 林山寨街道")
    replace_once(d / "streets.yaml", "short: 林山寨", "short: *a")


def _duplicate_key(d):
    replace_once(d / "streets.yaml", "  short: 德化街\n", "  short: 德化街\n  short: 德化\n")


def _missing_station(d):
    replace_once(d / "streets.yaml", "station: 德化街派出所", "station: 不存在派出所")


def _two_streets_one_station(d):
    replace_once(d / "streets.yaml", "station: 德化街派出所", "station: 铭功路派出所")


def _non_utf8(d):
    data = (d / "units.yaml").read_bytes()
    (d / "units.yaml").write_bytes(data.replace("二七分局".encode(), "二七分局".encode("gbk"), 1))


def _empty(d):
    (d / "streets.yaml").write_text("", encoding="utf-8")


def _missing_file(d):
    (d / "units.yaml").unlink()


def _unknown_key(d):
    replace_once(d / "streets.yaml", "  short: 德化街\n", "  short: 德化街\n  shrot: typo\n")


def _missing_key(d):
    replace_once(
        d / "streets.yaml",
        "  district: 二七区\n  kind: 街道\n  short: 德化街\n",
        "  kind: 街道\n  short: 德化街\n",
    )


def _station_twice(d):
    replace_once(
        d / "units.yaml",
        "  - name: 马寨派出所\n",
        "  - name: 马寨派出所\n    source: rule\n  - name: 侯寨派出所\n",
    )


def _bureau_twice(d):
    replace_once(d / "units.yaml", "- name: 地铁分局", "- name: 火车站分局")


def _idle_station(d):
    replace_once(d / "streets.yaml", "station: 德化街派出所", "station: null")


def _wrong_shape(d):
    (d / "streets.yaml").write_text("name: 德化街街道\ncode: '1'\n", encoding="utf-8")


def _empty_station_name(d):
    replace_once(d / "units.yaml", "  - name: 马寨派出所", "  - name: ''")


def _int_code(d):
    replace_once(d / "streets.yaml", "code: '410103010'", "code: 410103010")


def _syntax(d):
    replace_once(d / "streets.yaml", "- name: 德化街街道", "- name: [德化街街道")


def _community_missing_street(d):
    replace_once(d / "communities.yaml", "  street: '410102001'", "  street: '410102999'")


def _community_code_twice(d):
    replace_once(d / "communities.yaml", "code: '410102001003'", "code: '410102001002'")


def _community_unknown_key(d):
    replace_once(d / "communities.yaml", "  kind: community", "  knd: community")


def _place_missing_station(d):
    replace_once(d / "places.yaml", "station: 郑州东站派出所", "station: 郑州西站派出所")


def _place_two_targets(d):
    replace_once(
        d / "places.yaml",
        "  station: 郑州东站派出所",
        "  station: 郑州东站派出所\n  sub_bureau: 郑东分局",
    )


def _place_unknown_source(d):
    replace_once(d / "places.yaml", "source: news-huizhan", "source: news-nowhere")


def _place_twice(d):
    text = (d / "places.yaml").read_text(encoding="utf-8")
    (d / "places.yaml").write_text(
        text
        + "- name: 郑州站\n  kind: railway-station\n  sub_bureau: 火车站分局\n  source: rule\n",
        encoding="utf-8",
    )


def _community_anchor(d):
    replace_once(d / "communities.yaml", "- name: 碧沙岗社区居委会", "- name: &x 碧沙岗社区居委会")


BROKEN = [
    (
        "community-missing-street",
        _community_missing_street,
        "communities.yaml",
        "not a street's code",
    ),
    ("community-code-twice", _community_code_twice, "communities.yaml", "used twice"),
    ("community-unknown-key", _community_unknown_key, "communities.yaml", "unknown key 'knd'"),
    ("community-anchor", _community_anchor, "communities.yaml", "anchor"),
    ("place-missing-station", _place_missing_station, "places.yaml", "is not a station"),
    ("place-two-targets", _place_two_targets, "places.yaml", "exactly one of"),
    ("place-unknown-source", _place_unknown_source, "places.yaml", "not in units.sources"),
    ("place-twice", _place_twice, "places.yaml", "named twice"),
    ("tag", _tag, "streets.yaml", "tag"),
    ("custom-tag", _tag_plain, "streets.yaml", "tag"),
    ("alias", _alias, "streets.yaml", "anchor"),
    ("duplicate-key", _duplicate_key, "streets.yaml", "duplicate key 'short'"),
    ("missing-station", _missing_station, "streets.yaml", "does not exist"),
    ("two-streets-one-station", _two_streets_one_station, "streets.yaml", "serves two streets"),
    ("non-utf8", _non_utf8, "units.yaml", "not valid UTF-8"),
    ("empty", _empty, "streets.yaml", "empty file"),
    ("missing-file", _missing_file, "units.yaml", "missing file"),
    ("unknown-key", _unknown_key, "streets.yaml", "unknown key 'shrot'"),
    ("missing-key", _missing_key, "streets.yaml", "missing required key 'district'"),
    ("station-twice", _station_twice, "units.yaml", "named twice"),
    ("bureau-twice", _bureau_twice, "units.yaml", "named twice"),
    ("idle-station", _idle_station, "units.yaml", "serves no street"),
    ("wrong-shape", _wrong_shape, "streets.yaml", "must be a list"),
    ("empty-station-name", _empty_station_name, "units.yaml", "must not be empty"),
    ("int-code", _int_code, "streets.yaml", "quoted string"),
    ("syntax", _syntax, "streets.yaml", "YAML syntax error"),
]


@pytest.mark.parametrize("name,breaker,fname,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_dataset_is_refused_by_the_loader(data_copy, name, breaker, fname, message):
    breaker(data_copy)
    lines = problems_of(data_copy)
    assert lines, name
    first = LINE.match(lines[0])
    assert first, lines[0]
    assert first["file"].endswith(fname)
    assert int(first["line"]) >= 1
    assert any(message in ln for ln in lines), lines


@pytest.mark.parametrize(
    "name,breaker,fname,message",
    [
        b
        for b in BROKEN
        if b[0]
        in {
            "tag",
            "alias",
            "duplicate-key",
            "missing-station",
            "two-streets-one-station",
            "non-utf8",
            "empty",
            "missing-file",
            "community-missing-street",
            "community-code-twice",
            "place-missing-station",
        }
    ],
    ids=lambda v: v if isinstance(v, str) and not v.endswith(".yaml") else None,
)
def test_broken_dataset_cli_exits_2_without_traceback(
    data_copy, tmp_path, name, breaker, fname, message
):
    breaker(data_copy)
    for args in (
        ["validate", "--data", str(data_copy)],
        ["find", "德化街", "--data", str(data_copy)],
    ):
        p = jur(*args)
        assert p.returncode == 2, (args, err(p))
        assert out(p) == ""
        assert "Traceback" not in err(p)
        lines = err(p).strip().splitlines()
        assert lines and all(LINE.match(ln) for ln in lines), lines
        assert fname in lines[0] and any(message in ln for ln in lines)
    assert not Path("PWNED").exists() and not (tmp_path / "PWNED").exists()


def test_the_same_problem_through_jur_data_env(data_copy):
    _missing_station(data_copy)
    p = jur("find", "德化街", env={"JUR_DATA": str(data_copy)})
    assert p.returncode == 2 and "does not exist" in err(p)


def test_every_problem_is_listed_at_once(data_copy):
    _missing_station(data_copy)
    _unknown_key(data_copy)
    replace_once(data_copy / "streets.yaml", "code: '410102001'", "code: 410102001")
    lines = problems_of(data_copy)
    assert len(lines) == 3
    assert [ln for ln in lines if "quoted string" in ln]
    assert [ln for ln in lines if "does not exist" in ln]
    assert [ln for ln in lines if "shrot" in ln]


def test_line_numbers_point_at_the_problem(data_copy):
    _missing_station(data_copy)
    text = (data_copy / "streets.yaml").read_text(encoding="utf-8").splitlines()
    line = int(LINE.match(problems_of(data_copy)[0])["line"])
    assert "不存在派出所" in text[line - 1]


def test_billion_laughs_is_refused_at_the_first_anchor(tmp_path):
    lol = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lol.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(DataError) as e:
        parse_yaml("\n".join(lol) + "\n", "units.yaml")
    assert "anchor '&a'" in e.value.lines()[0]
    assert e.value.lines()[0].startswith("units.yaml:1:")


@pytest.mark.parametrize("depth", [100, 5000])
def test_deep_nesting_is_refused(depth):
    text = "[" * depth + "]" * depth + "\n"
    with pytest.raises(DataError) as e:
        parse_yaml(text, "streets.yaml")
    assert e.value.lines()[0].startswith("streets.yaml:1:")
    assert "nesting" in e.value.lines()[0]


def test_huge_file_is_refused_before_reading(data_copy):
    big = data_copy / "streets.yaml"
    with open(big, "ab") as f:
        f.truncate(600 * 2**20)  # sparse: nothing is written, nothing is read
    p = jur("validate", "--data", str(data_copy))
    assert p.returncode == 2
    assert "limit is 512 MiB" in err(p) and "Traceback" not in err(p)


def test_multiple_documents_are_refused():
    with pytest.raises(DataError) as e:
        parse_yaml("- a\n---\n- b\n", "streets.yaml")
    assert "more than one YAML document" in e.value.lines()[0]


def test_plain_scalars_resolve_strictly():
    doc = parse_yaml("a: true\nb: '1'\nc: 12\nd: null\ne: yes\nf: 2020-10-20\n", "x.yaml")
    assert doc == {"a": True, "b": "1", "c": 12, "d": None, "e": "yes", "f": "2020-10-20"}


def test_a_bom_is_accepted(data_copy):
    path = data_copy / "units.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert parse_dataset(data_copy).sub_bureaus[0].name == "金水分局"


def test_validate_ok_on_shipped_data():
    p = jur("validate")
    assert p.returncode == 0
    assert "11 sub-bureaus, 94 stations, 207 streets" in out(p)
