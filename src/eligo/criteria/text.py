"""Tidy criterion text for reading: whitespace collapsed, markdown escapes undone ("\\>" → ">")."""

from __future__ import annotations

import re

# ClinicalTrials.gov's markdown escapes these when they stand in plain text ("Ki-67 \>20%").
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=^])")


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces and markdown backslash escapes removed."""
    words = " ".join(text.split())
    return _ESCAPE.sub(r"\1", words) if "\\" in words else words
