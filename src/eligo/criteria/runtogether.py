"""Cut run-together paragraphs back into criteria.

ClinicalTrials.gov's legacy rendering of the old NCI PDQ layout joined each section's lines into one
paragraph: "PATIENT CHARACTERISTICS: Age: 18 and over Performance status: WHO 0-2 ... Hepatic:
Bilirubin no greater than 1.5 mg/dL SGOT no greater than 2.5 times normal". The group labels
("Hepatic:") still stand out, and inside a group each lost line break shows as a capitalised word
after a lower-case one. Names capitalised mid-sentence (Karnofsky, Hodgkin's) and words after which
a criterion never ends (of, with, and) keep their sentence together. Vocabulary in
``data/runtogether.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eligo.criteria.headers import nci_inline_labels

# A lost break: space(s), then a capitalised word, or an acronym followed by a lower-case word.
_CANDIDATE = re.compile(r"\s+(?=[A-Z][a-z]|[A-Z]{2,6}\s+[a-z])")
_ACRONYM = re.compile(r"[A-Z]{2,6}\b")
_ROMAN = re.compile(r"[IVX]+")


@dataclass(slots=True)
class Piece:
    start: int
    end: int
    label: str | None  # the group label the piece sits under ("Hepatic"), if any
    parent: int | None = None  # index of the piece whose list this one belongs to
    section: bool = False  # the label is a section of its own ("--Patient Characteristics--")


@cache
def _vocabulary() -> dict[str, Any]:
    source = resources.files("eligo.criteria").joinpath("data/runtogether.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    return {
        "function": frozenset(data["function_words"]),
        "connectors": frozenset(data["connectors"]),
        "proper": frozenset(data["proper_words"]),
        "openers": frozenset(data["criterion_openers"]),
        "units": frozenset(data["unit_words"]),
        "see": re.compile(data["cross_references"]),
    }


def split_run_together(text: str, start: int, end: int) -> list[Piece]:
    """The criteria in ``text[start:end]``, a paragraph whose line breaks were lost."""
    pieces: list[Piece] = []
    label: str | None = None
    cursor = start
    section = False
    for match in nci_inline_labels().finditer(text, start, end):
        _add_group(pieces, text, cursor, match.start(), label, section)
        label = " ".join(match.group(0).strip(" \t\r\n:-").split())
        section = match.group(0).startswith("-") or (section and not label)
        cursor = match.end()
    _add_group(pieces, text, cursor, end, label, section)
    return pieces


def _add_group(pieces: list[Piece], text: str, start: int, end: int, label: str | None,
               section: bool = False) -> None:
    """Pieces of one group, with the items of a "...except:" list under their lead-in."""
    found: list[Piece] = []
    cursor = start
    for match in _vocabulary()["see"].finditer(text, start, end):
        found.extend(_split(text, cursor, match.start(), label))
        found.extend(_split(text, match.start(), match.end(), label))
        cursor = match.end()
    found.extend(_split(text, cursor, end, label))
    lead: int | None = None
    lead_word = ""
    members: str | None = None  # first word of the list's first item
    openers = _vocabulary()["openers"]
    for piece in found:
        words = text[piece.start : piece.end].split(None, 1)
        first = words[0] if words else ""
        announces = text[piece.start:piece.end].rstrip().endswith(":")
        if lead is not None and not announces and _in_list(first, members, lead_word, openers):
            piece.parent = lead
            members = first if members is None else members
        else:
            lead, members = None, None
        piece.section = section
        pieces.append(piece)
        if piece.parent is None and announces:
            lead, lead_word = len(pieces) - 1, first


def _in_list(first: str, members: str | None, lead_word: str, openers: frozenset[str]) -> bool:
    """Is a piece starting with ``first`` still an item of the list a lead-in announced?

    List items look alike: after "i.e.: No bowel obstruction" the list runs on through items
    starting with "No"; after "except: Adequately treated ..." it ends at a criterion opener.
    """
    if members is None:
        return True
    if members in openers and first == members:
        return True
    return first not in openers and first != lead_word


def _split(text: str, start: int, end: int, label: str | None) -> list[Piece]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return []
    pieces: list[Piece] = []
    depth = 0
    cursor = start
    scanned = start
    for match in _CANDIDATE.finditer(text, start, end):
        depth = max(0, depth + _depth_change(text, scanned, match.start()))
        scanned = match.start()
        if depth > 0:
            continue
        window = text[max(cursor, match.start() - 48) : match.start()].rsplit(None, 1)
        previous = window[-1] if window else ""
        alone = previous[:1].isupper() and not text[cursor : match.start() - len(previous)].strip()
        following = text[match.end() : end].split(None, 1)[0] if match.end() < end else ""
        if _breaks(previous, following, alone):
            pieces.append(Piece(cursor, match.start(), label))
            cursor = match.end()
    pieces.append(Piece(cursor, end, label))
    return pieces


def _depth_change(text: str, start: int, end: int) -> int:
    chunk = text[start:end]
    return chunk.count("(") + chunk.count("[") - chunk.count(")") - chunk.count("]")


def _breaks(previous: str, word: str, alone: bool) -> bool:
    """Does a criterion end after ``previous`` and a new one start at ``word``?"""
    vocabulary = _vocabulary()
    if not previous or previous[-1] in ",;-/(\u2013":
        return False
    if previous.endswith(":"):
        return True  # "except: Adequately treated ..." starts the lead-in's list
    lowered = previous.lower()
    if lowered in vocabulary["function"] or previous in vocabulary["connectors"]:
        return False
    if lowered.rstrip(".") in vocabulary["function"]:
        return False
    first = previous[0]
    bare = word.rstrip(",.;:)")
    if "'" in bare or "\u2019" in bare or bare in vocabulary["proper"]:
        return False
    stripped = previous.rstrip(").,;")
    if _ROMAN.fullmatch(stripped):
        return bare in vocabulary["openers"]  # "type I Gaucher disease", "stage IV No ..."
    if first.isupper() and not stripped.isupper() and stripped not in vocabulary["units"]:
        # "Eastern Cooperative", "Hodgkin's Disease": a name runs on, unless the piece so far is
        # one word and a criterion plainly starts ("Undifferentiated The following ...").
        return alone and bare in vocabulary["openers"]
    if _ACRONYM.fullmatch(bare):
        # An acronym starts a criterion only after a number or unit ("1.5 mg/dL SGOT no greater").
        return (
            any(char.isdigit() for char in previous)
            or "/" in previous
            or previous.rstrip(").,;") in vocabulary["units"]
        )
    return bool(
        first.islower()
        or first.isdigit()
        or first in "(<>\u2264\u2265"
        or previous.isupper()
        or stripped in vocabulary["units"]
        or previous[-1] in ").%]"
    )
