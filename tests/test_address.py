"""address.read on addresses with house numbers: the parts, and the same parts whether or
not the reader may skip runs of digits (index.digit_free: no name holds an ASCII digit)."""

from __future__ import annotations

import pytest

from jurisdiction.address import describe, read
from jurisdiction.normalize import normalize

READINGS = [
    (
        "郑州市上街区中安街社区居民委员会745号院",
        "region '郑州市' · area '上街区' · community '中安街社区居民委员会' · rest '745号院'",
    ),
    (
        "郑州市中原区碧沙岗社区居委会1号院",
        "region '郑州市' · area '中原区' · community '碧沙岗社区居委会' · rest '1号院'",
    ),
    # a line starts at the first digit of its run, also after other numbers
    ("12号楼1号线人民公园", "rest '12号楼' · line '1号线' · place '人民公园'"),
    ("123号线人民公园", "line '123号线' · place '人民公园'"),
    ("人民公园1号线", "place '人民公园' · line '1号线'"),
    (
        "地铁2号线紫荆山站3号口",
        "rest '地铁' · line '2号线' · place '紫荆山站' · rest '3号口'",
    ),
    # a community form right after a number is read (a digit ends the part before it)
    ("3号院碧沙岗社区", "rest '3号院' · community '碧沙岗社区'"),
    ("二七区12345德化街", "area '二七区' · rest '12345德化街'"),
    (
        "河南省郑州市中原区林山寨街道幸福小区12-3号楼",
        "region '河南省' · region '郑州市' · area '中原区' · street '林山寨街道' · "
        "rest '幸福小区123号楼'",
    ),
]


@pytest.mark.parametrize(("text", "parts"), READINGS)
def test_reading_of_addresses_with_numbers(index, text, parts):
    assert index.digit_free is True
    assert describe(read(normalize(text), index)) == parts


@pytest.mark.parametrize(("text", "parts"), READINGS)
def test_skipping_runs_of_digits_reads_the_same_parts(index, monkeypatch, text, parts):
    key = normalize(text)
    skipped = read(key, index)
    monkeypatch.setattr(index, "digit_free", False)  # every position tried, as for a dataset
    assert read(key, index) == skipped  # whose names hold digits
