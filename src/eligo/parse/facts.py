"""Leaves without thresholds: conditions, treatments, procedures, reproduction, vaccination,
trial participation, sex.

Context triggers in front of a head set its status ("history of" → history, "active" →
active, "prior" → prior, "concurrent" → current) and qualifiers ("uncontrolled",
"symptomatic", "suspected"); disease features set stage, grade and differentiation. Negation is
not read here: it is logic over the unit, applied by :mod:`eligo.parse.clauses`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from eligo.model.expression import (
    Breastfeeding,
    ChildbearingPotential,
    Condition,
    Duration,
    Expression,
    Not,
    Pregnancy,
    PriorTherapy,
    Procedure,
    Sex,
    TrialParticipation,
    Vaccination,
    Window,
)
from eligo.parse.leaves import any_of, span_of
from eligo.parse.lexicon import data
from eligo.parse.reading import Reading, Unit
from eligo.vocab import vocabulary

_STATUS_WORDS = {"history": "history", "current": "active"}


def _window(unit: Unit) -> object:
    return unit.windows[0].node if unit.windows else None


def _duration(unit: Unit, reading: Reading) -> Duration | None:
    """"Treated for more than 4 weeks": how long the fact lasted."""
    if not unit.durations:
        return None
    found = unit.durations[0]
    node = found.node
    if not isinstance(node, Window) or found.comparator is None:
        return None
    reading.use(found.start, found.end)
    return Duration(comparator=found.comparator, amount=node.amount, unit=node.unit,
                    span=(found.start, found.end), rule="duration")


def _use_context(unit: Unit, reading: Reading, kinds: tuple[str, ...]) -> None:
    for item in (*unit.before, *unit.after):
        if item.kind in kinds:
            reading.use(item.start, item.end)


_CONDITION_CONTEXT = ("history", "current", "uncertain", "qualifier", "disease_feature",
                      "body_site", "outcome")


def condition(unit: Unit, reading: Reading) -> Expression:
    concept = unit.head.value
    neoplasm = _is_neoplasm(concept)
    status = "any"
    before = unit.kinds_before()
    if "history" in before:
        status = "history"
    elif "current" in before:
        status = "active"
    qualifiers = list(dict.fromkeys(
        [*unit.values("qualifier", "before"), *_own_after(unit, reading, "qualifier"),
         *unit.values("outcome", "before")]))
    if "uncertain" in before:
        qualifiers.append("suspected")
    stages, grade, differentiation = [], None, None
    for feature in [*unit.values("disease_feature", "before"), *_defined_after(unit, reading)]:
        kind, _, value = feature.partition(":")
        if kind == "stage":
            if neoplasm:
                stages.extend(value.split("|"))
            else:
                qualifiers.append(value)
        elif kind == "grade":
            grade = value
        elif kind == "differentiation":
            differentiation = value
    _use_context(unit, reading, _CONDITION_CONTEXT)
    grade = _grade(unit, reading) or grade
    sites = unit.values("body_site", "after") or [
        i.value for i in unit.before if i.kind == "body_site"]
    narrower = _site_concept(unit, reading, concept)
    if narrower is not None:  # "extrapulmonary NEC" is a concept of its own
        concept, sites = narrower, []
    common: dict[str, Any] = {
        "concept": concept,
        "status": status,
        "body_site": sites[0] if sites else None,
        "grade": grade,
        "differentiation": differentiation,
        "qualifiers": qualifiers or None,
        "window": _window(unit),
        "duration": _duration(unit, reading),
    }
    result = next((i for i in unit.after if i.kind == "result"
                   and i.start - unit.head.end <= 3), None)
    if result is not None:  # "HIV negative", "hepatitis B seropositive"
        reading.use(result.start, result.end)
    if not stages:
        node = Condition(**common, span=span_of(unit), rule="condition")
        if result is not None and result.value == "negative":
            return Not(node, span=span_of(unit), rule="condition.negative")
        return node
    nodes = [
        Condition(**common, stage=stage, span=span_of(unit), rule="condition.stage")
        for stage in dict.fromkeys(stages)
    ]
    return any_of(nodes, span=span_of(unit), rule="condition.stage")


def _defined_after(unit: Unit, reading: Reading) -> list[str]:
    """Features in a bracket right after the head that defines it: "G3 NEC (Ki-67 > 20 % with
    poorly differentiated histology)"."""
    folded = reading.text.folded
    opening = unit.head.end
    while opening < len(folded) and folded[opening] == " ":
        opening += 1
    if opening >= len(folded) or folded[opening] != "(":
        return []
    closing = folded.find(")", opening)
    from eligo.parse.brackets import is_aside

    if is_aside(folded[opening + 1:closing if closing > 0 else len(folded)]):
        return []  # "(i.e., completed therapy and … risk of relapse)": a note, not the head's
    found = []
    for item in reading.items:
        if item.kind == "disease_feature" and opening < item.start and (
                closing < 0 or item.end <= closing):
            reading.use(item.start, item.end)
            found.append(item.value)
    return found


def _site_concept(unit: Unit, reading: Reading, concept: str) -> str | None:
    """The narrower concept a body site before the head names with it ("extrapulmonary G3
    NEC": extrapulmonary neuroendocrine carcinoma)."""
    from eligo.parse.ellipsis import named_phrase

    raw = reading.text.raw
    for site in (i for i in unit.before if i.kind == "body_site"):
        found = named_phrase(f"{raw[site.start:site.end]} {raw[unit.head.start:unit.head.end]}",
                             "condition")
        if found is not None and found != concept and vocabulary().is_a(found, concept):
            return found
    return None


def _own_after(unit: Unit, reading: Reading, kind: str) -> list[str]:
    """Words of ``kind`` after the head that are its own ("metastases, untreated"), not a
    member of a list it heads ("small cell or not otherwise specified")."""
    own = []
    for item in unit.after:
        if item.kind != kind:
            continue
        gap = reading.words(unit.head.end, item.start)
        if not re.search(r"\b(?:or|and|nor)\b", gap):
            own.append(item.value)
    return own


def _grade(unit: Unit, reading: Reading) -> str | None:
    """"Grade 2 or higher neuropathy", "neuropathy of more than grade 1": a CTCAE grade."""
    for quantity in (*unit.pre_quantities, *unit.quantities):
        if not quantity.bounds or quantity.time_unit or quantity.unit_text:
            continue
        start = quantity.start if quantity.comparator_start is None else quantity.comparator_start
        near = reading.words(max(0, start - 8), quantity.end)
        if "grade" not in near:
            continue
        reading.use(max(0, start - 8), quantity.end)
        return " and ".join(f"{b.comparator}{b.value:g}" for b in quantity.bounds)
    return None


def _is_neoplasm(concept: str) -> bool:
    entry = vocabulary().conditions.get(concept)
    return entry is not None and entry.category in ("neoplasm", "metastasis")


def therapy(unit: Unit, reading: Reading) -> Expression:
    kind, value = unit.head.kind, unit.head.value
    before = unit.kinds_before()
    status = "any"
    if "history" in before:
        status = "prior"
    elif ("current" in before or unit.values("ongoing", "after")
          or "chronic" in unit.values("qualifier", "before")
          or "chronic" in reading.words(unit.head.start, unit.head.end)) and not unit.windows:
        status = "current"  # "chronic steroid therapy": taken now, for long
    elif unit.clause_before and not unit.windows:
        # "treated with at least 1 line …, including a platinum-based regimen"
        last = unit.clause_before[-1].kind
        status = "prior" if last == "history" else "current"
    outcomes = unit.values("outcome", "before")
    settings = unit.values("setting")
    if status == "any" and outcomes and not unit.windows:
        status = "prior"
    _use_context(unit, reading, ("history", "current", "ongoing", "outcome", "setting"))
    what = {"drug": "drug", "drug_class": "drug_class", "therapy": "category"}[kind]
    return PriorTherapy(
        outcome=outcomes[0] if outcomes else None,
        setting=settings[0] if settings else None,
        **{what: value},
        status=status,
        window=_window(unit),
        duration=_duration(unit, reading),
        span=span_of(unit),
        rule=f"therapy.{what}",
    )


def procedure(unit: Unit, reading: Reading) -> Expression:
    written = reading.words(unit.head.start, unit.head.end)
    within = [] if unit.head.value == "coronary_intervention" else _qualifiers_within(written)
    common = list(dict.fromkeys([*_before_not_other(unit, reading, "proc_qualifier"),
                                 *within]))
    if "current" in unit.kinds_before():
        common.append("current")
    targets = _targets(unit, reading)
    if len(targets) < 2:
        sites = unit.values("site") or [
            site for phrase, site in data("keywords")["implied_sites"].items()
            if phrase in written]
        if unit.head.extra.get("site"):
            sites = [unit.head.extra["site"]]
        qualifiers = [*common, *_site_qualifiers(unit, reading)]
        if "whole_brain" in qualifiers or ("stereotactic" in qualifiers and not sites):
            sites = sites or ["brain"]
        if sites:
            qualifiers += _share_of(unit, reading, sites[0])
        targets = [(sites[0] if sites else None, qualifiers)]
    else:
        targets = [(site, [*common, *own]) for site, own in targets]
    _use_context(unit, reading, ("proc_qualifier", "site", "current", "history"))
    nodes = [
        Procedure(
            procedure=unit.head.value,
            site=site,
            qualifiers=list(dict.fromkeys(qualifiers)) or None,
            window=_window(unit),
            duration=_duration(unit, reading),
            span=span_of(unit),
            rule="procedure",
        )
        for site, qualifiers in targets
    ]
    return any_of(nodes, span=span_of(unit), rule="procedure.sites")


def _before_not_other(unit: Unit, reading: Reading, kind: str) -> list[str]:
    """Words of ``kind`` before the head, less one listed with "or other" ("thoracic or other
    major surgery" is any major surgery)."""
    found = []
    for item in unit.before:
        if item.kind != kind:
            continue
        if re.search(r"\b(?:or|and)\sother\b", reading.words(item.end, unit.head.start)):
            reading.use(item.start, item.end)
            continue
        found.append(item.value)
    return found


def _share_of(unit: Unit, reading: Reading, site: str) -> list[str]:
    """"Radiotherapy to more than 30 % of the bone marrow": the share of the site treated."""
    found = []
    for quantity in unit.quantities:
        if quantity.bounds and quantity.unit_text and "%" in quantity.unit_text:
            bound = quantity.bounds[0]
            found.append(f"{bound.comparator}{bound.value:g}% of {site}")
            start = quantity.start if quantity.comparator_start is None else \
                quantity.comparator_start
            reading.use(start, quantity.end)
    return found


_OF_SITE = re.compile(r"^\s{0,2}(?:of\s(?:the\s)?|to\s(?:the\s)?)?$")


def _targets(unit: Unit, reading: Reading) -> list[tuple[str, list[str]]]:
    """"Radiotherapy to whole pelvis, 30 % or greater of bone marrow, and site of measurable
    disease": each site listed after the procedure, with what is said of it."""
    sites = [i for i in unit.after if i.kind == "site"]
    if len(sites) < 2:
        return []
    found = []
    for site in sites:
        own = []
        for item in reading.items:
            if item.kind == "proc_qualifier" and 0 <= site.start - item.end <= 1:
                reading.use(item.start, item.end)
                own.append(item.value)
        for quantity in unit.quantities:
            if quantity.bounds and quantity.unit_text and "%" in quantity.unit_text and \
                    quantity.end <= site.start and _OF_SITE.match(
                        reading.words(quantity.end, site.start)):
                bound = quantity.bounds[0]
                own.append(f"{bound.comparator}{bound.value:g}% of {site.value}")
                start = quantity.start if quantity.comparator_start is None else \
                    quantity.comparator_start
                reading.use(start, quantity.end)
        found.append((site.value, own))
    return found


def _site_qualifiers(unit: Unit, reading: Reading) -> list[str]:
    """"Radiotherapy to the whole abdomen": a qualifier written just before the site."""
    found = []
    for site in (i for i in unit.after if i.kind == "site"):
        for item in reading.items:
            if item.kind == "proc_qualifier" and 0 <= site.start - item.end <= 1:
                reading.use(item.start, item.end)
                found.append(item.value)
    return found


@cache
def _procedure_qualifiers() -> dict[str, str]:
    return {
        phrase: name
        for name, phrases in data("keywords")["procedure_qualifiers"].items()
        for phrase in phrases
    }


def _qualifiers_within(written: str) -> list[str]:
    """Qualifiers named inside a procedure's own words: "platelet transfusions", "WBRT"."""
    found = []
    for phrase, name in _procedure_qualifiers().items():
        if re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", written):
            found.append(name)
    return found


def reproduction(unit: Unit, reading: Reading) -> Expression | None:
    kind = unit.head.kind
    if kind == "breastfeeding":
        return Breastfeeding(span=span_of(unit), rule="breastfeeding")
    if kind == "childbearing_potential":
        return ChildbearingPotential(span=span_of(unit), rule="childbearing_potential")
    if kind == "pregnancy":
        return Pregnancy(span=span_of(unit), rule="pregnancy")
    words = reading.words(unit.head.start, unit.head.end)
    results = unit.values("result")
    _use_context(unit, reading, ("result",))
    test = (
        "serum" if "serum" in words or "blood" in words else ("urine" if "urin" in words else "any")
    )
    if test == "any":
        near = reading.words(max(0, unit.head.start - 12), unit.head.start)
        test = "serum" if "serum" in near else "urine" if "urine" in near else "any"
    node = Pregnancy(test=test, span=span_of(unit), rule="pregnancy.test")
    if results and results[0] == "negative":
        return Not(node, span=span_of(unit), rule="pregnancy.test.negative")
    return node


def vaccination(unit: Unit, reading: Reading) -> Expression:
    live = (
        bool(unit.head.extra.get("live"))
        or "live" in unit.kinds_before()
        or "live" in reading.words(max(0, unit.head.start - 30), unit.head.start)
    )
    _use_context(unit, reading, ("live",))
    return Vaccination(live=live, window=_window(unit), span=span_of(unit), rule="vaccination")


def trial(unit: Unit, reading: Reading) -> Expression:
    _use_context(unit, reading, ("participation", "current", "history"))
    return TrialParticipation(window=_window(unit), span=span_of(unit), rule="trial")


def sex(unit: Unit, reading: Reading) -> Expression:
    return Sex(value=unit.head.value, span=span_of(unit), rule="sex")
