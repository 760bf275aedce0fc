"""Cancer stage as records write it ("Stage 3A (qualifier value)", "c3A", "4", "IIIB",
"extensive-stage", "pT2a: Tumor greater than 3 cm") → AJCC stage groups in Roman numerals with
their letter ("IIIA", "IV") and TNM categories with their prefix ("cT3", "pN0", "M1c")."""

from __future__ import annotations

import re

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
_NUMERAL = r"(IV|III|II|I|0|[1-4])([ABC][1-3]?)?"
_WHOLE = re.compile(r"[cpy]{0,2}" + _NUMERAL, re.IGNORECASE)
_AFTER_STAGE = re.compile(r"\bstage\s*[cpy]{0,2}" + _NUMERAL + r"(?![A-Za-z0-9])", re.IGNORECASE)
_WORDS = {
    "extensive": re.compile(r"\bextensive(?:[\s-]+stage)?\b|\bES-SCLC\b|\bED-SCLC\b", re.I),
    "limited": re.compile(r"\blimited(?:[\s-]+stage)?\b|\bLS-SCLC\b|\bLD-SCLC\b", re.I),
}
_TNM = re.compile(
    r"(?<![A-Za-z])([cpyra]{0,2})([TNM])(is|[0-4][a-d]?[0-9]?|X|x)(?=$|[^A-Za-z0-9]|[TNM])"
)


def stage_group(text: str | None) -> str | None:
    """An AJCC stage group ("IIIA"), or "extensive" / "limited" for small-cell lung cancer."""
    if not text:
        return None
    for word, pattern in _WORDS.items():
        if pattern.search(text):
            return word
    match = _WHOLE.fullmatch(text.strip()) or _AFTER_STAGE.search(text)
    if match is None:
        return None
    numeral, letter = match.group(1), match.group(2) or ""
    return _ROMAN.get(numeral, numeral.upper()) + letter.upper()


def tnm_category(text: str | None, axis: str) -> str | None:
    """The T, N or M category named in ``text`` ("cT3", "pN0", "M1c"), with its prefix."""
    if not text:
        return None
    for match in _TNM.finditer(text):
        prefix, letter, value = match.groups()
        if letter == axis:
            return f"{prefix.lower()}{letter}{value.upper() if value in 'xX' else value}"
    return None
