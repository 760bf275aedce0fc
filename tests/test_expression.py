"""The expression language: node construction, checks, traversal, rewriting, JSON and schema."""

from __future__ import annotations

import json

import jsonschema
import pytest

from eligo.model import Criterion
from eligo.model.expression import (
    COMPARATORS,
    EXPRESSION_VERSION,
    KINDS,
    Age,
    All,
    Allowed,
    Any,
    Biomarker,
    Breastfeeding,
    ChildbearingPotential,
    Cohort,
    Condition,
    Derived,
    Duration,
    Expression,
    ExpressionError,
    Fact,
    LifeExpectancy,
    Longest,
    MeasurableDisease,
    Measurement,
    Not,
    PerformanceStatus,
    Pregnancy,
    PriorTherapy,
    Procedure,
    Quantity,
    Sex,
    Team,
    TrialParticipation,
    Unparsed,
    Vaccination,
    Window,
    dumps,
    loads,
)
from eligo.model.expression.performance import ecog_to_karnofsky, karnofsky_to_ecog
from eligo.model.expression.schema import json_schema, stored_schema

WINDOW = Window(amount=14, unit="days", direction="before", reference="cycle1_day1")

#: One node of every kind, filled as fully as the kind allows.
EXAMPLES: list[Expression] = [
    All(Sex(value="female"), Age(comparator=">=", value=18)),
    Any(PerformanceStatus(scale="ecog", comparator="<=", value=2),
        PerformanceStatus(scale="karnofsky", comparator=">=", value=70)),
    Not(Condition(concept="brain_metastases", status="active", qualifiers=["symptomatic"])),
    WINDOW,
    Longest(Window(amount=30, unit="days", reference="first_dose"),
            Window(amount=5, unit="half_lives", reference="first_dose")),
    Age(comparator="<", value=6, unit="months", span=(0, 9), rule="age"),
    Sex(value="male"),
    Condition(concept="sclc", status="active", stage="extensive", grade="high",
              differentiation="poorly", body_site="lung", metastatic_site="liver",
              window=Window(amount=3, unit="years")),
    Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L",
                window=Window(amount=21, unit="days", reference="cycle1_day1")),
    Measurement(measurement="ast", comparator="<", uln=3),
    Measurement(measurement="hemoglobin", comparator=">=", lln=1),
    Measurement(measurement="hbsag", result="negative"),
    Measurement(measurement="spo2", comparator=">", value=90, unit="%", context="room air"),
    Derived(measurement="creatinine_clearance", method="cockcroft_gault", comparator=">=",
            value=30, unit="mL/min"),
    Biomarker(name="dll3", comparator=">=", value=1, scale="percent", method="ihc"),
    Biomarker(name="ret", alteration="mutation", result="positive"),
    PerformanceStatus(scale="lansky", comparator=">=", value=50),
    LifeExpectancy(comparator=">=", value=12, unit="weeks"),
    MeasurableDisease(criteria="recist_1.1"),
    PriorTherapy(drug_class="platinum", comparator=">=", value=1, status="prior",
                 outcome="progression", setting="metastatic", window=WINDOW),
    PriorTherapy(drug="tarlatamab"),
    Procedure(procedure="radiotherapy", site="brain", qualifiers=["whole_brain"], window=WINDOW),
    Pregnancy(test="serum"),
    Breastfeeding(),
    ChildbearingPotential(),
    Vaccination(live=True, window=Window(amount=28, unit="days")),
    TrialParticipation(window=Window(amount=30, unit="days")),
    Team(category="consent", text="Patients must sign informed consent"),
    Cohort(name="2"),
    Allowed(PriorTherapy(category="hormonal", status="prior"), text="Prior hormonal therapy"),
    Unparsed(text="Patients must have a tumour site easily accessible", reason="no rule"),
    PriorTherapy(drug="insulin", duration=Duration(comparator=">", amount=1, unit="weeks"),
                 window=Window(amount=3, unit="months")),
    Unparsed(text="QMG score ≥ 12 in the last 3 months", reason="no rule recognised a fact",
             read=[Quantity(subject="QMG score", comparator=">=", value=12, span=(0, 13)),
                   Window(amount=3, unit="months", span=(14, 34))]),
]


def test_examples_cover_every_kind() -> None:
    kinds = {node.kind for example in EXAMPLES for node in example.walk()}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.kind)
def test_round_trip_through_dict_and_json(example: Expression) -> None:
    again = Expression.from_dict(json.loads(json.dumps(example.to_dict())))
    assert again == example
    assert again.to_dict() == example.to_dict()  # provenance survives too
    assert loads(dumps(example)) == example


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.kind)
def test_every_kind_validates_against_the_schema(example: Expression) -> None:
    jsonschema.validate(example.to_dict(), json_schema())


def test_schema_rejects_what_the_classes_reject() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = [
        {"kind": "age", "comparator": "~", "value": 18},
        {"kind": "sex"},
        {"kind": "all", "items": []},
        {"kind": "measurement", "measurement": "ast", "colour": "red"},
        {"kind": "condition", "concept": "x", "window": {"kind": "sex", "value": "male"}},
    ]
    for data in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema)
        with pytest.raises(ExpressionError):
            Expression.from_dict(data)


def test_stored_schema_is_the_generated_one() -> None:
    assert stored_schema() == json_schema(), "regenerate expression.schema.json"
    assert EXPRESSION_VERSION in stored_schema()["$id"]


def test_equality_ignores_provenance_but_not_warnings() -> None:
    a = Measurement(measurement="bilirubin", comparator="<", uln=1.5, span=(0, 10), rule="lab")
    b = Measurement(measurement="bilirubin", comparator="<", uln=1.5)
    c = Measurement(measurement="bilirubin", comparator="<", uln=1.5, warning="typo")
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != Measurement(measurement="bilirubin", comparator="<=", uln=1.5)
    assert All(a) != Any(a)
    assert Age(comparator=">=", value=18) == Age(comparator=">=", value=18.0, unit="years")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Age(comparator=">=", value=18, colour="red"), "unknown slot"),
        (lambda: Age(comparator=">="), "required"),
        (lambda: Age(comparator="=>", value=18), "not one of"),
        (lambda: Age(comparator=">=", value="18"), "number"),
        (lambda: Age(comparator=">=", value=float("nan")), "finite"),
        (lambda: Measurement(measurement="ast", comparator="<"), "comparator"),
        (lambda: Measurement(measurement="ast", value=3), "comparator"),
        (lambda: Measurement(measurement="ast", comparator="<", uln=3, value=3), "one of"),
        (lambda: Measurement(measurement="ast"), "threshold or a result"),
        (lambda: Biomarker(name="dll3"), "threshold or a result"),
        (lambda: All(items=[]), "at least one"),
        (lambda: All(), "required"),
        (lambda: Not(Sex(value="male"), Sex(value="female")), "exactly one"),
        (lambda: Longest(Window(amount=1, unit="days")), "two windows"),
        (lambda: Condition(concept="x", window=Sex(value="male")), "not allowed"),
        (lambda: Window(amount=-1, unit="days"), "negative"),
        (lambda: Sex(value="male", span=(5, 2)), "span"),
        (lambda: Sex(Sex(value="male")), "positional"),
        (lambda: Expression(), "not a node kind"),
    ],
)
def test_bad_nodes_are_refused(build, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        build()


def test_from_dict_refuses_unknown_kinds_and_versions() -> None:
    with pytest.raises(ExpressionError, match="unknown expression kind"):
        Expression.from_dict({"kind": "horoscope"})
    with pytest.raises(ExpressionError, match="must be an object"):
        Expression.from_dict(["age"])  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="expected a age node"):
        Age.from_dict({"kind": "sex", "value": "male"})
    with pytest.raises(ExpressionError, match="cannot be read"):
        loads(json.dumps({"version": "2.0", "expression": {"kind": "breastfeeding"}}))
    with pytest.raises(ExpressionError, match="not JSON"):
        loads("{")


def _liver_rule() -> Any:
    liver = Condition(concept="liver_metastases")
    return Any(
        All(Not(liver), Measurement(measurement="ast", comparator="<", uln=3)),
        All(liver.copy(), Measurement(measurement="ast", comparator="<", uln=5)),
    )


def test_walk_bfs_find_and_parents() -> None:
    tree = _liver_rule()
    assert [n.kind for n in tree.walk()] == [
        "any", "all", "not", "condition", "measurement", "all", "condition", "measurement"]
    assert [n.kind for n in tree.bfs()][:3] == ["any", "all", "all"]
    first = tree.find(Measurement)
    assert first is not None and first.uln == 3
    assert [m.uln for m in tree.find_all(Measurement)] == [3, 5]
    assert first.parent is tree.items[0] and first.arg_key == "items"
    assert first.root is tree
    assert tree.find(Window) is None
    assert all(isinstance(leaf, Fact) for leaf in tree.leaves())
    assert sum(1 for _ in tree.leaves()) == 4


def test_leaves_are_facts_and_judgements_whatever_they_carry() -> None:
    dated = Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L",
                        window=WINDOW)
    unread = Unparsed(text="QMG score ≥ 12", reason="no rule",
                      read=[Quantity(subject="QMG score", comparator=">=", value=12)])
    permitted = Allowed(PriorTherapy(category="hormonal"), text="hormonal therapy allowed")
    tree = All(Not(dated), unread, permitted, Allowed(text="anything else allowed"))
    assert [leaf.kind for leaf in tree.leaves()] == [
        "measurement", "unparsed", "prior_therapy", "allowed"]
    assert next(tree.leaves()) is dated  # the window below it is not a leaf of its own


def test_transform_rebuilds_without_touching_the_original() -> None:
    tree = _liver_rule()
    before = tree.to_dict()

    def loosen(node: Expression) -> Expression:
        if isinstance(node, Measurement) and node.uln is not None:
            return Measurement(measurement=node.measurement, comparator="<=", uln=node.uln)
        return node

    loose = tree.transform(loosen)
    assert tree.to_dict() == before
    assert [m.comparator for m in loose.find_all(Measurement)] == ["<=", "<="]
    assert all(child.parent is loose for child in loose.children())


def test_replace_and_copy() -> None:
    tree = _liver_rule()
    copy = tree.copy()
    target = tree.find(Not)
    assert target is not None
    target.replace(Condition(concept="cirrhosis"))
    assert tree.items[0].items[0] == Condition(concept="cirrhosis")
    assert copy == _liver_rule() and copy != tree
    window = Window(amount=3, unit="days")
    condition = Condition(concept="x", window=window)
    window.replace(Window(amount=5, unit="days"))
    assert condition.window.amount == 5


def test_repr_reads_like_the_constructor() -> None:
    node = All(Sex(value="female"), Measurement(measurement="ast", comparator="<", uln=3))
    assert repr(node) == (
        "All(Sex(value='female'), Measurement(measurement='ast', comparator='<', uln=3.0))"
    )
    assert "warning='typo'" in repr(Breastfeeding(warning="typo"))


def test_slots_read_as_attributes() -> None:
    node = Measurement(measurement="ast", comparator="<", uln=3)
    assert (node.measurement, node.value, node.uln) == ("ast", None, 3.0)
    with pytest.raises(AttributeError):
        _ = node.colour


def test_criterion_carries_an_expression_through_json() -> None:
    criterion = Criterion(id="inc-1", kind="inclusion", text="Age ≥18 years",
                          expression=Age(comparator=">=", value=18, span=(0, 13), rule="age"))
    data = json.loads(criterion.model_dump_json())
    assert data["expression"]["kind"] == "age" and data["expression"]["span"] == [0, 13]
    assert Criterion.model_validate(data) == criterion
    with pytest.raises(ValueError):
        Criterion.model_validate({**data, "expression": {"kind": "nope"}})


def test_performance_status_conversion() -> None:
    assert [karnofsky_to_ecog(k) for k in (100, 90, 80, 70, 60, 50, 40, 20, 0)] == [
        0, 0, 1, 1, 2, 2, 3, 4, 5]
    assert all(karnofsky_to_ecog(k) == e for e in range(6) for k in ecog_to_karnofsky(e))
    with pytest.raises(ValueError):
        karnofsky_to_ecog(120)
    with pytest.raises(ValueError):
        ecog_to_karnofsky(6)


def test_every_kind_and_slot_is_documented() -> None:
    from pathlib import Path

    docs = (Path(__file__).parent.parent / "docs" / "expressions.md").read_text("utf-8")
    sections = {
        part.split("`", 1)[0]: part for part in docs.split("\n### `")[1:]
    }
    assert set(sections) == set(KINDS)
    assert all(f"`{symbol}`" in docs for symbol in COMPARATORS)
    for kind, node_cls in KINDS.items():
        inherited = set(Measurement.arg_types) if node_cls in (Derived, Quantity) else set()
        for slot, spec in node_cls.arg_types.items():
            if slot in inherited:
                continue
            assert f"`{slot}`" in sections[kind], (kind, slot)
            if slot != "comparator":
                for choice in spec.choices or ():
                    assert f"`{choice}`" in sections[kind], (kind, slot, choice)


def test_docstring_examples_run() -> None:
    import doctest

    from eligo.model.expression import core, performance

    for module in (core, performance):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
