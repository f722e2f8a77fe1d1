"""The ASGI app of `jur serve` (Starlette): the page, the JSON API and their limits.

Records are the ones `jur find -f json`, `jur show NAME -f json` and `jur roster NAME -f json`
print, built by the same functions (resolve, commands.show_record, commands.station_record,
commands.list_records, roster_page.page_data); only the rendering is the server's own.

Safety, in one place:
  - every response carries nosniff, no-referrer, DENY framing and a Content-Security-Policy:
    the page may load only its own script and style (/static/), so no inline script runs;
    the printable roster (which has inline CSS and no script) may run no script at all;
  - a query is at most MAX_QUERY characters; a batch at most MAX_BATCH queries and
    MAX_BODY bytes (413 past either, before the body is parsed);
  - static files are read once, at start-up, by their fixed names from this package, and the
    index is built in memory at start-up: no request opens a file;
  - the online step exists only when the app was created with online=True; its key stays
    in the client object and never goes into a response;
  - every error is a JSON object {"error": ...} with a 4xx (or a bare 500 for a bug): no
    traceback leaves the server.
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from .. import __version__
from ..commands import list_records, lookup_unit, roster_stations, show_record, station_record
from ..errors import UsageError
from ..index import Index, open_index
from ..resolve import MAX_QUERY_CHARS, resolve
from . import ENV_DATA, ENV_ONLINE, page

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from typing import Any

MAX_QUERY = MAX_QUERY_CHARS  # characters; resolve answers longer texts not_found anyway
MAX_BATCH = 10_000  # queries in one POST /api/find
MAX_BODY = 2 << 20  # bytes of one POST body (10,000 addresses of ~70 characters fit)
MAX_NAME = 100  # characters of a station, sub-bureau or district name in a path
MAX_LIMIT = 50  # candidates per answer (?limit=)
ONLINE_BATCH = 100  # queries of one batch that may go online (the service is paced: ~3/s)

COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
CSP_API = "default-src 'none'; frame-ancestors 'none'"
CSP_PAGE = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# The printable roster (roster_page.render_html) keeps its CSS inline so that the saved file
# stands alone; it has no script, and here it may run none.
CSP_ROSTER = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
API_HEADERS = {**COMMON_HEADERS, "content-security-policy": CSP_API}
PAGE_HEADERS = {**COMMON_HEADERS, "content-security-policy": CSP_PAGE, "cache-control": "no-store"}
ROSTER_HEADERS = {**COMMON_HEADERS, "content-security-policy": CSP_ROSTER}
STATIC_TYPES = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")


# --- responses --------------------------------------------------------------------------------


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status, headers or API_HEADERS, "application/json")


def error(status: int, message: str) -> HTTPException:
    return HTTPException(status, message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(API_HEADERS)
    if exc.headers:
        headers.update(exc.headers)
    return json_response({"error": exc.detail}, exc.status_code, headers)


async def server_error(request: Request, exc: Exception) -> Response:
    # A bug: the client learns nothing of the code (uvicorn logs the traceback on the server).
    return json_response({"error": "internal error"}, 500)


# --- parameters --------------------------------------------------------------------------------


def flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise error(400, f"{name} must be 0 or 1")


def limit_of(request: Request) -> int:
    value = request.query_params.get("limit", "0").strip() or "0"
    if not value.isascii() or not value.isdigit() or int(value) > MAX_LIMIT:
        raise error(400, f"limit must be a whole number from 0 to {MAX_LIMIT}")
    return int(value)


def query_of(request: Request) -> str:
    q = request.query_params.get("q")
    if q is None:
        raise error(400, "missing query: /api/find?q=PLACE")
    if len(q) > MAX_QUERY:
        raise error(413, f"query longer than {MAX_QUERY} characters")
    return q


def name_of(request: Request) -> str:
    name = request.path_params["name"]
    if len(name) > MAX_NAME:
        raise error(413, f"name longer than {MAX_NAME} characters")
    return name


def online_of(request: Request) -> bool:
    wanted = flag(request, "online")
    if wanted and request.app.state.online is None:
        raise error(400, "this server was started without --online")
    return wanted


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes MAX_BODY bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise error(413, f"body larger than {MAX_BODY} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise error(413, f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


# --- the API -----------------------------------------------------------------------------------


async def api_find(request: Request) -> Response:
    """
    summary: The responsible station for one query (the record of `jur find QUERY -f json`).
    parameters:
      - {name: q, in: query, required: true, schema: {type: string, maxLength: 1000}}
      - {name: explain, in: query, schema: {type: integer, enum: [0, 1]}}
      - {name: limit, in: query, description: best candidates to add, schema: {type: integer}}
      - {name: online, in: query, description: only on a server started with --online,
         schema: {type: integer, enum: [0, 1]}}
    responses:
      200: {description: one record (query status station sub_bureau street district score
            match code verified candidates note place)}
      400: {description: a bad parameter}
      413: {description: a query longer than 1000 characters}
    """
    q = query_of(request)
    explain = flag(request, "explain") if "explain" in request.query_params else False
    limit = limit_of(request) if "limit" in request.query_params else 0
    online = online_of(request) if "online" in request.query_params else False
    state = request.app.state
    answer = resolve(q, state.index, limit=limit, explain=explain)
    if online and state.online.wants(answer):
        answer = (await run_in_threadpool(lambda: list(state.online.complete([answer]))))[0]
    return json_response(answer.as_dict(explain=explain))


async def api_find_many(request: Request) -> Response:
    """
    summary: The responsible stations for many queries, one record each, in order.
    description: The body is a JSON array of at most 10,000 strings (2 MiB at most).
    requestBody:
      content: {application/json: {schema: {type: array, items: {type: string}}}}
    responses:
      200: {description: an array of records, one per query, in order}
      400: {description: a body that is not a JSON array of strings}
      413: {description: more than 10,000 queries or 2 MiB}
    """
    explain = flag(request, "explain")
    limit = limit_of(request)
    online = online_of(request)
    body = await read_body(request)
    try:
        queries = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise error(400, "the body must be a JSON array of strings (UTF-8)") from None
    if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
        raise error(400, "the body must be a JSON array of strings")
    if len(queries) > MAX_BATCH:
        raise error(413, f"more than {MAX_BATCH} queries in one request")
    if online and len(queries) > ONLINE_BATCH:
        raise error(413, f"online: at most {ONLINE_BATCH} queries in one request")
    index = request.app.state.index
    step = request.app.state.online if online else None

    def answer_all() -> list[dict[str, Any]]:
        answers = [resolve(q, index, limit=limit, explain=explain) for q in queries]
        if step is not None:
            answers = list(step.complete(answers))
        return [a.as_dict(explain=explain) for a in answers]

    if len(queries) <= 50 and step is None:
        return json_response(answer_all())
    return json_response(await run_in_threadpool(answer_all))  # keep the loop answering


async def api_stations(request: Request) -> Response:
    """
    summary: Every station (the records of `jur list stations -f json`).
    responses: {200: {description: an array of stations}}
    """
    return json_response(list_records(request.app.state.index.dataset, "stations")[1])


async def api_sub_bureaus(request: Request) -> Response:
    """
    summary: Every sub-bureau (the records of `jur list sub-bureaus -f json`).
    responses: {200: {description: an array of sub-bureaus}}
    """
    return json_response(list_records(request.app.state.index.dataset, "sub-bureaus")[1])


def unit(request: Request, *, stations: bool) -> tuple[str, Any]:
    try:
        return lookup_unit(request.app.state.index, name_of(request), stations=stations)
    except UsageError as e:
        raise error(404, str(e)) from None


async def api_show(request: Request) -> Response:
    """
    summary: One station, sub-bureau or district in full (the record of `jur show NAME -f json`).
    responses: {200: {description: one record}, 404: {description: no such name}}
    """
    kind, found = unit(request, stations=True)
    return json_response(show_record(request.app.state.index.dataset, kind, found))


async def api_roster(request: Request) -> Response:
    """
    summary: The stations of a district or sub-bureau (the records of `jur roster NAME -f json`).
    responses: {200: {description: an array of stations}, 404: {description: no such name}}
    """
    ds = request.app.state.index.dataset
    kind, found = unit(request, stations=False)
    return json_response([station_record(ds, st) for st in roster_stations(ds, kind, found)])


async def healthz(request: Request) -> Response:
    """
    summary: Whether the server answers, and the dataset's edition.
    responses: {200: {description: status, version, edition, online}}
    """
    state = request.app.state
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "edition": state.index.edition,
            "online": state.online is not None,
        }
    )


SCHEMAS = SchemaGenerator(
    {
        "openapi": "3.0.3",
        "info": {"title": "jur", "version": __version__},
    }
)


async def openapi(request: Request) -> Response:
    return json_response(SCHEMAS.get_schema(routes=request.app.routes))


# --- the pages ---------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    state = request.app.state
    q = request.query_params.get("q")
    answer = None
    if q is not None and q.strip():
        if len(q) > MAX_QUERY:
            raise error(413, f"query longer than {MAX_QUERY} characters")
        answer = resolve(q, state.index, explain=True)
    html = page.home(
        edition=state.index.edition,
        version=__version__,
        q=q or "",
        answer=answer,
        online=state.online is not None,
    )
    return Response(html, 200, PAGE_HEADERS, "text/html; charset=utf-8")


async def show_page(request: Request) -> Response:
    ds = request.app.state.index.dataset
    kind, found = unit(request, stations=True)
    html = page.show(show_record(ds, kind, found), edition=request.app.state.index.edition)
    return Response(html, 200, PAGE_HEADERS, "text/html; charset=utf-8")


async def roster_page(request: Request) -> Response:
    """The printable roster, as `jur roster NAME -f html` writes it."""
    from ..roster_page import page_data, render_html

    ds = request.app.state.index.dataset
    if "name" in request.path_params:
        kind, found = unit(request, stations=False)
        data = page_data(ds, kind, found, roster_stations(ds, kind, found))
    else:
        data = page_data(ds, None, None)
    return Response(render_html(data), 200, ROSTER_HEADERS, "text/html; charset=utf-8")


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    body = request.app.state.static.get(name)
    if body is None:
        raise error(404, "no such file")
    headers = {**PAGE_HEADERS, "cache-control": "no-cache"}
    return Response(body, 200, headers, STATIC_TYPES[name])


def read_static() -> dict[str, bytes]:
    """The page's files, read once from this package by their fixed names."""
    folder = resources.files(__package__) / "static"
    return {name: (folder / name).read_bytes() for name in STATIC_TYPES}


ROUTES = [
    Route("/api/find", api_find, methods=["GET"]),
    Route("/api/find", api_find_many, methods=["POST"]),
    Route("/", home, methods=["GET"], include_in_schema=False),
    Route("/static/{name}", static, methods=["GET"], include_in_schema=False),
    Route("/show/{name:path}", show_page, methods=["GET"], include_in_schema=False),
    Route("/roster", roster_page, methods=["GET"], include_in_schema=False),
    Route("/roster/{name:path}", roster_page, methods=["GET"], include_in_schema=False),
    Route("/api/stations", api_stations, methods=["GET"]),
    Route("/api/sub-bureaus", api_sub_bureaus, methods=["GET"]),
    Route("/api/show/{name:path}", api_show, methods=["GET"]),
    Route("/api/roster/{name:path}", api_roster, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"], include_in_schema=False),
]


def create_app(
    *, data: str | None = None, online: bool = False, index: Index | None = None, step: Any = None
) -> Starlette:
    """The app over one loaded index. online=True builds the online step from the environment
    (JUR_AMAP_KEY; UsageError without it); `step` gives one directly (tests)."""
    if index is None:
        # Checked through the cache as every command does, then indexed wholly in memory: the
        # cached index reads its shards lazily from disk, and no request may touch a file.
        index = Index.from_dataset(open_index(data).dataset)
    if online and step is None:
        from ..online import OnlineStep

        step = OnlineStep.from_env(index)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if step is not None:
            step.close()

    app = Starlette(
        routes=ROUTES,
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.index = index
    app.state.online = step
    app.state.static = read_static()
    return app


def app_from_env() -> Starlette:
    """The app of one worker process of `jur serve --workers N` (uvicorn's factory)."""
    return create_app(
        data=os.environ.get(ENV_DATA) or None, online=bool(os.environ.get(ENV_ONLINE))
    )
