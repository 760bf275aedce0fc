"""Drugs and procedures named in a note clause, with what the words around them say: given,
ongoing or planned ("received", "on", "will start"), how many cycles, which line, when."""

from __future__ import annotations

import datetime as dt
import re

from eligo.model.patient import FactSource, Medication, Procedure
from eligo.patients import concepts
from eligo.patients.note.context import Assertion
from eligo.patients.note.dates import DateMention, nearest_date
from eligo.patients.tables import find_site, procedure_qualifiers, radiotherapy_site
from eligo.vocab.concepts import Mention

_CUES = [
    (
        "intended",
        re.compile(
            r"\b(?:will (?:start|begin|receive|be (?:started|given|treated))|"
            r"plan(?:s|ned)? (?:to|for|is)|scheduled|to (?:start|begin|receive)|"
            r"candidate for|consider(?:s|ed|ing)?|recommend(?:s|ed)?|"
            r"referred for|eligible for|offered|awaiting)\b",
            re.I,
        ),
    ),
    (
        "stopped",
        re.compile(
            r"\b(?:discontinued|stopped|held|withdrawn|intolerance to|"
            r"could not tolerate|did not tolerate)\b",
            re.I,
        ),
    ),
    (
        "active",
        re.compile(
            r"\b(?:currently|now|on|taking|receiving|continues?|continuing|"
            r"maintained on|maintenance|ongoing|started)\b",
            re.I,
        ),
    ),
    (
        "completed",
        re.compile(
            r"\b(?:received|treated with|treatment with|completed|s/p|"
            r"status post|after|previously|prior|underwent|had|finished|"
            r"failed|progressed (?:on|after|through)|progression (?:on|after)|"
            r"history of|refractory to|resistant to|given|cycles? of)\b",
            re.I,
        ),
    ),
]
_CYCLES = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+"
    r"(?:further\s+|more\s+|additional\s+)?cycles?\b",
    re.I,
)
_WORD_NUMBERS = {
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
    "twelve": 12,
}
_LINE = re.compile(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)[\s-]+line\b", re.I)
_LINE_NUMBERS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}
_NEXT_REGIMEN = re.compile(
    r"\b(?:then|followed by|subsequently|later|thereafter|switched to|"
    r"changed to|after (?:that|progression)|second[\s-]line|third[\s-]line"
    r"|upon progression|on progression)\b",
    re.I,
)


def _status(text: str, start: int, assertion: Assertion) -> str:
    if assertion.hypothetical:
        return "intended"
    before = text[:start]
    best: tuple[int, str] | None = None
    for status, pattern in _CUES:
        for match in pattern.finditer(before):
            if best is None or match.start() > best[0]:
                best = (match.start(), status)
    return best[1] if best else "unknown"


def _cycles(text: str, start: int) -> int | None:
    matches = list(_CYCLES.finditer(text[:start]))
    if not matches or start - matches[-1].end() > 40:
        return None
    word = matches[-1].group(1).lower()
    return int(word) if word.isdigit() else _WORD_NUMBERS.get(word)


def _line(text: str, start: int) -> int | None:
    matches = [m for m in _LINE.finditer(text) if abs(m.start() - start) < 60]
    return _LINE_NUMBERS[matches[-1].group(1).lower()] if matches else None


def medications(
    clause: str,
    mentions: list[Mention],
    assertions: list[Assertion],
    dates: list[DateMention],
    period: tuple[dt.date | None, dt.date | None],
    key: str,
    source: FactSource,
    offset: int,
) -> list[Medication]:
    """Drugs and drug classes of one clause; those named together share a regimen key, cut
    where the clause says a next regimen began ("then", "followed by")."""
    found = []
    for mention, assertion in zip(mentions, assertions, strict=True):
        if assertion.family:
            continue
        regimen = len(_NEXT_REGIMEN.findall(clause[: mention.start]))
        is_class = mention.kind == "drug_class"
        drug = None if is_class else mention.concept_id
        start, end = period
        if start is None and end is None:
            start = nearest_date(dates, mention.start)
        status = _status(clause, mention.start, assertion)
        found.append(
            Medication(
                drug_id=drug,
                text=mention.text,
                classes=(
                    concepts.class_and_parents(mention.concept_id)
                    if is_class
                    else concepts.drug_classes(drug)
                ),
                role=(
                    concepts.class_role(mention.concept_id)
                    if is_class  # type: ignore[arg-type]
                    else concepts.drug_role(drug)
                ),
                start=start,
                end=end,
                status=status,  # type: ignore[arg-type]
                negated=assertion.negated,
                cycles=_cycles(clause, mention.start),
                line=_line(clause, mention.start),
                regimen=f"{key}.{regimen}",
                source=source.model_copy(
                    update={"span": (offset + mention.start, offset + mention.end)}
                ),
            )
        )
    return found


def procedures(
    clause: str,
    spans: list[tuple[int, int, str]],
    assertions: list[Assertion],
    dates: list[DateMention],
    source: FactSource,
    offset: int,
) -> list[Procedure]:
    found = []
    for (start, end, kind), assertion in zip(spans, assertions, strict=True):
        if assertion.family or assertion.hypothetical:
            continue
        words = clause[start:end]
        # the words around it, up to the procedures named before and after it
        before = max([e for _, e, _ in spans if e <= start], default=0)
        if _CUES[0][1].search(clause[max(before, start - 40) : start]):
            continue  # offered, planned, scheduled: not done (yet)
        after = min([s for s, _, _ in spans if s >= end], default=len(clause))
        tail = re.split(r",|;|\band\b|\bthen\b", clause[end : min(after, end + 40)])[0]
        window = clause[max(before, start - 30) : end] + tail
        site = radiotherapy_site(window) if kind == "radiotherapy" else find_site(window)
        day = nearest_date(dates, start)
        found.append(
            Procedure(
                kind=kind,  # type: ignore[arg-type]
                text=words,
                site=site,
                qualifiers=procedure_qualifiers(window),
                start=day,
                end=day,
                negated=assertion.negated,
                source=source.model_copy(update={"span": (offset + start, offset + end)}),
            )
        )
    return found
