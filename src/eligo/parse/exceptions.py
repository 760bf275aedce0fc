"""How an exception joins what it is an exception to.

An exception narrows what a criterion rules out. In an exclusion, or under a "no …", the main
fact is what rules out, so "X except Y" is ``all(X, not(Y))`` and "no X except Y" is
``not(all(X, not(Y)))``. A requirement of an inclusion is waived by "unless": "alkaline
phosphatase < 2 × ULN unless due to bone metastases" is ``any(ALP < 2 × ULN, bone metastases)``.

Some exceptions say what no fact can: the patient's own cancer ("unless tumour related": what
caused the value), the same fact narrowed by words no rule reads ("acyclovir, except topical
acyclovir"), a count of treatments that leaves some out ("no more than 1 prior regimen,
excluding adjuvant chemotherapy"). Their text is kept in an ``unparsed`` leaf where the
exception would stand, so the criterion is unknown wherever the exception could matter and
decided wherever it could not.
"""

from __future__ import annotations

import re

from eligo.model.expression import Condition, Expression, Fact, Not, PriorTherapy, Unparsed
from eligo.parse.leaves import all_of, any_of
from eligo.parse.mentions import Item
from eligo.parse.reading import Reading

#: concepts every patient of a cancer trial has: as an exception, "what the cancer caused"
_GENERIC = frozenset({"neoplasm", "malignant_neoplasm", "solid_tumor"})


def excepted(reading: Reading, main: Expression, exc: Expression, *, unless: bool = False,
             span: tuple[int, int] | None = None) -> Expression:
    """``main`` with the exception ``exc`` (see the module's description)."""
    if not readable(main, exc):
        exc = _unread(reading, exc, span)
    if isinstance(main, Not):
        return Not(all_of([main.this, Not(exc, rule="exception")]), rule="exception")
    if reading.kind == "inclusion" and (unless or _widens(main, exc)):
        return any_of([main, exc], rule="exception.unless")
    return all_of([main, Not(exc, rule="exception")], rule="exception")


def readable(main: Expression, exc: Expression) -> bool:
    """Whether the exception read says what the text says."""
    facts = [leaf for leaf in exc.walk() if isinstance(leaf, Fact)]
    if facts and all(isinstance(f, Condition) and f.concept in _GENERIC
                     and f == Condition(concept=f.concept) for f in facts):
        return False  # "unless tumor related": what caused it, not whether there is a cancer
    if any(isinstance(leaf, PriorTherapy) and leaf.comparator is not None
           for leaf in main.walk()):
        return False  # a count of treatments some of which do not count
    main_facts = [leaf for leaf in main.walk() if isinstance(leaf, Fact)]
    return not (facts and all(f in main_facts for f in facts))


def _widens(main: Expression, exc: Expression) -> bool:
    """An exception to an upper limit of a count lets more treatments through."""
    return isinstance(exc, Unparsed) and any(
        isinstance(leaf, PriorTherapy) and leaf.comparator in ("<", "<=")
        for leaf in main.walk())


def _unread(reading: Reading, exc: Expression, span: tuple[int, int] | None) -> Expression:
    span = span or exc.span
    if span is None:
        return Unparsed(text="an exception", reason="an exception no rule can state",
                        rule="unparsed.exception")
    reading.use(*span)
    text = reading.text.raw[span[0]:span[1]].strip(" ,;()")
    return Unparsed(text=text, reason="an exception no rule can state", span=span,
                    rule="unparsed.exception")



def is_unless(reading: Reading, trigger: Item) -> bool:
    """Whether the exception's trigger is "unless" (a condition waiving a requirement)."""
    return re.search(r"\bunless\b", reading.words(trigger.start, trigger.end)) is not None
