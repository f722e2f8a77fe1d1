"""jur serve: the JSON API and the page, through Starlette's test client, and the command
itself as a real process on 127.0.0.1 (tests/serve_helpers.py). The page in a real browser
is tests/test_serve_browser.py."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import urllib.request

import pytest

pytest.importorskip("starlette")  # the serve extra; the test extra installs it

from serve_helpers import served
from starlette.testclient import TestClient

from jurisdiction import commands
from jurisdiction.serve import app as serve_app
from jurisdiction.serve.app import MAX_BATCH, MAX_BODY, create_app

from conftest import ROOT, jur

QUERIES = [
    "德化街",
    "三官庙",
    "郑州市二七区淮南街7号",
    "巩义市",
    "人民公园",
    "碧沙岗社区",
    "德华街",
    "郑州东站",
    "",
]
XSS = "<script>alert(1)</script>"
# Straight to 127.0.0.1, whatever proxy the environment names.
urlopen = urllib.request.build_opener(urllib.request.ProxyHandler({})).open


@pytest.fixture(scope="module")
def client():
    from jurisdiction import open_index

    return TestClient(create_app(index=open_index(ROOT / "data", use_cache=False)))


def cli_json(queries: list[str], **kw) -> list[dict]:
    out = io.StringIO()
    commands.run_find(queries, fmt="json", out=out, err=io.StringIO(), **kw)
    return json.loads(out.getvalue())


def assert_json_error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and body["error"]
    assert "Traceback" not in r.text
    return body


# --- the API gives the records of the CLI -------------------------------------------------------


def test_get_find_returns_the_record_of_jur_find_json(client):
    expected = cli_json(QUERIES)
    got = [client.get("/api/find", params={"q": q}).json() for q in QUERIES]
    assert got == expected
    assert got[0]["station"] == "德化街派出所" and got[0]["sub_bureau"] == "二七分局"


def test_get_find_with_explain_and_limit_matches_the_cli(client):
    for q in ("郑州市二七区南彩社区3号院", "花园", "德华街"):
        r = client.get("/api/find", params={"q": q, "explain": "1", "limit": "3"})
        assert r.json() == cli_json([q], explain=True, limit=3)[0]
        assert r.json()["explain"]


def test_the_cli_itself_prints_the_same_record(client):
    p = jur("find", "德化街", "-f", "json")
    assert json.loads(p.stdout) == [client.get("/api/find?q=德化街").json()]


def test_post_find_answers_a_list_in_order_one_record_each(client):
    queries = [*QUERIES, "德化街", "  ", "x" * 2000]
    r = client.post("/api/find", json=queries)
    assert r.status_code == 200
    assert r.json() == cli_json(queries)
    assert [a["query"] for a in r.json()] == queries
    r = client.post("/api/find?explain=1", json=["德化街"])
    assert r.json()[0]["explain"] == ["matched: short, office or kind form"]


def test_a_large_batch_is_answered_off_the_event_loop_and_in_order(client):
    queries = [f"郑州市二七区德化街街道某某小区{i}号楼" for i in range(300)]
    r = client.post("/api/find", json=queries)
    assert [a["query"] for a in r.json()] == queries
    assert {a["station"] for a in r.json()} == {"德化街派出所"}


def test_lists_show_and_roster_are_the_cli_records(client, dataset):
    assert client.get("/api/stations").json() == commands.list_records(dataset, "stations")[1]
    subs = client.get("/api/sub-bureaus").json()
    assert subs == commands.list_records(dataset, "sub-bureaus")[1] and len(subs) == 11
    for name in ("德化街派出所", "二七分局", "金水区"):
        out = io.StringIO()
        commands.run_show(name, fmt="json", out=out)
        assert client.get(f"/api/show/{name}").json() == json.loads(out.getvalue())
    out = io.StringIO()
    commands.run_roster("二七", fmt="json", out=out)
    roster = client.get("/api/roster/二七").json()
    assert roster == json.loads(out.getvalue()) and len(roster) == 16


def test_healthz_gives_the_dataset_edition(client, index):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["edition"] == index.edition == "2020-10-20"
    assert body["online"] is False


def test_openapi_describes_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/find", "/api/stations", "/api/show/{name}", "/healthz"} <= set(paths)
    assert {"get", "post"} == set(paths["/api/find"])


# --- bad requests: 4xx with a JSON error ------------------------------------------------------


def test_bad_parameters_are_400_json(client):
    assert_json_error(client.get("/api/find"), 400)
    assert_json_error(client.get("/api/find?q=德化街&limit=-1"), 400)
    assert_json_error(client.get("/api/find?q=德化街&limit=9999"), 400)
    assert_json_error(client.get("/api/find?q=德化街&limit=１"), 400)
    assert_json_error(client.get("/api/find?q=德化街&explain=maybe"), 400)
    assert_json_error(client.get("/api/find?q=德化街&online=1"), 400)  # not started with it


def test_limits_give_413(client):
    assert_json_error(client.get("/api/find", params={"q": "德" * 1001}), 413)
    assert client.get("/api/find", params={"q": "德" * 1000}).status_code == 200
    assert_json_error(client.get("/", params={"q": "德" * 1001}), 413)
    assert_json_error(client.post("/api/find", json=["德化街"] * (MAX_BATCH + 1)), 413)
    assert client.post("/api/find", json=["德化街"] * MAX_BATCH).status_code == 200
    big = json.dumps(["德" * 900] * 1000).encode()  # under 10,000 queries, over 2 MiB
    assert len(big) > MAX_BODY
    assert_json_error(client.post("/api/find", content=big), 413)

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * 65536

    assert_json_error(client.post("/api/find", content=chunks()), 413)
    assert_json_error(client.get("/api/show/" + "德" * 101), 413)


def test_a_body_that_is_not_a_list_of_strings_is_400(client):
    for body in (b"", b"{", b'{"q": "x"}', b'["a", 1]', b"\xff\xfe[]", b"[" * 100_000, b'"x"'):
        assert_json_error(client.post("/api/find", content=body), 400)


def test_unknown_names_paths_and_methods_are_json(client):
    body = assert_json_error(client.get("/api/show/没有这个所"), 404)
    assert "没有这个所" in body["error"]
    assert_json_error(client.get("/api/roster/德化街派出所"), 404)
    assert_json_error(client.get("/show/没有这个所"), 404)
    assert_json_error(client.get("/nowhere"), 404)
    assert_json_error(client.delete("/api/find?q=x"), 405)
    assert_json_error(client.post("/api/stations"), 405)


def test_a_bug_gives_a_json_500_without_a_traceback(monkeypatch):
    from jurisdiction import open_index

    def broken(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(serve_app, "resolve", broken)
    c = TestClient(create_app(index=open_index(ROOT / "data")), raise_server_exceptions=False)
    r = c.get("/api/find?q=德化街")
    assert r.status_code == 500 and r.json() == {"error": "internal error"}
    assert "secret" not in r.text and "Traceback" not in r.text


# --- files: only the package's own, by their names -----------------------------------------------


def test_only_the_packages_static_files_are_served(client):
    for name, kind in (("app.js", "javascript"), ("style.css", "css"), ("icon.svg", "svg")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
    for path in (
        "/static/../app.py",
        "/static/%2e%2e%2fapp.py",
        "/static/..%2f..%2fpyproject.toml",
        "/static/app.js%00",
        "/static/%2fetc%2fpasswd",
        "/static/",
        "/static/page.py",
        "/../../etc/passwd",
        "/roster/..%2f..%2fetc%2fpasswd",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"root:" not in r.content and b"import" not in r.content


def test_no_request_opens_a_file(monkeypatch):
    jur("find", "德化街")  # the index cache exists: the app starts from it, as jur serve does
    client = TestClient(create_app())

    def no_files(*a, **k):
        raise AssertionError("a request opened a file")

    monkeypatch.setattr("builtins.open", no_files)
    monkeypatch.setattr("io.open", no_files)
    monkeypatch.setattr("pathlib.Path.open", no_files)
    paths = ["/static/app.js", "/static/style.css", "/", "/api/stations", "/show/二七分局"]
    paths += [f"/api/find?q={q}" for q in QUERIES[:-1]] + ["/?q=郑州市二七区南彩社区3号院"]
    for path in paths:
        assert client.get(path).status_code == 200, path
    r = client.post("/api/find", json=["申庄村", "金水区花园路26号", "dhj", "燕庄站"])
    assert r.status_code == 200


# --- the page ----------------------------------------------------------------------------------


def test_the_page_answers_a_q_link_in_chinese(client):
    r = client.get("/", params={"q": "德化街"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'lang="zh-CN"' in html and 'name="viewport"' in html
    assert "已确定" in html and "德化街派出所" in html and "二七分局" in html
    assert 'href="/show/%E5%BE%B7%E5%8C%96%E8%A1%97%E6%B4%BE%E5%87%BA%E6%89%80"' in html
    assert 'href="/roster/%E4%BA%8C%E4%B8%83%E5%88%86%E5%B1%80"' in html
    assert "解析过程" in html  # the --explain parts
    words = {
        "三官庙": "有歧义",
        "郑州市二七区淮南街7号": "仅知分局",
        "巩义市": "辖区外",
        "花园路26号": "未找到",
    }
    for q, word in words.items():
        assert word in client.get("/", params={"q": q}).text, q


def test_candidates_are_choices_that_answer(client):
    html = client.get("/", params={"q": "三官庙"}).text
    assert html.count('class="cand"') == 2
    for q in ("三官庙派出所", "郑州航空港经济综合实验区三官庙镇"):
        assert f'data-q="{q}"' in html
    # each choice, asked, is no longer ambiguous
    assert client.get("/api/find", params={"q": "三官庙派出所"}).json()["status"] == "found"
    other = client.get("/api/find", params={"q": "郑州航空港经济综合实验区三官庙镇"}).json()
    assert other["status"] == "outside"


def test_the_page_is_self_contained_and_runs_no_inline_script(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    assert html.count("<script") == 1 and '<script src="/static/app.js"></script>' in html
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+\s*=", html) and "javascript:" not in html
    for path in ("/", "/static/app.js", "/static/style.css", "/show/德化街派出所"):
        text = client.get(path).text
        # nothing loaded from elsewhere (a source's address may be shown as text)
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", text), path
        assert 'fetch("http' not in text and "cdn" not in text.lower()
        assert "@import" not in text and "url(" not in text and "font-face" not in text
    roster = client.get("/roster/二七分局")
    assert "script-src" not in roster.headers["content-security-policy"]  # none at all
    assert "<script" not in roster.text and "德化街派出所" in roster.text


def test_the_station_page_shows_what_jur_show_prints(client):
    html = client.get("/show/德化街派出所").text
    for text in ("德化街派出所", "二七分局", "德化街街道", "南彩社区居民委员会", "社区警务队"):
        assert text in html
    html = client.get("/show/二七分局").text
    assert "郑州市二七区淮南街7号" in html and html.count('class="station"') == 16


def test_a_script_in_the_query_is_text(client):
    r = client.get("/", params={"q": XSS})
    assert XSS not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    r = client.get("/api/find", params={"q": XSS})
    assert r.json()["query"] == XSS and r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_a_script_in_the_dataset_is_text(data_copy):
    for name in ("units.yaml", "streets.yaml", "places.yaml", "communities.yaml"):
        path = data_copy / name
        text = path.read_text(encoding="utf-8")
        text = text.replace("德化街派出所", f"'{XSS}德化街派出所'").replace(
            "南彩社区居民委员会", f"'{XSS}南彩社区居民委员会'"
        )
        path.write_text(text, encoding="utf-8")
    c = TestClient(create_app(data=str(data_copy)))
    station = XSS + "德化街派出所"
    assert c.get("/api/find?q=德化街").json()["station"] == station
    pages = [
        c.get("/", params={"q": "德化街"}),
        c.get("/show/" + station.replace("/", "%2F")),
        c.get("/show/二七分局"),
        c.get("/roster/二七分局"),
    ]
    for r in pages:
        assert r.status_code == 200, r.text
        assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)" in r.text


# --- online: only when started with it, and the key stays on the server ----------------------------


@pytest.fixture
def fake_key() -> str:
    return "SECRET-KEY-0123456789"  # conftest's fake expects it: the tests look for it in replies


def test_online_is_asked_only_when_the_server_and_the_request_say_so(fake):
    with TestClient(create_app(online=True)) as c:
        assert c.get("/healthz").json()["online"] is True
        offline = c.get("/api/find?q=经三路66号").json()
        assert offline["status"] != "found" and fake.requests == []
        r = c.get("/api/find?q=经三路66号&online=1")
        assert r.json()["station"] == "德化街派出所" and r.json()["match"] == "geocoder"
        r2 = c.post("/api/find?online=1", json=["经三路66号", "德化街"])
        assert [a["station"] for a in r2.json()] == ["德化街派出所", "德化街派出所"]
        assert_json_error(c.post("/api/find?online=1", json=["x"] * 101), 413)
        for resp in (r, r2, c.get("/healthz"), c.get("/?q=经三路66号"), c.get("/openapi.json")):
            assert fake.key not in resp.text
    assert fake.requests  # the fake was asked


def test_online_needs_a_key_at_start_up(monkeypatch):
    monkeypatch.delenv("JUR_AMAP_KEY", raising=False)
    p = jur("serve", "--online", "--port", "0")
    assert p.returncode == 2 and p.stdout == b""
    assert p.stderr.decode().startswith("jur: --online needs") and b"Traceback" not in p.stderr


# --- the command, as a real server --------------------------------------------------------------


def raw_get(port: int, target: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_jur_serve_prints_its_address_and_answers_curl_style_utf8(index):
    with served() as s:
        assert s.url.startswith("http://127.0.0.1:")
        with urlopen(s.url + "api/find?q=%E5%BE%B7%E5%8C%96%E8%A1%97") as r:
            record = json.loads(r.read())
        assert record == cli_json(["德化街"])[0]
        # what `curl '127.0.0.1:8000/api/find?q=德化街'` sends: the UTF-8 bytes as they are
        reply = raw_get(s.port, "/api/find?q=德化街".encode())
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and json.loads(body) == record
        reply = raw_get(s.port, "/api/show/德化街派出所".encode())
        assert reply.startswith(b"HTTP/1.1 200")
        with urlopen(s.url + "healthz") as r:
            assert json.loads(r.read())["edition"] == index.edition
    assert s.err == b""  # on 127.0.0.1: nothing to warn about; no access log


def test_another_host_is_said_on_stderr():
    with served("--host", "127.0.0.2") as s:
        assert s.url.startswith("http://127.0.0.2:")
    assert b"listening on 127.0.0.2, not only on this machine" in s.err


def test_two_workers_answer():
    with served("--workers", "2") as s:
        for _ in range(4):
            with urlopen(s.url + "api/find?q=%E5%BE%B7%E5%8C%96%E8%A1%97") as r:
                assert json.loads(r.read())["station"] == "德化街派出所"
    assert b"2 workers" in s.out


def test_a_port_in_use_and_a_bad_dataset_are_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        p = jur("serve", "--port", str(port))
    assert p.returncode == 2 and p.stderr.decode().startswith(
        f"jur: cannot listen on 127.0.0.1:{port}"
    )
    assert len(p.stderr.splitlines()) == 1
    (tmp_path / "units.yaml").write_text("sub_bureaus: [}\n")
    (tmp_path / "streets.yaml").write_text("[]\n")
    p = jur("serve", "--data", str(tmp_path), "--port", "0")
    assert p.returncode == 2 and b"units.yaml" in p.stderr and b"Traceback" not in p.stderr


def test_the_key_never_reaches_a_response_or_the_log(fake):
    env = {"JUR_AMAP_URL": fake.url, "JUR_AMAP_KEY": fake.key}
    with served("--online", env=env) as s:
        bodies = []
        for path in (
            "api/find?q=%E7%BB%8F%E4%B8%89%E8%B7%AF66%E5%8F%B7&online=1",
            "healthz",
            "?q=%E7%BB%8F%E4%B8%89%E8%B7%AF66%E5%8F%B7",
        ):
            with urlopen(s.url + path) as r:
                bodies.append(r.read())
        assert "德化街派出所".encode() in bodies[0]
    assert fake.requests
    for text in (*bodies, s.out, s.err):
        assert fake.key.encode() not in text


def test_cold_find_imports_nothing_of_the_server():
    code = (
        "import sys\n"
        "from jurisdiction.launch import main\n"
        "try:\n    main(['find', '德化街', '-f', 'tsv'])\n"
        "except SystemExit:\n    pass\n"
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('starlette', 'uvicorn', 'anyio', 'httptools', 'uvloop') or 'serve' in m])\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "德化街派出所" in p.stdout and p.stdout.strip().endswith("[]"), p.stdout + p.stderr
