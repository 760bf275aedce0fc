"""Leaves with numbers: measurements (and derived values), biomarkers, performance status, age,
life expectancy, lines of therapy, measurable disease.

Measurement values are normalised to the measurement's canonical UCUM unit
(:func:`eligo.vocab.units.normalise`), so "≥100 000/mm3" and "≥100 × 10^9/L" give the same node.
A number written without a unit is read in the one usual unit that puts it in a plausible range
for the analyte, and the node says so in its ``warning``; a threshold below the upper limit of
normal written with a lost digit ("<.5 x ULN") is read as the likely value and flagged too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import partial
from typing import Any as AnyType

from eligo.model.expression import (
    All,
    Any,
    Biomarker,
    Condition,
    Derived,
    Expression,
    Measurement,
    Team,
)
from eligo.model.expression.render import unit_label
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
              if q.scale in ("normal", "abnormal") and 0 <= unit.head.start - q.end <= 2]
    found = thresholds(unit) or _listed_grades(concept, unit, reading)
    meant = _normal_defined(unit, reading) if normal and not found else None
    if meant is not None:
        # "normal ejection fraction (i.e., greater than the lower limit of normal)"
        for quantity in normal:
            reading.use(quantity.start, quantity.end)
        normal, found = [], [meant]
    for item in unit.before:
        if item.kind == "result" and item.value in result:
            reading.use(item.start, item.end)
    if not found and not normal:
        if result:
            return Measurement(
                measurement=concept, result=result[0], span=span_of(unit), rule="measurement.result"
            )
        return _adequate(unit, reading)
    written = next((q.unit_text for q in found if q.unit_text), None)
    alternatives = [_threshold_node(concept, q, reading, unit, written) for q in found]
    required = [_threshold_node(concept, q, reading, unit) for q in normal]
    if any(node is None for node in alternatives + required):
        return None
    nodes = [node for node in alternatives if node is not None]
    if _range(found):  # "> 18 and < 30 kg/m2": both limits hold
        required, nodes = [*required, *nodes], []
        first, second = sorted(found, key=lambda q: q.start)
        joint = second.start if second.comparator_start is None else second.comparator_start
        if re.fullmatch(r"\s*(?:,\s*)?(?:and|but|to)?\s*", reading.words(first.end, joint)):
            reading.use(first.end, joint)
    node = all_of([*(n for n in required if n is not None),
                   *([any_of(nodes, span=span_of(unit), rule="measurement.alternatives")]
                     if nodes else [])], span=span_of(unit), rule="measurement")
    node = _derived(node, concept, methods, unit) if methods else node
    implied = data("keywords")["implied_conditions"].get(concept)
    if implied is not None and found:
        # "NYHA > class II": heart failure of that class; a patient without heart failure
        # does not meet it
        node = all_of([Condition(concept=implied, span=span_of(unit), rule="measurement.implies"),
                       node], span=span_of(unit), rule="measurement.implies")
    return node


_THAT_IS = re.compile(r"\s{0,2}[(\[]\s?(?:i\.?\s?e\.?|ie|that\sis|defined\sas)[,:]?\s")


def _normal_defined(unit: Unit, reading: Reading) -> Quantity | None:
    """The limit an "i.e." bracket right after the head gives for "normal"."""
    lead = _THAT_IS.search(reading.text.folded, unit.head.end, unit.head.end + 60)
    if lead is None or re.search(r"[;.]", reading.words(unit.head.end, lead.start())):
        return None
    closing = reading.text.folded.find(")", lead.end())
    inside = [q for q in reading.quantities if lead.end() <= q.start and (
        closing < 0 or q.start < closing) and q.bounds and q.scale != "normal"]
    if len(inside) != 1:
        return None
    reading.use(lead.start(), lead.end())
    return inside[0]


_PREDICTED = re.compile(r"\s{0,2}(?:of\s)?(?:the\s)?(?:predicted|pred\.?)(?:\s(?:value|normal|"
                        r"normal\svalue))?(?!\w)")
_PER_FIELDS = re.compile(r"\s?(?:per|/|in)\s?(?:10|ten)\s?(?:high[-\s]power(?:ed)?\s)?"
                         r"(?:fields?|hpfs?)(?:\s\(hpf\))?")
_LIST_JOINT = re.compile(r"^\s{0,2}(?:,\s?|or|and|and/or|/|-|to|through)?\s{0,2}(?:or\s)?$")
_CLASS_LETTERS = re.compile(r"\b(?:class|grade|score)?\s?([abc])\b(?:\s?(?:,|or|and|/|-|to)\s?"
                            r"(?:class\s)?([abc])\b)?")


def _listed_grades(concept: str, unit: Unit, reading: Reading) -> list[Quantity]:
    """"ASA 1 or 2", "NYHA class III or IV", "Child-Pugh class A or B": grades of a score
    listed without a comparator are the range from the least to the worst listed."""
    entry = vocabulary().measurements[concept]
    if entry.kind != "score":
        return []
    classes = data("keywords")["score_classes"].get(concept)
    if classes is not None:
        return _lettered(classes, unit, reading)
    listed = [q for q in unit.quantities if not q.bounds and q.time_unit is None
              and q.unit_text is None and q.value <= 20]
    if not listed or listed[0].start - unit.head.end > 12:
        return []
    run = [listed[0]]
    for quantity in listed[1:]:
        if not _LIST_JOINT.match(reading.words(run[-1].end, quantity.start)):
            break
        run.append(quantity)
    values = [q.value for q in run]
    bounds = (Bound(">=", min(values)), Bound("<=", max(values)))
    unit.end = max(unit.end, run[-1].end)  # what follows the list is joined to the score
    return [Quantity(run[0].start, run[-1].end, min(values), bounds=bounds)]


def _lettered(classes: dict[str, list[float]], unit: Unit, reading: Reading) -> list[Quantity]:
    """Child-Pugh class A (5-6 points), B (7-9), C (10-15): letters as their point ranges."""
    start = unit.head.end
    match = _CLASS_LETTERS.match(reading.words(start, min(len(reading.text.folded), start + 30))
                                 .lstrip(" :"))
    if match is None:
        return []
    offset = start + len(reading.words(start, start + 30)) - len(
        reading.words(start, start + 30).lstrip(" :"))
    letters = [g for g in match.groups() if g]
    points = [p for letter in letters for p in classes[letter]]
    bounds = (Bound(">=", min(points)), Bound("<=", max(points)))
    unit.end = max(unit.end, offset + match.end())
    return [Quantity(offset + match.start(), offset + match.end(), min(points), bounds=bounds)]


_ADEQUATE = re.compile(r"(?:adequate|sufficient|acceptable|satisfactory|good|preserved)\s"
                       r"(?:[a-z]+\s)?$")


def _adequate(unit: Unit, reading: Reading) -> Expression | None:
    """"Adequate renal function" with no limit written: the protocol's limits decide, the
    study team confirms them."""
    lead = _ADEQUATE.search(reading.words(max(0, unit.head.start - 25), unit.head.start))
    if lead is None:
        return None
    start = unit.head.start - (len(lead.group()))
    reading.use(start, unit.head.end)
    text = reading.text.raw[start:unit.head.end]
    return Team(category="investigator_opinion", text=text, span=(start, unit.head.end),
                rule="team.adequate")


def _range(found: list[Quantity]) -> bool:
    """Two single limits in opposite directions that leave values between them: a range
    (limits that leave none, "< 20 or > 35", are alternatives; same-direction ones restate
    one limit in two units)."""
    if len(found) != 2 or any(len(q.bounds) != 1 or q.scale != found[0].scale for q in found):
        return False
    bounds = [q.bounds[0] for q in found]
    lows = [b.value for b in bounds if b.comparator in (">", ">=")]
    highs = [b.value for b in bounds if b.comparator in ("<", "<=")]
    return len(lows) == 1 and len(highs) == 1 and lows[0] < highs[0] and \
        found[0].unit_text in (None, found[1].unit_text) or False


def _threshold_node(
    concept: str, quantity: Quantity, reading: Reading, unit: Unit, shared: str | None = None
) -> Expression | None:
    parts = [_bound_node(concept, quantity, bound, reading, unit, shared)
             for bound in quantity.bounds]
    if any(part is None for part in parts):
        return None
    reading.use(*quantity_span(quantity))
    junction = any_of if quantity.scale == "abnormal" else all_of
    return junction(
        [p for p in parts if p is not None],
        span=(quantity.start, quantity.end),
        rule="measurement.range",
    )


def _bound_node(
    concept: str, quantity: Quantity, bound: Bound, reading: Reading, unit: Unit,
    shared: str | None = None,
) -> Expression | None:
    span = quantity_span(quantity)
    if quantity.scale in ("uln", "lln", "normal", "abnormal"):
        return _limit_node(concept, quantity, bound, span)
    context = unit.values("mcontext")
    predicted = _PREDICTED.match(reading.text.folded, quantity.end)
    if predicted is not None and (quantity.unit_text or "").strip() in ("%", "percent"):
        # "FEV1 at least 50 % predicted": a share of the predicted normal, not litres
        reading.use(quantity.end, predicted.end())
        return Measurement(measurement=concept, comparator=bound.comparator, value=bound.value,
                           unit="%", context="of predicted", span=span,
                           rule="measurement.predicted")
    value, ucum, warning = _normalised(concept, bound.value, quantity, shared)
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
    if quantity.scale in ("normal", "abnormal"):  # the reference range: low side is the LLN
        scale = "lln" if bound.comparator in (">=", "<") else "uln"
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
    rule = f"measurement.{quantity.scale}" if quantity.scale in ("normal", "abnormal") \
        else f"measurement.{scale}"
    return Measurement(
        measurement=concept,
        comparator=bound.comparator,
        **{scale: value},
        span=span,
        rule=rule,
        warning=warning,
    )


def _normalised(
    concept: str, value: float, quantity: Quantity, shared: str | None = None
) -> tuple[float | None, str | None, str | None]:
    """The value in the measurement's canonical unit; a number without a unit takes the one
    written with the other limit ("> 18 and < 30 kg/m2"), else the implied one."""
    target = vocabulary().measurements[concept].unit
    written = quantity.unit_text or (shared if quantity.scale == "value" else None)
    if written is not None:
        try:
            converted, ucum = normalise(value, written, concept)
        except UnitError:
            return None, None, None
        return converted, ucum, None
    if target is None:
        return None, None, None
    if target in ("1", "%"):
        return value, target, None
    return _implied_unit(concept, value)


def _implied_unit(concept: str, value: float) -> tuple[float | None, str | None, str | None]:
    """A number without a unit, read in the first usual unit that puts it near the analyte's
    reference range (albumin "30" is 30 g/L, not 30 g/dL; hemoglobin "9" is 9 g/dL); without a
    range, in the canonical unit. Either way the node says so in its warning."""
    entry = vocabulary().measurements[concept]
    low = entry.reference_range.low if entry.reference_range else None
    high = entry.reference_range.high if entry.reference_range else None
    if not low and not high:
        candidates, floor, ceiling = [entry.unit], -math.inf, math.inf
    else:
        candidates = [*data("keywords")["implied_units"], entry.unit]
        floor, ceiling = (low or high or 0) * 0.1, (high or low or 0) * 5
    for written in dict.fromkeys(c for c in candidates if c):
        try:
            converted, ucum = normalise(value, written, concept)
        except UnitError:
            continue
        if floor <= converted <= ceiling:
            return converted, ucum, f"no unit written: read as {value:g} {unit_label(written)}"
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
        fields = _PER_FIELDS.match(reading.words(quantity.end, quantity.end + 40))
        if fields is not None:
            scale = "per_10_hpf"
            reading.use(quantity.end, quantity.end + fields.end())
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
