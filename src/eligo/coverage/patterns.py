"""Signatures of text no rule understood, so the most frequent kinds can be counted.

"Patients with NYHA class III or IV heart failure" and "NYHA class 2 heart failure" share the
signature ``nyha class #``: lower case, numbers replaced by ``#``, punctuation dropped, the
words that open most criteria ("patients with", "must have") skipped, then the first few words.
The skipped words and the signature length live in ``data/patterns.json``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z#µ]+(?:['-][a-z#]+)*")
#: How the parser joins the separate stretches of words it did not read in one leaf.
FRAGMENT_SEPARATOR = " … "


@cache
def _settings() -> dict[str, Any]:
    text = resources.files("eligo.coverage").joinpath("data/patterns.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    data["leading_words"] = frozenset(data["leading_words"])
    return data


def normalise(text: str) -> list[str]:
    """The words of ``text``: lower case, numbers as ``#``."""
    return _WORD.findall(_NUMBER.sub("#", text.lower()))


def signature(text: str) -> str:
    """A short key grouping texts that fail for the same reason; "" when there are no words."""
    settings = _settings()
    words = normalise(text)
    skip = settings["leading_words"]
    start = 0
    while start < len(words) and words[start] in skip:
        start += 1
    kept = words[start:] or words  # text made only of opening words is its own pattern
    return " ".join(kept[: settings["signature_words"]])


def fragments(text: str) -> list[str]:
    """The separate stretches of an unparsed leaf's text (the parser joins them with "…")."""
    return [part.strip() for part in text.split(FRAGMENT_SEPARATOR) if part.strip()]


def example(text: str) -> str:
    limit = _settings()["example_length"]
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
