"""Negation, history, hypothetical and family context of mentions, by medspaCy's ConText.

A blank English spaCy pipeline (no model to download) with ConText and its default rules; the
mentions themselves come from eligo's vocabulary, so the pipeline only judges their context.
Built once and cached; one clause is one small document.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Assertion:
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    uncertain: bool = False
    family: bool = False
    resolved: bool = False  # "now resolved": over, not denied


# Cues the default rules miss in oncology notes, above all for treatments.
_EXTRA_RULES = [
    ("never", "NEGATED_EXISTENCE", "FORWARD"),
    ("has not received", "NEGATED_EXISTENCE", "FORWARD"),
    ("did not receive", "NEGATED_EXISTENCE", "FORWARD"),
    ("not previously treated with", "NEGATED_EXISTENCE", "FORWARD"),
    ("naive to", "NEGATED_EXISTENCE", "FORWARD"),
    ("naive", "NEGATED_EXISTENCE", "BACKWARD"),
    ("naïve", "NEGATED_EXISTENCE", "BACKWARD"),
    # "biopsy was negative for HCC": the default backward "was negative" would win otherwise
    ("was negative for", "NEGATED_EXISTENCE", "FORWARD"),
    ("is negative for", "NEGATED_EXISTENCE", "FORWARD"),
    ("were negative for", "NEGATED_EXISTENCE", "FORWARD"),
    ("came back negative for", "NEGATED_EXISTENCE", "FORWARD"),
    # Phrases that look like cues and are not: not taking a drug as prescribed denies no
    # disease ("not compliant with her diabetes medication"); a child who is the patient is
    # no relative ("a 10 year old child is brought in").
    ("not compliant with", "NEGATED_EXISTENCE", "PSEUDO"),
    ("not adherent to", "NEGATED_EXISTENCE", "PSEUDO"),
    ("non-compliant with", "NEGATED_EXISTENCE", "PSEUDO"),
    ("noncompliant with", "NEGATED_EXISTENCE", "PSEUDO"),
    ("not been compliant with", "NEGATED_EXISTENCE", "PSEUDO"),
    ("old child", "FAMILY", "PSEUDO"),
    ("a child", "FAMILY", "PSEUDO"),
    ("the child", "FAMILY", "PSEUDO"),
    ("this child", "FAMILY", "PSEUDO"),
    ("yo child", "FAMILY", "PSEUDO"),
]
_RESOLVED = {"resolved", "now resolved", "no longer present"}


@cache
def _nlp() -> Any:
    _quiet()
    import spacy
    from medspacy.context import ConText, ConTextRule  # noqa: F401  (ConText: the factory)

    nlp = spacy.blank("en")
    context: Any = nlp.add_pipe("medspacy_context", config={"rules": "default"})
    context.add(
        [
            ConTextRule(literal, category, direction=direction)
            for literal, category, direction in _EXTRA_RULES
        ]
    )
    return nlp


def _quiet() -> None:
    """medspaCy logs every rule it loads through loguru at DEBUG level: not for our users."""
    logging.getLogger("medspacy").setLevel(logging.WARNING)
    try:
        from loguru import logger

        logger.disable("medspacy")
        logger.disable("PyRuSH")
    except ImportError:  # loguru comes with medspaCy; nothing to silence without it
        pass


def warm_up() -> None:
    assess("No evidence of disease.", [(15, 22)])


def assess(text: str, spans: list[tuple[int, int]]) -> list[Assertion]:
    """The context of each (start, end) span of ``text``, in the order given."""
    if not spans:
        return []
    nlp = _nlp()
    doc = nlp.make_doc(text)
    for token in doc:
        token.is_sent_start = token.i == 0  # the clause is the scope of every modifier
    ents: list[Any] = []
    index: dict[tuple[int, int], int] = {}
    for i, (start, end) in enumerate(spans):
        span = doc.char_span(start, end, label="M", alignment_mode="expand")
        if span is None or any(span.start < e.end and e.start < span.end for e in ents):
            continue
        ents.append(span)
        index[(span.start_char, span.end_char)] = i
    doc.ents = sorted(ents, key=lambda s: s.start)
    for _, component in nlp.pipeline:
        doc = component(doc)
    found = [Assertion() for _ in spans]
    for ent in doc.ents:
        at = index.get((ent.start_char, ent.end_char))
        if at is not None:
            cues = {
                doc[m.modifier_span[0] : m.modifier_span[1]].text.lower()
                for m in ent._.modifiers
                if m.category == "NEGATED_EXISTENCE"
            }
            resolved = bool(cues) and cues <= _RESOLVED
            found[at] = Assertion(
                negated=ent._.is_negated and not resolved,
                resolved=resolved,
                historical=ent._.is_historical,
                hypothetical=ent._.is_hypothetical,
                uncertain=ent._.is_uncertain,
                family=ent._.is_family,
            )
    return found
