"""The on-disk cache: never a stale answer, never a damaged one, never a broken dataset."""

from __future__ import annotations

import os
import shutil

from jurisdiction import open_index, resolve

from conftest import DATA, jur, out


def _rename_station(d, old: str, new: str) -> None:
    for name in ("units.yaml", "streets.yaml"):
        path = d / name
        st = path.stat()
        text = path.read_text(encoding="utf-8").replace(old, new)
        path.write_text(text, encoding="utf-8")
        # keep size and modification time: only the content (and ctime) tells the change
        assert path.stat().st_size == st.st_size
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_changed_dataset_is_never_answered_from_a_stale_cache(data_copy, scratch_cache):
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"  # from the cache
    assert any(p.name.startswith("stat-") for p in scratch_cache.iterdir())
    _rename_station(data_copy, "德化街派出所", "德化街警务所")
    assert resolve("德化街", open_index(data_copy)).station == "德化街警务所"
    p = jur("find", "德化街", "--data", str(data_copy), env={"JUR_CACHE_DIR": str(scratch_cache)})
    assert "德化街警务所" in out(p)


def test_a_change_long_after_the_memo_is_still_seen(data_copy, scratch_cache):
    """Even when the stat memo is old enough to be trusted, any stat change re-hashes."""
    open_index(data_copy)
    for f in scratch_cache.iterdir():
        if f.name.startswith("stat-"):
            import marshal

            where, key, digest, written = marshal.loads(f.read_bytes())
            f.write_bytes(marshal.dumps((where, key, digest, written + 10**12)))  # "written later"
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"
    _rename_station(data_copy, "德化街派出所", "德化街警务所")  # ctime changes
    assert resolve("德化街", open_index(data_copy)).station == "德化街警务所"


def test_cache_answers_equal_fresh_answers(data_copy):
    cached = open_index(data_copy)
    cached = open_index(data_copy)  # second open: from the cache
    assert cached._keys is None  # really the sharded cache
    fresh = open_index(data_copy, use_cache=False)
    queries = [
        "德化街",
        "dhj",
        "三官庙",
        "花园路26号",
        "郑州市二七区德化街街道某某小区3号楼",
        "鄭州市二七區銘功路",
        "德华街",
        "巩义市",
        "南关街道",
    ]
    assert [resolve(q, cached) for q in queries] == [resolve(q, fresh) for q in queries]
    assert cached.dataset == fresh.dataset


def test_a_damaged_cache_is_rebuilt_not_trusted(data_copy, scratch_cache):
    open_index(data_copy)
    for d in scratch_cache.iterdir():
        if d.is_dir():
            for f in d.iterdir():
                if f.name.startswith("k") or f.name in ("aux", "full"):
                    f.write_bytes(b"\x00garbage")
    index = open_index(data_copy)
    assert resolve("郑州市二七区德化街街道3号楼", index).station == "德化街派出所"
    assert len(index.dataset.streets) == 207


def test_a_missing_cache_directory_is_rebuilt(data_copy, scratch_cache):
    open_index(data_copy)
    for d in scratch_cache.iterdir():
        if d.is_dir():
            shutil.rmtree(d)
    assert resolve("德化街", open_index(data_copy)).station == "德化街派出所"


def test_an_invalid_dataset_is_never_cached(data_copy, scratch_cache):
    text = (data_copy / "streets.yaml").read_text(encoding="utf-8")
    (data_copy / "streets.yaml").write_text(
        text.replace("station: 德化街派出所", "station: 无此派出所"), encoding="utf-8"
    )
    p = jur("find", "德化街", "--data", str(data_copy), env={"JUR_CACHE_DIR": str(scratch_cache)})
    assert p.returncode == 2
    assert [x for x in scratch_cache.iterdir() if x.is_dir()] == []


def test_no_cache_when_asked(scratch_cache, monkeypatch):
    monkeypatch.setenv("JUR_NO_CACHE", "1")
    assert resolve("德化街", open_index(DATA)).station == "德化街派出所"
    assert list(scratch_cache.iterdir()) == []


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("JUR_CACHE_DIR", str(blocker / "sub"))
    assert resolve("德化街", open_index(DATA)).station == "德化街派出所"
