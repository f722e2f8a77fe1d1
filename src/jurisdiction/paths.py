"""Where the dataset is: --data DIR, else $JUR_DATA, else the shipped one. Kept free of
pathlib so that a cold lookup does not pay for importing it."""

from __future__ import annotations

import os

UNITS = "units.yaml"
STREETS = "streets.yaml"
COMMUNITIES = "communities.yaml"
PLACES = "places.yaml"
LANDMARKS = "landmarks.yaml"
FILES = (UNITS, STREETS)  # required
OPTIONAL = (COMMUNITIES, PLACES, LANDMARKS)  # loaded and checked the same way when present
ALL_FILES = FILES + OPTIONAL


def default_data_dir() -> str:
    """The shipped dataset: inside the installed package, or data/ in a source checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, "_data")
    if os.path.isfile(os.path.join(packaged, UNITS)):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "data")


def data_dir_from(option: str | os.PathLike[str] | None) -> str:
    value = option if option not in (None, "") else os.environ.get("JUR_DATA") or None
    return os.fspath(value) if value else default_data_dir()
