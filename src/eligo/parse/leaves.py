"""Leaves with numbers: measurements (and derived values), biomarkers, performance status, age,
life expectancy, lines of therapy, measurable disease.

Measurement values are normalised to the measurement's canonical UCUM unit
(:func:`eligo.vocab.units.normalise`), so "≥100 000/mm3" and "≥100 × 10^9/L" give the same node.
A number written without a unit is read in the one usual unit that puts it in a plausible range
for the analyte, and the node says so in its ``warning``; a threshold below the upper limit of
normal written with a lost digit ("<.5 x ULN") is read as the likely value and flagged too.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any as AnyType

from eligo.model.expression import (
    All,
    Any,
    Biomarker,
    Derived,
    Expression,
    Measurement,
)
from eligo.parse.lexicon import data
from eligo.parse.quantities import Bound, Quantity
from eligo.parse.reading import Reading, Unit
from eligo.vocab import UnitError, normalise, vocabulary

#: Derivation methods that name a measurement of their own.
_METHOD_MEASUREMENT = {"fridericia": "qtcf", "bazett": "qtc"}


def any_of(nodes: Sequence[Expression], **meta: AnyType) -> Expression:
    unique: list[Expression] = []
    for node in nodes:
        if node not in unique:
            unique.append(node)
    return unique[0] if len(unique) == 1 else Any(*unique, **meta)  # type: ignore[arg-type]


def all_of(nodes: Sequence[Expression], **meta: AnyType) -> Expression:
    unique: list[Expression] = []
    for node in nodes:
        if node not in unique:
            unique.append(node)
    return unique[0] if len(unique) == 1 else All(*unique, **meta)  # type: ignore[arg-type]


def quantity_span(quantity: Quantity) -> tuple[int, int]:
    start = quantity.start if quantity.comparator_start is None else quantity.comparator_start
    return (start, quantity.end)


def span_of(unit: Unit) -> tuple[int, int]:
    return (unit.start, unit.end)


def thresholds(unit: Unit) -> list[Quantity]:
    return [q for q in unit.quantities if q.bounds and q.time_unit is None]


# -- measurements --------------------------------------------------------------------------


def measurement(unit: Unit, reading: Reading) -> Expression | None:
    concept = unit.head.value
    methods = unit.values("derivation")
    result = unit.values("result", "after") or [  # "seropositive for HBsAg"
        i.value for i in unit.before if i.kind == "result" and unit.head.start - i.end <= 12]
    # "normal transaminases", "abnormal transaminases AST/ALT < 3 ULN"
    normal = [q for q in unit.pre_quantities
              if q.scale == "normal" and 0 <= unit.head.start - q.end <= 2]
    found = thresholds(unit)
    for item in unit.before:
        if item.kind == "result" and item.value in result:
            reading.use(item.start, item.end)
    if not found and not normal:
        if result:
            return Measurement(
                measurement=concept, result=result[0], span=span_of(unit), rule="measurement.result"
            )
        return None
    alternatives = [_threshold_node(concept, q, reading, unit) for q in found]
    required = [_threshold_node(concept, q, reading, unit) for q in normal]
    if any(node is None for node in alternatives + required):
        return None
    nodes = [node for node in alternatives if node is not None]
    node = all_of([*(n for n in required if n is not None),
                   *([any_of(nodes, span=span_of(unit), rule="measurement.alternatives")]
                     if nodes else [])], span=span_of(unit), rule="measurement")
    return _derived(node, concept, methods, unit) if methods else node


def _threshold_node(
    concept: str, quantity: Quantity, reading: Reading, unit: Unit
) -> Expression | None:
    parts = [_bound_node(concept, quantity, bound, reading, unit) for bound in quantity.bounds]
    if any(part is None for part in parts):
        return None
    reading.use(*quantity_span(quantity))
    return all_of(
        [p for p in parts if p is not None],
        span=(quantity.start, quantity.end),
        rule="measurement.range",
    )


def _bound_node(
    concept: str, quantity: Quantity, bound: Bound, reading: Reading, unit: Unit
) -> Expression | None:
    span = quantity_span(quantity)
    if quantity.scale in ("uln", "lln", "normal"):
        return _limit_node(concept, quantity, bound, span)
    context = unit.values("mcontext")
    value, ucum, warning = _normalised(concept, bound.value, quantity)
    if value is None:
        return None
    return Measurement(
        measurement=concept,
        comparator=bound.comparator,
        value=value,
        unit=ucum,
        context=context[0] if context else None,
        span=span,
        rule="measurement.threshold",
        warning=warning,
    )


def _limit_node(
    concept: str, quantity: Quantity, bound: Bound, span: tuple[int, int]
) -> Expression:
    scale = "lln" if quantity.scale == "lln" else "uln"
    value, warning = bound.value, None
    if scale == "uln" and bound.comparator in ("<", "<=") and value < 1:
        if quantity.leading_dot:
            value = 1 + value
            warning = (
                f"written '{quantity.number_text} x ULN': read as {value:g} × ULN "
                "(a digit seems lost; a limit below the ULN would exclude most people)"
            )
        else:
            warning = f"a limit of {value:g} × ULN is unusually strict: check the source"
    rule = "measurement.normal" if quantity.scale == "normal" else f"measurement.{scale}"
    return Measurement(
        measurement=concept,
        comparator=bound.comparator,
        **{scale: value},
        span=span,
        rule=rule,
        warning=warning,
    )


def _normalised(
    concept: str, value: float, quantity: Quantity
) -> tuple[float | None, str | None, str | None]:
    target = vocabulary().measurements[concept].unit
    if quantity.unit_text is not None:
        try:
            converted, ucum = normalise(value, quantity.unit_text, concept)
        except UnitError:
            return None, None, None
        return converted, ucum, None
    if target is None:
        return None, None, None
    if target in ("1", "%"):
        return value, target, None
    return _implied_unit(concept, value)


def _implied_unit(concept: str, value: float) -> tuple[float | None, str | None, str | None]:
    """A number without a unit, read in the usual unit that makes it plausible."""
    entry = vocabulary().measurements[concept]
    low = entry.reference_range.low if entry.reference_range else None
    high = entry.reference_range.high if entry.reference_range else None
    if not low and not high:
        return None, None, None
    floor, ceiling = (low or high or 0) * 0.1, (high or low or 0) * 10
    for written in data("keywords")["implied_units"]:
        try:
            converted, ucum = normalise(value, written, concept)
        except UnitError:
            continue
        if floor <= converted <= ceiling:
            return converted, ucum, f"no unit written: read as {value:g} {written}"
    return None, None, None


def _derived(node: Expression, concept: str, methods: list[str], unit: Unit) -> Expression:
    """ "≥30 mL/min by Cockcroft-Gault or measured": the same threshold, each way named."""
    computed = [m for m in methods if m != "measured"]
    if not computed:
        return node
    variants: list[Expression] = []
    for method in dict.fromkeys(computed):
        target = _METHOD_MEASUREMENT.get(method, concept)
        variants.append(node.transform(partial(_as_derived, target=target, method=method)))
    if "measured" in methods:
        variants.append(node)
    return any_of(variants, span=span_of(unit), rule="measurement.method")


def _as_derived(node: Expression, target: str, method: str) -> Expression:
    if type(node) is not Measurement:
        return node
    args = {k: v for k, v in node.args.items() if k != "measurement"}
    return Derived(
        measurement=target,
        method=method,
        span=node.span,
        rule="measurement.method",
        warning=node.warning,
        **args,
    )


# -- scores and prognosis ------------------------------------------------------------------


def biomarker(unit: Unit, reading: Reading, name: str | None = None) -> Expression | None:
    extra = unit.head.extra
    if "any_level" in unit.kinds_before() and not thresholds(unit):
        # "SCLC with any level of DLL3 expression": the marker restricts nothing
        for item in unit.before:
            if item.kind == "any_level":
                reading.use(item.start, item.end)
        reading.use(unit.head.start, unit.head.end)
        return None
    name = extra.get("name") or unit.head.value or name
    if not name:
        return None
    methods = unit.values("method")
    method: str | None = methods[0] if methods else extra.get("method")
    alterations = unit.values("alteration")
    alteration: str | None = alterations[0] if alterations else None
    results = unit.values("result")
    result: str | None = results[0] if results else None
    nodes: list[Expression] = []
    for quantity in thresholds(unit):
        reading.use(*quantity_span(quantity))
        scale = extra.get("scale")
        if quantity.unit_text and quantity.unit_text.strip() in ("%", "percent"):
            scale = "percent"
        if "hpf" in reading.words(quantity.end, quantity.end + 30) or "high-power" in reading.words(
            quantity.end, quantity.end + 30
        ):
            scale = "per_10_hpf"
        for bound in quantity.bounds:
            nodes.append(
                Biomarker(
                    name=name,
                    comparator=bound.comparator,
                    value=bound.value,
                    scale=scale,
                    alteration=alteration,
                    method=method,
                    span=span_of(unit),
                    rule="biomarker.threshold",
                )
            )
    if not nodes:
        alteration = alteration or _alteration_within(reading.words(unit.head.start, unit.head.end))
        if (
            result is None
            and alteration is None
            and not reading.words(unit.head.start, unit.head.end).endswith(
                ("positive", "expression")
            )
        ):
            return None
        nodes.append(
            Biomarker(
                name=name,
                result=result or "positive",
                alteration=alteration,
                method=method,
                span=span_of(unit),
                rule="biomarker.result",
            )
        )
    return any_of(nodes, span=span_of(unit), rule="biomarker")


def _alteration_within(written: str) -> str | None:
    for name, phrases in data("keywords")["alterations"].items():
        if any(phrase in written for phrase in phrases):
            return name
    return None

def shares_concept(one: Expression, other: Expression) -> bool:
    """True when two trees name a common concept (or one below the other)."""
    vocab = vocabulary()
    mine, theirs = _concepts(one), _concepts(other)
    return any(a == b or vocab.is_a(a, b) or vocab.is_a(b, a) for a in mine for b in theirs)


def _concepts(node: Expression) -> set[str]:
    found: set[str] = set()
    for leaf in node.walk():
        for slot in (
            "concept",
            "measurement",
            "drug",
            "drug_class",
            "category",
            "procedure",
            "name",
        ):
            value = leaf.args.get(slot)
            if isinstance(value, str):
                found.add(value)
    return found
