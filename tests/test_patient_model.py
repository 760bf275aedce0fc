"""The patient model: therapy lines at the edges of the rule, ages, latest values, absences."""

from __future__ import annotations

import datetime as dt

from eligo.model.patient import (
    Biomarker,
    Condition,
    Histology,
    Medication,
    Observation,
    Patient,
    PerformanceStatus,
    derive_therapy_lines,
    karnofsky_to_ecog,
)

D0 = dt.date(2024, 1, 1)


def _med(
    drug: str, start_days: int | None, end_days: int | None = None, **kw: object
) -> Medication:
    start = D0 + dt.timedelta(days=start_days) if start_days is not None else None
    end = D0 + dt.timedelta(days=end_days) if end_days is not None else None
    return Medication(drug_id=drug, role=kw.pop("role", "anticancer"), start=start, end=end, **kw)


def _lines(*meds: Medication) -> list[list[str]]:
    return [line.drugs for line in derive_therapy_lines(meds)]


def test_drug_within_28_days_joins_the_line_and_day_29_starts_a_new_one() -> None:
    assert _lines(_med("carboplatin", 0), _med("atezolizumab", 28)) == [
        ["carboplatin", "atezolizumab"]
    ]
    assert _lines(_med("carboplatin", 0), _med("atezolizumab", 29)) == [
        ["carboplatin"],
        ["atezolizumab"],
    ]


def test_window_counts_from_the_first_drug_of_the_line_not_the_last() -> None:
    lines = _lines(_med("carboplatin", 0), _med("etoposide", 20), _med("atezolizumab", 40))
    assert lines == [["carboplatin", "etoposide"], ["atezolizumab"]]


def test_same_drug_restarted_after_90_days_is_a_new_line_but_not_after_90() -> None:
    continued = _lines(_med("paclitaxel", 0, 21), _med("paclitaxel", 111))  # gap 90 days
    assert continued == [["paclitaxel"]]
    restarted = _lines(_med("paclitaxel", 0, 21), _med("paclitaxel", 112))  # gap 91 days
    assert restarted == [["paclitaxel"], ["paclitaxel"]]


def test_ongoing_drug_never_has_a_gap() -> None:
    meds = (_med("durvalumab", 0, status="active"), _med("durvalumab", 400))
    lines = derive_therapy_lines(meds)
    assert len(lines) == 1 and lines[0].end is None


def test_supportive_planned_and_negated_drugs_make_no_line() -> None:
    meds = (
        _med("carboplatin", 0, 63),
        _med("dexamethasone", 100, role="supportive"),
        _med("filgrastim", 150, role="supportive"),
        _med("tarlatamab", 200, status="intended"),
        _med("lurbinectedin", None, negated=True),
    )
    lines = derive_therapy_lines(meds)
    assert [line.drugs for line in lines] == [["carboplatin"]]
    assert lines[0].start == D0 and lines[0].end == D0 + dt.timedelta(days=63)


def test_undated_regimens_and_explicit_lines() -> None:
    meds = (
        _med("carboplatin", None, regimen="r1"),
        _med("etoposide", None, regimen="r1"),
        _med("topotecan", None),
        _med("cisplatin", 0, line=1),
    )
    lines = derive_therapy_lines(meds)
    assert [(line.number, line.drugs) for line in lines] == [
        (1, ["cisplatin"]),
        (2, ["carboplatin", "etoposide"]),
        (3, ["topotecan"]),
    ]


def test_patient_derives_lines_on_construction() -> None:
    p = Patient(medications=[_med("carboplatin", 0), _med("lurbinectedin", 200)])
    assert [line.number for line in p.therapy_lines] == [1, 2]
    again = Patient.model_validate(p.model_dump(mode="json"))
    assert again.therapy_lines == p.therapy_lines


def test_age_from_birth_date_counts_completed_years() -> None:
    p = Patient(birth_date=dt.date(1961, 5, 2))
    assert p.age_on(dt.date(2025, 5, 1)) == 63
    assert p.age_on(dt.date(2025, 5, 2)) == 64


def test_age_from_a_stated_age_moves_with_time() -> None:
    p = Patient(stated_age=64, stated_age_on=dt.date(2024, 1, 1))
    assert p.age_on(dt.date(2024, 6, 1)) == 64
    assert p.age_on(dt.date(2026, 1, 2)) == 66
    assert Patient().age_on(D0) is None


def test_latest_ignores_values_after_as_of_and_prefers_dated() -> None:
    p = Patient(
        observations=[
            Observation(measurement_id="platelets", value=85, date=dt.date(2024, 3, 1)),
            Observation(measurement_id="platelets", value=180, date=dt.date(2024, 5, 1)),
            Observation(measurement_id="platelets", value=999),
            Observation(measurement_id="hemoglobin", value=9.2, date=dt.date(2024, 6, 1)),
        ]
    )
    assert p.latest("platelets").value == 180
    assert p.latest("platelets", as_of=dt.date(2024, 4, 1)).value == 85
    assert p.latest("platelets", as_of=dt.date(2024, 1, 1)).value == 999
    assert p.latest("creatinine") is None


def test_performance_status_converts_karnofsky_when_no_ecog() -> None:
    p = Patient(performance_status=[PerformanceStatus(scale="karnofsky", value=70)])
    assert p.latest_performance("ecog").value == 1
    assert p.latest_performance("karnofsky").value == 70
    assert [karnofsky_to_ecog(k) for k in (100, 90, 80, 50, 40, 10, 0)] == [0, 0, 1, 2, 3, 4, 5]


def test_latest_biomarker_by_date() -> None:
    p = Patient(
        biomarkers=[
            Biomarker(name="dll3", value=0, scale="percent", date=dt.date(2023, 1, 1)),
            Biomarker(name="dll3", value=5, scale="percent", date=dt.date(2024, 1, 1)),
        ]
    )
    assert p.latest_biomarker("dll3").value == 5


def test_medications_of_class_and_negated_absence() -> None:
    p = Patient(
        medications=[
            Medication(drug_id="carboplatin", classes=["platinum"], role="anticancer"),
            Medication(drug_id="tarlatamab", classes=["dll3_targeted"], negated=True),
        ]
    )
    assert [m.drug_id for m in p.medications_of_class("platinum")] == ["carboplatin"]
    assert p.medications_of_class("dll3_targeted") == []
    assert len(p.medications_of_class("tarlatamab", negated=True)) == 1
    assert p.medications_of_class("dll3_targeted", negated=True) == []
    assert p.medications_of_class("carboplatin")[0].drug_id == "carboplatin"


def test_documented_keeps_absent_and_unknown_apart() -> None:
    p = Patient(documented={"medications"}, conditions=[Condition(concept_id="x", negated=True)])
    assert p.is_documented("medications") and not p.is_documented("procedures")


def test_conditions_matching_follows_the_vocabulary_hierarchy() -> None:
    from eligo.vocab import vocabulary

    vocab = vocabulary()
    p = Patient(
        conditions=[
            Condition(concept_id="extensive_stage_sclc"),
            Condition(concept_id="brain_metastases", negated=True),
            Condition(
                concept_id="carcinoma", histology=Histology(concept_id="small_cell_carcinoma")
            ),
        ]
    )
    assert len(p.conditions_matching("sclc", vocab)) == 1
    assert len(p.conditions_matching("neuroendocrine_carcinoma", vocab)) == 2  # by histology too
    assert p.conditions_matching("brain_metastases", vocab) == []
    assert len(p.conditions_matching("brain_metastases", vocab, negated=True)) == 1
    assert p.conditions_matching("cns_metastases", vocab, negated=True) == []
    denied = Patient(conditions=[Condition(concept_id="metastatic_disease", negated=True)])
    assert len(denied.conditions_matching("brain_metastases", vocab, negated=True)) == 1
    assert p.conditions_matching("breast_cancer", vocab) == []


def test_never_received_a_class_rules_out_its_drugs() -> None:
    from eligo.vocab import vocabulary

    vocab = vocabulary()
    p = Patient(medications=[Medication(classes=["platinum"], negated=True)])
    assert len(p.medications_of_class("carboplatin", vocab, negated=True)) == 1
    assert len(p.medications_of_class("platinum", negated=True)) == 1
    assert p.medications_of_class("etoposide", vocab, negated=True) == []


def test_latest_pregnancy_folds_separate_statements() -> None:
    from eligo.model.patient import PregnancyStatus

    p = Patient(
        pregnancy=[
            PregnancyStatus(pregnant=False, date=dt.date(2025, 1, 1)),
            PregnancyStatus(breastfeeding=True, date=dt.date(2025, 2, 1)),
        ]
    )
    both = p.latest_pregnancy()
    assert both.pregnant is False and both.breastfeeding is True
    assert p.latest_pregnancy(about="breastfeeding").date == dt.date(2025, 2, 1)
    assert p.latest_pregnancy(dt.date(2025, 1, 15)).breastfeeding is None
    assert Patient().latest_pregnancy() is None
