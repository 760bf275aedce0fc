"""Kinds of phrasing once misread: each reading here is the meaning a clinician gives the text,
or an honest ``unparsed`` where the rules cannot give it."""

from __future__ import annotations

from eligo.model.expression import (
    Age,
    All,
    Allowed,
    Any,
    Condition,
    Expression,
    Measurement,
    Not,
    PriorTherapy,
    Procedure,
    Sex,
    Unparsed,
    Window,
)
from eligo.parse import parse_criterion


def _kinds(node: Expression) -> set[str]:
    return {n.kind for n in node.walk()}


# --- both sexes named together ask nothing of the sex


def test_men_and_women_ask_nothing_of_the_sex() -> None:
    node = parse_criterion("Men and women, 18 years of age or older")
    assert node == Age(comparator=">=", value=18)


def test_males_and_females_beside_an_age_range() -> None:
    node = parse_criterion("Males and females aged 18-75")
    assert node == All(Age(comparator=">=", value=18), Age(comparator="<=", value=75))


def test_male_or_female_alone_is_a_permission() -> None:
    node = parse_criterion("Male or female patients")
    assert isinstance(node, Allowed)
    assert "sex" not in _kinds(node)


def test_sex_specific_limits_stay_a_choice() -> None:
    node = parse_criterion("QTcF ≤ 470 ms for females and ≤ 450 ms for males")
    assert isinstance(node, Any)
    assert {s.value for s in node.find_all(Sex)} == {"female", "male"}


# --- a subject that names a fact makes what follows conditional on it


def test_unread_requirement_of_a_subject_stays_conditional() -> None:
    node = parse_criterion("Patients on corticosteroids must be on a stable dose")
    assert isinstance(node, Any)
    negated, asked = node.items
    assert isinstance(negated, Not) and isinstance(negated.this, PriorTherapy)
    assert negated.this.drug_class == "corticosteroid"
    assert isinstance(asked, Unparsed) and "stable dose" in asked.text


def test_female_subject_of_contraception() -> None:
    node = parse_criterion("Female patients must use adequate birth control")
    assert isinstance(node, Any)
    assert node.items[0] == Not(Sex(value="female"))


def test_must_have_completed_is_what_is_asked_of_the_subject() -> None:
    node = parse_criterion(
        "Patients with a history of brain metastases must have completed radiotherapy")
    assert isinstance(node, Any)
    negated = node.items[0]
    assert isinstance(negated, Not) and isinstance(negated.this, Condition)
    assert negated.this.concept == "brain_metastases"
    assert any(isinstance(n, Procedure) for n in node.items[1].walk())


# --- what a relative has is not the patient's


def test_family_history_is_not_the_patients_diagnosis() -> None:
    for text in ("Family history of long QT syndrome", "Family history of sudden death"):
        node = parse_criterion(text, "exclusion")
        assert isinstance(node, Unparsed), node
        assert not list(node.find_all(Condition))


def test_family_history_ends_where_the_patients_own_facts_start() -> None:
    node = parse_criterion(
        "Personal or family history of long QT syndrome, or QTc > 470 ms", "exclusion")
    assert [m.measurement for m in node.find_all(Measurement)] == ["qtc"]
    assert not [c for c in node.find_all(Condition) if c.concept == "long_qt_syndrome"]
    node = parse_criterion("History of seizures or family history of epilepsy", "exclusion")
    assert len(list(node.find_all(Condition))) == 1


# --- numbers that are no values


def test_percentiles_are_no_values_and_no_ages() -> None:
    for text in ("BMI > 95th percentile for age and sex",
                 "Systolic blood pressure above the 95th percentile for age",
                 "BMI ≥ 5th and < 85th percentile"):
        node = parse_criterion(text, "exclusion")
        assert not list(node.find_all(Age)), text
        assert not list(node.find_all(Measurement)), text


def test_at_least_n_months_post_transplant_is_time_since() -> None:
    node = parse_criterion("At least 6 months post allogeneic stem cell transplant")
    assert isinstance(node, Not)
    window = node.this.args["window"]
    assert isinstance(window, Window) and (window.amount, window.unit) == (6, "months")
    assert node.this.args.get("duration") is None


def test_a_duration_is_no_recent_window() -> None:
    node = parse_criterion("Fever for ≥ 1 week", "exclusion")
    assert isinstance(node, Condition)
    assert node.window is None and node.duration is not None


# --- exceptions narrow what rules out; "unless" waives a requirement


def test_unless_waives_a_requirement_of_an_inclusion() -> None:
    node = parse_criterion("Bilirubin ≤ 1.5 x ULN unless Gilbert's syndrome")
    assert isinstance(node, Any)
    assert node.items[1] == Condition(concept="gilbert_syndrome")


def test_an_exception_in_brackets_is_read_not_set_aside() -> None:
    node = parse_criterion("Investigational agents (other than ganciclovir).", "exclusion")
    assert isinstance(node, All)
    assert Not(PriorTherapy(drug="ganciclovir")) in node.items


def test_an_exception_no_fact_states_stays_unread_where_it_stands() -> None:
    node = parse_criterion("Alkaline phosphatase less than 2.0 times ULN (unless tumor related)")
    assert isinstance(node, Any)
    assert isinstance(node.items[1], Unparsed)
    assert not list(node.find_all(Condition))  # never "no cancer"
    node = parse_criterion("Acyclovir (except topical acyclovir).", "exclusion")
    assert isinstance(node, All) and node.items[1] == Not(node.items[1].this)
    assert isinstance(node.items[1].this, Unparsed)


def test_a_count_with_treatments_left_out_is_not_a_ban_on_them() -> None:
    node = parse_criterion(
        "No more than 1 prior chemotherapy regimen (excluding adjuvant chemotherapy)")
    assert isinstance(node, Any)
    assert node.items[0] == PriorTherapy(comparator="<=", value=1, status="prior")
    assert isinstance(node.items[1], Unparsed)


def test_an_exception_alone_permits() -> None:
    node = parse_criterion("With the exception of local treatment for Kaposi's sarcoma.",
                           "exclusion")
    assert isinstance(node, Allowed)


def test_other_malignancy_except_stays_a_narrowed_prohibition() -> None:
    node = parse_criterion(
        "No other active malignancy except adequately treated basal cell carcinoma", "exclusion")
    assert isinstance(node, Not) and isinstance(node.this, All)
    inner = node.this.items
    assert isinstance(inner[1], Not) and inner[1].this.concept == "basal_cell_carcinoma"


# --- words that say what a treatment or disease already is


def test_systemic_and_anticancer_join_the_treatment_they_name() -> None:
    assert parse_criterion("Systemic cytotoxic chemotherapy.", "exclusion") == PriorTherapy(
        drug_class="chemotherapy")
    node = parse_criterion("No concurrent anticancer hormonal therapy", "exclusion")
    assert isinstance(node, Not) and not list(node.find_all(Unparsed))


def test_the_setting_after_a_treatment() -> None:
    node = parse_criterion("No prior chemotherapy for metastatic disease", "exclusion")
    assert node == Not(PriorTherapy(drug_class="chemotherapy", status="prior",
                                    setting="metastatic"))


def test_major_grades_a_disease_and_qualifies_a_surgery() -> None:
    node = parse_criterion("No major ventricular arrhythmia", "exclusion")
    assert isinstance(node, Not) and node.this.qualifiers == ["clinically_significant"]
    node = parse_criterion("Prior major surgery within 4 weeks", "exclusion")
    assert isinstance(node, Procedure) and "major" in node.qualifiers


def test_a_permission_with_words_unread_keeps_its_text_alone() -> None:
    node = parse_criterion("Bronchoalveolar cell lung cancer allowed")
    assert isinstance(node, Allowed) and node.rule == "allowed.unread"
    assert node.text == "Bronchoalveolar cell lung cancer allowed"
    assert not list(node.find_all(Unparsed))
