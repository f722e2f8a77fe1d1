"""The online step's HTTP room: one GET to AMap's web service, paced, bounded and retried.

Every request has a deadline (`timeout` seconds from its first byte sent to its last byte
read), enforced by a watchdog that shuts the socket down: a server that sends one byte every
half second cannot hold a run longer than the timeout, whatever the size of its reply.
`abort()` shuts every open socket at once (Ctrl-C).

Retried, RETRIES times with exponential backoff that holds every worker back: timeouts,
dropped connections (a reply cut mid-body included), HTTP 5xx and 429, and AMap's "too
frequent" infocodes (INFOCODE_BUSY). Not retried: a refused connection or an unknown host
(nothing listens there), a bad TLS certificate. A lookup that still fails raises
`Transient`; after DOWN_AFTER lookups in a row end that way (unreachable or busy alike) no
more requests are sent and every later lookup raises `Skipped`. A refused key or a spent
quota (INFOCODE_STOP) raises `Stopped` for this and every later lookup.

A run sends at most `max_requests` requests (--online-max-requests); then `Skipped` too.

Redirects are followed only within the same scheme, host and port (at most MAX_REDIRECTS);
a redirect elsewhere is a bad reply, never followed with the key. Proxies are honoured as
urllib reads them from the environment (http_proxy, https_proxy, no_proxy).

Anything that goes wrong while reading a reply (bad UTF-8, JSON nested too deep, a body
larger than MAX_BODY) raises `BadReply`: that query keeps its offline answer.

The key is read by the caller and kept inside the Client: it is never part of an error
message, a note or a repr.
"""

from __future__ import annotations

import http.client
import json
import math
import socket
import ssl
import threading
import time
import unicodedata
import urllib.parse

from .. import __version__
from ..errors import UsageError

DEFAULT_URL = "https://restapi.amap.com"
GEO = "/v3/geocode/geo"
REGEO = "/v3/geocode/regeo"

# Defaults within the free quota of a personal developer key (5,000 geocode and 5,000
# regeocode requests a day, a few per second): see README, "Online lookups".
DEFAULT_RATE = 3.0  # requests per second, all workers together
DEFAULT_WORKERS = 3
DEFAULT_TIMEOUT = 5.0  # seconds, per request (its deadline, not a bound on each read)
DEFAULT_MAX_REQUESTS = 2000  # per run: 1,000 addresses (a geocode and a regeocode each)
RETRIES = 3  # after the first try: 4 tries in all
BACKOFF = 1.0  # seconds before the first retry; doubled each time (1, 2, 4)
DOWN_AFTER = 3  # lookups in a row that got no answer (unreachable or busy): stop asking
MAX_BODY = 1 << 20
MAX_REDIRECTS = 2

# The ranges the numeric options must lie in (finite numbers only).
RATE_RANGE = (0.0, 1000.0)  # exclusive low, inclusive high
TIMEOUT_RANGE = (0.0, 600.0)
WORKERS_RANGE = (1, 32)
MAX_AGE_RANGE = (0, 36500)
MAX_REQUESTS_RANGE = (1, 10_000_000)

# infocode -> what it means for the run (AMap's documented status table).
INFOCODE_STOP = {
    "10001": "the key is invalid or expired (INVALID_USER_KEY)",
    "10002": "the key may not use this service (SERVICE_NOT_AVAILABLE)",
    "10003": "the key's daily quota is used up (DAILY_QUERY_OVER_LIMIT)",
    "10005": "this machine's IP is not in the key's whitelist (INVALID_USER_IP)",
    "10006": "the key's bound domain is invalid (INVALID_USER_DOMAIN)",
    "10007": "the key requires a digital signature (INVALID_USER_SIGNATURE)",
    "10008": "the key's security code does not match (INVALID_USER_SCODE)",
    "10009": "the key is not a web-service key (USERKEY_PLAT_NOMATCH)",
    "10010": "this IP's request limit is used up (IP_QUERY_OVER_LIMIT)",
    "10012": "the key lacks the privilege for this service (INSUFFICIENT_PRIVILEGES)",
    "10013": "the key was deleted (USER_KEY_RECYCLED)",
    "10044": "the account's daily quota is used up (USER_DAILY_QUERY_OVER_LIMIT)",
    "10045": "the account's daily quota is used up (USER_ABROAD_DAILY_QUERY_OVER_LIMIT)",
}
INFOCODE_BUSY = {"10004", "10014", "10015", "10016", "10019", "10020", "10021"}
INFO_STOP = {"INVALID_USER_KEY": "10001", "DAILY_QUERY_OVER_LIMIT": "10003"}


class Stopped(Exception):
    """Online lookups were stopped (key, quota, Ctrl-C) before this one was sent."""


class Skipped(Exception):
    """Not sent: the service is taken to be unreachable or busy, or the budget is spent."""


class Transient(Exception):
    """No usable answer after the retries: timeouts, connection errors, 5xx, too frequent."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry  # a refused connection is not retried: nothing listens there


class BadReply(Exception):
    """A reply that is not what the documented format promises."""


# --- checking what the user gave ------------------------------------------------------------


def check_url(text: str) -> str:
    """JUR_AMAP_URL, checked: http(s)://host[:port][/path], nothing else. The URL itself is
    never repeated in an error (it may hold what should not be shown). Raises UsageError."""
    base = text.strip()
    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in base):
        raise UsageError("JUR_AMAP_URL must not contain spaces or control characters")
    if not base.isascii():
        raise UsageError("JUR_AMAP_URL must be plain ASCII (write the host in its xn-- form)")
    try:
        parts = urllib.parse.urlsplit(base)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise UsageError("JUR_AMAP_URL is not a valid URL (check its brackets and port)") from None
    if parts.scheme not in ("http", "https"):
        raise UsageError("JUR_AMAP_URL must start with http:// or https://")
    if "@" in parts.netloc:
        raise UsageError("JUR_AMAP_URL must not carry a user name or password")
    if not parts.hostname:
        raise UsageError("JUR_AMAP_URL has no host")
    if parts.query or parts.fragment or "?" in base or "#" in base:
        raise UsageError("JUR_AMAP_URL must not have a query or a fragment")
    return base.rstrip("/")


def check_number(name: str, value: float, low: float, high: float, *, low_open: bool) -> None:
    """A finite number within (low, high] (low_open) or [low, high]; else UsageError."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and value <= high
    if not ok:
        bound = f"more than {low:g}" if low_open else f"at least {low:g}"
        raise UsageError(f"{name} must be a number {bound} and at most {high:g}")


def check_whole(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{name} must be a whole number from {low} to {high}")


# --- pacing ----------------------------------------------------------------------------------


class Pace:
    """At most `rate` requests per second across threads; `hold` pushes every thread back."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)

    def hold(self, seconds: float) -> None:
        with self.lock:
            self.next = max(self.next, time.monotonic() + seconds)


# --- the client ------------------------------------------------------------------------------


class Client:
    """AMap's web service: one GET, paced, retried, within a deadline and a budget; the key
    stays inside this object."""

    def __init__(
        self,
        base: str,
        key: str,
        *,
        rate: float = DEFAULT_RATE,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        max_requests: int = DEFAULT_MAX_REQUESTS,
    ) -> None:
        self.base = base.rstrip("/")
        self._key = key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_requests = max_requests
        self.pace = Pace(rate)
        self.stopped: str | None = None  # why online lookups stopped (key, quota, Ctrl-C)
        self.down: str | None = None  # why the service is taken to be unreachable or busy
        self.spent = False  # the budget of requests is used up
        self.requests = 0
        self._in_a_row = 0  # lookups in a row that got no answer
        self._verified = False  # a request has been answered: the key works
        self._probe = threading.Lock()
        self._count = threading.Lock()
        self._open: dict[http.client.HTTPConnection, list[socket.socket]] = {}

    def __repr__(self) -> str:  # never show the key
        return f"Client({self.host!r})"

    @property
    def host(self) -> str:
        """host[:port] of the service, for messages."""
        return urllib.parse.urlsplit(self.base).netloc

    def get(self, endpoint: str, params: dict[str, str]) -> dict:
        """The parsed JSON of a successful answer (status 1); or Stopped, Skipped, Transient,
        BadReply."""
        if not self._verified:
            # The first request goes alone: a wrong key or a spent quota costs one request.
            with self._probe:
                if not self._verified:
                    data = self._counted(endpoint, params)
                    self._verified = True
                    return data
        return self._counted(endpoint, params)

    def abort(self) -> None:
        """Send nothing more and cut every request in flight (Ctrl-C)."""
        self.stopped = self.stopped or "interrupted"
        with self._count:
            conns = list(self._open.items())
        for conn, held in conns:
            _shut(conn, held)

    def _counted(self, endpoint: str, params: dict[str, str]) -> dict:
        """_get, keeping count of the lookups in a row that got no answer."""
        try:
            data = self._get(endpoint, params)
        except Transient as e:
            with self._count:
                self._in_a_row += 1
                if self._in_a_row >= DOWN_AFTER and not self.down:
                    busy = "too frequent" in e.reason or "HTTP 429" in e.reason
                    self.down = (
                        f"the service kept answering {e.reason}"
                        if busy
                        else f"the service is unreachable ({e.reason})"
                    )
            raise
        with self._count:
            self._in_a_row = 0
        return data

    def _reserve(self) -> None:
        """Count one request against the budget, or raise Stopped / Skipped."""
        if self.stopped:
            raise Stopped(self.stopped)
        if self.down:
            raise Skipped(self.down)
        with self._count:
            if self.requests >= self.max_requests:
                self.spent = True
                raise Skipped(
                    f"the run's budget of {self.max_requests} requests is spent "
                    f"(--online-max-requests)"
                )
            self.requests += 1

    def _get(self, endpoint: str, params: dict[str, str]) -> dict:
        last: Transient | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                self.pace.hold(delay)  # everyone waits: the service asked us to slow down
            self.pace.wait()
            self._reserve()
            try:
                data = self._fetch(endpoint, params)
            except Transient as e:
                if not e.retry or self.stopped:
                    raise
                last = e
                continue
            status = text_field(data.get("status"))
            infocode = text_field(data.get("infocode"))
            info = text_field(data.get("info"))
            if status == "1":
                return data
            code = infocode or INFO_STOP.get(info, "")
            if code in INFOCODE_STOP:
                self.stopped = f"AMap refused: {INFOCODE_STOP[code]}"
                raise Stopped(self.stopped)
            if infocode in INFOCODE_BUSY or info == "ACCESS_TOO_FREQUENT":
                last = Transient(f"too frequent ({info or infocode})")
                continue
            raise BadReply(
                f"the service answered {_short(info) or 'no info'} "
                f"({_short(infocode) or 'no infocode'})"
            )
        assert last is not None
        raise last

    def _fetch(self, endpoint: str, params: dict[str, str]) -> dict:
        query = urllib.parse.urlencode({**params, "output": "JSON", "key": self._key})
        url = f"{self.base}{endpoint}?{query}"
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            status, location, body = self._once(url, deadline)
            if status in (301, 302, 303, 307, 308):
                target = urllib.parse.urljoin(url, location or "")
                if not location or not _same_origin(target, self.base):
                    raise BadReply("a redirect to another host (not followed)")
                url = target
                continue
            break
        else:
            raise BadReply("too many redirects")
        if status == 429 or status >= 500:
            raise Transient(f"HTTP {status}")
        if status != 200:
            raise BadReply(f"HTTP {status}")
        return read_reply(body)

    def _once(self, url: str, deadline: float) -> tuple[int, str | None, bytes]:
        """(status, Location, body) of one GET, all of it within the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Transient(self._timeout_text())
        conn, target = _connection(url, remaining)
        expired = threading.Event()
        # The socket, once connected: the connection lets go of it when the reply says it
        # closes, while the reply is still being read from it.
        held: list[socket.socket] = []

        def expire() -> None:
            expired.set()
            _shut(conn, held)

        watchdog = threading.Timer(remaining, expire)
        watchdog.daemon = True
        with self._count:
            self._open[conn] = held
        watchdog.start()
        try:
            conn.connect()
            if conn.sock is not None:
                held.append(conn.sock)
            conn.request("GET", target, headers={"User-Agent": f"jur/{__version__}"})
            response = conn.getresponse()
            body = response.read(MAX_BODY + 1)
            if expired.is_set():
                raise Transient(self._timeout_text())
            if len(body) > MAX_BODY:
                raise BadReply("an answer larger than 1 MiB")
            if response.length:  # read() returns what came when the server closes early
                raise Transient("connection closed in the middle of the answer")
            return response.status, response.getheader("Location"), body
        except (BadReply, Transient):
            raise
        except (socket.gaierror, ConnectionRefusedError) as e:
            if expired.is_set():
                raise Transient(self._timeout_text()) from None
            raise Transient(f"cannot connect: {_reason_text(e)}", retry=False) from None
        except ssl.SSLCertVerificationError as e:
            raise Transient(f"cannot connect: {_reason_text(e)}", retry=False) from None
        except (OSError, http.client.HTTPException, ValueError) as e:
            if expired.is_set() or isinstance(e, TimeoutError):
                raise Transient(self._timeout_text()) from None
            if self.stopped:
                raise Stopped(self.stopped) from None
            if isinstance(e, http.client.IncompleteRead):
                raise Transient("connection closed in the middle of the answer") from None
            raise Transient(f"connection failed: {_reason_text(e)}") from None
        finally:
            watchdog.cancel()
            with self._count:
                self._open.pop(conn, None)
            conn.close()

    def _timeout_text(self) -> str:
        return f"no answer within {self.timeout:g} s"


def read_reply(body: bytes) -> dict:
    """The JSON object of a reply's body; BadReply for anything else, whatever goes wrong
    while reading it (bad UTF-8, nesting too deep for the parser, …)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except Exception:  # RecursionError, MemoryError's cousins, ValueError: all a bad reply
        raise BadReply("an answer that is not JSON") from None
    if not isinstance(data, dict):
        raise BadReply("an answer that is not a JSON object")
    return data


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection for url (through a proxy when the environment names one) and the
    request target to send on it."""
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port
    path = parts.path or "/"
    target = f"{path}?{parts.query}" if parts.query else path
    proxy = None
    proxies = urllib.request.getproxies()
    if parts.scheme in proxies and not urllib.request.proxy_bypass(host):
        proxy = urllib.parse.urlsplit(proxies[parts.scheme])
    if parts.scheme == "https":
        if proxy is not None and proxy.hostname:
            conn = http.client.HTTPSConnection(proxy.hostname, proxy.port, timeout=timeout)
            conn.set_tunnel(host, port)
            return conn, target
        return http.client.HTTPSConnection(host, port, timeout=timeout), target
    if proxy is not None and proxy.hostname:
        return http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=timeout), url
    return http.client.HTTPConnection(host, port, timeout=timeout), target


def _shut(conn: http.client.HTTPConnection, held: list[socket.socket]) -> None:
    """Shut a connection's socket down: a read blocked on it returns at once."""
    for sock in {id(s): s for s in [*held, conn.sock] if s is not None}.values():
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _same_origin(url: str, base: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False


def _reason_text(reason: object) -> str:
    text = getattr(reason, "strerror", None) or str(reason) or reason.__class__.__name__
    lines = str(text).splitlines()
    return _short(lines[0] if lines else reason.__class__.__name__)


def _short(text: str) -> str:
    return text[:120]


def text_field(value: object) -> str:
    """A reply's field as text: AMap sends an empty field as [] (or {}) instead of ""
    (used by decide.py too)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""
