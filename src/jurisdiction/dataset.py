"""The only module that reads dataset files: strict YAML -> checked records -> Dataset.

Strict means: UTF-8 only; plain data only (strings, integers, booleans, null); no tags, no
anchors or aliases (so no "billion laughs"), no duplicate keys, no unknown keys, bounded size
and depth. Every problem is reported as FILE:LINE: message, all of them at once where the
file could be parsed. A dataset with any problem raises DataError and is never answered from.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .model import Community, Dataset, District, Place, Station, Street, SubBureau
from .paths import (  # noqa: F401
    COMMUNITIES,
    FILES,
    LANDMARKS,
    OPTIONAL,
    PLACES,
    STREETS,
    UNITS,
    data_dir_from,
    default_data_dir,
)

# Limits (README, "Limits"): each bounds what a hostile file could make jur spend, and each is
# far above what real data needs. A whole country (38,600 townships, 620,000 communities)
# written by yaml.safe_dump is ~70 MB and ~9 bytes a YAML event.
MAX_FILE_BYTES = 512 * 2**20  # a file; read whole (its digest keys the cache)
MAX_DEPTH = 24  # the format needs 5 levels; deep nesting is refused before recursion can hurt
MAX_SCALAR_CHARS = 65_536  # one string (the longest note shipped is under 1,000 characters)
MAX_INT_DIGITS = 64  # an unquoted number; Python refuses to convert one of 4,300 digits
BYTES_PER_EVENT = 3  # a file may hold EVENT_ALLOWANCE + its size / 3 events ...
EVENT_ALLOWANCE = 65_536
MAX_RECORD_EVENTS = 65_536  # ... a record of a list file at most this many (it is held whole)
MAX_DOCUMENT_EVENTS = 4_000_000  # ... and a file read whole (units.yaml) at most this many
MAX_PROBLEMS = 500  # problems reported for one file (then one line says how many more)

_INT = re.compile(r"[-+]?[0-9]+\Z")
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class LDict(dict):
    """A mapping that remembers its line and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class LList(list):
    """A sequence that remembers its line and the line of each item."""

    line: int = 0
    item_lines: list[int]


def read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes, or DataError: missing, not a file, too large, unreadable."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError([Problem(shown, 1, "missing file")]) from None
    except OSError as e:
        raise DataError([Problem(shown, 1, f"cannot read: {e.strerror}")]) from None
    if not path.is_file():
        raise DataError([Problem(shown, 1, "not a regular file")])
    if size > MAX_FILE_BYTES:
        raise DataError(
            [
                Problem(
                    shown,
                    1,
                    f"file is {size / 2**20:.1f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB",
                )
            ]
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise DataError([Problem(shown, 1, f"cannot read: {e.strerror}")]) from None


def read_text(path: Path, shown: str) -> str:
    """The file's text, or DataError: as read_bytes, or not UTF-8, or empty."""
    return decode(read_bytes(path, shown), shown)


def decode(raw: bytes, shown: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(
            [
                Problem(
                    shown, line, f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})"
                )
            ]
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise DataError([Problem(shown, 1, "empty file")])
    return text


def _scalar(ev: Any) -> Any:
    """Plain scalars: null, booleans and integers; everything else (and every quoted one) a str."""
    if not ev.implicit[0]:  # quoted (or block) scalars are strings; only plain ones resolve
        return ev.value
    return _plain_scalar(ev.value, _LongNumber)


def _plain_scalar(v: str, too_long: type[Exception]) -> Any:
    """A plain (unquoted) scalar as YAML's core schema reads it, for both readers: null, a
    boolean, an integer (`too_long(digits)` raised past MAX_INT_DIGITS), else the string."""
    if v in _NULLS:
        return None
    if v in _BOOLS:
        return _BOOLS[v]
    if _INT.match(v):
        if len(v) > MAX_INT_DIGITS:
            raise too_long(len(v))
        return int(v)
    return v


class _LongNumber(Exception):
    """An unquoted number too long to be one (reported with its line by the parser)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def parse_yaml(text: str | bytes, shown: str) -> Any:
    """Compose plain data from YAML events, refusing what plain data does not need."""
    for kind, value, _line in compose(text, shown, stream=False):
        if kind == "doc":
            return value
    return None  # pragma: no cover - compose always ends with the document


class LStream:
    """The items of a top-level list, composed one at a time as they are read (so a list of
    640,000 communities is never held as YAML nodes at once): iterate for (item, line)."""

    def __init__(self, events: Iterator[tuple[str, Any, int]], line: int) -> None:
        self._events = events
        self.line = line

    def __iter__(self) -> Iterator[tuple[Any, int]]:
        for kind, value, line in self._events:
            if kind == "item":
                yield value, line


def read_list(raw: bytes, shown: str, use_fast: bool = True, tick: Any = None) -> Any:
    """A file whose top level should be a list: an LStream of its items (read by the fast
    reader when every line is in the block form yaml.safe_dump writes, else by the strict
    YAML composer), or the whole document when its top level is not a list."""
    fast = fast_items(raw, shown, tick) if use_fast else None
    if fast is not None:
        return LStream(fast, 1)
    events = compose(decode(raw, shown), shown, stream=True, tick=tick)
    for kind, value, line in events:
        if kind == "list":
            return LStream(events, line)
        return value  # "doc": not a list; the checker reports its shape
    return None  # pragma: no cover


def pairs(doc: LList | LStream) -> Iterator[tuple[Any, int]]:
    """(item, line) of a composed list or of a streamed one."""
    if isinstance(doc, LStream):
        return iter(doc)
    return zip(doc, doc.item_lines, strict=True)


def compose(
    text: str | bytes, shown: str, *, stream: bool, tick: Any = None
) -> Iterator[tuple[str, Any, int]]:
    """YAML events -> plain data, checked against the limits as they come. Yields
    ("doc", value, 1) at the end; with stream=True and a top-level list, first ("list", None,
    line) and then ("item", value, line) for each item as soon as it is complete, keeping
    nothing of it."""
    import yaml  # imported here: the cache path never needs it (~40 ms)

    loader_cls = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    stack: list[list[Any]] = []  # frames: [container, pending_key, pending_key_line]
    root: list[Any] = []
    documents = 0
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    max_events = EVENT_ALLOWANCE + size // BYTES_PER_EVENT
    events = 0
    record_start = 0  # event count where the current top-level item began
    streaming = False
    out: list[tuple[Any, int]] = []  # a completed top-level item, handed on by the loop

    def fail(line: int, message: str) -> DataError:
        return DataError([Problem(shown, line, message)])

    def add(value: Any, line: int) -> None:
        if not stack:
            root.append(value)
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, LList):
            if streaming and len(stack) == 1:
                out.append((value, line))
                return
            container.append(value)
            container.item_lines.append(line)
        elif frame[1] is _NO_KEY:
            if not isinstance(value, str | int | bool) and value is not None:
                raise fail(line, "a mapping key must be a plain scalar")
            key = str(value) if value is not None else "null"
            if key in container:
                raise fail(
                    line, f"duplicate key '{key}' (first at line {container.key_lines[key]})"
                )
            frame[1], frame[2] = key, line
        else:
            container[frame[1]] = value
            container.key_lines[frame[1]] = frame[2]
            frame[1] = _NO_KEY

    loader = loader_cls(text)
    try:
        while loader.check_event():
            ev = loader.get_event()
            events += 1
            name = type(ev).__name__
            line = ev.start_mark.line + 1 if ev.start_mark else 1
            if events > max_events:
                raise fail(
                    line,
                    f"more than {max_events:,} YAML events in a file of {size:,} bytes "
                    f"(the limit is one per {BYTES_PER_EVENT} bytes)",
                )
            if name == "AliasEvent":
                raise fail(line, f"YAML alias '*{ev.anchor}' is not allowed (plain data only)")
            anchor = getattr(ev, "anchor", None)
            if anchor is not None:
                raise fail(line, f"YAML anchor '&{anchor}' is not allowed (plain data only)")
            tag = getattr(ev, "tag", None)
            if tag is not None and not (name != "ScalarEvent" and ev.implicit):
                raise fail(line, f"YAML tag '{tag}' is not allowed (plain data only)")
            if name == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    raise fail(line, "more than one YAML document in the file")
            elif name == "ScalarEvent":
                if len(ev.value) > MAX_SCALAR_CHARS:
                    raise fail(
                        line,
                        f"a string of {len(ev.value):,} characters; "
                        f"the limit is {MAX_SCALAR_CHARS:,}",
                    )
                try:
                    add(_scalar(ev), line)
                except _LongNumber as e:
                    raise fail(
                        line, f"an unquoted number of {e.digits:,} digits (quote it if it is text)"
                    ) from None
            elif name in ("SequenceStartEvent", "MappingStartEvent"):
                if len(stack) >= MAX_DEPTH:
                    raise fail(line, f"nesting deeper than {MAX_DEPTH} levels")
                container: LDict | LList
                if name == "MappingStartEvent":
                    container = LDict()
                    container.key_lines = {}
                else:
                    container = LList()
                    container.item_lines = []
                container.line = line
                if not stack and stream and name == "SequenceStartEvent":
                    streaming = True
                    yield "list", None, line
                stack.append([container, _NO_KEY, 0])
            elif name in ("SequenceEndEvent", "MappingEndEvent"):
                frame = stack.pop()
                add(frame[0], frame[0].line)
            if streaming:
                if len(stack) <= 1:
                    record_start = events
                elif events - record_start > MAX_RECORD_EVENTS:
                    raise fail(line, f"a record of more than {MAX_RECORD_EVENTS:,} YAML events")
                if out:
                    yield "item", out[0][0], out[0][1]
                    out.clear()
                    if tick is not None and events & 0xFFFF < 16:
                        tick(line)
            elif events > MAX_DOCUMENT_EVENTS:
                raise fail(line, f"more than {MAX_DOCUMENT_EVENTS:,} YAML events in one document")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise fail(line, f"YAML syntax error: {problem}") from None
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            dispose()
    yield "doc", root[0] if root else None, 1


_NO_KEY = object()


# --- the fast reader ---------------------------------------------------------------------
#
# A list file as yaml.safe_dump writes it (and as the shipped files are written) is a block
# list of flat mappings, one `key: value` a line, with lists of scalars as `key:` followed by
# `- item` lines or as `[a, b]`. Such a file is read here line by line, about four times as
# fast as through libyaml's event objects, into the same LDict records with the same lines.
# Only lines whose meaning is certain are read. A record with any other line (a nested
# mapping, a note over several lines) is read alone by the strict YAML composer, with the
# file's line numbers and its events counted against the file's; a record the composer
# refuses (a tag, an anchor, a duplicate key, a limit reached), a line outside any record, or
# more than one record in sixteen read that way, and the whole file goes through the
# composer, which reads it or reports the problem.


class NotFast(Exception):
    """The file has a line the fast reader does not read: use the YAML composer."""


_KV = re.compile(r"(- |  )([A-Za-z_][A-Za-z0-9_]*):(?: (.+))?\Z")
_ITEM = re.compile(r" {2,4}- (.+)\Z")
_SQ = re.compile(r"'((?:[^']|'')*)'\Z")
_DQ = re.compile(r'"((?:[^"\\]|\\.)*)"\Z')
_ESC = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|([\\\"]))|\\")
# \uXXXX escapes (no surrogate) and characters other than a backslash or a double quote
_U_ONLY = re.compile(r'(?:[^\\"]|\\u(?![dD][89a-fA-F])[0-9A-Fa-f]{4})*')
_PLAIN_FIRST_BAD = frozenset("-?:,[]{}#&*!|>'\"%@` ")


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1) or m.group(2) or m.group(3)
    if code is not None:
        n = int(code, 16)
        if 0xD800 <= n <= 0xDFFF or n > 0x10FFFF:
            raise NotFast
        return chr(n)
    if m.group(4) is not None:
        return m.group(4)
    raise NotFast  # an escape this reader does not decode


def _fast_value(v: str) -> Any:
    c = v[0]
    if c == "'":
        if len(v) > 1 and v[-1] == "'" and "'" not in v[1:-1]:
            return v[1:-1]  # no quote inside: the body as it is
        m = _SQ.match(v)
        if m is None:
            raise NotFast
        return m.group(1).replace("''", "'")
    if c == '"':
        if len(v) > 1 and v[-1] == '"':
            body = v[1:-1]
            if "\\" not in body and '"' not in body:
                return body
            if body.isascii() and _U_ONLY.fullmatch(body):  # what safe_dump writes: \uXXXX
                return body.encode("ascii").decode("unicode_escape")
        m = _DQ.match(v)
        if m is None:
            raise NotFast
        body = m.group(1)
        if "\\" not in body:
            return body
        return _ESC.sub(_unescape, body)
    if c in _PLAIN_FIRST_BAD or v[-1] in " :" or ": " in v or " #" in v:
        raise NotFast
    if "[" in v or "]" in v or "{" in v or "}" in v:
        raise NotFast
    return _plain_scalar(v, NotFast)


def _fast_list(v: str, line: int) -> LList:
    out = LList()
    out.line = line
    inner = v[1:-1].strip()
    items = [x.strip() for x in inner.split(",")] if inner else []
    for x in items:
        if not x or x[0] in "'\"":
            raise NotFast
        out.append(_fast_value(x))
    out.item_lines = [line] * len(out)
    return out


def fast_items(
    raw: bytes,
    shown: str,
    tick: Any = None,
    part: tuple[int, int, int] | None = None,
    max_events: int | None = None,
) -> Iterator[tuple[str, Any, int]] | None:
    """("item", record, line) for each record of a block list of flat mappings; raises
    NotFast on the first line it does not read. None when the file does not begin like one.
    With part=(lo, hi, line), only raw[lo:hi], which begins at that line of the file (read
    in place: no copy), allowed max_events events."""
    lo, hi, first = part if part is not None else (0, len(raw), 1)
    head = raw[lo : lo + 4096].lstrip(b"\n")
    if raw.startswith(b"\xef\xbb\xbf") or b"\r" in head:
        return None
    for ln in head.split(b"\n"):
        if ln.strip() and not ln.startswith(b"#"):
            if not ln.startswith(b"- "):
                return None
            break
    if max_events is None:
        max_events = EVENT_ALLOWANCE + (hi - lo) // BYTES_PER_EVENT
    return _fast_records(_pieces(raw, lo, hi, first), shown, tick, max_events)


FAST_PIECE = 1 << 20  # bytes the fast reader decodes at once (a piece ends before a record)


def _pieces(raw: bytes, at: int, size: int, line: int) -> Iterator[tuple[int, list[str]]]:
    """(number of its first line, its lines) of the pieces of raw[at:size] of about
    FAST_PIECE bytes, each ending just before a line that begins a record ("- "), so no
    record spans two pieces; the first begins at line `line`."""
    while at < size:
        end = raw.find(b"\n- ", at + FAST_PIECE, size) + 1 if at + FAST_PIECE < size else 0
        piece = raw[at : end or size]
        try:
            text = piece.decode("utf-8")
        except UnicodeDecodeError:
            raise NotFast from None
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()  # the piece ends with a line break
        if not text.replace("\n", "").isprintable():
            raise NotFast  # tabs, CR, controls, line separators: the composer decides
        yield line, lines
        line += len(lines)
        at = end or size


def _is_entry(text: str) -> bool:
    """Whether a line begins an item of the top-level list."""
    return text[:2] == "- " or text == "-"


def _fast_records(
    pieces: Iterator[tuple[int, list[str]]], shown: str, tick: Any, max_events: int
) -> Iterator[tuple[str, Any, int]]:
    events = 6  # the stream's, the document's and the list's start and end
    record: LDict | None = None
    record_events = 0
    pending: LList | None = None  # the list of a `key:` with nothing after it
    pending_key = ""
    kv_match = _KV.match
    records = 0
    composed = 0  # records the composer read
    for first, lines in pieces:
        skip = 0  # lines before this were read with a record the composer read
        begins = 0  # index in lines of the current record's first line
        for i, text in enumerate(lines):
            if i < skip:
                continue
            lineno = first + i
            try:
                m = kv_match(text)
                if m is None:
                    if pending is not None:
                        im = _ITEM.match(text)
                        if im is not None:
                            v = im.group(1)
                            if len(v) > MAX_SCALAR_CHARS:
                                raise NotFast
                            if not pending:
                                pending.line = lineno
                            pending.append(_fast_value(v))
                            pending.item_lines.append(lineno)
                            record_events += 3 if len(pending) == 1 else 1
                            continue
                    stripped = text.lstrip(" ")
                    if not stripped or stripped[0] == "#":
                        continue  # a blank line or a comment
                    raise NotFast
                dash, key, v = m.groups()
                if pending is not None:
                    record[pending_key] = pending if pending else None  # type: ignore[index]
                    pending = None
                if dash == "- ":
                    if record is not None:
                        if record_events > MAX_RECORD_EVENTS:
                            raise NotFast
                        events += record_events
                        yield "item", record, record.line
                        if tick is not None and records & 0x3FFF == 0:
                            tick(lineno)
                    record = LDict()
                    record.key_lines = {}
                    record.line = lineno
                    record_events = 2
                    records += 1
                    begins = i
                elif record is None:
                    raise NotFast
                if key in record:
                    raise NotFast  # a duplicate key: the composer reports it
                record.key_lines[key] = lineno
                record_events += 2
                if v is None:
                    pending = LList()
                    pending.item_lines = []
                    pending.line = lineno
                    pending_key = key
                    record[key] = None
                    continue
                if len(v) > MAX_SCALAR_CHARS:
                    raise NotFast
                if v[0] == "[" and v[-1] == "]":
                    lst = _fast_list(v, lineno)
                    record_events += len(lst) + 2
                    record[key] = lst
                else:
                    record[key] = _fast_value(v)
                if events + record_events > max_events:
                    raise NotFast
            except NotFast:
                # a record with a line this reader does not read: the composer reads that
                # record alone (a nested list of mappings, a note over several lines)
                composed += 1
                if record is None or (composed > 64 and composed * 16 > records):
                    raise  # most records: the composer reads the whole file faster
                if _is_entry(text) and record.line != lineno:
                    # this line begins a record; the one before it is whole
                    if pending is not None:
                        record[pending_key] = pending if pending else None
                        pending = None
                    if record_events > MAX_RECORD_EVENTS:
                        raise
                    events += record_events
                    yield "item", record, record.line
                    begins = i
                skip = next(
                    (j for j in range(i + 1, len(lines)) if _is_entry(lines[j])), len(lines)
                )
                item, item_events = _composed_record(lines[begins:skip], first + begins, shown)
                events += item_events
                if events > max_events:
                    raise
                yield "item", item, getattr(item, "line", first + begins)
                record, pending = None, None
                records += 1
    if pending is not None:
        record[pending_key] = pending if pending else None  # type: ignore[index]
    if records == 0:
        raise NotFast  # no record at all: the composer says what the file is
    if record is not None:
        events += record_events
        if events > max_events or record_events > MAX_RECORD_EVENTS:
            raise NotFast
        yield "item", record, record.line


def _composed_record(lines: list[str], first: int, shown: str) -> tuple[Any, int]:
    """One record (its lines, the first of them line `first` of the file) read by the YAML
    composer, with the file's line numbers, and the number of YAML events it is. NotFast when
    it is not exactly one record: the whole file goes to the composer, which says why."""
    try:
        out = [
            v
            for kind, v, _ in compose("\n".join(lines) + "\n", shown, stream=True)
            if kind == "item"
        ]
    except DataError:
        raise NotFast from None
    if len(out) != 1:
        raise NotFast
    return out[0], _renumber(out[0], first - 1)


def _renumber(value: Any, by: int) -> int:
    """Add `by` to every line number a composed value holds; returns its number of events."""
    if isinstance(value, LDict):
        value.line += by
        for key in value.key_lines:
            value.key_lines[key] += by
        return 2 + sum(1 + _renumber(v, by) for v in value.values())
    if isinstance(value, LList):
        value.line += by
        value.item_lines = [n + by for n in value.item_lines]
        return 2 + sum(_renumber(v, by) for v in value)
    return 1


# --- schema ---------------------------------------------------------------------------

UNITS_KEYS = {
    "edition",
    "sources",
    "city_bureau",
    "departments",
    "teams",
    "districts",
    "sub_bureaus",
}
SOURCE_KEYS = {"id", "title", "date", "url", "file"}
CITY_KEYS = {
    "name",
    "reform_date",
    "levels",
    "abolished_units",
    "sub_bureaus_announced",
    "stations_announced",
    "principle",
    "address",
    "source",
    "note",
}
DEPARTMENT_KEYS = {"per_sub_bureau", "names", "source", "note"}
TEAMS_KEYS = {"structure", "joint_duty", "list", "source", "note"}
TEAM_KEYS = {"name", "role", "duties"}
DISTRICT_KEYS = {
    "name",
    "code",
    "kind",
    "aliases",
    "pinyin",
    "sub_bureau",
    "lies_on",
    "source",
    "note",
}
COMMUNITY_KEYS = {"name", "code", "street", "kind", "source", "note"}
COMMUNITY_KINDS = {"community", "village"}
PLACE_KEYS = {
    "name",
    "kind",
    "street",
    "station",
    "sub_bureau",
    "outside",
    "aliases",
    "lines",
    "source",
    "note",
}
PLACE_TARGETS = ("street", "station", "sub_bureau", "outside")
LANDMARK_KEYS = {
    "name",
    "kind",
    "aliases",
    "group",
    "district",
    "street",
    "pinyin",
    "verified",
    "source",
    "note",
}
LANDMARK_SOURCE_KEYS = {"id", "url", "date", "publisher", "quote", "note"}
LANDMARK_KINDS = {
    "landmark",
    "square",
    "park",
    "scenic",
    "university",
    "school",
    "hospital",
    "mall",
    "market",
    "hotel",
    "venue",
    "stadium",
    "museum",
    "library",
    "government",
    "bus-station",
    "railway-station",
    "airport",
}
BUREAU_KEYS = {
    "name",
    "full_name",
    "aliases",
    "pinyin",
    "kind",
    "area",
    "address",
    "phone",
    "established",
    "source",
    "note",
    "stations",
}
STATION_KEYS = {"name", "kind", "source", "address", "phone", "note", "other_names"}
STREET_KEYS = {
    "name",
    "code",
    "district",
    "station",
    "kind",
    "short",
    "basis",
    "verified",
    "pinyin",
    "pinyin_note",
    "other_names",
    "note",
    "source",
}
OTHER_NAME_KEYS = {"name", "relation", "note"}
BUREAU_KINDS = {"territorial", "special"}
STATION_KINDS = {"territorial", "place", "special"}


class Checker:
    """Collects every problem of a file instead of stopping at the first."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS:
            self.problems.append(Problem(self.shown, line, message))
        elif self.count == MAX_PROBLEMS + 1:
            self.problems.append(
                Problem(self.shown, line, f"more than {MAX_PROBLEMS} problems; stopped listing")
            )

    def mapping(
        self, value: Any, line: int, what: str, allowed: set[str], required: set[str]
    ) -> bool:
        if not isinstance(value, LDict):
            self.add(getattr(value, "line", line), f"{what} must be a mapping, not {_kind(value)}")
            return False
        for key in value:
            if key not in allowed:
                self.add(value.key_lines[key], f"unknown key '{key}' in {what}")
        for key in sorted(required - value.keys()):
            self.add(value.line, f"{what} is missing required key '{key}'")
        return True

    def named(
        self,
        item: Any,
        line: int,
        what: str,
        allowed: set[str],
        required: set[str],
        seen: dict[str, int],
        noun: str | None = None,
    ) -> str | None:
        """The name of a record that must be a mapping with a name unique among `seen`."""
        if not self.mapping(item, line, what, allowed, required | {"name"}):
            return None
        name = self.text(item, "name", what, required=True)
        if not name:
            return None
        if name in seen:
            self.add(
                item.key_lines["name"],
                f"{noun or what} '{name}' is named twice (first at line {seen[name]})",
            )
            return None
        seen[name] = item.key_lines["name"]
        return name

    def text(self, d: LDict, key: str, what: str, *, required: bool = False) -> str | None:
        if key not in d:
            return None
        v = d[key]
        if v is None and not required:
            return None
        if isinstance(v, bool) or not isinstance(v, str | int):
            self.add(d.key_lines[key], f"{what}.{key} must be a string, not {_kind(v)}")
            return None
        s = str(v).strip()
        if required and not s:
            self.add(d.key_lines[key], f"{what}.{key} must not be empty")
            return None
        return s

    def strings(self, d: LDict, key: str, what: str) -> tuple[str, ...]:
        v = d.get(key)
        if v is None:
            return ()
        if not isinstance(v, LList) or not all(isinstance(x, str) and x.strip() for x in v):
            self.add(d.key_lines[key], f"{what}.{key} must be a list of non-empty strings")
            return ()
        return tuple(x.strip() for x in v)

    def list_of(self, d: LDict, key: str, what: str) -> LList:
        v = d.get(key)
        if not isinstance(v, LList):
            if key in d:
                self.add(d.key_lines[key], f"{what}.{key} must be a list, not {_kind(v)}")
            empty = LList()
            empty.item_lines = []
            return empty
        return v


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    return {LDict: "a mapping", LList: "a list", bool: "a boolean", int: "an integer"}.get(
        type(v), "a string"
    )


def _check_units(
    doc: Any, c: Checker
) -> tuple[dict, list[SubBureau], list[Station], list[District]]:
    meta: dict[str, Any] = {}
    bureaus: list[SubBureau] = []
    stations: list[Station] = []
    districts: list[District] = []
    if not c.mapping(doc, 1, "units.yaml", UNITS_KEYS, {"sub_bureaus"}):
        return meta, bureaus, stations, districts
    meta["edition"] = c.text(doc, "edition", "units")
    for key, allowed in (
        ("city_bureau", CITY_KEYS),
        ("departments", DEPARTMENT_KEYS),
        ("teams", TEAMS_KEYS),
    ):
        if key in doc and c.mapping(doc[key], doc.key_lines[key], key, allowed, set()):
            meta[key] = _plain(doc[key])
    if "teams" in meta:
        team_list = c.list_of(doc["teams"], "list", "teams")
        for item, line in zip(team_list, team_list.item_lines, strict=True):
            c.mapping(item, line, "team", TEAM_KEYS, {"name"})
    sources = c.list_of(doc, "sources", "units")
    ids: dict[str, int] = {}
    for item, line in zip(sources, sources.item_lines, strict=True):
        if c.mapping(item, line, "source", SOURCE_KEYS, {"id"}):
            sid = c.text(item, "id", "source", required=True)
            if sid and sid in ids:
                c.add(item.line, f"source '{sid}' is listed twice (first at line {ids[sid]})")
            elif sid:
                ids[sid] = item.line
    meta["sources"] = _plain(sources)

    seen_bureaus: dict[str, int] = {}
    seen_stations: dict[str, int] = {}
    blist = c.list_of(doc, "sub_bureaus", "units")
    if "sub_bureaus" in doc and isinstance(doc["sub_bureaus"], LList) and not blist:
        c.add(doc.key_lines["sub_bureaus"], "units.sub_bureaus is empty")
    for item, line in zip(blist, blist.item_lines, strict=True):
        name = c.named(item, line, "sub-bureau", BUREAU_KEYS, {"stations"}, seen_bureaus)
        if not name:
            continue
        kind = c.text(item, "kind", name) or "territorial"
        if kind not in BUREAU_KINDS:
            c.add(item.key_lines["kind"], f"{name}.kind must be one of {sorted(BUREAU_KINDS)}")
        station_names = []
        slist = c.list_of(item, "stations", name)
        for st, sline in zip(slist, slist.item_lines, strict=True):
            sname = c.named(
                st, sline, f"station of {name}", STATION_KEYS, set(), seen_stations, "station"
            )
            if not sname:
                continue
            skind = c.text(st, "kind", sname) or ("special" if kind == "special" else "territorial")
            if skind not in STATION_KINDS:
                c.add(st.key_lines["kind"], f"{sname}.kind must be one of {sorted(STATION_KINDS)}")
            ssrc = c.text(st, "source", sname)
            _check_source_ref(c, st, ssrc, ids)
            station_names.append(sname)
            stations.append(
                Station(
                    sname,
                    name,
                    skind,
                    ssrc,
                    (),
                    c.text(st, "note", sname),
                    tuple(_other_names(c, st, sname)),
                )
            )
        bsrc = c.text(item, "source", name)
        _check_source_ref(c, item, bsrc, ids)
        bureaus.append(
            SubBureau(
                name=name,
                full_name=c.text(item, "full_name", name),
                aliases=c.strings(item, "aliases", name),
                pinyin=c.strings(item, "pinyin", name),
                kind=kind,
                area=c.strings(item, "area", name),
                address=c.text(item, "address", name),
                established=c.text(item, "established", name),
                source=bsrc,
                stations=tuple(station_names),
            )
        )
    dlist = c.list_of(doc, "districts", "units")
    seen_districts: dict[str, int] = {}
    lies_on_refs: list[tuple[int, str, str]] = []
    for item, line in zip(dlist, dlist.item_lines, strict=True):
        name = c.named(item, line, "district", DISTRICT_KEYS, set(), seen_districts)
        if not name:
            continue
        bureau = c.text(item, "sub_bureau", name)
        if bureau is not None and bureau not in seen_bureaus:
            c.add(
                item.key_lines["sub_bureau"],
                f"district '{name}' names sub-bureau '{bureau}', which does not exist",
            )
        districts.append(
            District(
                name=name,
                code=c.text(item, "code", name),
                kind=c.text(item, "kind", name),
                aliases=c.strings(item, "aliases", name),
                pinyin=c.strings(item, "pinyin", name),
                sub_bureau=bureau,
                source=c.text(item, "source", name),
                lies_on=c.strings(item, "lies_on", name),
            )
        )
        for other in districts[-1].lies_on:
            lies_on_refs.append((item.key_lines["lies_on"], name, other))
    for line, name, other in lies_on_refs:
        if other not in seen_districts:
            c.add(line, f"district '{name}' lies on '{other}', which is not a district")
    return meta, bureaus, stations, districts


def _check_source_ref(c: Checker, d: LDict, value: str | None, ids: dict[str, int]) -> None:
    """A `source` names ids of units.sources, separated by ';' (when a sources list exists)."""
    if value is None or not ids:
        return
    for part in (p.strip() for p in value.split(";")):
        if part and part not in ids:
            c.add(d.key_lines["source"], f"source '{part}' is not in units.sources")


def _check_streets(
    doc: Any, c: Checker, stations: dict[str, Station] | None
) -> tuple[list[Street], dict[str, list[int]]]:
    streets: list[Street] = []
    served: dict[str, list[int]] = {}
    if not isinstance(doc, LList | LStream):
        c.add(getattr(doc, "line", 1), f"streets.yaml must be a list of streets, not {_kind(doc)}")
        return streets, served
    codes: dict[str, int] = {}
    for item, line in pairs(doc):
        if not c.mapping(
            item, line, "street", STREET_KEYS, {"name", "code", "district", "station"}
        ):
            continue
        name = c.text(item, "name", "street", required=True)
        if not name:
            continue
        code = _unique_code(c, item, name, codes, STREET_CODE_DIGITS)
        if code is None:
            continue
        district = c.text(item, "district", name, required=True) if "district" in item else None
        station = c.text(item, "station", name)
        bureau = None
        if station is not None and stations is not None:
            st = stations.get(station)
            if st is None:
                c.add(
                    item.key_lines["station"],
                    f"{name}: station '{station}' does not exist in units.yaml",
                )
            else:
                bureau = st.sub_bureau
                served.setdefault(station, []).append(item.key_lines["station"])
        verified = item.get("verified", True)
        if not isinstance(verified, bool):
            c.add(item.key_lines["verified"], f"{name}.verified must be true or false")
            verified = False
        others = _other_names(c, item, name)
        streets.append(
            Street(
                name=name,
                code=code,
                district=district or "",
                kind=c.text(item, "kind", name),
                short=c.text(item, "short", name) or name,
                station=station,
                sub_bureau=bureau,
                verified=verified,
                basis=c.text(item, "basis", name),
                pinyin=c.strings(item, "pinyin", name),
                other_names=tuple(others),
                note=c.text(item, "note", name),
                source=c.text(item, "source", name),
            )
        )
    return streets, served


def _other_names(c: Checker, item: LDict, name: str) -> list[tuple[str, str, str]]:
    """A record's `other_names`: (name, relation, note) each."""
    others = []
    olist = c.list_of(item, "other_names", name)
    for o, oline in zip(olist, olist.item_lines, strict=True):
        if c.mapping(o, oline, f"other name of {name}", OTHER_NAME_KEYS, {"name"}):
            on = c.text(o, "name", f"other name of {name}", required=True)
            if on:
                others.append(
                    (on, c.text(o, "relation", on) or "other", c.text(o, "note", on) or "")
                )
    return others


STREET_CODE_DIGITS = 9  # a township-level statistical division code (410103010)
COMMUNITY_CODE_DIGITS = 12  # a village-level one: its street's 9 digits and 3 more


def _unique_code(
    c: Checker, item: LDict, name: str, codes: dict[str, int], digits: int
) -> str | None:
    """The record's code, a quoted string of `digits` digits not used before in the file (a
    code used twice is reported against the line that used it first, and still returned: the
    record's other problems are reported too)."""
    code_v = item.get("code")
    if not isinstance(code_v, str) or not code_v.strip():
        if "code" in item:
            c.add(
                item.key_lines["code"], f"{name}: code must be a quoted string, not {_kind(code_v)}"
            )
        return None
    code = code_v.strip()
    if len(code) != digits or not code.isascii() or not code.isdigit():
        shown = code if len(code) <= 40 else code[:40] + "…"
        c.add(item.key_lines["code"], f"{name}: code must be {digits} digits, not '{shown}'")
        return None
    if code in codes:
        c.add(item.key_lines["code"], f"code {code} is used twice (first at line {codes[code]})")
        return code
    codes[code] = item.key_lines["code"]
    return code


def _check_communities(doc: Any, c: Checker, streets: dict[str, str]) -> list[Community]:
    out: list[Community] = []
    if not isinstance(doc, LList | LStream):
        c.add(
            getattr(doc, "line", 1),
            f"communities.yaml must be a list of communities, not {_kind(doc)}",
        )
        return out
    codes: dict[str, int] = {}
    kinds = {k: k for k in COMMUNITY_KINDS}  # one str object per kind, however many records
    kinds[None] = None  # type: ignore[index]
    required = {"name", "code", "street"}
    new = tuple.__new__
    for item, line in pairs(doc):
        # A record as it should be, checked at once (a country has 620,000 of them); any
        # other is checked below, key by key, and each of its problems reported.
        if type(item) is LDict and item.keys() <= COMMUNITY_KEYS and required <= item.keys():
            name, code, street, kind = item["name"], item["code"], item["street"], item.get("kind")
            if (
                type(name) is str
                and type(code) is str
                and type(street) is str
                and (kind is None or type(kind) is str)
            ):
                name, code, street = name.strip(), code.strip(), street.strip()
                kind = kind.strip() if kind is not None else None
                if (
                    name
                    and len(code) == COMMUNITY_CODE_DIGITS
                    and code.isascii()
                    and code.isdigit()
                    and code not in codes
                    and street in streets
                    and kind in kinds
                ):
                    codes[code] = item.key_lines["code"]
                    out.append(new(Community, (name, code, streets[street], kinds[kind])))
                    continue
        if not c.mapping(item, line, "community", COMMUNITY_KEYS, required):
            continue
        name = c.text(item, "name", "community", required=True)
        if not name:
            continue
        code = _unique_code(c, item, name, codes, COMMUNITY_CODE_DIGITS)
        street = c.text(item, "street", name, required=True)
        if street is not None and street not in streets:
            c.add(item.key_lines["street"], f"{name}: street '{street}' is not a street's code")
            continue
        kind = c.text(item, "kind", name)
        if kind is not None and kind not in COMMUNITY_KINDS:
            c.add(item.key_lines["kind"], f"{name}.kind must be one of {sorted(COMMUNITY_KINDS)}")
        if code and street:
            # the street's own code object, shared: 640,000 communities, 40,000 streets
            out.append(Community(name, code, streets[street], kinds.get(kind, kind)))
    return out


def _check_places(
    doc: Any, c: Checker, streets: set[str], stations: set[str], bureaus: set[str], ids: set[str]
) -> list[Place]:
    out: list[Place] = []
    if not isinstance(doc, LList | LStream):
        c.add(getattr(doc, "line", 1), f"places.yaml must be a list of places, not {_kind(doc)}")
        return out
    seen: dict[tuple[str, str], int] = {}
    for item, line in pairs(doc):
        if not c.mapping(item, line, "place", PLACE_KEYS, {"name", "kind", "source"}):
            continue
        name = c.text(item, "name", "place", required=True)
        kind = c.text(item, "kind", "place", required=True)
        if not name or not kind:
            continue
        if (name, kind) in seen:
            c.add(
                item.key_lines["name"],
                f"place '{name}' ({kind}) is named twice (first at line {seen[name, kind]})",
            )
            continue
        seen[name, kind] = item.key_lines["name"]
        targets = [k for k in PLACE_TARGETS if item.get(k) is not None]
        if len(targets) != 1:
            c.add(
                item.line,
                f"place '{name}' needs exactly one of {', '.join(PLACE_TARGETS)} "
                f"(has {', '.join(targets) or 'none'})",
            )
            continue
        target = targets[0]
        value = c.text(item, target, name, required=True)
        known = {"street": streets, "station": stations, "sub_bureau": bureaus}.get(target)
        if value is not None and known is not None and value not in known:
            what = "a street's code" if target == "street" else f"a {target.replace('_', '-')}"
            c.add(item.key_lines[target], f"place '{name}': '{value}' is not {what}")
            continue
        source = c.text(item, "source", name, required=True)
        if ids and source:
            for part in (p.strip() for p in source.split(";")):
                if part and part not in ids:
                    c.add(item.key_lines["source"], f"source '{part}' is not in units.sources")
        out.append(
            Place(
                name=name,
                kind=kind,
                street=value if target == "street" else None,
                station=value if target == "station" else None,
                sub_bureau=value if target == "sub_bureau" else None,
                aliases=c.strings(item, "aliases", name),
                lines=c.strings(item, "lines", name),
                source=source,
                note=c.text(item, "note", name),
                outside=value if target == "outside" else None,
            )
        )
    return out


def _check_landmarks(
    doc: Any,
    c: Checker,
    streets: dict[str, Street],
    districts: dict[str, District],
    taken: dict[str, str],
) -> list[Place]:
    """landmarks.yaml: named places whose district or zone a public page gives (and their
    subdistrict, only where the page gives it). Each carries its page: `source` with `id`,
    `url` and the `quote` that states where the place lies. A name (or other name) used
    twice, here or by places.yaml, is refused: a name must lead to one place."""
    out: list[Place] = []
    if not isinstance(doc, LList | LStream):
        c.add(getattr(doc, "line", 1), f"landmarks.yaml must be a list, not {_kind(doc)}")
        return out
    ids: dict[str, int] = {}
    seen = dict(taken)
    for item, line in pairs(doc):
        if not c.mapping(
            item, line, "landmark", LANDMARK_KEYS, {"name", "kind", "district", "source"}
        ):
            continue
        name = c.text(item, "name", "landmark", required=True)
        kind = c.text(item, "kind", "landmark", required=True)
        if not name or not kind:
            continue
        if kind not in LANDMARK_KINDS:
            c.add(item.key_lines["kind"], f"{name}.kind must be one of {sorted(LANDMARK_KINDS)}")
        aliases = c.strings(item, "aliases", name)
        for n in (name, *aliases):
            if n in seen:
                c.add(item.key_lines["name"], f"landmark '{n}' is named twice (first: {seen[n]})")
            else:
                seen[n] = f"line {item.key_lines['name']}"
        district = c.text(item, "district", name, required=True)
        d = districts.get(district) if district else None
        if district and d is None:
            c.add(
                item.key_lines["district"],
                f"landmark '{name}': '{district}' is not a district or zone",
            )
        code = c.text(item, "street", name)
        if code is not None:
            s = streets.get(code)
            if s is None:
                c.add(
                    item.key_lines["street"], f"landmark '{name}': '{code}' is not a street's code"
                )
            elif d is not None and s.district != d.name and s.sub_bureau != d.sub_bureau:
                c.add(
                    item.key_lines["street"],
                    f"landmark '{name}': street {s.name} is not in {d.name}",
                )
        src = item.get("source")
        cite = None
        if "source" in item and c.mapping(
            src,
            item.key_lines.get("source", line),
            f"source of {name}",
            LANDMARK_SOURCE_KEYS,
            {"id", "url", "quote"},
        ):
            sid = c.text(src, "id", name, required=True)
            url = c.text(src, "url", name, required=True)
            quote = c.text(src, "quote", name, required=True)
            if sid and sid in ids:
                c.add(
                    src.key_lines["id"],
                    f"source id '{sid}' is used twice (first at line {ids[sid]})",
                )
            elif sid:
                ids[sid] = src.key_lines["id"]
            if url and not url.startswith(("http://", "https://")):
                c.add(src.key_lines["url"], f"landmark '{name}': url must be http(s)")
            cite = (url, c.text(src, "date", name), c.text(src, "publisher", name), quote)
        else:
            sid = None
        verified = item.get("verified", True)
        if not isinstance(verified, bool):
            c.add(item.key_lines["verified"], f"{name}.verified must be true or false")
            verified = False
        if cite is None or d is None:
            continue
        out.append(
            Place(
                name=name,
                kind=kind,
                street=code if code in streets else None,
                station=None,
                sub_bureau=None,
                aliases=aliases,
                lines=(),
                source=sid,
                note=c.text(item, "note", name),
                district=d.name,
                group=c.strings(item, "group", name),
                verified=verified,
                cite=cite,
                pinyin=c.strings(item, "pinyin", name),
            )
        )
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def load_files(directory: str | Path) -> dict[str, bytes]:
    """Raw bytes of the two files and of the optional ones present, read once: the cache key
    is their digest, and parse_dataset decodes and checks these same bytes."""
    directory = Path(directory)
    raw = {fname: read_bytes(directory / fname, str(directory / fname)) for fname in FILES}
    for fname in OPTIONAL:
        if (directory / fname).exists():
            raw[fname] = read_bytes(directory / fname, str(directory / fname))
    return raw


def parse_dataset(
    directory: str | Path,
    raw: dict[str, bytes] | None = None,
    digest: str = "",
    progress: Any = "terminal",
    two_processes: bool = False,
) -> Dataset:
    """Parse and validate the files; DataError lists every problem found.

    The list files are read as streams of records and checked record by record, so memory
    holds the checked records, not the YAML of 640,000 of them. `progress(phase, done,
    total)` is called now and then; by default a progress bar on stderr when it is a terminal
    and the work takes more than a second (progress.for_terminal)."""
    if progress == "terminal":
        from .progress import for_terminal

        bar = for_terminal()
        try:
            return parse_dataset(directory, raw, digest, bar, two_processes)
        finally:
            if bar is not None:
                bar.close()
    with without_cycle_collection():
        return _parse_dataset(Path(directory), raw, digest, progress, two_processes)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off for a while, then as it was. Reading a big dataset and
    writing its index make millions of small records and tuples that form no reference
    cycles; the collector would walk them again and again as they pile up (a fifth of the
    time at 640,000 communities, and more the bigger the file: not linear)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _parse_dataset(
    directory: Path,
    raw: dict[str, bytes] | None,
    digest: str,
    progress: Any,
    two_processes: bool = False,
) -> Dataset:
    directory = Path(directory)
    problems: list[Problem] = []
    owned = raw is None  # the files' bytes are this function's to let go of
    if raw is None:
        raw = {}
        for fname in (*FILES, *OPTIONAL):
            path = directory / fname
            if fname in OPTIONAL and not path.exists():
                continue
            try:
                raw[fname] = read_bytes(path, str(path))
            except DataError as e:
                problems.extend(e.problems)
    present = [f for f in OPTIONAL if f in raw]
    units_doc = None
    if UNITS in raw:
        shown = str(directory / UNITS)
        try:
            units_doc = parse_yaml(decode(raw[UNITS], shown), shown)
        except DataError as e:
            problems.extend(e.problems)
    if problems or STREETS not in raw:
        # a units.yaml that cannot be read: streets.yaml is still read for its own problems
        if STREETS in raw:
            _, more = _stream_check(raw[STREETS], str(directory / STREETS), _only_syntax)
            problems.extend(more)
        raise DataError(problems)
    cu = Checker(str(directory / UNITS))
    meta, bureaus, stations, districts = _check_units(units_doc, cu)
    # References into a units.yaml that is itself broken would only repeat its problem.
    by_name = {s.name: s for s in stations} if not cu.problems else None
    shown = str(directory / STREETS)
    tick = _ticker(progress, "checking streets", raw[STREETS])
    result, street_problems = _stream_check(
        raw[STREETS], shown, lambda doc, c: (_check_streets(doc, c, by_name), c)[0], tick
    )
    streets, served = result if result is not None else ([], {})
    cs = Checker(shown)
    cs.problems = street_problems
    for station, lines in served.items():
        if len(lines) > 1:
            for line in lines[1:]:
                cs.add(
                    line,
                    f"station '{station}' serves two streets (first at line {lines[0]}); one subdistrict or township, one station",
                )
    for st in stations:
        if st.kind == "territorial" and st.name not in served and not cs.problems:
            cu.add(
                _station_line(units_doc, st.name),
                f"territorial station '{st.name}' serves no street",
            )
    del units_doc, served  # a country's units.yaml composed is ~50 MB: room for the communities
    problems = cu.problems + cs.problems
    if problems:
        raise DataError(problems)
    street_codes = {s.code: s.code for s in streets}
    communities: list[Community] = []
    places: list[Place] = []
    if COMMUNITIES in present:
        tick = _ticker(progress, "checking communities", raw[COMMUNITIES])
        shown = str(directory / COMMUNITIES)
        halves = (
            _communities_in_two(raw[COMMUNITIES], shown, street_codes, tick)
            if two_processes
            else None
        )
        more: list[Problem] = []
        result = None
        if halves is not None:
            if owned:
                del raw[COMMUNITIES]  # 70 MB for a country, not needed any more
            result = _joined(*halves, street_codes)
            del halves
        else:
            result, more = _stream_check(
                raw[COMMUNITIES],
                shown,
                lambda doc, c: _check_communities(doc, c, street_codes),
                tick,
            )
        communities = result or []
        problems += more
    if PLACES in present:
        ids = {s.get("id") for s in meta.get("sources") or [] if isinstance(s, dict)}
        station_names = {s.name for s in stations}
        bureau_names = {b.name for b in bureaus}
        result, more = _stream_check(
            raw[PLACES],
            str(directory / PLACES),
            lambda doc, c: _check_places(doc, c, street_codes, station_names, bureau_names, ids),
        )
        places = result or []
        problems += more
    if LANDMARKS in present:
        # a metro station's bare name is not its name as a place (人民公园 the park is not the
        # station 人民公园站), so a landmark may share it
        taken = {
            n: f"places.yaml ({p.name})"
            for p in places
            if p.kind != "metro-station"
            for n in (p.name, *p.aliases)
        }
        if not districts:
            districts = _derive_districts(streets)
        by_code = {s.code: s for s in streets}
        by_district = {d.name: d for d in districts}
        result, more = _stream_check(
            raw[LANDMARKS],
            str(directory / LANDMARKS),
            lambda doc, c: _check_landmarks(doc, c, by_code, by_district, taken),
        )
        places += result or []
        problems += more
    if problems:
        raise DataError(problems)
    codes_by_station: dict[str, list[str]] = {}
    for s in streets:
        if s.station:
            codes_by_station.setdefault(s.station, []).append(s.code)
    stations = [s._replace(streets=tuple(codes_by_station.get(s.name, ()))) for s in stations]
    if not districts:
        districts = _derive_districts(streets)
    return Dataset(
        path=str(directory),
        digest=digest,
        meta=meta,
        sub_bureaus=tuple(bureaus),
        stations=tuple(stations),
        streets=tuple(streets),
        districts=tuple(districts),
        communities=tuple(communities),
        places=tuple(places),
    )


PARALLEL_BYTES = 16 * 2**20  # from this size, communities.yaml is read in two processes


def _communities_in_two(
    raw: bytes, shown: str, streets: dict[str, str], tick: Any
) -> tuple[list[Community], list[list]] | None:
    """A big communities.yaml read and checked in two halves at once, the second in a forked
    copy of this process (forked.py): the first half's communities and the second's as
    four columns (for _joined), or None when the file should be read
    whole instead (small, no fork, not in the fast reader's form, or any problem at all, so
    that problems are reported exactly as a whole read reports them)."""
    import marshal

    from . import forked

    mid = raw.find(b"\n- ", len(raw) // 2) + 1 if len(raw) >= PARALLEL_BYTES else 0
    if not mid:
        return None
    second_line = raw.count(b"\n", 0, mid) + 1

    def read(part: tuple[int, int, int], max_events: int, tick: Any) -> list[Community] | None:
        items = fast_items(raw, shown, tick, part, max_events)
        if items is None:
            return None
        c = Checker(shown)
        try:
            out = _check_communities(LStream(items, part[2]), c, streets)
        except NotFast:
            return None
        return None if c.problems else out

    def second_half() -> bytes:  # in the copy; the two halves share the file's event budget
        out = read((mid, len(raw), second_line), (len(raw) - mid) // BYTES_PER_EVENT, None)
        if out is None:
            return marshal.dumps(None)
        return marshal.dumps([list(column) for column in zip(*out, strict=True)])  # 4 columns

    helper = forked.start(second_half)
    if helper is None:
        return None
    try:
        scaled = None
        if tick is not None:
            lines = raw.count(b"\n") or 1
            scaled = lambda line: tick(min(lines, line * lines // second_line))  # noqa: E731
        first = read((0, mid, 1), EVENT_ALLOWANCE + mid // BYTES_PER_EVENT, scaled)
        data = forked.result(helper)
        helper = None
    finally:
        if helper is not None:
            forked.stop(helper)
    if first is None or data is None:
        return None
    try:
        theirs = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    del data
    if not (isinstance(theirs, list) and len(theirs) == 4 and all(type(c) is list for c in theirs)):
        return None
    names, codes, their_streets, kinds = theirs
    mine = {c.code for c in first}
    if not (
        len(names) == len(codes) == len(their_streets) == len(kinds)
        and all(type(n) is str for n in names)
        and all(type(c) is str and c not in mine for c in codes)
        and all(s in streets for s in their_streets)
        and all(k is None or type(k) is str for k in kinds)
    ):
        return None  # a code in both halves: the whole read reports it with its lines
    return first, theirs


def _joined(first: list[Community], theirs: list[list], streets: dict[str, str]) -> list[Community]:
    """The communities of both halves (_communities_in_two), each street's code shared."""
    names, codes, their_streets, their_kinds = theirs
    kinds = {k: k for k in COMMUNITY_KINDS}
    new = tuple.__new__
    first += [
        new(Community, (n, c, streets[s], kinds.get(k, k)))
        for n, c, s, k in zip(names, codes, their_streets, their_kinds, strict=True)
    ]
    return first


def _only_syntax(doc: Any, c: Checker) -> None:
    for _ in pairs(doc) if isinstance(doc, LList | LStream) else ():
        pass


def _stream_check(raw: bytes, shown: str, check: Any, tick: Any = None) -> tuple[Any, list]:
    """check(doc, checker) on a list file, read fast when it can be (see fast_items), else
    by the YAML composer; (its result, the problems). A YAML problem (syntax, a limit) is the
    file's only problem: what was checked before it is not reported."""
    for use_fast in (True, False):
        c = Checker(shown)
        try:
            doc = read_list(raw, shown, use_fast, tick)
            return check(doc, c), c.problems
        except NotFast:
            continue
        except DataError as e:
            return None, e.problems
    return None, []  # pragma: no cover - the composer never raises NotFast


def _ticker(progress: Any, phase: str, raw: bytes) -> Any:
    """A line-number callback for the readers that reports (phase, line, lines) to progress."""
    if progress is None:
        return None
    total = raw.count(b"\n") or 1
    progress(phase, 0, total)
    return lambda line: progress(phase, line, total)


def _station_line(units: LDict, name: str) -> int:
    for b in units.get("sub_bureaus", []):
        for st in b.get("stations", []) if isinstance(b, dict) else []:
            if isinstance(st, LDict) and st.get("name") == name:
                return st.key_lines["name"]
    return 1


def _derive_districts(streets: list[Street]) -> list[District]:
    """A dataset without a districts list: each street's district, with the sub-bureau that
    serves all of it (or none when its streets are served by several or none)."""
    bureaus: dict[str, set[str | None]] = {}
    for s in streets:
        bureaus.setdefault(s.district, set()).add(s.sub_bureau)
    out = []
    for name, bs in bureaus.items():
        only = next(iter(bs)) if len(bs) == 1 else None
        out.append(District(name, None, None, (), (), only, None))
    return out
