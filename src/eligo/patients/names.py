"""Names a person writes ("small cell lung cancer", "carboplatin", "platelets", "Ki-67") →
eligo concept ids, with close suggestions when a name is unknown."""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from eligo.patients.tables import biomarkers, find_biomarker
from eligo.vocab import vocabulary
from eligo.vocab.concepts import Mention


class UnknownName(ValueError):
    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind, self.name, self.suggestions = kind, name, suggestions
        hint = f" (did you mean {', '.join(repr(s) for s in suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().casefold())


@cache
def _names(kind: str) -> dict[str, str]:
    """Every label, synonym and id of one kind, folded → concept id."""
    vocab = vocabulary()
    tables: dict[str, list[dict[str, Any]]] = {
        "condition": [vocab.conditions],
        "drug": [vocab.drugs, vocab.drug_classes],
        "measurement": [vocab.measurements],
    }
    found: dict[str, str] = {}
    if kind == "biomarker":
        for b in biomarkers().values():
            for name in (b.id, b.label, *b.synonyms):
                found.setdefault(_key(name), b.id)
        return found
    for table in tables[kind]:
        for concept in table.values():
            for name in (concept.id, concept.label, *concept.synonyms):
                found.setdefault(_key(name), concept.id)
    return found


def suggest(kind: str, name: str, n: int = 3) -> list[str]:
    names = _names(kind)
    close = difflib.get_close_matches(_key(name), list(names), n=n * 3, cutoff=0.75)
    return list(dict.fromkeys(close))[:n]


def _whole_or_longest(mentions: list[Mention], text: str) -> str | None:
    """The longest concept named in ``text`` if it makes most of it ("metastatic small cell
    lung cancer"); a name that merely contains a known word ("small cell lung cancr") is not
    taken for it."""
    best = None
    for m in mentions:
        if best is None or m.end - m.start > best.end - best.start:
            best = m
    if best is None:
        return None
    covered = len(best.text.replace(" ", "")) / max(1, len(text.replace(" ", "")))
    return best.concept_id if covered >= 0.6 else None


def condition_id(name: str) -> str:
    """A condition's concept id from its name (or id); the longest condition named in longer
    words ("extensive-stage small cell lung cancer")."""
    found = _names("condition").get(_key(name))
    found = found or _whole_or_longest(vocabulary().find_conditions(name), name)
    if found is None:
        raise UnknownName("condition", name, suggest("condition", name))
    return found


def drug_id(name: str) -> str:
    """A drug's (or drug class's) id from its name."""
    found = _names("drug").get(_key(name))
    found = found or _whole_or_longest(vocabulary().find_drugs(name), name)
    if found is None:
        raise UnknownName("drug", name, suggest("drug", name))
    return found


def measurement_id(name: str) -> str:
    found = _names("measurement").get(_key(name))
    found = found or _whole_or_longest(vocabulary().find_measurements(name), name)
    if found is None:
        raise UnknownName("measurement", name, suggest("measurement", name))
    return found


def biomarker_id(name: str) -> str:
    found = _names("biomarker").get(_key(name)) or find_biomarker(name)
    if found is None:
        raise UnknownName("biomarker", name, suggest("biomarker", name))
    return found
