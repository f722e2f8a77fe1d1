"""The model: immutable records. NamedTuples rather than frozen dataclasses because the cache
rebuilds them from plain tuples (marshal) and tuple construction is several times cheaper."""

from __future__ import annotations

from typing import Any, NamedTuple

STATUSES = ("found", "partial", "ambiguous", "outside", "not_found")
MATCHES = ("exact", "alias", "pinyin", "address", "fuzzy", "district")


class Street(NamedTuple):
    name: str
    code: str
    district: str
    kind: str | None
    short: str
    station: str | None
    sub_bureau: str | None
    verified: bool
    basis: str | None
    pinyin: tuple[str, ...]
    other_names: tuple[tuple[str, str, str], ...]  # (name, relation, note)
    note: str | None
    source: str | None


class Station(NamedTuple):
    name: str
    sub_bureau: str
    kind: str  # territorial | place | special
    source: str | None
    streets: tuple[str, ...]  # codes of the streets it serves, in dataset order


class SubBureau(NamedTuple):
    name: str
    full_name: str | None
    aliases: tuple[str, ...]
    pinyin: tuple[str, ...]
    kind: str
    area: tuple[str, ...]
    address: str | None
    established: str | None
    source: str | None
    stations: tuple[str, ...]


class District(NamedTuple):
    name: str
    code: str | None
    kind: str | None
    aliases: tuple[str, ...]
    pinyin: tuple[str, ...]
    sub_bureau: str | None
    source: str | None


class Candidate(NamedTuple):
    station: str | None
    sub_bureau: str | None
    street: str | None
    district: str | None
    code: str | None
    score: int
    match: str | None

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class Answer(NamedTuple):
    """One record of `jur find`: the answer to one query."""

    query: str
    status: str
    station: str | None = None
    sub_bureau: str | None = None
    street: str | None = None
    district: str | None = None
    score: int = 0
    match: str | None = None
    code: str | None = None
    verified: bool = True
    candidates: tuple[Candidate, ...] = ()
    note: str | None = None
    explain: tuple[str, ...] = ()

    def as_dict(self, *, explain: bool = False) -> dict[str, Any]:
        d = self._asdict()
        d["candidates"] = [c.as_dict() for c in self.candidates]
        if not explain:
            del d["explain"]
        else:
            d["explain"] = list(self.explain)
        return d


class Dataset(NamedTuple):
    """A validated dataset. `meta` holds the documentary parts of units.yaml as loaded."""

    path: str
    digest: str
    meta: dict[str, Any]
    sub_bureaus: tuple[SubBureau, ...]
    stations: tuple[Station, ...]
    streets: tuple[Street, ...]
    districts: tuple[District, ...]

    def station(self, name: str) -> Station | None:
        return next((s for s in self.stations if s.name == name), None)

    def sub_bureau(self, name: str) -> SubBureau | None:
        return next((b for b in self.sub_bureaus if b.name == name), None)

    def streets_of(self, station: str) -> list[Street]:
        return [s for s in self.streets if s.station == station]

    @property
    def edition(self) -> str:
        return str(self.meta.get("edition") or "unknown")
