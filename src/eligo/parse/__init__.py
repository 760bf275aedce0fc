"""The rule-based criterion parser: eligibility text in, expression trees out.

    from eligo.parse import parse_criterion, parse_criteria

    parse_criterion("Platelet count ≥100 000/mm3 or ≥100 × 109/L")
    # Measurement(measurement='platelets', comparator='>=', value=100.0, unit='10*9/L')

Deterministic rules over eligo's vocabularies: no language model, no network. Each criterion is
read in bounded time (its text is capped at :data:`eligo.parse.text.MAX_LENGTH` characters and
every pattern has bounded repetition). What no rule understands stays in an ``unparsed`` leaf.
See ``docs/expressions.md`` for the language.
"""

from __future__ import annotations

from eligo.model.expression import Expression
from eligo.parse.criterion import read_criterion
from eligo.parse.mentions import HEAD_KINDS, Item, find_items
from eligo.parse.passes import simplify
from eligo.parse.quantities import Quantity, find_quantities
from eligo.parse.reading import Reading
from eligo.parse.scores import bare_age
from eligo.parse.text import Text
from eligo.parse.tree import parse_criteria
from eligo.parse.windows import bare_references, find_windows

__all__ = ["parse_criteria", "parse_criterion"]

#: Which parser made a stored expression. Raise it with any change to the parser that changes
#: what it makes of some criterion: criteria stored by an older version are parsed again when
#: they are loaded for matching, and re-ingesting them counts as an update.
PARSER_VERSION = 2


def parse_criterion(
    text: str,
    kind: str = "inclusion",
    *,
    reference: str | None = None,
    topic: str | None = None,
) -> Expression:
    """The expression of one criterion's text.

    ``kind`` ("inclusion" or "exclusion") is recorded for context only: the expression states
    the fact as written, and what a met exclusion means is the matcher's business.
    ``reference`` is the date windows without one count from (inherited from a parent:
    "washout period prior to cycle 1 day 1"); ``topic`` a heading the text sits under ("Age").
    """
    if not isinstance(text, str):
        raise TypeError(f"criterion text must be a string, not {type(text).__name__}")
    reading = _reading(text, kind, reference)
    if topic and not any(item.kind in HEAD_KINDS for item in reading.items):
        under = _under_topic(text, kind, reference, topic)
        if under is not None:
            return under
    node = read_criterion(reading)
    if node.kind == "unparsed":
        node = bare_age(reading) or node
    return simplify(node)


def _reading(text: str, kind: str, reference: str | None) -> Reading:
    source = Text.of(text)
    quantities = find_quantities(source)
    windows = find_windows(source, 0, len(source.raw), quantities, reference)
    reading = Reading(
        text=source,
        items=_with_ages(find_items(source.raw), quantities),
        quantities=quantities,
        windows=windows,
        kind=kind,
        reference=reference,
    )
    for start, end, _ in bare_references(source, windows):
        reading.use(start, end)
    for item in reading.items:
        if item.kind == "noise":  # "including but not limited to": says nothing
            reading.use(item.start, item.end)
            reading.quiet.append((item.start, item.end))
    reading.items = [item for item in reading.items if item.kind != "noise"]
    return reading


def _with_ages(items: list[Item], quantities: list[Quantity]) -> list[Item]:
    """"18 years or older", "younger than 25 years old": a number the grammar knows to be an
    age names the age even where the word "age" is not written (an empty item after it)."""
    added = [
        Item("age", "age", q.end, q.end, {"quantity": q})
        for q in quantities
        if q.age and q.bounds and not any(
            i.kind == "age" and q.start - 30 <= i.start <= q.end + 3 for i in items)
    ]
    if not added:
        return items
    return sorted([*items, *added], key=lambda i: (i.start, i.end))


def _under_topic(text: str, kind: str, reference: str | None, topic: str) -> Expression | None:
    """Text under a heading that names its subject ("Age:" then "18 and over"): read the two
    together; spans still point into the criterion text (a fact named only by the heading
    gets an empty span at 0)."""
    prefix = f"{topic}: "
    reading = _reading(prefix + text, kind, reference)
    if not any(item.kind in HEAD_KINDS for item in reading.items):
        return None
    node = simplify(read_criterion(reading))
    shift = len(prefix)

    def move(found: Expression) -> Expression:
        if found.span is not None:
            start, end = found.span
            found.span = (max(0, start - shift), max(0, end - shift))
        return found

    return node.transform(move)
