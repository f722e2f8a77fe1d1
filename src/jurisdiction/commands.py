"""What each command does, free of any CLI framework: the Typer app (cli.py) and the fast
path (launch.py) both call these. They write to the streams given, return an exit status,
and raise JurError for the caller to report."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

from .errors import Exit, UsageError
from .index import Index, open_index
from .model import Dataset, Station, SubBureau
from .normalize import normalize
from .render import FORMATS, Writer, printable, write_all

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from typing import IO, Any, BinaryIO


FIND_FIELDS = [
    "query",
    "status",
    "station",
    "sub_bureau",
    "street",
    "district",
    "score",
    "match",
    "code",
    "verified",
    "candidates",
    "note",
    "place",
]
# The printable roster page (roster_page.py): formats of `jur roster` only, kept out of
# render.FORMATS because the `find` fast path in launch.py takes its formats from there.
PAGE_FORMATS = ("html", "md")
FIND_DEFAULT = FIND_FIELDS[:7]  # tsv/csv columns and table columns, in SPEC's order
CHUNK = 1 << 16


def choose_format(fmt: str | None, out: IO[str]) -> str:
    """The format asked for, else table on a terminal and tsv otherwise (as gh does)."""
    if fmt is None:
        isatty = getattr(out, "isatty", None)
        return "table" if isatty and isatty() else "tsv"
    fmt = fmt.lower()
    if fmt in PAGE_FORMATS:
        raise UsageError(f"format '{fmt}' is for jur roster only (jur roster NAME -f {fmt})")
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    return fmt


def parse_fields(spec: str | None, known: list[str]) -> list[str] | None:
    if spec is None:
        return None
    fields = [f.strip() for f in spec.split(",") if f.strip()]
    bad = [f for f in fields if f not in known]
    if bad or not fields:
        raise UsageError(f"unknown field '{(bad or [spec])[0]}'; fields are: {','.join(known)}")
    return fields


def text_out(out: IO[str] | None = None) -> IO[str]:
    """stdout as UTF-8 whatever the locale, with a buffer large enough for batch output."""
    if out is not None:
        return out
    stdout = sys.stdout
    reconfigure = getattr(stdout, "reconfigure", None)
    if reconfigure is not None and (stdout.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8")
    return stdout


# --- find -----------------------------------------------------------------------------------


def read_lines(stream: BinaryIO) -> Iterator[list[bytes]]:
    """Batches of input lines, as they arrive: each batch is what one read returned, so the
    caller can flush its answers before the next read blocks. CRLF and a leading UTF-8 BOM
    are removed; a last line without a newline still counts. A very long line is gathered
    in pieces (joined once), so its cost stays linear in its length."""
    pieces: list[bytes] = []  # the start of a line whose end has not arrived yet
    first = True
    read = getattr(stream, "read1", stream.read)
    while True:
        chunk = read(CHUNK)
        if not chunk:
            break
        if first:
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            first = False
        if b"\n" not in chunk:
            if chunk:
                pieces.append(chunk)
            continue
        lines = chunk.split(b"\n")
        if pieces:
            pieces.append(lines[0])
            lines[0] = b"".join(pieces)
            pieces = []
        tail = lines.pop()
        if tail:
            pieces.append(tail)
        yield [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]
    if pieces:
        last = b"".join(pieces)
        yield [last[:-1] if last.endswith(b"\r") else last]


def decode_line(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), False


def run_find(
    queries: list[str],
    *,
    fmt: str | None = None,
    header: bool = False,
    fields: str | None = None,
    limit: int = 0,
    explain: bool = False,
    data: str | None = None,
    stdin: BinaryIO | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    index: Index | None = None,
    online: bool = False,
    crs: str = "gcj02",
    online_max_age: int | None = None,
    online_rate: float | None = None,
    online_workers: int | None = None,
    online_timeout: float | None = None,
    online_max_requests: int | None = None,
    encoding: str | None = None,
) -> int:
    from .model import Answer

    if encoding:  # a bad name is refused before anything is read or written
        from .tables_io import check_encoding

        check_encoding(encoding)
    out = text_out(out)
    err = err or sys.stderr
    if explain and err is None and (fmt or "").lower() not in ("json", "jsonl"):
        raise UsageError("--explain writes to standard error, which is closed")
    fmt = choose_format(fmt, out)
    chosen = parse_fields(fields, FIND_FIELDS + ["explain"])
    if limit < 0:
        raise UsageError("--limit must be 0 or more")
    index = index or open_index(data)
    columns = chosen or FIND_DEFAULT
    json_fields = chosen
    if explain and json_fields is not None and "explain" not in json_fields:
        json_fields = [*json_fields, "explain"]
    step = None
    if online:  # the online step and its imports are paid for only when asked for
        from .online import OnlineStep

        given = {
            "max_age": online_max_age,
            "rate": online_rate,
            "workers": online_workers,
            "timeout": online_timeout,
            "max_requests": online_max_requests,
        }
        step = OnlineStep.from_env(
            index,
            crs=crs,
            explain=explain,
            err=err,
            **{k: v for k, v in given.items() if v is not None},
        )
    writer = Writer(out, fmt, columns, header=header, json_fields=json_fields)
    all_found = True
    writer.start()

    # tsv and csv of plain fields take the values straight from the Answer (no dict per row)
    flat = fmt in ("tsv", "csv") and not {"candidates", "explain"} & set(columns)

    from operator import attrgetter

    values = attrgetter(*columns) if len(columns) > 1 else lambda a: (getattr(a, columns[0]),)

    def emit(answer: Answer) -> None:
        nonlocal all_found
        if answer.status != "found":
            all_found = False
        if flat:
            writer.write_row(values(answer))
        else:
            writer.write(answer.as_dict(explain=explain))
        if explain and fmt not in ("json", "jsonl"):
            if fmt != "table":
                out.flush()  # keep each record and its explanation together on a terminal
            line = f"explain {answer.query}: {' → '.join(answer.explain) or 'exact key'}"
            err.write(printable(line) + "\n")

    try:
        for batch in offline_batches(
            queries, stdin, index, limit=limit, explain=explain, encoding=encoding, err=err
        ):
            for answer in batch if step is None else step.complete(batch):
                emit(answer)
                if step is not None and fmt != "table":
                    out.flush()  # online answers arrive slowly: show each as it comes
            if fmt != "table":
                out.flush()
    except BaseException:  # Ctrl-C, a closed pipe: send nothing more, wait for nothing
        if step is not None:
            step.abort()
        raise
    writer.finish()
    out.flush()
    if step is not None:
        step.finish()  # waits for the workers; raises OnlineStopped / OnlineUnavailable once every record is out
    return Exit.OK if all_found else Exit.NOT_ALL_FOUND


def offline_batches(
    queries: list[str],
    stdin: BinaryIO | None,
    index: Index,
    *,
    limit: int = 0,
    explain: bool = False,
    encoding: str | None = None,
    err: IO[str] | None = None,
) -> Iterator[list[Any]]:
    """The offline answers, one list per read of stdin (or one list for the arguments).
    stdin's encoding is decided by tables_io.LineDecoder (UTF-8, UTF-16 with a byte order
    mark, GB18030; `encoding` overrides), which says on `err` when it is not UTF-8."""
    from .model import Answer
    from .resolve import resolve

    if queries and queries != ["-"]:
        yield [resolve(q, index, limit=limit, explain=explain) for q in queries]
        return
    from .tables_io import LineDecoder

    source = stdin if stdin is not None else sys.stdin.buffer
    warn = err or sys.stderr
    decoder = LineDecoder(encoding, announce=lambda line: warn.write(line + "\n"))
    import gc

    for texts, bad in decoder.batches(source):
        if not bad:
            yield [resolve(text, index, limit=limit, explain=explain) for text in texts]
        else:
            yield [
                Answer(text, "not_found", note=bad[i])
                if i in bad
                else resolve(text, index, limit=limit, explain=explain)
                for i, text in enumerate(texts)
            ]
        if not gc.isenabled():
            # `jur find` runs with the cycle collector off (launch.main): what a batch made
            # that forms a cycle, if anything, is young, and one pass over the young finds it
            gc.collect(0)


# --- naming a district, sub-bureau or station -------------------------------------------------


def lookup_unit(index: Index, name: str, *, stations: bool = False) -> tuple[str, Any]:
    """('bureau', SubBureau) | ('district', district_row) | ('station', Station), or UsageError."""
    ds = index.dataset
    key = normalize(name)
    hits = list(index.lookup(key))
    if not hits and key.isascii():
        for suffix in ("fenju", "qu"):
            if key.endswith(suffix):
                hits = list(index.lookup(key[: -len(suffix)]))
                if hits:
                    break
    units = [h for h in hits if h[0] in "BD"]
    if units:
        h = units[0]
        if h[0] == "B":
            return "bureau", _bureau(ds, h[2][0])
        return "district", h[2]
    if stations:
        names = list(
            dict.fromkeys(h[2][5] if h[0] == "S" else h[2][0] for h in hits if h[0] in "ST")
        )
        names = [n for n in names if n]
        if len(names) == 1:
            return "station", ds.station(names[0])
        if len(names) > 1:
            raise UsageError(
                f"'{name}' names {len(names)} stations: {', '.join(names)}; be more precise"
            )
        if hits:
            raise UsageError(f"'{name}' is outside the 11 sub-bureaus' area: no station of theirs")
    what = "district, sub-bureau or station" if stations else "district or sub-bureau"
    raise UsageError(f"no {what} named '{name}' (try: jur list districts, jur list sub-bureaus)")


def _bureau(ds: Dataset, name: str) -> SubBureau:
    b = ds.sub_bureau(name)
    if b is None:  # pragma: no cover - the index is built from the dataset
        raise UsageError(f"no sub-bureau named '{name}'")
    return b


def station_record(ds: Dataset, st: Station) -> dict[str, Any]:
    streets = [s for s in ds.streets if s.code in st.streets]
    districts = list(dict.fromkeys(s.district for s in streets))
    return {
        "sub_bureau": st.sub_bureau,
        "station": st.name,
        "streets": [s.name for s in streets],
        "district": "、".join(districts) or None,
        "kind": st.kind,
        "verified": all(s.verified for s in streets),
        "source": st.source,
    }


ROSTER_FIELDS = ["sub_bureau", "station", "streets", "district", "kind", "verified", "source"]
ROSTER_DEFAULT = ROSTER_FIELDS[:4]
SUMMARY_FIELDS = ["sub_bureau", "kind", "area", "stations", "full_name"]


def run_roster(
    name: str | None,
    *,
    fmt: str | None = None,
    header: bool = False,
    fields: str | None = None,
    data: str | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    if fmt is not None and fmt.lower() in PAGE_FORMATS:
        if fields is not None:
            raise UsageError(
                f"--fields does not apply to -f {fmt.lower()}: the page has all of them"
            )
        return write_page(name, fmt.lower(), data=data, out=out)
    out = text_out(out)
    err = err or sys.stderr
    fmt = choose_format(fmt, out)
    index = open_index(data)
    ds = index.dataset
    if name is None:
        chosen = parse_fields(fields, SUMMARY_FIELDS)
        records = [
            {
                "sub_bureau": b.name,
                "kind": b.kind,
                "area": list(b.area),
                "stations": len(b.stations),
                "full_name": b.full_name,
            }
            for b in ds.sub_bureaus
        ]
        write_all(
            out, fmt, chosen or SUMMARY_FIELDS[:4], records, header=header, json_fields=chosen
        )
        total = sum(len(b.stations) for b in ds.sub_bureaus)
        announced = (ds.meta.get("city_bureau") or {}).get("stations_announced")
        if fmt == "table":
            extra = f" of {announced} announced" if announced else ""
            out.write(f"{len(ds.sub_bureaus)} sub-bureaus, {total} stations recorded{extra}\n")
        out.flush()
        return Exit.OK
    chosen = parse_fields(fields, ROSTER_FIELDS)
    kind, unit = lookup_unit(index, name)
    stations = roster_stations(ds, kind, unit)
    title = None
    if kind == "bureau":
        title = f"{unit.name} ({unit.full_name or unit.name}): {len(stations)} stations"
    else:
        title = f"{unit[0]}: {len(stations)} stations"
    records = [station_record(ds, st) for st in stations]
    write_all(
        out, fmt, chosen or ROSTER_DEFAULT, records, header=header, json_fields=chosen, title=title
    )
    out.flush()
    if not stations and err is not None:
        if kind == "bureau":
            why = f"{unit.name}: its stations are not yet known (no source found names them)"
        else:
            why = f"{unit[0]} is outside the 11 sub-bureaus' area: no station of theirs"
        if kind == "bureau" or unit[1] is None:
            err.write(printable(why) + "\n")
    return Exit.OK


def run_roster_to(path: str, name: str | None, **kw: Any) -> int:
    """run_roster into a file (--output). The file is written only once the roster is
    ready: a bad name or dataset leaves an existing file as it was."""
    import io

    from .files import write_atomic

    buf = io.StringIO()
    code = run_roster(name, out=buf, **kw)
    write_atomic(path, buf.getvalue())
    return code


def write_page(name: str | None, fmt: str, *, data: str | None, out: IO[str] | None) -> int:
    """The roster as one printable page (html) or its Markdown twin (md): every station
    with the subdistrict it serves and the communities and villages inside it, sources as
    footnotes. The whole city when name is None."""
    from .roster_page import page_data, render_html, render_markdown

    out = text_out(out)
    index = open_index(data)
    ds = index.dataset
    if name is None:
        page = page_data(ds, None, None)
    else:
        kind, unit = lookup_unit(index, name)
        page = page_data(ds, kind, unit, roster_stations(ds, kind, unit))
    out.write(render_html(page) if fmt == "html" else render_markdown(page))
    out.flush()
    return Exit.OK


def roster_stations(ds: Dataset, kind: str, unit: Any) -> list[Station]:
    if kind == "bureau":
        return [st for st in ds.stations if st.sub_bureau == unit.name]
    name, bureau, code, _kind, _mixed = unit
    if code is None and bureau is not None:  # a zone with no code of its own (郑东新区)
        return [st for st in ds.stations if st.sub_bureau == bureau]
    codes = {s.code for s in ds.streets if s.district == name and s.station}
    return [st for st in ds.stations if codes.intersection(st.streets)]


# --- show -----------------------------------------------------------------------------------


def show_record(ds: Dataset, kind: str, unit: Any) -> dict[str, Any]:
    teams = (ds.meta.get("teams") or {}).get("list") or []
    departments = ds.meta.get("departments") or {}
    sources = {s.get("id"): s for s in ds.meta.get("sources") or [] if isinstance(s, dict)}
    if kind == "district":
        kind, unit = ("bureau", ds.sub_bureau(unit[1])) if unit[1] else ("outside", unit)
    if kind == "outside":
        return {
            "type": "district",
            "name": unit[0],
            "code": unit[2],
            "sub_bureau": None,
            "note": "outside the 11 sub-bureaus' area",
        }
    if kind == "station":
        st: Station = unit
        streets = [s for s in ds.streets if s.code in st.streets]
        served = [c for c in ds.communities if c.street in st.streets]
        places = [
            p
            for p in ds.places
            if p.station == st.name or (p.street is not None and p.street in st.streets)
        ]
        return {
            "type": "station",
            "name": st.name,
            "sub_bureau": st.sub_bureau,
            "kind": st.kind,
            "streets": [
                {
                    "name": s.name,
                    "code": s.code,
                    "district": s.district,
                    "verified": s.verified,
                    "note": s.note,
                }
                for s in streets
            ],
            "communities": [{"name": c.name, "code": c.code, "kind": c.kind} for c in served],
            "places": [p.name for p in places],
            "teams": [{"name": t.get("name"), "duties": t.get("duties")} for t in teams],
            "source": st.source,
            "source_detail": [
                _source_line(sources, p) for p in (st.source or "").split(";") if p.strip()
            ],
            "source_note": st.note,
            "address": None,
            "phone": None,
            "note": "address, phone and leader: no source gives them",
        }
    b: SubBureau = unit
    stations = [st for st in ds.stations if st.sub_bureau == b.name]
    return {
        "type": "sub_bureau",
        "name": b.name,
        "full_name": b.full_name,
        "aliases": list(b.aliases),
        "kind": b.kind,
        "area": list(b.area),
        "address": b.address,
        "established": b.established,
        "departments": departments.get("names") or [],
        "departments_note": departments.get("per_sub_bureau"),
        "stations": [st.name for st in stations],
        "stations_note": None
        if stations
        else "its stations are not yet known (no source found names them)",
        "source": b.source,
        "source_detail": [
            _source_line(sources, p) for p in (b.source or "").split(";") if p.strip()
        ],
    }


def _source_line(sources: dict[str, Any], sid: str) -> str:
    s = sources.get(sid.strip())
    if not s:
        return sid.strip()
    bits = [s.get("title"), s.get("url") or s.get("file")]
    return f"{sid.strip()}: " + " — ".join(str(b) for b in bits if b)


def run_show(
    name: str,
    *,
    fmt: str | None = None,
    data: str | None = None,
    out: IO[str] | None = None,
) -> int:
    out = text_out(out)
    fmt = choose_format(fmt, out)
    index = open_index(data)
    ds = index.dataset
    kind, unit = lookup_unit(index, name, stations=True)
    record = show_record(ds, kind, unit)
    return write_document(out, fmt, record, show_text, ["field", "value"], show_rows)


def show_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": k, "value": v} for k, v in record.items()]


def write_document(
    out: IO[str],
    fmt: str,
    doc: dict[str, Any],
    text: Callable[[dict[str, Any]], str],
    columns: list[str],
    rows: Callable[[dict[str, Any]], list[dict[str, Any]]],
) -> int:
    """One document (show, tree) in fmt: itself in json (indented) or jsonl (one line),
    text(doc) as a table, otherwise rows(doc) under columns."""
    import json

    if fmt in ("json", "jsonl"):
        out.write(json.dumps(doc, ensure_ascii=False, indent=2 if fmt == "json" else None) + "\n")
    elif fmt == "table":
        out.write(printable_lines(text(doc)))
    else:
        write_all(out, fmt, columns, rows(doc))
    out.flush()
    return Exit.OK


def printable_lines(text: str) -> str:
    """Lines of text for a terminal: each line's control characters escaped (render.printable),
    the line ends kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _wrap_names(names: list[str], *, indent: int, width: int = 78) -> list[str]:
    from .render import display_width

    """Names joined with 、 into lines of at most `width` display columns."""
    lines: list[str] = []
    line = ""
    for name in names:
        piece = name if not line else "、" + name
        if line and display_width(" " * indent + line + piece) > width:
            lines.append(" " * indent + line + "、")
            line = name
        else:
            line += piece
    if line:
        lines.append(" " * indent + line)
    return lines


def show_text(r: dict[str, Any]) -> str:
    lines: list[str] = []
    if r["type"] == "station":
        lines.append(f"{r['name']}  ({r['sub_bureau']})")
        lines.append(f"  kind        {r['kind']}")
        if r["streets"]:
            for s in r["streets"]:
                flag = "" if s["verified"] else "  [unverified: " + (s["note"] or "") + "]"
                lines.append(f"  serves      {s['name']} ({s['district']}, {s['code']}){flag}")
        else:
            lines.append(
                "  serves      no subdistrict: a station named after a place; its area is not published"
            )
        if r.get("communities"):
            kinds = [c["kind"] for c in r["communities"]]
            counts = ", ".join(
                f"{n} {word if n == 1 else plural}"
                for word, plural in (("community", "communities"), ("village", "villages"))
                if (n := kinds.count(word))
            )
            lines.append(f"  communities {len(r['communities'])} ({counts}):")
            lines.extend(_wrap_names([c["name"] for c in r["communities"]], indent=14))
        if r.get("places"):
            lines.append(f"  places      {'、'.join(r['places'])}")
        lines.append("  teams       两队一室")
        for t in r["teams"]:
            lines.append(f"    {t['name']}: {t['duties']}")
        lines.append(f"  address     {r['note']}")
        for s in r["source_detail"]:
            lines.append(f"  source      {s}")
        if r.get("source_note"):
            lines.append(f"  caveat      {r['source_note']}")
    elif r["type"] == "sub_bureau":
        lines.append(f"{r['name']}  {r['full_name'] or ''}".rstrip())
        if r["aliases"]:
            lines.append(f"  also        {'、'.join(r['aliases'])}")
        lines.append(f"  kind        {r['kind']}")
        lines.append(f"  area        {'、'.join(r['area'])}")
        lines.append(f"  address     {r['address'] or 'not given by any source'}")
        lines.append(f"  established {r['established'] or 'unknown'}")
        lines.append(f"  departments {r['departments_note'] or ''}")
        lines.append(f"              {'、'.join(r['departments'])}")
        if r["stations"]:
            lines.append(f"  stations    {len(r['stations'])}: {'、'.join(r['stations'])}")
        else:
            lines.append(f"  stations    {r['stations_note']}")
        for s in r["source_detail"]:
            lines.append(f"  source      {s}")
    else:
        lines.append(f"{r['name']}  ({r['code']}): {r['note']}")
    return "\n".join(lines) + "\n"


# --- list -----------------------------------------------------------------------------------

LIST_KINDS = ("districts", "sub-bureaus", "stations", "streets", "communities", "places")


def list_records(ds: Dataset, what: str) -> tuple[list[str], list[dict[str, Any]]]:
    if what == "districts":
        counts: dict[str, int] = {}
        for s in ds.streets:
            counts[s.district] = counts.get(s.district, 0) + 1
        rows = [
            {
                "district": d.name,
                "code": d.code,
                "kind": d.kind,
                "sub_bureau": d.sub_bureau,
                "streets": counts.get(d.name, 0)
                if d.code or not d.sub_bureau
                else sum(1 for s in ds.streets if s.sub_bureau == d.sub_bureau),
                "aliases": list(d.aliases),
            }
            for d in ds.districts
        ]
        return ["district", "code", "kind", "sub_bureau", "streets", "aliases"], rows
    if what == "sub-bureaus":
        rows = [
            {
                "sub_bureau": b.name,
                "full_name": b.full_name,
                "kind": b.kind,
                "area": list(b.area),
                "stations": len(b.stations),
                "address": b.address,
            }
            for b in ds.sub_bureaus
        ]
        return ["sub_bureau", "full_name", "kind", "area", "stations", "address"], rows
    if what == "stations":
        rows = [station_record(ds, st) for st in ds.stations]
        return ROSTER_FIELDS, rows
    if what == "streets":
        rows = [
            {
                "street": s.name,
                "code": s.code,
                "district": s.district,
                "kind": s.kind,
                "station": s.station,
                "sub_bureau": s.sub_bureau,
                "verified": s.verified,
            }
            for s in ds.streets
        ]
        return ["street", "code", "district", "kind", "station", "sub_bureau", "verified"], rows
    if what == "communities":
        streets = {s.code: s for s in ds.streets}
        rows = [
            {
                "community": c.name,
                "code": c.code,
                "kind": c.kind,
                "street": streets[c.street].name,
                "district": streets[c.street].district,
                "station": streets[c.street].station,
                "sub_bureau": streets[c.street].sub_bureau,
            }
            for c in ds.communities
        ]
        return ["community", "code", "kind", "street", "district", "station", "sub_bureau"], rows
    if what == "places":
        rows = []
        for p in ds.places:
            station, bureau = ds.answers_for(p)
            rows.append(
                {
                    "place": p.name,
                    "kind": p.kind,
                    "station": station,
                    "sub_bureau": bureau,
                    "lines": list(p.lines),
                    "aliases": list(p.aliases),
                    "source": p.source,
                    "district": p.district or p.outside,
                    "verified": p.verified,
                    "url": p.cite[0] if p.cite else None,
                }
            )
        return [
            "place",
            "kind",
            "station",
            "sub_bureau",
            "lines",
            "aliases",
            "source",
            "district",
            "verified",
            "url",
        ], rows
    raise UsageError(f"unknown list '{what}'; choose one of: {', '.join(LIST_KINDS)}")


def run_list(
    what: str,
    *,
    fmt: str | None = None,
    header: bool = False,
    fields: str | None = None,
    data: str | None = None,
    out: IO[str] | None = None,
) -> int:
    out = text_out(out)
    fmt = choose_format(fmt, out)
    if what not in LIST_KINDS:
        raise UsageError(f"unknown list '{what}'; choose one of: {', '.join(LIST_KINDS)}")
    ds = open_index(data).dataset
    known, rows = list_records(ds, what)
    chosen = parse_fields(fields, known)
    write_all(out, fmt, chosen or known, rows, header=header, json_fields=chosen)
    out.flush()
    return Exit.OK


# --- tree -----------------------------------------------------------------------------------


def tree_data(ds: Dataset, only: str | None) -> dict[str, Any]:
    city = (ds.meta.get("city_bureau") or {}).get("name") or "city bureau"
    bureaus = []
    for b in ds.sub_bureaus:
        if only and b.name != only:
            continue
        stations = []
        for st in ds.stations:
            if st.sub_bureau == b.name:
                stations.append(
                    {
                        "station": st.name,
                        "streets": [s.name for s in ds.streets if s.code in st.streets],
                    }
                )
        bureaus.append({"sub_bureau": b.name, "kind": b.kind, "stations": stations})
    return {"city_bureau": city, "sub_bureaus": bureaus}


def tree_text(t: dict[str, Any]) -> str:
    lines = [t["city_bureau"]]
    bs = t["sub_bureaus"]
    for i, b in enumerate(bs):
        last_b = i == len(bs) - 1
        lines.append(("└── " if last_b else "├── ") + f"{b['sub_bureau']} ({len(b['stations'])})")
        pad = "    " if last_b else "│   "
        if not b["stations"]:
            lines.append(pad + "└── (stations not yet known)")
        for j, st in enumerate(b["stations"]):
            last_s = j == len(b["stations"]) - 1
            streets = "、".join(st["streets"]) or "no subdistrict"
            lines.append(pad + ("└── " if last_s else "├── ") + f"{st['station']} — {streets}")
    return "\n".join(lines) + "\n"


def run_tree(
    name: str | None,
    *,
    fmt: str | None = None,
    data: str | None = None,
    out: IO[str] | None = None,
) -> int:
    out = text_out(out)
    fmt = choose_format(fmt, out)
    index = open_index(data)
    only = None
    if name:
        kind, unit = lookup_unit(index, name)
        only = unit.name if kind == "bureau" else unit[1]
        if only is None:
            raise UsageError(f"{unit[0]} is outside the 11 sub-bureaus' area: no tree to show")
    t = tree_data(index.dataset, only)
    return write_document(out, fmt, t, tree_text, ["sub_bureau", "station", "streets"], tree_rows)


def tree_rows(t: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"sub_bureau": b["sub_bureau"], "station": st["station"], "streets": st["streets"]}
        for b in t["sub_bureaus"]
        for st in b["stations"]
    ]


# --- validate -------------------------------------------------------------------------------


def run_validate(data: str | None = None, *, out: IO[str] | None = None) -> int:
    from .dataset import data_dir_from, parse_dataset

    out = text_out(out)
    directory = data_dir_from(data)
    ds = parse_dataset(directory)
    served = sum(1 for s in ds.streets if s.station)
    out.write(
        f"ok: {directory}: {len(ds.sub_bureaus)} sub-bureaus, {len(ds.stations)} stations, "
        f"{len(ds.streets)} streets ({served} served, {len(ds.streets) - served} outside)"
        + (f", {len(ds.communities)} communities" if ds.communities else "")
        + (f", {len(ds.places)} places" if ds.places else "")
        + "\n"
    )
    out.flush()
    return Exit.OK


def version_text(data: str | None = None) -> str:
    from . import __version__
    from .errors import JurError

    try:
        edition = open_index(data).edition
    except JurError:
        edition = "unavailable (the dataset does not validate: run jur validate)"
    return f"jur {__version__} (dataset edition {edition})"
