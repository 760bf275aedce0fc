"""Dates in clinical prose: "in March 2024", "on 3/15/2024", "2024-03-15", "[**2148-10-1**]",
"2 months ago", "last week", "from January to April 2024". Relative ones count back from the
note's as-of date. A month alone means its first day; a year alone, 1 January."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "several": 3,
    "few": 3,
    "a few": 3,
    "couple": 2,
    "a couple of": 2,
}
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_UNIT = r"(?P<unit>day|week|month|year|wk|mo|yr)s?"

_PATTERNS = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20|21)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("us", re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d\d)\b")),
    (
        "month_day_year",
        re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I),
    ),
    (
        "day_month_year",
        re.compile(
            r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>(?:19|20)\d\d)\b", re.I
        ),
    ),
    ("month_year", re.compile(r"\b" + _MONTH + r",?\s+(?:of\s+)?(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("numeric_month_year", re.compile(r"\b(?P<m>0?[1-9]|1[0-2])/(?P<y>(?:19|20)\d\d)\b")),
    ("ago", re.compile(_COUNT + r"[\s-]+" + _UNIT + r"\s+(?:ago|prior|earlier|before)\b", re.I)),
    ("last", re.compile(r"\b(?:last|past|previous)\s+(?P<unit>week|month|year)\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("today", re.compile(r"\b(?:today|this morning|currently)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|during|from|of)\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
]


@dataclass(frozen=True)
class DateMention:
    date: dt.date
    start: int
    end: int
    relative: bool


def _days(unit: str) -> float:
    unit = unit.lower()
    if unit.startswith(("d",)):
        return 1
    if unit.startswith("w"):
        return 7
    if unit.startswith("mo"):
        return 30.44
    return 365.25


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS.get(text.lower(), 1)


def _month(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")]


def _one(kind: str, match: re.Match[str], as_of: dt.date) -> dt.date | None:
    g = match.groupdict()
    if kind in ("iso", "us"):
        return dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
    if kind in ("month_day_year", "day_month_year"):
        return dt.date(int(g["y"]), _month(g["month"]), int(g["d"]))
    if kind == "month_year":
        return dt.date(int(g["y"]), _month(g["month"]), 1)
    if kind == "numeric_month_year":
        return dt.date(int(g["y"]), int(g["m"]), 1)
    if kind == "ago":
        return as_of - dt.timedelta(days=round(_count(g["count"]) * _days(g["unit"])))
    if kind == "last":
        return as_of - dt.timedelta(days=round(_days(g["unit"])))
    if kind == "yesterday":
        return as_of - dt.timedelta(days=1)
    if kind == "today":
        return as_of
    if kind == "year":
        return dt.date(int(g["y"]), 1, 1)
    return None


def find_dates(text: str, as_of: dt.date) -> list[DateMention]:
    """Every date named in ``text``, in order, without overlaps (the first pattern wins)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            try:
                day = _one(kind, match, as_of)
            except (ValueError, OverflowError, KeyError):
                continue
            if day is None:
                continue
            taken.append((match.start(), match.end()))
            relative = kind in ("ago", "last", "yesterday", "today")
            found.append(DateMention(day, match.start(), match.end(), relative))
    return sorted(found, key=lambda d: d.start)


def nearest_date(
    dates: list[DateMention], position: int, end: int | None = None
) -> dt.date | None:
    """The date named closest to a mention (starting at ``position``, ending at ``end``), if
    any: the fewest characters between the two, so that in "an infarction 2 years earlier and
    a transient ischaemic attack 6 months ago" each event keeps the date written after it."""
    found = nearest_mention(dates, position, end)
    return found.date if found is not None else None


def nearest_mention(
    dates: list[DateMention], position: int, end: int | None = None
) -> DateMention | None:
    if not dates:
        return None
    stop = position if end is None else end

    def gap(d: DateMention) -> int:
        if d.start >= stop:
            return d.start - stop
        if d.end <= position:
            return position - d.end
        return 0

    return min(dates, key=gap)


_RANGE = re.compile(
    r"\b(?:from|between)\b(?P<a>.{3,40}?)\b(?:to|until|through|and|-)\b(?P<b>.{3,40})", re.I
)


def date_range(text: str, as_of: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """ "from January to April 2024" → (2024-01-01, 2024-04-01); the year of the end is lent to a
    start written without one."""
    match = _RANGE.search(text)
    if match is None:
        return None, None
    end_dates = find_dates(match.group("b"), as_of)
    if not end_dates:
        return None, None
    end = end_dates[0].date
    start_dates = find_dates(match.group("a"), as_of)
    if start_dates:
        return start_dates[0].date, end
    month = re.search(_MONTH, match.group("a"), re.I)
    if month:
        start = dt.date(end.year, _month(month.group("month")), 1)
        return (start if start <= end else start.replace(year=end.year - 1)), end
    return None, end
