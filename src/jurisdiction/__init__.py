"""jur: which police station (派出所) and sub-bureau (分局) is responsible for a place in Zhengzhou.

    from jurisdiction import open_index, resolve
    index = open_index()                 # the shipped dataset (or a directory path)
    answer = resolve("德化街", index)     # Answer(status='found', station='德化街派出所', ...)

`load()` gives the validated Dataset itself (sub-bureaus, stations, streets, districts).
"""

from __future__ import annotations

__version__ = "1.0.0"

from .errors import DataError, JurError, UsageError  # noqa: E402
from .index import Index, load, open_index  # noqa: E402
from .model import Answer, Candidate, Dataset, District, Station, Street, SubBureau  # noqa: E402
from .resolve import resolve, resolve_many  # noqa: E402

__all__ = [
    "Answer",
    "Candidate",
    "DataError",
    "Dataset",
    "District",
    "Index",
    "JurError",
    "Station",
    "Street",
    "SubBureau",
    "UsageError",
    "__version__",
    "load",
    "open_index",
    "resolve",
    "resolve_many",
]
