"""ClinicalTrials.gov CSV export, in two shapes.

*One field per line* (seed 000): title; brief summary; conditions (``|``-separated);
interventions (``TYPE: name|...``); primary outcomes (``measure, description, time frame|...``);
secondary outcomes; then the detailed description, several paragraphs, to the end. Markdown escapes
(``\\>``) are removed.
The layout carries no phase, status, ages or eligibility section: those stay empty.

*A CSV table* as the registry's search page downloads it: a header row ("NCT Number", "Study Title",
...; spellings in ``vocabulary.json``), one trial per row.

Records without an NCT id get a stable one from their title: ``CSV-`` and 10 hex digits of its hash.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

from eligo.errors import RecordError
from eligo.ingest.document import Document
from eligo.ingest.normalise import (
    age_range,
    assemble,
    clean,
    convert,
    count,
    enum_code,
    phase_codes,
    registry_date,
    sex_code,
    status_code,
    study_type_code,
    text_block,
    unescape_markdown,
    unique,
    vocabulary,
)
from eligo.model import Intervention, Outcome, Site, Source, Trial

FORMAT = "csv-export"

_NCT_ID = re.compile(r"\bNCT\d{8}\b")
_LINE_FIELDS = ("title", "brief_summary", "conditions", "interventions", "primary_outcomes",
                "secondary_outcomes")


def looks_like(text: str) -> bool:
    """True for either shape, judged on the first lines of ``text``."""
    lines = text.replace("\r\n", "\n").split("\n")
    if _header_columns(lines[0]):
        return True
    if len(lines) < len(_LINE_FIELDS) or not lines[0].strip():
        return False
    return bool(_INTERVENTIONS.match(lines[3].strip())) or bool(
        not lines[3].strip() and _ENDS_WITH_TIME_FRAME.search(lines[4]))


def read(document: Document) -> Iterator[Trial | RecordError]:
    try:
        text = document.text().replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        yield RecordError(f"text is not UTF-8: {error}", source=document.name)
        return
    if text.lstrip()[:1] in ("<", "{", "["):  # a forced format on a marked-up file
        yield RecordError("markup (XML or JSON), not the CSV-export layout", source=document.name)
        return
    header = text.split("\n", 1)[0]
    if _header_columns(header):
        yield from _read_table(text, document.name)
    else:
        yield _read_lines(text, document.name)


# -- one field per line ------------------------------------------------------------------------


def _type_names() -> str:
    return "|".join(vocabulary()["intervention_types"])


_INTERVENTIONS = re.compile(rf"^(?:{_type_names()}): [^|]+(?:\|(?:{_type_names()}): [^|]+)*$")
_ENDS_WITH_TIME_FRAME = re.compile(
    r", [^,]*\b(?:day|week|month|year|hour|cycle|baseline)s?\b[^,]*$", re.I)


def _read_lines(text: str, name: str) -> Trial | RecordError:
    lines = [unescape_markdown(line) for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    lines += [""] * (len(_LINE_FIELDS) - len(lines))
    title = clean(lines[0])
    source = Source(format=FORMAT, path=name)
    return assemble(lambda: {
        "brief_title": title,
        "brief_summary": text_block(lines[1]),
        "conditions": _split(lines[2]),
        "interventions": _interventions(lines[3]),
        "outcomes": _outcomes(lines[4], "primary") + _outcomes(lines[5], "secondary"),
        "detailed_description": text_block("\n".join(lines[len(_LINE_FIELDS):])),
    }, source, _trial_id(_id_bearing_lines(lines), title))


def _id_bearing_lines(lines: list[str]) -> str:
    """Where an NCT id names this trial: the six fields, or a line of its own. The description
    prose is left out, since it may cite other trials."""
    alone = [line for line in lines if re.fullmatch(r"\s*(?:NCT Number:?\s*)?NCT\d{8}\s*", line)]
    return "\n".join(lines[: len(_LINE_FIELDS)] + alone)


def _trial_id(text: str, title: str | None) -> str | None:
    found = _NCT_ID.search(text)
    if found:
        return found.group(0)
    if not title:
        return None
    digest = hashlib.sha256(" ".join(title.lower().split()).encode()).hexdigest()
    return f"CSV-{digest[:10].upper()}"


def _split(value: str | None) -> list[str]:
    return unique([clean(part) for part in (value or "").split("|")])


def _interventions(value: str | None) -> list[Intervention]:
    interventions = []
    for part in _split(value):
        kind, sep, name = part.partition(": ")
        if sep and re.fullmatch(r"[A-Za-z_ ]+", kind):
            interventions.append(Intervention(type=enum_code(kind), name=name.strip()))
        else:
            interventions.append(Intervention(name=part))
    return interventions


def _outcomes(value: str | None, kind: str) -> list[Outcome]:
    return [_outcome(part, kind) for part in _split(value)]


def _outcome(text: str, kind: str) -> Outcome:
    """``measure, description, time frame``: the time frame is the last comma-part; the measure
    ends at the first ``., `` before a capital (else the first ``, `` before one), since measures
    and descriptions both contain commas."""
    head, sep, time_frame = text.rpartition(", ")
    if not sep:
        return Outcome(kind=kind, measure=text)  # type: ignore[arg-type]
    boundary = re.search(r"\.,\s+(?=[A-Z])", head) or re.search(r",\s+(?=[A-Z])", head)
    if boundary is None:
        measure, description = head, None
    else:
        end = boundary.start() + (1 if head[boundary.start()] == "." else 0)
        measure, description = head[:end], head[boundary.end():]
    return Outcome(kind=kind, measure=measure.strip(),  # type: ignore[arg-type]
                   description=clean(description), time_frame=clean(time_frame))


# -- a CSV table -------------------------------------------------------------------------------


def _header_columns(line: str) -> dict[str, str]:
    """Column name → field when ``line`` is a CT.gov export header (with an NCT Number column)."""
    try:
        names = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return {}
    table = vocabulary()["csv_columns"]
    keys = {name: " ".join(name.lower().split()) for name in names}
    columns = {name: table[key] for name, key in keys.items() if key in table}
    return columns if "nct_id" in columns.values() and len(columns) >= 3 else {}


def _read_table(text: str, name: str) -> Iterator[Trial | RecordError]:
    reader = csv.DictReader(io.StringIO(text))
    columns = _header_columns(text.split("\n", 1)[0])
    try:
        for row in reader:
            source = Source(format=FORMAT, path=name, locator=f"line {reader.line_num}")
            values = {field: row.get(column) or "" for column, field in columns.items()}
            yield _row_trial(values, source)
    except csv.Error as error:
        yield RecordError(f"CSV cannot be read: {error}", source=f"{name} (line {reader.line_num})")


def _row_trial(row: dict[str, str], source: Source) -> Trial | RecordError:
    title = clean(row.get("title"))
    record_id = clean(row.get("nct_id")) or _trial_id("", title)
    return assemble(lambda: {"brief_title": title, **_row_fields(row)}, source, record_id)


def _row_fields(row: dict[str, str]) -> dict[str, Any]:
    sponsors = _split(row.get("sponsor_and_collaborators"))
    minimum, maximum = _ages(row.get("age", ""))
    return {
        "secondary_ids": _split(row.get("other_ids")),
        "acronym": clean(row.get("acronym")),
        "status": convert("Study Status", status_code, row.get("status")),
        "phases": unique([code for p in _split(row.get("phases")) for code in phase_codes(p)]),
        "study_type": convert("Study Type", study_type_code, row.get("study_type")),
        "conditions": _split(row.get("conditions")),
        "interventions": _interventions(row.get("interventions")),
        "outcomes": [o for kind in ("primary", "secondary", "other")
                     for o in _outcomes(row.get(f"{kind}_outcomes"), kind)],
        "minimum_age": minimum,
        "maximum_age": maximum,
        "sex": convert("Sex", sex_code, row.get("sex")) or "all",
        "brief_summary": text_block(row.get("brief_summary")),
        "sponsor": clean(row.get("sponsor")) or (sponsors[0] if sponsors else None),
        "collaborators": _split(row.get("collaborators")) or sponsors[1:],
        "sites": [_site(part) for part in _split(row.get("locations"))],
        "enrollment": convert("Enrollment", count, row.get("enrollment")),
        "start_date": convert("Start Date", registry_date, row.get("start_date")),
        "completion_date": convert("Completion Date", registry_date, row.get("completion_date")),
        "first_posted": convert("First Posted", registry_date, row.get("first_posted")),
        "last_updated": convert("Last Update Posted", registry_date, row.get("last_updated")),
    }


def _ages(value: str) -> tuple[float | None, float | None]:
    # The current export gives age groups ("ADULT, OLDER_ADULT"), which are not limits.
    if not value.strip() or re.fullmatch(r"[A-Z_, ]+", value.strip()):
        return None, None
    found = convert("Age", age_range, value)
    return found if found is not None else (None, None)


def _site(text: str) -> Site:
    """"Facility, City, State, Zip, Country": the export joins the parts with commas, and facility
    names contain commas too, so parts are taken from the right: country last, a zip code is the
    part with digits before it, the city before that; the rest is the facility."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    country = parts.pop() if len(parts) > 1 else None
    zip_code = parts.pop() if len(parts) > 1 and re.search(r"\d", parts[-1]) else None
    state = parts.pop() if zip_code and len(parts) > 2 else None
    city = parts.pop() if len(parts) > 1 else None
    return Site(facility=", ".join(parts) or None, city=city, state=state, zip=zip_code,
                country=country)

