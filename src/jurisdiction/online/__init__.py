"""The opt-in online step of `jur find --online`: AMap's web service fills in what the offline
resolver cannot decide (most addresses name only a road and a number).

Imported only when --online is given: a plain `jur find` never loads this package, http.client
or threads, and never sends anything anywhere.

Three rooms, wired together here for `find`:
  - client.py: HTTP (pacing, a deadline per request, retries, the run's request budget,
    the checks of JUR_AMAP_URL and of the numeric options);
  - cache.py: the answers kept on disk (the file format, the safe open, compaction);
  - decide.py: a geocoder's place plus the offline answer gives the Answer.

The way a query travels online
    address   -> /v3/geocode/geo   (address, city) -> a position and a match level
              -> /v3/geocode/regeo (location)      -> the township that contains it
    position  -> /v3/geocode/regeo directly ("lng,lat"; GCJ-02 by default, --crs wgs84 for GPS)
    township  -> street -> the street's station and sub-bureau, as the dataset says.

Only queries the offline resolver does not answer `found` or `outside` are asked about, and
not those with nothing to geocode (blank, not UTF-8, too long, no Chinese character, or only
a district or sub-bureau name: the district is the whole question there).

Failures never lose a record: each query keeps its offline answer, with a note.
  - A refused key or an exhausted quota stops every further request; the run ends with one
    line on stderr and exit status 2 (OnlineStopped).
  - Lookups that got no answer (timeouts, dropped connections, 5xx, busy) or were not sent
    (the service taken to be down or busy, the request budget spent): the run ends with one
    line on stderr and exit status 1 (OnlineUnavailable).
  - A malformed or unexpected reply: that query keeps its offline answer, with a note.

Requests run on a few daemon worker threads; answers come out in input order. The first
request runs alone, so a wrong key costs one request. Ctrl-C cuts the requests in flight and
the run exits at once (130): no worker is waited for. Answers from the service (including
"no such place") are kept in the cache, keyed by what was sent; a second run of the same
input makes no request. The key is read from JUR_AMAP_KEY only; it is never printed nor
written anywhere.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future

from ..errors import Exit, JurError, UsageError
from ..model import Answer
from . import cache as cache_room
from . import client as client_room
from .cache import CACHE_DIR, CACHE_FILE, Cache
from .client import GEO, REGEO, BadReply, Client, Skipped, Stopped, Transient
from .decide import (
    SCORE,
    Decider,
    geo_results,
    in_china,
    parse_position,
    regeo_place,
    sent_address,
    valid_cached,
    wgs84_to_gcj02,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any

    from ..index import Index

__all__ = [
    "CACHE_DIR",
    "CACHE_FILE",
    "SCORE",
    "OnlineStep",
    "OnlineStopped",
    "OnlineUnavailable",
    "in_china",
    "parse_position",
    "wgs84_to_gcj02",
]


class OnlineStopped(JurError):
    """The service refused the key or the quota: online lookups stopped (exit 2)."""

    exit_code = Exit.USAGE


class OnlineUnavailable(JurError):
    """Some lookups got no answer or were not sent: their answers are offline only (exit 1)."""

    exit_code = Exit.NOT_ALL_FOUND


class Workers:
    """A few daemon threads running submitted calls: unlike a ThreadPoolExecutor's, the
    interpreter never waits for them at exit, so Ctrl-C ends a run at once."""

    def __init__(self, n: int) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.closed = False
        self.threads = [
            threading.Thread(target=self._run, name=f"jur-online-{i}", daemon=True)
            for i in range(max(1, n))
        ]
        for t in self.threads:
            t.start()

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future:
        future: Future = Future()
        self.jobs.put((future, fn, arg))
        return future

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            future, fn, arg = job
            if self.closed or not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(arg))
            except BaseException as e:
                future.set_exception(e)

    def shutdown(self, *, wait: bool) -> None:
        """No more jobs; drop the queued ones; with `wait`, join the threads."""
        self.closed = True
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job[0].cancel()
        for _ in self.threads:
            self.jobs.put(None)
        if wait:
            for t in self.threads:
                t.join()


class OnlineStep:
    """Turns offline answers into online ones where the service can decide."""

    def __init__(
        self,
        index: Index,
        client: Client,
        cache: Cache,
        *,
        crs: str = "gcj02",
        workers: int = client_room.DEFAULT_WORKERS,
        explain: bool = False,
        err: IO[str] | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.crs = crs
        self.decider = Decider(index, explain=explain)
        self.err = err
        self.workers = workers
        self.pool: Workers | None = None
        self.failed: list[str] = []  # reasons of lookups that got no answer
        self.skipped = 0  # lookups not sent (service down or busy, budget spent)
        self._lock = threading.Lock()
        self._memo: dict[str, Future] = {}

    @classmethod
    def from_env(
        cls,
        index: Index,
        *,
        crs: str = "gcj02",
        max_age: int = 365,
        rate: float = client_room.DEFAULT_RATE,
        workers: int = client_room.DEFAULT_WORKERS,
        timeout: float = client_room.DEFAULT_TIMEOUT,
        max_requests: int = client_room.DEFAULT_MAX_REQUESTS,
        retries: int | None = None,
        backoff: float | None = None,
        explain: bool = False,
        err: IO[str] | None = None,
    ) -> OnlineStep:
        from ..index import cache_root

        if crs not in ("gcj02", "wgs84"):
            raise UsageError(f"unknown --crs '{crs}'; choose gcj02 or wgs84")
        c = client_room
        c.check_number("--online-rate", rate, *c.RATE_RANGE, low_open=True)
        c.check_number("--online-timeout", timeout, *c.TIMEOUT_RANGE, low_open=True)
        c.check_whole("--online-workers", workers, *c.WORKERS_RANGE)
        c.check_whole("--online-max-age", max_age, *c.MAX_AGE_RANGE)
        c.check_whole("--online-max-requests", max_requests, *c.MAX_REQUESTS_RANGE)
        key = os.environ.get("JUR_AMAP_KEY", "").strip()
        if not key:
            raise UsageError(
                "--online needs an AMap web-service key in the environment variable JUR_AMAP_KEY"
            )
        base = c.check_url(os.environ.get("JUR_AMAP_URL", "").strip() or c.DEFAULT_URL)
        client = Client(
            base,
            key,
            rate=rate,
            timeout=timeout,
            retries=c.RETRIES if retries is None else retries,
            backoff=c.BACKOFF if backoff is None else backoff,
            max_requests=max_requests,
        )
        cache = Cache(cache_root(), max_age, check=valid_cached)
        return cls(index, client, cache, crs=crs, workers=workers, explain=explain, err=err)

    # --- the stream -------------------------------------------------------------------------

    def wants(self, answer: Answer) -> bool:
        """Whether the service is asked about this query at all (decide.py's rule)."""
        return self.decider.wants(answer)

    def complete(self, batch: Iterable[Answer]) -> Iterator[Answer]:
        """The batch's answers in order, each as soon as it and those before it are ready."""
        pending: list[Answer | Future] = []
        for answer in batch:
            if self.decider.wants(answer):
                pending.append(self._start().submit(self.improve, answer))
            else:
                pending.append(answer)
        for item in pending:
            yield item.result() if isinstance(item, Future) else item

    def _start(self) -> Workers:
        """The workers, and the cache read, on the first query that needs the service."""
        if self.pool is None:
            self.cache.load()
            self.say_about_cache()
            self.pool = Workers(self.workers)
        return self.pool

    def say_about_cache(self) -> None:
        where = os.path.join(cache_room.CACHE_DIR, cache_room.CACHE_FILE)
        if self.cache.problem:
            self.say(f"jur: online cache {where}: {self.cache.problem}")
        if self.cache.skipped:
            n = self.cache.skipped
            self.say(
                f"jur: online cache {where}: {n} unreadable line{'s' if n > 1 else ''} skipped"
            )

    def say(self, line: str) -> None:
        if self.err is not None:
            from ..render import printable

            self.err.write(printable(line) + "\n")

    def finish(self) -> None:
        """Raise the error that ends the run, if any (after every record is written)."""
        self.close()
        client = self.client
        if client.stopped:
            raise OnlineStopped(
                f"online lookups stopped: {client.stopped}; the remaining answers are offline"
            )
        if self.failed or self.skipped:
            n = len(self.failed) + self.skipped
            why = self.failed[-1] if self.failed else client.down or "not sent"
            if client.spent:
                why = f"the budget of {client.max_requests} requests is spent"
            raise OnlineUnavailable(
                f"online: {n} lookup{'s' if n > 1 else ''} got no answer from "
                f"{client.host} ({why}); "
                f"{'their answers are' if n > 1 else 'its answer is'} offline only"
            )

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        self.cache.close()

    def abort(self) -> None:
        """Stop at once: no request is sent after this, requests in flight are cut, queued
        lookups are dropped, and no worker is waited for."""
        self.client.abort()
        if self.pool is not None:
            self.pool.shutdown(wait=False)

    # --- one query --------------------------------------------------------------------------

    def improve(self, answer: Answer) -> Answer:
        """The online answer for one offline answer (never raises for the service's faults)."""
        keep = self.decider.keep
        try:
            places = self.locate(answer.query)
        except Stopped as e:
            return keep(answer, f"online lookup stopped: {e}")
        except Transient as e:
            return keep(answer, f"online lookup failed: {e.reason}")
        except Skipped as e:
            with self._lock:
                self.skipped += 1
            return keep(answer, f"online lookup skipped: {e}")
        except BadReply as e:
            return keep(answer, f"online lookup gave {e}")
        if isinstance(places, str):
            return keep(answer, places)
        return self.decider.decide(answer, places)

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
        results = self.decider.follow(self.geo(query))
        if isinstance(results, str):
            return results
        places = []
        for r in results:
            place = dict(self.regeo(r["location"]))
            place["level"] = r["level"]
            place["geo_formatted"] = r["formatted"]
            places.append(place)
        return places

    def geo(self, query: str) -> list[dict]:
        params = {"address": sent_address(query)}
        city = self.decider.city_code
        if city:
            params["city"] = city
        # keyed on what is sent: 经三路1-3号 and 经三路13号 are two addresses
        key = f"geo|{city or ''}|{params['address']}"
        return self.ask(key, GEO, params, geo_results)

    def regeo(self, location: str) -> dict:
        return self.ask(f"regeo|{location}", REGEO, {"location": location}, regeo_place)

    def ask(
        self, key: str, endpoint: str, params: dict[str, str], read: Callable[[dict], Any]
    ) -> Any:
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
        assert future is not None
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

    def request(self, endpoint: str, params: dict[str, str], read: Callable[[dict], Any]) -> Any:
        try:
            data = self.client.get(endpoint, params)
        except Transient as e:
            with self._lock:
                self.failed.append(e.reason)
            raise
        try:
            return read(data)
        except BadReply:
            raise
        except Exception as e:  # whatever reading the reply raises, the reply is bad
            raise BadReply(f"an unexpected answer ({e.__class__.__name__})") from None
