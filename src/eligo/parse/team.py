"""Leaves only the study team can judge: a clause with one of the phrases of
``data/team.json`` ("informed consent", "in the investigator's opinion", "social security"), or
a disease no vocabulary names qualified by how grave it is ("no other serious concurrent
illness"): the team weighs it, the record cannot.
"""

from __future__ import annotations

import re

from eligo.model.expression import Expression, Team
from eligo.parse.mentions import HEAD_KINDS, Item
from eligo.parse.reading import Reading

_GENERIC_ILLNESS = re.compile(
    r"\b(?:illness(?:es)?|conditions?|diseases?|disorders?|problems?|abnormalit(?:y|ies)|"
    r"comorbidit(?:y|ies)|co-morbidit(?:y|ies))\b")
_JUDGED = frozenset({"clinically_significant", "severe", "uncontrolled"})


def judged_illness(reading: Reading, items: list[Item], start: int,
               end: int) -> Expression | None:
    """"No other serious concurrent illness", "significant medical condition": a disease no
    vocabulary names, qualified by how grave it is: the study team weighs it."""
    if any(i.kind in HEAD_KINDS for i in items):
        return None
    if not any(i.kind == "qualifier" and i.value in _JUDGED for i in items):
        return None
    if _GENERIC_ILLNESS.search(reading.text.folded, start, end) is None:
        return None
    reading.use(start, end)
    return Team(category="investigator_opinion", text=reading.text.raw[start:end].strip(),
                span=(start, end), rule="team.judged_illness")


def team_leaf(
    reading: Reading, items: list[Item], start: int, end: int, strong_only: bool = False
) -> Expression | None:
    strong = [i for i in items if i.kind == "team" and i.extra.get("strong")]
    heads = [i for i in items if i.kind in HEAD_KINDS]
    weak = [] if strong_only else [i for i in items if i.kind == "team"]
    chosen = strong[0] if strong else (weak[0] if weak and not heads else None)
    if chosen is None:
        return None
    reading.use(start, end)
    text = reading.text.raw[start:end].strip()
    return Team(category=chosen.value, text=text, span=(start, end), rule=f"team.{chosen.value}")
