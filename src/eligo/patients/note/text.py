"""Cutting a note into sentences and clauses, keeping every piece's place in the note.

Sentences are what evidence quotes. Clauses (a sentence cut at ";" and at ", but") are what
negation and history are judged in: "no brain metastases; liver lesions" must not deny the liver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? followed by space and a capital, a digit or an opening bracket, at a
# line break, or where a numbered list item starts ("0. An 8-year-old…\n1. He has…").
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9(\[\"])|\n+")
_ABBREVIATION = re.compile(
    r"(?:(?:^|(?<=\s))[A-Z]|\b(?:Dr|Mr|Ms|Mrs|vs|St|No|Fig|approx|e\.g|i\.e))$"
)
_CLAUSE_END = re.compile(r";|,\s+(?=but\b|however\b|although\b|though\b|whereas\b)", re.I)
_LIST_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+")
_MAX_NOTE = 200_000


@dataclass(frozen=True)
class Piece:
    text: str
    start: int
    end: int


def sentences(note: str) -> list[Piece]:
    """The note's sentences, stripped, with offsets; a numbered item's number is left out."""
    pieces: list[Piece] = []
    start = 0
    for match in _SENTENCE_END.finditer(note[:_MAX_NOTE]):
        if match.group() == "." and _no_end(note, match.start()):
            continue
        end = match.end() if match.group() in ".!?" else match.start()
        _add(pieces, note, start, end)
        start = match.end()
    _add(pieces, note, start, min(len(note), _MAX_NOTE))
    return pieces


def _no_end(note: str, dot: int) -> bool:
    """A full stop after an abbreviation or an initial, or the number of a list item."""
    line_start = note.rfind("\n", 0, dot) + 1
    if note[line_start:dot].strip().isdigit():
        return True
    return _ABBREVIATION.search(note, max(0, dot - 8), dot) is not None


def _add(pieces: list[Piece], note: str, start: int, end: int) -> None:
    chunk = note[start:end]
    number = _LIST_NUMBER.match(chunk)
    if number:
        start += number.end()
        chunk = note[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    offset = start + chunk.index(stripped)
    pieces.append(Piece(stripped, offset, offset + len(stripped)))


def clauses(sentence: Piece) -> list[Piece]:
    """A sentence cut at semicolons and before "but"; offsets stay those of the note."""
    found: list[Piece] = []
    start = 0
    for match in _CLAUSE_END.finditer(sentence.text):
        _clause(found, sentence, start, match.start())
        start = match.end()
    _clause(found, sentence, start, len(sentence.text))
    return found


def _clause(found: list[Piece], sentence: Piece, start: int, end: int) -> None:
    chunk = sentence.text[start:end]
    stripped = chunk.strip(" ,")
    if stripped:
        offset = sentence.start + start + chunk.index(stripped)
        found.append(Piece(stripped, offset, offset + len(stripped)))
