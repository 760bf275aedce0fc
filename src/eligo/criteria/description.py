"""Criteria stated in a trial's description prose, for records with no eligibility section.

Seed 000 (a CSV export) has none: who may join is written in the detailed description ("Patients
must have received at least 1, but no more than 3 prior lines of therapy, which must include a
platinum based agent"). Each sentence that says who may join becomes a criterion marked
``source="description"``; sentences saying who may not ("must not", "are not eligible", "excluded")
become exclusions. Sample sizes, analysis populations and treatment schedules are left out. The
phrases live in ``data/description_phrases.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from eligo.criteria.text import normalise
from eligo.model import Criterion, CriterionKind

_MAX_SENTENCE = 2_000  # longer runs without a full stop are not prose a person wrote as one claim
_BOUNDARY = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n[ \t]*\n|[.!?]\s*$")


@cache
def _phrases() -> dict[str, Any]:
    source = resources.files("eligo.criteria").joinpath("data/description_phrases.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    population = data["population"]

    def compiled(key: str) -> list[re.Pattern[str]]:
        return [re.compile(p.replace("{population}", population), re.I) for p in data[key]]

    kinds = ("inclusion", "exclusion", "not_criteria")
    phrases: dict[str, Any] = {key: compiled(key) for key in kinds}
    phrases["abbreviations"] = frozenset(data["abbreviations"])
    return phrases


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in ``text``; no split inside brackets or after "e.g."."""
    start = 0
    depth = 0
    scanned = 0
    for match in _BOUNDARY.finditer(text):
        chunk = text[scanned:match.start()]
        depth = max(0, depth + chunk.count("(") + chunk.count("[") - chunk.count(")")
                    - chunk.count("]"))
        scanned = match.start()
        if depth > 0 and match.end() - start < _MAX_SENTENCE:
            continue
        if text[match.start()] == "." and _abbreviation(text, start, match.start()):
            continue
        end = match.start() + 1 if text[match.start()] in ".!?" else match.start()
        yield from _trimmed(text, start, end)
        start = match.end()
        depth = 0
    yield from _trimmed(text, start, len(text))


def _abbreviation(text: str, start: int, dot: int) -> bool:
    word = text[max(start, dot - 8):dot].rsplit(None, 1)
    token = word[-1].lower().lstrip("(") if word else ""
    return token in _phrases()["abbreviations"] or (len(token) == 1 and token.isalpha())


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def classify(sentence: str) -> CriterionKind | None:
    """Does this sentence say who may join (inclusion), who may not (exclusion), or neither?"""
    phrases = _phrases()
    if any(p.search(sentence) for p in phrases["not_criteria"]):
        return None
    exclusion = _first(phrases["exclusion"], sentence)
    inclusion = _first(phrases["inclusion"], sentence)
    if exclusion is not None and (inclusion is None or exclusion <= inclusion):
        return "exclusion"
    return "inclusion" if inclusion is not None else None


def _first(patterns: list[re.Pattern[str]], sentence: str) -> int | None:
    starts = [m.start() for p in patterns if (m := p.search(sentence))]
    return min(starts) if starts else None


def criteria_from_description(text: str) -> list[Criterion]:
    """The sentences of description prose that state who may or may not join, as criteria.

    Spans index into ``text``; the criterion's words are unescaped (``\\>`` → ``>``).
    """
    if not text or not text.strip():
        return []
    found: list[Criterion] = []
    counters = {"inclusion": 0, "exclusion": 0}
    seen: set[str] = set()
    for start, end in sentences(text):
        words = normalise(text[start:end])
        kind = classify(words[:_MAX_SENTENCE])
        if kind is None or words.lower() in seen:
            continue
        seen.add(words.lower())
        counters[kind] += 1
        prefix = "inc" if kind == "inclusion" else "exc"
        found.append(Criterion(
            id=f"{prefix}-{counters[kind]}", kind=kind, text=words, span=(start, end),
            source="description",
        ))
    return found
