"""Leaves about the patient as a whole: performance status, life expectancy, age, lines of
prior therapy, measurable disease.

Performance grades listed ("0-2", "0 or 1", "Karnofsky 70-100%") read as a limit at the worst
grade listed; an ECOG value above 5 is a Karnofsky score. Age written bare under an "Age:"
heading ("18 and over") is read by :func:`bare_age`.
"""

from __future__ import annotations

import re

from eligo.model.expression import (
    Age,
    Expression,
    LifeExpectancy,
    MeasurableDisease,
    PerformanceStatus,
    PriorTherapy,
)
from eligo.parse.leaves import all_of, quantity_span, span_of
from eligo.parse.quantities import Bound, Quantity
from eligo.parse.reading import Reading, Unit


def performance(unit: Unit, reading: Reading) -> Expression | None:
    """ "ECOG ≤ 2", "0-2", "0 or 1", "Karnofsky 70-100%": a single comparison, or the grades
    listed read as a limit (up to the worst grade listed)."""
    scale = unit.head.value
    found = [q for q in unit.quantities if q.time_unit is None and not reading.aside(q.start)]
    if scale == "ecog":  # a share in a note ("less than 50 % of time in bed") is no grade
        found = [q for q in found if not (q.unit_text or "").strip().startswith("%")]
    if not found:
        return None
    for quantity in found:
        reading.use(*quantity_span(quantity))
    if len(found) == 1 and len(found[0].bounds) == 1 and found[0].comparator != "=":
        bound = found[0].bounds[0]
        if scale == "ecog" and bound.value > 5:
            scale = "karnofsky"
        return PerformanceStatus(
            scale=scale,
            comparator=bound.comparator,
            value=bound.value,
            span=span_of(unit),
            rule="performance",
        )
    values = [b.value for q in found for b in (q.bounds or (Bound("=", q.value),))]
    if scale == "ecog" and max(values) > 5:
        scale = "karnofsky"
    low, high = min(values), max(values)
    nodes: list[Expression] = []
    span = span_of(unit)
    if scale == "ecog":
        nodes.append(PerformanceStatus(scale=scale, comparator="<=", value=high, span=span,
                                       rule="performance.grades"))
        if low > 0:
            nodes.append(PerformanceStatus(scale=scale, comparator=">=", value=low, span=span,
                                           rule="performance.grades"))
    else:
        nodes.append(PerformanceStatus(scale=scale, comparator=">=", value=low, span=span,
                                       rule="performance.grades"))
        if high < 100:
            nodes.append(PerformanceStatus(scale=scale, comparator="<=", value=high, span=span,
                                           rule="performance.grades"))
    return all_of(nodes, span=span_of(unit), rule="performance.grades")


def life_expectancy(unit: Unit, reading: Reading) -> Expression | None:
    timed = [
        q
        for q in unit.quantities + unit.pre_quantities
        if q.time_unit in ("weeks", "months", "years")
    ]
    if not timed:
        return None
    quantity = timed[0]
    reading.use(*quantity_span(quantity))
    comparator = quantity.comparator or ">="
    lead = re.search(
        r"(?:minimum|at least|no less than)\s(?:of\s)?$",
        reading.words(max(0, unit.head.start - 20), unit.head.start),
    )
    if lead is not None:
        reading.use(unit.head.start - len(lead.group()), unit.head.start)
    return LifeExpectancy(
        comparator=comparator,
        value=quantity.value,
        unit=quantity.time_unit,
        span=span_of(unit),
        rule="life_expectancy",
    )


_AGE_LIMIT = re.compile(r"(?:(minimum|min\.?|lower|lowest)|(maximum|max\.?|upper|highest))"
                        r"\s(?:limit\s(?:of\s|for\s)?)?$")


def age(unit: Unit, reading: Reading) -> Expression | None:
    own = unit.head.extra.get("quantity")  # an age named by its number alone
    pool = [own] if own is not None else unit.quantities + unit.pre_quantities
    found = [q for q in pool if q.bounds and q.time_unit in (None, "years", "months")]
    if not found and own is None:
        found = _age_limit(unit, reading)
    if not found:
        return None
    nodes = []
    for quantity in found:
        reading.use(*quantity_span(quantity))
        for bound in quantity.bounds:
            nodes.append(
                Age(
                    comparator=bound.comparator,
                    value=bound.value,
                    unit="months" if quantity.time_unit == "months" else "years",
                    span=(quantity.start, quantity.end),
                    rule="age",
                )
            )
    return all_of(nodes, span=span_of(unit), rule="age")


def _age_limit(unit: Unit, reading: Reading) -> list[Quantity]:
    """"Minimum age: 18 years", "Maximum age 75": the limit is named before the word age."""
    lead = _AGE_LIMIT.search(reading.words(max(0, unit.head.start - 20), unit.head.start))
    after = [q for q in unit.quantities if not q.bounds and q.time_unit in (None, "years")
             and q.unit_text is None and q.start - unit.head.end <= 4]
    if lead is None or not after:
        return []
    quantity = after[0]
    reading.use(unit.head.start - len(lead.group()), unit.head.start)
    comparator = ">=" if lead.group(1) else "<="
    return [Quantity(quantity.start, quantity.end, quantity.value,
                     bounds=(Bound(comparator, quantity.value),), time_unit=quantity.time_unit)]


def lines(unit: Unit, reading: Reading) -> Expression | None:
    counted = [q for q in unit.pre_quantities if q.time_unit is None and q.value <= 20]
    if not counted:
        # "No prior therapy", "Prior treatment allowed": anticancer treatment received before
        category = "systemic" if "systemic" in reading.words(unit.head.start, unit.head.end) \
            else "anticancer"
        return PriorTherapy(category=category, status="prior", span=span_of(unit),
                            rule="therapy.prior")
    run = _count_run(counted, reading)
    for quantity in run:
        reading.use(*quantity_span(quantity))
    reading.use(run[0].end, run[-1].start)  # "at least 1, but no more than 3"
    quantity = run[-1]
    if len(run) > 1 and all(q.bounds for q in run):
        bounds = tuple(b for q in run for b in q.bounds)
    elif len(run) > 1:  # "1 or 2 prior regimens"
        values = [q.value for q in run]
        bounds = (Bound(">=", min(values)), Bound("<=", max(values)))
    else:
        bounds = quantity.bounds or (
            Bound(">=" if unit.values("history") else "=", quantity.value),)
    nodes = [
        PriorTherapy(
            comparator=b.comparator,
            value=b.value,
            status="prior",
            span=span_of(unit),
            rule="therapy.lines",
        )
        for b in bounds
    ]
    return all_of(nodes, span=span_of(unit), rule="therapy.lines")


_COUNT_JOINT = re.compile(r"^\s{0,2}(?:,\s?)?(?:but|and|or|to|-)?\s{0,2}$")


def _count_run(counted: list[Quantity], reading: Reading) -> list[Quantity]:
    """The counts written together before a head: "at least 1, but no more than 3", "1 or
    2"; the last alone otherwise."""
    run = [counted[-1]]
    for quantity in reversed(counted[:-1]):
        first = run[0].start if run[0].comparator_start is None else run[0].comparator_start
        if not _COUNT_JOINT.match(reading.words(quantity.end, first)):
            break
        run.insert(0, quantity)
    return run


def measurable(unit: Unit, reading: Reading) -> Expression:
    criteria = reading_criteria(reading, unit)
    for quantity in unit.pre_quantities:
        if quantity.value <= 1:
            reading.use(*quantity_span(quantity))
    level = "evaluable" if unit.head.kind == "evaluable" else "measurable"
    return MeasurableDisease(
        criteria=criteria, level=level, span=span_of(unit), rule="measurable_disease"
    )


def reading_criteria(reading: Reading, unit: Unit) -> str | None:
    for item in reading.items:
        if item.kind == "response_criteria" and item.start >= unit.start - 200:
            reading.use(item.start, item.end)
            return item.value
    return None


_BARE_AGE = re.compile(r"^\s*(?:aged?\s)?[^a-z]*?(?:years?(?:\sof\sage|\sold)?)?[\s.]*$")


def bare_age(reading: Reading) -> Expression | None:
    """"18 and over", "Under 75", "18 to 70": a criterion that is one age-like number of years
    and nothing else (the old NCI layout writes age this way under its "Age:" heading)."""
    found = [q for q in reading.quantities if q.bounds]
    if len(found) != 1 or found[0].time_unit not in (None, "years") or found[0].unit_text:
        return None
    quantity = found[0]
    rest = reading.text.folded[:quantity.start if quantity.comparator_start is None
                               else quantity.comparator_start] + " " + \
        reading.text.folded[quantity.end:]
    if not _BARE_AGE.match(rest) or not all(10 <= b.value <= 100 for b in quantity.bounds):
        return None
    nodes = [Age(comparator=b.comparator, value=b.value, span=quantity_span(quantity),
                 rule="age.bare") for b in quantity.bounds]
    return all_of(nodes, span=quantity_span(quantity), rule="age.bare")
