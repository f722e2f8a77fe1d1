"""`jur annotate` (the spreadsheet workflow) and the encodings `find` and `annotate` read."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, err, jur, out

EXAMPLE = ROOT / "docs" / "annotate-example.csv"
GOLDEN = ROOT / "tests" / "golden" / "annotate_example.csv"
ANSWER_COLUMNS = ["station", "sub_bureau", "street", "district", "status", "score", "note"]

# Cells that a careless round trip breaks: separators, quotes, line breaks, leading zeros,
# long digit strings (an ID number must not become 4.10103E+17), spaces, a formula-like text.
AWKWARD = [
    ["编号", "地址", "证件号码", "备注"],
    ["007", "德化街", "410103199001011234", "逗号, 和，全角"],
    ["0012", "郑州市二七区德化街街道某某小区3号楼", "41010319900101123X", '他说"你好"'],
    ["1", "碧沙岗社区", "000000000000000001", "第一行\n第二行\r\n第三行"],
    ["2", "三官庙", "1234567890123456789012", "  前后空格  "],
    ["3", "", "=1+1", "\t制表符"],
]


def read_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def golden_rows() -> list[list[str]]:
    return read_rows(GOLDEN.read_text(encoding="utf-8"))


# --- golden: the example file in every encoding, as CSV and TSV --------------------------


def test_the_example_file_gives_the_golden_table():
    p = jur("annotate", str(EXAMPLE), "--column", "区县", "--column", "地址")
    assert p.returncode == 1 and err(p) == ""  # not every row is found: exit 1, as find
    assert out(p) == GOLDEN.read_text(encoding="utf-8")
    rows = golden_rows()
    assert rows[0][-7:] == ANSWER_COLUMNS
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["0001"][6:8] == ["德化街派出所", "二七分局"]
    assert by_id["0003"][6] == "郑州东站派出所"  # no district column given: the place decides
    assert by_id["0006"][10] == "ambiguous" and by_id["0007"][10] == "outside"


ENCODINGS = [
    ("utf-8", None),
    ("utf-8-sig", None),
    ("utf-16", "UTF-16"),
    ("gb18030", "GB18030"),
    ("gbk", "GB18030"),  # GBK is a part of GB18030: read as it
]


@pytest.mark.parametrize("encoding,named", ENCODINGS)
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_every_encoding_and_delimiter_gives_the_same_answers(tmp_path, encoding, named, delimiter):
    rows = read_rows(EXAMPLE.read_text(encoding="utf-8"))
    suffix = ".tsv" if delimiter == "\t" else ".csv"
    src = tmp_path / f"cases-{encoding}{suffix}"
    src.write_bytes(csv_text(rows, delimiter).encode(encoding))
    p = jur("annotate", str(src), "-c", "区县", "-c", "地址")
    assert p.returncode == 1
    got = read_rows(out(p), delimiter)
    assert got == golden_rows()
    lines = err(p).splitlines()
    if named is None:
        assert lines == []
    else:  # one line says which encoding was used
        assert len(lines) == 1 and named in lines[0] and src.name in lines[0]


def test_a_gb18030_csv_to_xlsx_keeps_every_cell_and_says_the_encoding(tmp_path):
    src = tmp_path / "cases.csv"
    src.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gb18030"))
    target = tmp_path / "out.xlsx"
    p = jur("annotate", str(src), "--column", "区县", "--column", "地址", "--output", str(target))
    assert p.returncode == 1 and out(p) == ""
    assert (
        err(p) == "jur: cases.csv: read as GB18030 (it is not UTF-8); --encoding chooses another\n"
    )
    ws = openpyxl.load_workbook(target).active
    got = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
    want = golden_rows()
    assert [r[:6] for r in got] == [r[:6] for r in want]  # every original cell, as text
    assert all(isinstance(v, str) for r in got for v in r[:6])  # 0001 and IDs stay text
    assert [r[6:10] for r in got] == [r[6:10] for r in want]
    assert [r[11] for r in got[1:]] == [int(r[11]) for r in want[1:]]  # score is a number


def test_encoding_option_overrides_detection(tmp_path):
    src = tmp_path / "cases.csv"
    src.write_bytes("地址\n德化街\n".encode("gb18030"))
    p = jur("annotate", str(src), "-c", "地址", "-o", "station", "--encoding", "gbk")
    assert p.returncode == 0 and err(p) == ""
    assert read_rows(out(p)) == [["地址", "station"], ["德化街", "德化街派出所"]]
    p = jur("annotate", str(src), "-c", "1", "--encoding", "no-such-codec")
    assert p.returncode == 2 and "unknown encoding 'no-such-codec'" in err(p)


def test_bytes_that_fit_no_encoding_keep_their_cells_and_their_answer_says_so(tmp_path):
    src = tmp_path / "mixed.csv"
    body = "编号,地址\n1,德化街\n".encode() + b"2,\xff\xfe broken\n" + "3,碧沙岗社区\n".encode()
    src.write_bytes(body)
    p = jur("annotate", str(src), "-c", "地址", "-o", "station,status,note")
    assert p.returncode == 1
    assert "neither UTF-8 nor GB18030" in err(p) and "1 line" in err(p)
    assert p.stdout.splitlines()[2] == b"2,\xff\xfe broken,,not_found,not valid UTF-8"
    rows = p.stdout.decode("utf-8", "replace").splitlines()
    assert rows[1] == "1,德化街,德化街派出所,found," and rows[3].startswith(
        "3,碧沙岗社区,林山寨派出所"
    )


# --- round trips: the original cells come back unchanged ---------------------------------


@pytest.mark.parametrize(
    "delimiter,ending", [(",", "\r\n"), (",", "\n"), (";", "\n"), ("\t", "\n")]
)
def test_csv_round_trip_keeps_every_original_byte(tmp_path, delimiter, ending):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=ending).writerows(AWKWARD)
    text = buf.getvalue()
    src = tmp_path / "awkward.csv"
    src.write_text(text, encoding="utf-8", newline="")
    p = jur("annotate", str(src), "-c", "地址", "-o", "station,status")
    rows = read_rows(out(p), delimiter)
    assert [r[:4] for r in rows] == AWKWARD
    assert rows[0][4:] == ["station", "status"] and rows[1][4:] == ["德化街派出所", "found"]
    # each record is written back as the very text it was read from, then its answers
    original = text.split(ending)
    assert out(p).split(ending)[0] == original[0] + f"{delimiter}station{delimiter}status"
    assert out(p).startswith(original[0])
    for a in AWKWARD[1:]:
        assert delimiter.join([a[0], a[1]]) in out(p) or '"' in a[1]


@pytest.mark.parametrize("fmt", ["xlsx", "jsonl", "tsv", "csv"])
def test_every_output_format_keeps_the_original_cells(tmp_path, fmt):
    src = tmp_path / "awkward.csv"
    src.write_text(csv_text(AWKWARD), encoding="utf-8", newline="")
    target = tmp_path / f"out.{fmt}"
    p = jur("annotate", str(src), "-c", "地址", "-o", "station", "--output", str(target))
    assert p.returncode == 1 and out(p) == ""
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(target).active
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        got = [["" if v is None else v for v in r[:4]] for r in rows]
        assert all(isinstance(v, str) for r in rows for v in r[:4] if v is not None)
        # XML keeps no CR: a line break inside a cell is LF in a workbook (as Excel's own)
        assert got == [[v.replace("\r\n", "\n") for v in r] for r in AWKWARD]
        return
    elif fmt == "jsonl":
        records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        got = [list(records[0])[:4]] + [[r[k] for k in AWKWARD[0]] for r in records]
    else:
        text = target.read_bytes().decode("utf-8")  # read_text() would turn CRLF into LF
        got = [r[:4] for r in read_rows(text, "\t" if fmt == "tsv" else ",")]
    assert got == AWKWARD


def make_workbook(path: Path, *, computed: bool) -> None:
    """Two sheets; merged cells; a formula (with the value Excel would have saved, or none)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["编号", "区县", "地址", "证件号码", "金额"])
    ws.append(["007", "二七区", "德化街", "410103199001011234", 1.5])
    ws.append(["008", None, "德化街街道大同路12号", "000000000000000001", 2])
    ws.append(["009", "中原区", "碧沙岗社区", None, "=E2+E3"])
    ws.merge_cells("B2:B3")  # the district written once for two rows, as offices do
    ws["A2"].number_format = "@"
    other = wb.create_sheet("说明")
    other.append(["不要改", 42])
    other["C1"] = "=B1*2"
    wb.save(path)
    if computed:  # what Excel saves: the formula and its last value
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        for name, data in parts.items():
            if name.startswith("xl/worksheets/sheet"):
                data = data.replace(b"<f>E2+E3</f><v />", b"<f>E2+E3</f><v>3.5</v>")
                data = data.replace(b"<f>B1*2</f><v />", b"<f>B1*2</f><v>84</v>")
                parts[name] = data
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)


@pytest.mark.parametrize("computed", [True, False])
def test_xlsx_with_formulas_merged_cells_and_sheets_is_written_back_with_its_values(
    tmp_path, computed
):
    src = tmp_path / "cases.xlsx"
    make_workbook(src, computed=computed)
    target = tmp_path / "out.xlsx"
    p = jur("annotate", str(src), "--column", "区县", "--column", "地址", "--output", str(target))
    assert p.returncode == 0 and err(p) == "" and out(p) == ""  # every row found
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["案件", "说明"]
    ws = wb["案件"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["编号", "区县", "地址", "证件号码", "金额", *ANSWER_COLUMNS]
    assert rows[1][:5] == ["007", "二七区", "德化街", "410103199001011234", 1.5]
    assert rows[2][:5] == ["008", None, "德化街街道大同路12号", "000000000000000001", 2]
    # the merged district decided row 3 as well: 二七区 + 德化街街道大同路12号
    assert rows[1][5:7] == ["德化街派出所", "二七分局"] and rows[2][5:7] == [
        "德化街派出所",
        "二七分局",
    ]
    assert rows[3][5] == "林山寨派出所"
    assert [str(r) for r in ws.merged_cells.ranges] == ["B2:B3"]
    assert ws["A2"].number_format == "@"
    # a formula comes back as the value Excel saved; one never computed stays a formula
    assert rows[3][4] == (3.5 if computed else "=E2+E3")
    assert list(wb["说明"].iter_rows(values_only=True)) == [
        ("不要改", 42, 84 if computed else "=B1*2")
    ]


def test_xlsx_to_csv_fills_merged_cells_and_writes_values_as_text(tmp_path):
    src = tmp_path / "cases.xlsx"
    make_workbook(src, computed=True)
    p = jur(
        "annotate", str(src), "-c", "地址", "-o", "station", "--output", str(tmp_path / "o.csv")
    )
    rows = read_rows((tmp_path / "o.csv").read_text(encoding="utf-8"))
    assert rows[1] == ["007", "二七区", "德化街", "410103199001011234", "1.5", "德化街派出所"]
    assert rows[2][:5] == ["008", "二七区", "德化街街道大同路12号", "000000000000000001", "2"]
    assert rows[3][4] == "3.5"
    assert p.returncode == 0


def test_sheet_option_picks_a_sheet_and_lists_them_when_missing(tmp_path):
    src = tmp_path / "cases.xlsx"
    make_workbook(src, computed=True)
    p = jur("annotate", str(src), "-c", "2", "--sheet", "2", "--output", str(tmp_path / "o.csv"))
    assert p.returncode == 0  # a header and no rows: nothing that is not found
    assert (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines() == [
        "不要改,42,84," + ",".join(ANSWER_COLUMNS)
    ]
    p = jur(
        "annotate", str(src), "-c", "1", "--sheet", "无此表", "--output", str(tmp_path / "x.csv")
    )
    assert p.returncode == 2
    assert err(p) == "jur: no sheet '无此表' in cases.xlsx; its sheets: 1 案件, 2 说明\n"
    assert not (tmp_path / "x.csv").exists()


# --- bad input: a clear error, and nothing lost ------------------------------------------


def test_a_missing_column_exits_2_and_lists_the_columns():
    p = jur("annotate", str(EXAMPLE), "--column", "住址")
    assert p.returncode == 2 and out(p) == ""
    assert err(p) == (
        "jur: no column '住址' in annotate-example.csv; its columns: "
        "1 编号, 2 受理日期, 3 区县, 4 地址, 5 证件号码, 6 诉求\n"
    )
    p = jur("annotate", str(EXAMPLE), "--column", "7")
    assert p.returncode == 2 and "no column '7'" in err(p)


def test_a_column_by_number_and_joined_columns():
    p = jur("annotate", str(EXAMPLE), "-c", "3", "-c", "4", "-o", "station")
    assert read_rows(out(p)) == [[*r[:6], r[6]] for r in golden_rows()]


def test_short_and_long_rows_are_kept_and_say_why():
    data = "编号,区县,地址\n1,二七区,德化街\n2,二七区\n3\n\n4,中原区,碧沙岗社区,多出,两格\n"
    p = jur("annotate", "-", "-c", "地址", "-o", "station,status,note", stdin=data)
    assert p.returncode == 1
    rows = read_rows(out(p))
    assert rows[1] == ["1", "二七区", "德化街", "德化街派出所", "found", ""]
    note = "row 2 has 2 cells, the header 3: no cell in column 3"
    assert rows[2] == ["2", "二七区", "", "", "not_found", note]
    assert rows[3][:5] == ["3", "", "", "", "not_found"]
    assert rows[4][:5] == ["", "", "", "", "not_found"]  # a blank line keeps its place
    # cells beyond the header's: kept, after the answer columns
    assert rows[5] == ["4", "中原区", "碧沙岗社区", "林山寨派出所", "found", "", "多出", "两格"]


def test_output_equal_to_the_input_is_refused(tmp_path):
    src = tmp_path / "cases.csv"
    src.write_bytes(EXAMPLE.read_bytes())
    before = src.read_bytes()
    for target in (str(src), str(tmp_path / "." / "cases.csv")):
        p = jur("annotate", str(src), "-c", "地址", "--output", target)
        assert p.returncode == 2 and "is the input file" in err(p)
    os.link(src, tmp_path / "same.csv")
    p = jur("annotate", str(src), "-c", "地址", "--output", str(tmp_path / "same.csv"))
    assert p.returncode == 2
    assert src.read_bytes() == before


def test_xlsx_to_stdout_unknown_extension_and_sheet_on_csv_are_refused(tmp_path):
    src = tmp_path / "cases.xlsx"
    make_workbook(src, computed=True)
    p = jur("annotate", str(src), "-c", "地址")
    assert p.returncode == 2 and "cannot go to stdout" in err(p) and out(p) == ""
    p = jur("annotate", str(EXAMPLE), "-c", "地址", "--output", str(tmp_path / "o.txt"))
    assert p.returncode == 2 and ".csv, .tsv, .xlsx or .jsonl" in err(p)
    p = jur("annotate", str(EXAMPLE), "-c", "地址", "--sheet", "1")
    assert p.returncode == 2 and "--sheet applies to .xlsx" in err(p)
    p = jur("annotate", str(tmp_path / "none.csv"), "-c", "地址")
    assert p.returncode == 2 and "cannot read" in err(p)
    (tmp_path / "empty.csv").write_bytes(b"")
    p = jur("annotate", str(tmp_path / "empty.csv"), "-c", "地址")
    assert p.returncode == 2 and "is empty" in err(p)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    p = jur("annotate", str(tmp_path / "old.xls"), "-c", "地址")
    assert p.returncode == 2 and "save it as .xlsx or CSV" in err(p)


def test_a_column_name_taken_needs_a_prefix():
    data = "地址,status\n德化街,x\n"
    p = jur("annotate", "-", "-c", "地址", stdin=data)
    assert p.returncode == 2 and "already has a column named 'status'" in err(p)
    assert "--prefix" in err(p)
    p = jur("annotate", "-", "-c", "地址", "--prefix", "jur_", "-o", "station,status", stdin=data)
    assert read_rows(out(p)) == [
        ["地址", "status", "jur_station", "jur_status"],
        ["德化街", "x", "德化街派出所", "found"],
    ]


def test_an_error_midway_leaves_no_half_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    bad = "地址\n德化街\n" * 3000 + '"unclosed' + "x" * 100 + "\n"
    src = tmp_path / "bad.csv"
    src.write_text(bad + ("y," * 50 + "\n") * ((17 << 20) // 100), encoding="utf-8")
    p = jur("annotate", str(src), "-c", "地址", "--output", str(target))
    assert (
        err(p)
        == "jur: bad.csv: line 6001: a cell runs on past 16 MiB: is a quote left open there?\n"
    )
    assert p.returncode == 2
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["bad.csv", "out.csv"]  # no temporary file left


def test_the_excel_extra_missing_says_how_to_install_it(tmp_path, monkeypatch, index):
    from jurisdiction.annotate import run_annotate
    from jurisdiction.errors import UsageError

    src = tmp_path / "cases.xlsx"
    make_workbook(src, computed=True)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl fails
    with pytest.raises(UsageError, match=r"pip install 'jur\[excel\]'"):
        run_annotate(str(src), ["地址"], output=str(tmp_path / "o.csv"), index=index)
    with pytest.raises(UsageError, match=r"pip install 'jur\[excel\]'"):
        run_annotate(str(EXAMPLE), ["地址"], output=str(tmp_path / "o.xlsx"), index=index)
    assert not (tmp_path / "o.xlsx").exists()


# --- stdin, formats, rows looked up once, --excel ----------------------------------------


def test_stdin_csv_and_xlsx(tmp_path):
    p = jur(
        "annotate", "-", "-c", "区县", "-c", "地址", "-o", "station", stdin=EXAMPLE.read_bytes()
    )
    assert read_rows(out(p)) == [[*r[:6], r[6]] for r in golden_rows()]
    src = tmp_path / "cases.xlsx"
    make_workbook(src, computed=True)
    target = tmp_path / "o.jsonl"
    p = jur(
        "annotate",
        "-",
        "-c",
        "地址",
        "-o",
        "station",
        "--output",
        str(target),
        stdin=src.read_bytes(),
    )
    first = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert first == {
        "编号": "007",
        "区县": "二七区",
        "地址": "德化街",
        "证件号码": "410103199001011234",
        "金额": 1.5,
        "station": "德化街派出所",
    }


def test_excel_flag_writes_a_byte_order_mark(tmp_path):
    p = jur("annotate", str(EXAMPLE), "-c", "地址", "--excel", "-o", "station")
    assert p.stdout.startswith(b"\xef\xbb\xbf\xe7\xbc\x96\xe5\x8f\xb7")  # BOM, then 编号
    target = tmp_path / "o.csv"
    jur("annotate", str(EXAMPLE), "-c", "地址", "--excel", "--output", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    jur("annotate", str(EXAMPLE), "-c", "地址", "--output", str(target))
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_rows_with_the_same_address_are_looked_up_once(tmp_path, index, monkeypatch):
    from jurisdiction import annotate

    resolve = importlib.import_module("jurisdiction.resolve")
    calls: list[str] = []
    real = resolve.resolve

    def counting(text, ix, **kw):
        calls.append(text)
        return real(text, ix, **kw)

    monkeypatch.setattr(resolve, "resolve", counting)
    data = "地址\n" + "德化街\n碧沙岗社区\n" * 500
    buf = io.StringIO()
    code = annotate.run_annotate(
        "-", ["地址"], stdin=io.BytesIO(data.encode()), out=buf, index=index, progress=False
    )
    assert code == 0 and sorted(calls) == ["德化街", "碧沙岗社区"]
    assert len(buf.getvalue().splitlines()) == 1001


def test_online_annotates_through_the_same_step_as_find(fake):
    env = {"JUR_AMAP_URL": fake.url, "JUR_AMAP_KEY": fake.key}
    data = "编号,地址\n1,经三路66号\n2,德化街\n3,经三路66号\n"
    p = jur(
        "annotate",
        "-",
        "-c",
        "地址",
        "-o",
        "station,status,score",
        "--online",
        stdin=data,
        env=env,
    )
    assert read_rows(out(p)) == [
        ["编号", "地址", "station", "status", "score"],
        ["1", "经三路66号", "德化街派出所", "found", "70"],
        ["2", "德化街", "德化街派出所", "found", "95"],
        ["3", "经三路66号", "德化街派出所", "found", "70"],
    ]
    assert p.returncode == 0 and err(p) == ""
    assert len(fake.requests) == 2  # one address, asked once: geo, then regeo
    p = jur("annotate", "-", "-c", "地址", "-o", "status", stdin=data, env=env)  # offline
    assert len(fake.requests) == 2
    assert [r[2] for r in read_rows(out(p))[1:]] == ["not_found", "found", "not_found"]


def read_pty(master: int) -> bytes:
    """All a pty's other end wrote, until it is closed (EOF, or EIO on Linux)."""
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    return shown


def test_terminal_output_has_no_control_codes(tmp_path):
    """On a terminal (a pty), bytes from the file are shown as escapes, never as codes."""
    import pty

    src = tmp_path / "c.csv"
    src.write_text("地址,备注\n德化街,\x1b[31mred\x07\n", encoding="utf-8")
    master, slave = pty.openpty()
    p = subprocess.run(
        [sys.executable, "-m", "jurisdiction", "annotate", str(src), "-c", "地址", "-o", "station"],
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=str(ROOT.parent),
        timeout=60,
    )
    os.close(slave)
    shown = read_pty(master)
    os.close(master)
    assert p.returncode == 0
    assert b"\x1b" not in shown and b"\x07" not in shown
    assert b"\\x1b[31mred\\x07" in shown


def test_progress_bar_only_on_a_terminal(tmp_path):
    import pty

    src = tmp_path / "many.csv"
    src.write_text("地址\n" + "德化街\n" * 30_000, encoding="utf-8")
    target = tmp_path / "o.csv"
    # stderr a pipe: nothing at all on it
    p = jur("annotate", str(src), "-c", "地址", "--output", str(target))
    assert p.returncode == 0 and p.stderr == b"" and p.stdout == b""
    # stderr a terminal: the bar is drawn there, and the output file stays clean
    master, slave = pty.openpty()
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jurisdiction",
            "annotate",
            str(src),
            "-c",
            "地址",
            "--output",
            str(target),
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=str(ROOT.parent),
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(slave)
    shown = read_pty(master)
    stdout, _ = p.communicate(timeout=60)
    os.close(master)
    assert p.returncode == 0 and stdout == b""
    assert b"rows" in shown and b"annotate" in shown
    lines = target.read_text(encoding="utf-8").splitlines()
    assert (
        len(lines) == 30_001
        and lines[1] == "德化街,德化街派出所,二七分局,德化街街道,二七区,found,95,"
    )


def test_a_large_csv_streams_in_bounded_memory(tmp_path):
    """Peak memory hardly grows with the file: 20 MB uses about what 2 MB does."""
    peak = {}
    for rows in (20_000, 200_000):
        src = tmp_path / f"c{rows}.csv"
        with open(src, "w", encoding="utf-8") as f:
            f.write("编号,姓名,地址,备注\n")
            for i in range(rows):
                f.write(f"{i:08d},张三,郑州市二七区德化街街道幸福小区{i}号楼,{'x' * 40}\n")
        code = (
            "import resource, subprocess, sys\n"
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        )
        p = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                sys.executable,
                "-m",
                "jurisdiction",
                "annotate",
                str(src),
                "-c",
                "地址",
            ],
            capture_output=True,
            text=True,
            cwd=str(ROOT.parent),
            timeout=300,
        )
        peak[rows] = int(p.stdout.split()[-1]) / 1024  # MiB
    assert peak[200_000] < peak[20_000] + 15, peak
    assert peak[200_000] < 150, peak


# --- find reads the same encodings ------------------------------------------------------


def test_find_reads_gb18030_from_stdin_and_says_so():
    p = jur("find", stdin="德化街\n".encode("gb18030"))
    assert out(p).split("\t")[:3] == ["德化街", "found", "德化街派出所"]
    assert err(p) == "jur: input read as GB18030 (it is not UTF-8); --encoding chooses another\n"
    # through a shell pipe, as the issue shows it
    shell = subprocess.run(
        [
            "bash",
            "-c",
            f"printf '德化街\\n' | iconv -t GB18030 | {sys.executable} -m jurisdiction find",
        ],
        capture_output=True,
        cwd=str(ROOT.parent),
    )
    if shell.returncode == 0 or b"iconv" not in shell.stderr:
        assert shell.stdout.decode().split("\t")[:3] == ["德化街", "found", "德化街派出所"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_find_reads_utf16_with_a_byte_order_mark(codec):
    data = "德化街\r\n三官庙\n碧沙岗社区".encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    p = jur("find", "-f", "tsv", stdin=data)
    rows = [ln.split("\t")[:3] for ln in out(p).splitlines()]
    assert rows == [
        ["德化街", "found", "德化街派出所"],
        ["三官庙", "ambiguous", ""],
        ["碧沙岗社区", "found", "林山寨派出所"],
    ]
    assert "UTF-16" in err(p) and len(err(p).splitlines()) == 1


def test_find_decides_on_the_first_block_that_is_not_ascii():
    # ASCII lines first (answered as they come), then a GB18030 line: detected there
    data = b"dehuajie\n" * 20_000 + "德化街\n".encode("gb18030")
    p = jur("find", "-f", "tsv", stdin=data)
    rows = out(p).splitlines()
    assert len(rows) == 20_001 and rows[-1].split("\t")[:3] == ["德化街", "found", "德化街派出所"]
    assert "GB18030" in err(p)
    # UTF-8 decided first; a later line in another encoding keeps its place, not_found
    data = "德化街\n".encode() * 20_000 + "德化街\n".encode("gb18030")
    p = jur("find", "-f", "jsonl", stdin=data)
    last = json.loads(out(p).splitlines()[-1])
    assert (last["status"], last["note"]) == ("not_found", "not valid UTF-8")
    assert err(p) == ""


def test_find_encoding_option():
    p = jur("find", "--encoding", "gbk", stdin="德化街\n".encode("gbk"))
    assert out(p).split("\t")[:3] == ["德化街", "found", "德化街派出所"] and err(p) == ""
    p = jur("find", "--encoding", "gb18030", stdin="德化街\n".encode())  # forced, but wrong
    assert p.returncode == 1 and "德化街派出所" not in out(p)
    p = jur("find", "--encoding", "klingon", stdin=b"x\n")
    assert p.returncode == 2 and out(p) == "" and "unknown encoding 'klingon'" in err(p)


# --- the cold path pays nothing for any of this -----------------------------------------


def test_cold_find_imports_nothing_of_annotate():
    code = (
        "import sys, io\n"
        "from jurisdiction.launch import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\n"
        "bad = [m for m in ('openpyxl', 'rich', 'jurisdiction.annotate', 'jurisdiction.tables_io',"
        " 'csv', 'et_xmlfile') if m in sys.modules]\n"
        "sys.stderr.write(repr(bad))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "find", "德化街", "-f", "tsv"], capture_output=True, cwd=ROOT
    )
    assert p.stderr.decode().endswith("[]"), p.stderr.decode()
    # reading stdin loads the decoder (tables_io, standard library only), nothing heavy
    code = code.replace("'jurisdiction.tables_io',", "")
    p = subprocess.run(
        [sys.executable, "-c", code, "find", "-f", "tsv"],
        input="德化街\n".encode("gb18030"),
        capture_output=True,
        cwd=ROOT,
    )
    assert p.stderr.decode().endswith("[]"), p.stderr.decode()
    assert "德化街派出所" in p.stdout.decode()


def test_the_readme_example_is_what_jur_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "jur annotate docs/annotate-example.csv --column 区县 --column 地址 -o station,sub_bureau,status,score"
    shown = readme.split("$ " + command + "\n", 1)[1].split("\n\n", 1)[0] + "\n"
    p = jur(
        "annotate",
        str(EXAMPLE),
        "-c",
        "区县",
        "-c",
        "地址",
        "-o",
        "station,sub_bureau,status,score",
    )
    assert out(p) == shown
