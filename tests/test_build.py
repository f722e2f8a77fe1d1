"""data/ and the character tables are exactly what the tools produce from the sources."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import DATA, REFERENCE, ROOT


def _needs(module: str) -> None:
    pytest.importorskip(module)  # the test extra installs it; skipped only without it


def test_data_is_reproducible_from_the_sources(tmp_path):
    _needs("pypinyin")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "build_data.py"),
            "--reference",
            str(REFERENCE),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for name in ("units.yaml", "streets.yaml", "communities.yaml", "places.yaml", "landmarks.yaml"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_tables_are_reproducible(tmp_path):
    _needs("pypinyin")
    pytest.importorskip("opencc")
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_tables.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    tables = ROOT / "src" / "jurisdiction" / "tables"
    assert (tmp_path / "pinyin.tsv").read_bytes() == (tables / "pinyin.tsv").read_bytes()
    # t2s.py is ruff-formatted in the tree; compare the strings it defines
    ns_new: dict = {}
    ns_old: dict = {}
    exec((tmp_path / "t2s.py").read_text(encoding="utf-8"), ns_new)
    exec((tables / "t2s.py").read_text(encoding="utf-8"), ns_old)
    assert (ns_new["TRADITIONAL"], ns_new["SIMPLIFIED"]) == (
        ns_old["TRADITIONAL"],
        ns_old["SIMPLIFIED"],
    )


def test_syllable_list_matches_the_pinyin_table():
    from jurisdiction.syllables import SYLLABLES

    readings = set()
    for line in (
        (ROOT / "src" / "jurisdiction" / "tables" / "pinyin.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
    ):
        if line and not line.startswith("#"):
            readings.update(
                r for r in line.split("\t")[1].split(",") if r.isascii() and r.isalpha()
            )
    assert readings == set(SYLLABLES)
