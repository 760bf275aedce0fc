"""Numbers in a note: age, sex, performance status, and lab values with their units.

"64-year-old", "aged 64", "I am 64", "48 M"; he/she, man/woman, Mr/Ms; "ECOG 1", "performance
status of 2", "KPS 80%"; "platelets 85 x10^9/L", "creatinine of 1.4 mg/dL", "Hb 9.2", "AST 2 x ULN".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from eligo.patients import concepts
from eligo.patients.tables import load
from eligo.vocab import vocabulary
from eligo.vocab.units import UnitError, parse_unit

_AGE = [
    re.compile(
        r"\b(\d{1,3})[\s-]*(?:year|yr)s?(?:[\s-]*old\b|(?=\s+(?:man|woman|male|female|"
        r"boy|girl|gentleman|lady|patient)\b))",
        re.I,
    ),
    re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.|yrs? old)(?![a-z])", re.I),
    re.compile(r"\b(?:aged|age(?:\s+of)?|age:)\s*(\d{1,3})\b", re.I),
    re.compile(
        r"\b(?:I am|I'm|I’m)\s+(?:a\s+)?(\d{1,3})(?!\s*(?:kg|cm|lb|%|mg|day|week|month|"
        r"cycle|time|x|\.\d|,\d))",
        re.I,
    ),
    re.compile(r"^\s*(\d{1,3})\s*(?:M|F|yo[MF]|[MF]\b)(?![a-z])"),
]
_AGE_MONTHS = re.compile(r"\b(\d{1,2})[\s-]*(month|week|day)s?[\s-]*old\b", re.I)
_DAYS_IN = {"month": 30.44, "week": 7, "day": 1}
_SEX_LETTER = re.compile(r"\b\d{1,3}\s*(?:-?\s*(?:yo|y/o|y\.o\.|year[\s-]old))?\s*([MF])\b")
_MALE = re.compile(r"\b(?:man|male|gentleman|boy|mr\.?)(?!\w)", re.I)
_FEMALE = re.compile(
    r"\b(?:woman|female|lady|girl|mrs\.?|ms\.?|postmenopausal|premenopausal)(?!\w)", re.I
)
_HE = re.compile(r"\b(?:he|his|him|himself)\b", re.I)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.I)

_ECOG = re.compile(
    r"\b(?:ECOG|WHO|Zubrod)(?:\s*(?:-\s*)?(?:PS|performance(?:\s+status|\s+score)?))?"
    r"\s*(?:score|status|grade)?\s*(?:of|is|was|=|:|at)?\s*([0-5])(?:\s*(?:-|–|to|/|or)\s*([0-5]))?"
    r"(?!\d|\.\d)"
    r"|\bperformance\s+(?:status|score)(?:\s*\(PS\))?\s*(?:score\s*)?(?:of|is|was|=|:)?\s*"
    r"([0-5])(?![\d.%])"
    r"|\bPS\s*(?:of|=|:)?\s*([0-5])(?!\d|\.\d)",
    re.I,
)
_KARNOFSKY = re.compile(
    r"\b(?:Karnofsky|KPS)(?:\s*performance)?(?:\s*(?:status|score))?\s*(?:of|is|was|=|:)?\s*"
    r"(\d{2,3})\s*%?",
    re.I,
)
_VALUE = re.compile(
    r"[\s:=(]*(?:(?:level|count|value|concentration)s?\s*)?"
    r"(?:(?:was|is|were|are|of|at|measured|remains?|came back|returned|=|:|-)\s*){0,3}"
    r"(?:(?:elevated|increased|decreased|low|high|normal)\s+(?:at|to)\s+)?"
    r"(?P<cmp><=|>=|≤|≥|<|>|less than|greater than|more than|above|below)?\s*"
    r"(?P<num>\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?![\d.])|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<k>\s*[kK](?![a-zA-Z]))?(?P<over>/\d{1,3}(?!\d|\.\d))?",
    re.I,
)
_ULN = re.compile(r"\s*(?:x|×|times)\s*(?:the\s+)?(?:ULN|upper\s+limit(?:\s+of)?\s+normal)", re.I)
_DURATION = re.compile(
    r"\s*-?(?:days?|weeks?|months?|years?|hours?|cycles?|times|doses?|"
    r"courses?|lines?)\b",
    re.I,
)
_CMP: dict[str, Comparator] = {
    "<=": "<=",
    "≤": "<=",
    ">=": ">=",
    "≥": ">=",
    "<": "<",
    ">": ">",
    "less than": "<",
    "below": "<",
    "greater than": ">",
    "more than": ">",
    "above": ">",
}
_UNIT_STOP = re.compile(r"[,;]|\.(?:\s|$)|\s(?:and|with|on|in|at|which|was|is|after|but)\b")


Scale = Literal["ecog", "karnofsky"]
Comparator = Literal["<", "<=", ">", ">="]

# Read as performance status or as biomarkers, not as lab values.
READ_ELSEWHERE = frozenset({"ecog", "karnofsky", "lansky", "ki67", "h_score"})


@dataclass
class LabValue:
    measurement_id: str
    start: int  # the measurement's name, in the text given
    end: int  # end of the value (and unit)
    value: float | None
    unit: str | None
    original_value: float
    original_unit: str | None
    comparator: Comparator | None
    note: str | None  # a warning to pass on (unit assumed, unit not convertible)
    value_text: str | None = None  # "151/91" for a blood pressure


def age(text: str) -> tuple[float, int] | None:
    """(age in years, position) of the first age stated."""
    for pattern in _AGE:
        for match in pattern.finditer(text):
            years = int(match.group(1))
            if 0 < years < 120:
                return float(years), match.start()
    young = _AGE_MONTHS.search(text)
    if young:
        days = int(young.group(1)) * _DAYS_IN[young.group(2).lower()]
        return round(days / 365.25, 3), young.start()
    return None


def sex(text: str) -> str | None:
    """From "48 M", nouns and titles first, then from the pronouns the note uses most."""
    letter = _SEX_LETTER.search(text)
    if letter:
        return "male" if letter.group(1) == "M" else "female"
    male, female = _MALE.search(text), _FEMALE.search(text)
    if male and female:
        return "male" if male.start() < female.start() else "female"
    if male or female:
        return "male" if male else "female"
    he, she = len(_HE.findall(text)), len(_SHE.findall(text))
    if he != she:
        return "male" if he > she else "female"
    return None


def performance(text: str) -> list[tuple[Scale, int, int]]:
    """(scale, value, position): ECOG ranges ("0-1") read as the worse value."""
    found: list[tuple[Scale, int, int]] = []
    for match in _ECOG.finditer(text):
        values = [int(g) for g in match.groups() if g is not None]
        if values:
            found.append(("ecog", max(values), match.start()))
    for match in _KARNOFSKY.finditer(text):
        value = int(match.group(1))
        if 0 <= value <= 100 and value % 10 == 0:
            found.append(("karnofsky", value, match.start()))
    return found


@cache
def _assumed_units() -> dict[str, list[tuple[str, float, float]]]:
    return {k: [tuple(u) for u in v] for k, v in load("note_units")["units"].items()}


def labs(text: str) -> list[LabValue]:
    """Every measurement named in ``text`` and followed by a value (performance status and
    tumour markers are read as such, not as labs)."""
    found = []
    for mention in vocabulary().find_measurements(text):
        if mention.concept_id in READ_ELSEWHERE:
            continue
        match = _VALUE.match(text, mention.end)
        if match is None:
            continue
        found.append(_lab(text, mention.concept_id, mention.start, match))
    read = [lab for lab in found if lab is not None]
    return read + [
        t for t in temperatures(text) if not any(t.start < r.end and r.start < t.end for r in read)
    ]


@cache
def _temperature() -> re.Pattern[str]:
    return re.compile(load("note_reading")["temperature"])


def temperatures(text: str) -> list[LabValue]:
    """ "T: 39.5 C", "fever up to 39 C": a temperature not named as such (``note_reading``)."""
    found = []
    for match in _temperature().finditer(text):
        number = float(match.group("num"))
        written = (match.group("unit") or "").casefold()
        unit = {"c": "Cel", "celsius": "Cel", "f": "[degF]", "fahrenheit": "[degF]"}.get(written)
        if unit is None and not 34 <= number <= 43:
            continue  # no unit and not a body temperature in Celsius: a stage, a count
        found.append(
            _normalise("temperature", match.start(), match.end(), number, unit or "Cel", None)
        )
    return [lab for lab in found if lab.value is not None]


def _lab(text: str, measurement: str, start: int, match: re.Match[str]) -> LabValue | None:
    number = float(re.sub(r"[,\s\u00a0\u202f]", "", match.group("num")))
    if match.group("k"):
        number *= 1000
    comparator = _CMP.get((match.group("cmp") or "").lower())
    end = match.end()
    uln = _ULN.match(text, end)
    if uln:
        high = concepts.reference_range(measurement)[1]
        if high is None:
            return None
        return LabValue(
            measurement,
            start,
            uln.end(),
            number * high,
            concepts.canonical_unit(measurement),
            number,
            "x ULN",
            comparator,
            f"read as {number:g} x the usual upper limit ({high:g})",
        )
    if match.group("over"):
        if measurement != "blood_pressure":
            return None  # "3/5": a ratio or a date, not this measurement's value
        unit, end = _unit_after(text, end)
        lab = _normalise(measurement, start, end, number, unit or "mmHg", comparator)
        lab.value_text = f"{match.group('num')}{match.group('over')}"
        return lab
    if _DURATION.match(text, end):
        return None  # "PSA 2 months ago": a duration, not a value
    unit, end = _unit_after(text, end)
    if match.group("k") and unit is None:
        unit = "/uL"
    return _normalise(measurement, start, end, number, unit, comparator)


def _unit_after(text: str, position: int) -> tuple[str | None, int]:
    """The longest run of words after a number that reads as a unit."""
    rest = text[position : position + 24]
    stop = _UNIT_STOP.search(rest)
    if stop:
        rest = rest[: stop.start()]
    words = rest.rstrip(". )").split(" ")
    for n in range(min(len(words), 4), 0, -1):
        candidate = " ".join(words[:n]).strip()
        if not candidate or candidate[0].isalpha() and len(candidate) > 12:
            continue
        try:
            parse_unit(candidate)
        except UnitError:
            continue
        return candidate, position + len(" ".join(words[:n]))
    return None, position


def _normalise(
    measurement: str,
    start: int,
    end: int,
    number: float,
    unit: str | None,
    comparator: Comparator | None,
) -> LabValue:
    note = None
    if unit is None:
        for candidate, low, high in _assumed_units().get(measurement, []):
            if low <= number < high:
                unit, note = candidate, f"unit not written; read as {candidate}"
                break
    value, canonical = None, None
    if unit is not None:
        try:
            value, canonical = concepts.normalised(number, unit, measurement)
        except UnitError as error:
            note = f"{error}; value kept as written"
        if value is not None and _plausible(measurement, value) is False:
            unit, value, canonical, note = _reread(measurement, number, unit, value, canonical)
    elif concepts.canonical_unit(measurement) == "1":
        value, canonical = number, "1"  # a ratio or a count of its own: no unit to write
    elif concepts.canonical_unit(measurement) is not None:
        note = "unit not written and the value fits no usual unit; not compared"
    return LabValue(measurement, start, end, value, canonical, number, unit, comparator, note)


@cache
def _plausible_ranges(measurement: str) -> tuple[tuple[float, float], ...]:
    """The values a note's number can take for a measurement, in its canonical unit: the ranges
    of ``note_units.yaml`` (adult laboratory practice), converted."""
    found = []
    for unit, low, high in _assumed_units().get(measurement, []):
        try:
            found.append(
                (
                    concepts.normalised(low, unit, measurement)[0],
                    concepts.normalised(high, unit, measurement)[0],
                )
            )
        except UnitError:
            continue
    return tuple(found)


def _plausible(measurement: str, value: float) -> bool | None:
    """Whether a value (canonical unit) is one a person could have; None when eligo has no
    range for the measurement."""
    ranges = _plausible_ranges(measurement)
    if not ranges:
        return None
    return any(low <= value <= high for low, high in ranges)


def _reread(
    measurement: str, number: float, unit: str, value: float, canonical: str | None
) -> tuple[str, float, str | None, str]:
    """A value its written unit makes impossible ("Plt: 300000 /ml" is 0.3 x 10^9/L, where the
    writer meant /uL): read as the number alone would be, when that gives a possible value."""
    for candidate, low, high in _assumed_units().get(measurement, []):
        if low <= number < high:
            found, unit_found = concepts.normalised(number, candidate, measurement)
            note = f"{number:g} {unit} is not a possible value; read as {number:g} {candidate}"
            return candidate, found, unit_found, note
    return unit, value, canonical, f"{number:g} {unit} is outside the usual range; kept as written"
