"""The few facts that would settle a possible verdict, asked as plain questions.

Every unknown leaf says what would settle it (``NodeResult.ask``: a kind and an id, such as
``("measurement", "platelets")``); the question comes from ``data/questions.json``: a question
written for that very fact when there is one, else the template for its kind with the fact's
name filled in.
"""

from __future__ import annotations

from collections.abc import Callable

from eligo.engine.base import engine_data
from eligo.engine.results import CriterionMatch, Missing
from eligo.engine.verdicts import UNKNOWN

#: at most this many questions per trial: the first ones, in criterion order
MAX_QUESTIONS = 8


def question(key: str, label_of: Callable[[str, str], str] | None = None) -> str | None:
    """The question for a key ``"<kind>:<id>"`` (or ``"<kind>"``), or None when eligo has none."""
    data = engine_data("questions.json")
    if key in data["specific"]:
        return data["specific"][key]
    kind, _, ident = key.partition(":")
    template = data["kinds"].get(kind)
    if template is None or not ident:
        return None
    label = ident.replace("_", " ")
    if label_of is not None and kind != "unparsed":
        label = label_of(kind, ident)
    if kind == "unparsed":
        label = label if len(label) <= 200 else label[:197].rstrip() + "…"
    else:
        label = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    return template.format(label=label)


def keys(ask: tuple[str, ...]) -> list[str]:
    """The question keys of one leaf's ``ask``."""
    if not ask:
        return []
    if ask[0] == "several":
        return list(ask[1:])
    return [":".join(ask)]


def missing_facts(
    criteria: list[CriterionMatch], labels: Callable[[str, str], str] | None = None
) -> list[Missing]:
    """Questions for the unknown leaves of the criteria left unknown, first ones first, each
    question once."""
    found: dict[str, Missing] = {}
    for criterion in criteria:
        for match in _unknown(criterion):
            if match.result is None:
                continue
            for leaf in match.result.walk():
                if leaf.verdict != UNKNOWN or not leaf.ask:
                    continue
                for key in keys(leaf.ask):
                    text = question(key, labels)
                    if text and text not in found:
                        found[text] = Missing(criterion=match.id, question=text)
            if len(found) >= MAX_QUESTIONS:
                return list(found.values())[:MAX_QUESTIONS]
    return list(found.values())


def _unknown(criterion: CriterionMatch) -> list[CriterionMatch]:
    if criterion.verdict != UNKNOWN:
        return []
    if criterion.result is not None:
        return [criterion]
    return [c for child in criterion.children for c in _unknown(child)]
