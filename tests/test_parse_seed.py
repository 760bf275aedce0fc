"""Seed 001 (UNLOCK TARLATAMAB, NCT07016230): each criterion read the way a clinician reads it.

The criteria are cut from the seed page by eligo.criteria.segment and parsed with
eligo.parse.parse_criteria; each test states the whole expected tree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eligo.criteria import segment
from eligo.model import Criterion
from eligo.model.expression import (
    Age,
    All,
    Allowed,
    Any,
    Biomarker,
    Cohort,
    Condition,
    Derived,
    Expression,
    LifeExpectancy,
    Longest,
    MeasurableDisease,
    Measurement,
    Not,
    PerformanceStatus,
    PriorTherapy,
    Procedure,
    Sex,
    Team,
    Unparsed,
    Vaccination,
    Window,
    render,
)
from eligo.parse import parse_criteria, parse_criterion

SEED = Path(__file__).parent / "data" / "seeds" / "001_36ee6b61676e01d5.txt"


@pytest.fixture(scope="module")
def criteria() -> dict[str, Criterion]:
    page = SEED.read_text(encoding="utf-8")
    eligibility = page[page.index("Inclusion Criteria:"):page.index("Study details")]
    parsed = parse_criteria(segment(eligibility))
    return {c.id: c for top in parsed for c in top.walk()}


def expression(criteria: dict[str, Criterion], ident: str) -> Expression:
    node = criteria[ident].expression
    assert node is not None
    return node


def c1d1(amount: float, unit: str = "days") -> Window:
    return Window(amount=amount, unit=unit, direction="before", reference="cycle1_day1")


LAB = c1d1(21)  # "based on local laboratory data within 21 days prior to cycle 1, day 1"


def lab(measurement: str, comparator: str, **threshold: object) -> Measurement:
    return Measurement(measurement=measurement, comparator=comparator, window=LAB.copy(),
                       **threshold)


def condition(concept: str, **slots: object) -> Condition:
    return Condition(concept=concept, **slots)


# -- inclusion: the simple ones -------------------------------------------------------------


def test_age_ecog_life_expectancy_measurable_disease(criteria) -> None:
    assert expression(criteria, "inc-1") == Age(comparator=">=", value=18)
    assert expression(criteria, "inc-7") == PerformanceStatus(scale="ecog", comparator="<=",
                                                             value=2)
    assert expression(criteria, "inc-8") == LifeExpectancy(comparator=">=", value=3,
                                                           unit="months")
    assert expression(criteria, "inc-9") == MeasurableDisease(criteria="recist_1.1")


def test_oxygen_saturation_on_room_air(criteria) -> None:
    assert expression(criteria, "inc-12") == Measurement(
        measurement="spo2", comparator=">", value=90, unit="%", context="room air")


def test_consent_and_social_security_are_team_leaves(criteria) -> None:
    consent = expression(criteria, "inc-17")
    assert isinstance(consent, All)
    assert [(leaf.kind, leaf.category) for leaf in consent.items] == [
        ("team", "consent"), ("team", "willingness")]
    social = expression(criteria, "inc-18")
    assert social == Team(category="social_security", text=criteria["inc-18"].text)


def test_dll3_for_cohort_2(criteria) -> None:
    dll3 = Any(
        Not(Cohort(name="2")),
        Biomarker(name="dll3", comparator=">=", value=1, scale="percent", method="ihc"),
        Biomarker(name="dll3", comparator=">=", value=1, scale="h_score", method="ihc"),
    )
    inc2 = expression(criteria, "inc-2")
    assert isinstance(inc2, All)
    assert inc2.items[-1] == dll3
    cohorts = inc2.items[0]
    assert cohorts == Any(
        All(Any(condition("sclc", stage="metastatic"), condition("sclc",
                                                                 stage="locally_advanced")),
            Cohort(name="1")),
        All(Any(condition("neuroendocrine_carcinoma"), condition("mtc", grade="high")),
            Cohort(name="2")),
    )


def test_one_prior_line_including_platinum(criteria) -> None:
    text = criteria["inc-5"].text
    first = parse_criterion(text[:text.index("Prior treatment with PD")].strip())
    assert first == Any(
        Not(Any(condition("sclc", stage="metastatic"),
                condition("sclc", stage="locally_advanced"),
                condition("neuroendocrine_carcinoma"))),
        All(
            PriorTherapy(comparator=">=", value=1, status="prior"),
            PriorTherapy(drug_class="platinum", status="prior"),
            Team(category="investigator_opinion", text="have experienced progression on "
                 "standard treatment, as determined by the investigator"),
        ),
    )
    assert Allowed(PriorTherapy(drug_class="pd1_pdl1_inhibitor", status="prior"),
                   text="Prior treatment with PD-(L) 1 inhibitors is allowed") in \
        expression(criteria, "inc-5").items


# -- inclusion 11: the eight laboratory values --------------------------------------------


def test_platelets_in_both_unit_systems(criteria) -> None:
    assert expression(criteria, "inc-11.1") == All(
        lab("platelets", ">=", value=100, unit="10*9/L"),
        Not(Procedure(procedure="transfusion", qualifiers=["platelet"], window=c1d1(14))),
    )


def test_hemoglobin_with_transfusion_allowed(criteria) -> None:
    assert expression(criteria, "inc-11.2") == All(
        lab("hemoglobin", ">=", value=90, unit="g/L"),
        Allowed(Any(Procedure(procedure="transfusion"),
                    PriorTherapy(drug_class="growth_factor")),
                text="transfusion and/or growth factor support is allowed"),
    )


def test_neutrophils_without_growth_factors(criteria) -> None:
    assert expression(criteria, "inc-11.3") == All(
        lab("anc", ">=", value=1.5, unit="10*9/L"),
        Not(PriorTherapy(drug_class="growth_factor", window=c1d1(14))),
    )


def test_creatinine_clearance_by_cockcroft_gault_or_measured(criteria) -> None:
    clearance = expression(criteria, "inc-11.4")
    assert isinstance(clearance, All)
    assert clearance.items[0] == Any(
        Derived(measurement="creatinine_clearance", method="cockcroft_gault", comparator=">=",
                value=30, unit="mL/min", window=LAB.copy()),
        lab("creatinine_clearance", ">=", value=30, unit="mL/min"),
    )
    assert clearance.items[1].kind == "team"  # "confirmation … only required when SCr > 1.5 × ULN"


def test_transaminases_three_times_uln_or_five_with_liver_metastases(criteria) -> None:
    liver = condition("liver_metastases")
    assert expression(criteria, "inc-11.5") == Any(
        All(Not(liver), lab("ast", "<", uln=3), lab("alt", "<", uln=3), lab("alp", "<", uln=3)),
        All(liver.copy(), lab("ast", "<", uln=5), lab("alt", "<", uln=5),
            lab("alp", "<", uln=5)),
    )


def test_bilirubin_typo_is_read_and_flagged(criteria) -> None:
    gilbert, liver = condition("gilbert_syndrome"), condition("liver_metastases")
    typo = ("written '.5 x ULN': read as 1.5 × ULN (a digit seems lost; a limit below the ULN "
            "would exclude most people)")
    bilirubin = expression(criteria, "inc-11.6")
    assert bilirubin == Any(
        All(Not(gilbert), Not(liver),
            Measurement(measurement="total_bilirubin", comparator="<", uln=1.5,
                        window=LAB.copy(), warning=typo)),
        All(gilbert.copy(), lab("total_bilirubin", "<", uln=3)),
        All(liver.copy(), lab("total_bilirubin", "<", uln=2)),
    )
    assert "⚠ written '.5 x ULN'" in render(bilirubin)


def test_albumin(criteria) -> None:
    assert expression(criteria, "inc-11.7") == lab("albumin", ">=", value=25, unit="g/L")


def test_coagulation_except_on_coumarins(criteria) -> None:
    anticoagulated = Any(PriorTherapy(drug_class="vitamin_k_antagonist", status="current"),
                         PriorTherapy(drug_class="anticoagulant", status="current"))
    assert expression(criteria, "inc-11.8") == Any(
        All(Not(anticoagulated),
            Any(lab("pt", "<=", uln=1.5), lab("inr", "<=", uln=1.5)),
            lab("aptt", "<=", uln=1.5)),
        All(anticoagulated.copy(),
            Team(category="investigator_opinion", text="have PT-INR within therapeutic range "
                 "as deemed appropriate by the Investigator")),
    )


def test_lab_parent_is_all_of_its_children(criteria) -> None:
    parent = expression(criteria, "inc-11")
    children = [expression(criteria, f"inc-11.{n}") for n in range(1, 9)]
    assert parent == All(*children) or parent.items == [
        item for child in children for item in (child.items if child.kind == "all" else [child])]


# -- exclusions ------------------------------------------------------------------------------


def test_qtcf_limits_by_sex(criteria) -> None:
    def qtcf(limit: int) -> Derived:
        return Derived(measurement="qtcf", method="fridericia", comparator=">", value=limit,
                       unit="ms", context="triplicate")

    assert expression(criteria, "exc-16.1") == Any(
        All(Sex(value="female"), qtcf(470)), All(Sex(value="male"), qtcf(450)))


def test_six_washout_windows(criteria) -> None:
    brain = {"procedure": "radiotherapy", "site": "brain"}
    assert expression(criteria, "exc-7.1") == Any(
        Procedure(**brain, qualifiers=["whole_brain"], window=c1d1(14)),
        Procedure(**brain, qualifiers=["stereotactic"], window=c1d1(14)),
    )
    assert expression(criteria, "exc-7.2") == Any(
        Procedure(procedure="radiotherapy", site="bone_marrow",
                  qualifiers=[">30% of bone_marrow"], window=c1d1(28)),
        Procedure(procedure="radiotherapy", qualifiers=["wide_field"], window=c1d1(28)),
        Procedure(procedure="radiotherapy", qualifiers=["palliative"], window=c1d1(7)),
    )
    washout = Longest(Window(amount=30, unit="days", reference="first_dose"),
                      Window(amount=5, unit="half_lives", reference="first_dose"))
    chemo = Longest(c1d1(14), c1d1(5, "half_lives"))
    assert expression(criteria, "exc-7.3") == All(
        Any(PriorTherapy(drug_class="investigational_agent", window=washout),
            PriorTherapy(drug_class="anticancer_therapy", window=washout.copy())),
        # the exception is about chemotherapy inside the washout: it takes that window
        Not(All(PriorTherapy(drug_class="chemotherapy", window=washout.copy()),
                Not(PriorTherapy(drug_class="chemotherapy", window=chemo)),
                Team(category="investigator_opinion",
                     text="all treatment-related toxicity has been resolved to grade ≤1"))),
    )
    assert expression(criteria, "exc-7.4") == All(
        Procedure(procedure="surgery", qualifiers=["major"], window=c1d1(21)),
        Not(Procedure(procedure="vascular_access")),
    )
    assert expression(criteria, "exc-7.5") == Vaccination(live=True, window=c1d1(28))
    assert expression(criteria, "exc-7.6") == Any(
        PriorTherapy(drug_class="corticosteroid", window=c1d1(7)),
        PriorTherapy(drug_class="immunosuppressant", window=c1d1(7)),
    )
    # an exclusion's sub-items are the ways of being excluded
    assert expression(criteria, "exc-7") == Any(
        *(expression(criteria, f"exc-7.{n}") for n in range(1, 7)))


def test_hepatitis_b_rules(criteria) -> None:
    serology = c1d1(28)  # "serologic evidence of viral infection within 28 days of C1D1"
    assert expression(criteria, "exc-18.1.1") == All(
        Measurement(measurement="hbsag", result="negative", window=serology),
        Measurement(measurement="anti_hbc", result="positive", window=serology.copy()),
    )
    untreated = Not(PriorTherapy(drug_class="antiviral", window=Window(
        amount=12, unit="weeks", reference="cycle1_day1",
        warning="counted from 'viral load evaluation' in the text")))
    low_load = Measurement(measurement="hbv_dna", comparator="<=", value=2000, unit="[IU]/mL",
                           window=serology.copy())
    assert expression(criteria, "exc-18.1.2") == All(  # "normal": within the reference range
        condition("hepatitis_b"), low_load, untreated,
        Measurement(measurement="transaminases", comparator=">=", lln=1,
                    window=serology.copy()),
        Measurement(measurement="transaminases", comparator="<=", uln=1,
                    window=serology.copy()),
    )
    third = expression(criteria, "exc-18.1.3")
    assert third == All(  # "abnormal": outside the reference range
        condition("hepatitis_b"), low_load.copy(), untreated.copy(),
        Any(Measurement(measurement="transaminases", comparator="<", lln=1,
                        window=serology.copy()),
            Measurement(measurement="transaminases", comparator=">", uln=1,
                        window=serology.copy())),
        Measurement(measurement="transaminases", comparator="<", uln=3, window=serology.copy()),
    )
    resolved = expression(criteria, "exc-18.1")
    assert resolved.kind == "allowed"
    assert resolved.this == All(
        condition("resolved_hepatitis_b"),
        Any(*(expression(criteria, f"exc-18.1.{n}") for n in (1, 2, 3))),
    )
    # the whole: active hepatitis B or C, except the patients the sub-items permit
    whole = expression(criteria, "exc-18")
    active = Any(condition("hepatitis_b", status="active", window=serology.copy()),
                 condition("hepatitis_c", status="active", window=serology.copy()))
    hcv = expression(criteria, "exc-18.2")
    assert whole == All(active, Not(Any(resolved.this, hcv.this)))


def test_nothing_is_silently_dropped(criteria) -> None:
    """Every criterion has an expression; words no rule read stay visible."""
    for ident, criterion in criteria.items():
        node = criterion.expression
        assert node is not None, ident
        for leaf in node.find_all(Unparsed):
            assert leaf.text.strip(), ident
