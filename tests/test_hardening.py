"""Output and exit codes under attack (issue 16, defects 11, 12, 13), and the rule that no
module reaches into another's private names. Each test failed on jur 1.1."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, err, jur, out

SRC = ROOT / "src"
CONTROLS = "\x1b[2J\x1b]0;forged\x07\x9b31m\x0d"
RAW = ("\x1b", "\x07", "\x9b", "\r")


def shell(command: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """Run a shell line in which JUR stands for `python -m jurisdiction`."""
    line = command.replace("JUR", f"{sys.executable} -m jurisdiction")
    return subprocess.run(
        ["bash", "-c", line], input=stdin, capture_output=True, cwd=ROOT.parent, timeout=60
    )


# --- 11: control characters reach no terminal ---------------------------------------------


def test_11_a_query_with_control_codes_is_shown_escaped_in_a_table_and_notes():
    p = jur("find", "-f", "table", "-n", "2", f"{CONTROLS}德化街", "三官庙")
    text = out(p)
    assert "\\x1b[2J" in text  # shown, escaped
    assert not any(c in text for c in RAW), repr(text)


def test_11_explain_lines_are_escaped():
    p = jur("find", "-f", "tsv", "--explain", f"德化街{CONTROLS}")
    lines = [ln for ln in err(p).splitlines() if ln.startswith("explain ")]
    assert len(lines) == 1 and "\\x1b" in lines[0]
    assert not any(c in err(p) for c in RAW)


def test_11_error_lines_on_stderr_are_escaped():
    for args in (["show", f"无此{CONTROLS}"], ["roster", f"无此{CONTROLS}"]):
        p = jur(*args)
        assert p.returncode == 2 and len(err(p).splitlines()) == 1, err(p)
        assert not any(c in err(p) for c in RAW), repr(err(p))


def test_11_machine_formats_keep_the_data():
    p = jur("find", "-f", "jsonl", f"{CONTROLS}德化街")
    assert json.loads(out(p))["query"] == f"{CONTROLS}德化街"


def test_11_printable_escapes_every_c0_and_c1_control():
    from jurisdiction.render import printable

    controls = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))
    shown = printable(f"甲{controls}乙")
    assert shown.isprintable() and shown.startswith("甲\\x00") and shown.endswith("\\x9f乙")
    assert printable("德化街 1号") == "德化街 1号"


# --- 12: tsv keeps one record a line ---------------------------------------------------------


def test_12_tsv_escapes_every_line_break_splitlines_knows():
    breaks = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
    queries = [f"德化{b}街" for b in breaks]
    p = jur("find", "-f", "tsv", stdin="\n".join(queries) + "\n")
    lines = out(p).splitlines()
    assert len(lines) == len(queries), lines
    assert [ln.split("\t")[0] for ln in lines] == [
        "德化\\x0b街",
        "德化\\x0c街",
        "德化\\x1c街",
        "德化\\x1d街",
        "德化\\x1e街",
        "德化\\x85街",
        "德化\\u2028街",
        "德化\\u2029街",
    ]


# --- 13: write errors ------------------------------------------------------------------------

needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


@needs_dev_full
@pytest.mark.parametrize(
    "command",
    [
        "JUR find 德化街 > /dev/full",
        "JUR find -f jsonl < BIG > /dev/full",
        "JUR find --crs gcj02 德化街 > /dev/full",  # the Typer path
        "JUR roster 二七 > /dev/full",
        "JUR find --explain -f tsv 德化街 2> /dev/full",
    ],
)
def test_13_a_full_disk_is_one_line_and_exit_2(tmp_path, command):
    big = tmp_path / "big.txt"
    big.write_text("德化街\n" * 20000, encoding="utf-8")
    p = shell(command.replace("BIG", str(big)))
    assert p.returncode == 2, (p.returncode, p.stderr)
    if "2>" not in command:
        assert p.stderr.decode().splitlines() == ["jur: cannot write: No space left on device"]


@pytest.mark.parametrize(
    "command",
    ["JUR find 德化街 >&-", "JUR roster 二七 >&-", "JUR find --crs gcj02 德化街 >&-"],
)
def test_13_a_closed_stdout_is_one_line_and_exit_2(command):
    p = shell(command)
    assert (p.returncode, p.stderr.decode()) == (2, "jur: standard output is closed\n")


def test_13_explain_with_stderr_closed_exits_2():
    p = shell("JUR find --explain -f tsv 德化街 2>&-")
    assert p.returncode == 2
    p = shell("JUR find --explain -f jsonl 德化街 2>&-")  # the explanation is in the record
    assert p.returncode == 0 and json.loads(p.stdout)["explain"]


# --- private names ---------------------------------------------------------------------------


def tracked_sources() -> list[str]:
    p = subprocess.run(
        ["git", "ls-files", "src"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    files = [f for f in p.stdout.splitlines() if f.endswith(".py")]
    if not files:  # not a git checkout (an sdist): every source file
        files = [str(f.relative_to(ROOT)) for f in SRC.rglob("*.py")]
    return files


def test_no_module_imports_a_private_name_of_another():
    bad = []
    for rel in tracked_sources():
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"), rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [part for a in node.names for part in a.name.split(".")]
            else:
                continue
            if node.__class__ is ast.ImportFrom and node.module:
                names += node.module.split(".")
            # a dunder (__version__, __future__) is public by convention
            private = [n for n in names if n.startswith("_") and not n.endswith("__")]
            if private:
                bad.append(f"{rel}:{node.lineno}: {', '.join(private)}")
    assert bad == []
    assert len(tracked_sources()) > 10  # the test looked at the sources
