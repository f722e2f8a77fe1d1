"""Property tests: arbitrary text never makes resolve raise; arbitrary bytes through stdin
never make `jur find` print a traceback, and always give one record per line."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jurisdiction import resolve
from jurisdiction.commands import run_find
from jurisdiction.model import STATUSES

PLACEY = st.sampled_from(
    list(
        "德化街道路镇乡区市郑州二七金水中原花园三官庙办事处派出所号楼与交叉口ａｂ　 \t，。（）⻄鄭區"
    )
)
TEXT = st.one_of(
    st.text(),
    st.text(PLACEY, max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)


@settings(
    max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(TEXT)
def test_resolve_never_raises_and_returns_a_status(index, text):
    a = resolve(text, index)
    assert a.status in STATUSES
    assert 0 <= a.score <= 100
    assert a.query == text
    if a.status == "found":
        assert a.station and a.sub_bureau
    if a.status in ("not_found", "outside"):
        assert a.station is None


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(
            st.sampled_from("德化街\n\r\x85\u2028\u2029\x0b\x0c\x1c\t\ufeff\x00"), max_size=40
        ).map(lambda t: t.encode("utf-8")),
    )
)
def test_any_bytes_on_stdin_give_one_record_per_line(index, data):
    out = io.StringIO()
    err = io.StringIO()
    code = run_find([], fmt="jsonl", stdin=io.BytesIO(data), out=out, err=err, index=index)
    body = data.removeprefix(b"\xef\xbb\xbf")
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 (byte order mark): lines of its text
        text = body.decode("utf-16", "replace")
        expected = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    else:
        expected = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    lines = out.getvalue().splitlines()
    assert len(lines) == expected
    assert all(json.loads(line)["status"] in STATUSES for line in lines)
    # stderr: nothing, or the one line that names an encoding other than UTF-8
    said = err.getvalue().splitlines()
    assert said == [] or (len(said) == 1 and said[0].startswith("jur: input read as "))
    assert code in (0, 1)
