"""Sub-criteria: how a parent and its children combine, and what children inherit."""

from __future__ import annotations

from eligo.model import Criterion
from eligo.model.expression import (
    Age,
    All,
    Allowed,
    Any,
    Condition,
    Measurement,
    Not,
    PerformanceStatus,
    Window,
)
from eligo.parse import parse_criteria


def crit(ident: str, text: str, kind: str = "inclusion", children: list[Criterion] | None = None,
         section: str | None = None) -> Criterion:
    return Criterion(id=ident, kind=kind, text=text, children=children or [], section=section)


def test_inclusion_children_all_hold_and_take_the_parent_window() -> None:
    parent = crit("inc-1", "Adequate organ function within 14 days prior to registration, "
                  "defined as:", children=[
                      crit("inc-1.1", "Platelets ≥ 100,000/mm3"),
                      crit("inc-1.2", "Bilirubin ≤ 1.5 x ULN")])
    [parsed] = parse_criteria([parent])
    window = Window(amount=14, unit="days", reference="enrolment")
    assert parsed.expression == All(
        Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L",
                    window=window),
        Measurement(measurement="total_bilirubin", comparator="<=", uln=1.5,
                    window=window.copy()))
    assert parsed.children[0].expression is not None


def test_exclusion_children_are_the_ways_of_being_excluded() -> None:
    parent = crit("exc-1", "Cardiac disease, defined as:", kind="exclusion", children=[
        crit("exc-1.1", "Myocardial infarction within 6 months", kind="exclusion"),
        crit("exc-1.2", "Congestive heart failure", kind="exclusion")])
    [parsed] = parse_criteria([parent])
    assert isinstance(parsed.expression, Any)
    assert len(parsed.expression.items) == 2


def test_one_of_the_following_and_or_between_children() -> None:
    parent = crit("inc-2", "Must meet at least 1 of the following:", children=[
        crit("inc-2.1", "Bone metastases"), crit("inc-2.2", "Liver metastases")])
    [parsed] = parse_criteria([parent])
    assert parsed.expression == Any(Condition(concept="bone_metastases"),
                                    Condition(concept="liver_metastases"))


def test_eligible_if_children_make_an_exception() -> None:
    parent = crit("exc-3", "Active hepatitis B infection.", kind="exclusion", children=[
        crit("exc-3.1", "Patients with resolved hepatitis B are eligible if:", kind="exclusion",
             children=[crit("exc-3.1.1", "HBsAg negative; OR", kind="exclusion"),
                       crit("exc-3.1.2", "HBV DNA undetectable", kind="exclusion")])])
    [parsed] = parse_criteria([parent])
    permitted = parsed.children[0].expression
    assert isinstance(permitted, Allowed)
    assert parsed.expression == All(Condition(concept="hepatitis_b", status="active"),
                                    Not(permitted.this))


def test_including_adds_the_children_as_alternatives() -> None:
    parent = crit("exc-4", "Uncontrolled cardiovascular disease, including", kind="exclusion",
                  children=[crit("exc-4.1", "Myocardial infarction within 6 months",
                                 kind="exclusion")])
    [parsed] = parse_criteria([parent])
    assert isinstance(parsed.expression, Any)
    assert parsed.expression.items[0] == Condition(
        concept="cardiovascular_disease", qualifiers=["uncontrolled"])


def test_a_heading_names_the_subject_of_a_bare_line() -> None:
    parsed = parse_criteria([
        crit("inc-5", "18 and over", section="PATIENT CHARACTERISTICS / Age"),
        crit("inc-6", "0-2", section="PATIENT CHARACTERISTICS / Performance status"),
    ])
    assert parsed[0].expression == Age(comparator=">=", value=18)
    assert parsed[1].expression == PerformanceStatus(scale="ecog", comparator="<=", value=2)
    for criterion in parsed:
        for node in criterion.expression.walk():
            if node.span is not None:
                assert 0 <= node.span[0] <= node.span[1] <= len(criterion.text)
