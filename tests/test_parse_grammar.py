"""The pieces of the parser: text folding, the threshold grammar, windows, units, negation."""

from __future__ import annotations

import pytest

from eligo.model.expression import (
    Age,
    All,
    Any,
    Condition,
    Longest,
    Measurement,
    Not,
    PerformanceStatus,
    PriorTherapy,
    Team,
    Unparsed,
    Window,
)
from eligo.parse import parse_criterion
from eligo.parse.passes import simplify
from eligo.parse.quantities import Bound, find_quantities
from eligo.parse.text import Text, fold, sentences
from eligo.parse.windows import find_windows


def test_folding_keeps_every_offset() -> None:
    raw = "Platelets ≥100 × 10⁹/L, µL – ﬁne İ"
    assert len(fold(raw)) == len(raw)
    assert fold("× µ – ⁹") == "x u - 9"


@pytest.mark.parametrize(
    ("text", "bounds", "scale"),
    [
        ("≥100 000/mm3", [(">=", 100000)], "value"),
        ("at least 1,500/mm^3", [(">=", 1500)], "value"),
        ("no more than 1.5 mg/dL", [("<=", 1.5)], "value"),
        ("greater than or equal to 60 mL/min", [(">=", 60)], "value"),
        ("less than 3 times the upper limit of normal", [("<", 3)], "uln"),
        ("≤ 2.5 x ULN", [("<=", 2.5)], "uln"),
        ("<3 X ULN", [("<", 3)], "uln"),
        ("up to 5 x ULN", [("<=", 5)], "uln"),
        ("no greater than ULN", [("<=", 1)], "uln"),
        ("between 18 and 75", [(">=", 18), ("<=", 75)], "value"),
        ("18 and over", [(">=", 18)], "value"),
        ("0-2", [(">=", 0), ("<=", 2)], "value"),
    ],
)
def test_threshold_grammar(text: str, bounds: list[tuple[str, float]], scale: str) -> None:
    found = [q for q in find_quantities(Text.of(text)) if q.bounds]
    assert len(found) == 1, found
    assert found[0].bounds == tuple(Bound(c, v) for c, v in bounds)
    assert found[0].scale == scale


@pytest.mark.parametrize(
    "text",
    ["Platelets ≥100 000/mm3", "Platelets ≥100 × 10^9/L", "Platelets ≥ 100 x 10(9)/L",
     "Platelets ≥100 × 109/L", "Platelet count at least 100,000/μL", "platelets ≥ 100 K/uL"],
)
def test_both_unit_systems_give_one_threshold(text: str) -> None:
    assert parse_criterion(text) == Measurement(measurement="platelets", comparator=">=",
                                                value=100, unit="10*9/L")


def test_mass_and_molar_units_meet_through_the_molar_mass() -> None:
    in_mg = parse_criterion("Creatinine ≤ 1.5 mg/dL")
    in_umol = parse_criterion("Creatinine ≤ 132.6 µmol/L")
    assert in_mg.unit == in_umol.unit == "umol/L"
    assert in_mg.value == pytest.approx(in_umol.value, rel=1e-3)


def test_a_number_without_unit_is_read_and_flagged() -> None:
    node = parse_criterion("ANC more than 1,500")
    assert isinstance(node, Measurement) and node.value == 1.5 and node.unit == "10*9/L"
    assert node.warning and "no unit written" in node.warning


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("Myocardial infarction within 6 months",
         Window(amount=6, unit="months", reference="screening")),
        ("Myocardial infarction in the last 6 months",
         Window(amount=6, unit="months", reference="screening")),
        ("Myocardial infarction within 14 days prior to cycle 1 day 1",
         Window(amount=14, unit="days", reference="cycle1_day1")),
        ("Myocardial infarction within 12 months of first dose of study drug",
         Window(amount=12, unit="months", reference="first_dose")),
        ("Myocardial infarction within the past year",
         Window(amount=1, unit="years", reference="screening")),
        ("Myocardial infarction < 28 days before registration",
         Window(amount=28, unit="days", reference="enrolment")),
    ],
)
def test_windows(text: str, window: Window) -> None:
    assert parse_criterion(text) == Condition(concept="myocardial_infarction", window=window)


def test_whichever_is_longer() -> None:
    source = Text.of("Any investigational agent <30 days or < 5 half-lives, whichever is "
                     "longer, prior to first dose")
    found = find_windows(source, 0, len(source.raw), find_quantities(source))
    assert [w.node for w in found] == [Longest(
        Window(amount=30, unit="days", reference="first_dose"),
        Window(amount=5, unit="half_lives", reference="first_dose"))]


def test_at_least_since_means_not_within() -> None:
    assert parse_criterion("At least 4 weeks since prior chemotherapy") == Not(
        PriorTherapy(drug_class="chemotherapy", status="prior",
                     window=Window(amount=4, unit="weeks")))


def test_negation_stays_in_its_clause() -> None:
    node = parse_criterion("No brain metastases; hepatitis B infection")
    assert node == All(Not(Condition(concept="brain_metastases")),
                       Condition(concept="hepatitis_b"))
    assert parse_criterion("Not pregnant or nursing").kind == "not"


def test_negation_covers_a_list_and_an_exception_stays_inside() -> None:
    node = parse_criterion("No other malignancy except non-melanoma skin cancer")
    assert node == Not(All(Condition(concept="malignant_neoplasm"),
                           Not(Condition(concept="non_melanoma_skin_cancer"))))


def test_ranges_and_scales() -> None:
    assert parse_criterion("Age between 18 and 75 years") == All(
        Age(comparator=">=", value=18), Age(comparator="<=", value=75))
    assert parse_criterion("ECOG 0-2") == PerformanceStatus(scale="ecog", comparator="<=",
                                                           value=2)
    assert parse_criterion("Karnofsky 70-100%") == PerformanceStatus(
        scale="karnofsky", comparator=">=", value=70)
    assert parse_criterion("Performance status: WHO 0 or 1") == PerformanceStatus(
        scale="ecog", comparator="<=", value=1)


def test_team_phrases_and_unparsed_text() -> None:
    node = parse_criterion("Willing and able to comply with the protocol")
    assert isinstance(node, Team) and node.category == "willingness"
    node = parse_criterion("Sees the sea from home")
    assert isinstance(node, Unparsed) and node.reason


def test_words_no_rule_read_are_kept_beside_what_was_read() -> None:
    node = parse_criterion("Platelets ≥ 100 000/mm3 measured on a purple moon")
    assert isinstance(node, All)
    assert node.items[0] == Measurement(measurement="platelets", comparator=">=", value=100,
                                        unit="10*9/L")
    assert isinstance(node.items[1], Unparsed) and "purple moon" in node.items[1].text


def test_sentences_do_not_split_decimals_or_abbreviations() -> None:
    text = Text.of("Hb ≥ 9.0 g/dL (e.g. after transfusion). ECOG 0-1.")
    assert [text.raw[p.start:p.end] for p in sentences(text)] == [
        "Hb ≥ 9.0 g/dL (e.g. after transfusion)", "ECOG 0-1"]


def test_simplify_passes() -> None:
    a, b, c = (Condition(concept=x) for x in ("a", "b", "c"))
    assert simplify(All(a, All(b, c))) == All(a, b, c)
    assert simplify(Any(a)) == a
    assert simplify(Not(Not(a))) == a
    assert simplify(Any(a, a.copy(), b)) == Any(a, b)
