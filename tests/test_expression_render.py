"""The text rendering a coordinator reviews, and the back-end dispatch it is built on."""

from __future__ import annotations

import pytest

from eligo.model.expression import (
    KINDS,
    All,
    Any,
    Backend,
    Biomarker,
    Condition,
    Derived,
    Expression,
    Longest,
    Measurement,
    Not,
    PerformanceStatus,
    Pregnancy,
    PriorTherapy,
    Procedure,
    Sex,
    Team,
    TextRenderer,
    Unparsed,
    UnsupportedNode,
    Window,
    render,
)
from eligo.model.expression.render import number, unit_label

LABELS = {
    ("measurement", "platelets"): "platelets",
    ("measurement", "ast"): "AST",
    ("measurement", "qtc"): "QTc",
    ("measurement", "bilirubin_total"): "total bilirubin",
    ("condition", "liver_metastases"): "liver metastases",
    ("drug_class", "platinum"): "platinum agents",
}


def show(node: Expression) -> str:
    return render(node, labels=lambda kind, concept: LABELS.get((kind, concept)))


def test_thresholds_read_as_written() -> None:
    assert show(Measurement(measurement="platelets", comparator=">=", value=100,
                            unit="10*9/L")) == "platelets ≥ 100 ×10⁹/L"
    assert show(Measurement(measurement="ast", comparator="<", uln=3)) == "AST < 3 × ULN"
    assert show(Measurement(measurement="ast", comparator=">=", lln=0.5)) == "AST ≥ 0.5 × LLN"
    assert show(Measurement(measurement="spo2", comparator=">", value=90, unit="%",
                            context="room air")) == "spo2 > 90 % (room air)"
    assert show(Measurement(measurement="creatinine", comparator="<=", value=133,
                            unit="umol/L")) == "creatinine ≤ 133 µmol/L"


def test_conditional_thresholds_read_as_if() -> None:
    qtcf = Any(
        All(Sex(value="female"), Derived(measurement="qtc", method="fridericia",
                                         comparator=">", value=470, unit="ms")),
        All(Sex(value="male"), Derived(measurement="qtc", method="fridericia",
                                       comparator=">", value=450, unit="ms")),
    )
    assert show(qtcf) == (
        "any of:\n"
        "  QTc by Fridericia > 470 ms if female\n"
        "  QTc by Fridericia > 450 ms if male"
    )
    liver = Condition(concept="liver_metastases")
    ast = Any(
        All(Not(liver), Measurement(measurement="ast", comparator="<", uln=3)),
        All(liver.copy(), Measurement(measurement="ast", comparator="<", uln=5)),
    )
    assert show(ast).splitlines() == [
        "any of:", "  AST < 3 × ULN if no liver metastases", "  AST < 5 × ULN if liver metastases"]


def test_nested_logic_is_indented() -> None:
    tree = All(
        Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L"),
        Not(Any(Pregnancy(), Condition(concept="liver_metastases", status="active"))),
    )
    assert show(tree).splitlines() == [
        "all of:",
        "  platelets ≥ 100 ×10⁹/L",
        "  not:",
        "    any of:",
        "      pregnant",
        "      active liver metastases",
    ]


def test_warnings_are_shown_on_their_line() -> None:
    node = Measurement(measurement="bilirubin_total", comparator="<", uln=1.5,
                       warning="read '<.5 x ULN' as < 1.5 × ULN")
    assert show(node) == "total bilirubin < 1.5 × ULN  ⚠ read '<.5 x ULN' as < 1.5 × ULN"


def test_windows_and_whichever_is_longer() -> None:
    radiotherapy = Procedure(procedure="radiotherapy", site="brain", qualifiers=["whole_brain"],
                             window=Window(amount=14, unit="days", reference="cycle1_day1"))
    assert show(radiotherapy) == (
        "whole brain radiotherapy to brain, in the 14 days before cycle 1 day 1")
    washout = PriorTherapy(category="investigational", window=Longest(
        Window(amount=30, unit="days", reference="first_dose"),
        Window(amount=5, unit="half_lives", reference="first_dose")))
    assert show(washout) == ("investigational, in the 30 days or 5 half-lives "
                             "(whichever is longer) before the first dose")
    assert show(Window(amount=28, unit="days", direction="within",
                       reference="cycle1_day1")) == "within 28 days of cycle 1 day 1"


def test_other_leaves() -> None:
    assert show(PerformanceStatus(scale="ecog", comparator="<=", value=2)) == "ECOG ≤ 2"
    assert show(PriorTherapy(drug_class="platinum", comparator=">=", value=1,
                             status="prior")) == "prior platinum agents: lines ≥ 1"
    assert show(Biomarker(name="dll3", comparator=">=", value=1, scale="percent",
                          method="ihc")) == "DLL3 ≥ 1 % by IHC"
    assert show(Biomarker(name="dll3", comparator=">=", value=1,
                          scale="h_score")) == "DLL3 H-score ≥ 1"
    assert show(Not(Pregnancy())) == "not pregnant"
    assert show(Team(category="social_security", text="affiliated to social security")) == (
        "study team to confirm (social security): affiliated to social security")
    assert show(Unparsed(text="xyz", reason="no rule")) == "not understood (no rule): xyz"


def test_labels_fall_back_to_the_concept_id() -> None:
    renderer = TextRenderer(labels=lambda kind, concept: None)
    assert renderer.render(Condition(concept="brain_metastases")) == "brain metastases"


@pytest.mark.parametrize(("value", "text"), [(100.0, "100"), (1.5, "1.5"), (100000.0, "100000"),
                                              (0.25, "0.25"), (1e-4, "0.0001")])
def test_numbers(value: float, text: str) -> None:
    assert number(value) == text


@pytest.mark.parametrize(("ucum", "text"), [("10*9/L", "×10⁹/L"), ("10*3/uL", "×10³/µL"),
                                            ("[IU]/mL", "IU/mL"), ("mm[Hg]", "mmHg"),
                                            ("g/dL", "g/dL"), ("umol/L", "µmol/L"),
                                            ("mL/min/{1.73_m2}", "mL/min/1.73 m²")])
def test_units(ucum: str, text: str) -> None:
    assert unit_label(ucum) == text


def test_every_kind_has_a_text_handler() -> None:
    assert TextRenderer.missing() == []
    assert set(TextRenderer.handlers()) == set(KINDS.values())


def test_a_backend_without_a_handler_raises() -> None:
    class Partial(Backend):
        target = "partial"

        def sex_partial(self, node: Sex) -> str:
            return node.value

        def measurement_partial(self, node: Measurement) -> str:
            return node.measurement

    backend = Partial()
    assert backend.dispatch(Sex(value="male")) == "male"
    # a derived value is a measurement: it falls back to the measurement handler
    assert backend.dispatch(Derived(measurement="qtc", method="fridericia", comparator=">",
                                    value=450, unit="ms")) == "qtc"
    with pytest.raises(UnsupportedNode, match="'age'"):
        backend.dispatch(KINDS["age"](comparator=">=", value=18))
    assert "age" in Partial.missing() and "sex" not in Partial.missing()
