"""Lookup structures built from a Dataset, and their on-disk cache.

Every name a place answers to becomes a normalised key mapping to hits. A hit is a plain
tuple (so marshal can store it): (target, tier, payload, note) where target is
  "S" a street      payload = PlaceRow (name, code, district, kind, short, station, sub_bureau, verified, note)
  "T" a station that serves no street (e.g. 会展中心派出所)  payload = (station, sub_bureau)
  "B" a sub-bureau  payload = (name,)
  "D" a district    payload = (name, sub_bureau, code, kind, mixed_note)

The cache: a directory per content digest of the two dataset files, in the user's cache
directory ($JUR_CACHE_DIR, else $XDG_CACHE_HOME/jur, else ~/.cache/jur). Keys are split into
shards by a stable hash so that a lookup loads only the shards it touches: a cold `jur find`
costs the same on 207 streets as on 40,000. A dataset is cached only after it validated, and
the digest covers every byte of both files, so a changed dataset is never answered from a
stale cache. JUR_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterator
from functools import cached_property

from . import __version__
from .model import Community, Dataset, District, Place, Station, Street, SubBureau
from .normalize import normalize
from .paths import ALL_FILES, FILES, data_dir_from

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from typing import Any


FORMAT = 7  # bump when the cache layout or the key rules change
Hit = tuple  # (target, tier, payload, note)

FORMER_TIERS = {"former": "former name", "former-split": "former name", "later": "later name"}


def place_row(s: Street) -> tuple:
    return (
        s.name,
        s.code,
        s.district,
        s.kind,
        s.short,
        s.station,
        s.sub_bureau,
        s.verified,
        s.note,
    )


def pinyin_variants(reading: str) -> set[str]:
    """A reading as people type it: ü as v or u."""
    r = normalize(reading)
    return {r, r.replace("v", "u")}


def initials(reading: str, core: str) -> str | None:
    """Initials of a reading, when it splits into one syllable per character."""
    from .syllables import split_syllables

    syl = split_syllables(reading, len(core))
    if syl is None:
        return None
    return "".join(s[0] for s in syl)


def dataset_entries(ds: Dataset) -> Iterator[tuple[str, Hit, bool]]:
    """(key, hit, explicit) for every name of every entity. `explicit` marks the forms that
    name a subdistrict unmistakably (with its kind or as a station), used inside addresses."""
    for s in ds.streets:
        row = place_row(s)
        yield normalize(s.name), ("S", "exact", row, None), True
        core = normalize(s.short)
        if core and core != normalize(s.name):
            yield core, ("S", "alias", row, None), False
        if s.kind in ("街道", "镇", "乡"):
            yield normalize(s.short + s.kind), ("S", "alias", row, None), True
            if s.kind == "街道" and s.short.endswith("街"):  # 德化街街道 is also written 德化街道
                yield normalize(s.short[:-1] + "街道"), ("S", "alias", row, None), True
        if s.station:
            yield normalize(s.station), ("S", "station", row, None), True
        for name, relation, note in s.other_names:
            tier = relation if relation in FORMER_TIERS else "former"
            if tier == "former-split":
                text = f"{name} is a former name: {note}" if note else f"{name} is a former name"
            else:
                text = f"{FORMER_TIERS.get(tier, 'other name')} {name}; current name {s.name}"
                if note:
                    text += f" ({note})"
            yield normalize(name), ("S", tier, row, text), True
        collapsed = s.kind == "街道" and s.short.endswith("街")  # 德化街道 for 德化街街道
        for reading in s.pinyin:
            for variant in pinyin_variants(reading):
                yield variant, ("S", "pinyin", row, None), False
                if collapsed:
                    yield variant + "dao", ("S", "pinyin", row, None), False
            ini = initials(normalize(reading), s.short)
            if ini and len(s.short) >= 3:
                yield ini, ("S", "initials", row, None), False
    for st in ds.stations:
        if not st.streets:
            yield normalize(st.name), ("T", "station", (st.name, st.sub_bureau), None), True
    for b in ds.sub_bureaus:
        hit = ("B", "exact", (b.name,), None)
        names = {b.name, *(b.aliases), *([b.full_name] if b.full_name else [])}
        if b.name.endswith("分局"):
            names.add(b.name[: -len("分局")] + "公安分局")
        for n in names:
            yield normalize(n), hit, False
        for reading in b.pinyin:
            for variant in pinyin_variants(reading + "fenju"):
                yield variant, ("B", "pinyin", (b.name,), None), False
    for d in ds.districts:
        row = district_row(ds, d)
        for n in {d.name, *d.aliases}:
            yield normalize(n), ("D", "exact", row, None), False
        for reading in d.pinyin:
            for variant in pinyin_variants(reading):
                yield variant, ("D", "pinyin", row, None), False


def district_row(ds: Dataset, d: District) -> tuple:
    """(name, sub_bureau, code, kind, mixed_note): mixed_note says when the district's units
    are not all served by its sub-bureau (e.g. 金水区's units run by 郑东新区)."""
    if d.code is None and d.sub_bureau:
        members = [s for s in ds.streets if s.sub_bureau == d.sub_bureau]
    else:
        members = [s for s in ds.streets if s.district == d.name]
    others = sorted({s.sub_bureau or "outside" for s in members} - {d.sub_bureau or "outside"})
    note = None
    if others:
        names = [
            s.short for s in members if (s.sub_bureau or "outside") != (d.sub_bureau or "outside")
        ]
        note = f"not all of {d.name} is {d.sub_bureau or 'outside'}: {'、'.join(names)} → {'、'.join(others)}"
    return (d.name, d.sub_bureau, d.code, d.kind, note)


def area_entries(ds: Dataset) -> dict[str, tuple]:
    """Names that can stand in front of a place in an address: districts and sub-bureaus.
    Value: ("D", district_row) or ("B", name)."""
    areas: dict[str, tuple] = {}
    for d in ds.districts:
        row = district_row(ds, d)
        for n in {d.name, *d.aliases}:
            areas.setdefault(normalize(n), ("D", row))
    for b in ds.sub_bureaus:
        for n in {b.name, *b.aliases, *([b.full_name] if b.full_name else [])}:
            areas.setdefault(normalize(n), ("B", (b.name,)))
    return areas


class Index:
    """The lookup structure one process answers every query from."""

    def __init__(
        self,
        *,
        keys: dict[str, tuple[Hit, ...]] | None = None,
        head: dict[str, Any],
        aux: dict[str, Any] | None = None,
        dataset: Dataset | None = None,
        cache_dir: str | None = None,
    ) -> None:
        self._keys = keys
        self.head = head
        self._aux = aux
        self._dataset = dataset
        self._cache_dir = cache_dir
        self._shards: dict[int, dict[str, tuple[Hit, ...]]] = {}
        self.areas: dict[str, tuple] = head["areas"]
        self.digit_free: bool = head.get("digit_free", False)
        self.memo: dict[tuple[str, int], Any] = {}  # see resolve.resolve

    # --- building --------------------------------------------------------------------

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Index:
        keys: dict[str, list[Hit]] = {}
        explicit: set[str] = set()
        cores: set[str] = set()
        for key, hit, is_explicit in dataset_entries(ds):
            if not key:
                continue
            _add_hit(keys.setdefault(key, []), hit)
            if is_explicit and hit[0] in "ST":
                explicit.add(key)
        for s in ds.streets:
            core = normalize(s.short)
            if core:
                cores.add(core)
        frozen = {k: tuple(v) for k, v in keys.items()}
        areas = area_entries(ds)
        head = {
            "format": FORMAT,
            "version": __version__,
            "digest": ds.digest,
            "path": ds.path,
            "edition": ds.edition,
            "areas": areas,
            "shards": _shard_count(len(frozen)),
            # no key holds an ASCII digit: the resolver may treat all digits alike
            "digit_free": not any(c in "0123456789" for k in [*frozen, *areas] for c in k),
            "counts": {
                "streets": len(ds.streets),
                "stations": len(ds.stations),
                "sub_bureaus": len(ds.sub_bureaus),
            },
        }
        aux = {"explicit": sorted(explicit), "cores": sorted(cores)}
        return cls(keys=frozen, head=head, aux=aux, dataset=ds)

    # --- lookups ---------------------------------------------------------------------

    def lookup(self, key: str) -> tuple[Hit, ...]:
        if self._keys is not None:
            return self._keys.get(key, ())
        n = _shard_of(key, self.head["shards"])
        shard = self._shards.get(n)
        if shard is None:
            try:
                shard = self._shards[n] = _read(os.path.join(self._cache_dir, f"k{n:04d}"))
            except (OSError, ValueError, EOFError, TypeError):
                self._rebuild()
                return self.lookup(key)
            if len(self._shards) == self.head["shards"]:
                # every shard is in memory (a batch, or a small dataset): one dict from now on
                merged: dict[str, tuple[Hit, ...]] = {}
                for part in self._shards.values():
                    merged.update(part)
                self._keys = merged
        return shard.get(key, ())

    @property
    def aux(self) -> dict[str, Any]:
        if self._aux is None:
            try:
                self._aux = _read(os.path.join(self._cache_dir, "aux"))
            except (OSError, ValueError, EOFError, TypeError):
                self._rebuild()
        return self._aux

    def _rebuild(self) -> None:
        """A cache file went missing or is damaged: index the dataset afresh (it is parsed
        and validated again, so a dataset changed meanwhile is checked, never trusted)."""
        from .dataset import load_files, parse_dataset

        directory = self.head["path"]
        raw = load_files(directory)
        fresh = Index.from_dataset(parse_dataset(directory, raw, content_digest(raw)))
        self._keys, self._aux, self._dataset = fresh._keys, fresh._aux, fresh._dataset
        self.head = fresh.head
        self.areas = fresh.areas
        self.digit_free = fresh.digit_free
        self.memo.clear()
        for name in ("area_starts", "explicit_starts", "core_starts", "cores"):
            self.__dict__.pop(name, None)

    @cached_property
    def area_starts(self) -> dict[str, list[str]]:
        return _by_first_two(self.areas)

    @cached_property
    def explicit_starts(self) -> dict[str, list[str]]:
        return _by_first_two(self.aux["explicit"])

    @cached_property
    def core_starts(self) -> dict[str, list[str]]:
        return _by_first_two(self.aux["cores"])

    @cached_property
    def cores(self) -> list[str]:
        return list(self.aux["cores"])

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            try:
                self._dataset = _dataset_from_tuples(_read(os.path.join(self._cache_dir, "full")))
            except (OSError, ValueError, EOFError, TypeError):
                self._rebuild()
        return self._dataset

    @property
    def edition(self) -> str:
        return str(self.head.get("edition"))

    # --- cache -----------------------------------------------------------------------

    def write_cache(self, root: str) -> None:
        """Write this index under root/<digest>, atomically; silently skip if impossible."""
        from pathlib import Path

        root = Path(root)
        if self._keys is None or self._dataset is None or not self.head["digest"]:
            return
        target = root / self.head["digest"]
        if target.exists():
            return
        tmp = root / f".tmp-{os.getpid()}-{self.head['digest'][:12]}"
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            n = self.head["shards"]
            shards: list[dict[str, tuple]] = [{} for _ in range(n)]
            for k, v in self._keys.items():
                shards[_shard_of(k, n)][k] = v
            for i, shard in enumerate(shards):
                (tmp / f"k{i:04d}").write_bytes(marshal.dumps(shard))
            (tmp / "aux").write_bytes(marshal.dumps(self.aux))
            (tmp / "full").write_bytes(marshal.dumps(_dataset_to_tuples(self._dataset)))
            (tmp / "head").write_bytes(marshal.dumps(self.head))  # written last: marks complete
            os.replace(tmp, target)
        except OSError:
            _rmtree(tmp)


_TIER_RANK = {
    "exact": 0,
    "alias": 1,
    "station": 1,
    "former": 2,
    "former-split": 2,
    "later": 2,
    "pinyin": 2,
    "initials": 3,
}


def _add_hit(bucket: list[Hit], hit: Hit) -> None:
    """One hit per target and key: the best tier, with the note of any (南关街道 is both a
    kind form of 南关街街道 and its former name)."""
    target = (hit[0], hit[2][1] if hit[0] == "S" else hit[2][0])
    for i, old in enumerate(bucket):
        if (old[0], old[2][1] if old[0] == "S" else old[2][0]) == target:
            best = old if _TIER_RANK.get(old[1], 9) <= _TIER_RANK.get(hit[1], 9) else hit
            bucket[i] = (best[0], best[1], best[2], old[3] or hit[3])
            return
    bucket.append(hit)


def _by_first_two(names: object) -> dict[str, list[str]]:
    """Names grouped by their first two characters, longest first: finding the names that
    start at a position of a text costs one dict lookup instead of one per length."""
    out: dict[str, list[str]] = {}
    for name in names:  # type: ignore[attr-defined]
        if len(name) >= 2:
            out.setdefault(name[:2], []).append(name)
    for group in out.values():
        group.sort(key=lambda n: (-len(n), n))
    return out


def _shard_count(n_keys: int) -> int:
    n = 1
    while n * 1024 < n_keys:
        n *= 2
    return n


def _shard_of(key: str, n: int) -> int:
    return zlib.crc32(key.encode("utf-8")) & (n - 1) if n > 1 else 0


def _read(path: str) -> Any:
    with open(path, "rb") as f:
        return marshal.loads(f.read())


def _rmtree(path: object) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _dataset_to_tuples(ds: Dataset) -> tuple:
    return (
        ds.path,
        ds.digest,
        ds.meta,
        tuple(tuple(b) for b in ds.sub_bureaus),
        tuple(tuple(s) for s in ds.stations),
        tuple(tuple(s) for s in ds.streets),
        tuple(tuple(d) for d in ds.districts),
        tuple(tuple(c) for c in ds.communities),
        tuple(tuple(p) for p in ds.places),
    )


def _dataset_from_tuples(t: tuple) -> Dataset:
    path, digest, meta, bureaus, stations, streets, districts, communities, places = t
    return Dataset(
        path=path,
        digest=digest,
        meta=meta,
        sub_bureaus=tuple(map(SubBureau._make, bureaus)),
        stations=tuple(map(Station._make, stations)),
        streets=tuple(map(Street._make, streets)),
        districts=tuple(map(District._make, districts)),
        communities=tuple(map(Community._make, communities)),
        places=tuple(map(Place._make, places)),
    )


# --- opening a dataset ---------------------------------------------------------------------


def cache_root() -> str | None:
    if os.environ.get("JUR_NO_CACHE"):
        return None
    explicit = os.environ.get("JUR_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jur")


RACY_NS = 2_000_000_000  # a file changed within 2 s of the memo is re-hashed (as git does)


def _stat_key(directory: str) -> tuple | None:
    out = []
    for fname in ALL_FILES:
        try:
            st = os.stat(os.path.join(directory, fname))
        except FileNotFoundError:
            if fname in FILES:
                return None
            out.append((-1, 0, 0, 0, 0))  # an optional file absent: its coming is a change
            continue
        except OSError:
            return None
        out.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev))
    return tuple(out)


def content_digest(raw: dict[str, bytes]) -> str:
    import hashlib

    h = hashlib.sha256(f"jur-cache {FORMAT} {__version__}\n".encode())
    for fname in ALL_FILES:
        data = raw.get(fname)
        if data is None:
            h.update(f"{fname} absent\n".encode())
            continue
        h.update(f"{fname} {len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()[:40]


def _memo_path(root: str, directory: str) -> str:
    """One memo per dataset directory; the directory is also stored inside and compared."""
    where = os.path.realpath(directory)
    return os.path.join(root, f"stat-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}")


def open_index(data: str | os.PathLike[str] | None = None, *, use_cache: bool = True) -> Index:
    """The index of a dataset directory (default: --data, $JUR_DATA, the shipped one).

    From the cache when its digest matches the files' content; otherwise parsed, validated
    (DataError on any problem), indexed and cached."""
    directory = data_dir_from(data)
    root = cache_root() if use_cache else None
    if root is not None:
        index = _from_cache(root, directory)
        if index is not None:
            return index
    from .dataset import load_files, parse_dataset

    raw = load_files(directory)
    digest = content_digest(raw)
    if root is not None:
        cached = _open_cached(os.path.join(root, digest))
        if cached is not None:
            _write_memo(root, directory, digest)
            return cached
    ds = parse_dataset(directory, raw, digest)
    index = Index.from_dataset(ds)
    if root is not None:
        index.write_cache(root)
        _write_memo(root, directory, digest)
    return index


def _from_cache(root: str, directory: str) -> Index | None:
    """The cached index when the stat memo vouches for the files' content; else None."""
    key = _stat_key(directory)
    if key is None:
        return None
    try:
        memo = _read(_memo_path(root, directory))
        where, memo_key, digest, written_ns = memo
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if where != os.path.realpath(directory) or tuple(map(tuple, memo_key)) != key:
        return None
    # A file whose change time is not safely older than the memo might have been rewritten
    # within the same clock tick: do not trust the stat, hash the content.
    if any(entry[2] >= written_ns - RACY_NS for entry in key):
        return None
    return _open_cached(os.path.join(root, digest))


def _open_cached(path: str) -> Index | None:
    try:
        head = _read(os.path.join(path, "head"))
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (
        not isinstance(head, dict)
        or head.get("format") != FORMAT
        or head.get("version") != __version__
    ):
        return None
    return Index(head=head, cache_dir=path)


def _write_memo(root: str, directory: str, digest: str) -> None:
    import time

    key = _stat_key(directory)
    if key is None:
        return
    try:
        os.makedirs(root, exist_ok=True)
        tmp = os.path.join(root, f".memo-{os.getpid()}")
        with open(tmp, "wb") as f:
            f.write(marshal.dumps((os.path.realpath(directory), key, digest, time.time_ns())))
        os.replace(tmp, _memo_path(root, directory))
    except OSError:
        pass


def load(data: str | os.PathLike[str] | None = None, *, use_cache: bool = True) -> Dataset:
    """The validated Dataset (default: the shipped one)."""
    return open_index(data, use_cache=use_cache).dataset
