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


class FakeAmap:
    """The fake service. `places` maps an address to its geocode results, `positions` a
    "lng,lat" (as sent, 6 decimals) to its regeocode; `script` is a list of actions for the
    next requests, one each ("too_frequent", "quota", "invalid_key", "malformed", "http503",
    "hang", "not_object"); `mode` is an action for every request."""

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
            return self.json(h, {**ok, "count": str(len(results)), "geocodes": results})
        if parsed.path == "/v3/geocode/regeo":
            regeo = self.positions.get(params.get("location", ""))
            if regeo is None:  # nowhere the service knows (the sea): empty fields as []
                regeo = {"formatted_address": [], "addressComponent": {
                    "country": [], "province": [], "city": [], "citycode": [], "district": [],
                    "adcode": [], "township": [], "towncode": [],
                }}  # fmt: skip
            return self.json(h, {**ok, "regeocode": regeo})
        return self.json(h, {"status": "0", "info": "SERVICE_NOT_AVAILABLE", "infocode": "10002"})

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
