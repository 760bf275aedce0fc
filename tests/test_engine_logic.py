"""The evaluator's logic: Kleene tables, team and unparsed leaves, allowed, cohort, the result
tree, and criterion-level verdicts (team, not applicable). Hand-built expressions and
patients; no parser."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from eligo.engine import Evaluator
from eligo.engine.criteria import judge
from eligo.engine.verdicts import kleene_all, kleene_any, kleene_not, recombine
from eligo.model import Cohort, Criterion
from eligo.model.expression import (
    Age,
    All,
    Allowed,
    Any,
    ChildbearingPotential,
    Condition,
    Not,
    Pregnancy,
    Sex,
    Team,
    Unparsed,
)
from eligo.model.expression import Cohort as CohortNode
from eligo.model.patient import Condition as PatientCondition
from eligo.model.patient import Patient

AS_OF = dt.date(2026, 10, 1)
V = ("met", "not_met", "unknown")


def test_kleene_tables():
    # the full truth tables of Kleene's strong logic, as SQL evaluates AND/OR/NOT with NULL
    sql_and = {
        ("met", "met"): "met",
        ("met", "not_met"): "not_met",
        ("met", "unknown"): "unknown",
        ("not_met", "not_met"): "not_met",
        ("not_met", "unknown"): "not_met",
        ("unknown", "unknown"): "unknown",
    }
    sql_or = {
        ("met", "met"): "met",
        ("met", "not_met"): "met",
        ("met", "unknown"): "met",
        ("not_met", "not_met"): "not_met",
        ("not_met", "unknown"): "unknown",
        ("unknown", "unknown"): "unknown",
    }
    for a, b in itertools.product(V, V):
        key = (a, b) if (a, b) in sql_and else (b, a)
        assert kleene_all([a, b]) == sql_and[key]
        assert kleene_any([a, b]) == sql_or[key]
    assert [kleene_not(v) for v in V] == ["not_met", "met", "unknown"]
    assert kleene_all([]) == "met" and kleene_any([]) == "not_met"
    # team counts as unknown for the parent
    assert kleene_all(["met", "team"]) == "unknown"
    assert kleene_any(["met", "team"]) == "met"


def _patient(**fields) -> Patient:
    base = {"birth_date": dt.date(1960, 5, 1), "sex": "male", "documented": {"conditions"}}
    return Patient(**{**base, **fields})


def _eval(node, patient=None, **options):
    return Evaluator(patient or _patient(), AS_OF, **options).evaluate(node)


MET_LEAF = Age(comparator=">=", value=18)  # 66 years old: met
NOT_MET_LEAF = Age(comparator=">=", value=80)
UNKNOWN_LEAF = Unparsed(text="something odd", reason="no rule")


@pytest.mark.parametrize(
    ("a", "b"), list(itertools.product((MET_LEAF, NOT_MET_LEAF, UNKNOWN_LEAF), repeat=2))
)
def test_logic_nodes_follow_kleene(a, b):
    va, vb = _eval(a).verdict, _eval(b).verdict
    both = _eval(All(a.copy(), b.copy()))
    either = _eval(Any(a.copy(), b.copy()))
    assert both.verdict == kleene_all([va, vb])
    assert either.verdict == kleene_any([va, vb])
    assert _eval(Not(a.copy())).verdict == kleene_not(va)
    # the result tree is parallel to the expression
    assert [c.verdict for c in both.children] == [va, vb]
    assert both.kind == "all" and either.kind == "any"


def test_team_leaf_keeps_its_label_and_counts_as_unknown():
    result = _eval(All(MET_LEAF.copy(), Team(category="consent", text="signs consent")))
    assert result.verdict == "unknown"
    assert result.children[1].verdict == "team"
    assert "study team" in result.children[1].reason


def test_unparsed_is_unknown_with_the_text():
    result = _eval(Unparsed(text="Patients must be nice", reason="no rule"))
    assert result.verdict == "unknown"
    assert result.reason == "not understood by eligo: Patients must be nice"


def test_recombine_forces_leaves():
    result = _eval(All(MET_LEAF.copy(), Team(category="consent", text="x")))
    assert recombine(result, lambda leaf: "met" if leaf.kind == "team" else None) == "met"
    assert recombine(result, lambda leaf: "not_met" if leaf.kind == "team" else None) == "not_met"


def _criterion(kind, expression, cohort=None):
    return Criterion(id="c", kind=kind, text="text", expression=expression, cohort=cohort)


def _judge(kind, expression, patient=None, cohort=None, criterion_cohort=None):
    evaluator = Evaluator(patient or _patient(), AS_OF)
    return judge(_criterion(kind, expression, criterion_cohort), evaluator, cohort)


def test_criterion_only_the_team_can_settle_is_team():
    consent = Team(category="consent", text="signs consent")
    assert _judge("inclusion", consent).verdict == "team"
    # the record settles the rest: the study team decides
    mixed = _judge("inclusion", All(MET_LEAF.copy(), consent.copy()))
    assert mixed.verdict == "team"
    assert "age 66" in mixed.reason
    # but a failed fact fails whatever the team says
    assert _judge("inclusion", All(NOT_MET_LEAF.copy(), consent.copy())).verdict == "not_met"
    # and an unknown fact stays unknown
    assert _judge("inclusion", All(UNKNOWN_LEAF.copy(), consent.copy())).verdict == "unknown"


def test_childbearing_criterion_does_not_concern_a_man():
    # "Females of childbearing potential must have a negative pregnancy test"
    expression = Any(Not(ChildbearingPotential()), Not(Pregnancy(test="serum")))
    man = _judge("inclusion", expression)
    assert man.verdict == "not_applicable"
    young = _patient(sex="female", birth_date=dt.date(1990, 1, 1))
    assert _judge("inclusion", expression.copy(), young).verdict == "unknown"
    # a woman of 66 is taken as postmenopausal (eligo's documented rule: 60 or older)
    older = _judge("inclusion", expression.copy(), _patient(sex="female"))
    assert older.verdict == "not_applicable" and "postmenopausal" in older.reason
    postmenopausal = _patient(
        sex="female",
        birth_date=dt.date(1980, 1, 1),
        conditions=[PatientCondition(concept_id="postmenopausal")],
    )
    assert _judge("inclusion", expression.copy(), postmenopausal).verdict == "not_applicable"


def test_sex_guard_applies_only_in_the_patients_favour():
    # "Female patients who are pregnant" (exclusion): not for a man
    pregnant_women = All(Sex(value="female"), Pregnancy())
    assert _judge("exclusion", pregnant_women).verdict == "not_applicable"
    # a women-only trial's inclusion stays not met for a man
    assert _judge("inclusion", Sex(value="female")).verdict == "not_met"
    # and a woman meeting "female" is met, not "does not concern"
    assert _judge("inclusion", Sex(value="female"), _patient(sex="female")).verdict == "met"


def test_cohort_specific_criteria():
    cohort1 = Cohort(id="cohort-1", label="Cohort 1", description="SCLC")
    cohort2 = Cohort(id="cohort-2", label="Cohort 2", description="other NEC")
    dll3 = Condition(concept="hiv")  # any fact: absent from the documented problem list
    written_for_2 = Any(Not(CohortNode(name="2")), dll3)
    assert _judge("inclusion", written_for_2, cohort=cohort1).verdict == "not_applicable"
    assert _judge("inclusion", written_for_2.copy(), cohort=cohort2).verdict == "not_met"
    tagged = _judge("inclusion", dll3.copy(), cohort=cohort1, criterion_cohort="cohort-2")
    assert tagged.verdict == "not_applicable"
    assert "another cohort" in tagged.reason


def test_allowed_never_decides():
    allowed = Allowed(text="prior radiotherapy allowed")
    assert _judge("inclusion", allowed).verdict == "met"
    assert _judge("exclusion", allowed.copy()).verdict == "not_met"
    # inside logic it is neutral: the other child decides
    assert _judge("exclusion", All(NOT_MET_LEAF.copy(), allowed.copy())).verdict == "not_met"
    assert _judge("exclusion", Any(MET_LEAF.copy(), allowed.copy())).verdict == "met"


def test_parent_without_expression_takes_its_children():
    children = [
        Criterion(id="c.1", kind="exclusion", text="a", expression=NOT_MET_LEAF.copy()),
        Criterion(id="c.2", kind="exclusion", text="b", expression=MET_LEAF.copy()),
    ]
    parent = Criterion(id="c", kind="exclusion", text="defined as:", children=children)
    found = judge(parent, Evaluator(_patient(), AS_OF), None)
    assert found.verdict == "met"  # any child of an exclusion excludes
    assert [c.verdict for c in found.children] == ["not_met", "met"]
    inclusion = parent.model_copy(
        update={
            "kind": "inclusion",
            "children": [c.model_copy(update={"kind": "inclusion"}) for c in children],
        }
    )
    assert judge(inclusion, Evaluator(_patient(), AS_OF), None).verdict == "not_met"
