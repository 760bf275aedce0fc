"""Criterion text as the rules read it, and its cutting into sentences and clauses.

Rules match against ``Text.folded``: the same length as the original, lower case, with look-alike
characters folded one for one (``×`` → ``x``, ``µ`` → ``u``, ``⁹`` → ``9``, dashes → ``-``), so
every match offset is an offset into the text the person wrote, and spans need no mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

#: Longest criterion text the rules read; the rest is kept as unparsed text.
MAX_LENGTH = 3000

_FOLD = {
    "×": "x",
    "✕": "x",
    "·": ".",
    "µ": "u",
    "μ": "u",
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "‒": "-",
    "⩾": "≥",
    "≧": "≥",
    "⩽": "≤",
    "≦": "≤",
    "＞": ">",
    "＜": "<",
    "＝": "=",
    "‘": "'",
    "’": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\t": " ",
    "\n": " ",
    "\r": " ",
    "\u200b": " ",
    "\ufeff": " ",
    "\u2028": " ",
    "\u2029": " ",
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
    "％": "%",
    "，": ",",
    "；": ";",
    "：": ":",
}


# Text once typed in a symbol font and re-encoded shows "³" for "≥" and "£" for "≤":
# "platelets ³100,000/uL", "bilirubin £1.5 times ULN" (a superscript 3 after a unit is left).
_SYMBOL_FONT = re.compile(r"(?<![A-Za-z0-9])[³£](?=\s?\d)")
_SYMBOL_MAP = {"³": "≥", "£": "≤"}


@cache
def _fold_char(char: str) -> str:
    folded = _FOLD.get(char)
    if folded is not None:
        return folded
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    """Lower case with look-alikes folded, one character for one."""
    return "".join(_fold_char(char) for char in text)


@dataclass(frozen=True, slots=True)
class Text:
    """A criterion text: ``raw`` as written (capped at :data:`MAX_LENGTH`) and ``folded``."""

    raw: str
    folded: str

    @classmethod
    def of(cls, text: str) -> Text:
        raw = text[:MAX_LENGTH]
        folded = fold(raw)
        if "³" in raw or "£" in raw:
            chars = list(folded)
            for match in _SYMBOL_FONT.finditer(raw):
                chars[match.start()] = _SYMBOL_MAP[match.group()]
            folded = "".join(chars)
        return cls(raw, folded)


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the text, ``[start, end)``, trimmed of spaces and edge punctuation."""

    start: int
    end: int

    def raw(self, text: Text) -> str:
        return text.raw[self.start : self.end]

    def folded(self, text: Text) -> str:
        return text.folded[self.start : self.end]


_TRIM = " ,;:.-*•·>\"'"


def trim(text: Text, start: int, end: int) -> Piece:
    """``[start, end)`` without leading or trailing spaces and list punctuation."""
    folded = text.folded
    while start < end and folded[start] in _TRIM:
        start += 1
    while end > start and folded[end - 1] in _TRIM:
        end -= 1
    if (
        end > start
        and folded[end - 1] == ")"
        and folded.count("(", start, end) < folded.count(")", start, end)
    ):
        end -= 1  # a closing bracket whose opening one was cut off
    return Piece(start, end)


# A sentence ends at ". " (or "? ", "! ") before a capital letter, a digit or an opening
# bracket, but not after "e.g.", "i.e.", "vs.", "approx.", "Dr." or a single letter.
_SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bca)(?<!\bdr)(?<!\bno)(?<!\bapprox)(?<!\bincl)"
    r"(?<!\bst)(?<!\b[a-z])[.!?](?=\s+(?:[A-Z0-9(\[]))"
)


# A short capitalised label and a colon inside a line lost its full stop before it:
# "… is allowed Specific cases: Patients with NEPC …".
_LABEL = re.compile(r"(?<=[a-z)])\s+(?=[A-Z][a-z]+(?:\s[a-z]+){0,2}\s?:\s)")


def sentences(text: Text) -> list[Piece]:
    """The sentences of the text, each trimmed; at most 40 (the rest is one last piece)."""
    pieces: list[Piece] = []
    start = 0
    ends = sorted([*_SENTENCE_END.finditer(text.raw), *_LABEL.finditer(text.raw)],
                  key=lambda m: m.start())
    for match in ends:
        if match.start() < start or not _balanced(text.folded, start, match.start()):
            continue
        pieces.append(trim(text, start, match.end()))
        start = match.end()
        if len(pieces) == 39:
            break
    pieces.append(trim(text, start, len(text.raw)))
    return [piece for piece in pieces if piece.end > piece.start]


def _balanced(folded: str, start: int, end: int) -> bool:
    return folded.count("(", start, end) <= folded.count(")", start, end)


def depth_map(folded: str, start: int, end: int) -> list[int]:
    """Bracket depth of every character of ``folded[start:end]`` (round and square)."""
    depths: list[int] = []
    depth = 0
    for char in folded[start:end]:
        if char in "([":
            depth += 1
            depths.append(depth)
            continue
        depths.append(depth)
        if char in ")]" and depth > 0:
            depth -= 1
    return depths


def split_top_level(text: Text, piece: Piece, separator: re.Pattern[str]) -> list[Piece]:
    """Cut ``piece`` where ``separator`` matches outside brackets."""
    depths = depth_map(text.folded, piece.start, piece.end)
    parts: list[Piece] = []
    start = piece.start
    for match in separator.finditer(text.folded, piece.start, piece.end):
        if depths[match.start() - piece.start] != 0:
            continue
        parts.append(trim(text, start, match.start()))
        start = match.end()
    parts.append(trim(text, start, piece.end))
    return [part for part in parts if part.end > part.start]
