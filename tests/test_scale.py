"""Big datasets: the limits that refuse a hostile file (each with FILE:LINE), a legitimate big
file accepted, damaged caches rebuilt, the progress bar kept off pipes, and a second process
waiting for a build in progress instead of building the same cache again."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time
import zlib

import pytest

from jurisdiction import DataError, forked, open_index, resolve
from jurisdiction.dataset import parse_dataset
from jurisdiction.paths import default_data_dir

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
    assert "YAML events" in lines[0] or "a record of more than" in lines[0]


def test_a_dense_file_of_small_records_is_refused(data_copy):
    _append(data_copy / "communities.yaml", "- []\n" * 1_000_000)
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "communities.yaml") + ":")
    assert "YAML events" in lines[0]


def test_one_huge_record_is_refused(data_copy):
    _append(data_copy / "places.yaml", "- name: [" + "a, " * 70_000 + "]\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "places.yaml") + ":")
    assert "a record of more than" in lines[0]


def test_deep_nesting_in_a_list_file_is_refused_with_its_line(data_copy):
    _append(data_copy / "communities.yaml", "- " + "[" * 50 + "]" * 50 + "\n")
    lines = _problems(data_copy)
    assert lines[0].startswith(str(data_copy / "communities.yaml") + ":")
    assert "nesting" in lines[0]


def test_a_legitimate_100_megabyte_file_is_accepted(data_copy):
    """Over 100 MB of communities in the style yaml.safe_dump writes: read and checked, not
    refused (the old cap was 32 MiB)."""
    path = data_copy / "communities.yaml"
    note = "x" * 60
    with open(path, "a", encoding="utf-8") as f:
        for i in range(830_000):
            f.write(
                f"- code: '410102001{i % 1000:03d}'\n  kind: community\n"
                f'  name: "\\u6D4B{i}\\u793E\\u533A\\u5C45\\u59D4\\u4F1A"\n'
                f"  note: {note}\n  street: '410102001'\n"
            )
    assert path.stat().st_size > 100_000_000
    lines = _problems(data_copy)  # codes used twice: every record was read and checked
    assert lines[-1].endswith("more than 500 problems; stopped listing")
    assert all("used twice" in ln for ln in lines[:-1])


def test_fast_reader_and_yaml_composer_agree(data_copy):
    from jurisdiction.dataset import fast_items, pairs, read_list

    for fname in ("communities.yaml", "places.yaml"):
        raw = (data_copy / fname).read_bytes()
        assert fast_items(raw, fname) is not None
        fast = [(dict(i), i.line, i.key_lines) for i, _ in pairs(read_list(raw, fname))]
        slow = [(dict(i), i.line, i.key_lines) for i, _ in pairs(read_list(raw, fname, False))]
        assert fast == slow


def _deep(v):
    """A composed value with every line number it holds."""
    from jurisdiction.dataset import LDict, LList

    if isinstance(v, LDict):
        return ("map", v.line, dict(v.key_lines), {k: _deep(x) for k, x in v.items()})
    if isinstance(v, LList):
        return ("list", v.line, list(v.item_lines), [_deep(x) for x in v])
    return v


def _read_both(text: str):
    """The records of a list file as jur reads it (the fast reader, falling back to the
    composer as _stream_check does) and as the composer alone reads it: (records or problems)."""
    from jurisdiction.dataset import NotFast, pairs, read_list

    raw = text.encode("utf-8")

    def read(use_fast: bool):
        try:
            try:
                return [(_deep(i), n) for i, n in pairs(read_list(raw, "t.yaml", use_fast))]
            except NotFast:
                return read(False)
        except DataError as e:
            return e.lines()

    return read(True), read(False)


NESTED = (
    "- code: '410102001'\n  name: 甲街道\n"
    "- code: '410102002'\n  name: 乙街道\n  other_names:\n  - name: 丙街道\n"
    '    note: "a note yaml.safe_dump wrapped\n      over two lines"\n    relation: renamed\n'
    "  short: 乙\n"
    "- code: '410102003'\n  name: 丁街道\n  pinyin:\n  - ding\n"
)


@pytest.mark.parametrize(
    "text",
    [
        NESTED,
        NESTED.replace("  short: 乙\n", "  note: |\n    block\n    text\n"),
        '- name: x\n  note: "abc\n- def"\n- name: y\n',  # a quoted line break before "- "
        "- name: x\n  note: 'abc\n- def'\n- name: y\n",
        "- name: x\n  k: [a,\n- b]\n- name: y\n",
        "- name: x\n  name: y\n- name: z\n",  # a duplicate key
        "- name: x\n  k: &a v\n- name: y\n",  # an anchor
        "- name: x\n---\n- name: y\n",  # a second document
        "- name: x\n-\n  name: y\n- - a\n  - b\n- name: z\n",
        "- name: x\n  k: v # a comment\n- {name: y}\n- name: z\n",
        "- name: x\n  list:\n  - {a: 1}\n  - [b]\n- name: y\n  k: !!str 1\n",
        "# a comment\n- name: x\n  other_names:\n  - name: y\n",
        "  - name: x\n",
    ],
)
def test_a_record_the_fast_reader_cannot_read_reads_as_the_composer_reads_it(text):
    fast, slow = _read_both(text)
    assert fast == slow


def test_the_composer_reads_only_the_records_the_fast_reader_cannot(monkeypatch):
    from jurisdiction import dataset

    calls = []
    real = dataset.compose
    monkeypatch.setattr(
        dataset, "compose", lambda text, *a, **k: calls.append(text) or real(text, *a, **k)
    )
    records = [(d[3], n) for d, n in _read_both(NESTED * 40)[0]]
    assert len(records) == 120 and records[4][0]["name"] == "乙街道"
    assert records[4][0]["other_names"][3][0][3]["relation"] == "renamed"
    assert [n for _, n in records[:6]] == [1, 3, 11, 15, 17, 25]
    assert len(calls) == 40 + 1  # each nested record alone, then the composer's own read
    assert all(c.startswith("- code: '410102002'") for c in calls[:40])


def test_a_file_of_records_the_fast_reader_cannot_read_goes_to_the_composer(monkeypatch):
    from jurisdiction import dataset

    calls = []
    real = dataset.compose
    monkeypatch.setattr(
        dataset, "compose", lambda text, *a, **k: calls.append(text) or real(text, *a, **k)
    )
    fast, slow = _read_both("- name: x\n  list:\n  - {a: 1}\n" * 1000)
    assert fast == slow and len(fast) == 1000
    assert len(calls) < 100 + 2  # not one composer a record


def _cache_dirs(root):
    return [d for d in root.iterdir() if d.is_dir()]


@pytest.mark.parametrize(
    "name,value",
    [
        ("head", {"format": 13}),
        ("aux", {"cores": 1}),
        ("aux", {"cores": [], "core_starts": {}, "place_names": []}),  # no start_pairs
        ("aux", {"cores": [], "core_starts": {}, "place_names": [], "start_pairs": "郑"}),
        ("full", [1, 2]),
        ("keys", (1, 2)),
    ],
)
def test_cache_files_of_the_wrong_shape_are_rebuilt(data_copy, scratch_cache, name, value):
    open_index(data_copy)
    (d,) = _cache_dirs(scratch_cache)
    data = marshal.dumps(value)
    (d / name).write_bytes(zlib.compress(data) if name == "full" else data)
    index = open_index(data_copy)
    assert resolve("郑州市二七区德化街街道3号楼", index).station == "德化街派出所"
    assert resolve("碧沙岗社区", index).station == "林山寨派出所"
    assert len(index.dataset.streets) == 207


def test_wrong_shaped_hits_are_rebuilt(data_copy, scratch_cache):
    open_index(data_copy)
    (d,) = _cache_dirs(scratch_cache)
    n = open_index(data_copy).head["layout"]["n_all"]
    blob = zlib.compress(marshal.dumps(({"德化街": ((1, 2),)}, {})))
    table = bytearray()
    for _ in range(n):  # every shard: one key whose hits have the wrong shape
        table += (12 * n).to_bytes(8, "little") + len(blob).to_bytes(4, "little")
    (d / "keys").write_bytes(bytes(table) + blob)
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"


def test_progress_bar_stays_off_a_pipe(data_copy, scratch_cache):
    from jurisdiction.progress import for_terminal

    p = jur("validate", "--data", str(data_copy))
    assert p.returncode == 0 and err(p) == ""
    p = jur("find", "德化街", "--data", str(data_copy), env={"JUR_CACHE_DIR": str(scratch_cache)})
    assert err(p) == ""
    with open(os.devnull, "w") as f:
        assert for_terminal(f) is None


def test_progress_bar_shows_on_a_terminal_only_after_its_delay():
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
    assert "indexing" in out.getvalue() or "checking communities" in out.getvalue()
    quiet = TerminalProgress(Tty(), delay=3600)
    quiet("indexing", 1, 2)
    assert quiet.bar is None  # a quick job shows nothing


def test_a_second_process_waits_for_a_build_in_progress(data_copy, scratch_cache):
    """While one process holds the build lock, another one waits; when the first one's
    cache appears, the second reads it instead of building its own."""
    from jurisdiction.dataset import load_files
    from jurisdiction.index import build_cache, build_lock, content_digest

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
        assert second.poll() is None  # waiting on the lock, not done
        assert _cache_dirs(scratch_cache) == []
        # "the first process" builds the cache under its lock
        build_cache(parse_dataset(data_copy, None, digest, None), str(scratch_cache))
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
    (scratch_cache / f".lock-{digest}").symlink_to(victim)
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"
    assert victim.read_text() == "keep"


def test_normalize_many_drops_exactly_what_normalize_drops():
    """normalize_many removes with `[^\\w\\n]|_` where normalize keeps str.isalnum(): the two
    must agree on every code point."""
    import re

    drop = re.compile(r"[^\w\n]|_")
    wrong = [
        hex(i)
        for i in range(sys.maxunicode + 1)
        if i != 10 and bool(drop.match(chr(i))) == chr(i).isalnum()
    ]
    assert wrong == []


def test_normalize_many_is_normalize_on_each_text():
    """Batches of shipped names and of hostile text (final sigma, combining marks, full-width,
    look-alikes, traditional characters, line breaks inside a text, empty texts) give what
    normalize gives one by one."""
    import random

    from jurisdiction.dataset import parse_dataset as parse
    from jurisdiction.index import community_forms
    from jurisdiction.normalize import normalize, normalize_many

    ds = parse("data", progress=None)
    names = [f for c in ds.communities for f in community_forms(c.name)]
    names += [s.name for s in ds.streets] + [p.name for p in ds.places]
    rng = random.Random(7)
    pool = [0x3A3, 0x301, 0xFF21, 0x2EC4, 0x570B, 0x9AD4, 0x2D, 0x20, 0x5F, 0x0A, 0x3000, 0x130]
    hostile = [
        "".join(
            chr(rng.choice([*pool, rng.randrange(0x20, 0x3000), rng.randrange(0x4E00, 0x9FFF)]))
            for _ in range(rng.randrange(0, 9))
        )
        for _ in range(20_000)
    ]
    for batch in (names, hostile, hostile[:40], ["ΑΣ", "Σ", "e\u0301", "\n", ""], []):
        assert normalize_many(batch) == [normalize(t) for t in batch]


def test_every_form_of_a_community_shares_its_deep_shard():
    """In a group too big for one shard, a community's forms (community_forms, 寨 variants
    aside) pick their shard by one part, so its row is stored once."""
    from jurisdiction.index import _deep_part, community_forms
    from jurisdiction.normalize import normalize

    ds = parse_dataset("data", progress=None)
    split = []
    for c in ds.communities:
        forms = community_forms(c.name)
        as_printed = [f for f in forms if f.count("寨") == c.name.count("寨")]
        with_zhai = [f for f in forms if f.count("寨") > c.name.count("寨")]
        for kind in (as_printed, with_zhai):
            parts = {_deep_part(normalize(f)) for f in kind if normalize(f)}
            if len(parts) > 1:
                split.append((c.name, sorted(parts)))
    assert split == []


def test_the_start_pairs_are_every_explicit_keys_first_two_characters(data_copy, scratch_cache):
    """An address asks at each position which lengths of names begin there; the cache answers
    from aux["start_pairs"] where no name begins, without reading a shard. It must list every
    beginning the in-memory index knows, and nothing else."""
    from jurisdiction.index import Index, _has_pair

    cached = open_index(data_copy)
    fresh = Index.from_dataset(parse_dataset(data_copy, progress=None))
    pairs = cached.aux["start_pairs"]
    listed = {pairs[i : i + 2] for i in range(0, len(pairs), 2)}
    assert listed == {k for k in fresh._starts if len(k) == 2}
    for key2 in sorted(listed)[::97]:
        assert _has_pair(pairs, key2) and cached.lengths_at(key2) == fresh.lengths_at(key2)
    for absent in ("号院", "楼3", "xy", "郑", ""):
        assert not _has_pair(pairs, absent) or absent in listed


def test_a_deep_groups_communities_keep_their_forms_in_one_shard(tmp_path, scratch_cache):
    """bench/grow.py's 6,400 communities all begin 测0: a group too big for one shard, spread
    over shards of its own by the first characters of each key (_deep_cut). Every form of
    one community lands in one shard, the shards are even, and each form still answers."""
    import importlib.util

    from jurisdiction.index import _deep_part, community_forms
    from jurisdiction.normalize import normalize

    spec = importlib.util.spec_from_file_location("grow", "bench/grow.py")
    grow = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(grow)
    grow.grow(tmp_path / "g", 207 + 400, 16, "block")
    index = open_index(tmp_path / "g")
    assert "测0" in index._deep
    first, k, cut = index._deep["测0"]
    assert cut == len(_deep_part(normalize("测00001-01社区")))
    names = [f"测{s:05d}-{c:02d}社区" for s in range(1, 401) for c in range(1, 17)]
    for name in names:
        shards = {index._shard_id(normalize(f)) for f in community_forms(name)}
        assert len(shards) == 1, name
    used = {index._shard_id(normalize(n)) for n in names}
    assert len(used) > k // 2 and all(first <= s < first + k for s in used)
    for name in names[::397]:
        for form in community_forms(name):
            assert resolve(form, index).station == f"测试{name[1:6]}派出所", form


def _index_files(ds, where) -> dict:
    """Everything an index build writes, decoded: head, aux, the dataset, and every shard."""
    from jurisdiction import index

    where.mkdir()
    index._write_index(ds, str(where), None)
    head = marshal.loads((where / "head").read_bytes())
    n_all = head["layout"]["n_all"]
    return {
        "head": head,
        "aux": marshal.loads((where / "aux").read_bytes()),
        "full": marshal.loads(zlib.decompress((where / "full").read_bytes())),
        "shards": [index._read_shard(str(where), n_all, i) for i in range(n_all)],
        "files": sorted(p.name for p in where.iterdir()),
    }


def test_communities_indexed_in_two_processes_give_the_same_index(tmp_path, monkeypatch):
    from jurisdiction import index

    ds = parse_dataset(default_data_dir(), progress=None)
    monkeypatch.setattr(index, "PARALLEL_COMMUNITIES", 10**9)
    alone = _index_files(ds, tmp_path / "alone")
    monkeypatch.setattr(index, "PARALLEL_COMMUNITIES", 1000)
    started = []
    real = forked.start
    monkeypatch.setattr(forked, "start", lambda work: started.append(1) or real(work))
    two = _index_files(ds, tmp_path / "two")
    assert started == [1]
    assert two == alone
    assert sum(map(len, (s[0] for s in two["shards"]))) > 3140 * 3


def test_a_failed_copy_leaves_the_index_whole(tmp_path, monkeypatch):
    from jurisdiction import index

    ds = parse_dataset(default_data_dir(), progress=None)
    monkeypatch.setattr(index, "PARALLEL_COMMUNITIES", 10**9)
    alone = _index_files(ds, tmp_path / "alone")
    monkeypatch.setattr(index, "PARALLEL_COMMUNITIES", 1000)
    real = forked.result
    for n, instead in enumerate((None, b"\x00garbage", marshal.dumps(([], 1, True)))):
        monkeypatch.setattr(forked, "result", lambda h, instead=instead: real(h) and instead)
        assert _index_files(ds, tmp_path / f"broken{n}") == alone


def test_forked_hands_back_the_bytes_or_none():
    big = bytes(range(256)) * 20_000  # more than a pipe holds
    assert forked.result(forked.start(lambda: big)) == big

    def fails() -> bytes:
        raise RuntimeError("in the copy")

    assert forked.result(forked.start(fails)) is None

    def killed() -> bytes:
        os.kill(os.getpid(), 9)
        return b"never"

    assert forked.result(forked.start(killed)) is None
    slow = forked.start(lambda: time.sleep(60) or b"late")
    t = time.monotonic()
    forked.stop(slow)
    assert time.monotonic() - t < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(slow[0], os.WNOHANG)  # reaped: no zombie left


def _parsed_both_ways(d, monkeypatch):
    """parse_dataset's answer (the Dataset or its problems) with communities.yaml read whole,
    and read in two halves at once; and how many copies were forked for the second."""
    from jurisdiction import dataset

    def parse(two: bool):
        try:
            return parse_dataset(d, progress=None, two_processes=two)
        except DataError as e:
            return e.lines()

    monkeypatch.setattr(dataset, "PARALLEL_BYTES", 10**12)
    whole = parse(False)
    monkeypatch.setattr(dataset, "PARALLEL_BYTES", 1)
    started = []
    real = forked.start
    monkeypatch.setattr(forked, "start", lambda work: started.append(1) or real(work))
    return whole, parse(True), len(started)


def test_communities_read_in_two_halves_give_the_same_dataset(data_copy, monkeypatch):
    whole, two, forks = _parsed_both_ways(data_copy, monkeypatch)
    assert forks == 1 and two == whole and len(two.communities) == 3140
    own = {s.code: s.code for s in two.streets}  # each street's own code object, shared
    assert all(c.street is own[c.street] for c in two.communities)


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text + text.split("\n- ", 1)[1][:200].split("\n- ")[0] + "\n",
        lambda text: text.replace("street: '410102001'", "street: '410102999'", 1),
        lambda text: text + "- code: '410102001002'\n  name: 甲社区\n  street: '410102001'\n",
        lambda text: text + "- name: 乙社区\n  other:\n  - {a: 1}\n  code: '410102001999'\n",
        lambda text: text.replace("kind: community", "kind: town"),
    ],
)
def test_problems_in_either_half_are_reported_as_a_whole_read_reports_them(
    data_copy, monkeypatch, change
):
    path = data_copy / "communities.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    whole, two, forks = _parsed_both_ways(data_copy, monkeypatch)
    assert forks == 1 and two == whole
    assert isinstance(whole, list) and whole  # each change is a problem


def test_a_record_the_fast_reader_composes_in_the_second_half_is_read(data_copy, monkeypatch):
    path = data_copy / "communities.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\n- ", len(text) * 3 // 4) + 1
    record = "- code: '410102001998'\n  name: 丙社区\n  note: \"two\n    lines\"\n  street: '410102001'\n"
    path.write_text(text[:at] + record + text[at:], encoding="utf-8")
    whole, two, _ = _parsed_both_ways(data_copy, monkeypatch)
    assert two == whole and any(c.name == "丙社区" for c in two.communities)
