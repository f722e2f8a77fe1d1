"""Pipelines: thousands of lines through stdin, awkward lines, closed pipes, Ctrl-C, hostile
datasets and shell completion."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, err, jur, out, popen_interruptible

PLACES = [
    "德化街",
    "铭功路街道",
    "dehuajie",
    "郑州市金水区花园路街道",
    "马寨镇",
    "如意湖",
    "明湖",
    "石佛镇",
]


def ten_thousand() -> list[str]:
    return [PLACES[i % len(PLACES)] for i in range(10_000)]


def test_ten_thousand_lines_in_order():
    lines = ten_thousand()
    p = jur("find", "-f", "tsv", stdin="\n".join(lines) + "\n")
    assert p.returncode == 0 and err(p) == ""
    rows = out(p).splitlines()
    assert len(rows) == 10_000
    assert [r.split("\t")[0] for r in rows] == lines
    assert {r.split("\t")[1] for r in rows} == {"found"}


def test_awkward_lines_keep_their_place():
    lines = [ln.encode() for ln in ten_thousand()]
    lines[10] = b""
    lines[500] = b"\xff\xfe\x80 broken"
    lines[9000] = "火星市某某区".encode()
    p = jur("find", "-f", "tsv", stdin=b"\n".join(lines) + b"\n")
    assert p.returncode == 1 and "Traceback" not in err(p) and err(p) == ""
    rows = out(p).splitlines()
    assert len(rows) == 10_000
    not_found = [i for i, r in enumerate(rows) if r.split("\t")[1] != "found"]
    assert not_found == [10, 500, 9000]
    assert rows[500].startswith("\\\\xff\\\\xfe\\\\x80 broken\t") or rows[500].startswith("\\xff")


def test_head_on_a_long_answer_is_quiet(tmp_path):
    big = tmp_path / "ten_thousand_lines.txt"
    big.write_text("\n".join(ten_thousand()) + "\n", encoding="utf-8")
    for cmd in (
        f"{sys.executable} -m jurisdiction find -f jsonl < {big} | head -1",
        f"{sys.executable} -m jurisdiction roster 二七 | head -1",
        f"{sys.executable} -m jurisdiction list streets -f csv | head -2",
    ):
        p = subprocess.run(["bash", "-c", cmd], capture_output=True, cwd=ROOT.parent)
        assert p.stderr == b"", (cmd, p.stderr)
        assert p.stdout.strip()
    first = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m jurisdiction find -f jsonl < {big} | head -1"],
        capture_output=True,
    )
    assert json.loads(first.stdout)["station"] == "德化街派出所"


def _popen(*args: str) -> subprocess.Popen:
    # the child gets SIGINT's default disposition whatever this run inherited (see
    # conftest.popen_interruptible: an ignored SIGINT made the Ctrl-C test flake)
    return popen_interruptible(
        [sys.executable, "-m", "jurisdiction", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT.parent,
    )


def _read_line(p: subprocess.Popen, timeout: float = 30) -> bytes:
    ready, _, _ = select.select([p.stdout], [], [], timeout)
    assert ready, "no answer while the input was still open"
    return p.stdout.readline()


def test_answers_stream_before_the_input_ends():
    p = _popen("find", "-f", "jsonl")
    try:
        p.stdin.write("德化街\n".encode())
        p.stdin.flush()
        first = _read_line(p)
        assert json.loads(first)["station"] == "德化街派出所"
        p.stdin.write("三官庙\n".encode())
        p.stdin.flush()
        assert json.loads(_read_line(p))["status"] == "ambiguous"
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    assert p.returncode == 1


def test_ctrl_c_exits_130_without_traceback():
    p = _popen("find")
    p.stdin.write("德化街\n".encode())
    p.stdin.flush()
    _read_line(p)
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=30)
    assert p.returncode == 130
    assert b"Traceback" not in stderr


def test_a_one_megabyte_line_gets_its_record():
    long_line = "德" * 1_000_000
    p = jur("find", "-f", "jsonl", "-o", "status,note", stdin=f"德化街\n{long_line}\n三官庙\n")
    rows = [json.loads(line) for line in out(p).splitlines()]
    assert [r["status"] for r in rows] == ["found", "not_found", "ambiguous"]
    assert "longer than" in rows[1]["note"]


def test_tsv_column_one_is_the_query_even_with_tabs_and_backslashes():
    p = jur("find", stdin="德化街\t二七\\x\n".encode())
    assert out(p).split("\t")[0] == "德化街\\t二七\\\\x"


# --- hostile datasets ---------------------------------------------------------------------


def _dataset(tmp_path, units: str | bytes, streets: str | bytes):
    d = tmp_path / "hostile"
    d.mkdir()
    for name, content in (("units.yaml", units), ("streets.yaml", streets)):
        data = content.encode() if isinstance(content, str) else content
        (d / name).write_bytes(data)
    return d


GOOD_UNITS = "sub_bureaus:\n  - name: 甲分局\n    stations:\n      - name: 甲派出所\n"
GOOD_STREETS = "- name: 甲街道\n  code: '410100001'\n  district: 甲区\n  station: 甲派出所\n"


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


HOSTILE = {
    "billion-laughs": (billion_laughs(), GOOD_STREETS, "units.yaml", "anchor"),
    "deep-nesting": (GOOD_UNITS, "[" * 100_000 + "]" * 100_000 + "\n", "streets.yaml", "nesting"),
    "wrong-shape": (
        GOOD_UNITS,
        "name: 甲街道\ncode: '410100001'\n",
        "streets.yaml",
        "must be a list",
    ),
    "mapping-for-list": (
        "sub_bureaus:\n  name: 甲分局\n",
        GOOD_STREETS,
        "units.yaml",
        "must be a list",
    ),
    "empty-station-name": (
        "sub_bureaus:\n  - name: 甲分局\n    stations:\n      - name: ''\n",
        "- name: 甲街道\n  code: '410100001'\n  district: 甲区\n  station: null\n",
        "units.yaml",
        "must not be empty",
    ),
    "python-tag": (
        GOOD_UNITS,
        "- !!python/object/apply:os.system ['echo PWNED']\n",
        "streets.yaml",
        "tag",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_dataset_is_refused_in_one_line(tmp_path, case):
    units, streets, fname, message = HOSTILE[case]
    d = _dataset(tmp_path, units, streets)
    for args in (["validate"], ["find", "德化街"], ["roster"]):
        p = jur(*args, "--data", str(d))
        assert p.returncode == 2, (case, args, err(p))
        lines = err(p).splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(str(d / fname) + ":") and message in lines[0], lines
        assert "Traceback" not in err(p) and "PWNED" not in out(p) + err(p)


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    d = _dataset(tmp_path, GOOD_UNITS, GOOD_STREETS)
    with open(d / "streets.yaml", "ab") as f:
        f.truncate(513 * 2**20)  # sparse: nothing written, and jur reads nothing of it
    p = jur("find", "甲", "--data", str(d))
    assert p.returncode == 2 and "limit is 512 MiB" in err(p) and len(err(p).splitlines()) == 1


def test_a_small_hand_written_dataset_works(tmp_path):
    d = _dataset(tmp_path, GOOD_UNITS, GOOD_STREETS)
    p = jur("find", "甲街道", "-f", "jsonl", "--data", str(d))
    assert p.returncode == 0
    r = json.loads(out(p))
    assert (r["station"], r["sub_bureau"], r["district"]) == ("甲派出所", "甲分局", "甲区")


# --- completion -----------------------------------------------------------------------------


def test_completion_offers_districts_and_sub_bureaus():
    env = {"_JUR_COMPLETE": "complete_bash", "COMP_WORDS": "jur roster 二", "COMP_CWORD": "2"}
    p = jur(env=env)
    assert set(out(p).split()) == {"二七区", "二七", "二七分局"}


def test_show_completion_script():
    # --show-completion is a flag that asks shellingham which shell runs jur, by walking the
    # process tree: under a daemon or a CI runner there may be none. Typer's own switch for
    # tests makes it take the shell as its value, so the script is checked wherever this runs.
    p = jur("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert p.returncode == 0 and "_JUR_COMPLETE=complete_bash" in out(p)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX only")
def test_stdin_from_a_terminal_without_query_is_a_usage_error():
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - child
        os.execv(sys.executable, [sys.executable, "-m", "jurisdiction", "find"])
    deadline = time.time() + 30
    output = b""
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    assert b"no query" in output
