"""Registry values in the words of each format, turned into the Trial model's codes and types.

Every parser here raises :class:`FieldError` for a value it cannot read, so the reader that called
it can report the record and field instead of guessing.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from pydantic import ValidationError

from eligo.errors import RecordError
from eligo.model import Source, Trial
from eligo.model.trial import Sex

T = TypeVar("T")


class FieldError(ValueError):
    """A value that cannot be read; the reader turns it into a RecordError naming the record."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


@cache
def vocabulary() -> Mapping[str, Any]:
    text = resources.files("eligo.ingest").joinpath("vocabulary.json").read_text("utf-8")
    return json.loads(text)


def convert(field: str, parse: Callable[[str], T], raw: str | None) -> T | None:
    """``parse(raw)`` with a failure reported against ``field``; empty values are None."""
    if raw is None or not str(raw).strip():
        return None
    try:
        return parse(str(raw).strip())
    except FieldError as error:
        raise FieldError(field, error.message) from None
    except ValueError as error:
        raise FieldError(field, f"cannot read {raw!r}: {error}") from None


def clean(text: str | None) -> str | None:
    """A one-line value with its whitespace collapsed; None when there is nothing left."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


def text_block(text: str | None) -> str | None:
    """A multi-line registry text: line ends normalised, common indent removed, nothing else.

    Legacy XML indents every line of a textblock by the nesting depth and ends lines with CR LF;
    segmentation later relies on the relative indentation, so only the common part goes.
    """
    if text is None:
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > 1 and not lines[0][:1].isspace():
        # The first line was stripped on the way (FHIR exports of legacy text do this): the rest
        # still carries the old indent, which is removed on its own.
        return "\n".join([lines[0], textwrap.dedent("\n".join(lines[1:]))])
    return textwrap.dedent("\n".join(lines)) or None


def enum_code(label: str) -> str:
    """A label in the API v2 enum spelling: "Active Comparator" → "ACTIVE_COMPARATOR"."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    return "_".join(words).upper()


def status_code(label: str) -> str:
    """Overall or site status in any spelling (legacy label or API v2 code) → API v2 code."""
    known = vocabulary()["legacy_status"].get(" ".join(label.lower().split()))
    return known or enum_code(label)


def phase_codes(label: str) -> list[str]:
    """"Phase 1/Phase 2" → ["PHASE1", "PHASE2"]; "N/A" → ["NA"]; API v2 codes pass through."""
    table: Mapping[str, list[str]] = vocabulary()["legacy_phase"]
    whole = " ".join(label.lower().split())
    if whole in table:
        return list(table[whole])
    codes: list[str] = []
    for part in re.split(r"[/|,]|\band\b", label):
        key = " ".join(part.lower().replace("-", " ").split())
        if not key:
            continue
        if re.fullmatch(r"\d|i{1,3}|iv", key):  # "Phase 2/3": the 3 shares the first's word
            key = f"phase {key}"
        found = table.get(key) or [enum_code(part)]
        codes.extend(code for code in found if code not in codes)
    return codes


def study_type_code(label: str) -> str:
    return vocabulary()["study_type"].get(" ".join(label.lower().split())) or enum_code(label)


def sex_code(label: str) -> Sex:
    found = vocabulary()["sex"].get(label.strip().lower())
    if found is None:
        raise FieldError(None, f"unknown sex {label!r} (expected All, Female or Male)")
    return found  # type: ignore[no-any-return]


def healthy_volunteers(label: str) -> bool:
    found = vocabulary()["healthy_volunteers"].get(" ".join(label.lower().split()))
    if found is None:
        raise FieldError(None, f"unknown healthy-volunteers value {label!r}")
    return bool(found)


_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+)?$")


def age_years(text: str) -> float | None:
    """"18 Years" → 18.0, "6 Months" → 0.5, "N/A" → None (no limit)."""
    vocab = vocabulary()
    if text.strip().lower() in vocab["no_age_limit"]:
        return None
    match = _AGE.match(text.strip())
    if not match:
        raise FieldError(None, f"cannot read age {text!r}")
    number, unit = float(match.group(1)), (match.group(2) or "years").lower()
    days = vocab["age_unit_days"].get(unit)
    if days is None:
        raise FieldError(None, f"unknown age unit {unit!r} in {text!r}")
    return round(number * days / 365.25, 4)


_AGE_TERM = r"(\d+(?:\.\d+)?\s*[A-Za-z]*)"
_AGE_RANGES = (
    (re.compile(rf"^{_AGE_TERM}\s+(?:and|or)\s+(?:older|over|above)\b", re.I), (1, None)),
    (re.compile(rf"^{_AGE_TERM}\s*\+", re.I), (1, None)),
    (re.compile(rf"^{_AGE_TERM}\s+(?:to|-|–)\s+{_AGE_TERM}", re.I), (1, 2)),
    (re.compile(rf"^(?:up\s+to|under|younger\s+than|below)\s+{_AGE_TERM}", re.I), (None, 1)),
)


def age_range(text: str) -> tuple[float | None, float | None]:
    """An age range as a page or an export writes it: "18 years and older" → (18.0, None),
    "18 Years to 75 Years" → (18.0, 75.0), "Up to 17 years" → (None, 17.0)."""
    value = " ".join(text.split())
    for pattern, (low, high) in _AGE_RANGES:
        match = pattern.match(value)
        if match:
            minimum = age_years(match.group(low)) if low else None
            maximum = age_years(match.group(high)) if high else None
            if maximum is not None and high == 2 and not re.search(r"[A-Za-z]", match.group(1)):
                # "18 to 75 years": the unit written once, after the second number
                minimum = age_years(f"{match.group(1)} {_unit(match.group(2))}")
            return minimum, maximum
    raise FieldError(None, f"cannot read age range {text!r}")


def _unit(term: str) -> str:
    found = re.search(r"[A-Za-z]+", term)
    return found.group(0) if found else "years"


# Each pattern names its groups year, month (number or English name) and optionally day.
_DATES = tuple(re.compile(pattern, re.I) for pattern in (
    r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?"
    r"(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?$",                            # 2015-03-01T04:00:00Z
    r"^(?P<month>[a-z]+)\.? (?P<day>\d{1,2}),? (?P<year>\d{4})$",   # March 15, 2015
    r"^(?P<day>\d{1,2}) (?P<month>[a-z]+)\.?,? (?P<year>\d{4})$",    # 15 October 2025
    r"^(?P<month>[a-z]+)\.?,? (?P<year>\d{4})$",                      # March 2015
))


def registry_date(text: str) -> date:
    """A registry date; a month without a day is its first day ("March 2015" → 2015-03-01).

    English month names are read from the vocabulary, not the locale, so a server set to another
    language reads the registry the same way.
    """
    value = " ".join(text.split())
    for pattern in _DATES:
        match = pattern.match(value)
        if not match:
            continue
        parts = match.groupdict()
        month = parts.get("month") or "1"
        number = int(month) if month.isdigit() else vocabulary()["months"].get(month.lower())
        try:
            if number is not None:
                return date(int(parts["year"]), number, int(parts.get("day") or 1))
        except ValueError:
            break
    raise FieldError(None, f"cannot read date {text!r}")


def count(text: str) -> int:
    try:
        return int(float(text.replace(",", "")))
    except ValueError:
        raise FieldError(None, f"not a number: {text!r}") from None


_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def unescape_markdown(text: str) -> str:
    r"""Remove markdown backslash escapes: "\>" → ">"."""
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence kept, order kept."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def error_source(source: Source) -> str:
    """How an error names where a record came from: "file.ndjson (line 3)"."""
    path = source.path or "<input>"
    return f"{path} ({source.locator})" if source.locator else path


def build_trial(fields: dict[str, Any], source: Source) -> Trial | RecordError:
    """The Trial, or a RecordError naming the first field the model refused."""
    record_id = fields.get("trial_id")
    where = error_source(source)
    for required in ("trial_id", "brief_title"):
        if not fields.get(required):
            what = "identifier" if required == "trial_id" else "title"
            return RecordError(f"record has no {what}", source=where, record_id=record_id,
                               field=required)
    try:
        return Trial(**fields, source=source)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        return RecordError(first["msg"], source=where, record_id=record_id, field=field)


def assemble(make_fields: Callable[[], dict[str, Any]], source: Source,
             record_id: str | None) -> Trial | RecordError:
    """The Trial from ``make_fields()``, or the RecordError for the value it could not read."""
    try:
        fields = make_fields()
    except FieldError as error:
        return RecordError(error.message, source=error_source(source), record_id=record_id,
                           field=error.field)
    except ValidationError as error:  # a part (site, outcome …) the model refused
        first = error.errors()[0]
        field = ".".join([error.title, *(str(part) for part in first["loc"])])
        return RecordError(first["msg"], source=error_source(source), record_id=record_id,
                           field=field)
    except Exception as error:  # a defect in a reader must not end the batch
        return RecordError(f"eligo could not read this record ({type(error).__name__}: {error});"
                           " please report it", source=error_source(source), record_id=record_id)
    return build_trial({"trial_id": record_id, **fields}, source)
