"""jur find --online against a hostile fake service and a hostile cache file (issue 16).

Each test names the defect of issue 16 it guards against; each failed on jur 1.1. Nothing
here talks to the real service (the fake listens on 127.0.0.1). Waits are bounded by short
timeouts, so the whole file runs in a few seconds; where a test checks that something ends
promptly, its bound is many times what the fixed code needs and far less than 1.1 took.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date, timedelta

import pytest
from fake_amap import ESCAPES, FakeAmap, address, regeocode
from test_online import find, put

from jurisdiction import online
from jurisdiction.online import cache as cache_room

from conftest import ROOT, jur, popen_interruptible


def env_of(fake: FakeAmap, **extra: str) -> dict[str, str]:
    return {"JUR_AMAP_URL": fake.url, "JUR_AMAP_KEY": fake.key, **extra}


def cache_path(scratch_cache) -> str:
    return os.path.join(str(scratch_cache), online.CACHE_DIR, online.CACHE_FILE)


# --- 1: the key is what is sent ----------------------------------------------------------


def test_1_addresses_that_normalise_alike_do_not_share_an_answer(fake, index):
    put(fake, "经三路1-3号", "113.660000,34.750000", "德化街街道", "410103010000")
    _, records, _ = find(index, "经三路1-3号", "经三路13号")
    assert [r["status"] for r in records] == ["found", "not_found"]
    assert {"经三路1-3号", "经三路13号"} <= set(fake.asked("address"))
    # and on disk: a later run of the other address asks again, and is not answered
    _, [r], _ = find(index, "经三路1.3号")
    assert r["status"] == "not_found" and "经三路1.3号" in fake.asked("address")


def test_1_the_cache_key_is_the_text_sent():
    assert online.decide.sent_address("经三路 66号") == "经三路66号"
    assert online.decide.sent_address("１ ３号") == "1 3号"
    assert online.decide.sent_address(" 经三路1-3号 ") == "经三路1-3号"


# --- 2: a damaged cache file ----------------------------------------------------------------

GOOD = '{"k": "geo|410100|经三路66号", "d": "%s", "v": []}\n'


@pytest.mark.parametrize(
    "damage",
    [
        '{"k": "geo|410100|经'.encode()[:-1],  # cut inside a UTF-8 character
        bytes(range(256)) * 4,  # random bytes
        b'{"k": "geo|410100|x", "d": "TODAY", "v": "abc"}\n',
        b'{"k": "geo|410100|x", "d": "TODAY", "v": [{"location": "113.6,34.7"}]}\n',
        b'{"k": "regeo|1,2", "d": "TODAY", "v": {"adcode": "410103", "formatted": "", '
        b'"province": "", "city": "", "district": "", "township": "", "towncode": 410103}}\n',
        b'{"k": "geo|410100|x", "d": "TODAY", "v": ' + b"[" * 5000 + b"]" * 5000 + b"}\n",
        b'["k", "d", "v"]\n',
    ],
)
def test_2_a_damaged_cache_line_is_skipped_and_counted(fake, index, scratch_cache, damage):
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as f:
        f.write(damage.replace(b"TODAY", date.today().isoformat().encode()) + b"\n")
    code, [r, d], err = find(index, "经三路66号", "德化街")
    assert (r["status"], d["status"], code) == ("found", "found", 0)
    assert len(err) == 1 and "unreadable line" in err[0] and "skipped" in err[0]
    rows = [json.loads(line) for line in open(path, encoding="utf-8", errors="replace")
            if line.startswith('{"k": "geo|410100|经三路66号"')]  # fmt: skip
    assert rows, "the new answer was written"


# --- 3: a reply that breaks the parser -----------------------------------------------------


def test_3_a_deeply_nested_reply_keeps_the_offline_answer(fake, index):
    put(fake, "经四路1号", "113.670000,34.760000", "德化街街道", "410103010000")
    fake.script = ["deep_json"]
    code, [r, r2], err = find(index, "经三路66号", "经四路1号", online_workers=1)
    assert r["status"] == "not_found" and "not JSON" in r["note"]
    assert r2["status"] == "found"  # the batch goes on
    assert code == 1 and err == []


# --- 4: a reply that contradicts itself ----------------------------------------------------


def test_4_a_towncode_against_the_adcode_decides_nothing(fake, index):
    fake.add_address(
        "经五路5号",
        address("113.680000,34.770000", "河南省郑州市金水区经五路5号", "金水区", "410105"),
    )
    fake.add_position(
        "113.680000,34.770000",
        regeocode(
            formatted="河南省郑州市金水区经五路5号",
            district="金水区",
            adcode="410105",
            township="德化街街道",
            towncode="410103010000",  # 德化街 is in 二七区, not 金水区
        ),
    )
    _, [r], _ = find(index, "经五路5号")
    assert (r["match"], r["station"]) != ("geocoder", "德化街派出所")
    assert r["status"] != "found"
    assert "contradicts itself" in r["note"] and "410103010000" in r["note"]


# --- 5: the cache file is opened the safe way ------------------------------------------------


def test_5_a_symlink_at_the_cache_path_is_neither_read_nor_written(
    fake, index, scratch_cache, tmp_path
):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    os.symlink(victim, path)
    code, [r], err = find(index, "经三路66号")
    assert (r["status"], code) == ("found", 0)
    assert victim.read_text() == "precious\n"
    assert os.path.islink(path)
    assert len(err) == 1 and "not a regular file" in err[0]


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_5_a_fifo_or_a_device_at_the_cache_path_does_not_hang(fake, scratch_cache, kind):
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)
    p = jur("find", "--online", "-f", "tsv", "经三路66号", env=env_of(fake), timeout=30)
    assert p.returncode == 0 and p.stdout.decode().split("\t")[1] == "found"
    assert "not a regular file" in p.stderr.decode()


# --- 7: a deadline per request, and Ctrl-C ---------------------------------------------------


def test_7_a_server_that_drips_bytes_is_cut_at_the_deadline(fake, index, monkeypatch):
    monkeypatch.setattr(online.client, "RETRIES", 1)
    fake.mode = "slow_bytes"  # each byte arrives well within the timeout; the answer never does
    fake.drip = 0.05
    code, [r], err = find(index, "经三路66号", online_timeout=0.4)
    assert r["status"] == "not_found" and "no answer within 0.4 s" in r["note"]
    assert len(fake.requests) == 2 and code == 1


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="POSIX signals")
def test_7_ctrl_c_during_a_hung_request_exits_130_at_once(fake):
    fake.mode = "hang_long"
    p = popen_interruptible(
        [
            sys.executable,
            "-m",
            "jurisdiction",
            "find",
            "--online",
            "--online-timeout",
            "60",
            "-f",
            "tsv",
            "经三路66号",
            "经四路1号",
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT.parent,
        env={**os.environ, **env_of(fake)},
    )
    try:
        for _ in range(1500):  # until the request is in flight (30 s at most)
            if fake.requests or p.poll() is not None:
                break
            fake.release.wait(0.02)
        p.send_signal(signal.SIGINT)
        fake.release.wait(0.2)
        p.send_signal(signal.SIGINT)  # a second Ctrl-C while it exits
        # 1.1 waited for the worker's read to time out (60 s here)
        _, stderr = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130
    assert b"Traceback" not in stderr


# --- 8: busy for ever, and the budget --------------------------------------------------------


@pytest.mark.parametrize("busy", ["http429", "too_frequent"])
def test_8_a_service_busy_for_ever_is_given_up_on(fake, index, monkeypatch, busy):
    monkeypatch.setattr(online.client, "RETRIES", 1)
    fake.mode = busy
    queries = [f"经{i}路{i}号" for i in range(12)]
    code, records, err = find(index, *queries, online_workers=1)
    assert [r["query"] for r in records] == queries
    down = online.client.DOWN_AFTER
    assert len(fake.requests) == down * 2  # 1.1: 12 lookups x 4 tries
    assert sum("skipped" in r["note"] for r in records) == len(queries) - down
    assert code == 1 and len(err) == 1 and "offline only" in err[0]


def test_8_the_request_budget_is_kept(fake, index):
    queries = [f"经{i}路{i}号" for i in range(6)]
    code, records, err = find(index, *queries, online_workers=2, online_max_requests=3)
    assert len(fake.requests) == 3
    assert sum("budget of 3 requests is spent" in r["note"] for r in records) == 3
    assert code == 1 and len(err) == 1 and "budget" in err[0]


def test_8_the_budget_option_from_the_cli(fake):
    p = jur("find", "--online", "--online-max-requests", "1", "经三路66号", env=env_of(fake))
    assert p.returncode == 1 and len(fake.requests) == 1
    assert "budget of 1 requests" in p.stderr.decode()


# --- 9: what the user gives is checked --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("http://127.0.0.1:1/a b", "spaces"),
        ("http://user:pw-secret@127.0.0.1:1", "user name"),
        ("http://[::1", "not a valid URL"),
        ("http://127.0.0.1:99999", "not a valid URL"),
        ("ftp://127.0.0.1", "http"),
        ("http://127.0.0.1:1?x=1", "query"),
        ("http://", "no host"),
        ("http://127.0.0.1:1/\x1b[2J", "control"),
    ],
)
def test_9_a_bad_url_is_one_line_that_does_not_repeat_it(fake, url, word):
    p = jur("find", "--online", "经三路66号", env=env_of(fake, JUR_AMAP_URL=url))
    stderr = p.stderr.decode()
    assert p.returncode == 2 and len(stderr.splitlines()) == 1, stderr
    assert word in stderr and "Traceback" not in stderr
    assert "pw-secret" not in stderr and fake.key not in stderr and "\x1b" not in stderr
    assert fake.requests == []


@pytest.mark.parametrize(
    "option",
    [
        ("--online-rate", "nan"),
        ("--online-rate", "inf"),
        ("--online-rate", "0"),
        ("--online-rate", "-1"),
        ("--online-timeout", "nan"),
        ("--online-timeout", "inf"),
        ("--online-timeout", "1e308"),
        ("--online-timeout", "0"),
        ("--online-workers", "1000"),
        ("--online-max-age", "99999999"),
        ("--online-max-requests", "0"),
    ],
)
def test_9_numeric_options_must_be_finite_and_in_range(fake, option):
    p = jur("find", "--online", *option, "经三路66号", env=env_of(fake), timeout=30)
    stderr = p.stderr.decode()
    assert p.returncode == 2 and len(stderr.splitlines()) == 1 and "Traceback" not in stderr
    assert fake.requests == []


def test_9_a_redirect_to_another_host_is_not_followed(fake, index):
    other = FakeAmap().start()
    try:
        fake.redirect_to = other.url
        fake.script = ["redirect_other"]
        _, [r], _ = find(index, "经三路66号")
        assert other.requests == []  # the key never went there
        assert r["status"] == "not_found" and "another host" in r["note"]
    finally:
        other.stop()


def test_9_a_redirect_on_the_same_host_is_followed(fake, index):
    fake.script = ["redirect_same"]
    _, [r], _ = find(index, "经三路66号")
    assert r["status"] == "found"


def test_9_a_connection_closed_mid_body_is_retried(fake, index):
    fake.script = ["cut_body"]
    code, [r], err = find(index, "经三路66号")
    assert (r["status"], code, err) == ("found", 0, [])
    assert fake.paths() == ["/v3/geocode/geo"] * 2 + ["/v3/geocode/regeo"]


# --- 10: the cache stays small ---------------------------------------------------------------


def test_10_expired_entries_are_dropped_and_a_dead_file_compacted(fake, index, scratch_cache):
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    old = (date.today() - timedelta(days=400)).isoformat()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(2000):
            f.write(json.dumps({"k": f"geo|410100|旧路{i}号", "d": old, "v": []}) + "\n")
        f.write(GOOD % date.today().isoformat())
    before = os.path.getsize(path)
    _, [r], _ = find(index, "经三路66号")
    assert r["status"] == "not_found"  # the cached "no such place" of today is used
    assert fake.requests == []
    assert os.path.getsize(path) < before / 100
    keys = [json.loads(line)["k"] for line in open(path, encoding="utf-8")]
    assert keys == ["geo|410100|经三路66号"]


def test_10_the_cache_is_kept_under_its_size_cap(fake, index, scratch_cache, monkeypatch):
    monkeypatch.setattr(cache_room, "MAX_BYTES", 4000)
    monkeypatch.setattr(cache_room, "COMPACT_MIN_BYTES", 0)
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    today = date.today()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(200):  # all alive, 10 kB: over the cap
            day = (today - timedelta(days=i % 100)).isoformat()
            f.write(json.dumps({"k": f"geo|410100|新路{i}号", "d": day, "v": []}) + "\n")
    find(index, "经三路66号")
    assert os.path.getsize(path) <= 4000
    days = [json.loads(line)["d"] for line in open(path, encoding="utf-8")]
    assert today.isoformat() in days  # the newest are kept


def test_10_a_run_that_asks_nothing_does_not_read_the_cache(fake, index, scratch_cache):
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as f:
        f.write(b"not json\n")
    _, _, err = find(index, "德化街")  # found offline: the service is not needed
    assert err == []
    _, _, err = find(index, "经三路66号")
    assert len(err) == 1 and "1 unreadable line skipped" in err[0]


def test_10_a_last_line_without_newline_does_not_swallow_the_next(fake, index, scratch_cache):
    path = cache_path(scratch_cache)
    os.makedirs(os.path.dirname(path))
    with open(path, "w", encoding="utf-8") as f:
        f.write((GOOD % date.today().isoformat()).rstrip("\n"))
    put(fake, "经四路1号", "113.670000,34.760000", "德化街街道", "410103010000")
    find(index, "经四路1号")
    n = len(fake.requests)
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    assert {r["k"] for r in rows} >= {"geo|410100|经三路66号", "geo|410100|经四路1号"}
    find(index, "经四路1号", "经三路66号")
    assert len(fake.requests) == n  # both answered from the cache


# --- 11: control codes from the geocoder -----------------------------------------------------


def test_11_control_codes_in_a_reply_reach_no_terminal(fake):
    fake.script = ["escape"]
    p = jur("find", "--online", "-f", "table", "--explain", "经三路66号", env=env_of(fake))
    text = p.stdout.decode() + p.stderr.decode()
    assert "forged" in text  # the note is shown
    assert not any(c in text for c in "\x1b\x07\x9b"), repr(text)
    p = jur("find", "--online", "-f", "jsonl", "经三路66号", env=env_of(fake))
    assert json.loads(p.stdout)["note"].startswith("geocoder: " + ESCAPES)  # data kept as is


def test_4_consistent_codes_never_contradict(index):
    # every street of the dataset, as a reply that names it consistently, decides
    decider = online.decide.Decider(index)
    for s in index.dataset.streets:
        district = decider.district_by_code.get(s.code[:6])
        place = {"towncode": s.code + "000", "adcode": s.code[:6], "township": s.name,
                 "district": district.name if district else "", "formatted": ""}  # fmt: skip
        assert decider.street_of(place) is s
        assert decider.contradiction(place, s) is None, s.name


@pytest.mark.parametrize(
    "url", ["https://restapi.amap.com", "http://127.0.0.1:8080/", "http://[::1]:9/amap"]
)
def test_9_a_good_url_is_taken(url):
    assert online.client.check_url(url) == url.rstrip("/")
