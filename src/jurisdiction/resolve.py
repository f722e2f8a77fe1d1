"""query -> Answer: which part of the text decides, whether the rest agrees, and the refusal
to guess.

`resolve` is a pure function of a query and an Index: no printing, no exiting, no globals.
It never raises on any text (a property test checks this). The tiers, in the order tried,
each a function of this module:

    whole_name    the whole text is one name the index knows (德化街, 碧沙岗社区, 郑州东站,
                  dehuajie, 二七区): `decide` among its hits
    pinyin        Latin letters with a prefix or suffix (zhengzhoudehuajie, dehuajiedao)
    chinese       an address read into parts by address.read (region, area, street,
                  community, place, station, line, road, rest), then `decide_parts`: the
                  most specific known part decides (community > place or station > street >
                  road > area; `decide_specific`, `road`, `area_answer`) and every broader
                  part must agree with it (`combine_areas`, `agrees`, `filter_area`)
    name_tiers    on what is left when no part is known:
      by_suffix   a name with an office or kind suffix the index lacks (…街道办事处)
      by_prefix   the start of several names (花园 → 花园路, 花园口): ambiguous
      by_typo     one character off (德华街), scored below

How sure (`score`), by the tier that decided:

    100  the official name, exactly (德化街街道, 碧沙岗社区居委会, 郑州东站)
     95  a documented other form: short name (德化街), office form (德化街街道办事处, 杜岭办事处),
         kind form (德化街道), station name, a community's or village's form (碧沙岗社区,
         申庄村), a place's other name (郑州火车站), a metro station written as one (燕庄站)
     90  full pinyin (dehuajie); a former or later name (南关街道); a kind written otherwise
         (侯寨乡 for 侯寨街道); a district or sub-bureau named alone (partial)
     85  unique pinyin initials (dhj); a street, community or place named inside an address
     80  a district or zone with a road and number (partial: roads cross subdistricts)
  75-84  a typo: 84 one same-sound character (德华街), 80 one missing or extra character in
         a name of four or more, 76 in a name of three
     70  one other wrong character (航海南路): below the threshold, never answered

Below THRESHOLD (75) the answer is `not_found`; `limit` shows the candidates anyway.

Agreement: a street agrees with a district written beside it when it is coded under it,
when a zone that runs it lies on it (高新区's units and 中原区: `lies_on` in units.yaml), or
with a zone or sub-bureau when that zone's sub-bureau serves it. A zone beside the district
it lies on decides the sub-bureau (中原区高新区… → 高新分局). Parts that disagree give
`ambiguous` with both, never the broader one silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .index import DistrictRow, Hit, Index, StreetRow, identity, metro_base
from .model import Answer, Candidate
from .normalize import is_pinyin_like, normalize, same_sound

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from .address import Part, Reading

THRESHOLD = 75
MAX_QUERY_CHARS = 1000  # longer lines are not addresses; answered not_found at once

TIER_SCORE = {
    "exact": 100,
    "alias": 95,
    "station": 95,
    "community": 95,
    "place": 95,
    "metro": 95,
    "former": 90,
    "former-split": 90,
    "office": 90,
    "later": 90,
    "kind": 90,
    "pinyin": 90,
    "metro-bare": 90,
    "group": 90,
    "initials": 85,
    "probable": 80,
    "core-community": 95,
}
TIER_MATCH = {
    "exact": "exact",
    "pinyin": "pinyin",
    "initials": "pinyin",
}
TIER_WORDS = {
    "exact": "official name",
    "alias": "short, office or kind form",
    "station": "station name",
    "community": "form of a community or village",
    "place": "other name of a place",
    "metro": "metro station",
    "metro-bare": "metro station after a line or 地铁",
    "former": "former name",
    "former-split": "former name",
    "office": "office name as listings write it",
    "later": "later name",
    "kind": "kind written otherwise",
    "pinyin": "full pinyin",
    "initials": "pinyin initials",
    "group": "name shared by the sites of a campus or chain",
    "probable": "a name a source writes for this station (not confirmed)",
    "core-community": "a village form of a community's name",
}
SCORE_ADDRESS = 85
SCORE_ROAD = 80
SCORE_AREA = 90
SCORE_CONFLICT = 50
KIND_MISMATCH = 5

PINYIN_SUFFIXES = ("jiedaobanshichu", "banshichu", "paichusuo", "jiedao", "zhen", "xiang")
PINYIN_PREFIXES = ("henansheng", "henan", "zhengzhoushi", "zhengzhou")
# Office and kind suffixes, longest first, with the kind each implies (the suffix tier).
SUFFIXES = (
    ("街道办事处", "街道"),
    ("公安派出所", "station"),
    ("人民政府", None),
    ("街道办", "街道"),
    ("办事处", "街道"),
    ("派出所", "station"),
    ("政府", None),
    ("街道", "街道"),
    ("镇", "镇"),
    ("乡", "乡"),
)
SUFFIX_ENDS = frozenset(suffix[-1] for suffix, _ in SUFFIXES)
SPECIFIC = ("community", "place", "station", "street")  # most specific first

MEMO_SIZE = 50_000


_DIGIT_RUN: list = []  # the compiled pattern, made on first use


def _shape(text: str) -> str:
    """The text with every run of ASCII digits written 0: 幸福小区12号楼 -> 幸福小区0号楼.
    (re is compiled on first use; the `jur` script pip writes imports re anyway.)"""
    if not _DIGIT_RUN:
        import re

        _DIGIT_RUN.append(re.compile(r"[0-9]+").sub)
    return _DIGIT_RUN[0]("0", text)


_new_answer = tuple.__new__


def _with_query(answer: Answer, query: str) -> Answer:
    """The memoised answer for another query of the same shape (3x cheaper than _replace)."""
    return _new_answer(Answer, (query, *answer[1:]))


def resolve(query: str, index: Index, *, limit: int = 0, explain: bool = False) -> Answer:
    """The answer for one query. `limit` > 0 adds up to that many candidates, best first;
    `explain` records the steps taken in Answer.explain (off by default: it costs time)."""
    steps: list[str] = []
    if not isinstance(query, str):
        return Answer(str(query), "not_found", note="not text")
    if len(query) > MAX_QUERY_CHARS:
        return Answer(
            query, "not_found", note=f"longer than {MAX_QUERY_CHARS} characters: not a place"
        )
    if explain:
        key = normalize(query, steps)
        if not key:
            return Answer(query, "not_found", note="nothing to look up", explain=tuple(steps))
        return run(Ctx(query, index, steps, limit, explain), key)
    # Batch inputs repeat themselves: the same compound or road with another house number.
    # When no name in the dataset holds an ASCII digit, every run of digits plays the same
    # part (a number after a place name), so texts alike but for their numbers get the same
    # answer: they share one entry of the index's memo (bounded; answers are immutable),
    # looked up before the text is even normalised. A metro line (1号线) is the exception:
    # its digits name the line, so such a text is never shared.
    memo = index.memo
    shape = _shape(query) if index.digit_free else query
    cached = memo.get((shape, limit))
    if cached is not None:
        return _with_query(cached, query)
    key = normalize(query)
    if not key:
        answer = Answer(query, "not_found", note="nothing to look up")
    else:
        answer = run(Ctx(query, index, steps, limit, explain), key)
    if "号线" not in key:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[(shape, limit)] = answer
    return answer


def resolve_many(
    queries: Iterable[str], index: Index, *, limit: int = 0, explain: bool = False
) -> Iterator[Answer]:
    """Answers in input order, one per query, against one loaded index."""
    for q in queries:
        yield resolve(q, index, limit=limit, explain=explain)


class Ctx:
    """What one resolution carries: the query, the index, the steps for --explain, and the
    street rows met (for `verified` and notes)."""

    __slots__ = ("query", "index", "steps", "limit", "explain", "rows", "doubt")

    def __init__(
        self, query: str, index: Index, steps: list[str], limit: int, explain: bool
    ) -> None:
        self.query = query
        self.index = index
        self.steps = steps
        self.limit = limit
        self.explain = explain
        self.rows: dict[str, StreetRow] = {}
        # candidates whose assignment rests on an unclear source, by (target, label): a
        # landmark's page of low trust, a station's probable other name
        self.doubt: dict[tuple[str, str], str | None] = {}

    def step(self, text: str) -> None:
        """Record a step for --explain. Where the text is formatted (an f-string), callers
        test ctx.explain first: a batch without --explain never builds it."""
        if self.explain:
            self.steps.append(text)


# --- the tiers, in order ---------------------------------------------------------------------


def run(ctx: Ctx, key: str) -> Answer:
    answer = whole_name(ctx, key)
    if answer is not None:
        return answer
    if is_pinyin_like(key):
        return pinyin(ctx, key)
    return chinese(ctx, key)


def whole_name(ctx: Ctx, key: str) -> Answer | None:
    """The whole text is one known name."""
    hits = ctx.index.lookup(key)
    return decide(ctx, with_core_communities(ctx, key, hits)) if hits else None


def with_core_communities(ctx: Ctx, text: str, hits: Iterable[Hit]) -> list[Hit]:
    """路砦村 names the village 路砦村委会 (金水区), but 路砦社区 (二七区) shares its core: many of
    the city's communities were villages (城中村) and are still called 村. So a village form
    X村 stands for the communities X社区 too; a written district or street then decides."""
    hits = list(hits)
    if not text.endswith("村") or len(text) < 3:
        return hits
    if not any(h.target == "C" and h.row.kind == "village" and h.tier != "exact" for h in hits):
        return hits
    have = {identity(h) for h in hits}
    note = f"written as a village; {text[:-1]}社区 shares its name (many communities were villages)"
    for h in ctx.index.lookup(text[:-1] + "社区"):
        if h.target == "C" and h.row.kind == "community" and identity(h) not in have:
            hits.append(h._replace(tier="core-community", note=note))
    return hits


def pinyin(ctx: Ctx, key: str) -> Answer:
    rest = key
    for p in PINYIN_PREFIXES:
        if rest.startswith(p) and len(rest) > len(p):
            rest = rest[len(p) :]
            ctx.step(f"pinyin prefix {p} removed")
            hits = ctx.index.lookup(rest)
            if hits:
                return decide(ctx, hits)
    for s in PINYIN_SUFFIXES:
        if rest.endswith(s) and len(rest) > len(s):
            ctx.step(f"pinyin suffix {s} removed")
            hits = ctx.index.lookup(rest[: -len(s)])
            if hits:
                return decide(ctx, hits)
    return not_found(ctx, "no place reads like this")


def chinese(ctx: Ctx, key: str) -> Answer:
    """Read the text into parts, then let them decide; fall back on the name tiers for what
    is left when no part is known."""
    from .address import describe, read  # only texts that are not one name need it

    reading = read(key, ctx.index)
    if ctx.explain:
        for p in reading.parts:
            if p.kind == "region":
                ctx.step(f"prefix {p.text} removed")
        ctx.step(f"read as: {describe(reading)}")
    return decide_parts(ctx, reading)


def decide_parts(ctx: Ctx, reading: Reading) -> Answer:
    parts = reading.parts
    areas = [p for p in parts if p.kind == "area"]
    area, clash = combine_areas(ctx.index, areas)
    if clash is not None:
        a, b = clash
        return disagree(
            ctx,
            f"{_area_name(a)} and {_area_name(b)} do not fit together",
            [area_candidate(a, SCORE_CONFLICT), area_candidate(b, SCORE_CONFLICT)],
        )
    if area is not None and len(areas) > 1 and ctx.explain:
        ctx.step(f"the zone or district '{_area_name(area)}' decides among the areas written")
    kinds = [p.kind for p in parts]
    whole = "rest" not in kinds and "road" not in kinds  # only the deciding part
    for kind in SPECIFIC:
        if kind in kinds:
            return decide_specific(ctx, parts[kinds.index(kind)], parts, area, whole)
    roads = [p for p in parts if p.kind == "road"]
    if roads:
        return road(ctx, roads[0], area)
    rest = "".join(p.text for p in parts if p.kind == "rest")
    if area is None:
        road_name = _district_road(ctx.index, rest)
        if road_name:
            # 中原路, 金水路100号: a road named after a district crosses districts
            return not_found(
                ctx,
                f"'{road_name}' is a road named after a district: add the district or "
                f"subdistrict it is in",
            )
        return name_tiers(ctx, rest, None) or not_found(ctx, "no place of this name")
    from .address import AREA_SUFFIXES

    bare = not areas[0].text.endswith(AREA_SUFFIXES)
    if rest:
        answer = name_tiers(ctx, rest, area)
        if answer is not None:
            return answer
        if bare and len(areas) == 1:
            # 中原某某: a bare district name is also the start of names that cross districts;
            # only 中原区 written out answers for the district. The whole text may still be
            # a name one character off (二七纪念搭).
            answer = by_typo(ctx, reading.text, None)
            if answer is not None and answer.status != "not_found":
                return answer
            return not_found(ctx, f"'{areas[0].text}' may be a district or part of a name")
        ctx.step(f"'{rest}' not recognised: answered by the district alone")
    return area_answer(ctx, area, rest=rest)


def decide_specific(
    ctx: Ctx, part: Part, parts: tuple[Part, ...], area: tuple | None, whole: bool
) -> Answer:
    """The most specific part decides; broader parts (streets, the area) must agree."""
    if ctx.explain:
        ctx.step(f"decided by the {_part_word(part)} '{part.text}'")
    hits = list(part.hits)
    lines = [p.text for p in parts if p.kind == "line"]
    if lines and part.kind == "place":
        # 8号线东风路: the line written picks the metro station of that name on it
        metro = [h for h in hits if h.target == "P" and h.row.kind == "metro-station"]
        on_line = [
            h
            for h in metro
            if any(line in label.split("/") for label in h.row.lines for line in lines)
        ]
        if metro and not on_line:
            # 1号线人民公园: the station is the metro's, the line is not its own
            said = f"{'、'.join(lines)} does not call at this station"
            hits = [h._replace(note=_join(said, h.note)) for h in metro]
        else:
            hits = on_line or metro or hits
    streets = [p for p in parts if p.kind == "street" and p is not part]
    score = None if whole else SCORE_ADDRESS
    match = None if whole else "address"
    area_left = area  # the area decide still filters the hits by
    if part.kind == "community":
        hits = with_core_communities(ctx, part.text, hits)
        if streets or area is not None:
            scope_hits = [h for p in streets for h in p.hits]
            verdict, chosen = in_scope(ctx.index, hits, scope_hits, area)
            if ctx.explain:
                ctx.step(f"scope: {scope_words(scope_hits, area)} → {SCOPE_WORDS[verdict]}")
            if verdict != "inside":
                return scoped(ctx, part, verdict, chosen, hits, scope_hits, area)
            hits = chosen
            if not scope_hits:
                # in_scope kept the hits that lie in the area: decide need not filter again
                area_left = None
    if part.kind == "place" and any(h.tier == "group" for h in hits):
        hits = branch_pick(ctx, part, parts, hits)
    if part.kind == "community":
        pass
    elif streets and part.kind == "place":
        codes = {_street_code(h) for p in streets for h in p.hits}
        inside = [h for h in hits if _street_code(h) in codes or _street_code(h) is None]
        if not inside:
            others = [h for p in streets for h in p.hits]
            return disagree(
                ctx,
                "the place named is not in the subdistrict named",
                [candidate(ctx, h, SCORE_CONFLICT, "alias") for h in [*hits, *others]],
            )
        hits = inside
    elif part.kind == "street" and area is not None and _road_like(part):
        if not filter_area(ctx.index, hits, area):
            # 郑东新区文化路: a road's name that is also a subdistrict's elsewhere
            return road(ctx, part, area)
    # the reader gave a bare metro name only after a line or 地铁: it is the metro here
    return decide(ctx, hits, area=area_left, score=score, match=match, metro=True)


SCOPE_WORDS = {
    "inside": "the community is inside it and decides",
    "same-sub-bureau": "the community lies only elsewhere in the same sub-bureau",
    "contradiction": "the community lies in the same district under another sub-bureau",
    "elsewhere": "the community's name is listed only elsewhere; the scope decides",
}


def in_scope(
    index: Index, hits: list[Hit], scope_streets: list[Hit], area: tuple | None
) -> tuple[str, list[Hit]]:
    """Where a community's hits lie against the scope the text gives: the street(s) written,
    else the district or zone. Returns the verdict and the hits it rests on:

      inside           some lie inside the scope: they decide (as before)
      contradiction    none inside, but some lie in the scope's district under another
                       sub-bureau: the parts disagree (ambiguous)
      same-sub-bureau  none inside, some elsewhere under the scope's own sub-bureau: the
                       sub-bureau is known, the station is not (partial)
      elsewhere        the name is listed only far from the scope: a natural village, a new
                       estate or an old name carries a name NBS uses elsewhere; the scope
                       decides, and the note says where NBS lists the name

    A pure function of the index and the hits (tests/test_scope.py checks it against a table).
    """
    scope = filter_area(index, scope_streets, area) or scope_streets
    if scope:
        codes = {_street_code(h) for h in scope}
        inside = [h for h in hits if _street_code(h) in codes]
    else:
        inside = filter_area(index, hits, area)
    if inside:
        return "inside", inside
    # none inside: the scope's sub-bureaus and districts say how far off they are
    if scope:
        rows = [r for r in (_street_of(h) for h in scope) if r is not None]
        bureaus = {r.sub_bureau for r in rows}
        districts = {r.district for r in rows}
    else:
        bureaus = {_area_bureau(area)}
        districts = {_area_name(area)}
    bureaus.discard(None)
    others = [(h, _street_of(h)) for h in hits]
    clash = [
        h
        for h, r in others
        if r is not None and r.district in districts and r.sub_bureau not in bureaus and bureaus
    ]
    if clash:
        return "contradiction", clash
    same = [h for h, r in others if r is not None and r.sub_bureau in bureaus]
    if same:
        return "same-sub-bureau", same
    return "elsewhere", []


def scope_words(scope_streets: list[Hit], area: tuple | None) -> str:
    names = list(dict.fromkeys(h.row.name for h in scope_streets if h.target == "S"))
    return "、".join(names) if names else _area_name(area) if area else "nothing"


def scoped(
    ctx: Ctx,
    part: Part,
    verdict: str,
    chosen: list[Hit],
    hits: list[Hit],
    scope_streets: list[Hit],
    area: tuple | None,
) -> Answer:
    """The answer when a community is not inside the scope written (see in_scope)."""
    listed = "、".join(
        dict.fromkeys(
            f"{r.name} ({r.district})" for r in (_street_of(h) for h in hits) if r is not None
        )
    )
    where = f"NBS lists '{part.text}' under {listed}"
    scope_cands = [candidate(ctx, h, SCORE_ADDRESS, "address") for h in scope_streets]
    if not scope_cands and area is not None:
        scope_cands = [area_candidate(area, SCORE_ADDRESS)]
    if verdict == "contradiction":
        return disagree(
            ctx,
            f"the community named lies in another subdistrict, served by another sub-bureau "
            f"({where})",
            [*scope_cands, *(candidate(ctx, h, SCORE_CONFLICT, "alias") for h in chosen)],
        )
    if verdict == "same-sub-bureau":
        cands = [*scope_cands, *(candidate(ctx, h, SCORE_ADDRESS, "address") for h in chosen)]
        bureau = cands[0].sub_bureau
        districts = {c.district for c in cands}
        return answer(
            ctx,
            "partial",
            sub_bureau=bureau,
            district=districts.pop() if len(districts) == 1 else None,
            score=SCORE_ADDRESS,
            match="address",
            note=f"{where}, not in the scope written; both are {bureau}'s: "
            f"add the subdistrict for the station",
            candidates=cands,
            keep_all=True,
        )
    note = f"{where}: not inside the scope written, which decides"
    if scope_streets:
        return decide(
            ctx, scope_streets, area=area, score=SCORE_ADDRESS, match="address", extra_note=note
        )
    return area_answer(ctx, area, score=SCORE_ADDRESS, match="address", note=note)


def name_tiers(ctx: Ctx, rest: str, area: tuple | None) -> Answer | None:
    """The name tiers on what is left of the text: suffix, prefix, typo."""
    if not rest:
        return None
    return by_suffix(ctx, rest, area) or by_prefix(ctx, rest, area) or by_typo(ctx, rest, area)


def by_suffix(ctx: Ctx, rest: str, area: tuple | None) -> Answer | None:
    core, kind = rest, None
    if rest[-1:] not in SUFFIX_ENDS:
        return None
    for _ in range(2):
        for suffix, implied in SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix):
                core = core[: -len(suffix)]
                kind = kind or implied
                ctx.step(f"suffix {suffix} removed")
                hits = ctx.index.lookup(core)
                if hits:
                    return decide(ctx, hits, area=area, kind=kind)
                break
        else:
            break
    # A road's name written without 路/街 (长江 for 长江路) is not accepted: too many
    # places share a two-character stem.
    return None


def by_prefix(ctx: Ctx, rest: str, area: tuple | None) -> Answer | None:
    """Two or more places whose names start with the text (花园 → 花园路, 花园口)."""
    if len(rest) < 2:
        return None
    matches = [c for c in ctx.index.cores if c.startswith(rest) and c != rest]
    hits = [
        h for c in matches for h in ctx.index.lookup(c) if h.target == "S" and h.tier == "alias"
    ]
    hits = filter_area(ctx.index, hits, area)
    if len({h.row.code for h in hits}) < 2:
        return None
    ctx.step(f"'{rest}' begins {len(matches)} names")
    cands = [candidate(ctx, h, 60, "fuzzy") for h in hits]
    return many(ctx, cands, 60, "fuzzy", note=f"'{rest}' begins the names of several places")


def by_typo(ctx: Ctx, rest: str, area: tuple | None) -> Answer | None:
    core = rest
    for suffix, _ in SUFFIXES:
        if core.endswith(suffix) and len(core) - len(suffix) >= 3:
            core = core[: -len(suffix)]
            break
    if len(core) < 3 or any(c.isdigit() for c in core):
        return None  # never fuzzy-match a one- or two-character core, or an address
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    scored: list[tuple[int, str]] = []
    for pool, text in ((ctx.index.cores, core), (ctx.index.place_names, rest)):
        if len(text) < 3:
            continue
        for cand, dist, _ in process.extract(
            text, pool, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        ):
            if len(cand) < 3 or dist != 1:
                continue
            scored.append((typo_score(text, cand), cand))
    if not scored:
        return None
    ctx.step("typo tier: one character off (Levenshtein distance 1)")
    cands: list[Candidate] = []
    for score, cand in sorted(scored, key=lambda x: (-x[0], x[1])):
        for h in filter_area(ctx.index, list(ctx.index.lookup(cand)), area):
            if (h.target == "S" and h.tier == "alias") or (
                h.target == "P" and h.row.district is not None and h.tier in ("exact", "place")
            ):
                cands.append(candidate(ctx, h, score, "fuzzy"))
    if not cands:
        return None
    best = cands[0].score
    if best < THRESHOLD:
        return not_found(ctx, f"closest name scores {best}, below the threshold {THRESHOLD}", cands)
    top = [c for c in cands if c.score == best]
    return many(ctx, top, best, "fuzzy", rest_cands=cands)


# --- deciding among hits ---------------------------------------------------------------------


def decide(
    ctx: Ctx,
    hits: Iterable[Hit],
    *,
    area: tuple | None = None,
    kind: str | None = None,
    score: int | None = None,
    match: str | None = None,
    metro: bool = False,
    extra_note: str | None = None,
) -> Answer:
    """The answer from the hits of one name (or part), within the area written. A metro
    station's bare name (人民公园) stands for the station only when `metro` says the text
    marked it so; alone it is not the metro."""
    if not metro:
        usable = [h for h in hits if h.tier != "metro-bare"]
        if not usable:
            return bare_metro(ctx, tuple(hits))
        hits = usable
    hits = list(hits)
    if area is not None:
        inside = filter_area(ctx.index, hits, area)
        if not inside:
            cands = [candidate(ctx, h, SCORE_CONFLICT, "alias") for h in hits if h.target in "SCPT"]
            return disagree(
                ctx,
                f"the place named is not in {_area_name(area)}",
                [*cands, area_candidate(area, SCORE_CONFLICT)],
            )
        hits = inside
    penalty = 0
    notes: list[str] = [extra_note] if extra_note else []
    if kind and kind != "station":
        same = [h for h in hits if h.target != "S" or h.row.kind == kind]
        if same:
            hits = same
        else:
            penalty = KIND_MISMATCH
            kinds = sorted({h.row.kind for h in hits if h.target == "S" and h.row.kind})
            notes.append(f"written as a {kind}; officially a {'/'.join(kinds)}")
    everything = hits
    if len(hits) > 1:
        top = max(_rank(h) for h in hits)
        hits = [h for h in hits if _rank(h) == top]
    best = max(TIER_SCORE.get(h.tier, 0) for h in hits)
    tier = hits[0].tier
    if ctx.explain:
        ctx.step(f"matched: {TIER_WORDS.get(tier, tier)}")
    sc = (score if score is not None else best) - penalty
    m = match or TIER_MATCH.get(tier, "alias")
    # Notes of every hit on the chosen targets (南关街道 is both a kind form of 南关街街道
    # and its former name: say so even though the kind form decided).
    if len(everything) == 1:  # the one hit was chosen
        notes += [h.note for h in everything if h.note]
    else:
        chosen = {identity(h) for h in hits}
        notes += [h.note for h in everything if h.note and identity(h) in chosen]
    if len(hits) == 1 and hits[0].target in "BD":
        h = hits[0]
        return area_answer(ctx, ("B", h.row) if h.target == "B" else ("D", h.row), score=sc)
    cands = [candidate(ctx, h, sc, m) for h in hits]
    return many(ctx, cands, sc, m, note="; ".join(dict.fromkeys(notes)) or None)


def many(
    ctx: Ctx,
    cands: list[Candidate],
    score: int,
    match: str,
    *,
    note: str | None = None,
    rest_cands: list[Candidate] | None = None,
) -> Answer:
    """One answer from candidates that tie: found when they agree on a station, outside
    when none is served, ambiguous otherwise."""
    if len(cands) == 1:  # one candidate: one place, nothing to compare
        return place_answer(ctx, cands[0], score, match, note, rest_cands or cands)
    uniq = list({(c.code, c.station, c.sub_bureau, c.district, c.place): c for c in cands}.values())
    places = {(c.code, c.station, c.sub_bureau) for c in uniq}
    shown = rest_cands or uniq
    if len(places) == 1:
        c = uniq[0]
        if len({c.place for c in uniq}) > 1:
            c = c._replace(place=None)  # two communities of one street: the street decides
        return place_answer(ctx, c, score, match, note, shown)
    stations = {c.station for c in uniq}
    if stations == {None} and all(c.code for c in uniq) and all(c.sub_bureau is None for c in uniq):
        districts = {c.district for c in uniq}
        return answer(
            ctx,
            "outside",
            district=districts.pop() if len(districts) == 1 else None,
            score=score,
            match=match,
            note=_join(note, "every place of this name is outside the 11 sub-bureaus' area"),
            candidates=uniq,
            keep_all=True,
        )
    if len(stations) == 1 and None not in stations:
        c = uniq[0]
        return place_answer(
            ctx, c._replace(street=None, code=None, place=None), score, match, note, shown
        )
    if ctx.explain:
        ctx.step(f"ambiguous: {len(uniq)} places fit")
    return answer(
        ctx,
        "ambiguous",
        score=score,
        match=match,
        note=_join(note, "several places fit: see candidates; add the district or subdistrict"),
        candidates=uniq,
        keep_all=True,
    )


def place_answer(
    ctx: Ctx, c: Candidate, score: int, match: str, note: str | None, shown: list[Candidate]
) -> Answer:
    row = ctx.rows.get(c.code) if c.code else None
    verified = row.verified if row else True
    doubted = ("P", c.place) in ctx.doubt or (c.place is None and ("T", c.station) in ctx.doubt)
    if doubted:
        verified = False
    if c.station is None and c.sub_bureau is None and (c.code or c.district):
        return answer(
            ctx,
            "outside",
            street=c.street,
            district=c.district,
            score=score,
            match=match,
            code=c.code,
            verified=verified,
            place=c.place,
            note=_join(
                note,
                f"{c.district} is outside the 11 sub-bureaus' area: no station of theirs serves it",
            ),
            candidates=shown,
        )
    if c.station is None:
        return answer(
            ctx,
            "partial",
            sub_bureau=c.sub_bureau,
            district=c.district,
            score=score,
            match=match,
            verified=verified,
            place=c.place,
            note=note,
            candidates=shown,
        )
    return answer(
        ctx,
        "found",
        station=c.station,
        sub_bureau=c.sub_bureau,
        street=c.street,
        district=c.district,
        score=score,
        match=match,
        code=c.code,
        verified=verified,
        place=c.place,
        note=_join(note, None if verified or row is None else f"assignment unverified: {row.note}"),
        candidates=shown,
    )


def bare_metro(ctx: Ctx, hits: tuple[Hit, ...]) -> Answer:
    """人民公园 alone: a metro station's name, but also a park's: not the metro."""
    names = "、".join(dict.fromkeys(metro_base(h.row.name) for h in hits))
    return not_found(
        ctx,
        f"'{names}' is also the name of a metro station: write {names}站 or 地铁{names} "
        f"if the station is meant",
        [candidate(ctx, h, 60, "alias") for h in hits],
    )


def road(ctx: Ctx, part: Part, area: tuple | None) -> Answer:
    """A road that shares a subdistrict's name, followed by more (a house number, crossing,
    building): never a station, and no sub-bureau unless a district or zone is written."""
    name = part.text
    if area is None:
        cands = [candidate(ctx, h, SCORE_ROAD, "address") for h in part.hits]
        ctx.step(f"'{name}' is a road: no district or zone written")
        return not_found(
            ctx,
            f"'{name}' is a road as well as a subdistrict's name, and roads cross "
            f"subdistricts and districts: add the district (e.g. "
            f"{_area_example(cands)}{name}…) or the subdistrict",
            cands,
        )
    inside = [h for h in part.hits if could_lie_in(ctx.index, h, area)]
    cands = [candidate(ctx, h, SCORE_ROAD, "address") for h in inside]
    elsewhere = [
        candidate(ctx, h, SCORE_CONFLICT, "alias")
        for h in part.hits
        if h.target == "S" and not could_lie_in(ctx.index, h, area)
    ]
    area_bureau = _area_bureau(area)
    others = {c.sub_bureau for c in cands} - {area_bureau}
    if others:
        # 金水区祭城路…: the district is 金水分局's, the road's namesake 郑东分局's; the
        # number may lie in either
        ctx.step(f"'{name}' is a road whose namesake is served by another sub-bureau")
        return answer(
            ctx,
            "ambiguous",
            score=SCORE_ROAD,
            match="address",
            note=f"'{name}' is a road; its namesake subdistrict is served by "
            f"{'、'.join(sorted(b or 'no sub-bureau' for b in others))}, the district written by "
            f"{area_bureau or 'no sub-bureau'}: add the subdistrict",
            candidates=[*cands, area_candidate(area, SCORE_ROAD)],
            keep_all=True,
        )
    ctx.step(f"'{name}' is a road: the district or zone decides the sub-bureau, not a station")
    return area_answer(
        ctx,
        area,
        score=SCORE_ROAD,
        match="address",
        note=_join(
            f"'{name}' is a road: a number, building or crossing on it can lie in any "
            f"subdistrict it crosses, so no station is given",
            f"its namesake {'、'.join(f'{c.street} ({c.district})' for c in elsewhere)} "
            f"cannot lie in {_area_name(area)}"
            if elsewhere
            else None,
        ),
        candidates=[*cands, *elsewhere],
    )


def disagree(ctx: Ctx, why: str, cands: list[Candidate]) -> Answer:
    """Parts of the text that do not fit together: ambiguous, with each of them, never the
    broader one silently."""
    if ctx.explain:
        ctx.step(f"conflict: {why}")
    return answer(
        ctx,
        "ambiguous",
        score=SCORE_CONFLICT,
        note=f"{why}: check which was meant",
        candidates=cands,
        keep_all=True,
    )


def area_answer(
    ctx: Ctx,
    area: tuple,
    *,
    score: int = SCORE_AREA,
    rest: str = "",
    match: str = "district",
    note: str | None = None,
    candidates: list[Candidate] | None = None,
) -> Answer:
    kind, row = area
    # The note names no part of the query: answers are shared between alike queries.
    extra = "the rest was not recognised; " if rest else ""
    cands = candidates or []
    if kind == "B":
        return answer(
            ctx,
            "partial",
            sub_bureau=row[0],
            score=score,
            match=match,
            note=_join(note, f"{extra}a sub-bureau, not a station".strip()),
            candidates=cands,
            keep_all=bool(cands),
        )
    d = DistrictRow._make(row)
    if d.sub_bureau is None:
        return answer(
            ctx,
            "outside",
            district=d.name,
            score=score,
            match=match,
            verified=d.mixed is None,
            note=_join(
                _join(note, f"{extra}{d.name} is outside the 11 sub-bureaus' area"), d.mixed
            ),
            candidates=cands,
            keep_all=bool(cands),
        )
    return answer(
        ctx,
        "partial",
        sub_bureau=d.sub_bureau,
        district=d.name,
        score=score,
        match=match,
        verified=d.mixed is None,
        note=_join(_join(note, f"{extra}only the district is known, not the station"), d.mixed),
        candidates=cands,
        keep_all=bool(cands),
    )


# --- areas and agreement ---------------------------------------------------------------------


def combine_areas(index: Index, areas: list[Part]) -> tuple[tuple | None, tuple | None]:
    """(the area that decides, None) or (None, (a, b)) when two areas written disagree."""
    result: tuple | None = None
    for p in areas:
        if result is None:
            result = p.area
            continue
        merged = merge_areas(index, result, p.area)
        if merged is None:
            return None, (result, p.area)
        result = merged
    return result, None


def merge_areas(index: Index, a: tuple, b: tuple) -> tuple | None:
    """Two areas written together: the more specific one when they fit, else None."""
    if _area_name(a) == _area_name(b):
        return a
    if a[0] == "B" or b[0] == "B":
        bureau, other = (a, b) if a[0] == "B" else (b, a)
        if other[0] == "B":
            return None
        return other if other[1][1] == bureau[1][0] else None
    da, db = DistrictRow._make(a[1]), DistrictRow._make(b[1])
    for zone, district, za in ((da, db, a), (db, da, b)):
        if zone.kind != "zone":
            continue
        if district.name in index.lies_on.get(zone.name, ()):
            return za  # a zone outranks the district it lies on
        if zone.sub_bureau is None and zone.code:
            return za  # 航空港区: outside, whatever district is written beside it
    return None


def agrees(index: Index, sub_bureau: str | None, district: str | None, area: tuple) -> bool:
    """A place served by `sub_bureau`, coded under `district` (None for a place with no
    street), fits the area written beside it."""
    if area[0] == "B":
        return sub_bureau == area[1][0]
    d = DistrictRow._make(area[1])
    if district is None:
        if sub_bureau is not None and sub_bureau == d.sub_bureau:
            return True
        return any(
            d.name in lies
            for zone, lies in index.lies_on.items()
            if index.zone_bureau.get(zone) == sub_bureau
        )
    if district == d.name:
        return True
    if d.code is None and d.sub_bureau is not None:
        return sub_bureau == d.sub_bureau  # 郑东新区: its units are coded elsewhere
    return d.name in index.lies_on.get(district, ())


def could_lie_in(index: Index, h: Hit, area: tuple) -> bool:
    """A road's namesake subdistrict could lie inside the area written: it agrees with it
    (coded under it, run by the zone written), or it is run by a zone that lies on the
    district written (祭城路街道 is 郑东分局's, and 郑东新区 lies on 管城回族区). A road's
    namesake that cannot lie there does not make the road ambiguous (郑东新区文化路)."""
    street = _street_of(h)
    if street is None:
        return False
    if agrees(index, street.sub_bureau, street.district, area):
        return True
    if area[0] != "D":
        return False
    written = _area_name(area)
    return any(
        written in lies
        for zone, lies in index.lies_on.items()
        if street.sub_bureau is not None and index.zone_bureau.get(zone) == street.sub_bureau
    )


SPECIAL_PLACE_KINDS = ("railway-station", "metro-station")


def filter_area(index: Index, hits: list[Hit], area: tuple | None) -> list[Hit]:
    if area is None:
        return list(hits)
    out = []
    for h in hits:
        street = _street_of(h)
        if street is not None:
            ok = agrees(index, street.sub_bureau, street.district, area)
        elif h.target == "P" and h.row.station is None and h.row.kind in SPECIAL_PLACE_KINDS:
            ok = True  # the railway station or the metro: its own sub-bureau, any district
        elif h.target == "P" and h.row.district is not None:
            # a landmark: by the district or zone its page gives
            ok = agrees(index, h.row.sub_bureau, h.row.district, area)
        else:  # a station or place with no street: by its sub-bureau; districts never
            ok = h.target in "PT" and agrees(index, h.row.sub_bureau, None, area)
        if ok:
            out.append(h)
    return out


# --- candidates and answers ------------------------------------------------------------------


def candidate(ctx: Ctx, h: Hit, score: int, match: str) -> Candidate:
    t, r = h.target, h.row
    if t == "S":
        ctx.rows[r.code] = r
        return Candidate(r.station, r.sub_bureau, r.name, r.district, r.code, score, match)
    if t == "C":
        s = r.street
        ctx.rows[s.code] = s
        return Candidate(s.station, s.sub_bureau, s.name, s.district, s.code, score, match, r.name)
    if t == "P":
        s = r.street
        if s is not None:
            ctx.rows[s.code] = s
            if not r.verified:
                ctx.doubt[("P", place_label(r))] = None
            return Candidate(
                r.station or s.station,
                s.sub_bureau,
                s.name,
                s.district,
                s.code,
                score,
                match,
                r.name,
            )
        label = place_label(r)
        if not r.verified:
            ctx.doubt[("P", label)] = None
        return Candidate(r.station, r.sub_bureau, None, r.district, None, score, match, label)
    if t == "T":
        if h.tier == "probable":
            ctx.doubt[("T", r.name)] = None
        return Candidate(r.name, r.sub_bureau, None, None, None, score, match)
    if t == "B":
        return Candidate(None, r.name, None, None, None, score, "district")
    return Candidate(None, r.sub_bureau, None, r.name, r.code, score, "district")


def place_label(r: tuple) -> str:
    """What `place` says: the place's name; a metro station as 燕庄站 (1号线、6号线)."""
    if r.kind != "metro-station":
        return r.name
    base = metro_base(r.name)
    stem = base if base.endswith("站") else base + "站"
    return f"{stem} ({'、'.join(r.lines)})" if r.lines else stem


def area_candidate(area: tuple, score: int) -> Candidate:
    kind, row = area
    if kind == "B":
        return Candidate(None, row[0], None, None, None, score, "district")
    d = DistrictRow._make(row)
    return Candidate(None, d.sub_bureau, None, d.name, d.code, score, "district")


def not_found(ctx: Ctx, why: str, cands: list[Candidate] | None = None) -> Answer:
    if ctx.explain:
        ctx.step(f"not found: {why}")
    return answer(ctx, "not_found", note=why, candidates=cands or [], keep_all=bool(cands))


def answer(
    ctx: Ctx,
    status: str,
    *,
    station: str | None = None,
    sub_bureau: str | None = None,
    street: str | None = None,
    district: str | None = None,
    score: int = 0,
    match: str | None = None,
    code: str | None = None,
    verified: bool = True,
    note: str | None = None,
    place: str | None = None,
    candidates: list[Candidate] | tuple[Candidate, ...] = (),
    keep_all: bool = False,
) -> Answer:
    cands = sorted(candidates, key=_candidate_order) if candidates else ()
    if status == "ambiguous" and cands:
        status, sub_bureau, district, verified, note = settle_ambiguous(ctx, cands, note)
    if keep_all:
        shown = cands[: ctx.limit] if ctx.limit else cands
    else:
        shown = cands[: ctx.limit] if ctx.limit else []
    return Answer(
        query=ctx.query,
        status=status,
        station=station,
        sub_bureau=sub_bureau,
        street=street,
        district=district,
        score=max(0, min(100, score)) if status != "not_found" else 0,
        match=match if status != "not_found" else None,
        code=code,
        verified=verified,
        candidates=tuple(shown),
        note=note,
        place=place,
        explain=tuple(ctx.steps) if ctx.explain else (),
    )


def settle_ambiguous(
    ctx: Ctx, cands: list[Candidate] | tuple[Candidate, ...], note: str | None
) -> tuple[str, str | None, str | None, bool, str | None]:
    """What an `ambiguous` answer really is, from its candidates: `outside` when every one
    is outside the 11 sub-bureaus' area; `partial` when every one has the same sub-bureau
    (the sub-bureau is known, the station is not); else `ambiguous`, with no sub-bureau.
    So `ambiguous` always means the sub-bureau is unknown. (status, sub_bureau, district,
    verified, note)"""
    bureaus = {c.sub_bureau for c in cands}
    districts = {c.district for c in cands}
    district = districts.pop() if len(districts) == 1 else None
    if (
        bureaus == {None}
        and all(c.district or c.code for c in cands)
        and not any(c.station for c in cands)
    ):
        ctx.step("every candidate is outside the 11 sub-bureaus' area")
        return (
            "outside",
            None,
            district,
            True,
            _join(note, "every place it could be is outside the 11 sub-bureaus' area"),
        )
    if len(bureaus) == 1 and None not in bureaus:
        bureau = next(iter(bureaus))
        verified = all(ctx.rows[c.code].verified for c in cands if c.code in ctx.rows)
        if ctx.explain:
            ctx.step(f"every candidate is {bureau}'s: the sub-bureau is known, the station is not")
        return (
            "partial",
            bureau,
            district,
            verified,
            _join(note, f"all of them are {bureau}'s: the sub-bureau is known"),
        )
    return "ambiguous", None, None, True, note


# --- helpers ---------------------------------------------------------------------------------


def _part_word(part: Part) -> str:
    """What --explain calls a deciding part: a landmark is a place a page locates."""
    if part.kind == "place" and all(
        h.target == "P" and h.row.district is not None and h.row.kind != "metro-station"
        for h in part.hits
    ):
        return "landmark"
    return part.kind


def branch_pick(ctx: Ctx, part: Part, parts: tuple[Part, ...], hits: list[Hit]) -> list[Hit]:
    """郑大主校区, 郑大一附院河医院区: a name the sites of a campus or chain share, followed by
    the word that tells one site from the others (its name without the shared part)."""
    after = [p for p in parts if p.start >= part.end]
    if not after:
        return hits
    text = ctx.query and "".join(p.text for p in after)
    picked = []
    for h in hits:
        if h.target != "P" or not h.row.group:
            continue
        name = h.row.name
        for shared in sorted(h.row.group, key=len, reverse=True):
            if name.startswith(shared) and len(name) > len(shared):
                word = name[len(shared) :]
                if text.startswith(word) or (len(word) > 2 and text.startswith(word[:-1])):
                    picked.append(h)
                break
    if picked:
        ctx.step(
            f"the branch word after '{part.text}' picks {'、'.join(h.row.name for h in picked)}"
        )
        return picked
    return hits


def _area_bureau(area: tuple) -> str | None:
    return area[1][0] if area[0] == "B" else DistrictRow._make(area[1]).sub_bureau


def _road_like(part: Part) -> bool:
    """A street read by its bare short name that is also a road's (文化路, 东风路)."""
    from .address import ROAD_WORDS

    return part.text.endswith(ROAD_WORDS) and all(
        h.target == "S" and part.text == h.row.short for h in part.hits
    )


def _rank(h: Hit) -> int:
    """How strongly a hit claims the text, to choose among hits. A community's official
    name claims no more than another's form: offices write 居委会 and 居民委员会 alike, so
    金源社区居委会 is 中原区's official name and a form of 中牟县's 金源社区居民委员会."""
    if h.target == "C":
        return TIER_SCORE["community"]
    return TIER_SCORE.get(h.tier, 0)


def _street_of(h: Hit) -> StreetRow | None:
    """The street a hit lies in: itself, a community's, a place's; None for the rest."""
    if h.target == "S":
        return h.row
    if h.target in "CP":
        return h.row.street
    return None


def _street_code(h: Hit) -> str | None:
    street = _street_of(h)
    return street.code if street is not None else None


def _district_road(index: Index, text: str) -> str | None:
    """'中原路' when the text starts with a district's bare name and a road's word."""
    from .address import ROAD_WORDS

    for name in index.area_starts.get(text[:2], ()):
        if text.startswith(name):
            for word in ROAD_WORDS:
                if text.startswith(word, len(name)):
                    return name + word
    return None


def _area_name(area: tuple) -> str:
    return area[1][0]


def _area_example(cands: list[Candidate]) -> str:
    districts = list(dict.fromkeys(c.district for c in cands if c.district))
    return districts[0] if districts else "金水区"


def _candidate_order(c: Candidate) -> tuple[int, str]:
    return (-c.score, c.code or "")


def _join(a: str | None, b: str | None) -> str | None:
    parts = [p for p in (a, b) if p]
    return "; ".join(parts) or None


def typo_score(query: str, cand: str) -> int:
    """Score of a candidate one edit away (see the module's table)."""
    if len(query) == len(cand):
        i = next(i for i, (a, b) in enumerate(zip(query, cand, strict=True)) if a != b)
        return 84 if same_sound(query[i], cand[i]) else 70
    return 80 if len(cand) >= 4 else 76


# --- public helpers for the online step (online/decide.py) ---------------------------------


def area_name(area: tuple) -> str:
    """The name of an area as the index holds it: ('D', district_row) or ('B', bureau_row)."""
    return _area_name(area)


def join_notes(a: str | None, b: str | None) -> str | None:
    """Two notes as one, "a; b" (either may be empty); None when both are."""
    return _join(a, b)
