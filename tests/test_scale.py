"""Big datasets: the limits that refuse a hostile file (each with FILE:LINE), a legitimate big
file accepted, damaged caches rebuilt, the progress bar kept off pipes, and a second process
waiting for a build in progress instead of building the same cache again."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time

import pytest

from jurisdiction import DataError, open_index, resolve
from jurisdiction.dataset import parse_dataset

from conftest import err, jur


def _problems(d) -> list[str]:
    with pytest.raises(DataError) as e:
        parse_dataset(d, progress=None)
    return e.value.lines()


def _append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_an_unquoted_5000_digit_code_is_file_line_not_valueerror(data_copy):
    _append(data_copy / "communities.yaml", "- name: 甲社区\n  code: " + "9" * 5000 + "\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "communities.yaml") + ":")
    assert "5,000 digits" in lines[0]
    p = jur("validate", "--data", str(data_copy))
    assert p.returncode == 2 and "Traceback" not in err(p)


@pytest.mark.parametrize(
    "fname,old,new",
    [
        ("streets.yaml", "code: '410103010'", "code: '4101030100'"),
        ("streets.yaml", "code: '410103010'", "code: '41010301'"),
        ("streets.yaml", "code: '410103010'", "code: '41010301x'"),
        ("communities.yaml", "code: '410102001002'", "code: '41010200100'"),
        ("communities.yaml", "code: '410102001002'", "code: '４１０１０２００１００２'"),
    ],
)
def test_codes_have_their_number_of_digits(data_copy, fname, old, new):
    path = data_copy / fname
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    lines = _problems(data_copy)
    assert any(fname in ln and "digits" in ln for ln in lines), lines


def test_a_ten_megabyte_string_is_refused_with_its_line(data_copy):
    n = len((data_copy / "communities.yaml").read_text(encoding="utf-8").splitlines())
    _append(data_copy / "communities.yaml", "- name: '" + "甲" * 10_000_000 + "'\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(f"{data_copy / 'communities.yaml'}:{n + 1}:"), lines[0][:200]
    assert "the limit is 65,536" in lines[0]


def test_an_event_bomb_is_refused_with_its_line(data_copy):
    # two events per three bytes, a million times: no real dataset is that dense
    _append(data_copy / "communities.yaml", "- [" + "[]," * 1_000_000 + "]\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "communities.yaml") + ":")
    assert "YAML events" in lines[0]


def test_one_huge_record_is_refused(data_copy):
    _append(data_copy / "places.yaml", "- name: [" + "a, " * 40_000 + "]\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "places.yaml") + ":")
    assert "a record of more than" in lines[0]


def test_deep_nesting_in_a_list_file_is_refused_with_its_line(data_copy):
    _append(data_copy / "communities.yaml", "- " + "[" * 50 + "]" * 50 + "\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "communities.yaml") + ":")
    assert "nesting" in lines[0]


def test_a_legitimate_100_megabyte_file_is_accepted(data_copy):
    """Over a million communities' lines in the style yaml.safe_dump writes: read, not
    refused (the old cap was 32 MiB)."""
    path = data_copy / "communities.yaml"
    street = "'410102001'"
    note = "x" * 60
    with open(path, "a", encoding="utf-8") as f:
        for i in range(700_000):
            f.write(
                f"- code: '9{i:011d}'\n  kind: community\n  name: \"\\u6D4B{i}\\u793E\\u533A\"\n"
                f"  note: {note}\n  street: {street}\n"
            )
    assert path.stat().st_size > 100_000_000
    with pytest.raises(DataError) as e:  # the synthetic codes name no real street: one check
        parse_dataset(data_copy, progress=None)
    assert all("code must be" not in ln and "limit" not in ln for ln in e.value.lines())


def test_fast_reader_and_yaml_composer_agree(data_copy):
    from jurisdiction.dataset import fast_items, pairs, read_list

    for fname in ("communities.yaml", "places.yaml"):
        raw = (data_copy / fname).read_bytes()
        assert fast_items(raw, fname) is not None
        fast = [(dict(i), i.line, i.key_lines) for i, _ in pairs(read_list(raw, fname))]
        slow = [(dict(i), i.line, i.key_lines) for i, _ in pairs(read_list(raw, fname, False))]
        assert fast == slow


def _cache_dirs(root):
    return [d for d in root.iterdir() if d.is_dir()]


@pytest.mark.parametrize(
    "name,value",
    [("head", {"format": 13}), ("aux", {"cores": 1}), ("full", [1, 2]), ("keys", (1, 2))],
)
def test_cache_files_of_the_wrong_shape_are_rebuilt(data_copy, scratch_cache, name, value):
    open_index(data_copy)
    (d,) = _cache_dirs(scratch_cache)
    data = marshal.dumps(value)
    (d / name).write_bytes(data if name != "full" else __import__("zlib").compress(data))
    index = open_index(data_copy)
    assert resolve("郑州市二七区德化街街道3号楼", index).station == "德化街派出所"
    assert resolve("碧沙岗社区", index).station == "林山寨派出所"
    assert len(index.dataset.streets) == 207


def test_wrong_shaped_hits_are_rebuilt(data_copy, scratch_cache):
    import zlib

    open_index(data_copy)
    (d,) = _cache_dirs(scratch_cache)
    keys = bytearray((d / "keys").read_bytes())
    # replace every shard with one whose hits have the wrong shape
    n = open_index(data_copy).head["layout"]["n_all"]
    blob = zlib.compress(marshal.dumps(({"德化街": ((1, 2),)}, {})))
    table = bytearray()
    for _ in range(n):
        table += (12 * n).to_bytes(8, "little") + len(blob).to_bytes(4, "little")
    (d / "keys").write_bytes(bytes(table) + blob)
    del keys
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"


def test_progress_bar_stays_off_a_pipe(data_copy, scratch_cache, monkeypatch):
    import jurisdiction.progress as progress

    monkeypatch.setattr(progress, "DELAY", 0.0)
    p = jur("validate", "--data", str(data_copy))
    assert p.returncode == 0 and err(p) == ""
    p = jur("find", "德化街", "--data", str(data_copy), env={"JUR_CACHE_DIR": str(scratch_cache)})
    assert err(p) == ""
    assert progress.for_terminal(open(os.devnull, "w")) is None  # noqa: SIM115


def test_progress_bar_shows_on_a_terminal_and_leaves_nothing(monkeypatch):
    import io

    from jurisdiction.progress import TerminalProgress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    bar = TerminalProgress(out, delay=0.0)
    bar("checking communities", 10, 100)
    bar("indexing", 5, 10)
    bar.close()
    assert "checking communities" in out.getvalue() or "indexing" in out.getvalue()
    quiet = TerminalProgress(Tty(), delay=3600)
    quiet("indexing", 1, 2)
    assert quiet.bar is None  # a quick job shows nothing


def test_a_second_process_waits_for_a_build_in_progress(data_copy, scratch_cache):
    """While one process holds the build lock, another one waits; when the first one's
    cache appears, the second reads it instead of building its own."""
    from jurisdiction.dataset import load_files
    from jurisdiction.index import build_lock, content_digest

    digest = content_digest(load_files(data_copy))
    env = {**os.environ, "JUR_CACHE_DIR": str(scratch_cache), "JUR_NO_PROGRESS": "1"}
    with build_lock(str(scratch_cache), digest):
        second = subprocess.Popen(
            [sys.executable, "-m", "jurisdiction", "find", "德化街", "--data", str(data_copy)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.5)
        assert second.poll() is None  # waiting on the lock, not building
        assert _cache_dirs(scratch_cache) == []
        open_index(data_copy)  # "the first process" builds (it may: it holds the lock)
        built = _cache_dirs(scratch_cache)
        assert len(built) == 1
        mtime = (built[0] / "head").stat().st_mtime_ns
    out, _ = second.communicate(timeout=60)
    assert "德化街派出所" in out.decode()
    assert _cache_dirs(scratch_cache) == built
    assert (built[0] / "head").stat().st_mtime_ns == mtime  # read, not rebuilt


def test_a_planted_lock_symlink_is_not_followed(data_copy, scratch_cache, tmp_path):
    from jurisdiction.dataset import load_files
    from jurisdiction.index import content_digest

    victim = tmp_path / "victim"
    victim.write_text("keep")
    digest = content_digest(load_files(data_copy))
    scratch_cache.mkdir(exist_ok=True)
    (scratch_cache / f".lock-{digest}").symlink_to(victim)
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"
    assert victim.read_text() == "keep"
