"""The model: immutable records.

They are named tuples made with collections.namedtuple, not frozen dataclasses or
typing.NamedTuple: the cache rebuilds them from plain tuples (marshal) and tuple
construction is several times cheaper; and `typing` alone would add ~4-8 ms to every cold
`jur find`. The field types are documented on each class.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from typing import Any


STATUSES = ("found", "partial", "ambiguous", "outside", "not_found")


def record(name: str, fields: str, doc: str = "") -> type:
    """A light named tuple: positional construction, attribute access, _make, _replace and
    _fields, for the index's hits and rows and the address reader's parts. Making one costs
    ~7 µs against ~46 µs for collections.namedtuple (measured here), and a cold `jur find`
    makes a dozen."""
    from operator import itemgetter

    names = tuple(fields.split())

    def __new__(cls: type, *values: object) -> tuple:
        return tuple.__new__(cls, values)

    def _make(cls: type, iterable: object) -> tuple:
        return tuple.__new__(cls, iterable)

    def _replace(self: tuple, **changes: object) -> tuple:
        return tuple.__new__(
            type(self), [changes.pop(f, v) for f, v in zip(names, self, strict=True)]
        )

    def __repr__(self: tuple) -> str:
        return f"{name}({', '.join(f'{f}={v!r}' for f, v in zip(names, self, strict=True))})"

    space: dict = {
        "__slots__": (),
        "__doc__": doc,
        "_fields": names,
        "__new__": __new__,
        "_make": classmethod(_make),
        "_replace": _replace,
        "__repr__": __repr__,
    }
    for i, f in enumerate(names):
        space[f] = property(itemgetter(i))
    return type(name, (tuple,), space)


class Street(
    namedtuple(
        "Street",
        "name code district kind short station sub_bureau verified basis pinyin other_names note source",
    )
):
    """A subdistrict or township. name, code, district: str; kind: str|None (街道, 镇, 乡,
    other); short: its name without kind or zone prefix; station, sub_bureau: str|None (None
    outside the sub-bureaus' area); verified: bool; basis: str|None; pinyin: tuple[str];
    other_names: tuple[(name, relation, note)]; note, source: str|None."""

    __slots__ = ()


class Station(
    namedtuple(
        "Station", "name sub_bureau kind source streets note other_names", defaults=(None, ())
    )
):
    """name, sub_bureau: str; kind: territorial | place | special; source: str|None;
    streets: tuple of the codes of the streets it serves, in dataset order; note: str|None
    (a caveat about the source, e.g. its trust); other_names: tuple[(name, relation, note)],
    names a source writes that probably mean this station (relation `probable`: answered
    with verified false)."""

    __slots__ = ()


class SubBureau(
    namedtuple(
        "SubBureau", "name full_name aliases pinyin kind area address established source stations"
    )
):
    """name: short name (二七分局); full_name: str|None; aliases, pinyin, area: tuple[str];
    kind: territorial | special; address, established, source: str|None; stations: tuple of
    station names in dataset order."""

    __slots__ = ()


class District(
    namedtuple(
        "District", "name code kind aliases pinyin sub_bureau source lies_on", defaults=((),)
    )
):
    """A district, county, city or zone. name: str; code: str|None (郑东新区 has none);
    kind: str|None; aliases, pinyin: tuple[str]; sub_bureau: str|None (None: outside);
    lies_on: tuple of the districts whose territory a zone's units lie on."""

    __slots__ = ()


class Community(namedtuple("Community", "name code street kind")):
    """A community (居民委员会) or village (村民委员会). name, code: str; street: the code of
    the street it lies in; kind: community | village | None."""

    __slots__ = ()


class Place(
    namedtuple(
        "Place",
        "name kind street station sub_bureau aliases lines source note "
        "district outside group verified cite pinyin",
        defaults=(None, None, (), True, None, ()),
    )
):
    """A named place. name, kind (railway-station, metro-station, landmark, park, ...): str;
    what answers for it: a street (a street's code), a station, a sub_bureau, a district (a
    district or zone of the dataset: a landmark whose page gives only that; with `street`
    too when the page gives the subdistrict), or `outside` (where it lies, outside the
    dataset's city: the metro's stations in 许昌市); aliases, lines, group (names shared with
    the other sites of a campus or chain), pinyin: tuple[str]; source, note: str|None;
    verified: bool; cite: (url, date, publisher, quote) of a landmark's page, or None."""

    __slots__ = ()


class Candidate(
    namedtuple(
        "Candidate", "station sub_bureau street district code score match place", defaults=(None,)
    )
):
    """One competing answer: station, sub_bureau, street, district, code: str|None;
    score: int; match, place: str|None."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


_ANSWER_FIELDS = "query status station sub_bureau street district score match code verified candidates note place explain"


class Answer(
    namedtuple(
        "Answer",
        _ANSWER_FIELDS,
        defaults=(None, None, None, None, 0, None, None, True, (), None, None, ()),
    )
):
    """One record of `jur find`: query, status: str; station, sub_bureau, street, district:
    str|None; score: int 0-100; match: str|None; code: str|None; verified: bool;
    candidates: tuple[Candidate]; note: str|None; place: str|None (the community, village or
    named place that decided); explain: tuple[str] (the steps taken)."""

    __slots__ = ()

    def as_dict(self, *, explain: bool = False) -> dict[str, Any]:
        d = self._asdict()
        d["candidates"] = [c.as_dict() for c in self.candidates]
        if not explain:
            del d["explain"]
        else:
            d["explain"] = list(self.explain)
        return d


class Dataset(
    namedtuple(
        "Dataset",
        "path digest meta sub_bureaus stations streets districts communities places",
        defaults=((), ()),
    )
):
    """A validated dataset. path, digest: str; meta: the documentary parts of units.yaml;
    sub_bureaus, stations, streets, districts, communities, places: tuples of the records
    above (communities and places are empty when their optional files are absent)."""

    __slots__ = ()

    def station(self, name: str) -> Station | None:
        return next((s for s in self.stations if s.name == name), None)

    def sub_bureau(self, name: str) -> SubBureau | None:
        return next((b for b in self.sub_bureaus if b.name == name), None)

    def answers_for(self, place: Place) -> tuple[str | None, str | None]:
        """(station, sub-bureau) that answer for a place: its own, or its street's."""
        if place.station:
            st = self.station(place.station)
            return place.station, st.sub_bureau if st else None
        if place.street:
            s = next((s for s in self.streets if s.code == place.street), None)
            return (s.station, s.sub_bureau) if s else (None, None)
        if place.district:
            d = next((d for d in self.districts if d.name == place.district), None)
            return None, d.sub_bureau if d else None
        return None, place.sub_bureau

    @property
    def edition(self) -> str:
        return str(self.meta.get("edition") or "unknown")
