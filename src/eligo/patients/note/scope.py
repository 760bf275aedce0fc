"""What a note is and what the patient has said about taking part.

A clinical note about a patient sums up their history: the domains of
``data/note_reading.yaml`` (conditions, treatments, procedures, pregnancy) go to
``Patient.summarised``, so the matcher presumes what the note does not mention absent where
that clears the patient (docs/matching.md). A note in the patient's own words sums up nothing.

"The patient will provide informed consent, and will comply with the trial protocol" becomes
:class:`~eligo.model.patient.Commitment` facts with the words that said it.
"""

from __future__ import annotations

import re
from functools import cache

from eligo.model.patient import Commitment, FactSource
from eligo.patients.tables import load


@cache
def _summary() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    table = load("note_reading")["summary"]
    return (
        frozenset(table["domains"]),
        re.compile(table["first_person"]),
        re.compile(table["third_person"], re.I),
    )


def summarised(text: str) -> set[str]:
    """The domains a note sums up: none for the patient's own words, else the summary's."""
    domains, first, third = _summary()
    if len(first.findall(text)) > len(third.findall(text)):
        return set()
    return set(domains)


@cache
def _commitments() -> list[tuple[str, bool, re.Pattern[str]]]:
    found = []
    for about, table in load("note_reading")["commitments"].items():
        for given, key in ((False, "refused"), (True, "given")):  # a refusal is read first
            found += [(about, given, re.compile(p, re.I)) for p in table.get(key, [])]
    return found


def commitments(clause: str, source: FactSource, offset: int) -> list[Commitment]:
    """What the patient says about consent, compliance and taking part, in one clause."""
    found: list[Commitment] = []
    taken: list[tuple[int, int]] = []
    for about, given, pattern in _commitments():
        if any(c.about == about for c in found):
            continue
        for match in pattern.finditer(clause):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            taken.append(match.span())
            span = (offset + match.start(), offset + match.end())
            here = source.model_copy(update={"span": span})
            found.append(Commitment(about=about, given=given, text=match.group(0), source=here))
            break
    return found
