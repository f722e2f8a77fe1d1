"""The Typer app: the only module that imports typer. Each command is a thin shell around
commands.py; JurError becomes one line on stderr and its exit status, here and only here."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from . import commands
from .commands import version_text
from .errors import Exit, JurError
from .render import display_width

# Click re-wraps every paragraph to the terminal's width, counting characters, not columns:
# a CJK character takes two columns, so lines holding them are wrapped by hand here and kept
# as they are with click's no-rewrap marker (\b alone on a line). A test renders every help
# page at 80 columns and checks that no line is wider.
HELP = """\
\b
Which police station (派出所) and sub-bureau (分局) is responsible
for a place in Zhengzhou.

Offline, from the dataset of the 2020-10-20 reform (11 sub-bureaus; one
subdistrict or township, one station). When it is not sure it says so:
ambiguous, partial, outside, not_found.

\b
Examples:
{examples}

Run 'jur COMMAND --help' for a command's options.
"""

EXAMPLES = [
    ("jur find 德化街", "one place"),
    ("jur find < addresses.txt", "one answer per input line, in order"),
    ("jur roster 二七", "the stations of a district or sub-bureau"),
    ("jur show 德化街派出所", "one station or sub-bureau in full"),
    ("jur list stations", "every station, with its source"),
]


def example_lines(examples: list[tuple[str, str]], at: int = 27) -> str:
    """One example per line, the descriptions starting in one column."""
    return "\n".join(
        f"  {cmd}{' ' * max(2, at - display_width(cmd))}{what}" for cmd, what in examples
    )


HELP = HELP.format(examples=example_lines(EXAMPLES))

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "-f",
        "--format",
        help="table | json | jsonl | tsv | csv. Default: table on a terminal, tsv otherwise.",
        metavar="FORMAT",
    ),
]
HeaderOpt = Annotated[
    bool,
    typer.Option("--header", help="Print a header line in tsv (csv and table always have one)."),
]
DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        envvar="JUR_DATA",
        help="Dataset directory with units.yaml and streets.yaml.",
        metavar="DIR",
    ),
]
RosterFormatOpt = Annotated[
    str | None,
    typer.Option(
        "-f",
        "--format",
        help="table | json | jsonl | tsv | csv, or html | md: a printable page with every "
        "community and village. Default: table on a terminal, tsv otherwise.",
        metavar="FORMAT",
    ),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--fields",
        help="Columns to print, in order, e.g. query,station,sub_bureau.",
        metavar="LIST",
    ),
]


EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Encoding of the input (utf-8, utf-16, gb18030, ...). Default: detected "
        "(a byte order mark, else UTF-8, else GB18030).",
        metavar="NAME",
    ),
]


def report(fn: Callable[..., int]) -> Callable[..., None]:
    """Run a command; turn JurError and Ctrl-C into their exit statuses without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except JurError as e:
            from .launch import report

            report(e)
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(Exit.INTERRUPTED) from None
        raise typer.Exit(int(code))

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and the dataset edition.",
        ),
    ] = False,
) -> None:
    """Which police station and sub-bureau is responsible for a place in Zhengzhou."""


@app.command(short_help="Resolve places to their station and sub-bureau.")
@report
def find(
    queries: Annotated[
        list[str] | None,
        typer.Argument(
            help="Places or addresses. None, or '-': read one per line from stdin.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = None,
    header: HeaderOpt = False,
    fields: FieldsOpt = None,
    limit: Annotated[
        int,
        typer.Option(
            "-n", "--limit", help="Show the N best candidates of every answer.", metavar="N", min=0
        ),
    ] = 0,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Show how each answer was reached: normalisations, the parts of the address read "
            "and the one that decided "
            "(in json/jsonl as an 'explain' list, otherwise on stderr).",
        ),
    ] = False,
    data: DataOpt = None,
    online: Annotated[
        bool,
        online_option(
            "Ask AMap's web service (key in $JUR_AMAP_KEY) about the queries not found "
            "offline: an address, or a position 'longitude,latitude'. See README."
        ),
    ] = False,
    crs: Annotated[
        str,
        typer.Option(
            "--crs",
            help="Datum of positions: gcj02 (Chinese maps, phones) or wgs84 (GPS).",
            metavar="gcj02|wgs84",
        ),
    ] = "gcj02",
    online_max_age: Annotated[
        int,
        typer.Option(
            "--online-max-age",
            help="Use cached online answers at most DAYS old.",
            metavar="DAYS",
            min=0,
        ),
    ] = 365,
    online_rate: Annotated[
        float,
        typer.Option("--online-rate", help="Online requests per second.", metavar="N"),
    ] = 3.0,
    online_workers: Annotated[
        int,
        typer.Option("--online-workers", help="Online requests at once.", metavar="N", min=1),
    ] = 3,
    online_timeout: Annotated[
        float,
        typer.Option(
            "--online-timeout", help="Seconds a request may take, all of it.", metavar="S"
        ),
    ] = 5.0,
    online_max_requests: Annotated[
        int,
        typer.Option(
            "--online-max-requests",
            help="Send at most N requests in this run; the rest keep their offline answers.",
            metavar="N",
        ),
    ] = 2000,
    encoding: EncodingOpt = None,
) -> int:
    """Resolve places to the responsible station and sub-bureau.

    One record per query, in input order: query, status, station, sub_bureau, street,
    district, score (json/jsonl add match, code, verified, candidates, note, place).

    \b
    A query may be a subdistrict or township (德化街), a community or
    village with its marker (碧沙岗社区, 申庄村), a named place (郑州东站,
    郑州站), a metro station written as one (燕庄站, 地铁人民公园), or an
    address: the most specific part decides and the rest must agree.
    A road alone (文化路100号) decides nothing: add the district.

    status: found | partial (sub-bureau known, station not; also when every candidate
    shares one sub-bureau) | ambiguous (the sub-bureau is unknown: see candidates) |
    outside (a place of Zhengzhou beyond the 11 sub-bureaus) | not_found.

    score: 100 official name; 95 short, office, station, community or place form; 90
    pinyin, former name, kind written otherwise, or a district alone; 85 initials, or a
    place named inside an address; 80 a district with a road and number (partial); 75-84
    a typo. Below 75: not_found. 70: the online geocoder decided (only with --online).

    Exit status: 0 every query found, 1 any not found, 2 usage or dataset error, 130 Ctrl-C.
    """
    if not queries and sys.stdin.isatty():
        raise_usage("no query: give places as arguments, or pipe them in one per line")
    return commands.run_find(
        list(queries or []),
        fmt=fmt,
        header=header,
        fields=fields,
        limit=limit,
        explain=explain,
        data=data,
        online=online,
        crs=crs.lower(),
        online_max_age=online_max_age,
        online_rate=online_rate,
        online_workers=online_workers,
        online_timeout=online_timeout,
        online_max_requests=online_max_requests,
        encoding=encoding,
    )


def raise_usage(message: str) -> None:
    from .errors import UsageError

    raise UsageError(message)


def complete_unit(incomplete: str) -> list[str]:
    """District and sub-bureau names for shell completion."""
    try:
        from .index import open_index

        ds = open_index().dataset
    except Exception:  # completion must never break the shell
        return []
    names: list[str] = []
    for d in ds.districts:
        names += [d.name, *d.aliases]
    for b in ds.sub_bureaus:
        names += [b.name, *b.aliases]
    return [n for n in dict.fromkeys(names) if n.startswith(incomplete)]


def unit_argument(help: str) -> Any:
    """The NAME argument of roster and tree: a district or sub-bureau, completed from the
    dataset, optional."""
    return typer.Argument(help=help, autocompletion=complete_unit, show_default=False)


def output_option(help: str) -> Any:
    """--output FILE: where a command writes instead of stdout."""
    return typer.Option("--output", help=help, metavar="FILE")


def online_option(help: str) -> Any:
    """--online: ask AMap about what is not found offline (find, annotate, serve)."""
    return typer.Option("--online", help=help)


@app.command(short_help="The stations of a district or sub-bureau.")
@report
def roster(
    name: Annotated[
        str | None, unit_argument("A district or sub-bureau (二七, 二七分局, erqi); none: all.")
    ] = None,
    fmt: RosterFormatOpt = None,
    header: HeaderOpt = False,
    fields: FieldsOpt = None,
    output: Annotated[
        str | None, output_option("Write to FILE instead of stdout (-o is --fields).")
    ] = None,
    data: DataOpt = None,
) -> int:
    """The stations of a district or sub-bureau, with the streets each serves.

    -f html writes one self-contained page to print (A4) or put on a wall: each station
    with its subdistrict, every community and village, the sub-bureau's address and the
    sources as footnotes. -f md writes the same content as Markdown. Without NAME: the
    whole city.
    """
    if output is None:
        return commands.run_roster(name, fmt=fmt, header=header, fields=fields, data=data)
    return commands.run_roster_to(output, name, fmt=fmt, header=header, fields=fields, data=data)


@app.command(short_help="One station or sub-bureau in full.")
@report
def show(
    name: Annotated[
        str,
        typer.Argument(help="A station (德化街派出所) or sub-bureau (二七分局)."),
    ],
    fmt: FormatOpt = None,
    data: DataOpt = None,
) -> int:
    """One station or sub-bureau in full: teams, departments, streets, source."""
    return commands.run_show(name, fmt=fmt, data=data)


@app.command("list", short_help="List districts, stations, streets, communities…")
@report
def list_(
    what: Annotated[
        str,
        typer.Argument(
            help="districts | sub-bureaus | stations | streets | communities | places",
            metavar="WHAT",
        ),
    ],
    fmt: FormatOpt = None,
    header: HeaderOpt = False,
    fields: FieldsOpt = None,
    data: DataOpt = None,
) -> int:
    """List districts, sub-bureaus, stations, streets, communities (with the station that
    serves each) or named places (with the station or sub-bureau that answers for each)."""
    return commands.run_list(what, fmt=fmt, header=header, fields=fields, data=data)


@app.command(short_help="City bureau → sub-bureaus → stations → streets.")
@report
def tree(
    name: Annotated[str | None, unit_argument("Only this sub-bureau (or a district's).")] = None,
    fmt: FormatOpt = None,
    data: DataOpt = None,
) -> int:
    """City bureau → sub-bureaus → stations → streets."""
    return commands.run_tree(name, fmt=fmt, data=data)


@app.command(short_help="A search page and a JSON API (needs jur[serve]).")
@report
def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; other than 127.0.0.1: see README."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: any free one).")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (one per core).", min=1)
    ] = 1,
    data: DataOpt = None,
    online: Annotated[
        bool,
        online_option(
            "Let clients ask AMap (key in $JUR_AMAP_KEY, kept on the server) about "
            "queries not found offline: /api/find?online=1."
        ),
    ] = False,
) -> int:
    """Serve a search page at / and a JSON API at /api/ (find, stations, sub-bureaus, show,
    roster), with the records of jur find -f json. Listens on 127.0.0.1 unless --host says
    otherwise. Needs the serve extra: pip install 'jur[serve]'."""
    from .serve import run_serve

    return run_serve(host=host, port=port, workers=workers, data=data, online=online)


@app.command(short_help="Check a dataset (FILE:LINE: message).")
@report
def validate(data: DataOpt = None) -> int:
    """Check a dataset; every problem as FILE:LINE: message, exit 2 if any."""
    return commands.run_validate(data)


@app.command(short_help="Add the station to every row of a CSV, TSV or Excel file.")
@report
def annotate(
    file: Annotated[
        str,
        typer.Argument(help="A .csv, .tsv or .xlsx file, or '-' for stdin.", metavar="FILE"),
    ],
    column: Annotated[
        list[str],
        typer.Option(
            "--column",
            "-c",
            help="The address column: a header name or a 1-based number. Repeat it to join "
            "columns (--column 区县 --column 地址).",
            metavar="NAME",
            show_default=False,
        ),
    ],
    output: Annotated[
        str | None,
        output_option("Write to FILE (.csv .tsv .xlsx .jsonl) instead of stdout, in its format."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", help="The sheet of an .xlsx file (default: the first).", metavar="NAME"
        ),
    ] = None,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            "-o",
            help="Answer columns to add, in order (default: "
            "station,sub_bureau,street,district,status,score,note).",
            metavar="LIST",
        ),
    ] = None,
    prefix: Annotated[
        str,
        typer.Option("--prefix", help="Put TEXT before the answer columns' names.", metavar="TEXT"),
    ] = "",
    encoding: EncodingOpt = None,
    excel: Annotated[
        bool,
        typer.Option("--excel", help="Write CSV/TSV as UTF-8 with a byte order mark, for Excel."),
    ] = False,
    online: Annotated[
        bool,
        online_option(
            "Ask AMap's web service (key in $JUR_AMAP_KEY) about the addresses not found "
            "offline, as jur find --online does."
        ),
    ] = False,
    data: DataOpt = None,
) -> int:
    """Add the station to every row of a table: the same table back, plus the columns
    station, sub_bureau, street, district, status, score and note.

    Reads CSV or TSV (the delimiter is detected; UTF-8, UTF-16 or GB18030) or an .xlsx
    sheet; writes the input's format, or the one --output names. Each different address is
    looked up once. Exit status as jur find: 0 every row found, 1 any not, 2 an error.
    """
    from .annotate import run_annotate

    return run_annotate(
        file,
        list(column),
        output=output,
        sheet=sheet,
        fields=fields,
        prefix=prefix,
        encoding=encoding,
        excel=excel,
        online=online,
        data=data,
    )


def run(argv: list[str]) -> int:
    """Run the Typer app on argv; returns the exit status."""
    try:
        app(args=argv, prog_name="jur")
    except SystemExit as e:
        code = e.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
