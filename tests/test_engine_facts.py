"""The evaluator's fact rules, one node kind at a time, on hand-built patients: measurements
and their windows, ×ULN, derived values (Cockcroft-Gault against a worked example, QTcF, BSA),
conditions through the hierarchy, the absent-versus-unknown rule, therapy and washouts."""

from __future__ import annotations

import datetime as dt

import pytest

from eligo.engine import Evaluator
from eligo.engine.derived import cockcroft_gault, fridericia, mosteller
from eligo.model.expression import (
    Age,
    Biomarker,
    Condition,
    Derived,
    Longest,
    Measurement,
    Not,
    PerformanceStatus,
    PriorTherapy,
    Procedure,
    TrialParticipation,
    Vaccination,
    Window,
)
from eligo.model.patient import Biomarker as PatientBiomarker
from eligo.model.patient import Condition as PatientCondition
from eligo.model.patient import (
    DiseaseStatus,
    Medication,
    Observation,
    Patient,
    Stage,
)
from eligo.model.patient import (
    PerformanceStatus as PatientPS,
)
from eligo.model.patient import (
    Procedure as PatientProcedure,
)
from eligo.model.patient import (
    TrialParticipation as PatientTrial,
)
from eligo.model.patient import (
    Vaccination as PatientVaccination,
)

AS_OF = dt.date(2026, 10, 1)


def days_ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


def lab(measurement_id, value, unit, ago=3, **more) -> Observation:
    return Observation(
        measurement_id=measurement_id, value=value, unit=unit, date=days_ago(ago), **more
    )


def patient(**fields) -> Patient:
    base = {"birth_date": dt.date(1960, 5, 1), "sex": "male"}
    return Patient(**{**base, **fields})


def run(node, who: Patient):
    return Evaluator(who, AS_OF).evaluate(node)


PLATELETS_100 = Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L")


# -- measurements ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "verdict"), [(99, "not_met"), (100, "met"), (101, "met")])
def test_threshold_just_inside_and_outside(value, verdict):
    result = run(PLATELETS_100, patient(observations=[lab("platelets", value, "10*9/L")]))
    assert result.verdict == verdict
    assert f"{value} ×10⁹/L on {days_ago(3).isoformat()}" in result.reason


def test_value_in_other_units_is_converted():
    # 100 000 /mm3 is 100 ×10⁹/L; the recorded unit is quoted as evidence
    obs = lab("platelets", 100000, "/mm3", original_value=100000, original_unit="/mm3")
    result = run(PLATELETS_100, patient(observations=[obs]))
    assert result.verdict == "met"


def test_latest_value_in_the_window_wins():
    who = patient(
        observations=[
            lab("platelets", 150, "10*9/L", ago=10),
            lab("platelets", 80, "10*9/L", ago=2),
        ]
    )
    assert run(PLATELETS_100, who).verdict == "not_met"


def test_value_too_old_is_unknown_and_says_so():
    who = patient(observations=[lab("platelets", 150, "10*9/L", ago=40)])
    result = run(PLATELETS_100, who)
    assert result.verdict == "unknown"
    assert f"latest Platelet count is from {days_ago(40).isoformat()}, too old" in result.reason
    assert result.ask == ("measurement", "platelets")


def test_window_of_the_criterion_is_counted_from_the_as_of_date():
    within_21 = PLATELETS_100.copy()
    within_21.set("window", Window(amount=21, unit="days", reference="cycle1_day1"))
    assert (
        run(within_21, patient(observations=[lab("platelets", 150, "10*9/L", ago=21)])).verdict
        == "met"
    )
    late = run(within_21, patient(observations=[lab("platelets", 150, "10*9/L", ago=22)]))
    assert late.verdict == "unknown"
    assert "taken as the as-of date 2026-10-01" in late.reason


def test_values_after_the_as_of_date_are_not_used():
    who = patient(observations=[lab("platelets", 150, "10*9/L", ago=-5)])
    assert run(PLATELETS_100, who).verdict == "unknown"


def test_no_value_is_unknown_even_with_documented_results():
    # a lab not done is never "absent": the record simply does not know it
    who = patient(observations=[lab("hemoglobin", 120, "g/L")], documented={"observations"})
    assert run(PLATELETS_100, who).verdict == "unknown"


def test_uln_from_the_laboratory_reference_range():
    ast = Measurement(measurement="ast", comparator="<", uln=3)
    who = patient(observations=[lab("ast", 100, "U/L", reference_high=30)])
    result = run(ast, who)  # 3 × 30 = 90: 100 is above
    assert result.verdict == "not_met"
    assert "laboratory's reference range" in result.reason
    assert (
        run(ast, patient(observations=[lab("ast", 89, "U/L", reference_high=30)])).verdict == "met"
    )


def test_uln_from_the_vocabulary_when_the_record_has_no_range():
    ast = Measurement(measurement="ast", comparator="<", uln=3)
    result = run(ast, patient(observations=[lab("ast", 100, "U/L")]))  # 3 × 40 = 120
    assert result.verdict == "met"
    assert "eligo's typical adult range" in result.reason


def test_censored_value_decides_only_when_it_can():
    viral_load = Measurement(measurement="hbv_dna", comparator="<=", value=2000, unit="[IU]/mL")
    below = lab("hbv_dna", 20, "[IU]/mL", comparator="<")
    above = lab("hbv_dna", 1000, "[IU]/mL", comparator=">")
    assert run(viral_load, patient(observations=[below])).verdict == "met"
    assert run(viral_load, patient(observations=[above])).verdict == "unknown"


def test_qualitative_result():
    negative = Measurement(measurement="hbsag", result="negative")
    who = patient(
        observations=[Observation(measurement_id="hbsag", value_text="Negative", date=days_ago(30))]
    )
    assert run(negative, who).verdict == "met"
    who = patient(
        observations=[Observation(measurement_id="hbsag", interpretation="POS", date=days_ago(30))]
    )
    assert run(negative, who).verdict == "not_met"


# -- derived values ---------------------------------------------------------------------


def test_cockcroft_gault_worked_example():
    # 65-year-old woman, 60 kg, serum creatinine 1.2 mg/dL:
    # (140 − 65) × 60 / (72 × 1.2) × 0.85 = 4500 / 86.4 × 0.85 = 44.27 mL/min
    assert cockcroft_gault(65, 60, True, 1.2 * 88.42) == pytest.approx(44.27, abs=0.01)
    # the same man: 52.08 mL/min
    assert cockcroft_gault(65, 60, False, 1.2 * 88.42) == pytest.approx(52.08, abs=0.01)


CRCL_30 = Derived(
    measurement="creatinine_clearance",
    method="cockcroft_gault",
    comparator=">=",
    value=30,
    unit="mL/min",
)


def test_cockcroft_gault_from_the_record_in_either_unit():
    woman = patient(
        birth_date=dt.date(1961, 9, 1),
        sex="female",
        observations=[
            Observation(measurement_id="creatinine", value=1.2, unit="mg/dL", date=days_ago(5)),
            lab("weight", 60, "kg", ago=20),
        ],
    )
    result = run(CRCL_30, woman)  # age 65 on the as-of date: 44.3 mL/min
    assert result.verdict == "met"
    assert "44.3 mL/min" in result.reason and "Cockcroft-Gault" in result.reason
    kinds = {e.fact for e in result.evidence}
    assert {"computed", "observation", "demographics"} <= kinds
    needs_50 = Derived(
        measurement="creatinine_clearance",
        method="cockcroft_gault",
        comparator=">=",
        value=50,
        unit="mL/min",
    )
    assert run(needs_50, woman).verdict == "not_met"  # a man would reach 52.1


def test_cockcroft_gault_without_sex_decides_only_when_both_agree():
    def who(weight):
        return patient(
            birth_date=dt.date(1961, 9, 1),
            sex=None,
            observations=[lab("creatinine", 106.1, "umol/L"), lab("weight", weight, "kg")],
        )

    needs_50 = Derived(
        measurement="creatinine_clearance",
        method="cockcroft_gault",
        comparator=">=",
        value=50,
        unit="mL/min",
    )
    assert run(needs_50, who(60)).verdict == "unknown"  # 44.3 if female, 52.1 if male
    assert run(needs_50, who(90)).verdict == "met"  # both above 50


def test_cockcroft_gault_missing_weight_is_unknown_and_asks():
    result = run(CRCL_30, patient(observations=[lab("creatinine", 80, "umol/L")]))
    assert result.verdict == "unknown"
    assert "body weight" in result.reason
    assert result.ask == ("several", "measurement:weight")


def test_recorded_clearance_wins_over_computing():
    who = patient(observations=[lab("creatinine_clearance", 25, "mL/min")])
    assert run(CRCL_30, who).verdict == "not_met"


def test_qtcf_recorded_and_computed():
    qtcf = Derived(measurement="qtcf", method="fridericia", comparator=">", value=450, unit="ms")
    assert run(qtcf, patient(observations=[lab("qtcf", 460, "ms")])).verdict == "met"
    assert fridericia(400, 1000) == pytest.approx(400)
    # QT 420 ms at 75 beats/min: RR 800 ms, QTcF = 420 / 0.8^(1/3) = 452.4 ms
    raw = patient(observations=[lab("qt_interval", 420, "ms"), lab("heart_rate", 75, "/min")])
    result = run(qtcf, raw)
    assert result.verdict == "met" and "452.4 ms" in result.reason
    assert "computed by Fridericia" in result.reason
    # only the QT: nothing to correct it with
    alone = run(qtcf, patient(observations=[lab("qt_interval", 420, "ms")]))
    assert alone.verdict == "unknown" and "heart rate" in alone.reason
    # a QTc without its formula stands in, and the reason says so
    machine = run(qtcf, patient(observations=[lab("qtc", 430, "ms")]))
    assert machine.verdict == "not_met" and "correction formula not recorded" in machine.reason


def test_bsa_by_mosteller():
    assert mosteller(180, 80) == pytest.approx(2.0)
    bsa = Derived(measurement="bsa", method="mosteller", comparator=">=", value=1.9, unit="m2")
    who = patient(observations=[lab("height", 180, "cm", ago=300), lab("weight", 80, "kg")])
    assert run(bsa, who).verdict == "met"


# -- conditions and the absent-versus-unknown rule ---------------------------------------


def test_condition_through_the_hierarchy():
    who = patient(conditions=[PatientCondition(concept_id="sclc")], documented={"conditions"})
    assert run(Condition(concept="lung_cancer"), who).verdict == "met"
    assert run(Condition(concept="neuroendocrine_carcinoma"), who).verdict == "met"
    assert run(Condition(concept="nsclc"), who).verdict == "not_met"


def test_absent_versus_unknown():
    documented = patient(
        conditions=[PatientCondition(concept_id="sclc")], documented={"conditions"}
    )
    result = run(Condition(concept="hiv"), documented)
    assert result.verdict == "not_met"
    assert "documented problem list" in result.reason
    undocumented = patient(conditions=[PatientCondition(concept_id="sclc")])
    result = run(Condition(concept="hiv"), undocumented)
    assert result.verdict == "unknown"
    assert result.ask == ("condition", "hiv")
    # a documented absence counts whatever the domain
    refuted = patient(conditions=[PatientCondition(concept_id="hiv", negated=True)])
    assert run(Condition(concept="hiv"), refuted).verdict == "not_met"
    # medications: a documented list without the drug is "not received"
    meds = patient(
        medications=[Medication(drug_id="cisplatin", role="anticancer")], documented={"medications"}
    )
    assert run(PriorTherapy(drug="tarlatamab"), meds).verdict == "not_met"
    assert run(PriorTherapy(drug="tarlatamab"), patient()).verdict == "unknown"


def test_liver_metastasis_from_the_cancer_or_its_own_condition():
    via_site = patient(conditions=[PatientCondition(concept_id="sclc", metastatic_sites=["liver"])])
    assert run(Condition(concept="liver_metastases"), via_site).verdict == "met"
    own = patient(conditions=[PatientCondition(concept_id="liver_metastases", role="metastasis")])
    assert run(Condition(concept="liver_metastases"), own).verdict == "met"
    assert run(Condition(concept="metastatic_disease"), own).verdict == "met"


def test_condition_status_stage_and_differentiation():
    resolved = patient(conditions=[PatientCondition(concept_id="hepatitis_b", status="resolved")])
    assert run(Condition(concept="hepatitis_b", status="active"), resolved).verdict == "not_met"
    assert run(Condition(concept="hepatitis_b", status="history"), resolved).verdict == "met"
    staged = patient(conditions=[PatientCondition(concept_id="sclc", stages=[Stage(group="IIIA")])])
    assert run(Condition(concept="sclc", stage="metastatic"), staged).verdict == "not_met"
    assert run(Condition(concept="sclc", stage="locally_advanced"), staged).verdict == "met"
    unstaged = patient(conditions=[PatientCondition(concept_id="sclc")])
    assert run(Condition(concept="sclc", stage="metastatic"), unstaged).verdict == "unknown"
    net = patient(conditions=[PatientCondition(concept_id="pancreatic_net", grade="G2")])
    assert (
        run(Condition(concept="neuroendocrine_neoplasm", differentiation="well"), net).verdict
        == "met"
    )
    assert run(Condition(concept="net"), net).verdict == "met"


def test_qualifier_the_record_does_not_state_is_unknown():
    who = patient(conditions=[PatientCondition(concept_id="hypertension", text="hypertension")])
    node = Condition(concept="hypertension", qualifiers=["uncontrolled"])
    result = run(node, who)
    assert result.verdict == "unknown" and "uncontrolled" in result.reason
    stated = patient(
        conditions=[PatientCondition(concept_id="hypertension", text="uncontrolled hypertension")]
    )
    assert run(node, stated).verdict == "met"


# -- therapy, washouts, procedures ----------------------------------------------------------

PLATINUM_LINE = [
    Medication(
        drug_id="carboplatin",
        role="anticancer",
        start=dt.date(2026, 1, 5),
        end=dt.date(2026, 4, 1),
        status="completed",
    ),
    Medication(
        drug_id="etoposide",
        role="anticancer",
        start=dt.date(2026, 1, 5),
        end=dt.date(2026, 4, 1),
        status="completed",
    ),
]


def test_prior_lines_and_platinum():
    who = patient(medications=PLATINUM_LINE, documented={"medications"})
    assert run(PriorTherapy(comparator=">=", value=1), who).verdict == "met"
    assert run(PriorTherapy(comparator="<=", value=3), who).verdict == "met"
    assert run(PriorTherapy(comparator=">=", value=2), who).verdict == "not_met"
    platinum = run(PriorTherapy(drug_class="platinum", status="prior"), who)
    assert platinum.verdict == "met" and "Carboplatin" in platinum.reason


def test_lines_are_a_lower_bound_without_a_documented_medication_list():
    who = patient(medications=PLATINUM_LINE)
    assert run(PriorTherapy(comparator=">=", value=1), who).verdict == "met"
    assert run(PriorTherapy(comparator="<=", value=3), who).verdict == "unknown"
    assert run(PriorTherapy(comparator=">=", value=1), patient()).verdict == "unknown"


def test_washout_window_against_the_as_of_date():
    within_30 = PriorTherapy(
        category="chemotherapy", window=Window(amount=30, unit="days", reference="first_dose")
    )
    ended = [m.model_copy(update={"end": days_ago(31)}) for m in PLATINUM_LINE]
    assert run(within_30, patient(medications=ended)).verdict == "not_met"
    recent = [m.model_copy(update={"end": days_ago(29)}) for m in PLATINUM_LINE]
    assert run(within_30, patient(medications=recent)).verdict == "met"
    ongoing = [m.model_copy(update={"end": None, "status": "active"}) for m in PLATINUM_LINE]
    assert run(within_30, patient(medications=ongoing)).verdict == "met"


def test_longest_of_days_and_half_lives():
    window = Longest(
        Window(amount=30, unit="days", reference="first_dose"),
        Window(amount=5, unit="half_lives", reference="first_dose"),
    )
    node = PriorTherapy(category="anticancer", window=window)
    # durvalumab: 5 half-lives ≈ 90 days, longer than 30 days
    durvalumab = Medication(
        drug_id="durvalumab",
        role="anticancer",
        start=days_ago(200),
        end=days_ago(60),
        status="completed",
    )
    assert run(node, patient(medications=[durvalumab])).verdict == "met"
    # a drug without a known half-life, stopped 60 days ago: cannot tell
    unknown_drug = durvalumab.model_copy(update={"drug_id": None, "text": "study drug X"})
    assert run(node, patient(medications=[unknown_drug])).verdict == "unknown"


def test_platinum_resistance_from_progression_dates():
    progression = DiseaseStatus(status="progression", date=dt.date(2026, 5, 1))
    who = patient(medications=PLATINUM_LINE, disease_status=[progression])
    resistant = PriorTherapy(drug_class="platinum", outcome="resistant")
    sensitive = PriorTherapy(drug_class="platinum", outcome="sensitive")
    assert run(resistant, who).verdict == "met"  # 30 days after the last dose
    assert run(sensitive, who).verdict == "not_met"


def test_brain_radiotherapy_washout():
    node = Procedure(
        procedure="radiotherapy",
        site="brain",
        qualifiers=["whole_brain"],
        window=Window(amount=14, unit="days", reference="cycle1_day1"),
    )
    wbrt = PatientProcedure(
        kind="radiotherapy", text="WBRT", site="whole brain", start=days_ago(30), end=days_ago(10)
    )
    assert run(node, patient(procedures=[wbrt])).verdict == "met"
    earlier = wbrt.model_copy(update={"end": days_ago(20)})
    assert run(node, patient(procedures=[earlier])).verdict == "not_met"
    thorax = wbrt.model_copy(update={"text": "thoracic radiotherapy", "site": "thorax"})
    assert run(node, patient(procedures=[thorax], documented={"procedures"})).verdict == "not_met"


@pytest.mark.parametrize(
    ("text", "site", "verdict"),
    [
        ("lumpectomy", None, "met"),  # the procedure names its site
        ("mastectomy", None, "met"),
        ("resection", "colon", "not_met"),  # recorded elsewhere
        ("colectomy", None, "not_met"),
        ("surgery", None, "unknown"),  # no site recorded: not known to be elsewhere
        ("operation", None, "unknown"),
    ],
)
def test_surgery_site_from_its_words(text, site, verdict):
    node = Procedure(procedure="surgery", site="breast")
    done = PatientProcedure(kind="surgery", text=text, site=site, start=days_ago(60))
    assert run(node, patient(procedures=[done])).verdict == verdict


def test_vaccination_and_other_trials():
    live = Vaccination(live=True, window=Window(amount=28, unit="days"))
    shingles = PatientVaccination(vaccine="zoster live", live=True, date=days_ago(10))
    assert run(live, patient(vaccinations=[shingles])).verdict == "met"
    assert run(live, patient(documented={"vaccinations"})).verdict == "not_met"
    trial = TrialParticipation(window=Window(amount=30, unit="days"))
    other = PatientTrial(trial="NCT01234567", start=days_ago(200), end=days_ago(100))
    assert run(trial, patient(trial_participation=[other])).verdict == "not_met"


# -- biomarkers, performance status, age ---------------------------------------------------


def test_biomarker_levels_and_scales():
    dll3 = Biomarker(name="dll3", comparator=">=", value=1, scale="percent")
    positive = patient(biomarkers=[PatientBiomarker(name="dll3", value=5, scale="percent")])
    assert run(dll3, positive).verdict == "met"
    zero = patient(biomarkers=[PatientBiomarker(name="dll3", value=0, scale="percent")])
    assert run(dll3, zero).verdict == "not_met"
    assert run(dll3, patient()).verdict == "unknown"
    # a percentage bounds the H-score: percent ≤ H-score ≤ 3 × percent
    h_score = Biomarker(name="dll3", comparator=">=", value=1, scale="h_score")
    assert run(h_score, positive).verdict == "met"
    assert run(h_score, zero).verdict == "not_met"
    h_score_10 = Biomarker(name="dll3", comparator=">=", value=10, scale="h_score")
    result = run(h_score_10, positive)
    assert result.verdict == "unknown" and "between 5 and 15" in result.reason


def test_performance_status_across_scales():
    ecog2 = PerformanceStatus(scale="ecog", comparator="<=", value=2)
    assert (
        run(
            ecog2, patient(performance_status=[PatientPS(scale="ecog", value=2, date=days_ago(7))])
        ).verdict
        == "met"
    )
    kps = patient(performance_status=[PatientPS(scale="karnofsky", value=40, date=days_ago(7))])
    assert run(ecog2, kps).verdict == "not_met"  # Karnofsky 40 is ECOG 3
    karnofsky70 = PerformanceStatus(scale="karnofsky", comparator=">=", value=70)
    ecog1 = patient(performance_status=[PatientPS(scale="ecog", value=1, date=days_ago(7))])
    assert run(karnofsky70, ecog1).verdict == "met"  # ECOG 1 is Karnofsky 70–80
    old = patient(performance_status=[PatientPS(scale="ecog", value=1, date=days_ago(200))])
    assert run(ecog2, old).verdict == "unknown"


def test_age_at_the_as_of_date():
    # born 1960-05-01: 66 on 2026-10-01
    assert run(Age(comparator=">=", value=66), patient()).verdict == "met"
    assert run(Age(comparator="<", value=66), patient()).verdict == "not_met"
    assert run(Age(comparator=">=", value=18), patient(birth_date=None)).verdict == "unknown"
    assert run(Not(Age(comparator=">", value=75)), patient()).verdict == "met"


def test_a_less_specific_diagnosis_neither_shows_nor_rules_out():
    vague = patient(
        conditions=[PatientCondition(concept_id="neuroendocrine_carcinoma")],
        documented={"conditions"},
    )
    result = run(Condition(concept="sclc"), vague)
    assert result.verdict == "unknown" and "not specific enough" in result.reason
    specific = patient(
        conditions=[PatientCondition(concept_id="gep_nec")], documented={"conditions"}
    )
    assert run(Condition(concept="sclc"), specific).verdict == "not_met"


def test_other_malignancy_leaves_out_the_patients_own_cancer():
    from eligo.model.patient import Condition as PatientCondition

    sclc = PatientCondition(concept_id="sclc", role="primary", metastatic_sites=["liver"])
    other = Condition(concept="malignant_neoplasm", qualifiers=["other"])
    plain = Condition(concept="malignant_neoplasm")
    assert run(plain, patient(conditions=[sclc])).verdict == "met"
    assert run(other, patient(conditions=[sclc], documented={"conditions"})).verdict == "not_met"
    melanoma = PatientCondition(concept_id="melanoma", status="active")
    assert run(other, patient(conditions=[sclc, melanoma])).verdict == "met"
