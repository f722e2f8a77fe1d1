"""Shared fixtures: the shipped dataset's index, a scratch cache, and a way to run `jur`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REFERENCE = ROOT / "sources"  # the sources data/ is built from, kept in the repository
# The 16 stations of 二七分局 as the reform report names them, in its order.
# The districts and zones whose units the territorial sub-bureaus serve (SPEC).
TERRITORIAL_DISTRICTS = frozenset(
    {
        "中原区",
        "二七区",
        "管城回族区",
        "金水区",
        "惠济区",
        "郑州经济技术开发区",
        "郑州高新技术产业开发区",
    }
)
ERQI = "马寨 侯寨 大学路 五里堡 一马路 解放路 德化街 铭功路 建中街 福华街 蜜蜂张 淮河路 嵩山路 长江路 京广路 人和路".split()


@pytest.fixture(scope="session")
def index():
    from jurisdiction import open_index

    return open_index(DATA, use_cache=False)


@pytest.fixture(scope="session")
def dataset(index):
    return index.dataset


@pytest.fixture(autouse=True)
def scratch_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own cache directory: no test sees another's cache or the user's."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("JUR_CACHE_DIR", str(cache))
    monkeypatch.delenv("JUR_DATA", raising=False)
    monkeypatch.delenv("JUR_NO_CACHE", raising=False)
    return cache


@pytest.fixture
def fake_key() -> str:
    """The key the fake service expects (test_serve.py overrides it with a recognisable one)."""
    return "test-key"


@pytest.fixture
def fake(monkeypatch, fake_key):
    """The fake AMap service (tests/fake_amap.py), with 经三路66号 in 德化街街道, and the
    environment pointing at it: for the --online tests of find, annotate and serve."""
    from fake_amap import DEHUA, DEHUA_REGEO, FakeAmap, address

    from jurisdiction import online

    f = FakeAmap(key=fake_key).start()
    f.add_address("经三路66号", address(DEHUA, "河南省郑州市二七区经三路66号", "二七区", "410103"))
    f.add_position(DEHUA, DEHUA_REGEO)
    monkeypatch.setenv("JUR_AMAP_URL", f.url)
    monkeypatch.setenv("JUR_AMAP_KEY", f.key)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(online.client, "BACKOFF", 0.01)
    yield f
    f.stop()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the shipped dataset."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def jur(*args: str, stdin: bytes | str | None = None, env: dict | None = None, timeout: float = 60):
    """Run `python -m jurisdiction ARGS` as a user would; returns CompletedProcess (bytes)."""
    full_env = dict(os.environ)
    full_env.pop("COLUMNS", None)
    if env:
        full_env.update(env)
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    return subprocess.run(
        [sys.executable, "-m", "jurisdiction", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=full_env,
        timeout=timeout,
        cwd=str(ROOT.parent),
    )


def out(p) -> str:
    return p.stdout.decode("utf-8")


def err(p) -> str:
    return p.stderr.decode("utf-8")


def popen_interruptible(args: list[str], **kw) -> subprocess.Popen:
    """Popen for a child that is sent Ctrl-C (SIGINT) as a terminal would send it.

    A child inherits an *ignored* SIGINT: a test run started as a background job of a
    non-interactive shell (`pytest &` in a script, two runs at once) ignores SIGINT and
    SIGQUIT, and then Python in the child installs no KeyboardInterrupt handler, so Ctrl-C
    does nothing. A *handled* signal is reset to its default at exec, so the test process
    handles SIGINT while it starts the child."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(args, **kw)
    finally:
        signal.signal(signal.SIGINT, previous)
