"""Reading an address: a normalised text -> its parts, left to right, with their spans.

Only reading happens here; deciding which part settles the answer is resolve.py's job.

The parts (Part.kind):

    region     河南省, 郑州市, 郑州: dropped, shown by --explain
    area       a district, county, zone or sub-bureau: 二七区, 高新区, 郑东新区, 二七分局. A bare
               name (二七, 中原) counts only at the start or after another area, and never
               when a road's or a place's name starts there (中原西路, 金水路)
    street     a subdistrict or township named explicitly: 德化街街道, 杜岭办事处, 侯寨乡,
               德化街派出所; or its short name when that is all that is left (二七区德化街)
    community  a community or village with its marker: 南彩社区, 申庄村, 碧沙岗社区居委会
    place      a named place (郑州站, 郑州东站, 会展中心) or a metro station written as a
               station (燕庄站, 地铁人民公园, 1号线 + 人民公园)
    station    a station that serves no street (水上派出所)
    line       a metro line (1号线): the bare name of a station after it is the metro
    road       a subdistrict's short name followed by more (文化路100号): a road that shares
               the name; roads cross subdistricts and districts, so it never decides alone
    rest       anything else (某某小区3号楼)

At each position the longest known name wins (leftmost-longest), so 电业新村社区 is read
before 新村社区 inside it. Two guards keep words from becoming places by accident: a
community or village form of two characters (河村) counts only at the start of the text or
right after another part, and a village form followed by a road's word (王村路) is a road;
a form found right after a character that does not end a part (大王庄村: 大 + 王庄村) is
not read, since the name may begin before it; and a named place other than a metro station
is read only at the start or right after a part (新乡会展中心 is another city's).
"""

from __future__ import annotations

from .model import record

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from .index import Hit, Index

Part = record(
    "Part",
    "kind text start end hits area",
    """kind: see the module; text: the normalised text of the part; start, end: its span in
    the text read; hits: tuple of index hits (street, community, place, station, road);
    area: ("D", DistrictRow) or ("B", (name,)) for an area, else None.""",
)
Reading = record("Reading", "text parts")

REGION_PREFIXES = ("河南省", "河南", "郑州市", "郑州")
AREA_SUFFIXES = ("区", "县", "市", "分局")
# Words that, right after a name, make it part of a road's name (中原 + 路, 王村 + 路).
ROAD_WORDS = ("路", "街", "大道", "大街", "巷", "东路", "西路", "南路", "北路", "中路", "道")
DIGITS = "0123456789"
# Characters that end the part before a community or village (a number, a building, a road,
# an office): after anything else the name may have begun earlier than the form found.
PART_ENDS = frozenset(DIGITS + "号院楼栋幢单元路街道巷弄区县市镇乡处组")
PART_OF_HIT = {"S": "street", "C": "community", "P": "place", "T": "station"}


def read(text: str, index: Index) -> Reading:
    """The parts of `text` (already normalised), in order."""
    parts: list[Part] = []
    i, n = 0, len(text)
    rest_from = -1
    boundary = True  # at the start, or right after a part
    metro = False  # a line or 地铁 was read: a bare station name is the metro
    # No name holds an ASCII digit (index.digit_free): none starts inside a run of digits,
    # and a line (1号线) starts at the run's first digit, so the rest of the run is skipped.
    digit_free = index.digit_free
    while i < n:
        part = _part_at(text, i, index, boundary, parts, metro)
        if part is None:
            if rest_from < 0:
                rest_from = i
            if text.startswith("地铁", i):
                metro = True
            i += 1
            if digit_free and text[i - 1] in DIGITS:
                while i < n and text[i] in DIGITS:
                    i += 1
            boundary = False
            continue
        if rest_from >= 0:
            parts.extend(_rest(text[rest_from:i], rest_from, index, parts, metro))
            rest_from = -1
        parts.append(part)
        if part.kind == "line":
            metro = True
        i = part.end
        boundary = True
    if rest_from >= 0:
        parts.extend(_rest(text[rest_from:], rest_from, index, parts, metro))
    return Reading(text, tuple(parts))


def _part_at(
    text: str, i: int, index: Index, boundary: bool, parts: list[Part], metro: bool
) -> Part | None:
    """The longest known name starting at i, or a region prefix or a metro line."""
    best: Part | None = None
    n = len(text)
    lookup = index.lookup
    first_two = text[i : i + 2]
    for length in index.lengths_at(first_two):
        end = i + length
        if end > n:
            continue
        name = text[i:end]
        hits = lookup(name)
        if not hits:  # most lengths tried name nothing: no filtering to do
            continue
        hits = _explicit(hits, name, metro)
        if not hits:
            continue
        if not _community_fits(text, i, end, hits, boundary):
            continue
        best = Part(_kind_of(hits), name, i, end, hits, None)
        break
    # most positions begin no area's name: _area_at is asked only where one may begin
    area = _area_at(text, i, index, boundary, parts) if first_two in index.area_starts else None
    if area is not None and (best is None or area.end > best.end):
        best = area
    if best is not None:
        return best
    if (boundary or i == 0) and text.startswith(REGION_PREFIXES, i):
        for p in REGION_PREFIXES:
            if text.startswith(p, i) and len(text) > i + len(p):
                return Part("region", p, i, i + len(p), (), None)
    if text[i : i + 1] in DIGITS:
        j = i
        while j < len(text) and text[j] in DIGITS:
            j += 1
        if text.startswith("号线", j) and (i == 0 or text[i - 1] not in DIGITS):
            return Part("line", text[i : j + 2], i, j + 2, (), None)
    return None


def _usable(hits: tuple[Hit, ...], metro: bool) -> tuple[Hit, ...]:
    """Hits a name inside an address can stand for: a bare metro name only after a marker."""
    if metro:
        return hits
    return tuple(h for h in hits if h.tier != "metro-bare")


def _explicit(hits: tuple[Hit, ...], name: str, metro: bool) -> tuple[Hit, ...]:
    """The hits a name stands for inside a longer text: not a street's bare short name
    (新村 is 新村镇's short name, and a word inside 南阳新村), nor a bare metro name unless a
    line or 地铁 came before it."""
    if not hits:
        return hits
    return tuple(
        h
        for h in hits
        if h.target in "SCPT"
        and (metro or h.tier != "metro-bare")
        and not (h.target == "S" and (name == h.row.short or h.tier in ("pinyin", "initials")))
    )


def _kind_of(hits: tuple[Hit, ...]) -> str:
    """The part a name makes: the most specific of its hits' kinds."""
    targets = {h.target for h in hits}
    for target in ("C", "P", "T", "S"):
        if target in targets:
            return PART_OF_HIT[target]
    return "area"


def _community_fits(text: str, start: int, end: int, hits: tuple[Hit, ...], boundary: bool) -> bool:
    """A community, village or place form may be read here (the guards in the module
    comment). A place other than a metro station is read only at the start or right after a
    part (新乡会展中心 is not 会展中心)."""
    if all(h.target == "P" and h.tier != "metro" for h in hits):
        # 嵩山 (the mountain) + 路 is 嵩山路, a road: a place followed by a road's word is not read
        return boundary and not text.startswith(ROAD_WORDS, end)
    if not all(h.target in "CP" for h in hits):
        return True
    if not boundary and text[start - 1] not in PART_ENDS:
        # 大王庄村 is not 王庄村: a name may begin before the form does
        return False
    if end - start <= 2 and not boundary:
        return False
    if text[end - 1] == "村" and text.startswith(ROAD_WORDS, end):
        return False
    return True


def _area_at(text: str, i: int, index: Index, boundary: bool, parts: list[Part]) -> Part | None:
    names = index.area_starts.get(text[i : i + 2], ())
    if len(names) > 4 and not text.startswith(tuple(names), i):
        return None  # a crowded start (郑州: 23 names) that begins none of them: one test
    for name in names:
        if not text.startswith(name, i):
            continue
        end = i + len(name)
        if not name.endswith(AREA_SUFFIXES):
            # a bare 中原, 金水: only first or right after a region or area, and not the start
            # of a road or of a longer place name (中原西路, 金水路)
            first = i == 0 or (boundary and parts and parts[-1].kind in ("area", "region"))
            if not first or text.startswith(ROAD_WORDS, end):
                continue
            if _core_len(text, i, index) > len(name):
                continue
        return Part("area", name, i, end, (), index.areas[name])
    return None


def _core_len(text: str, i: int, index: Index) -> int:
    """Length of the longest street short name that starts at i (0 if none)."""
    for core in index.core_starts.get(text[i : i + 2], ()):
        if text.startswith(core, i):
            return len(core)
    return 0


def _rest(segment: str, start: int, index: Index, parts: list[Part], metro: bool) -> list[Part]:
    """An unrecognised stretch: a whole name (二七区 + 德化街), a road and what follows it
    (文化路 + 100号), or rest."""
    hits = _usable(index.lookup(segment), metro) if segment else ()
    if hits:
        hits = tuple(h for h in hits if h.target in "SCPT" and h.tier not in ("pinyin", "initials"))
    if hits:
        return [Part(_kind_of(hits), segment, start, start + len(segment), hits, None)]
    n = _core_len(segment, 0, index)
    if n and n < len(segment):
        road_hits = tuple(h for h in index.lookup(segment[:n]) if h.target == "S")
        if road_hits:
            return [
                Part("road", segment[:n], start, start + n, road_hits, None),
                Part("rest", segment[n:], start + n, start + len(segment), (), None),
            ]
    return [Part("rest", segment, start, start + len(segment), (), None)]


def describe(reading: Reading) -> str:
    """The parts as --explain shows them: kind 'text' ..."""
    return " · ".join(f"{p.kind} '{p.text}'" for p in reading.parts) or "nothing"
