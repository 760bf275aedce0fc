"""The parser's word lists, read once from ``eligo/parse/data/*.json`` and compiled to patterns.

Each data file notes its source. Phrases are written in lower case and matched against folded
text (:mod:`eligo.parse.text`); a phrase that starts or ends with a letter or digit only matches
at a word boundary there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from eligo.errors import EligoError


class LexiconError(EligoError):
    """A parser data file that cannot be read."""


@cache
def data(name: str) -> dict[str, Any]:
    """The parsed JSON of ``eligo/parse/data/<name>.json``."""
    try:
        text = resources.files("eligo.parse").joinpath("data", f"{name}.json").read_text("utf-8")
        loaded = json.loads(text)
    except (OSError, ValueError) as error:
        raise LexiconError(f"parse/data/{name}.json: {error}") from error
    if not isinstance(loaded, dict):
        raise LexiconError(f"parse/data/{name}.json: expected an object")
    return loaded


def phrase_pattern(phrase: str) -> str:
    """A regex for one phrase: spaces match any run of spaces, word edges are boundaries."""
    body = r"\s{1,3}".join(re.escape(word) for word in phrase.split())
    head = r"(?<![\w])" if phrase[:1].isalnum() else ""
    tail = r"(?![\w])" if phrase[-1:].isalnum() else ""
    return f"{head}{body}{tail}"


def alternation(phrases: Iterable[str]) -> str:
    """One alternation of phrases, longest first so the longest phrase wins at a position."""
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(phrase_pattern(p) for p in unique)


@cache
def compiled(name: str, *path: str) -> re.Pattern[str]:
    """The alternation of the phrase list at ``data(name)[path...]``."""
    node: Any = data(name)
    for key in path:
        node = node[key]
    return re.compile(alternation(node))


@cache
def grouped(name: str, *path: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """For a mapping ``label → [phrases]``: one pattern, and folded phrase → label.

    The caller finds the label of a match with ``lookup[normalise_space(match.group())]``.
    """
    node: Any = data(name)
    for key in path:
        node = node[key]
    lookup: dict[str, str] = {}
    for label, phrases in node.items():
        if label.startswith("_"):
            continue
        for phrase in phrases:
            lookup.setdefault(" ".join(phrase.split()), label)
    return re.compile(alternation(lookup)), lookup


def normalise_space(text: str) -> str:
    return " ".join(text.split())
