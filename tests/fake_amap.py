"""A local stand-in for AMap's web service (/v3/geocode/geo and /v3/geocode/regeo), for tests.

It listens on 127.0.0.1 only, on a port the system picks, in a thread; it speaks the
documented response format: `status` "1"/"0", `info`, `infocode` (10000 OK, 10001
INVALID_USER_KEY, 10003 DAILY_QUERY_OVER_LIMIT, 10004 ACCESS_TOO_FREQUENT, 10044
USER_DAILY_QUERY_OVER_LIMIT), `count` as a string, `location` as "lng,lat", and empty fields
sent as [] instead of "" (township, street, number, neighborhood.name, city of a
municipality). It records every request so that tests can count them.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Terminal control codes a hostile reply may carry: clear the screen, an OSC window title
# ended by BEL, a C1 CSI.
ESCAPES = "\x1b[2J\x1b]0;forged\x07\x9b31m"

ERRORS = {
    "invalid_key": ("INVALID_USER_KEY", "10001"),
    "quota": ("DAILY_QUERY_OVER_LIMIT", "10003"),
    "too_frequent": ("ACCESS_TOO_FREQUENT", "10004"),
    "account_quota": ("USER_DAILY_QUERY_OVER_LIMIT", "10044"),
    "invalid_params": ("INVALID_PARAMS", "20000"),
}


def geocode(
    location: str,
    *,
    formatted: str,
    district: str,
    adcode: str,
    level: str = "门牌号",
    province: str = "河南省",
    city: str = "郑州市",
) -> dict:
    """One geocode result, as the service writes it."""
    return {
        "formatted_address": formatted,
        "country": "中国",
        "province": province,
        "citycode": "0371",
        "city": city,
        "district": district,
        "township": [],
        "neighborhood": {"name": [], "type": []},
        "building": {"name": [], "type": []},
        "adcode": adcode,
        "street": [],
        "number": [],
        "location": location,
        "level": level,
    }


def regeocode(
    *,
    formatted: str,
    district: str,
    adcode: str,
    township: str,
    towncode: str,
    province: str = "河南省",
    city: str | list = "郑州市",
) -> dict:
    """One regeocode object (extensions=base), as the service writes it."""
    return {
        "formatted_address": formatted,
        "addressComponent": {
            "country": "中国",
            "province": province,
            "city": city,
            "citycode": "0371",
            "district": district,
            "adcode": adcode,
            "township": township,
            "towncode": towncode,
            "neighborhood": {"name": [], "type": []},
            "building": {"name": [], "type": []},
            "streetNumber": {
                "street": [],
                "number": [],
                "location": [],
                "direction": [],
                "distance": [],
            },
            "businessAreas": [[]],
        },
    }


DEHUA = "113.665000,34.752600"  # where the fake puts 经三路66号: in 德化街街道
DEHUA_REGEO = regeocode(
    formatted="河南省郑州市二七区德化街街道德化街66号",
    district="二七区",
    adcode="410103",
    township="德化街街道",
    towncode="410103010000",
)


def address(location: str, formatted: str, district: str, adcode: str, level: str = "门牌号"):
    return geocode(location, formatted=formatted, district=district, adcode=adcode, level=level)


class FakeAmap:
    """The fake service. `places` maps an address to its geocode results, `positions` a
    "lng,lat" (as sent, 6 decimals) to its regeocode; `script` is a list of actions for the
    next requests, one each ("too_frequent", "quota", "invalid_key", "malformed", "http503",
    "hang", "not_object"); `mode` is an action for every request.

    Hostile actions, for the hardening tests: "http429" (HTTP 429), "slow_bytes" (a valid
    answer sent one byte every `drip` seconds), "deep_json" (a body of 2,000 nested lists),
    "cut_body" (Content-Length promises more than is sent, then the connection closes),
    "redirect_other" (302 to `redirect_to`, another host), "redirect_same" (302 to the same
    path on this server, once), "hang_long" (nothing for a minute), "escape" (a normal
    answer whose formatted_address carries terminal control codes)."""

    def __init__(self, key: str = "test-key") -> None:
        self.key = key
        self.places: dict[str, list[dict]] = {}
        self.positions: dict[str, dict] = {}
        self.script: list[str] = []
        self.mode: str | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.url = ""
        self.drip = 0.1  # seconds between two bytes of "slow_bytes"
        self.redirect_to = "http://127.0.0.2:9"  # "redirect_other": another host

    # --- data -------------------------------------------------------------------------

    def add_address(self, address: str, *results: dict) -> None:
        self.places[address] = list(results)

    def add_position(self, location: str, regeo: dict) -> None:
        self.positions[location] = regeo

    # --- what was asked ---------------------------------------------------------------

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]

    def asked(self, param: str) -> list[str]:
        with self.lock:
            return [q.get(param, "") for _, q in self.requests]

    # --- serving ----------------------------------------------------------------------

    def start(self) -> FakeAmap:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                fake.handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(h.path)
        params = dict(urllib.parse.parse_qsl(parsed.query))
        with self.lock:
            self.requests.append((parsed.path, params))
            action = self.script.pop(0) if self.script else self.mode
        if action == "hang":
            self.release.wait(10)  # longer than any client timeout in the tests
            return self.send(h, 200, b"{}")
        if action == "hang_long":
            self.release.wait(60)
            return self.send(h, 200, b"{}")
        if action == "http429":
            return self.send(h, 429, b"slow down")
        if action == "deep_json":
            return self.send(h, 200, b"[" * 2000 + b"]" * 2000)
        if action == "cut_body":
            return self.cut(h, b'{"status": "1", "info": "OK", "geocodes": [')
        if action in ("redirect_other", "redirect_same"):
            if action == "redirect_same":
                target = h.path + "&again=1"
            else:
                target = self.redirect_to + h.path
            return self.redirect(h, target)
        if action == "http503":
            return self.send(h, 503, b"busy")
        if action == "malformed":
            return self.send(h, 200, b'{"status": "1", "geocodes": [')
        if action == "not_object":
            return self.send(h, 200, b'["status", "1"]')
        if params.get("key") != self.key:
            action = "invalid_key"
        if action in ERRORS:
            info, code = ERRORS[action]
            return self.json(h, {"status": "0", "info": info, "infocode": code})
        ok = {"status": "1", "info": "OK", "infocode": "10000"}
        if parsed.path == "/v3/geocode/geo":
            results = self.places.get(params.get("address", ""), [])
            if action == "escape":
                results = [{**r, "formatted_address": ESCAPES + r["formatted_address"]}
                           for r in results]  # fmt: skip
            answer = {**ok, "count": str(len(results)), "geocodes": results}
            if action == "slow_bytes":
                return self.slow(h, json.dumps(answer, ensure_ascii=False).encode("utf-8"))
            return self.json(h, answer)
        if parsed.path == "/v3/geocode/regeo":
            regeo = self.positions.get(params.get("location", ""))
            if regeo is None:  # nowhere the service knows (the sea): empty fields as []
                regeo = {"formatted_address": [], "addressComponent": {
                    "country": [], "province": [], "city": [], "citycode": [], "district": [],
                    "adcode": [], "township": [], "towncode": [],
                }}  # fmt: skip
            return self.json(h, {**ok, "regeocode": regeo})
        return self.json(h, {"status": "0", "info": "SERVICE_NOT_AVAILABLE", "infocode": "10002"})

    def slow(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        """A valid answer, one byte every `drip` seconds (each read gets a byte in time)."""
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json;charset=UTF-8")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.flush()
            for i in range(len(body)):
                if self.release.wait(self.drip):
                    return
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
        except OSError:
            pass

    def cut(self, h: BaseHTTPRequestHandler, start: bytes) -> None:
        """Promise 1,000 bytes, send the start, close the connection."""
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json;charset=UTF-8")
            h.send_header("Content-Length", "1000")
            h.end_headers()
            h.wfile.write(start)
            h.wfile.flush()
        except OSError:
            pass
        h.close_connection = True

    def redirect(self, h: BaseHTTPRequestHandler, target: str) -> None:
        try:
            h.send_response(302)
            h.send_header("Location", target)
            h.send_header("Content-Length", "0")
            h.end_headers()
        except OSError:
            pass

    def json(self, h: BaseHTTPRequestHandler, data: object) -> None:
        self.send(h, 200, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def send(self, h: BaseHTTPRequestHandler, code: int, body: bytes) -> None:
        try:
            h.send_response(code)
            h.send_header("Content-Type", "application/json;charset=UTF-8")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError:  # the client gave up (a timeout test)
            pass


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a service that is down)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
