"""Lookup structures built from a Dataset, and their on-disk cache.

Every name a place answers to becomes a normalised key mapping to hits. A hit names what it
points at (`target`), how the key was made (`tier`), the row of facts an answer needs, and a
note. Targets and their rows:

  "S" a street (subdistrict or township)     row = StreetRow
  "C" a community or village                 row = CommunityRow (its street's StreetRow inside)
  "P" a named place (郑州站, a metro station)  row = PlaceRow
  "T" a station that serves no street        row = StationRow (e.g. 水上派出所)
  "B" a sub-bureau                           row = BureauRow
  "D" a district or zone                     row = DistrictRow

Hits and rows are named tuples in memory (model.record: light ones, ~7 µs to define
against ~46 µs for collections.namedtuple) and plain tuples in the cache (marshal stores
tuples only): `lookup` names the hits of a key the first time it is asked for, ~0.2 µs a
hit (measured: 0.39 µs for two hits, against 23 ns to index a tuple; attribute access costs
26 ns against 23 ns), and keeps them named. So the resolver reads `hit.row.station`,
never `h[2][5]`.

Keys that may be found inside a longer text (explicit forms: 德化街街道, 杜岭办事处, 南彩社区,
郑州东站, 燕庄站…) are also summed up by their first two characters: `lengths_at` gives the
lengths of the explicit keys that begin with them, so reading an address tries only those
lengths at a position, each one key lookup; see address.py. The lengths are sharded in the
cache like the keys, so an address loads only what its characters touch: a dataset of
400,000 communities whose names all begin alike costs an address a few more lookups, not
a scan of 400,000 names.

The cache: a directory per content digest of the dataset files, in the user's cache
directory ($JUR_CACHE_DIR, else $XDG_CACHE_HOME/jur, else ~/.cache/jur). Keys are split into
shards by a stable hash so that a lookup loads only the shards it touches: a cold `jur find`
costs the same on 207 streets as on 40,000. A dataset is cached only after it validated, and
the digest covers every byte of every file, so a changed dataset is never answered from a
stale cache. JUR_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterator
from functools import cached_property

from . import __version__
from .model import Community, Dataset, District, Place, Station, Street, SubBureau, record
from .normalize import normalize, normalize_many
from .paths import ALL_FILES, FILES, data_dir_from

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from typing import Any


FORMAT = 16  # bump when the cache layout or the key rules change

Hit = record("Hit", "target tier row note")
StreetRow = record("StreetRow", "name code district kind short station sub_bureau verified note")
CommunityRow = record("CommunityRow", "name code kind street")
PlaceRow = record(
    "PlaceRow", "name kind station sub_bureau street lines note district outside verified group"
)
StationRow = record("StationRow", "name sub_bureau")
BureauRow = record("BureauRow", "name")
DistrictRow = record("DistrictRow", "name sub_bureau code kind mixed")

FORMER_TIERS = {
    "former": "former name",
    "former-split": "former name",
    "later": "later name",
    "office": "office name as listings write it",
}

# Office forms: how offices and listings write a unit (杜岭办事处, 侯寨街道办, 马寨镇人民政府).
OFFICE_FORMS = {
    "街道": ("街道办事处", "街道办", "办事处"),
    "镇": ("镇人民政府", "镇政府"),
    "乡": ("乡人民政府", "乡政府"),
}
KINDS = ("街道", "镇", "乡")
# Community and village forms (see community_forms).
COMMUNITY_SUFFIXES = (
    ("社区居民管理委员会", "community"),
    ("社区管理委员会", "community"),
    ("社区居民委员会", "community"),
    ("社区居委会", "community"),
    ("居民委员会", "community"),
    ("居委会", "community"),
    ("村民委员会", "village"),
    ("村委会", "village"),
    ("社区", "community"),
)
METRO_PREFIXES = ("地铁", "郑州地铁")


def street_row(s: Street) -> StreetRow:
    return StreetRow(
        s.name, s.code, s.district, s.kind, s.short, s.station, s.sub_bureau, s.verified, s.note
    )


def community_forms(name: str) -> list[str]:
    """The forms people write for a community or village, by rule (README, "The data"):

    - the official name (碧沙岗社区居委会, 申庄村民委员会);
    - a community: its core + 社区 (碧沙岗社区), + 居委会, + 社区居委会;
    - a village: its name with 村 (申庄村; 小刘村 from 小刘村村委会), + 委会 (申庄村委会),
      + 民委员会 (申庄村民委员会);
    - each of these with 寨 for 砦: NBS prints the local 砦 (常砦) where people write 寨.

    The core alone (碧沙岗, 申庄) is never a form: too many roads, parks and words share it.
    """
    kind = None
    base = name
    for suffix, k in COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base, kind = name[: -len(suffix)], k
            break
    forms = [name]
    if kind == "community":
        core = base.removesuffix("社区") or base
        forms += [core + "社区", core + "居委会", core + "社区居委会", core + "社区居民委员会"]
    elif kind == "village":
        village = base if base.endswith("村") else base + "村"
        forms += [village, village + "委会", village + "民委员会", village + "村委会"]
    out = list(dict.fromkeys(forms))
    out += [f.replace("砦", "寨") for f in out if "砦" in f]
    return list(dict.fromkeys(out))


def metro_base(name: str) -> str:
    """东风路(2号线) -> 东风路: the source marks a name two stations share with the line."""
    return name.split("(")[0]


def metro_forms(name: str) -> list[str]:
    """A metro station as people write it when they mean the station: 燕庄站, 地铁燕庄(站),
    燕庄地铁站, 郑州地铁燕庄站. A line written before it (1号线燕庄) is read by address.py,
    so that no key holds a digit. The bare name (人民公园) is not a form: it names a park;
    it is indexed as tier 'metro-bare', which answers only after a line or metro marker."""
    base = metro_base(name)
    stem = base if base.endswith("站") else base + "站"
    forms = [stem, base + "地铁站"]
    for p in METRO_PREFIXES:
        forms += [p + base, p + stem]
    return [f for f in dict.fromkeys(forms) if f != base]


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
    name a place unmistakably (with its kind, office, marker or as a station), which may be
    found inside a longer text."""
    rows: dict[str, StreetRow] = {}
    yield from street_entries(ds, rows)
    for crows, key_lists in community_batches(ds, rows):
        for crow, keys in zip(crows, key_lists, strict=True):
            for i, key in enumerate(keys):
                yield key, Hit("C", "exact" if i == 0 else "community", crow, None), True
    yield from other_entries(ds, rows)


COMMUNITY_BATCH = 8192


def community_batches(
    ds: Dataset, rows: dict[str, StreetRow], lo: int = 0, hi: int | None = None
) -> Iterator[tuple[list[CommunityRow], list[list[str]]]]:
    """The communities (those from lo to hi) in batches: their rows, and for each its keys
    (community_forms, normalized; the official name's first). Normalized a batch at a time
    (normalize_many)."""
    communities = ds.communities[lo:hi]
    for start in range(0, len(communities), COMMUNITY_BATCH):
        crows: list[CommunityRow] = []
        forms: list[list[str]] = []
        for c in communities[start : start + COMMUNITY_BATCH]:
            street = rows.get(c.street)
            if street is None:  # pragma: no cover - the loader checks every reference
                continue
            crows.append(CommunityRow(c.name, c.code, c.kind, street))
            forms.append(community_forms(c.name))
        flat = normalize_many([f for fs in forms for f in fs])
        key_lists: list[list[str]] = []
        at = 0
        for fs in forms:
            key_lists.append(flat[at : at + len(fs)])
            at += len(fs)
        yield crows, key_lists


def street_entries(ds: Dataset, rows: dict[str, StreetRow]) -> Iterator[tuple[str, Hit, bool]]:
    """The streets' entries (dataset_entries); fills rows, code -> StreetRow."""
    # A kind written otherwise never stands for a name some unit had (南曹乡, split in two).
    taken = {normalize(name) for s in ds.streets for name, _, _ in s.other_names}
    for s in ds.streets:
        row = rows[s.code] = street_row(s)
        yield normalize(s.name), Hit("S", "exact", row, None), True
        core = normalize(s.short)
        if core and core != normalize(s.name):
            yield core, Hit("S", "alias", row, None), False
        if s.kind in KINDS:
            yield normalize(s.short + s.kind), Hit("S", "alias", row, None), True
            if s.kind == "街道" and s.short.endswith("街"):  # 德化街街道 is also written 德化街道
                yield normalize(s.short[:-1] + "街道"), Hit("S", "alias", row, None), True
            for form in OFFICE_FORMS[s.kind]:
                yield normalize(s.short + form), Hit("S", "alias", row, None), True
            for other in KINDS:  # 侯寨乡 for 侯寨街道: a kind written differently
                if other != s.kind and normalize(s.short + other) not in taken:
                    note = f"written as a {other}; officially a {s.kind}"
                    for form in (other, *OFFICE_FORMS[other]):
                        yield normalize(s.short + form), Hit("S", "kind", row, note), True
        if s.station:
            yield normalize(s.station), Hit("S", "station", row, None), True
        for name, relation, note in s.other_names:
            tier = relation if relation in FORMER_TIERS else "former"
            if tier == "former-split":
                text = f"{name} is a former name: {note}" if note else f"{name} is a former name"
            else:
                text = f"{FORMER_TIERS.get(tier, 'other name')} {name}; current name {s.name}"
                if note:
                    text += f" ({note})"
            yield normalize(name), Hit("S", tier, row, text), True
        collapsed = s.kind == "街道" and s.short.endswith("街")  # 德化街道 for 德化街街道
        for reading in s.pinyin:
            for variant in pinyin_variants(reading):
                yield variant, Hit("S", "pinyin", row, None), False
                if collapsed:
                    yield variant + "dao", Hit("S", "pinyin", row, None), False
            ini = initials(normalize(reading), s.short)
            if ini and len(s.short) >= 3:
                yield ini, Hit("S", "initials", row, None), False


def other_entries(ds: Dataset, rows: dict[str, StreetRow]) -> Iterator[tuple[str, Hit, bool]]:
    """The entries of places, stations, sub-bureaus and districts (dataset_entries)."""
    districts = {d.name: d for d in ds.districts}
    mixed: dict[str, str | None] = {}
    for p in ds.places:
        station, bureau = ds.answers_for(p)
        verified = p.verified
        caveat = None
        if p.district and not p.street and p.district in districts:
            if p.district not in mixed:
                mixed[p.district] = district_row(ds, districts[p.district]).mixed
            caveat = mixed[p.district]  # 金水区: 7 of its units are 郑东分局's
            verified = verified and caveat is None
        district = p.district
        if district is None and p.street is None and p.outside:
            district = p.outside
        prow = PlaceRow(
            p.name,
            p.kind,
            p.station,
            bureau,
            rows.get(p.street) if p.street else None,
            p.lines,
            p.note,
            district,
            p.outside,
            verified,
            p.group,
        )
        note = p.note
        if note is None and p.sub_bureau and not p.station:
            note = f"{p.sub_bureau} answers for it; which of its stations does is not published"
        if p.district and not p.street and districts.get(p.district):
            said = "the sub-bureau, not the station" if bureau else "that it is outside"
            note = _join_notes(
                note, f"{p.district}, from a public page (not from the police), gives {said}"
            )
            note = _join_notes(note, caveat)
        elif p.district and p.street:
            note = _join_notes(note, "its subdistrict is from a public page, not from the police")
        if p.kind == "metro-station":
            for form in metro_forms(p.name):
                yield normalize(form), Hit("P", "metro", prow, note), True
            yield normalize(metro_base(p.name)), Hit("P", "metro-bare", prow, note), False
        else:
            yield normalize(p.name), Hit("P", "exact", prow, note), True
            for alias in p.aliases:
                yield normalize(alias), Hit("P", "place", prow, note), True
            for shared in p.group:
                # 郑州大学: the name every campus shares; with a branch word (郑大主校区) one
                yield normalize(shared), Hit("P", "group", prow, note), True
            for reading in p.pinyin:
                for variant in pinyin_variants(reading):
                    yield variant, Hit("P", "pinyin", prow, note), False
    for st in ds.stations:
        if not st.streets:
            yield (
                normalize(st.name),
                Hit("T", "station", StationRow(st.name, st.sub_bureau), None),
                True,
            )
        for name, _relation, note in st.other_names:
            text = f"written {name}: {note}" if note else f"written {name}"
            row = StationRow(st.name, st.sub_bureau)
            yield normalize(name), Hit("T", "probable", row, text), True
    for b in ds.sub_bureaus:
        hit = Hit("B", "exact", BureauRow(b.name), None)
        names = {b.name, *(b.aliases), *([b.full_name] if b.full_name else [])}
        if b.name.endswith("分局"):
            names.add(b.name[: -len("分局")] + "公安分局")
        for n in names:
            yield normalize(n), hit, False
        for reading in b.pinyin:
            for variant in pinyin_variants(reading + "fenju"):
                yield variant, Hit("B", "pinyin", BureauRow(b.name), None), False
    for d in ds.districts:
        row = district_row(ds, d)
        for n in {d.name, *d.aliases}:
            yield normalize(n), Hit("D", "exact", row, None), False
        for reading in d.pinyin:
            for variant in pinyin_variants(reading):
                yield variant, Hit("D", "pinyin", row, None), False


def _join_notes(a: str | None, b: str | None) -> str | None:
    return "; ".join(x for x in (a, b) if x) or None


def district_row(ds: Dataset, d: District) -> DistrictRow:
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
    return DistrictRow(d.name, d.sub_bureau, d.code, d.kind, note)


def area_entries(ds: Dataset) -> dict[str, tuple]:
    """Names that can stand in front of a place in an address: districts and sub-bureaus.
    Value: ("D", district_row) or ("B", name)."""
    areas: dict[str, tuple] = {}
    for d in ds.districts:
        row = tuple(district_row(ds, d))
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
        starts: dict[str, list[int]] | None = None,
    ) -> None:
        self._keys = keys
        self._starts = starts
        self._lengths: dict[str, Any] = {}  # lengths_at's answers from the cache
        self.head = head
        self._aux = aux
        self._dataset = dataset
        self._cache_dir = cache_dir
        self._shards: dict[int, tuple[dict[str, tuple], dict[str, list[int]]]] = {}
        layout = head.get("layout") or {}
        self._n: int = layout.get("n", 1)
        self._n_all: int = layout.get("n_all", 1)
        self._deep: dict[str, tuple[int, int, int]] = layout.get("deep", {})
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
            if is_explicit:
                explicit.add(key)
        for s in ds.streets:
            core = normalize(s.short)
            if core:
                cores.add(core)
        frozen = {k: tuple(v) for k, v in keys.items()}
        head = head_of(ds, not any(_has_digit(k) for k in frozen))
        starts = _lengths_by_first_two(explicit)
        aux = aux_of(ds, cores)
        return cls(keys=frozen, head=head, aux=aux, dataset=ds, starts=starts)

    # --- lookups ---------------------------------------------------------------------

    def lookup(self, key: str) -> tuple[Hit, ...]:
        """The hits of a key, as named tuples (see the module's opening comment)."""
        raw = self._raw_lookup(key)
        if not raw or raw[0].__class__ is Hit:
            return raw  # built from the dataset, or named at an earlier lookup
        try:
            named = tuple(map(_named_hit, raw))
        except CACHE_DAMAGE:  # valid marshal data of another shape: not this cache's
            self._rebuild()
            return self.lookup(key)
        # name them once: a batch, or an address read, looks the same key up again
        if self._keys is not None:
            self._keys[key] = named
        else:
            self._shards[self._shard_id(key)][0][key] = named
        return named

    def _shard_id(self, key: str) -> int:
        """Keys are grouped by their first two characters (an address read looks up keys
        that begin alike, and a community's forms land together); a group too big for one
        shard is spread over shards of its own by the key's first characters, as many as
        the group's names have before their community suffixes (_deep_cut: a community's
        forms still land together; head["layout"]["deep"])."""
        group = key[:2]
        deep = self._deep.get(group)
        if deep is not None:
            return deep[0] + (zlib.crc32(key[: deep[2]].encode("utf-8")) & (deep[1] - 1))
        return zlib.crc32(group.encode("utf-8")) & (self._n - 1)

    def _shard(self, n: int) -> tuple[dict, dict]:
        shard = self._shards.get(n)
        if shard is None:
            shard = self._shards[n] = _read_shard(self._cache_dir, self._n_all, n)
            if len(self._shards) == self._n_all:
                # every shard is in memory (a batch, or a small dataset): one dict from now on
                keys: dict[str, tuple[Hit, ...]] = {}
                starts: dict[str, list[int]] = {}
                for part, part_starts in self._shards.values():
                    keys.update(part)
                    starts.update(part_starts)
                self._keys, self._starts = keys, starts
        return shard

    def _raw_lookup(self, key: str) -> tuple:
        if self._keys is not None:
            return self._keys.get(key, ())
        try:
            shard = self._shard(self._shard_id(key))
        except CACHE_DAMAGE:
            self._rebuild()
            return self._raw_lookup(key)
        return shard[0].get(key, ())

    def lengths_at(self, key2: str) -> list[int]:
        """The lengths of the explicit keys that begin with these two characters, longest
        first. They are kept in the shard of the keys that begin so (one read for both);
        aux["start_pairs"] says where none begin, so most of an address reads no shard."""
        known = self._lengths.get(key2)  # a batch asks the same starts again and again
        if known is not None:
            return known
        aux = self.aux if self._starts is None else None  # a damaged aux is rebuilt here
        if self._starts is not None:
            return self._starts.get(key2, ())
        if aux is None or not _has_pair(aux["start_pairs"], key2):
            lengths = ()
        else:
            try:
                shard = self._shard(zlib.crc32(key2.encode("utf-8")) & (self._n - 1))
            except CACHE_DAMAGE:
                self._rebuild()
                return self.lengths_at(key2)
            lengths = shard[1].get(key2, ())
        if len(self._lengths) < 65_536:
            self._lengths[key2] = lengths
        return lengths

    @property
    def aux(self) -> dict[str, Any]:
        if self._aux is None:
            try:
                aux = _checked(_read(os.path.join(self._cache_dir, "aux")), dict)
                _checked(aux["cores"], list)
                _checked(aux["core_starts"], dict)
                if len(_checked(aux["start_pairs"], str)) % 2:
                    raise ValueError("start_pairs")
                self._aux = aux
            except CACHE_DAMAGE:
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
        self._starts, self._shards = fresh._starts, {}
        self._lengths.clear()
        self.head = fresh.head
        self.areas = fresh.areas
        self.digit_free = fresh.digit_free
        self.memo.clear()
        for name in ("area_starts", "core_starts", "cores", "place_names"):
            self.__dict__.pop(name, None)

    @cached_property
    def area_starts(self) -> dict[str, list[str]]:
        return _by_first_two(self.areas)

    @property
    def lies_on(self) -> dict[str, list[str]]:
        """zone -> the districts its units lie on (zhengdong.md)."""
        return self.head.get("lies_on") or {}

    @property
    def zone_bureau(self) -> dict[str, str | None]:
        """zone (that lies on districts) -> its sub-bureau."""
        return self.head.get("zone_bureau") or {}

    @cached_property
    def core_starts(self) -> dict[str, list[str]]:
        return self.aux["core_starts"]

    @cached_property
    def cores(self) -> list[str]:
        return list(self.aux["cores"])

    @cached_property
    def place_names(self) -> list[str]:
        """The names of landmarks (and their other names) of four characters or more: the
        typo tier tries them too (二七纪念搭)."""
        return list(self.aux.get("place_names", ()))

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            try:
                full = zlib.decompress(_read_bytes(os.path.join(self._cache_dir, "full")))
                self._dataset = _dataset_from_tuples(marshal.loads(full))
            except CACHE_DAMAGE:
                self._rebuild()
        return self._dataset

    @property
    def edition(self) -> str:
        return str(self.head.get("edition"))

    # --- cache -----------------------------------------------------------------------

    def write_cache(self, root: str) -> None:
        """Write this index's dataset under root/<digest>, atomically; silently skip if
        impossible (see build_cache)."""
        if self._dataset is not None and self.head["digest"]:
            build_cache(self._dataset, root)


_TIER_RANK = {
    "exact": 0,
    "alias": 1,
    "station": 1,
    "community": 1,
    "place": 1,
    "metro": 1,
    "group": 1,
    "probable": 2,
    "office": 2,
    "former": 2,
    "former-split": 2,
    "later": 2,
    "pinyin": 2,
    "kind": 2.5,  # 卢店街道 is the later name of 卢店镇 before it is a kind written otherwise
    "initials": 3,
    "metro-bare": 4,
}
ROW_TYPES = {
    "S": StreetRow,
    "P": PlaceRow,
    "T": StationRow,
    "B": BureauRow,
    "D": DistrictRow,
}


def identity(hit: Hit) -> tuple:
    """What a hit points at: two hits with one identity are the same place."""
    row = hit.row
    if hit.target in "SC":
        return (hit.target, row.code)
    if hit.target == "P":
        return ("P", row.name, row.kind)
    return (hit.target, row.name)


def _add_hit(bucket: list[Hit], hit: Hit) -> None:
    """One hit per target and key: the best tier, with the note of any (南关街道 is both a
    kind form of 南关街街道 and its former name)."""
    target = identity(hit)
    for i, old in enumerate(bucket):
        if identity(old) == target:
            best = old if _TIER_RANK.get(old.tier, 9) <= _TIER_RANK.get(hit.tier, 9) else hit
            note = best.note if best.tier in FORMER_TIERS else old.note or hit.note
            bucket[i] = best._replace(note=note)
            return
    bucket.append(hit)


def _add_plain(bucket: list[tuple], hit: tuple) -> None:
    """_add_hit for hits as the cache keeps them (plain tuples)."""
    target = _plain_identity(hit)
    for i, old in enumerate(bucket):
        if _plain_identity(old) == target:
            best = old if _TIER_RANK.get(old[1], 9) <= _TIER_RANK.get(hit[1], 9) else hit
            note = best[3] if best[1] in FORMER_TIERS else old[3] or hit[3]
            bucket[i] = (best[0], best[1], best[2], note)
            return
    bucket.append(hit)


def _plain_identity(hit: tuple) -> tuple:
    target, row = hit[0], hit[2]
    if target in "SC":
        return (target, row[1])
    if target == "P":
        return ("P", row[0], row[1])
    return (target, row[0])


def _named_hit(t: tuple) -> Hit:
    target, tier, row, note = t
    if target == "C":
        name, code, kind, street = row
        row = CommunityRow(name, code, kind, StreetRow._make(street))
    elif target == "P":
        row = PlaceRow._make(row)
        if row.street is not None:
            row = row._replace(street=StreetRow._make(row.street))
    else:
        row = ROW_TYPES[target]._make(row)
    return Hit(target, tier, row, note)


def _plain(v: Any) -> Any:
    """Named tuples as plain tuples, all the way down (marshal stores plain ones only)."""
    if isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _plain_shared(v: Any, seen: dict[int, tuple]) -> Any:
    """_plain for hits, converting each row once: the 1,004 streets' rows are shared by
    thousands of keys, and marshal writes a shared object once and refers to it after."""
    if not isinstance(v, tuple):
        return v
    plain = seen.get(id(v))
    if plain is None:
        plain = seen[id(v)] = tuple(_plain_shared(x, seen) for x in v)
        seen[id(plain)] = plain
    return plain


def _lengths_by_first_two(names: set[str]) -> dict[str, list[int]]:
    """First two characters -> the lengths of the names that begin with them, longest first."""
    out: dict[str, set[int]] = {}
    for name in names:
        if len(name) >= 2:
            out.setdefault(name[:2], set()).add(len(name))
    return {k: sorted(v, reverse=True) for k, v in out.items()}


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
    while n * 512 < n_keys:
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


# --- the cache: layout and build ---------------------------------------------------------
#
# root/<digest>/ holds, all written by marshal:
#   head   what every run reads: the areas, the layout (how many shards, where each one is)
#   keys   the shards one after another, each zlib-compressed ({key: hits}, {two chars:
#          lengths}); keys are grouped by their first two characters, and a group too big
#          for one shard is spread by its keys' first _deep_cut characters (Index._shard_id)
#   aux    the street cores (the fuzzy tier and the address reader)
#   full   the dataset itself, zlib-compressed (show, list, roster)
# The build streams: the entries of dataset_entries are cut into buckets of marshal blocks
# as they come (a bucket holds whole groups), then each bucket in turn becomes its shards,
# written at once. Memory holds the Dataset and the compact blocks, never a Python object per
# key of the whole index. Communities, the bulk of a big dataset, are normalized a batch at a
# time (normalize_many) and carry one plain row for all their forms. One core: a bucket holds
# whole groups, and in a big dataset one group can hold most keys (all 640,000 communities of
# bench/grow.py begin 测0), so splitting the buckets over processes would not balance.

PARALLEL_COMMUNITIES = 100_000  # from this many communities, two processes index them
SHARD_KEYS = 256  # keys a shard aims at: a cold lookup reads one shard (~20 KB)
DEEP_KEYS = 4096  # a group of more keys than this (测0…: 160,000 names) gets shards of its own
BUCKETS = 64
BLOCK = 4096  # entries a marshal block of a bucket holds

CACHE_DAMAGE = (OSError, ValueError, EOFError, TypeError, KeyError, IndexError, zlib.error)


# The suffixes of community and village forms (community_forms), longest first.
DEEP_SUFFIXES = tuple(
    sorted(
        {suffix for suffix, _ in COMMUNITY_SUFFIXES}
        | {"社区居民委员会", "社区居委会", "居委会", "村民委员会", "村委会", "委会", "社区", "村"},
        key=len,
        reverse=True,
    )
)


def _deep_part(key: str) -> str:
    """The part of a key in a deep group that picks its shard: the key without the suffixes
    of community_forms, the longest that ends it taken off again and again (申庄村村委会 ->
    申庄村 -> 申庄; 申庄村民委员会 -> 申庄), so every form of one community or village lands in one
    shard and its row is stored once. Never empty: a key that is all suffix stays itself."""
    while key.endswith(DEEP_SUFFIXES):
        for suffix in DEEP_SUFFIXES:  # longest first
            if key.endswith(suffix):
                break
        if len(key) == len(suffix):
            return key
        key = key[: -len(suffix)]
    return key


def _deep_cut(group: str, members: list[str]) -> int:
    """How many first characters of a key pick its shard in a deep group: the length most of
    the group's names have before their community suffixes (_deep_part), from a sample: the
    10th percentile, so a community's forms (which share that start) land in one shard and
    its row is stored once, while the shards stay even. At least the group and one more."""
    step = max(1, len(members) // 1024)
    lengths = sorted(len(_deep_part(k)) for k in members[::step])
    return max(len(group) + 1, lengths[len(lengths) // 10])


def _has_pair(pairs: str, key2: str) -> bool:
    """Whether key2 (two characters) is one of the sorted two-character strings laid end to
    end in pairs (aux["start_pairs"]: one string, which loads at once where a set of tens of
    thousands would not)."""
    if len(key2) != 2:
        return False
    lo, hi = 0, len(pairs) // 2
    while lo < hi:
        mid = (lo + hi) // 2
        at = pairs[2 * mid : 2 * mid + 2]
        if at == key2:
            return True
        if at < key2:
            lo = mid + 1
        else:
            hi = mid
    return False


_DIGITS = frozenset("0123456789")


def _has_digit(key: str) -> bool:
    return not _DIGITS.isdisjoint(key)


def _pow2(n: float) -> int:
    out = 1
    while out < n:
        out *= 2
    return out


def aux_of(ds: Dataset, cores: set[str]) -> dict[str, Any]:
    """What the fuzzy tiers and the address reader read besides the keys: the street cores
    (by their first two characters) and the landmark names the typo tier tries."""
    place_names = {
        normalize(n)
        for p in ds.places
        if p.district is not None
        for n in (p.name, *p.aliases)
        if len(normalize(n)) >= 4 and not any(c.isdigit() for c in n)
    }
    ordered = sorted(cores)
    return {
        "cores": ordered,
        "core_starts": _by_first_two(ordered),
        "place_names": sorted(place_names),
    }


def head_of(ds: Dataset, digit_free: bool) -> dict[str, Any]:
    areas = area_entries(ds)
    return {
        "format": FORMAT,
        "version": __version__,
        "digest": ds.digest,
        "path": ds.path,
        "edition": ds.edition,
        "areas": areas,
        # no key holds an ASCII digit: the resolver may treat all digits alike
        "digit_free": digit_free and not any(_has_digit(k) for k in areas),
        "counts": {
            "streets": len(ds.streets),
            "stations": len(ds.stations),
            "sub_bureaus": len(ds.sub_bureaus),
        },
        # zone -> the districts its units lie on, and the zone's sub-bureau (zhengdong.md)
        "lies_on": {d.name: list(d.lies_on) for d in ds.districts if d.lies_on},
        "zone_bureau": {d.name: d.sub_bureau for d in ds.districts if d.lies_on},
    }


def build_cache(ds: Dataset, root: str, progress: Any = None) -> str | None:
    """Write the cache of a validated dataset under root/<digest> and return that path (or
    None when it cannot be written: the caller answers from memory). Built in a fresh
    directory of an unpredictable name (mkdtemp, mode 0700) and renamed into place, so a
    reader sees a whole cache or none, and nothing planted in root is written through."""
    import tempfile

    if not ds.digest:
        return None
    target = os.path.join(root, ds.digest)
    if os.path.isfile(os.path.join(target, "head")):
        return target
    try:
        os.makedirs(root, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=root)
    except OSError:
        return None
    try:
        from .dataset import without_cycle_collection

        with without_cycle_collection():
            _write_index(ds, tmp, progress)
        os.replace(tmp, target)
    except OSError:
        _rmtree(tmp)
        return target if os.path.isfile(os.path.join(target, "head")) else None
    return target


def _write_index(ds: Dataset, tmp: str, progress: Any) -> None:
    from . import forked  # the build only

    crc32, dumps = zlib.crc32, marshal.dumps
    expected = 5 * len(ds.communities) + 25 * len(ds.streets) + 10 * len(ds.places) + 500
    n = _pow2(expected / SHARD_KEYS)
    buckets = min(BUCKETS, n)
    # a bucket's pending entries as columns (keys, hits, explicit flags); a block is marshal of
    # (keys joined by line breaks, hits, flags): three objects and the hits, not a tuple a key
    pending: list[tuple[list, list, bytearray]] = [([], [], bytearray()) for _ in range(buckets)]
    blocks: list[list[bytes]] = [[] for _ in range(buckets)]
    bucket_of: dict[str, int] = {}  # a key's first two characters -> its bucket
    plain_rows: dict[int, tuple] = {}  # id(row) -> (row, plain): the row kept alive with it
    last_row: Any = None
    last_plain: tuple = ()
    digit_free = True
    done = 0

    def put(key: str, hit: tuple, explicit: bool) -> None:
        group = key[:2]
        b = bucket_of.get(group)
        if b is None:
            b = bucket_of[group] = crc32(group.encode("utf-8")) & (buckets - 1)
        keys, hits, flags = pending[b]
        keys.append(key)
        hits.append(hit)
        flags.append(explicit)
        if len(keys) >= BLOCK:
            put_block(b)

    def put_block(b: int) -> None:
        keys, hits, flags = pending[b]
        blocks[b].append(dumps(("\n".join(keys), hits, bytes(flags))))
        pending[b] = ([], [], bytearray())

    def index_communities(
        streets: dict[str, tuple], lo: int, hi: int, progress: Any
    ) -> tuple[int, bool]:
        """Put the keys of communities lo to hi; (how many keys, whether none has a digit)."""
        n_keys, free = 0, True
        for crows, key_lists in community_batches(ds, rows, lo, hi):
            if free:
                free = not any(_has_digit(k) for keys in key_lists for k in keys)
            for crow, keys in zip(crows, key_lists, strict=True):
                plain = (crow.name, crow.code, crow.kind, streets[crow.street.code])
                hit = ("C", "exact", plain, None)
                other = ("C", "community", plain, None)  # one object for all other forms
                for key in keys:
                    if key:  # put(key, hit, True), inline: this runs millions of times
                        group = key[:2]
                        b = bucket_of.get(group)
                        if b is None:
                            b = bucket_of[group] = crc32(group.encode("utf-8")) & (buckets - 1)
                        cols = pending[b]
                        cols[0].append(key)
                        cols[1].append(hit)
                        cols[2].append(1)
                        if len(cols[0]) >= BLOCK:
                            put_block(b)
                    hit = other
            n_keys += sum(map(len, key_lists))
            if progress is not None:
                progress("indexing", done + n_keys, max(done + n_keys, expected))
        return n_keys, free

    rows: dict[str, StreetRow] = {}
    for part in (street_entries(ds, rows), None, other_entries(ds, rows)):
        if part is None:  # the communities: one plain hit per community, keys a batch at a time
            streets = {  # a street's plain row, shared with its own entries
                code: plain_rows[id(row)][1] if id(row) in plain_rows else tuple(row)
                for code, row in rows.items()
            }
            total = len(ds.communities)
            half = total // 2 if total >= PARALLEL_COMMUNITIES and buckets == BUCKETS else total
            helper = None
            if half < total:  # the second half in another process, at once (forked.py)

                def second_half(streets: dict = streets, lo: int = half, hi: int = total) -> bytes:
                    for b in range(buckets):  # in the copy: only the second half's entries
                        pending[b] = ([], [], bytearray())
                        blocks[b] = []
                    n_keys, free = index_communities(streets, lo, hi, None)
                    for b in range(buckets):
                        if pending[b][0]:
                            put_block(b)
                    return dumps((blocks, n_keys, free))

                helper = forked.start(second_half)
            if helper is None:
                half = total
            try:
                n_keys, free = index_communities(streets, 0, half, progress)
                done += n_keys
                digit_free = digit_free and free
                if helper is not None:
                    for b in range(buckets):  # this half's entries before the other's
                        if pending[b][0]:
                            put_block(b)
                    theirs = _their_blocks(forked.result(helper), buckets)
                    helper = None
                    if theirs is None:  # the copy failed: the second half here after all
                        n_keys, free = index_communities(streets, half, total, progress)
                    else:
                        their_blocks, n_keys, free = theirs
                        for b in range(buckets):
                            blocks[b].extend(their_blocks[b])
                    done += n_keys
                    digit_free = digit_free and free
            finally:
                if helper is not None:
                    forked.stop(helper)
            continue
        for key, hit, explicit in part:
            if not key or "\n" in key:  # normalize leaves no line break; blocks join on it
                continue
            row = hit.row
            if row is not last_row:
                kept = plain_rows.get(id(row))
                if kept is None:
                    kept = plain_rows[id(row)] = (row, _plain(row))
                last_plain = kept[1]
                last_row = row
            if digit_free and _has_digit(key):
                digit_free = False
            put(key, (hit.target, hit.tier, last_plain, hit.note), explicit)
            done += 1
            if progress is not None and done & 0xFFFF == 0:
                progress("indexing", done, max(done, expected))
    del plain_rows, last_row, last_plain
    for b in range(buckets):
        if pending[b][0]:
            put_block(b)
    pending = []
    offsets: dict[int, tuple[int, int]] = {}
    deep: dict[str, tuple[int, int, int]] = {}
    start_pairs: set[str] = set()  # the first two characters of every explicit key
    next_id = n
    with open(os.path.join(tmp, "keys"), "wb") as pack:
        # the table of (offset, length) of each shard comes first, written at the end; room
        # for the deep shards: a deep group of m keys has fewer than 2m / SHARD_KEYS of them
        table_slots = n + 2 * done // SHARD_KEYS + 1
        pack.seek(12 * table_slots)
        for b in range(buckets):
            if progress is not None:
                progress("writing", b, buckets)
            keys: dict[str, tuple] = {}  # key -> its hits (most keys have one)
            groups: dict[str, list[str]] = {}
            implicit: set[str] = set()  # keys seen in an entry that is not explicit
            for blob in blocks[b]:
                joined, block_hits, block_flags = marshal.loads(blob)
                for key, hit, explicit in zip(
                    joined.split("\n"), block_hits, block_flags, strict=True
                ):
                    hits = keys.get(key)
                    if hits is None:
                        keys[key] = (hit,)
                        group = key[:2]
                        members = groups.get(group)
                        if members is None:
                            groups[group] = [key]
                        else:
                            members.append(key)
                        if not explicit:
                            implicit.add(key)
                    else:
                        merged = list(hits)
                        _add_plain(merged, hit)
                        keys[key] = tuple(merged)
                        if explicit and key in implicit:
                            implicit.discard(key)  # explicit in one entry is explicit
            blocks[b] = []
            shards: dict[int, tuple[dict, dict]] = {}
            starts: dict[str, list[int]] = {}
            for group, members in groups.items():
                if implicit.isdisjoint(members):
                    lengths = set(map(len, members))
                else:
                    lengths = {len(k) for k in members if k not in implicit}
                if lengths and len(group) == 2:
                    starts[group] = sorted(lengths, reverse=True)
                if len(members) > DEEP_KEYS:
                    k = _pow2(len(members) / SHARD_KEYS)
                    cut = _deep_cut(group, members)
                    deep[group] = (next_id, k, cut)
                    last = None  # a community's forms come one after another, one start
                    for key in members:
                        if key[:cut] != last:
                            last = key[:cut]
                            sid = next_id + (crc32(last.encode("utf-8")) & (k - 1))
                            part = shards.setdefault(sid, ({}, {}))[0]
                        part[key] = keys[key]
                    next_id += k
                else:
                    sid = crc32(group.encode("utf-8")) & (n - 1)
                    part = shards.setdefault(sid, ({}, {}))[0]
                    for key in members:
                        part[key] = keys[key]
            start_pairs.update(starts)
            for prefix, ordered in starts.items():
                sid = crc32(prefix.encode("utf-8")) & (n - 1)
                shards.setdefault(sid, ({}, {}))[1][prefix] = ordered
            del keys, starts, groups
            for sid, shard in shards.items():
                blob = zlib.compress(dumps(shard), 1)
                offsets[sid] = (pack.tell(), len(blob))
                pack.write(blob)
            del shards
        table = bytearray()
        for i in range(next_id):
            pos, length = offsets.get(i, (0, 0))
            table += pos.to_bytes(8, "little") + length.to_bytes(4, "little")
        pack.seek(0)
        pack.write(table)
    aux = aux_of(ds, {c for c in (normalize(s.short) for s in ds.streets) if c})
    aux["start_pairs"] = "".join(sorted(p for p in start_pairs if len(p) == 2))
    with open(os.path.join(tmp, "aux"), "wb") as f:
        f.write(dumps(aux))
    if progress is not None:
        progress("writing", buckets, buckets)
    with open(os.path.join(tmp, "full"), "wb") as f:
        f.write(zlib.compress(dumps(_dataset_to_tuples(ds)), 1))
    head = head_of(ds, digit_free)
    head["layout"] = {"n": n, "n_all": next_id, "deep": deep}
    with open(os.path.join(tmp, "head"), "wb") as f:  # written last: marks complete
        f.write(dumps(_plain(head)))


def _their_blocks(data: bytes | None, buckets: int) -> tuple[list, int, bool] | None:
    """The second half's (blocks by bucket, number of keys, digit-free) from its copy."""
    try:
        blocks, n_keys, free = marshal.loads(data) if data is not None else None
    except (ValueError, EOFError, TypeError):
        return None
    if (
        not isinstance(blocks, list)
        or len(blocks) != buckets
        or not all(isinstance(b, list) for b in blocks)
        or not isinstance(n_keys, int)
        or not isinstance(free, bool)
    ):
        return None
    return blocks, n_keys, free


def _read_shard(cache_dir: str | None, n_all: int, n: int) -> tuple[dict, dict]:
    """Shard n of the keys file: its (offset, length) from the table at the file's start,
    then its bytes."""
    if cache_dir is None or not 0 <= n < n_all:
        raise ValueError("no such shard")
    with open(os.path.join(cache_dir, "keys"), "rb") as f:
        f.seek(12 * n)
        entry = f.read(12)
        if len(entry) != 12:
            raise ValueError("no such shard")
        pos = int.from_bytes(entry[:8], "little")
        length = int.from_bytes(entry[8:], "little")
        if not length:
            return ({}, {})
        f.seek(pos)
        blob = f.read(length)
    shard = marshal.loads(zlib.decompress(blob))  # `jur find` runs without the collector
    if (
        not isinstance(shard, tuple)
        or len(shard) != 2
        or not isinstance(shard[0], dict)
        or not isinstance(shard[1], dict)
    ):
        raise ValueError("not a shard")
    return shard


def _checked(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"a cache file holds {type(value).__name__}, not {kind.__name__}")
    return value


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


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
    (DataError on any problem), indexed and cached. A process that finds another one building
    the same cache waits for it and reads what it wrote. A build that takes more than about a
    second shows a progress bar on stderr when stderr is a terminal."""
    directory = data_dir_from(data)
    root = cache_root() if use_cache else None
    if root is not None:
        index = _from_cache(root, directory)
        if index is not None:
            return index
    from .dataset import load_files, parse_dataset
    from .progress import for_terminal

    bar = for_terminal()
    try:
        raw = load_files(directory)
        digest = content_digest(raw)
        if root is None:
            return Index.from_dataset(
                parse_dataset(directory, raw, digest, progress=bar, two_processes=True)
            )
        path = os.path.join(root, digest)
        cached = _open_cached(path)
        if cached is None:
            with build_lock(root, digest, bar):
                cached = _open_cached(path)  # built by the process we waited for
                if cached is None:
                    ds = parse_dataset(directory, raw, digest, progress=bar, two_processes=True)
                    del raw  # the bytes are checked and digested: free them for the build
                    built = build_cache(ds, root, progress=bar)
                    cached = _open_cached(built) if built else None
                    if cached is None:  # no cache can be written here: answer from memory
                        return Index.from_dataset(ds)
                    cached._dataset = ds
        _write_memo(root, directory, digest)
        return cached
    finally:
        if bar is not None:
            bar.close()


def build_lock(root: str, digest: str, progress: Any = None) -> Any:
    """A context that holds root/.lock-<digest> (flock) while one process builds that cache;
    another process blocks on it, then finds the cache built. The lock file is opened with
    O_NOFOLLOW and O_NONBLOCK and used only when it is a regular file: a planted symlink or
    FIFO is never followed or waited on (the build then goes ahead without the lock)."""
    from contextlib import contextmanager

    @contextmanager
    def lock() -> Iterator[None]:
        import fcntl
        import stat

        fd = -1
        try:
            os.makedirs(root, exist_ok=True)
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
            flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            fd = os.open(os.path.join(root, f".lock-{digest}"), flags, 0o600)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                fd = -1
        except OSError:
            fd = -1
        try:
            if fd >= 0:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if progress is not None:
                        progress("waiting for another jur building this index", 0, 0)
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except OSError:
                    pass  # a file system without locks: build without
            yield
        finally:
            if fd >= 0:
                os.close(fd)  # releases the lock

    return lock()


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
        or not _head_shape_ok(head)
    ):
        return None
    return Index(head=head, cache_dir=path)


def _head_shape_ok(head: dict) -> bool:
    """A head of this format, shaped as _write_index writes it (valid marshal data of another
    shape is a damaged cache: rebuilt, never read)."""
    layout = head.get("layout")
    if not isinstance(head.get("areas"), dict) or not isinstance(head.get("path"), str):
        return False
    if not isinstance(layout, dict):
        return False
    n, n_all, deep = (layout.get(k) for k in ("n", "n_all", "deep"))
    return (
        isinstance(n, int)
        and isinstance(n_all, int)
        and n >= 1
        and n & (n - 1) == 0
        and n_all >= n
        and isinstance(deep, dict)
        and all(
            isinstance(v, tuple)
            and len(v) == 3
            and all(isinstance(x, int) for x in v)
            and v[2] >= 1
            and v[1] >= 1
            and v[1] & (v[1] - 1) == 0
            and n <= v[0] <= n_all - v[1]
            for v in deep.values()
        )
        and all(isinstance(v, tuple) and len(v) == 2 for v in head["areas"].values())
    )


def _write_memo(root: str, directory: str, digest: str) -> None:
    import time

    key = _stat_key(directory)
    if key is None:
        return
    from .errors import JurError
    from .files import write_atomic

    try:
        os.makedirs(root, exist_ok=True)
        memo = marshal.dumps((os.path.realpath(directory), key, digest, time.time_ns()))
        write_atomic(_memo_path(root, directory), memo)  # a planted link is refused
    except (OSError, JurError):
        pass


def load(data: str | os.PathLike[str] | None = None, *, use_cache: bool = True) -> Dataset:
    """The validated Dataset (default: the shipped one)."""
    return open_index(data, use_cache=use_cache).dataset
