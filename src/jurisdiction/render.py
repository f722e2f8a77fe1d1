"""Records -> table / json / jsonl / tsv / csv. One writer per format, fed by plain dicts.

The streaming formats (json, jsonl, tsv, csv) write each record as it comes; `table` needs
every row first and is meant for a terminal. rich is imported only for tables (~0.09 s).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from typing import IO, Any


FORMATS = ("table", "json", "jsonl", "tsv", "csv")

# Backslash escapes for tab, newline, CR and backslash, and \x.. / \u.... for the other
# characters that str.splitlines() (and some editors) take as a line end, so that one record
# is always one line.
_TSV_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\\n",
        "\r": "\\r",
        **{c: f"\\x{ord(c):02x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85"},
        **{c: f"\\u{ord(c):04x}" for c in "\u2028\u2029"},
    }
)

# What a terminal must never receive raw from a query, a dataset or a web reply: C0 and C1
# control characters (ESC starts colour and OSC sequences, BEL rings, CR rewrites the line)
# and DEL, shown as \x.. escapes; the line and paragraph separators as \u2028, \u2029.
_CONTROL_ESCAPES = {
    **{i: f"\\x{i:02x}" for i in (*range(0x20), *range(0x7F, 0xA0))},
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def printable(text: str) -> str:
    """Text safe to show on a terminal: control characters escaped (see _CONTROL_ESCAPES).
    Every human-facing output (table, notes, --explain, stderr lines, show) goes through
    this; tsv, csv and json keep the data as it is (with their own escapes)."""
    if text.isprintable():
        return text
    return text.translate(_CONTROL_ESCAPES)


def display_width(text: str) -> int:
    """Columns a text takes on a terminal: a wide (CJK) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell(value: Any) -> str:
    """A field as flat text: null empty, booleans lower case, lists joined with '、'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "、".join(_list_item(v) for v in value)
    return str(value)


def _list_item(v: Any) -> str:
    if isinstance(v, dict):
        return (
            v.get("name")
            or v.get("street")
            or v.get("station")
            or v.get("sub_bureau")
            or v.get("district")
            or ""
        )
    return cell(v)


def tsv_line(values: Iterable[Any]) -> str:
    """Tab-separated, with backslash escapes for tab, newline, CR and backslash inside fields."""
    parts = [v if v.__class__ is str else cell(v) for v in values]
    joined = "".join(parts)
    if "\\" in joined or not joined.isprintable():  # the common line needs no escaping
        parts = [p.translate(_TSV_ESCAPES) for p in parts]
    return "\t".join(parts) + "\n"


def csv_line(values: Iterable[Any]) -> str:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([cell(v) for v in values])
    return buf.getvalue()


def project(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {f: record.get(f) for f in fields}


class Writer:
    """Writes records in one format to a text stream, streaming where the format allows."""

    def __init__(
        self,
        out: IO[str],
        fmt: str,
        fields: list[str],
        *,
        header: bool = False,
        json_fields: list[str] | None = None,
        width: int | None = None,
        title: str | None = None,
    ) -> None:
        self.out = out
        self.fmt = fmt
        self.fields = fields
        self.json_fields = json_fields
        self.header = header
        self.width = width
        self.title = title
        self.rows: list[dict[str, Any]] = []
        self.count = 0

    def start(self) -> None:
        if self.fmt == "tsv" and self.header:
            self.out.write(tsv_line(self.fields))
        elif self.fmt == "csv":
            self.out.write(csv_line(self.fields))
        elif self.fmt == "json":
            self.out.write("[")

    def write_row(self, values: list[Any]) -> None:
        """A record given as the values of self.fields, in order (tsv and csv only)."""
        if self.fmt == "tsv":
            self.out.write(tsv_line(values))
        else:
            self.out.write(csv_line(values))
        self.count += 1

    def write(self, record: dict[str, Any]) -> None:
        fmt = self.fmt
        if fmt == "tsv":
            self.out.write(tsv_line(record.get(f) for f in self.fields))
        elif fmt == "jsonl":
            self.out.write(_json(record, self.json_fields) + "\n")
        elif fmt == "csv":
            self.out.write(csv_line(record.get(f) for f in self.fields))
        elif fmt == "json":
            self.out.write(
                ("\n  " if self.count == 0 else ",\n  ") + _json(record, self.json_fields)
            )
        else:
            self.rows.append(record)
        self.count += 1

    def finish(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        elif self.fmt == "table":
            render_table(self.out, self.fields, self.rows, width=self.width, title=self.title)


def _json(record: dict[str, Any], fields: list[str] | None) -> str:
    import json

    if fields is not None:
        record = project(record, fields)
    # Chinese stays readable; the three characters JSON leaves raw that line-splitters
    # (Python's splitlines, some editors) treat as line ends are escaped, so that one record
    # is always one line.
    return json.dumps(record, ensure_ascii=False).translate(_JSON_LINE_BREAKS)


_JSON_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
# Public: JSON Lines writers elsewhere (tables_io) escape the same line breaks.
JSON_LINE_BREAKS = _JSON_LINE_BREAKS


def render_table(
    out: IO[str],
    fields: list[str],
    rows: list[dict[str, Any]],
    *,
    width: int | None = None,
    title: str | None = None,
) -> None:
    import io

    from rich.console import Console
    from rich.table import Table

    if title is not None:
        title = printable(title)
    table = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    for f in fields:
        numeric = bool(rows) and all(
            isinstance(r.get(f), int) and not isinstance(r.get(f), bool) for r in rows
        )
        table.add_column(f, overflow="fold", justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*(_table_cell(f, r.get(f)) for f in fields))
    isatty = hasattr(out, "isatty") and out.isatty()
    if width is None and not isatty:
        # Not a terminal: no wrapping at 80 columns; COLUMNS still decides when set.
        width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 200
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, highlight=False, soft_wrap=False, force_terminal=isatty
    )
    console.print(table)
    out.write("\n".join(line.rstrip() for line in buf.getvalue().split("\n")))
    notes = [
        _note_line(r) for r in rows if r.get("candidates") or (r.get("note") and r.get("status"))
    ]
    for line in notes:
        out.write(printable(line) + "\n")


def _note_line(r: dict[str, Any]) -> str:
    """Below a table of answers: what the table has no room for (candidates, notes)."""
    parts = []
    for c in r.get("candidates") or []:
        where = c.get("street") or c.get("district") or ""
        if c.get("district") and c.get("street"):
            where += f" ({c['district']})"
        if c.get("place"):
            where = f"{c['place']}, {where}" if where else c["place"]
        to = (
            c.get("station")
            or (c.get("sub_bureau") and f"{c['sub_bureau']}, station unknown")
            or "outside"
        )
        parts.append(f"{where} → {to}".strip())
    text = f"  {r.get('query')}: {r.get('status')}"
    if parts:
        text += " — " + "; ".join(parts)
    if r.get("note"):
        text += f" [{r['note']}]"
    return text


def _table_cell(field: str, value: Any) -> str:
    from rich.markup import escape

    text = printable(cell(value))
    return escape(text) if text else "—" if value is None else ""


def write_all(
    out: IO[str], fmt: str, fields: list[str], records: Iterable[dict[str, Any]], **kw: Any
) -> int:
    w = Writer(out, fmt, fields, **kw)
    w.start()
    for r in records:
        w.write(r)
    w.finish()
    return w.count
