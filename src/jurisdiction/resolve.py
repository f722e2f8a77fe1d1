"""query -> Answer: tiers from exact to fuzzy, ambiguity, and the refusal to guess.

`resolve` is a pure function of a query and an Index: no printing, no exiting, no globals.
It never raises on any text (a property test checks this).

How sure (`score`), by the tier that decided:

    100  the official name, exactly (德化街街道)
     95  a documented other form: short name (德化街), office form (德化街街道办事处),
         kind form (德化街道), station name (德化街派出所)
     90  full pinyin (dehuajie); a former or later name (南关街道); a district or sub-bureau
         named alone (partial)
     85  unique pinyin initials (dhj); the place named explicitly inside an address
     80  a road's name with a house number, crossing or building (partial: roads cross
         subdistricts, so never a station)
  75-84  a typo: 84 one same-sound character (德华街), 80 one missing or extra character in
         a name of four or more, 76 in a name of three
     70  one other wrong character (航海南路): below the threshold, never answered
    -5   the kind written differs from the official one (侯寨乡 for 侯寨街道)

Below THRESHOLD (75) the answer is `not_found`; `limit` shows the candidates anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .index import Hit, Index
from .model import Answer, Candidate
from .normalize import is_pinyin_like, normalize, same_sound

THRESHOLD = 75
MAX_QUERY_CHARS = 1000  # longer lines are not addresses; answered not_found at once

TIER_SCORE = {
    "exact": 100,
    "alias": 95,
    "station": 95,
    "former": 90,
    "former-split": 90,
    "later": 90,
    "pinyin": 90,
    "initials": 85,
}
TIER_MATCH = {
    "exact": "exact",
    "alias": "alias",
    "station": "alias",
    "former": "alias",
    "former-split": "alias",
    "later": "alias",
    "pinyin": "pinyin",
    "initials": "pinyin",
}
TIER_WORDS = {
    "exact": "official name",
    "alias": "short or kind form",
    "station": "station name",
    "former": "former name",
    "former-split": "former name",
    "later": "later name",
    "pinyin": "full pinyin",
    "initials": "pinyin initials",
}
SCORE_ADDRESS = 85
SCORE_ROAD = 80
SCORE_AREA = 90
KIND_MISMATCH = 5

PROVINCE_PREFIXES = ("河南省", "河南")
CITY_PREFIXES = ("郑州市", "郑州")
# Office and kind suffixes, longest first, with the kind each implies.
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
# A district or sub-bureau written with its administrative suffix (二七区, not 二七).
AREA_SUFFIXES = ("区", "县", "市", "分局")
SUFFIX_ENDS = frozenset(suffix[-1] for suffix, _ in SUFFIXES)
PINYIN_SUFFIXES = ("jiedaobanshichu", "banshichu", "paichusuo", "jiedao", "zhen", "xiang")
PINYIN_PREFIXES = ("henansheng", "henan", "zhengzhoushi", "zhengzhou")


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
    key = normalize(query, steps if explain else None)
    if not key:
        return Answer(query, "not_found", note="nothing to look up", explain=tuple(steps))
    if explain:
        return _Resolver(query, index, steps, limit, explain).run(key)
    # Batch inputs repeat themselves: the same compound or road with another house number.
    # When no name in the dataset holds an ASCII digit, every digit of a key plays the same
    # part (a number after a place name), so keys alike but for their digits get the same
    # answer: they share one entry of the index's memo (bounded; answers are immutable).
    shape = key.translate(_DIGITS) if index.digit_free else key
    memo = index.memo
    cached = memo.get((shape, limit))
    if cached is not None:
        return cached._replace(query=query)
    answer = _Resolver(query, index, steps, limit, explain).run(key)
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[(shape, limit)] = answer
    return answer


_DIGITS = str.maketrans("123456789", "000000000")
MEMO_SIZE = 50_000


def resolve_many(
    queries: Iterable[str], index: Index, *, limit: int = 0, explain: bool = False
) -> Iterator[Answer]:
    """Answers in input order, one per query, against one loaded index."""
    for q in queries:
        yield resolve(q, index, limit=limit, explain=explain)


class _Resolver:
    def __init__(
        self, query: str, index: Index, steps: list[str], limit: int, explain: bool
    ) -> None:
        self.query = query
        self.explain = explain
        self.index = index
        self.steps = steps
        self.limit = limit
        self.rows: dict[str, tuple] = {}  # street rows seen, by code
        self.bare_area = False
        self.bare_area_text = ""

    # --- the tiers, in order -------------------------------------------------------------

    def run(self, key: str) -> Answer:
        hits = self.index.lookup(key)
        if hits:
            return self.decide(hits)
        if is_pinyin_like(key):
            return self.pinyin(key)
        return self.chinese(key)

    def pinyin(self, key: str) -> Answer:
        rest = key
        for p in PINYIN_PREFIXES:
            if rest.startswith(p) and len(rest) > len(p):
                rest = rest[len(p) :]
                self.explain and self.steps.append(f"pinyin prefix {p} removed")
                hits = self.index.lookup(rest)
                if hits:
                    return self.decide(hits)
        for s in PINYIN_SUFFIXES:
            if rest.endswith(s) and len(rest) > len(s):
                self.explain and self.steps.append(f"pinyin suffix {s} removed")
                hits = self.index.lookup(rest[: -len(s)])
                if hits:
                    return self.decide(hits)
        return self.not_found("no place reads like this")

    def chinese(self, key: str) -> Answer:
        rest = key
        for prefixes in (PROVINCE_PREFIXES, CITY_PREFIXES):
            for p in prefixes:
                if rest.startswith(p) and len(rest) > len(p):
                    rest = rest[len(p) :]
                    self.explain and self.steps.append(f"prefix {p} removed")
                    break
        if rest != key:
            hits = self.index.lookup(rest)
            if hits:
                return self.decide(hits)
        area, rest = self.split_area(rest)
        if area is not None and not rest:
            return self.area_answer(area)
        if area is not None:
            hits = self.index.lookup(rest)
            if hits:
                return self.decide(hits, area=area)
        answer = self.by_suffix(rest, area)
        if answer is None:
            answer = self.by_address(rest, area)
        if answer is None:
            answer = self.by_prefix(rest, area)
        if answer is None:
            answer = self.by_typo(rest, area)
        if answer is not None:
            return answer
        if area is not None and not self.bare_area:
            self.explain and self.steps.append(
                f"'{rest}' not recognised: answered by the district alone"
            )
            return self.area_answer(area, rest=rest)
        if area is not None:
            # 中原东路, 金水路100号: a bare district name is also the start of road names that
            # cross districts; only 中原区 / 金水区 written out answers for the district.
            return self.not_found(
                f"'{self.bare_area_text}' may be a district or part of a road name"
            )
        return self.not_found("no place of this name")

    def split_area(self, rest: str) -> tuple[tuple | None, str]:
        """A district or sub-bureau at the start (longest), unless a longer place name starts
        there (中原西路 is a street, not 中原 + 西路)."""
        for name in self.index.area_starts.get(rest[:2], ()):
            if rest.startswith(name):
                n = len(name)
                if self.core_at_start_len(rest) > n:
                    return None, rest
                area = self.index.areas[name]
                self.explain and self.steps.append(f"district or sub-bureau '{name}' recognised")
                self.bare_area = not name.endswith(AREA_SUFFIXES)
                self.bare_area_text = name
                return area, rest[n:]
        return None, rest

    def by_suffix(self, rest: str, area: tuple | None) -> Answer | None:
        core, kind = rest, None
        if rest[-1:] not in SUFFIX_ENDS:
            return None
        for _ in range(2):
            for suffix, implied in SUFFIXES:
                if core.endswith(suffix) and len(core) > len(suffix):
                    core = core[: -len(suffix)]
                    kind = kind or implied
                    self.explain and self.steps.append(f"suffix {suffix} removed")
                    hits = self.index.lookup(core)
                    if hits:
                        return self.decide(hits, area=area, kind=kind)
                    break
            else:
                break
        # A road's name written without 路/街 (长江 for 长江路) is not accepted: too many
        # places share a two-character stem.
        return None

    def by_address(self, rest: str, area: tuple | None) -> Answer | None:
        """A subdistrict named explicitly inside a longer text (…德化街街道某某小区3号楼), or
        a road that shares a subdistrict's name (…花园路26号: partial)."""
        found = self.scan_explicit(rest)
        if found is not None:
            start, key = found
            self.explain and self.steps.append(f"address: '{key}' found inside at position {start}")
            return self.decide(
                self.index.lookup(key), area=area, score=SCORE_ADDRESS, match="address"
            )
        n = self.core_at_start_len(rest)
        if n and n < len(rest):
            core = rest[:n]
            self.explain and self.steps.append(
                f"address: '{core}' starts the text and is followed by '{rest[n:]}'"
            )
            return self.road(core, area)
        return None

    def by_prefix(self, rest: str, area: tuple | None) -> Answer | None:
        """Two or more places whose names start with the text (花园 → 花园路, 花园口)."""
        if len(rest) < 2:
            return None
        matches = [c for c in self.index.cores if c.startswith(rest) and c != rest]
        hits = [h for c in matches for h in self.index.lookup(c) if h[0] == "S" and h[1] == "alias"]
        hits = self.filter_area(hits, area)
        if len({h[2][1] for h in hits}) < 2:
            return None
        self.explain and self.steps.append(f"'{rest}' begins {len(matches)} names")
        cands = [self.street_candidate(h, 60, "fuzzy") for h in hits]
        return self.many(cands, 60, "fuzzy", note=f"'{rest}' begins the names of several places")

    def by_typo(self, rest: str, area: tuple | None) -> Answer | None:
        core = rest
        for suffix, _ in SUFFIXES:
            if core.endswith(suffix) and len(core) - len(suffix) >= 3:
                core = core[: -len(suffix)]
                break
        if len(core) < 3:
            return None  # never fuzzy-match a one- or two-character core
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        scored: list[tuple[int, str]] = []
        for cand, dist, _ in process.extract(
            core, self.index.cores, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        ):
            if len(cand) < 3 or dist != 1:
                continue
            scored.append((typo_score(core, cand), cand))
        if not scored:
            return None
        self.explain and self.steps.append("typo tier: one character off (Levenshtein distance 1)")
        cands: list[Candidate] = []
        for score, cand in sorted(scored, key=lambda x: (-x[0], x[1])):
            for h in self.filter_area(self.index.lookup(cand), area):
                if h[0] == "S" and h[1] == "alias":
                    cands.append(self.street_candidate(h, score, "fuzzy"))
        if not cands:
            return None
        best = cands[0].score
        if best < THRESHOLD:
            return self.not_found(
                f"closest name scores {best}, below the threshold {THRESHOLD}", cands
            )
        top = [c for c in cands if c.score == best]
        return self.many(top, best, "fuzzy", rest_cands=cands)

    # --- deciding among hits ----------------------------------------------------------

    def decide(
        self,
        hits: Iterable[Hit],
        *,
        area: tuple | None = None,
        kind: str | None = None,
        score: int | None = None,
        match: str | None = None,
    ) -> Answer:
        hits = list(hits)
        if area is not None:
            inside = self.filter_area(hits, area)
            if not inside:
                return self.conflict(hits, area)
            hits = inside
        if (
            len(hits) == 1
            and hits[0][0] == "S"
            and (not kind or kind == "station" or hits[0][2][3] == kind)
        ):
            return self.one_street(hits[0], score, match)  # the common case, kept cheap
        penalty = 0
        notes: list[str] = []
        if kind and kind != "station":
            same = [h for h in hits if h[0] != "S" or h[2][3] == kind]
            if same:
                hits = same
            else:
                penalty = KIND_MISMATCH
                kinds = sorted({h[2][3] for h in hits if h[0] == "S" and h[2][3]})
                notes.append(f"written as a {kind}; officially a {'/'.join(kinds)}")
        everything = hits
        best = max(TIER_SCORE.get(h[1], 0) for h in hits)
        hits = [h for h in hits if TIER_SCORE.get(h[1], 0) == best]
        tier = hits[0][1]
        self.explain and self.steps.append(f"matched: {TIER_WORDS.get(tier, tier)}")
        sc = (score if score is not None else best) - penalty
        m = match or TIER_MATCH.get(tier, "alias")
        # Notes of every hit on the chosen targets (南关街道 is both a kind form of 南关街街道
        # and its former name: say so even though the kind form decided).
        chosen = {(h[0], h[2][1] if h[0] == "S" else h[2][0]) for h in hits}
        notes += [
            h[3]
            for h in everything
            if h[3] and (h[0], h[2][1] if h[0] == "S" else h[2][0]) in chosen
        ]
        cands: list[Candidate] = []
        for h in hits:
            if h[0] == "S":
                cands.append(self.street_candidate(h, sc, m))
            elif h[0] == "T":
                cands.append(Candidate(h[2][0], h[2][1], None, None, None, sc, m))
            elif h[0] == "B":
                cands.append(Candidate(None, h[2][0], None, None, None, sc, "district"))
            elif h[0] == "D":
                cands.append(Candidate(None, h[2][1], None, h[2][0], h[2][2], sc, "district"))
        if all(h[0] in "BD" for h in hits) and len(hits) == 1:
            h = hits[0]
            return self.area_answer(("B", h[2]) if h[0] == "B" else ("D", h[2]), score=sc)
        return self.many(cands, sc, m, note="; ".join(dict.fromkeys(notes)) or None)

    def one_street(self, h: Hit, score: int | None, match: str | None) -> Answer:
        """A single street decided (the common case, kept cheap): found, or outside."""
        tier = h[1]
        self.explain and self.steps.append(f"matched: {TIER_WORDS.get(tier, tier)}")
        sc = score if score is not None else TIER_SCORE.get(tier, 0)
        c = self.street_candidate(h, sc, match or TIER_MATCH.get(tier, "alias"))
        return self.place_answer(c, sc, c.match, h[3], [c])

    def many(
        self,
        cands: list[Candidate],
        score: int,
        match: str,
        *,
        note: str | None = None,
        rest_cands: list[Candidate] | None = None,
    ) -> Answer:
        """One answer from candidates that tie: found when they agree on a station, outside
        when none is served, ambiguous otherwise."""
        uniq = list({(c.code, c.station, c.sub_bureau, c.district): c for c in cands}.values())
        places = {(c.code, c.station, c.sub_bureau) for c in uniq}
        shown = rest_cands or uniq
        if len(places) == 1:
            c = uniq[0]
            return self.place_answer(c, score, match, note, shown)
        stations = {c.station for c in uniq}
        if (
            stations == {None}
            and all(c.code for c in uniq)
            and all(c.sub_bureau is None for c in uniq)
        ):
            districts = {c.district for c in uniq}
            return self.answer(
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
            return self.place_answer(c._replace(street=None, code=None), score, match, note, shown)
        bureaus = {c.sub_bureau for c in uniq}
        self.explain and self.steps.append(f"ambiguous: {len(uniq)} places fit")
        return self.answer(
            "ambiguous",
            sub_bureau=bureaus.pop() if len(bureaus) == 1 else None,
            score=score,
            match=match,
            note=_join(note, "several places fit: see candidates"),
            candidates=uniq,
            keep_all=True,
        )

    def place_answer(
        self, c: Candidate, score: int, match: str, note: str | None, shown: list[Candidate]
    ) -> Answer:
        row = self.rows.get(c.code)
        verified = row[7] if row else True
        row_note = row[8] if row else None
        if c.code and c.station is None:
            return self.answer(
                "outside",
                street=c.street,
                district=c.district,
                score=score,
                match=match,
                code=c.code,
                note=_join(
                    note,
                    f"{c.district} is outside the 11 sub-bureaus' area: no station of theirs serves it",
                ),
                candidates=shown,
            )
        if c.station is None:
            return self.answer(
                "partial",
                sub_bureau=c.sub_bureau,
                district=c.district,
                score=score,
                match=match,
                candidates=shown,
            )
        return self.answer(
            "found",
            station=c.station,
            sub_bureau=c.sub_bureau,
            street=c.street,
            district=c.district,
            score=score,
            match=match,
            code=c.code,
            verified=verified,
            note=_join(note, None if verified else f"assignment unverified: {row_note}"),
            candidates=shown,
        )

    def road(self, core: str, area: tuple | None) -> Answer:
        """A road's name followed by more (house number, crossing, building): the sub-bureau
        at most, with the same-named subdistrict as a candidate, never its station."""
        hits = [h for h in self.index.lookup(core) if h[0] == "S"]
        inside = self.filter_area(hits, area) if area is not None else hits
        if area is not None and not inside:
            return self.conflict(hits, area)
        cands = [self.street_candidate(h, SCORE_ROAD, "address") for h in inside]
        bureaus = {c.sub_bureau for c in cands}
        note = (
            f"'{core}' is also a road or place name: a number, building or crossing on it can lie "
            f"in another subdistrict, so no station is given"
        )
        if bureaus == {None}:
            districts = {c.district for c in cands}
            return self.answer(
                "outside",
                district=districts.pop() if len(districts) == 1 else None,
                score=SCORE_ROAD,
                match="address",
                note=note,
                candidates=cands,
                keep_all=True,
            )
        if len(bureaus) == 1:
            return self.answer(
                "partial",
                sub_bureau=bureaus.pop(),
                district=cands[0].district if len({c.district for c in cands}) == 1 else None,
                score=SCORE_ROAD,
                match="address",
                verified=all(self.rows.get(c.code, (0,) * 8)[7] for c in cands),
                note=note,
                candidates=cands,
                keep_all=True,
            )
        return self.answer(
            "ambiguous",
            score=SCORE_ROAD,
            match="address",
            note=note,
            candidates=cands,
            keep_all=True,
        )

    def conflict(self, hits: list[Hit], area: tuple) -> Answer:
        """The place named is not in the district named: say so, offer both."""
        name = area[1][0]
        self.explain and self.steps.append(f"conflict: the place is not in {name}")
        cands = [self.street_candidate(h, 50, "alias") for h in hits if h[0] == "S"]
        cands.append(self.area_candidate(area, 50))
        return self.answer(
            "ambiguous",
            score=50,
            match=None,
            note=f"the place named is not in {name}: check which was meant",
            candidates=cands,
            keep_all=True,
        )

    def area_answer(self, area: tuple, *, score: int = SCORE_AREA, rest: str = "") -> Answer:
        kind, row = area
        # The note names no part of the query: answers are shared between alike queries.
        extra = "the rest was not recognised; " if rest else ""
        if kind == "B":
            return self.answer(
                "partial",
                sub_bureau=row[0],
                score=score,
                match="district",
                note=f"{extra}a sub-bureau, not a station".strip(),
            )
        name, bureau, _code, _kind, mixed = row
        if bureau is None:
            return self.answer(
                "outside",
                district=name,
                score=score,
                match="district",
                verified=mixed is None,
                note=_join(f"{extra}{name} is outside the 11 sub-bureaus' area", mixed),
            )
        return self.answer(
            "partial",
            sub_bureau=bureau,
            district=name,
            score=score,
            match="district",
            verified=mixed is None,
            note=_join(f"{extra}only the district is known, not the station", mixed),
        )

    # --- helpers ------------------------------------------------------------------------

    def street_candidate(self, h: Hit, score: int, match: str) -> Candidate:
        row = h[2]
        self.rows[row[1]] = row
        return Candidate(row[5], row[6], row[0], row[2], row[1], score, match)

    def area_candidate(self, area: tuple, score: int) -> Candidate:
        kind, row = area
        if kind == "B":
            return Candidate(None, row[0], None, None, None, score, "district")
        return Candidate(None, row[1], None, row[0], row[2], score, "district")

    def filter_area(self, hits: list[Hit], area: tuple | None) -> list[Hit]:
        if area is None:
            return list(hits)
        kind, row = area
        out = []
        for h in hits:
            if h[0] == "S":
                district, bureau = h[2][2], h[2][6]
                if kind == "B":
                    ok = bureau == row[0]
                else:
                    ok = district == row[0] or (
                        row[2] is None and row[1] is not None and bureau == row[1]
                    )
            elif h[0] == "T":
                ok = h[2][1] == (row[0] if kind == "B" else row[1])
            else:
                ok = False
            if ok:
                out.append(h)
        return out

    def core_at_start_len(self, text: str) -> int:
        """Length of the longest street short name that starts `text` (0 if none)."""
        for core in self.index.core_starts.get(text[:2], ()):
            if text.startswith(core):
                return len(core)
        return 0

    def scan_explicit(self, text: str) -> tuple[int, str] | None:
        """Leftmost-longest explicit form (德化街街道, 马寨镇, 德化街派出所) inside text."""
        starts = self.index.explicit_starts
        for i in range(len(text) - 1):
            for name in starts.get(text[i : i + 2], ()):
                if text.startswith(name, i):
                    return i, name
        return None

    def not_found(self, why: str, cands: list[Candidate] | None = None) -> Answer:
        self.explain and self.steps.append(f"not found: {why}")
        return self.answer("not_found", note=why, candidates=cands or [])

    def answer(
        self,
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
        candidates: list[Candidate] | tuple[Candidate, ...] = (),
        keep_all: bool = False,
    ) -> Answer:
        cands = sorted(candidates, key=_candidate_order) if candidates else ()
        if keep_all:
            shown = cands[: self.limit] if self.limit else cands
        else:
            shown = cands[: self.limit] if self.limit else []
        return Answer(
            query=self.query,
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
            explain=tuple(self.steps) if self.explain else (),
        )


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
