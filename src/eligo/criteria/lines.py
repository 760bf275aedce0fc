"""Cut eligibility text into lines, each with its indentation and list marker (bullet or number).

Offsets always index into the original text, so a criterion can point back at what it was cut from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Bullets that need a space after them (a bare "-" or "o" would otherwise swallow words) and the
# typographic ones that often touch their text ("•Platelets").
_SPACED_BULLETS = "-\u2013\u2014*+o"
_TOUCHING_BULLETS = (
    "\u2022\u00b7\u25aa\u25ab\u25e6\u25cf\u25cb\u25a0\u25a1\u27a2\u25ba\u25b8\u2023\u2043"
    "\u2219\u2192\u2713\u2714\uf0b7\uf0a7\u25c6\u25c7\u2666"
)

_MARKER = re.compile(
    r"(?:"
    rf"(?P<bullet>[{re.escape(_SPACED_BULLETS)}])(?=\s|$)"
    rf"|(?P<tbullet>[{_TOUCHING_BULLETS}])"
    r"|\((?P<pnum>\d{1,3})\)"
    r"|\((?P<palpha>[a-zA-Z]{1,5})\)"
    r"|(?P<num>\d{1,3})(?P<numsep>[.)])(?=\s|$)"
    r"|(?P<multi>\d{1,2}(?:\.\d{1,2}){1,3})(?P<multisep>[.)]?)(?=\s+[A-Z(\"'])"
    r"|(?P<alpha>[a-zA-Z]{1,5})(?P<alphasep>[.)])(?=\s|$)"
    r")\s*"
)
_WORD = re.compile(r"\w")  # a line of rules or stray bullets ("-----", "*") says nothing
_SHORT_STOP = re.compile(r"[.)\s]")
_ROMAN = re.compile(r"^(?:x{0,3})(?:ix|iv|v?i{0,3})$", re.I)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


@dataclass(slots=True)
class Line:
    """One non-blank line: where its text starts and ends, and the marker in front of it."""

    number: int  # 0-based line number
    line_start: int  # offset of the line's first character
    start: int  # offset of the text after indentation and marker
    end: int  # offset just after the last non-space character
    indent: int  # column of the first non-space character (tabs count 4)
    length: int  # length of the line without its trailing spaces, in characters
    style: str | None  # "bullet:-", "num.", "num)", "(num)", "alpha.", "roman.", "multi" … or None
    value: int  # the marker's number (letters a=1, roman numerals by value); 0 for bullets
    alt_style: str | None  # a single letter that could be roman ("i.") carries both readings
    alt_value: int
    text: str  # the text after the marker, trailing spaces removed
    blank_before: bool


def roman_value(token: str) -> int:
    total, previous = 0, 0
    for char in reversed(token.lower()):
        value = _ROMAN_VALUES[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


def _marker(content: str) -> tuple[str | None, int, str | None, int, int]:
    """(style, value, alternative style, alternative value, marker length) for a line's text."""
    if content[0].isalpha() and not _SHORT_STOP.search(content, 1, 7):
        return None, 0, None, 0, 0  # a word, not "a)", "iv." or "o "
    match = _MARKER.match(content)
    if match is None:
        return None, 0, None, 0, 0
    groups = match.groupdict()
    size = match.end()
    if groups["bullet"] or groups["tbullet"]:
        char = groups["bullet"] or groups["tbullet"]
        return f"bullet:{char}", 0, None, 0, size
    if groups["pnum"]:
        return "(num)", int(groups["pnum"]), None, 0, size
    if groups["num"]:
        return f"num{groups['numsep']}", int(groups["num"]), None, 0, size
    if groups["multi"]:
        parts = groups["multi"].split(".")
        return f"multi{len(parts)}", int(parts[-1]), None, 0, size
    token = groups["palpha"] or groups["alpha"] or ""
    sep = "()" if groups["palpha"] else (groups["alphasep"] or ".")
    case = "upper" if token.isupper() else "lower"
    if _ROMAN.match(token) and token:
        roman = (f"roman-{case}{sep}", roman_value(token))
        if len(token) == 1:
            letter = (f"alpha-{case}{sep}", ord(token.lower()) - 96)
            return roman[0], roman[1], letter[0], letter[1], size
        return roman[0], roman[1], None, 0, size
    if len(token) == 1:
        return f"alpha-{case}{sep}", ord(token.lower()) - 96, None, 0, size
    return None, 0, None, 0, 0


def scan(text: str) -> list[Line]:
    """The non-blank lines of ``text`` in order, with markers read and offsets kept."""
    lines: list[Line] = []
    position = 0
    blank = False
    for number, whole in enumerate(text.splitlines(True)):
        stripped = whole.lstrip()
        content = stripped.rstrip()
        if content and (content[0].isalnum() or _WORD.search(content)):
            lead = len(whole) - len(stripped)
            indent = len(whole[:lead].expandtabs(4)) if "\t" in whole[:lead] else lead
            if content[0].isalpha() and not _SHORT_STOP.search(content, 1, 7):
                style, value, alt_style, alt_value, size_marker = None, 0, None, 0, 0
            else:
                style, value, alt_style, alt_value, size_marker = _marker(content)
            lines.append(Line(
                number, position, position + lead + size_marker, position + lead + len(content),
                indent, indent + len(content), style, value, alt_style, alt_value,
                content[size_marker:], blank,
            ))
            blank = False
        else:
            blank = bool(lines)
        position += len(whole)
    return lines


def wrap_width(lines: list[Line]) -> int | None:
    """The column at which the text was hard-wrapped, or None when lines run free.

    ClinicalTrials.gov's legacy records wrap at 99 columns (91 past the XML's 8-space indent, which
    ingest may have removed); others at 70-80 or not at all. The widest line of a wrapped text is
    the best guess of its width wherever its indentation went.
    """
    if len(lines) < 3:
        return None
    base = min(line.indent for line in lines)
    widest = max(line.length for line in lines)
    return widest if 60 <= widest - base <= 130 else None
