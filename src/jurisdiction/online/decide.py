"""The online step's deciding room: what the service says, reduced to places, and a place
plus the offline answer turned into the Answer. No I/O here.

How an online answer is decided (a confident wrong answer is the worst outcome)
  - A geocoder match coarser than a place (市, 区县, 开发区, 乡镇, 道路, 热点商圈, 未知) decides
    nothing: its position is a centroid or a point somewhere on a long road.
  - A crossing (道路交叉路口) often lies on the boundary of two subdistricts: its answer is
    given with verified=false and a note saying so.
  - The township: its 12-digit `towncode` first (it starts with the 9-digit NBS code the
    dataset keys on: Street.code), its name within the district second. A towncode whose
    street does not lie in the same reply's adcode or district (as the offline resolver
    reads a district: a zone's units lie on the district it is carved from) means the reply
    contradicts itself: it decides nothing, and the note says why.
  - A district, zone or sub-bureau the user wrote (金水区…, 高新区…, 二七分局…) must contain the
    geocoder's street; when it does not the answer is `ambiguous` with both, never the
    geocoder's word over the user's. A zone written beside a district decides, as SPEC says.
  - An offline `ambiguous` answer becomes `found` only when the geocoder's street is one of
    its candidates; otherwise it stays ambiguous, with the geocoder's street added. Except
    when the candidates only share a road's name (match `address`): a number on a road can lie
    in any subdistrict the road crosses, which is the question the geocoder answers.
  - Outside the 11 sub-bureaus' area -> `outside`; outside the dataset's city -> `not_found`,
    with a note saying where the geocoder put it.

Score: SCORE (70), below every offline name tier (typos score 75-84, the threshold is 75, a
road with a number 80): an answer from the geocoder is a different kind of evidence than a
name in the dataset, and a script that keeps only score >= 75 keeps only offline answers.
`match` is `geocoder` and `note` holds the geocoder's formatted address and match level.
"""

from __future__ import annotations

import math
import re
import unicodedata

from ..address import read
from ..model import Answer, Candidate, Street
from ..normalize import normalize
from ..resolve import agrees, area_candidate, area_name, combine_areas, join_notes
from .client import BadReply, text_field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..index import Index

SCORE = 70
MAX_ADDRESS = 200  # characters; a longer text is not an address the service takes
MAX_RESULTS = 3  # geocode results followed to their township

# Geocode match levels whose position is one place, not a centroid or a whole road.
PRECISE_LEVELS = {"门牌号", "单元号", "兴趣点", "村庄", "公交站台、地铁站", "公交地铁站点"}
CROSSING_LEVELS = {"道路交叉路口"}

_POSITION = re.compile(r"^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")

GEO_FIELDS = ("location", "level", "formatted", "adcode", "province", "city", "district")
REGEO_FIELDS = ("formatted", "adcode", "province", "city", "district", "township", "towncode")


# --- what is sent ----------------------------------------------------------------------------


def sent_address(query: str) -> str:
    """The address as it is sent to the service, and so as it is keyed in the cache: NFKC
    (full-width digits and letters), spaces at the ends removed, a run of spaces inside kept
    as one only between two ASCII letters or digits (经三路 66号 is 经三路66号; 1 3号 stays
    apart). Every other character is kept: 1-3号 and 13号 are different addresses."""
    text = unicodedata.normalize("NFKC", query).strip()

    def space(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        keep = before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
        return " " if keep else ""

    return _SPACES.sub(space, text)


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


# --- positions -------------------------------------------------------------------------------


def parse_position(query: str) -> tuple[float, float] | None:
    """(longitude, latitude) when the query is two numbers 'lng,lat', else None."""
    m = _POSITION.match(unicodedata.normalize("NFKC", query).replace("，", ","))
    if not m:
        return None
    return float(m.group(1)), float(m.group(2))


def in_china(lng: float, lat: float) -> bool:
    """The rough box in which GCJ-02 is defined (and AMap answers)."""
    return 73.66 <= lng <= 135.05 and 3.86 <= lat <= 53.55


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """GPS (WGS-84) -> GCJ-02, the datum of Chinese maps (the published conversion formula;
    accurate to a few metres, which is all a township needs)."""
    if not in_china(lng, lat):
        return lng, lat
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += common
    dlng += common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (a / sqrt_magic * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


# --- what the service says, reduced to what jur needs ---------------------------------------


def geo_results(data: dict) -> list[dict]:
    """The geocode results: [{location, level, formatted, adcode, province, city, district}]."""
    items = data.get("geocodes")
    if items in (None, "", []) and (items == [] or text_field(data.get("count")) == "0"):
        return []
    if not isinstance(items, list):
        raise BadReply("geocode answer without a 'geocodes' list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise BadReply("geocode result that is not an object")
        location = text_field(item.get("location"))
        if parse_position(location) is None:
            raise BadReply("geocode result with no usable location")
        out.append(
            {
                "location": location,
                "level": text_field(item.get("level")),
                "formatted": text_field(item.get("formatted_address")),
                "adcode": text_field(item.get("adcode")),
                "province": text_field(item.get("province")),
                "city": text_field(item.get("city")),
                "district": text_field(item.get("district")),
            }
        )
    return out


def regeo_place(data: dict) -> dict:
    """The township of a position: {formatted, adcode, province, city, district, township,
    towncode}; empty strings where the service knows nothing (a position in the sea)."""
    regeocode = data.get("regeocode")
    if not isinstance(regeocode, dict):
        raise BadReply("regeocode answer without a 'regeocode' object")
    parts = regeocode.get("addressComponent")
    if isinstance(parts, list) and not parts:
        parts = {}
    if not isinstance(parts, dict):
        raise BadReply("regeocode answer without an 'addressComponent' object")
    return {
        "formatted": text_field(regeocode.get("formatted_address")),
        **{k: text_field(parts.get(k)) for k in REGEO_FIELDS[1:]},
    }


def valid_cached(key: str, value: object) -> bool:
    """Whether a value read from the cache has the shape geo_results / regeo_place give for
    its key (a file may have been damaged or written by someone else)."""
    if key.startswith("geo|"):
        return isinstance(value, list) and all(
            _fields_are_text(v, GEO_FIELDS) and parse_position(v["location"]) is not None
            for v in value
        )
    if key.startswith("regeo|"):
        return _fields_are_text(value, REGEO_FIELDS)
    return False


def _fields_are_text(value: object, fields: tuple[str, ...]) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(f), str) for f in fields)


def where(place: dict) -> str:
    """How the service names a place, for notes."""
    return place.get("formatted") or "".join(
        place.get(k) or "" for k in ("province", "city", "district", "township")
    )


# --- deciding --------------------------------------------------------------------------------


class Decider:
    """The dataset's side of the online step: which results to follow, and the Answer a
    place gives (see the module's comment for every rule)."""

    def __init__(self, index: Index, *, explain: bool = False) -> None:
        self.index = index
        self.explain = explain
        ds = index.dataset
        self.by_code = {s.code: s for s in ds.streets}
        self.district_by_code = {d.code: d for d in ds.districts if d.code}
        codes = {d.code[:4] for d in ds.districts if d.code and len(d.code) >= 4}
        codes |= {s.code[:4] for s in ds.streets if len(s.code) >= 4}
        self.city_prefix = codes.pop() if len(codes) == 1 else None
        self.city_code = self.city_prefix + "00" if self.city_prefix else None
        bureau = str((ds.meta.get("city_bureau") or {}).get("name") or "")
        self.city_name = bureau.removesuffix("公安局") or "the dataset's city"

    # --- which queries and which results ----------------------------------------------------

    def wants(self, answer: Answer) -> bool:
        """Whether the service is asked about this query at all."""
        if answer.status in ("found", "outside"):
            return False
        if answer.place is not None:
            # a metro station or the railway station: its own sub-bureau answers for it, not
            # the territorial station of the ground it stands on
            return False
        if answer.status == "ambiguous" and answer.match == "fuzzy":
            # 花园: the start of several names, or a typo; the geocoder would only guess too
            return False
        query = answer.query
        if parse_position(query) is not None:
            return True
        if not has_chinese(query) or len(query) > MAX_ADDRESS:
            return False
        if answer.note == "not valid UTF-8":
            return False
        return bool(self.rest_after_areas(normalize(query)))

    def follow(self, results: list[dict]) -> list[dict] | str:
        """The geocode results worth asking the township of, or a note saying why none."""
        if not results:
            return "the geocoder knows no such place"
        # no adcode: the township's answer tells where it is
        inside = [r for r in results if not r["adcode"] or self.in_city(r["adcode"])]
        if not inside:
            return f"the geocoder puts it outside {self.city_name}: {where(results[0])}"
        precise = [r for r in inside if r["level"] in PRECISE_LEVELS | CROSSING_LEVELS]
        if not precise:
            r = inside[0]
            return (
                f"the geocoder matched only a {r['level'] or 'vague'} ({where(r)}): "
                f"too coarse to decide a station"
            )
        if len(precise) > MAX_RESULTS:
            return f"the geocoder found {len(precise)} places of this name"
        return precise

    def in_city(self, adcode: str) -> bool:
        return self.city_prefix is None or adcode.startswith(self.city_prefix)

    # --- the answer -------------------------------------------------------------------------

    def decide(self, answer: Answer, places: list[dict]) -> Answer:
        """The Answer the geocoder's places give, from the offline answer."""
        for place in places:
            if not place["adcode"]:
                return self.keep(answer, "the geocoder knows no place at this position")
            if not self.in_city(place["adcode"]):
                return self.keep(
                    answer, f"the geocoder puts it outside {self.city_name}: {where(place)}"
                )
        matched = [self.street_of(place) for place in places]
        for place, street in zip(places, matched, strict=True):
            why = self.contradiction(place, street)
            if why:
                return self.keep(answer, f"the geocoder's reply contradicts itself: {why}")
        if any(m is None for m in matched):
            place = places[matched.index(None)]
            district = self.district_by_code.get(place["adcode"])
            if district is not None and district.sub_bureau is None and len(places) == 1:
                return answer._replace(
                    status="outside",
                    station=None,
                    sub_bureau=None,
                    street=None,
                    district=district.name,
                    score=SCORE,
                    match="geocoder",
                    code=None,
                    candidates=(),
                    note=join_notes(
                        f"{district.name} is outside the 11 sub-bureaus' area",
                        self.geocoder_note(place),
                    ),
                    explain=self.steps(answer, f"geocoder: {where(place)}"),
                )
            what = place["township"] or "no township"
            code = f" ({place['towncode']})" if place["towncode"] else ""
            return self.keep(
                answer,
                f"the geocoder puts it in {what}{code}, which the dataset does not know: "
                f"{where(place)}",
            )
        found = [m for m in matched if m is not None]
        streets = list({s.code: s for s in found}.values())
        written = self.written_areas(answer)
        if len(streets) > 1 and written:  # the district written picks among the places
            agreeing = [s for s in streets if all(self.agrees(s, a) for a in written)]
            if len(agreeing) == 1:
                streets = agreeing
                places = [p for p, s in zip(places, found, strict=True) if s is agreeing[0]]
        note = self.geocoder_note(places[0])
        if len(streets) > 1:
            cands = [*answer.candidates, *(self.candidate(s) for s in streets)]
            return self.ambiguous(
                answer,
                cands,
                f"the geocoder found {len(places)} places, in "
                f"{'、'.join(s.name for s in streets)}; {note}",
            )
        street = streets[0]
        crossing = any(p.get("level") in CROSSING_LEVELS for p in places)
        against = [area for area in written if not self.agrees(street, area)]
        if against:
            names = "、".join(map(area_name, against))
            return self.ambiguous(
                answer,
                [
                    *answer.candidates,
                    *(area_candidate(a, SCORE) for a in against),
                    self.candidate(street),
                ],
                f"the geocoder puts it in {street.name} ({street.district}), not in {names} "
                f"as written: check which was meant; {note}",
            )
        if answer.status == "ambiguous" and answer.match != "address":
            if not any(same_place(c, street) for c in answer.candidates):
                return self.ambiguous(
                    answer,
                    [*answer.candidates, self.candidate(street)],
                    f"the geocoder puts it in {street.name} ({street.district}), which is "
                    f"none of the names that fit; {note}",
                )
        return self.place(answer, street, note, crossing)

    def street_of(self, place: dict) -> Street | None:
        """The dataset's street for a township: by code, else by name within its district."""
        street = self.street_by_code(place)
        if street is not None:
            return street
        name = normalize(place["township"])
        if not name:
            return None
        adcode, district = place["adcode"], place["district"]
        # the township's name as the index knows the street's names (official, kind and
        # office forms, former names), within the district the service gives
        codes = {h.row.code for h in self.index.lookup(name) if h.target == "S"}
        hits = [
            self.by_code[c]
            for c in sorted(codes)
            if (adcode and c.startswith(adcode))
            or (district and self.by_code[c].district == district)
        ]
        return hits[0] if len(hits) == 1 else None

    def street_by_code(self, place: dict) -> Street | None:
        towncode = place["towncode"]
        if len(towncode) >= 9 and towncode.isdigit():
            return self.by_code.get(towncode[:9])
        return None

    def contradiction(self, place: dict, street: Street | None) -> str | None:
        """Why a reply's towncode cannot lie in the same reply's adcode or district, or None.
        Only a street found by its code is checked (one found by name was found within the
        district already); an adcode or district the dataset does not know is not checked."""
        if street is None or street is not self.street_by_code(place):
            return None
        claims = []
        district = self.district_by_code.get(place["adcode"])
        if district is not None:
            claims.append((f"adcode {place['adcode']}", district.name))
        if place["district"]:
            claims.append((f"district {place['district']}", place["district"]))
        for label, name in claims:
            area = self.index.areas.get(normalize(name))
            if area is not None and not self.agrees(street, area):
                return (
                    f"its township code {place['towncode']} is {street.name} "
                    f"({street.district}), which does not lie in its {label}; "
                    f"it decides nothing: {where(place)}"
                )
        return None

    def written_areas(self, answer: Answer) -> list[tuple]:
        """The districts, zones and sub-bureaus the query names, as the offline resolver
        reads and holds them (address.read; a zone beside the district it lies on decides:
        resolve.combine_areas); both when two disagree. Else the area of an offline
        `partial` answered from a district or sub-bureau name."""
        parts = [p for p in read(normalize(answer.query), self.index).parts if p.kind == "area"]
        area, clash = combine_areas(self.index, parts)
        if clash:
            return list(clash)
        if area:
            return [area]
        if answer.status == "partial" and answer.match == "district":
            for name in (answer.district, answer.sub_bureau):
                written = self.index.areas.get(normalize(name or ""))
                if written:
                    return [written]
        return []

    def rest_after_areas(self, key: str) -> str:
        """The text left once region prefixes and area names are taken out."""
        return "".join(
            p.text for p in read(key, self.index).parts if p.kind not in ("region", "area")
        )

    def agrees(self, street: Street, area: tuple) -> bool:
        """A street agrees with an area as the offline resolver says: the district it is
        coded under, the zone that runs it, the district its zone lies on."""
        return agrees(self.index, street.sub_bureau, street.district, area)

    # --- answers ----------------------------------------------------------------------------

    def place(self, answer: Answer, street: Street, note: str, crossing: bool) -> Answer:
        notes = [note]
        if not street.verified:
            notes.append(f"assignment unverified: {street.note}")
        if crossing:
            notes.append("a crossing can lie on the boundary of two subdistricts: check")
        if street.station is None:
            notes.insert(0, f"{street.district} is outside the 11 sub-bureaus' area")
        return answer._replace(
            status="found" if street.station else "outside",
            station=street.station,
            sub_bureau=street.sub_bureau,
            street=street.name,
            district=street.district,
            score=SCORE,
            match="geocoder",
            code=street.code,
            verified=street.verified and not crossing,
            candidates=(),
            note="; ".join(notes),
            explain=self.steps(answer, f"geocoder: {street.name} ({street.code})"),
        )

    def ambiguous(self, answer: Answer, cands: list[Candidate], note: str) -> Answer:
        unique = list({(c.code, c.station, c.sub_bureau, c.district): c for c in cands}.values())
        return answer._replace(
            status="ambiguous",
            station=None,
            sub_bureau=None,
            street=None,
            district=None,
            score=SCORE,
            match="geocoder",
            code=None,
            candidates=tuple(unique),
            note=note,
            explain=self.steps(answer, "geocoder disagrees: ambiguous"),
        )

    def keep(self, answer: Answer, why: str) -> Answer:
        """The offline answer, with the reason the online step did not change it."""
        return answer._replace(
            note=join_notes(answer.note, f"online: {why}"),
            explain=self.steps(answer, f"online: {why}"),
        )

    def candidate(self, street: Street) -> Candidate:
        return Candidate(
            station=street.station,
            sub_bureau=street.sub_bureau,
            street=street.name,
            district=street.district,
            code=street.code,
            score=SCORE,
            match="geocoder",
        )

    def geocoder_note(self, place: dict) -> str:
        level = place.get("level")
        text = place.get("geo_formatted") or where(place)
        return f"geocoder: {text}" + (f" ({level})" if level else "")

    def steps(self, answer: Answer, step: str) -> tuple:
        return (*answer.explain, step) if self.explain else answer.explain


def same_place(c: Candidate, street: Street) -> bool:
    """Whether an offline candidate is the geocoder's street."""
    if c.code:
        return c.code == street.code
    return c.station is not None and c.station == street.station
