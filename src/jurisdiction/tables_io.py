"""Tables in and out, and the encodings offices write: what `jur annotate` reads and writes,
and how `jur find` decodes its stdin.

Encodings (both commands): UTF-8 with or without a byte order mark, UTF-16 with one, and
GB18030 (which contains GBK and GB2312: what Chinese Excel writes by default). The rule,
documented in the README:

  1. a byte order mark decides (UTF-8 or UTF-16);
  2. otherwise the input is UTF-8 when it decodes as UTF-8, else GB18030 when it decodes as
     GB18030; a file given to `annotate` is checked whole (one pass, a chunk at a time);
  3. bytes that fit neither keep the encoding that decodes more lines (UTF-8 on a tie), and
     each line or cell that does not decode answers `not_found` with a note, as before.

`jur find` answers stdin as it arrives, so it cannot wait for the whole input: it decides on
the first block it reads that holds a byte that is not ASCII (ASCII lines before it read the
same in both encodings and are answered at once), and keeps that decision; a later line that
does not decode gets its `not_found` record and note. `--encoding` overrides the detection.
When the encoding used is not UTF-8, one line on stderr says which.

Only the standard library is imported at the top: `jur find` reading stdin imports this
module. csv is imported where a table is read; openpyxl (the `excel` extra) only for .xlsx.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator

from .errors import UsageError

TYPE_CHECKING = False  # typing costs ~4-8 ms at start-up: imported for checkers only
if TYPE_CHECKING:
    from typing import IO, Any, BinaryIO

CHUNK = 1 << 16  # what `find` reads at a time (as commands.read_lines)
CHECK_CHUNK = 1 << 20  # what the whole-file check reads at a time
SNIFF_CHARS = 1 << 16  # the sample the delimiter is chosen from
DELIMITERS = (",", "\t", ";", "|")
MAX_CELL = 16 << 20  # a longer cell is an unclosed quote, not data: refused with its row
XLSX_MAX_ROWS = 1_048_576  # what Excel opens
EXCEL_EXTRA = "pip install 'jur[excel]'"

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}


def label(codec: str) -> str:
    """How an encoding is named to people: GB18030, UTF-16, or the codec's own name."""
    return LABELS.get(codec) or codecs.lookup(codec).name.upper()


def check_encoding(name: str) -> str:
    """The codec for --encoding NAME (utf-8, utf-8-sig, utf-16, gb18030, gbk, ...), or a
    UsageError. GBK and GB2312 are read as GB18030, which contains them."""
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise UsageError(
            f"unknown encoding '{printable(name)}'; try utf-8, utf-8-sig, utf-16 or gb18030"
        )
    codec = info.name
    if codec in ("gbk", "gb2312"):
        return "gb18030"
    return codec


def ascii_compatible(codec: str) -> bool:
    """Whether the codec writes ASCII (and so the newline byte) as ASCII: lines can be split
    on b'\\n' before decoding."""
    try:
        return "a\n,\t\r".encode(codec) == b"a\n,\t\r"
    except (UnicodeError, LookupError):
        return False


_CONTROLS = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0)])
_CONTROLS.pop(0x09)
_CONTROLS.pop(0x0A)


def printable(text: str) -> str:
    """Text from a file made safe for a terminal: control characters as \\xNN escapes (tab and
    newline kept), and bytes that did not decode (surrogate escapes) as \\xNN too."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        o = ord(ch)
        if o in _CONTROLS or o in (0x2028, 0x2029):
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")
        elif 0xDC80 <= o <= 0xDCFF:  # a byte that did not decode (surrogateescape)
            out.append(f"\\x{o - 0xDC00:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """printable(), with tab and newline escaped too: for a message on one stderr line."""
    return printable(text).replace("\t", "\\t").replace("\n", "\\n")


def undecoded(text: str) -> bool:
    """Whether text holds bytes that did not decode (read with errors='surrogateescape')."""
    return any(0xDC80 <= ord(ch) <= 0xDCFF for ch in text) if not text.isascii() else False


# --- find: stdin, line by line --------------------------------------------------------------


class _Prefixed:
    """A binary stream whose first read returns bytes already read from it."""

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        self.first = first
        self.read_more = getattr(stream, "read1", stream.read)

    def read1(self, n: int = -1) -> bytes:
        if self.first:
            chunk, self.first = self.first, b""
            return chunk
        return self.read_more(n)

    read = read1


class LineDecoder:
    """Decodes `jur find`'s stdin into lines, deciding the encoding once (see the module's
    comment). `batches` yields, per read, the lines' texts and {position: note} for the lines
    that did not decode (their text then shows the bad bytes as \\xNN)."""

    def __init__(
        self, encoding: str | None = None, announce: Callable[[str], Any] | None = None
    ) -> None:
        self.forced = check_encoding(encoding) if encoding else None
        self.codec: str | None = self.forced
        self.announce = announce

    def _say(self, codec: str, why: str) -> None:
        if self.announce is not None:
            self.announce(f"jur: input read as {label(codec)} ({why}); --encoding chooses another")

    def batches(self, stream: BinaryIO) -> Iterator[tuple[list[str], dict[int, str]]]:
        from .commands import read_lines

        read = getattr(stream, "read1", stream.read)
        first = read(CHUNK)
        if not first:
            return
        if self.codec is None and first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            self.codec = "utf-16"
            self._say("utf-16", "it starts with a UTF-16 byte order mark")
        if self.codec is not None and not ascii_compatible(self.codec):
            yield from self._text_batches(first, stream, self.codec)
            return
        for batch in read_lines(_Prefixed(first, stream)):
            yield self.decode(batch)

    def decode(self, batch: list[bytes]) -> tuple[list[str], dict[int, str]]:
        codec = self.codec
        if codec is None:
            joined = b"\n".join(batch)
            if joined.isascii():  # the same in every encoding read here: no decision yet
                return joined.decode("ascii").split("\n"), {}
            codec = self.codec = self.decide(batch)
        try:  # the common case: the whole read decodes at once (no line holds b"\n")
            return b"\n".join(batch).decode(codec).split("\n"), {}
        except UnicodeDecodeError:
            pass
        texts: list[str] = []
        bad: dict[int, str] = {}
        for i, raw in enumerate(batch):
            try:
                texts.append(raw.decode(codec))
            except UnicodeDecodeError:
                texts.append(raw.decode(codec, "backslashreplace"))
                bad[i] = f"not valid {label(codec)}"
        return texts, bad

    def decide(self, batch: list[bytes]) -> str:
        lines = [raw for raw in batch if not raw.isascii()]
        utf8 = sum(1 for raw in lines if _decodes(raw, "utf-8"))
        if utf8 == len(lines):
            return "utf-8"
        gb = sum(1 for raw in lines if _decodes(raw, "gb18030"))
        if gb > utf8:
            self._say("gb18030", "it is not UTF-8")
            return "gb18030"
        return "utf-8"

    def _text_batches(
        self, first: bytes, stream: BinaryIO, codec: str
    ) -> Iterator[tuple[list[str], dict[int, str]]]:
        """Lines of an encoding that is not ASCII-compatible (UTF-16): decoded first, then
        split. A character that does not decode becomes U+FFFD and its line gets a note."""
        read = getattr(stream, "read1", stream.read)
        decoder = codecs.getincrementaldecoder(codec)("replace")
        pieces: list[str] = []
        chunk = first
        start = True
        while chunk:
            text = decoder.decode(chunk)
            chunk = read(CHUNK)
            if start and text:
                text = text.removeprefix("\ufeff")
                start = False
            if "\n" not in text:
                pieces.append(text)
                continue
            lines = text.split("\n")
            if pieces:
                pieces.append(lines[0])
                lines[0] = "".join(pieces)
                pieces = []
            tail = lines.pop()
            if tail:
                pieces.append(tail)
            yield self._checked(lines, codec)
        pieces.append(decoder.decode(b"", final=True))
        last = "".join(pieces)
        if last:
            yield self._checked([last], codec)

    @staticmethod
    def _checked(lines: list[str], codec: str) -> tuple[list[str], dict[int, str]]:
        texts = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        bad = {i: f"not valid {label(codec)}" for i, t in enumerate(texts) if "\ufffd" in t}
        return texts, bad


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


# --- annotate: a whole file -----------------------------------------------------------------


class Detected:
    """The encoding a table is read with: codec, the errors mode, and the stderr line (None
    for UTF-8)."""

    def __init__(self, codec: str, errors: str = "strict", note: str | None = None) -> None:
        self.codec = codec
        self.errors = errors
        self.note = note

    @property
    def label(self) -> str:
        return label(self.codec)


def _whole_decodes(f: BinaryIO, codec: str, skip: int = 0) -> bool:
    """Whether the whole file decodes in codec, read a chunk at a time (bounded memory)."""
    f.seek(skip)
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        while chunk := f.read(CHECK_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        f.seek(0)
    return True


def _bad_lines(f: BinaryIO, codec: str) -> int:
    """How many lines of the file do not decode in codec (an ASCII-compatible one)."""
    f.seek(0)
    bad = 0
    rest = b""
    while chunk := f.read(CHECK_CHUNK):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        bad += sum(1 for raw in lines if not raw.isascii() and not _decodes(raw, codec))
    if rest and not _decodes(rest, codec):
        bad += 1
    f.seek(0)
    return bad


def detect_encoding(f: BinaryIO, name: str, forced: str | None = None) -> Detected:
    """The encoding of a whole seekable file, by the rule in the module's comment."""
    head = f.read(4)
    f.seek(0)
    if forced:
        codec = check_encoding(forced)
        errors = "surrogateescape" if ascii_compatible(codec) else "replace"
        return Detected(codec, errors, None)
    for bom, codec in BOMS:
        if head.startswith(bom):
            if _whole_decodes(f, codec):
                note = (
                    None
                    if codec == "utf-8-sig"
                    else f"jur: {name}: read as {label(codec)} (it starts with a byte order mark)"
                )
                return Detected(codec, "strict", note)
            errors = "surrogateescape" if codec == "utf-8-sig" else "replace"
            return Detected(
                codec,
                errors,
                f"jur: {name}: read as {label(codec)} (its byte order mark says so), but some "
                "bytes do not decode: their cells keep them, their answers say so",
            )
    if _whole_decodes(f, "utf-8"):
        return Detected("utf-8")
    if _whole_decodes(f, "gb18030"):
        return Detected(
            "gb18030",
            note=f"jur: {name}: read as GB18030 (it is not UTF-8); --encoding chooses another",
        )
    utf8, gb = _bad_lines(f, "utf-8"), _bad_lines(f, "gb18030")
    codec, bad = ("gb18030", gb) if gb < utf8 else ("utf-8", utf8)
    return Detected(
        codec,
        "surrogateescape",
        f"jur: {name}: neither UTF-8 nor GB18030 throughout; read as {label(codec)}, "
        f"{bad} line{'s' if bad != 1 else ''} of it do not decode (their cells keep the bytes, "
        "their answers say so); --encoding chooses another",
    )


def open_input(path: str, stdin: BinaryIO | None = None) -> tuple[BinaryIO, str]:
    """A seekable binary file for PATH (or stdin for '-': copied to a temporary file unless
    it is a regular file already), and the name to show in messages."""
    if path == "-":
        source = stdin if stdin is not None else sys.stdin.buffer
        try:
            seekable = source.seekable() and source.tell() == 0
        except OSError:
            seekable = False
        if seekable:
            return source, "stdin"
        import shutil
        import tempfile

        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
        shutil.copyfileobj(source, spool, CHECK_CHUNK)
        spool.seek(0)
        return spool, "stdin"
    try:
        if os.path.isdir(path):
            raise UsageError(f"cannot read {one_line(path)}: it is a directory")
        f = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as e:
        raise UsageError(f"cannot read {one_line(path)}: {e.strerror or e}") from None
    return f, os.path.basename(path)


def input_kind(f: BinaryIO, path: str) -> str:
    """'xlsx' or 'text' (CSV, TSV): by the file's first bytes, then its name."""
    head = f.read(8)
    f.seek(0)
    lower = path.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or lower.endswith(".xls"):
        raise UsageError(
            f"{one_line(os.path.basename(path))}: an old binary Excel file (.xls); "
            "save it as .xlsx or CSV first"
        )
    if head.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "text"


# --- delimited text -------------------------------------------------------------------------


class TextTable:
    """A CSV or TSV file read as rows of strings, streaming. `header` is its first row."""

    kind = "text"

    def __init__(
        self,
        f: BinaryIO,
        name: str,
        *,
        path: str = "",
        encoding: str | None = None,
    ) -> None:
        import csv
        import io

        csv.field_size_limit(MAX_CELL)
        self.f = f
        self.name = name
        self.detected = detect_encoding(f, name, encoding)
        self.codec = self.detected.codec
        sample = self._text().read(SNIFF_CHARS)
        f.seek(0)
        lower = path.lower()
        if lower.endswith((".tsv", ".tab")):
            self.delimiter = "\t"
        else:
            self.delimiter = sniff_delimiter(sample)
        self.lineterminator = "\r\n" if "\r\n" in sample else "\n"
        self.format = "tsv" if self.delimiter == "\t" else "csv"
        try:
            self.size = os.fstat(f.fileno()).st_size
        except (OSError, io.UnsupportedOperation, AttributeError):
            self.size = 0
        self._stream = self._text()
        self._line = 0
        self._records = self._read_records()
        first = next(self._records, None)
        if first is None:
            raise UsageError(f"{one_line(name)} is empty: no header row")
        self.header: list[str] = first[0]
        self.header_line = first[1]
        first = self.header
        self.width = len(first)
        self.total = self.size  # progress counts bytes read

    def _text(self) -> IO[str]:
        import io

        self.f.seek(0)
        return io.TextIOWrapper(
            Unclosing(self.f),
            encoding=self.codec,
            errors=self.detected.errors,
            newline="",
        )

    def rows(self) -> Iterator[list[str]]:
        for row, _text in self._records:
            yield row

    def records(self) -> Iterator[tuple[list[str], str]]:
        """Each row with the text it was read from (its line or lines, ending included), so
        that it can be written back exactly as it was, quotes and all."""
        return self._records

    def _read_records(self) -> Iterator[tuple[list[str], str]]:
        """A line with no quote is split as it is (what the csv module would do, 5x faster);
        a line with one goes to the csv module, with as many more lines as its record takes."""
        import csv

        d = self.delimiter
        lines = iter(self._stream)
        for line in lines:
            self._line += 1
            if '"' not in line:
                body = line.rstrip("\r\n")
                yield (body.split(d) if body else []), line
                continue
            taken = [line]

            def more(first: str = line, taken: list[str] = taken) -> Iterator[str]:
                yield first
                for extra in lines:
                    self._line += 1
                    taken.append(extra)
                    yield extra

            start = self._line
            try:
                row = next(csv.reader(more(), delimiter=d), [])
            except csv.Error as e:
                why = str(e)
                if "field limit" in why:
                    why = f"a cell runs on past {MAX_CELL >> 20} MiB: is a quote left open there?"
                raise UsageError(f"{one_line(self.name)}: line {start}: {why}") from None
            yield row, "".join(taken)

    def done(self) -> int:
        """Bytes read so far (for the progress bar)."""
        try:
            return self.f.tell()
        except OSError:
            return 0

    def merged_value(self, row: int, col: int) -> Any:
        return None

    @staticmethod
    def text(value: Any) -> str:
        return value

    def close(self) -> None:
        self.f.close()


class Unclosing:
    """Lets a TextIOWrapper read a binary file without closing it when it is dropped."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def close(self) -> None:
        pass

    @property
    def closed(self) -> bool:
        return self._f.closed


def sniff_delimiter(sample: str) -> str:
    """The one of , tab ; | that splits the sample's first lines into the most consistent
    number of columns (more than one), the header's count first; ',' when none does."""
    import csv
    import io

    cut = sample.rfind("\n")
    if cut > 0:
        sample = sample[:cut]
    best = (0.0, 0, ",")
    for d in DELIMITERS:
        try:
            rows = []
            for row in csv.reader(io.StringIO(sample), delimiter=d):
                if row:
                    rows.append(len(row))
                if len(rows) >= 50:
                    break
        except csv.Error:
            continue
        if not rows or rows[0] < 2:
            continue
        consistent = sum(1 for n in rows if n == rows[0]) / len(rows)
        if (consistent, rows[0]) > best[:2]:
            best = (consistent, rows[0], d)
    return best[2]


# --- xlsx (the excel extra) -----------------------------------------------------------------


def need_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise UsageError(
            f"Excel files need the excel extra: {EXCEL_EXTRA} (or save the sheet as CSV)"
        ) from None
    return openpyxl


class XlsxTable:
    """One sheet of a workbook, loaded whole with the values Excel saved (formulas as their
    last computed values). Merged cells: the lookup reads the range's value in every cell of
    it; the cells are written back as they were, merges kept."""

    kind = "xlsx"
    format = "xlsx"

    def __init__(self, f: BinaryIO, name: str, sheet: str | None = None) -> None:
        import warnings

        openpyxl = need_openpyxl()
        self.name = name
        self.f = f
        self.warnings: list[str] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles, validation, ...
            try:
                self.workbook = openpyxl.load_workbook(f, data_only=True)
            except Exception as e:  # a damaged or foreign zip: openpyxl raises many kinds
                raise UsageError(
                    f"{one_line(name)}: not a workbook openpyxl can read ({e})"
                ) from None
        wb = self.workbook
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in names:
            ws = wb[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            ws = wb.worksheets[int(sheet) - 1]
        else:
            listed = ", ".join(f"{i} {one_line(n)}" for i, n in enumerate(names, 1))
            raise UsageError(
                f"no sheet '{one_line(sheet)}' in {one_line(name)}; its sheets: {listed}"
            )
        if not hasattr(ws, "iter_rows"):
            raise UsageError(
                f"{one_line(name)}: sheet '{one_line(ws.title)}' is a chart, not cells"
            )
        self.sheet = ws
        self._keep_uncomputed_formulas(f, wb)
        self._note_lost_parts(f)
        self.first_row = ws.min_row
        self.width = ws.max_column
        self.total = max(0, ws.max_row - ws.min_row)
        header = next(
            ws.iter_rows(min_row=self.first_row, max_row=self.first_row, values_only=True), ()
        )
        self.header = [cell_text(v) for v in header] + [""] * (self.width - len(header))
        self.merged: dict[tuple[int, int], Any] = {}
        for rng in ws.merged_cells.ranges:
            value = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.merged[(r, c - 1)] = value
        self._done = 0

    def _keep_uncomputed_formulas(self, f: BinaryIO, wb: Any) -> None:
        """A formula Excel never computed has no saved value: keep the formula itself, so that
        writing the workbook back loses nothing."""
        import warnings

        openpyxl = need_openpyxl()
        f.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas = openpyxl.load_workbook(f, read_only=True, data_only=False)
        try:
            for ws in formulas.worksheets:
                if not hasattr(ws, "iter_rows") or ws.title not in wb.sheetnames:
                    continue
                target = wb[ws.title]
                for row in ws.iter_rows():
                    for c in row:
                        if getattr(c, "data_type", None) == "f" and c.value is not None:
                            kept = target.cell(c.row, c.column)
                            if kept.value is None and kept.__class__.__name__ == "Cell":
                                kept.value = c.value
        finally:
            formulas.close()
        f.seek(0)

    def _note_lost_parts(self, f: BinaryIO) -> None:
        import zipfile

        try:
            with zipfile.ZipFile(f) as z:
                parts = z.namelist()
        except zipfile.BadZipFile:
            return
        finally:
            f.seek(0)
        if any(p.startswith(("xl/drawings/", "xl/charts/", "xl/media/")) for p in parts):
            self.warnings.append(
                f"jur: {one_line(self.name)} has pictures or charts: an .xlsx written from it "
                "keeps the cells, values and formats, not those (openpyxl cannot)"
            )

    def rows(self) -> Iterator[list[Any]]:
        for row in self.sheet.iter_rows(
            min_row=self.first_row + 1, max_col=self.width, values_only=True
        ):
            self._done += 1
            yield list(row)

    def done(self) -> int:
        return self._done

    def merged_value(self, row: int, col: int) -> Any:
        """The value shown in a merged cell (row counts from 0, the header excluded)."""
        return self.merged.get((self.first_row + 1 + row, col))

    @staticmethod
    def text(value: Any) -> str:
        return cell_text(value)

    def close(self) -> None:
        self.f.close()


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text Excel shows for it (integers without .0)."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    isoformat = getattr(value, "isoformat", None)
    if isoformat is not None:
        try:
            return isoformat(sep=" ")
        except TypeError:
            return isoformat()
    return str(value)


def json_value(value: Any) -> Any:
    """A cell as a JSON value: numbers, booleans and null as such, dates as ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return cell_text(value)


def open_table(
    path: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    stdin: BinaryIO | None = None,
) -> TextTable | XlsxTable:
    f, name = open_input(path, stdin)
    try:
        kind = input_kind(f, "" if path == "-" else path)
        if kind == "xlsx":
            if encoding:
                raise UsageError("--encoding applies to CSV and TSV files, not to .xlsx")
            return XlsxTable(f, name, sheet)
        if sheet is not None:
            raise UsageError("--sheet applies to .xlsx files only")
        return TextTable(f, name, path="" if path == "-" else path, encoding=encoding)
    except BaseException:
        f.close()
        raise


# --- writers --------------------------------------------------------------------------------


class DelimitedWriter:
    """CSV or TSV rows to a text stream (quoted as Excel does: only where needed)."""

    def __init__(
        self, out: IO[str], delimiter: str, lineterminator: str, *, tty: bool = False
    ) -> None:
        import csv

        self.writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
        self.tty = tty

    def header(self, names: list[str]) -> None:
        self.rows([names])

    def rows(self, rows: list[list[Any]]) -> None:
        if self.tty:  # nothing from the file reaches a terminal as a control code
            rows = [[printable(cell_text(v)) for v in row] for row in rows]
        self.writer.writerows(rows)

    def close(self) -> None:
        pass


class JsonlWriter:
    """One JSON object per row: the header's names as keys (made unique), then the answers."""

    def __init__(self, out: IO[str], codec: str, *, tty: bool = False) -> None:
        self.out = out
        self.codec = codec
        self.tty = tty
        self.keys: list[str] = []

    def header(self, names: list[str]) -> None:
        seen: set[str] = set()
        for i, n in enumerate(names, 1):
            key = n or f"column {i}"
            while key in seen:
                key = f"{key} ({i})"
            seen.add(key)
            self.keys.append(key)

    def rows(self, rows: list[list[Any]]) -> None:
        import json

        from .render import JSON_LINE_BREAKS

        keys = self.keys
        lines = []
        for row in rows:
            record = {}
            for i, v in enumerate(row):
                key = keys[i] if i < len(keys) else f"column {i + 1}"
                if v.__class__ is str and not v.isascii() and undecoded(v):
                    v = v.encode(self.codec, "surrogateescape").decode(
                        self.codec, "backslashreplace"
                    )
                record[key] = json_value(v)
            lines.append(json.dumps(record, ensure_ascii=False).translate(JSON_LINE_BREAKS))
        chunk = "\n".join(lines) + "\n" if lines else ""
        self.out.write(printable(chunk) if self.tty else chunk)

    def close(self) -> None:
        pass


def xlsx_safe(value: Any, codec: str) -> Any:
    """A value openpyxl can store: text with control characters or undecoded bytes gets them
    as \\xNN escapes (XML cannot hold them); numbers, dates and booleans as they are."""
    if value.__class__ is not str or value.isprintable():
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if undecoded(value):
        value = value.encode(codec, "surrogateescape").decode(codec, "backslashreplace")
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


class XlsxWriter:
    """A new workbook, written row by row (openpyxl's write-only mode: bounded memory).
    Every cell from a CSV is text, so 007 and an 18-digit ID number stay as written."""

    def __init__(self, f: BinaryIO, codec: str, sheet_title: str = "Sheet1") -> None:
        openpyxl = need_openpyxl()
        self.f = f
        self.codec = codec
        self.workbook = openpyxl.Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(sheet_title[:31] or "Sheet1")
        self.count = 0

    def header(self, names: list[str]) -> None:
        self.rows([names])

    def rows(self, rows: list[list[Any]]) -> None:
        self.count += len(rows)
        if self.count > XLSX_MAX_ROWS:
            raise UsageError(
                f"more than {XLSX_MAX_ROWS:,} rows: too many for an .xlsx sheet; write .csv instead"
            )
        append = self.sheet.append
        codec = self.codec
        for row in rows:
            append([xlsx_safe(v, codec) for v in row])

    def close(self) -> None:
        self.workbook.save(self.f)


class XlsxInPlaceWriter:
    """The answers added to the loaded workbook's sheet, beside its own cells; the rest of the
    workbook (other sheets, formats, merges, widths) is saved as it was loaded."""

    def __init__(self, f: BinaryIO, table: XlsxTable) -> None:
        self.f = f
        self.table = table
        self.row = table.first_row
        self.col = table.width + 1

    def header(self, names: list[str]) -> None:
        self._put(names[self.table.width :])

    def rows(self, rows: list[list[Any]]) -> None:
        width = self.table.width
        for row in rows:
            self._put(row[width:])

    def _put(self, values: list[Any]) -> None:
        ws = self.table.sheet
        for k, v in enumerate(values):
            if v is not None and v != "":
                ws.cell(self.row, self.col + k, xlsx_safe(v, "utf-8"))
        self.row += 1

    def close(self) -> None:
        self.table.workbook.save(self.f)
