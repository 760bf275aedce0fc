"""The text of a patient-facing trial page (seed 001), recognised by its section headings.

Layout, top to bottom: title line(s); status ("Recruiting"); ages ("18 years and older"); sex
("All"); phase ("Phase 2"); "Overview" and its paragraphs; "Eligibility" with the criteria from
"Inclusion Criteria:" on; "Study details" with one condition per line; the NCT id on a line of its
own; the sponsor / site line; a date; then the contact form, FAQs and notes, which are ignored.

The date after the sponsor line has no label. It is read as ``last_updated`` (when the page was
last refreshed), not as a start date: a wrong start date would mislead a search for open trials,
a wrong update date misleads no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from eligo.errors import RecordError
from eligo.ingest.document import Document
from eligo.ingest.normalise import (
    FieldError,
    age_range,
    assemble,
    clean,
    phase_codes,
    registry_date,
    sex_code,
    status_code,
    text_block,
    unique,
    vocabulary,
)
from eligo.model import Site, Source, Trial

FORMAT = "page-text"

_NCT_LINE = re.compile(r"^\s*(NCT\d{8})\s*$")
_PHASE_LINE = re.compile(r"^(early\s+)?phase\s+\S+|^not applicable$|^n/a$", re.I)


def _markers(kind: str) -> set[str]:
    return set(vocabulary()["page_text"][kind])


def _key(line: str) -> str:
    return " ".join(line.lower().split()).rstrip(":")


def looks_like(text: str) -> bool:
    """An "Eligibility" heading with an "Overview" or "Study details" heading beside it."""
    keys = {_key(line) for line in text.splitlines()}
    has = {kind: bool(keys & _markers(kind)) for kind in ("overview", "eligibility", "details")}
    return has["eligibility"] and (has["overview"] or has["details"])


def read(document: Document) -> Iterator[Trial | RecordError]:
    source = Source(format=FORMAT, path=document.name)
    try:
        text = document.text().replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        yield RecordError(f"text is not UTF-8: {error}", source=document.name)
        return
    lines = text.split("\n")
    found = next((m.group(1) for line in lines if (m := _NCT_LINE.match(line))), None)
    yield assemble(lambda: page_fields(lines), source, found)


def _find(lines: list[str], kind: str, start: int = 0) -> int | None:
    markers = _markers(kind)
    return next((i for i in range(start, len(lines)) if _key(lines[i]) in markers), None)


def page_fields(lines: list[str]) -> dict[str, Any]:
    """The Trial fields of a page's lines."""
    eligibility = _find(lines, "eligibility")
    if eligibility is None:
        raise FieldError("eligibility_text", "no \"Eligibility\" heading on the page")
    overview = _find(lines, "overview")
    header_end = overview if overview is not None and overview < eligibility else eligibility
    details = _find(lines, "details", eligibility + 1)
    fields = _header(lines[:header_end])
    if overview is not None and overview < eligibility:
        fields["brief_summary"] = _paragraphs(lines[overview + 1 : eligibility])
    end = details if details is not None else _end_of_page(lines, eligibility + 1)
    fields["eligibility_text"] = _criteria(lines[eligibility + 1 : end])
    if details is not None:
        fields.update(_details(lines, details + 1))
    return fields


def _header(lines: list[str]) -> dict[str, Any]:
    """Title lines first, then the status, age, sex and phase lines in any order."""
    drop = _markers("drop")
    titles: list[str] = []
    fields: dict[str, Any] = {}
    for raw in lines:
        line = clean(raw)
        if not line or _key(line) in drop:
            continue
        if _key(line) in vocabulary()["legacy_status"]:
            fields["status"] = status_code(line)
        elif _key(line) in vocabulary()["sex"] and "sex" not in fields:
            fields["sex"] = sex_code(line)
        elif _PHASE_LINE.match(line):
            fields["phases"] = phase_codes(line)
        elif (ages := _ages(line, expected=bool(fields))) is not None:
            fields["minimum_age"], fields["maximum_age"] = ages
        elif not fields:
            titles.append(line)
    titles = unique(titles)  # pages repeat the title as heading and as subtitle
    if titles:
        fields["brief_title"] = titles[0]
    if len(titles) > 1:
        fields["official_title"] = titles[1]
    return fields


def _ages(line: str, expected: bool) -> tuple[float | None, float | None] | None:
    """The age range on ``line``; None if it is no age line (a title may start with a number)."""
    try:
        return age_range(line)
    except FieldError as error:
        if expected and re.search(r"\b(years?|months?)\b", line, re.I):
            raise FieldError("minimum_age", error.message) from None
        return None


def _paragraphs(lines: list[str]) -> str | None:
    drop = _markers("drop")
    kept = [line for line in lines if _key(line) not in drop]
    return text_block("\n".join(kept))


def _criteria(lines: list[str]) -> str | None:
    """From "Inclusion Criteria:" (or the first line under the heading) on, as written."""
    start = next((i for i, line in enumerate(lines)
                  if re.match(r"\s*(key\s+)?inclusion\s+criteria", line, re.I)), 0)
    return text_block("\n".join(lines[start:]))


def _end_of_page(lines: list[str], start: int) -> int:
    ends = _markers("end")
    return next((i for i in range(start, len(lines)) if _key(lines[i]) in ends), len(lines))


def _details(lines: list[str], start: int) -> dict[str, Any]:
    """Conditions up to the NCT id line; then the sponsor / site line and the date."""
    fields: dict[str, Any] = {}
    conditions: list[str | None] = []
    index = start
    while index < len(lines) and not _NCT_LINE.match(lines[index]):
        if _key(lines[index]) in _markers("end"):
            return {"conditions": unique(conditions)}
        conditions.append(clean(lines[index]))
        index += 1
    fields["conditions"] = unique(conditions)
    if index == len(lines):
        return fields
    fields["trial_id"] = _NCT_LINE.match(lines[index]).group(1)  # type: ignore[union-attr]
    following = [line for raw in lines[index + 1 : index + 8] if (line := clean(raw))]
    ends = _markers("end")
    for line in following[:2]:
        if _key(line) in ends or any(_key(line).startswith(end) for end in ends):
            break
        try:
            fields["last_updated"] = registry_date(line)
            break
        except FieldError:
            pass
        if "sponsor" in fields:
            break
        fields["sponsor"] = line
        fields["sites"] = [Site(facility=line)]
    return fields
