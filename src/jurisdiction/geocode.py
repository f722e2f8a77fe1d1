"""The opt-in online step of `jur find --online`: AMap's web service fills in what the offline
resolver cannot decide (most addresses name only a road and a number).

Imported only when --online is given: a plain `jur find` never loads this module, urllib or
threads, and never sends anything anywhere.

The way a query travels online
    address   -> /v3/geocode/geo   (address, city) -> a position and a match level
              -> /v3/geocode/regeo (location)      -> the township that contains it
    position  -> /v3/geocode/regeo directly ("lng,lat"; GCJ-02 by default, --crs wgs84 for GPS)
    township  -> street: its code first (regeo's 12-digit `towncode` starts with the 9-digit
                 NBS code the dataset keys on: Street.code), its name within the district second
              -> the street's station and sub-bureau, as the dataset says.

Only queries the offline resolver does not answer `found` or `outside` are asked about, and
not those with nothing to geocode (blank, not UTF-8, too long, no Chinese character, or only
a district or sub-bureau name: the district is the whole question there).

How an online answer is decided (a confident wrong answer is the worst outcome)
  - A geocoder match coarser than a place (市, 区县, 开发区, 乡镇, 道路, 热点商圈, 未知) decides
    nothing: its position is a centroid or a point somewhere on a long road.
  - A crossing (道路交叉路口) often lies on the boundary of two subdistricts: its answer is
    given with verified=false and a note saying so.
  - A district, zone or sub-bureau the user wrote (金水区…, 高新区…, 二七分局…) must contain the
    geocoder's street; when it does not the answer is `ambiguous` with both, never the
    geocoder's word over the user's. A zone written beside a district decides, as SPEC says.
  - An offline `ambiguous` answer becomes `found` only when the geocoder's street is one of
    its candidates; otherwise it stays ambiguous, with the geocoder's street added. Except
    when the candidates only share a road's name (match `address`): a number on a road can lie
    in any subdistrict the road crosses, which is the question the geocoder answers.
  - Outside the 11 sub-bureaus' area -> `outside`; outside the dataset's city -> `not_found`,
    with a note saying where the geocoder put it.

Score: SCORE (70), below every offline name tier (typos score 75-84, the threshold is 75, a
road with a number 80): an answer from the geocoder is a different kind of evidence than a
name in the dataset, and a script that keeps only score >= 75 keeps only offline answers.
`match` is `geocoder` and `note` holds the geocoder's formatted address and match level.

Failures never lose a record: each query keeps its offline answer, with a note.
  - A refused key or an exhausted quota (INFOCODE_STOP) stops every further request; the run
    ends with one line on stderr and exit status 2 (OnlineStopped).
  - Timeouts, dropped connections, HTTP 5xx and "too frequent" answers (INFOCODE_BUSY) are
    retried RETRIES times with exponential backoff (a refused connection or an unknown host
    is not: nothing is listening there); a lookup that still fails keeps its offline
    answer, and the run ends with one line on stderr and exit status 1 (OnlineUnavailable).
    After DOWN_AFTER lookups in a row fail to reach the service, no more are tried.
  - A malformed or unexpected response: that query keeps its offline answer, with a note.

Requests are paced (rate per second, shared by all workers) and run on a few worker
threads; answers come out in input order. The first request runs alone, so a wrong key costs
one request. Answers from the service (including "no such place") are kept in a cache file
(CACHE_DIR/CACHE_FILE under the index cache's directory) keyed by the normalised query or
the position, with the date they were received; a second run of the same input makes no
request. The key is read from JUR_AMAP_KEY only; it is never printed nor written anywhere.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

from . import __version__
from .address import read
from .errors import Exit, JurError, UsageError
from .model import Answer, Candidate, Street
from .normalize import normalize
from .resolve import _area_name, _join, agrees, area_candidate, combine_areas

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .index import Index

    Reader = Callable[[dict], Any]

DEFAULT_URL = "https://restapi.amap.com"
GEO = "/v3/geocode/geo"
REGEO = "/v3/geocode/regeo"

SCORE = 70
# Defaults within the free quota of a personal developer key (5,000 geocode and 5,000
# regeocode requests a day, a few per second): see README, "Online lookups".
DEFAULT_RATE = 3.0  # requests per second, all workers together
DEFAULT_WORKERS = 3
DEFAULT_TIMEOUT = 5.0  # seconds, per request
DEFAULT_MAX_AGE = 365  # days a cached answer is used
RETRIES = 3  # after the first try: 4 tries in all
BACKOFF = 1.0  # seconds before the first retry; doubled each time (1, 2, 4)
DOWN_AFTER = 3  # lookups in a row that cannot reach the service: stop asking
MAX_BODY = 1 << 20
MAX_ADDRESS = 200  # characters; a longer text is not an address the service takes
MAX_RESULTS = 3  # geocode results followed to their township

CACHE_DIR = "geocode"
CACHE_FILE = "amap-v3.jsonl"

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

# Geocode match levels whose position is one place, not a centroid or a whole road.
PRECISE_LEVELS = {"门牌号", "单元号", "兴趣点", "村庄", "公交站台、地铁站", "公交地铁站点"}
CROSSING_LEVELS = {"道路交叉路口"}

_POSITION = re.compile(r"^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class OnlineStopped(JurError):
    """The service refused the key or the quota: online lookups stopped (exit 2)."""

    exit_code = Exit.USAGE


class OnlineUnavailable(JurError):
    """Some lookups could not reach the service: their answers are offline only (exit 1)."""

    exit_code = Exit.NOT_ALL_FOUND


# --- positions -------------------------------------------------------------------------------


def parse_position(query: str) -> tuple[float, float] | None:
    """(longitude, latitude) when the query is two numbers 'lng,lat', else None."""
    m = _POSITION.match(unicodedata.normalize("NFKC", query).replace("，", ","))
    if not m:
        return None
    return float(m.group(1)), float(m.group(2))


def in_china(lng: float, lat: float) -> bool:
    """The rough box in which GCJ-02 is defined (and AMap answers)."""
    return 73.66 <= lng <= 135.05 and 3.86 <= lat <= 53.55


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """GPS (WGS-84) -> GCJ-02, the datum of Chinese maps (the published conversion formula;
    accurate to a few metres, which is all a township needs)."""
    if not in_china(lng, lat):
        return lng, lat
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += common
    dlng += common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (a / sqrt_magic * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


# --- the service -----------------------------------------------------------------------------


class _Stopped(Exception):
    """Online lookups were stopped (key or quota) before this one was sent."""


class _Transient(Exception):
    """No usable answer after the retries: timeouts, connection errors, 5xx, too frequent."""

    def __init__(self, reason: str, *, unreachable: bool, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable
        self.retry = retry  # a refused connection is not retried: nothing listens there


class _Bad(Exception):
    """An answer that is not what the documented format promises."""


class _Down(Exception):
    """Not sent: earlier lookups could not reach the service."""


class _Pace:
    """At most `rate` requests per second across threads; `hold` pushes every thread back."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
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


class Client:
    """AMap's web service: one GET, paced, retried; the key stays inside this object."""

    def __init__(
        self,
        base: str,
        key: str,
        *,
        rate: float = DEFAULT_RATE,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
    ) -> None:
        self.base = base.rstrip("/")
        self._key = key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.pace = _Pace(rate)
        self.stopped: str | None = None  # why online lookups stopped (key, quota)
        self.down: str | None = None  # why the service is taken to be unreachable
        self._in_a_row = 0  # lookups in a row that could not reach the service
        self.requests = 0
        self._verified = False  # a request has been answered: the key works
        self._probe = threading.Lock()
        self._count = threading.Lock()

    def __repr__(self) -> str:  # never show the key
        return f"Client({self.base!r})"

    def get(self, endpoint: str, params: dict[str, str]) -> dict:
        """The parsed JSON of a successful answer (status 1); or _Stopped, _Down, _Transient,
        _Bad."""
        if not self._verified:
            # The first request goes alone: a wrong key or a spent quota costs one request.
            with self._probe:
                if not self._verified:
                    data = self._counted(endpoint, params)
                    self._verified = True
                    return data
        return self._counted(endpoint, params)

    def _counted(self, endpoint: str, params: dict[str, str]) -> dict:
        """_get, keeping count of the lookups in a row that could not reach the service."""
        try:
            data = self._get(endpoint, params)
        except _Transient as e:
            if e.unreachable:
                with self._count:
                    self._in_a_row += 1
                    if self._in_a_row >= DOWN_AFTER:
                        self.down = e.reason
            raise
        with self._count:
            self._in_a_row = 0
        return data

    def _get(self, endpoint: str, params: dict[str, str]) -> dict:
        last: _Transient | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                self.pace.hold(delay)  # everyone waits: the service asked us to slow down
            self.pace.wait()
            if self.stopped:
                raise _Stopped(self.stopped)
            if self.down:
                raise _Down(self.down)
            try:
                data = self._fetch(endpoint, params)
            except _Transient as e:
                if not e.retry:
                    raise
                last = e
                continue
            status = _text(data.get("status"))
            infocode = _text(data.get("infocode"))
            info = _text(data.get("info"))
            if status == "1":
                return data
            code = infocode or INFO_STOP.get(info, "")
            if code in INFOCODE_STOP:
                self.stopped = f"AMap refused: {INFOCODE_STOP[code]}"
                raise _Stopped(self.stopped)
            if infocode in INFOCODE_BUSY or info == "ACCESS_TOO_FREQUENT":
                last = _Transient(f"too frequent ({info or infocode})", unreachable=False)
                continue
            raise _Bad(f"the service answered {info or 'no info'} ({infocode or 'no infocode'})")
        assert last is not None
        raise last

    def _fetch(self, endpoint: str, params: dict[str, str]) -> dict:
        query = urllib.parse.urlencode({**params, "output": "JSON", "key": self._key})
        request = urllib.request.Request(
            f"{self.base}{endpoint}?{query}", headers={"User-Agent": f"jur/{__version__}"}
        )
        with self._count:
            self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as e:
            e.close()
            if e.code >= 500 or e.code == 429:
                raise _Transient(f"HTTP {e.code}", unreachable=e.code >= 500) from None
            raise _Bad(f"HTTP {e.code}") from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, TimeoutError):
                raise _Transient(self._timeout_text(), unreachable=True) from None
            raise _Transient(
                f"cannot connect: {_reason_text(reason)}", unreachable=True, retry=False
            ) from None
        except TimeoutError:
            raise _Transient(self._timeout_text(), unreachable=True) from None
        except (OSError, ValueError, http.client.HTTPException) as e:  # resets, bad lines
            raise _Transient(f"connection failed: {_reason_text(e)}", unreachable=True) from None
        if len(body) > MAX_BODY:
            raise _Bad("an answer larger than 1 MiB")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _Bad("an answer that is not JSON") from None
        if not isinstance(data, dict):
            raise _Bad("an answer that is not a JSON object")
        return data

    def _timeout_text(self) -> str:
        return f"no answer within {self.timeout:g} s"


def _reason_text(reason: object) -> str:
    text = getattr(reason, "strerror", None) or str(reason) or reason.__class__.__name__
    return str(text).splitlines()[0][:120]


def _text(value: object) -> str:
    """A field as text: AMap sends an empty field as [] (or {}) instead of ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


# --- the cache -------------------------------------------------------------------------------


class Cache:
    """The service's answers by key, with the date received: one JSON object a line, appended
    (the last line of a key wins). Unreadable lines are skipped; the file may be deleted."""

    def __init__(self, root: str | None, max_age: int, today: date | None = None) -> None:
        self.path = os.path.join(root, CACHE_DIR, CACHE_FILE) if root else None
        self.max_age = max_age
        self.today = today or date.today()
        self.entries: dict[str, tuple[str, object]] = {}
        self.lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    try:
                        row = json.loads(line)
                        self.entries[row["k"]] = (row["d"], row["v"])
                    except (ValueError, KeyError, TypeError):
                        continue
        except OSError:
            return

    def get(self, key: str) -> object | None:
        hit = self.entries.get(key)
        if hit is None:
            return None
        try:
            age = (self.today - date.fromisoformat(hit[0])).days
        except (TypeError, ValueError):
            return None
        return hit[1] if 0 <= age <= self.max_age else None

    def put(self, key: str, value: object) -> None:
        day = self.today.isoformat()
        line = json.dumps({"k": key, "d": day, "v": value}, ensure_ascii=False) + "\n"
        with self.lock:
            self.entries[key] = (day, value)
            if self.path is None:
                return
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(line)
            except OSError:
                self.path = None  # an unwritable cache does not stop the lookups


# --- what the service says, reduced to what jur needs ---------------------------------------


def geo_results(data: dict) -> list[dict]:
    """The geocode results: [{location, level, formatted, adcode, province, city, district}]."""
    items = data.get("geocodes")
    if items in (None, "", []) and (items == [] or _text(data.get("count")) == "0"):
        return []
    if not isinstance(items, list):
        raise _Bad("geocode answer without a 'geocodes' list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise _Bad("geocode result that is not an object")
        location = _text(item.get("location"))
        if parse_position(location) is None:
            raise _Bad(f"geocode result with no usable location ({location or 'empty'})")
        out.append(
            {
                "location": location,
                "level": _text(item.get("level")),
                "formatted": _text(item.get("formatted_address")),
                "adcode": _text(item.get("adcode")),
                "province": _text(item.get("province")),
                "city": _text(item.get("city")),
                "district": _text(item.get("district")),
            }
        )
    return out


def regeo_place(data: dict) -> dict:
    """The township of a position: {formatted, adcode, province, city, district, township,
    towncode}; empty strings where the service knows nothing (a position in the sea)."""
    regeocode = data.get("regeocode")
    if not isinstance(regeocode, dict):
        raise _Bad("regeocode answer without a 'regeocode' object")
    parts = regeocode.get("addressComponent")
    if isinstance(parts, list) and not parts:
        parts = {}
    if not isinstance(parts, dict):
        raise _Bad("regeocode answer without an 'addressComponent' object")
    return {
        "formatted": _text(regeocode.get("formatted_address")),
        "adcode": _text(parts.get("adcode")),
        "province": _text(parts.get("province")),
        "city": _text(parts.get("city")),
        "district": _text(parts.get("district")),
        "township": _text(parts.get("township")),
        "towncode": _text(parts.get("towncode")),
    }


def where(place: dict) -> str:
    """How the service names a place, for notes."""
    return place.get("formatted") or "".join(
        place.get(k) or "" for k in ("province", "city", "district", "township")
    )


# --- the step --------------------------------------------------------------------------------


class OnlineStep:
    """Turns offline answers into online ones where the service can decide; see the module's
    opening comment for every rule."""

    def __init__(
        self,
        index: Index,
        client: Client,
        cache: Cache,
        *,
        crs: str = "gcj02",
        workers: int = DEFAULT_WORKERS,
        explain: bool = False,
    ) -> None:
        self.client = client
        self.cache = cache
        self.crs = crs
        self.explain = explain
        ds = index.dataset
        self.streets: tuple[Street, ...] = ds.streets
        self.by_code = {s.code: s for s in ds.streets}
        self.district_by_code = {d.code: d for d in ds.districts if d.code}
        codes = {d.code[:4] for d in ds.districts if d.code and len(d.code) >= 4}
        codes |= {s.code[:4] for s in ds.streets if len(s.code) >= 4}
        self.city_prefix = codes.pop() if len(codes) == 1 else None
        self.city_code = self.city_prefix + "00" if self.city_prefix else None
        bureau = str((ds.meta.get("city_bureau") or {}).get("name") or "")
        self.city_name = bureau.removesuffix("公安局") or "the dataset's city"
        self.index = index
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="jur-online")
        self.failed: list[str] = []  # reasons of lookups that could not reach the service
        self._lock = threading.Lock()
        self._memo: dict[str, Future] = {}

    @classmethod
    def from_env(
        cls,
        index: Index,
        *,
        crs: str = "gcj02",
        max_age: int = DEFAULT_MAX_AGE,
        rate: float = DEFAULT_RATE,
        workers: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int | None = None,
        backoff: float | None = None,
        explain: bool = False,
    ) -> OnlineStep:
        from .index import cache_root

        if crs not in ("gcj02", "wgs84"):
            raise UsageError(f"unknown --crs '{crs}'; choose gcj02 or wgs84")
        if max_age < 0 or rate <= 0 or workers < 1 or timeout <= 0:
            raise UsageError(
                "--online-max-age must be 0 or more; rate, workers and timeout more than 0"
            )
        key = os.environ.get("JUR_AMAP_KEY", "").strip()
        if not key:
            raise UsageError(
                "--online needs an AMap web-service key in the environment variable JUR_AMAP_KEY"
            )
        base = os.environ.get("JUR_AMAP_URL", "").strip() or DEFAULT_URL
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise UsageError("JUR_AMAP_URL must start with http:// or https://")
        client = Client(
            base,
            key,
            rate=rate,
            timeout=timeout,
            retries=RETRIES if retries is None else retries,
            backoff=BACKOFF if backoff is None else backoff,
        )
        return cls(
            index,
            client,
            Cache(cache_root(), max_age),
            crs=crs,
            workers=workers,
            explain=explain,
        )

    # --- the stream -----------------------------------------------------------------------

    def complete(self, batch: Iterable[Answer]) -> Iterator[Answer]:
        """The batch's answers in order, each as soon as it and those before it are ready."""
        pending: list[Answer | Future] = []
        for answer in batch:
            if self.wants(answer):
                pending.append(self.pool.submit(self.improve, answer))
            else:
                pending.append(answer)
        for item in pending:
            yield item.result() if isinstance(item, Future) else item

    def wants(self, answer: Answer) -> bool:
        """Whether the service is asked about this query at all."""
        if answer.status in ("found", "outside"):
            return False
        if answer.place is not None:
            # a metro station or the railway station: its own sub-bureau answers for it, not
            # the territorial station of the ground it stands on
            return False
        if answer.status == "ambiguous" and answer.match == "fuzzy":
            # 花园: the start of several names, or a typo; the geocoder would only guess too
            return False
        query = answer.query
        if parse_position(query) is not None:
            return True
        if not _CJK.search(query) or len(query) > MAX_ADDRESS:
            return False
        if answer.note == "not valid UTF-8":
            return False
        return bool(self.rest_after_areas(normalize(query)))

    def finish(self) -> None:
        """Raise the error that ends the run, if any (after every record is written)."""
        self.close()
        if self.client.stopped:
            raise OnlineStopped(
                f"online lookups stopped: {self.client.stopped}; the remaining answers are offline"
            )
        if self.failed:
            n = len(self.failed)
            raise OnlineUnavailable(
                f"online: {n} lookup{'s' if n > 1 else ''} got no answer from "
                f"{urllib.parse.urlsplit(self.client.base).netloc} ({self.failed[-1]}); "
                f"{'their answers are' if n > 1 else 'its answer is'} offline only"
            )

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Stop at once: no request is sent after this, queued lookups are dropped."""
        self.client.stopped = self.client.stopped or "interrupted"
        self.pool.shutdown(wait=False, cancel_futures=True)

    # --- one query --------------------------------------------------------------------------

    def improve(self, answer: Answer) -> Answer:
        """The online answer for one offline answer (never raises for the service's faults)."""
        try:
            places = self.locate(answer.query)
        except _Stopped as e:
            return self.keep(answer, f"online lookup stopped: {e}")
        except _Transient as e:
            return self.keep(answer, f"online lookup failed: {e.reason}")
        except _Down as e:
            return self.keep(answer, f"online lookup skipped: the service is unreachable ({e})")
        except _Bad as e:
            return self.keep(answer, f"online lookup gave {e}")
        if isinstance(places, str):
            return self.keep(answer, places)
        return self.decide(answer, places)

    def locate(self, query: str) -> list[dict] | str:
        """The places the service puts the query in (with its match level), or a note
        saying why there are none."""
        position = parse_position(query)
        if position is not None:
            lng, lat = position
            if not in_china(lng, lat):
                if in_china(lat, lng):
                    return "looks like latitude,longitude: jur reads longitude,latitude"
                return "not a position in China: give longitude,latitude (e.g. 113.6650,34.7526)"
            if self.crs == "wgs84":
                lng, lat = wgs84_to_gcj02(lng, lat)
            return [self.regeo(f"{lng:.6f},{lat:.6f}")]
        results = self.geo(query)
        if not results:
            return "the geocoder knows no such place"
        # no adcode: the township's answer below tells where it is
        inside = [r for r in results if not r["adcode"] or self.in_city(r["adcode"])]
        if not inside:
            return f"the geocoder puts it outside {self.city_name}: {where(results[0])}"
        precise = [r for r in inside if r["level"] in PRECISE_LEVELS | CROSSING_LEVELS]
        if not precise:
            r = inside[0]
            return (
                f"the geocoder matched only a {r['level'] or 'vague'} ({where(r)}): "
                f"too coarse to decide a station"
            )
        if len(precise) > MAX_RESULTS:
            return f"the geocoder found {len(precise)} places of this name"
        places = []
        for r in precise:
            place = dict(self.regeo(r["location"]))
            place["level"] = r["level"]
            place["geo_formatted"] = r["formatted"]
            places.append(place)
        return places

    def geo(self, query: str) -> list[dict]:
        params = {"address": query.strip()}
        if self.city_code:
            params["city"] = self.city_code
        key = f"geo|{self.city_code or ''}|{normalize(query)}"
        return self.ask(key, GEO, params, geo_results)

    def regeo(self, location: str) -> dict:
        return self.ask(f"regeo|{location}", REGEO, {"location": location}, regeo_place)

    def ask(self, key: str, endpoint: str, params: dict[str, str], read: Reader) -> Any:
        """From the cache, or from the service (one request per key and run, shared by the
        threads that want it)."""
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        with self._lock:
            future = self._memo.get(key)
            mine = future is None
            if mine:
                future = self._memo[key] = Future()
        if not mine:
            return future.result()
        try:
            value = self.request(endpoint, params, read)
        except BaseException as e:
            future.set_exception(e)
            with self._lock:
                self._memo.pop(key, None)  # a failure is not remembered
            raise
        self.cache.put(key, value)
        future.set_result(value)
        return value

    def request(self, endpoint: str, params: dict[str, str], read: Reader) -> Any:
        try:
            data = self.client.get(endpoint, params)
        except _Transient as e:
            with self._lock:
                self.failed.append(e.reason)
            raise
        except _Down as e:
            with self._lock:
                self.failed.append(str(e))
            raise
        try:
            return read(data)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise _Bad(f"an unexpected answer ({e.__class__.__name__})") from None

    def in_city(self, adcode: str) -> bool:
        return self.city_prefix is None or adcode.startswith(self.city_prefix)

    # --- deciding ---------------------------------------------------------------------------

    def decide(self, answer: Answer, places: list[dict]) -> Answer:
        for place in places:
            if not place["adcode"]:
                return self.keep(answer, "the geocoder knows no place at this position")
            if not self.in_city(place["adcode"]):
                return self.keep(
                    answer, f"the geocoder puts it outside {self.city_name}: {where(place)}"
                )
        matched = [self.street_of(place) for place in places]
        if any(m is None for m in matched):
            place = places[matched.index(None)]
            district = self.district_by_code.get(place["adcode"])
            if district is not None and district.sub_bureau is None and len(places) == 1:
                return answer._replace(
                    status="outside",
                    station=None,
                    sub_bureau=None,
                    street=None,
                    district=district.name,
                    score=SCORE,
                    match="geocoder",
                    code=None,
                    candidates=(),
                    note=_join(
                        f"{district.name} is outside the 11 sub-bureaus' area",
                        self.geocoder_note(place),
                    ),
                    explain=self.steps(answer, f"geocoder: {where(place)}"),
                )
            what = place["township"] or "no township"
            code = f" ({place['towncode']})" if place["towncode"] else ""
            return self.keep(
                answer,
                f"the geocoder puts it in {what}{code}, which the dataset does not know: "
                f"{where(place)}",
            )
        streets = list({s.code: s for s in matched}.values())
        written = self.written_areas(answer)
        if len(streets) > 1 and written:  # the district written picks among the places
            agreeing = [s for s in streets if all(self.agrees(s, a) for a in written)]
            if len(agreeing) == 1:
                streets = agreeing
                places = [p for p, s in zip(places, matched, strict=True) if s is agreeing[0]]
        note = self.geocoder_note(places[0])
        if len(streets) > 1:
            cands = [*answer.candidates, *(self.candidate(s) for s in streets)]
            return self.ambiguous(
                answer,
                cands,
                f"the geocoder found {len(places)} places, in "
                f"{'、'.join(s.name for s in streets)}; {note}",
            )
        street = streets[0]
        crossing = any(p.get("level") in CROSSING_LEVELS for p in places)
        against = [area for area in written if not self.agrees(street, area)]
        if against:
            names = "、".join(map(_area_name, against))
            return self.ambiguous(
                answer,
                [
                    *answer.candidates,
                    *(area_candidate(a, SCORE) for a in against),
                    self.candidate(street),
                ],
                f"the geocoder puts it in {street.name} ({street.district}), not in {names} "
                f"as written: check which was meant; {note}",
            )
        if answer.status == "ambiguous" and answer.match != "address":
            if not any(_same_place(c, street) for c in answer.candidates):
                return self.ambiguous(
                    answer,
                    [*answer.candidates, self.candidate(street)],
                    f"the geocoder puts it in {street.name} ({street.district}), which is "
                    f"none of the names that fit; {note}",
                )
        return self.place(answer, street, note, crossing)

    def street_of(self, place: dict) -> Street | None:
        """The dataset's street for a township: by code, else by name within its district."""
        towncode = place["towncode"]
        if len(towncode) >= 9 and towncode.isdigit():
            street = self.by_code.get(towncode[:9])
            if street is not None:
                return street
        name = normalize(place["township"])
        if not name:
            return None
        adcode, district = place["adcode"], place["district"]
        # the township's name as the index knows the street's names (official, kind and
        # office forms, former names), within the district the service gives
        codes = {h.row.code for h in self.index.lookup(name) if h.target == "S"}
        hits = [
            self.by_code[c]
            for c in sorted(codes)
            if (adcode and c.startswith(adcode))
            or (district and self.by_code[c].district == district)
        ]
        return hits[0] if len(hits) == 1 else None

    def written_areas(self, answer: Answer) -> list[tuple]:
        """The districts, zones and sub-bureaus the query names, as the offline resolver
        reads and holds them (address.read; a zone beside the district it lies on decides:
        resolve.combine_areas); both when two disagree. Else the area of an offline
        `partial` answered from a district or sub-bureau name."""
        parts = [p for p in read(normalize(answer.query), self.index).parts if p.kind == "area"]
        area, clash = combine_areas(self.index, parts)
        if clash:
            return list(clash)
        if area:
            return [area]
        if answer.status == "partial" and answer.match == "district":
            for name in (answer.district, answer.sub_bureau):
                written = self.index.areas.get(normalize(name or ""))
                if written:
                    return [written]
        return []

    def rest_after_areas(self, key: str) -> str:
        """The text left once region prefixes and area names are taken out."""
        return "".join(
            p.text for p in read(key, self.index).parts if p.kind not in ("region", "area")
        )

    def agrees(self, street: Street, area: tuple) -> bool:
        """A street agrees with an area as the offline resolver says: the district it is
        coded under, the zone that runs it, the district its zone lies on."""
        return agrees(self.index, street.sub_bureau, street.district, area)

    # --- answers ----------------------------------------------------------------------------

    def place(self, answer: Answer, street: Street, note: str, crossing: bool) -> Answer:
        notes = [note]
        if not street.verified:
            notes.append(f"assignment unverified: {street.note}")
        if crossing:
            notes.append("a crossing can lie on the boundary of two subdistricts: check")
        if street.station is None:
            notes.insert(0, f"{street.district} is outside the 11 sub-bureaus' area")
        return answer._replace(
            status="found" if street.station else "outside",
            station=street.station,
            sub_bureau=street.sub_bureau,
            street=street.name,
            district=street.district,
            score=SCORE,
            match="geocoder",
            code=street.code,
            verified=street.verified and not crossing,
            candidates=(),
            note="; ".join(notes),
            explain=self.steps(answer, f"geocoder: {street.name} ({street.code})"),
        )

    def ambiguous(self, answer: Answer, cands: list[Candidate], note: str) -> Answer:
        unique = list({(c.code, c.station, c.sub_bureau, c.district): c for c in cands}.values())
        return answer._replace(
            status="ambiguous",
            station=None,
            sub_bureau=None,
            street=None,
            district=None,
            score=SCORE,
            match="geocoder",
            code=None,
            candidates=tuple(unique),
            note=note,
            explain=self.steps(answer, "geocoder disagrees: ambiguous"),
        )

    def keep(self, answer: Answer, why: str) -> Answer:
        """The offline answer, with the reason the online step did not change it."""
        return answer._replace(
            note=_join(answer.note, f"online: {why}"),
            explain=self.steps(answer, f"online: {why}"),
        )

    def candidate(self, street: Street) -> Candidate:
        return Candidate(
            station=street.station,
            sub_bureau=street.sub_bureau,
            street=street.name,
            district=street.district,
            code=street.code,
            score=SCORE,
            match="geocoder",
        )

    def geocoder_note(self, place: dict) -> str:
        level = place.get("level")
        text = place.get("geo_formatted") or where(place)
        return f"geocoder: {text}" + (f" ({level})" if level else "")

    def steps(self, answer: Answer, step: str) -> tuple:
        return (*answer.explain, step) if self.explain else answer.explain


# --- helpers -------------------------------------------------------------------------------


def _same_place(c: Candidate, street: Street) -> bool:
    if c.code:
        return c.code == street.code
    return c.station is not None and c.station == street.station
