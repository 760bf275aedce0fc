"""Leaves only the study team can judge: a clause with one of the phrases of
``data/team.json`` ("informed consent", "in the investigator's opinion", "social security"), or
a disease no vocabulary names qualified by how grave it is ("no other serious concurrent
illness"): the team weighs it, the record cannot.
"""

from __future__ import annotations

import re

from eligo.model.expression import All, ChildbearingPotential, Expression, Team
from eligo.parse.mentions import HEAD_KINDS, Item
from eligo.parse.reading import Reading

_GENERIC_ILLNESS = re.compile(
    r"\b(?:illness(?:es)?|conditions?|diseases?|disorders?|problems?|abnormalit(?:y|ies)|"
    r"comorbidit(?:y|ies)|co-morbidit(?:y|ies))\b")
_FUTURE_PREGNANCY = re.compile(r"\bbecome\spregnant\b|\bplanning\s(?:a\s)?pregnancy\b")
_JUDGED = frozenset({"clinically_significant", "severe", "uncontrolled"})
#: "… that precludes protocol treatment": a condition weighed against the study itself
_CONSEQUENCE = re.compile(
    r"^(?:would\s|could\s|may\s|might\s)?(?:preclud|interfer|contraindicat|compromis|"
    r"jeopardi|hamper|prevent|limit|affect)")
_STUDY = re.compile(
    r"\b(?:study|protocol|participation|participating|trial|treatment|therapy|compliance|"
    r"evaluation|interpretation|results|safety|doses?|dosages?|administration)\b")
#: a disease no vocabulary names, said to be other than or beside the cancer
_BESIDE = re.compile(
    r"\b(?:other|concurrent|coexisting|co-existing|intercurrent|concomitant|serious|major|"
    r"nonmalignant|non-malignant|significant|underlying|active)\b")


def judged_illness(reading: Reading, items: list[Item], start: int,
               end: int) -> Expression | None:
    """"No other serious concurrent illness", "significant medical condition": a disease no
    vocabulary names, qualified by how grave it is: the study team weighs it."""
    if any(i.kind in HEAD_KINDS for i in items):
        return None
    folded = reading.text.folded
    if _GENERIC_ILLNESS.search(folded, start, end) is None:
        return None
    if not any(i.kind == "qualifier" and i.value in _JUDGED for i in items) \
            and _BESIDE.search(folded, start, end) is None:
        return None
    reading.use(start, end)
    return Team(category="investigator_opinion", text=reading.text.raw[start:end].strip(),
                span=(start, end), rule="team.judged_illness")


def _bears_on_the_study(reading: Reading, item: Item, end: int) -> bool:
    """"(disease) that precludes protocol treatment", "… would interfere with study
    participation": a consequence for the study makes the clause the study team's to weigh."""
    words = reading.words(item.start, min(end, item.end + 45))
    return item.value == "investigator_opinion" and _CONSEQUENCE.match(words) is not None \
        and _STUDY.search(words) is not None


def adequacy(reading: Reading, items: list[Item], start: int, end: int) -> Expression | None:
    """"Adequate cardiac function", "normal bone marrow reserve" with no limit written: the
    protocol's limits decide, the study team confirms them. With limits beside it ("adequate
    hepatic function with bilirubin < 1.5 mg/dL") the phrase only announces them."""
    found = [i for i in items if i.kind == "adequacy"]
    if not found:
        return None
    for item in found:
        reading.use(item.start, item.end)
    if any(i.kind in HEAD_KINDS for i in items) or any(
            start <= q.start < end and q.bounds for q in reading.quantities):
        return None
    reading.use(start, end)
    return Team(category="investigator_opinion", text=reading.text.raw[start:end].strip(),
                span=(start, end), rule="team.adequate")


def team_leaf(
    reading: Reading, items: list[Item], start: int, end: int, strong_only: bool = False
) -> Expression | None:
    strong = [i for i in items if i.kind == "team" and (
        i.extra.get("strong") or _bears_on_the_study(reading, i, end))]
    heads = [i for i in items if i.kind in HEAD_KINDS]
    weak = [] if strong_only else [i for i in items if i.kind == "team"]
    chosen = strong[0] if strong else (weak[0] if weak and not heads else None)
    if chosen is None:
        return None
    reading.use(start, end)
    text = reading.text.raw[start:end].strip()
    node = Team(category=chosen.value, text=text, span=(start, end), rule=f"team.{chosen.value}")
    if _FUTURE_PREGNANCY.search(reading.text.folded, chosen.start, chosen.end):
        # "intend to become pregnant": only a woman who could become pregnant can intend it
        return All(ChildbearingPotential(span=(chosen.start, chosen.end),
                                         rule="team.pregnancy_intent"), node,
                   span=(start, end), rule="team.pregnancy_intent")
    return node
