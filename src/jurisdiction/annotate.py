"""`jur annotate`: the same table back, every row with its station.

The table is read (tables_io: CSV/TSV in any encoding an office writes, or one sheet of an
.xlsx), the address of each row is the text of the chosen columns joined, each different
address is resolved once (offline, then online with --online, as `jur find` does), and the
table is written with every original column, row and order kept plus the answer columns.

Rows stream in batches: a CSV of any size is read and written in bounded memory (an .xlsx
is loaded whole). The output goes through files.atomic_writer: Ctrl-C or an error leaves no
half-written file, and an existing file is replaced only by a complete one.
"""

from __future__ import annotations

import os
import sys

from .errors import Exit, UsageError
from .model import Answer
from .tables_io import Unclosing, one_line, printable, undecoded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO, Any, BinaryIO

    from .index import Index
    from .tables_io import TextTable, XlsxTable

DEFAULT_FIELDS = ["station", "sub_bureau", "street", "district", "status", "score", "note"]
OUTPUT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".jsonl": "jsonl"}
BATCH = 2048  # rows resolved and written at a time
SEEN_MAX = 20_000  # addresses remembered across batches (then forgotten: memory stays flat)


def output_format(output: str | None, table_format: str) -> str:
    if output is None:
        return table_format
    ext = os.path.splitext(output)[1].lower()
    if ext not in OUTPUT_FORMATS:
        raise UsageError(f"--output {one_line(output)}: name a .csv, .tsv, .xlsx or .jsonl file")
    return OUTPUT_FORMATS[ext]


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def pick_columns(header: list[str], wanted: list[str], name: str) -> list[int]:
    """0-based positions of the columns named (a header name, else a 1-based number)."""
    stripped = [h.strip().removeprefix("\ufeff") for h in header]
    picked = []
    for w in wanted:
        key = w.strip()
        if key in stripped:
            picked.append(stripped.index(key))
        elif key.isdigit() and 1 <= int(key) <= len(header):
            picked.append(int(key) - 1)
        else:
            listed = ", ".join(f"{i} {one_line(h) or '(no name)'}" for i, h in enumerate(header, 1))
            raise UsageError(
                f"no column '{one_line(w)}' in {one_line(name)}; its columns: {listed}"
            )
    return picked


def answer_names(header: list[str], fields: list[str], prefix: str) -> list[str]:
    names = [prefix + f for f in fields]
    existing = {h.strip() for h in header}
    clash = [n for n in names if n in existing]
    if clash:
        hint = "choose another --prefix" if prefix else "add --prefix (e.g. --prefix jur_)"
        raise UsageError(f"the table already has a column named '{one_line(clash[0])}'; {hint}")
    return names


def online_step(index: Index, **options: Any) -> Any:
    """The online step of `jur find --online`, made the way run_find makes it (one place, so
    that a move of the online code touches one import)."""
    from .online import OnlineStep

    given = {k: v for k, v in options.items() if v is not None}
    return OnlineStep.from_env(index, **given)


class Progress:
    """A rich progress bar on stderr (rows done, rows per second, time left); only made when
    stderr is a terminal."""

    def __init__(self, total: int, err: IO[str]) -> None:
        import time

        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self.time = time.monotonic
        self.start = self.time()
        self.bar = Bar(
            TextColumn("annotate"),
            BarColumn(),
            TextColumn("{task.fields[rows]:,} rows"),
            TextColumn("{task.fields[speed]}"),
            TimeRemainingColumn(),
            console=Console(file=err),
            transient=True,
        )
        self.task = self.bar.add_task("annotate", total=total or None, rows=0, speed="")
        self.bar.start()

    def update(self, done: int, rows: int) -> None:
        elapsed = self.time() - self.start
        speed = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        self.bar.update(self.task, completed=done, rows=rows, speed=speed)

    def stop(self) -> None:
        self.bar.stop()


def run_annotate(
    path: str,
    columns: list[str],
    *,
    output: str | None = None,
    sheet: str | None = None,
    fields: str | None = None,
    prefix: str = "",
    encoding: str | None = None,
    excel: bool = False,
    online: bool = False,
    data: str | None = None,
    crs: str = "gcj02",
    online_max_age: int | None = None,
    online_rate: float | None = None,
    online_workers: int | None = None,
    online_timeout: float | None = None,
    stdin: BinaryIO | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    index: Index | None = None,
    progress: bool | None = None,
) -> int:
    from .commands import FIND_FIELDS, parse_fields
    from .index import open_index
    from .tables_io import check_encoding, open_table

    err = err or sys.stderr
    if not columns:
        raise UsageError("--column is required: the column (or columns) holding the address")
    chosen = parse_fields(fields, FIND_FIELDS) or DEFAULT_FIELDS
    if encoding:
        check_encoding(encoding)
    if output is not None:
        output_format(output, "csv")  # a bad extension is refused before any work
        if path != "-" and same_file(path, output):
            raise UsageError(
                f"--output {one_line(output)} is the input file: write to another file"
            )
    index = index or open_index(data)
    table = open_table(path, sheet=sheet, encoding=encoding, stdin=stdin)
    try:
        fmt = output_format(output, table.format)
        if fmt == "xlsx" and output is None:
            raise UsageError(
                "an .xlsx table cannot go to stdout: give --output OUT.xlsx (or .csv, .tsv, .jsonl)"
            )
        picked = pick_columns(table.header, columns, table.name)
        names = answer_names(table.header, chosen, prefix)
        step = None
        if online:
            step = online_step(
                index,
                crs=crs,
                max_age=online_max_age,
                rate=online_rate,
                workers=online_workers,
                timeout=online_timeout,
            )
        for line in getattr(table, "warnings", ()):
            err.write(line + "\n")
        note = getattr(getattr(table, "detected", None), "note", None)
        if note:
            err.write(note + "\n")
        err.flush()
        job = Job(table, picked, chosen, names, fmt, index, step)
        try:
            if output is None:
                all_found = job.to_stdout(out, excel=excel, err=err, progress=progress)
            else:
                all_found = job.to_file(output, excel=excel, err=err, progress=progress)
        except BaseException:
            if step is not None:
                step.abort()
            raise
        if step is not None:
            step.finish()  # after the file is complete: OnlineStopped / OnlineUnavailable
    finally:
        table.close()
    return Exit.OK if all_found else Exit.NOT_ALL_FOUND


class Job:
    """One run of annotate: rows in, answers looked up once per address, rows out."""

    def __init__(
        self,
        table: TextTable | XlsxTable,
        picked: list[int],
        fields: list[str],
        names: list[str],
        fmt: str,
        index: Index,
        step: Any,
    ) -> None:
        self.table = table
        self.answer_names = names
        self.picked = picked
        self.fields = fields
        self.fmt = fmt
        self.index = index
        self.step = step
        self.width = table.width
        # a workbook's cells written as CSV or JSONL: merged cells filled, CSV as text
        self.unmerge = table.kind == "xlsx" and fmt != "xlsx"
        # a CSV or TSV out in the format it came in: each record is written back as the very
        # text it was read from (quoting kept as it was), then its answers
        self.passthrough = table.kind == "text" and fmt == table.format
        self.all_found = True
        detected = getattr(table, "detected", None)
        self.codec = detected.codec if detected else "utf-8"
        self.lenient = detected is not None and detected.errors != "strict"
        self.seen: dict[str, Any] = {}  # address -> its answer cells (or text, passthrough)

    # --- where the rows go --------------------------------------------------------------

    def to_stdout(
        self, out: IO[str] | None, *, excel: bool, err: IO[str], progress: bool | None
    ) -> bool:
        import io

        tty = False
        if out is None:
            out = io.TextIOWrapper(
                Unclosing(sys.stdout.buffer),
                encoding="utf-8",
                errors="surrogateescape",
                newline="",
            )
            tty = _isatty(sys.stdout)
        if progress is None:
            progress = not tty and _isatty(err)
        if excel:
            out.write("\ufeff")
        try:
            self.write(out, None, err if progress else None, tty=tty)
        finally:
            out.flush()
        return self.all_found

    def to_file(self, output: str, *, excel: bool, err: IO[str], progress: bool | None) -> bool:
        import io

        from .files import atomic_writer

        if progress is None:
            progress = _isatty(err)
        with atomic_writer(output, binary=True) as f:
            if self.fmt == "xlsx":
                self.write(None, f, err if progress else None)
            else:
                text = io.TextIOWrapper(
                    Unclosing(f),
                    encoding="utf-8-sig" if excel and self.fmt in ("csv", "tsv") else "utf-8",
                    errors="surrogateescape",
                    newline="",
                )
                self.write(text, None, err if progress else None)
                text.flush()
        return self.all_found

    def writer(self, text: IO[str] | None, binary: BinaryIO | None, *, tty: bool) -> Any:
        from . import tables_io as tio

        table = self.table
        if self.fmt == "jsonl":
            return tio.JsonlWriter(text, self.codec, tty=tty)
        if self.fmt == "xlsx":
            if table.kind == "xlsx":
                return tio.XlsxInPlaceWriter(binary, table)
            return tio.XlsxWriter(binary, self.codec)
        delimiter = "\t" if self.fmt == "tsv" else getattr(table, "delimiter", ",")
        if delimiter == "\t" and self.fmt == "csv":
            delimiter = ","
        ending = getattr(table, "lineterminator", "\r\n")
        return tio.DelimitedWriter(text, delimiter, ending, tty=tty)

    # --- the rows -----------------------------------------------------------------------

    def write(
        self,
        text: IO[str] | None,
        binary: BinaryIO | None,
        progress_err: IO[str] | None,
        *,
        tty: bool = False,
    ) -> None:
        from itertools import islice

        table = self.table
        if self.passthrough:
            assert text is not None
            put = self.lines_writer(text, tty=tty)
            records: Iterator[Any] = table.records()
        else:
            writer = self.writer(text, binary, tty=tty)
            writer.header([*table.header, *self.answer_names])
            put = writer.rows
            records = table.rows()
        bar = Progress(table.total, progress_err) if progress_err is not None else None
        count = 0
        try:
            while batch := list(islice(records, BATCH)):
                put(self.annotate(batch, count))
                count += len(batch)
                if bar is not None:
                    bar.update(table.done(), count)
            if not self.passthrough:
                writer.close()
        finally:
            if bar is not None:
                bar.stop()

    def lines_writer(self, out: IO[str], *, tty: bool) -> Any:
        """Writes the header line now; returns what writes a batch of finished lines."""
        table = self.table
        body, end = split_ending(table.header_line, table.lineterminator)
        line = body + table.delimiter + self.joined(self.answer_names) + end
        out.write(printable(line) if tty else line)

        def put(lines: list[str]) -> None:
            chunk = "".join(lines)
            out.write(printable(chunk) if tty else chunk)

        return put

    def joined(self, cells: list[Any]) -> str:
        """Cells as one CSV/TSV text, quoted where needed (as the csv module quotes)."""
        from .render import cell

        d = self.table.delimiter
        texts = [v if v.__class__ is str else cell(v) for v in cells]
        plain = d.join(texts)
        if '"' in plain or "\n" in plain or "\r" in plain or plain.count(d) != len(texts) - 1:
            import csv
            import io

            buf = io.StringIO()
            csv.writer(buf, delimiter=d, lineterminator="").writerow(texts)
            return buf.getvalue()
        return plain

    def annotate(self, batch: list[Any], first: int) -> list[Any]:
        """The rows with their answer cells: short rows padded to the header's width, cells
        beyond it kept after the answers. Passthrough: finished lines of text."""
        width = self.width
        rows = [r[0] for r in batch] if self.passthrough else batch
        if self.table.kind == "text" and len(self.picked) == 1:  # the common case, quicker
            c = self.picked[0]
            addresses: list[Any] = [
                row[c].strip() if len(row) > c else self.address(row, first + i)
                for i, row in enumerate(rows)
            ]
        else:
            addresses = [self.address(row, first + i) for i, row in enumerate(rows)]
        self.look_up([a for a in addresses if a.__class__ is str])
        seen = self.seen
        out: list[Any] = []
        if self.passthrough:
            d = self.table.delimiter
            ending = self.table.lineterminator
            for (row, text), address in zip(batch, addresses, strict=True):
                cells, suffix = seen[address] if address.__class__ is str else self.pack(address)
                n = len(row)
                if n > width:  # cells beyond the header's: kept, after the answers
                    out.append(self.joined([*row[:width], *cells, *row[width:]]) + ending)
                    continue
                body, end = split_ending(text, ending)
                if n < width:
                    body += d * (width - max(n, 1))
                out.append(body + suffix + end)
            return out
        if self.unmerge:
            rows = [self.unmerged(row, first + i) for i, row in enumerate(rows)]
        blank = [""] * width
        for row, address in zip(rows, addresses, strict=True):
            cells = seen[address] if address.__class__ is str else self.cells(address)
            n = len(row)
            if n == width:
                out.append(row + cells)
            elif n < width:
                out.append(row + blank[n:] + cells)
            else:
                out.append(row[:width] + cells + row[width:])
        return out

    def unmerged(self, row: list[Any], n: int) -> list[Any]:
        from .tables_io import cell_text

        merged = self.table.merged_value
        row = [merged(n, c) if v is None else v for c, v in enumerate(row)]
        return row if self.fmt == "jsonl" else [cell_text(v) for v in row]

    def address(self, row: list[Any], n: int) -> str | Answer:
        """The text of the chosen cells joined, or the Answer that says why there is none."""
        parts = []
        text = self.table.text
        for c in self.picked:
            if c >= len(row):
                return Answer(
                    "",
                    "not_found",
                    note=f"row {n + 1} has {len(row)} cells, the header {self.width}: "
                    f"no cell in column {c + 1}",
                )
            value = row[c]
            if value is None:
                value = self.table.merged_value(n, c)
            part = text(value).strip()
            if part:
                parts.append(part)
        return parts[0] if len(parts) == 1 else " ".join(parts)

    def look_up(self, addresses: list[str]) -> None:
        """Resolve each address not seen yet, once (offline, then online when asked)."""
        from .resolve import resolve

        seen = self.seen
        new = list(dict.fromkeys(a for a in addresses if a not in seen))
        if not new:
            return
        if len(seen) + len(new) > SEEN_MAX:  # forget the old ones; this batch's stay
            seen.clear()
            new = list(dict.fromkeys(addresses))
        index = self.index
        answers = []
        for a in new:
            if self.lenient and undecoded(a):
                shown = a.encode(self.codec, "surrogateescape").decode(
                    self.codec, "backslashreplace"
                )
                answers.append(Answer(shown, "not_found", note=f"not valid {_label(self.codec)}"))
            else:
                answers.append(resolve(a, index))
        if self.step is not None:
            answers = list(self.step.complete(answers))
        pack = self.pack if self.passthrough else self.cells
        for a, answer in zip(new, answers, strict=True):
            seen[a] = pack(answer)

    def pack(self, answer: Answer) -> tuple[list[Any], str]:
        """The answer's cells, and their text to put after a record (passthrough)."""
        cells = self.cells(answer)
        return cells, self.table.delimiter + self.joined(cells)

    def cells(self, answer: Answer) -> list[Any]:
        from .render import cell

        if answer.status != "found":
            self.all_found = False
        values = []
        native = self.fmt in ("xlsx", "jsonl")
        for f in self.fields:
            v = getattr(answer, f)
            if f == "candidates":
                v = cell([c.as_dict() for c in v]) if v else ""
            elif native and (v is None or isinstance(v, int | bool)):
                pass  # numbers and booleans stay numbers in a workbook or JSON
            else:
                v = cell(v)
            values.append(v)
        return values


def split_ending(text: str, default: str) -> tuple[str, str]:
    """A record's text and its line ending (the table's usual one where it has none: the
    last line of a file without a final newline)."""
    if text.endswith("\r\n"):
        return text[:-2], "\r\n"
    if text.endswith(("\n", "\r")):
        return text[:-1], text[-1]
    return text, default


def _label(codec: str) -> str:
    from .tables_io import label

    return label(codec)


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:
        return False
