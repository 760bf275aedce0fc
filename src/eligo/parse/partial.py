"""What the rules read inside text they did not understand.

A criterion whose subject no vocabulary names ("No headache during the previous 3 months",
"QMG score ≥ 12") still has windows and thresholds the grammar found. They are kept in the
``read`` slot of its ``unparsed`` leaf: a ``window`` (or ``duration``) as written, and a
``quantity`` for each threshold, with the words before it as its subject. They are shown and
counted, never evaluated: what they are about is not known, so the leaf stays unknown.
"""

from __future__ import annotations

import re

from eligo.model.expression import Duration, Expression, Longest, Quantity, Window
from eligo.parse.quantities import Quantity as Found
from eligo.parse.quantities import parse_unit_or_none
from eligo.parse.reading import Reading
from eligo.parse.windows import FREQUENCY, TimeWindow

#: words that lead into a subject without naming it ("patients must have a …")
_LEAD = re.compile(
    r"^(?:(?:patients?|subjects?|participants?|must|should|have|has|had|with|a|an|the|"
    r"be|is|are|of|and|or|who|in|on|at|to|their|his|her|no|any)\s)+"
)
_BOUNDARY = re.compile(r"[;:,.()\[\]]|\b(?:and|or|but|with|if|for)\b(?=[^;:,.()]*$)")
_MAX_READ = 8
_AGE_UNITS = {"years": "a", "months": "mo", "weeks": "wk", "days": "d", "hours": "h"}


def read_inside(reading: Reading, covered: bytearray, stretches: list[tuple[int, int]]
                ) -> list[Expression]:
    """Windows and thresholds lying in ``stretches`` (unread text) that no rule used."""
    found: list[tuple[int, Expression]] = []
    windows = [w for w in reading.windows if _unused(covered, w.start, w.end)
               and _inside(stretches, w.start, w.end)]
    for window in windows:
        found.append((window.start, _window_node(window)))
    taken = [(w.start, w.end) for w in windows]
    for quantity in reading.quantities:
        start = quantity.start if quantity.comparator_start is None else quantity.comparator_start
        if not quantity.bounds or quantity.scale in ("normal", "abnormal") or any(
                a <= quantity.start < b for a, b in taken):
            continue
        if not _unused(covered, quantity.start, quantity.end) or not _inside(
                stretches, start, quantity.end):
            continue
        found.extend((start, node) for node in _quantity_nodes(reading, quantity, start))
    found.sort(key=lambda pair: pair[0])
    return [node for _, node in found[:_MAX_READ]]


def _unused(covered: bytearray, start: int, end: int) -> bool:
    return not all(covered[start:end])


def _inside(stretches: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in stretches)


def _window_node(window: TimeWindow) -> Expression:
    node = window.node
    if window.duration and isinstance(node, Window) and window.comparator is not None:
        return Duration(comparator=window.comparator, amount=node.amount, unit=node.unit,
                        span=(window.start, window.end), rule="read.duration")
    copy = node.copy()
    copy.span = (window.start, window.end)
    copy.rule = "read.window"
    if isinstance(copy, Longest):
        for item in copy.windows:
            item.span = copy.span
    return copy


def _quantity_nodes(reading: Reading, quantity: Found, start: int) -> list[Expression]:
    if quantity.age:  # in days or hours: no age node takes them
        unit = _AGE_UNITS.get(quantity.time_unit or "years")
        return [Quantity(subject="age", comparator=b.comparator, value=b.value, unit=unit,
                         span=(start, quantity.end), rule="read.age") for b in quantity.bounds]
    if quantity.gestational:
        unit = _AGE_UNITS.get(quantity.time_unit or "weeks")
        return [Quantity(subject="gestational age", comparator=b.comparator, value=b.value,
                         unit=unit, span=(start, quantity.end), rule="read.gestation")
                for b in quantity.bounds]
    if quantity.time_unit is not None:
        if quantity.time_unit == "half_lives" or len(quantity.bounds) > 1 or \
                FREQUENCY.match(reading.text.folded, quantity.end):
            return []  # "2-4 weeks", "21-35 days", "4 hours per week": not how long
        return [Duration(comparator=b.comparator, amount=b.value, unit=quantity.time_unit,
                         span=(start, quantity.end), rule="read.duration")
                for b in quantity.bounds]
    subject = subject_before(reading, start)
    unit = None
    if quantity.unit_text is not None:
        unit = parse_unit_or_none(quantity.unit_text)
    nodes: list[Expression] = []
    for bound in quantity.bounds:
        limit = {quantity.scale: bound.value} if quantity.scale in ("uln", "lln") else {
            "value": bound.value, "unit": unit}
        nodes.append(Quantity(subject=subject, comparator=bound.comparator, **limit,
                              span=(start, quantity.end), rule="read.quantity"))
    return nodes


def subject_before(reading: Reading, position: int) -> str | None:
    """The few words before a threshold that name what it limits ("QMG score")."""
    low = max(0, position - 60)
    folded = reading.text.folded[low:position]
    cut = 0
    for match in _BOUNDARY.finditer(folded):
        cut = match.end()
    words = folded[cut:].strip()
    words = _LEAD.sub("", words + " ").strip()
    if not words or not re.search(r"[a-z]", words):
        return None
    kept = words.split()[-5:]
    start = low + folded.rfind(kept[0], cut)
    raw = reading.text.raw[start:position].strip(" ,:;=")
    return raw or None
