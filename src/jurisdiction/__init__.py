"""jur: which police station (派出所) and sub-bureau (分局) is responsible for a place in Zhengzhou.

    from jurisdiction import open_index, resolve
    index = open_index()                 # the shipped dataset (or a directory path)
    answer = resolve("德化街", index)     # Answer(status='found', station='德化街派出所', ...)

`load()` gives the validated Dataset itself (sub-bureaus, stations, streets, districts).
The names below are imported on first use, so that `jur` starts without paying for them.
"""

from __future__ import annotations

__version__ = "1.1.0"

_EXPORTS = {
    "Answer": "model",
    "Candidate": "model",
    "Dataset": "model",
    "District": "model",
    "Station": "model",
    "Street": "model",
    "SubBureau": "model",
    "DataError": "errors",
    "JurError": "errors",
    "UsageError": "errors",
    "Index": "index",
    "load": "index",
    "open_index": "index",
    "resolve": "resolve",
    "resolve_many": "resolve",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jurisdiction' has no attribute '{name}'")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
