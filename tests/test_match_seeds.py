"""Thirty patients, written as FHIR bundles (tests/data/match/patients, built by
build_patients.py), against the two seed trials, with the verdicts a clinician would give.

The seed trials are read by the ingest adapters; their key criteria are written here as the
expressions they mean (what eligo's parser aims to produce), so these tests hold the matcher
to the clinician's answer whatever the parser's state. tests/test_match_parsed.py runs the same
patients through the parser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligo.engine import TrialMatch, match_trial
from eligo.ingest import read_trials
from eligo.model import Cohort as TrialCohort
from eligo.model import Criterion, Trial
from eligo.model.expression import (
    Age,
    All,
    Any,
    Biomarker,
    Breastfeeding,
    ChildbearingPotential,
    Cohort,
    Condition,
    Derived,
    LifeExpectancy,
    Longest,
    MeasurableDisease,
    Measurement,
    Not,
    PerformanceStatus,
    Pregnancy,
    PriorTherapy,
    Procedure,
    Sex,
    Team,
    Unparsed,
    Vaccination,
    Window,
)
from eligo.patients import read_patient

AS_OF = dt.date(2026, 10, 1)
DATA = Path(__file__).parent / "data"
PATIENTS = DATA / "match" / "patients"


def c1d1(days: float, unit: str = "days") -> Window:
    return Window(amount=days, unit=unit, reference="cycle1_day1")


def washout(days: float) -> Longest:
    return Longest(
        Window(amount=days, unit="days", reference="first_dose"),
        Window(amount=5, unit="half_lives", reference="first_dose"),
    )


def lab(measurement: str, comparator: str, **threshold) -> Measurement:
    return Measurement(measurement=measurement, comparator=comparator, window=c1d1(21), **threshold)


def uln(measurement: str, multiple: float) -> Measurement:
    return lab(measurement, "<", uln=multiple)


def inclusion(ident: str, expression=None, children=()) -> Criterion:
    return Criterion(
        id=ident, kind="inclusion", text=ident, expression=expression, children=list(children)
    )


def exclusion(ident: str, expression=None, children=()) -> Criterion:
    return Criterion(
        id=ident, kind="exclusion", text=ident, expression=expression, children=list(children)
    )


def sclc_stage():
    return Any(
        Condition(concept="sclc", stage="metastatic"),
        Condition(concept="sclc", stage="locally_advanced"),
    )


def tarlatamab_criteria() -> list[Criterion]:
    """Seed 001 (UNLOCK TARLATAMAB), its key criteria as the expressions they mean."""
    liver = Condition(concept="liver_metastases")
    gilbert = Condition(concept="gilbert_syndrome")
    return [
        inclusion("inc-1", Age(comparator=">=", value=18)),
        inclusion(
            "inc-2",
            Any(
                All(Cohort(name="1"), sclc_stage()),
                All(
                    Cohort(name="2"),
                    Any(
                        Condition(concept="neuroendocrine_carcinoma"),
                        Condition(concept="mtc", grade="high"),
                    ),
                    Any(
                        Biomarker(name="dll3", comparator=">=", value=1, scale="percent"),
                        Biomarker(name="dll3", comparator=">=", value=1, scale="h_score"),
                    ),
                ),
            ),
        ),
        inclusion(
            "inc-5",
            All(
                PriorTherapy(comparator=">=", value=1),
                PriorTherapy(drug_class="platinum", status="prior"),
                Team(category="investigator_opinion", text="progression on standard treatment"),
            ),
        ),
        inclusion("inc-7", PerformanceStatus(scale="ecog", comparator="<=", value=2)),
        inclusion("inc-8", LifeExpectancy(comparator=">=", value=3)),
        inclusion("inc-9", MeasurableDisease(criteria="recist_1.1")),
        inclusion(
            "inc-11",
            children=[
                inclusion(
                    "inc-11.1",
                    All(
                        lab("platelets", ">=", value=100, unit="10*9/L"),
                        Not(Procedure(procedure="transfusion", window=c1d1(14))),
                    ),
                ),
                inclusion("inc-11.2", lab("hemoglobin", ">=", value=90, unit="g/L")),
                inclusion(
                    "inc-11.3",
                    All(
                        lab("anc", ">=", value=1.5, unit="10*9/L"),
                        Not(PriorTherapy(drug_class="g_csf", window=c1d1(14))),
                    ),
                ),
                inclusion(
                    "inc-11.4",
                    Any(
                        Derived(
                            measurement="creatinine_clearance",
                            method="cockcroft_gault",
                            comparator=">=",
                            value=30,
                            unit="mL/min",
                            window=c1d1(21),
                        ),
                        lab("creatinine_clearance", ">=", value=30, unit="mL/min"),
                    ),
                ),
                inclusion(
                    "inc-11.5",
                    Any(
                        All(Not(liver), uln("ast", 3), uln("alt", 3), uln("alp", 3)),
                        All(liver.copy(), uln("ast", 5), uln("alt", 5), uln("alp", 5)),
                    ),
                ),
                inclusion(
                    "inc-11.6",
                    Any(
                        All(Not(gilbert), Not(liver.copy()), uln("total_bilirubin", 1.5)),
                        All(gilbert.copy(), uln("total_bilirubin", 3)),
                        All(liver.copy(), uln("total_bilirubin", 2)),
                    ),
                ),
                inclusion("inc-11.7", lab("albumin", ">=", value=25, unit="g/L")),
            ],
        ),
        inclusion(
            "inc-12",
            Measurement(
                measurement="spo2", comparator=">", value=90, unit="%", context="on room air"
            ),
        ),
        inclusion(
            "inc-13",
            Any(
                Not(ChildbearingPotential()),
                All(
                    Not(Pregnancy(test="serum")),
                    Team(category="contraception", text="contraception"),
                ),
            ),
        ),
        inclusion("inc-17", Team(category="consent", text="informed consent")),
        exclusion(
            "exc-3",
            Any(
                Condition(concept="net"),
                Condition(concept="pheochromocytoma"),
                Condition(concept="paraganglioma"),
                Condition(concept="mtc", grade="low"),
            ),
        ),
        exclusion(
            "exc-7",
            children=[
                exclusion(
                    "exc-7.1",
                    Any(
                        Procedure(
                            procedure="radiotherapy",
                            site="brain",
                            qualifiers=["whole_brain"],
                            window=c1d1(14),
                        ),
                        Procedure(
                            procedure="radiotherapy",
                            site="brain",
                            qualifiers=["stereotactic"],
                            window=c1d1(14),
                        ),
                    ),
                ),
                exclusion(
                    "exc-7.3",
                    Any(
                        PriorTherapy(category="investigational", window=washout(30)),
                        PriorTherapy(category="immunotherapy", window=washout(30)),
                        PriorTherapy(category="targeted", window=washout(30)),
                        PriorTherapy(category="chemotherapy", window=washout(14)),
                        All(
                            PriorTherapy(category="chemotherapy", window=washout(30)),
                            Unparsed(
                                text="treatment-related toxicity not resolved to grade ≤1",
                                reason="hand-written",
                            ),
                        ),
                    ),
                ),
                exclusion("exc-7.5", Vaccination(live=True, window=c1d1(28))),
            ],
        ),
        exclusion(
            "exc-8",
            Any(PriorTherapy(drug="tarlatamab"), PriorTherapy(drug_class="dll3_targeted_agent")),
        ),
        exclusion(
            "exc-16",
            children=[
                exclusion(
                    "exc-16.1",
                    Any(
                        All(
                            Sex(value="female"),
                            Derived(
                                measurement="qtcf",
                                method="fridericia",
                                comparator=">",
                                value=470,
                                unit="ms",
                            ),
                        ),
                        All(
                            Sex(value="male"),
                            Derived(
                                measurement="qtcf",
                                method="fridericia",
                                comparator=">",
                                value=450,
                                unit="ms",
                            ),
                        ),
                    ),
                ),
                exclusion(
                    "exc-16.2", Measurement(measurement="lvef", comparator="<", value=50, unit="%")
                ),
            ],
        ),
        exclusion(
            "exc-21",
            All(
                Condition(concept="hiv"),
                Not(
                    All(
                        PriorTherapy(drug_class="antiretroviral", status="current"),
                        Measurement(measurement="hiv_viral_load", result="negative"),
                    )
                ),
            ),
        ),
        exclusion("exc-22", All(Sex(value="female"), Any(Pregnancy(), Breastfeeding()))),
    ]


def iadademstat_criteria() -> list[Criterion]:
    """Seed 000 (iadademstat + paclitaxel), criteria stated in its description."""
    return [
        inclusion(
            "inc-1",
            All(
                Any(Condition(concept="sclc"), Condition(concept="extrapulmonary_nec")),
                PriorTherapy(drug_class="platinum", outcome="progression"),
            ),
        ),
        inclusion(
            "inc-2",
            Any(
                Condition(concept="sclc", stage="metastatic"),
                Condition(concept="sclc", stage="unresectable"),
                All(
                    Condition(concept="extrapulmonary_nec", differentiation="poorly"),
                    Biomarker(name="ki67", comparator=">", value=20, scale="percent"),
                ),
            ),
        ),
        inclusion(
            "inc-3",
            All(
                PriorTherapy(comparator=">=", value=1),
                PriorTherapy(comparator="<=", value=3),
                PriorTherapy(drug_class="platinum", status="prior"),
            ),
        ),
    ]


def seed_trial(name: str, cohorts: list[TrialCohort]) -> Trial:
    trial = next(t for t in read_trials(DATA / "seeds" / name) if isinstance(t, Trial))
    return trial.model_copy(update={"cohorts": cohorts})


TARLATAMAB = seed_trial(
    "001_36ee6b61676e01d5.txt",
    [
        TrialCohort(id="cohort-1", label="Cohort 1", description="SCLC", conditions=["SCLC"]),
        TrialCohort(
            id="cohort-2",
            label="Cohort 2",
            description="other poorly differentiated NECs",
            conditions=["poorly differentiated NECs", "high-grade MTC"],
        ),
    ],
)
IADADEMSTAT = seed_trial(
    "000_04011d3bb8defd9c.txt",
    [
        TrialCohort(id="cohort-1", label="Cohort 1", description="SCLC", conditions=["SCLC"]),
        TrialCohort(
            id="cohort-2",
            label="Cohort 2",
            description="extrapulmonary G3 NEC",
            conditions=["extrapulmonary neuroendocrine carcinoma"],
        ),
    ],
)


def run(patient_name: str, trial: Trial, criteria: list[Criterion]) -> TrialMatch:
    patient = read_patient(PATIENTS / f"{patient_name}.json").patient
    return match_trial(patient, trial, criteria, as_of=AS_OF)


def criterion(found: TrialMatch, ident: str):
    for top in found.criteria:
        for item in [top, *top.children]:
            if item.id == ident:
                return item
    raise AssertionError(f"no criterion {ident}")


# (patient, trial verdict, {criterion: verdict}, words the deciding reason must contain)
TARLATAMAB_CASES = [
    (
        "p01-fit-sclc",
        "possibly_eligible",
        {"inc-11": "met", "exc-16": "not_met", "inc-5": "team"},
        "",
    ),
    ("p02-platelets-99", "ineligible", {"inc-11.1": "not_met"}, "99 ×10⁹/L"),
    ("p03-platelets-100000-per-mm3", "possibly_eligible", {"inc-11.1": "met"}, ""),
    ("p04-hemoglobin-8.9-g-dl", "ineligible", {"inc-11.2": "not_met"}, "89 g/L"),
    ("p05-hemoglobin-9.0-g-dl", "possibly_eligible", {"inc-11.2": "met"}, ""),
    ("p06-anc-1400-per-ul", "ineligible", {"inc-11.3": "not_met"}, "1.4 ×10⁹/L"),
    ("p07-anc-1500-per-ul", "possibly_eligible", {"inc-11.3": "met"}, ""),
    ("p08-ast-3.25-uln", "ineligible", {"inc-11.5": "not_met"}, "130 U/L"),
    ("p09-ast-3.25-uln-liver-metastases", "possibly_eligible", {"inc-11.5": "met"}, ""),
    ("p10-bilirubin-1.4-uln", "possibly_eligible", {"inc-11.6": "met"}, ""),
    ("p11-bilirubin-1.6-uln", "ineligible", {"inc-11.6": "not_met"}, "33.6"),
    # Cockcroft-Gault 25.6 mL/min: a measured clearance could still qualify her
    (
        "p12-crcl-25-woman-75",
        "possibly_eligible",
        {"inc-11.4": "unknown", "exc-22": "not_applicable"},
        "",
    ),
    ("p13-crcl-42-man-75", "possibly_eligible", {"inc-11.4": "met"}, ""),
    ("p14-qtcf-460-woman", "possibly_eligible", {"exc-16.1": "not_met"}, ""),
    ("p15-qtcf-460-man", "ineligible", {"exc-16.1": "met"}, "460 ms"),
    ("p16-chemotherapy-10-days-ago", "ineligible", {"exc-7.3": "met"}, "Topotecan"),
    ("p17-chemotherapy-35-days-ago", "possibly_eligible", {"exc-7.3": "not_met"}, ""),
    ("p18-whole-brain-radiotherapy-10-days-ago", "ineligible", {"exc-7.1": "met"}, "brain"),
    ("p19-extrapulmonary-nec-dll3-5", "possibly_eligible", {"inc-2": "met"}, ""),
    ("p20-extrapulmonary-nec-dll3-0", "ineligible", {"inc-2": "not_met"}, ""),
    ("p21-no-prior-therapy", "ineligible", {"inc-5": "not_met"}, "0 prior lines"),
    ("p22-no-platinum", "ineligible", {"inc-5": "not_met"}, "Platinum"),
    ("p23-well-differentiated-net", "ineligible", {"exc-3": "met", "inc-2": "not_met"}, ""),
    ("p24-prior-tarlatamab", "ineligible", {"exc-8": "met"}, "Tarlatamab"),
    ("p25-hiv", "ineligible", {"exc-21": "met"}, "HIV"),
    ("p26-pregnant-woman", "ineligible", {"exc-22": "met", "inc-13": "unknown"}, "pregnant"),
    ("p27-age-17", "ineligible", {"inc-1": "not_met", "limit-age": "not_met"}, "age 17"),
    ("p28-four-prior-lines", "possibly_eligible", {"inc-5": "team"}, ""),
    ("p29-durvalumab-60-days-ago", "ineligible", {"exc-7.3": "met"}, "Durvalumab"),
    ("p30-durvalumab-100-days-ago", "possibly_eligible", {"exc-7.3": "not_met"}, ""),
]


@pytest.mark.parametrize(("name", "verdict", "criteria", "words"), TARLATAMAB_CASES)
def test_tarlatamab_trial(name, verdict, criteria, words):
    found = run(name, TARLATAMAB, tarlatamab_criteria())
    for ident, expected in criteria.items():
        assert criterion(found, ident).verdict == expected, (ident, criterion(found, ident).reason)
    assert found.verdict == verdict, [(c.id, c.reason) for c in found.failing]
    if verdict == "ineligible":
        assert set(criteria) & {c.id for c in found.failing} or any(
            child.id in criteria for c in found.failing for child in c.children
        )
        reasons = " ".join(c.reason for c in found.failing)
        assert words in reasons
    else:
        assert found.missing, "a possible verdict comes with questions"


def test_cohorts_of_the_tarlatamab_trial():
    assert run("p01-fit-sclc", TARLATAMAB, tarlatamab_criteria()).cohort == "Cohort 1"
    assert (
        run("p19-extrapulmonary-nec-dll3-5", TARLATAMAB, tarlatamab_criteria()).cohort == "Cohort 2"
    )


def test_fit_patient_questions_and_evidence():
    found = run("p01-fit-sclc", TARLATAMAB, tarlatamab_criteria())
    questions = [m.question for m in found.missing]
    assert any("life expectancy" in q for q in questions)
    assert any("live vaccine" in q for q in questions)
    platelets = criterion(found, "inc-11.1")
    assert any(e.source == "Observation/lab-777-3" for e in platelets.evidence)
    assert criterion(found, "inc-13").verdict == "not_applicable"  # a man
    assert criterion(found, "inc-17").verdict == "team"


IADADEMSTAT_CASES = [
    ("p01-fit-sclc", "eligible"),
    ("p21-no-prior-therapy", "ineligible"),
    ("p22-no-platinum", "ineligible"),
    ("p23-well-differentiated-net", "ineligible"),
    ("p28-four-prior-lines", "ineligible"),
    # a pancreatic NEC is extrapulmonary; Ki-67 70 % > 20 %
    ("p19-extrapulmonary-nec-dll3-5", "eligible"),
]


@pytest.mark.parametrize(("name", "verdict"), IADADEMSTAT_CASES)
def test_iadademstat_trial(name, verdict):
    found = run(name, IADADEMSTAT, iadademstat_criteria())
    assert found.verdict == verdict, [(c.id, c.verdict, c.reason) for c in found.criteria]


def test_four_lines_exceed_the_iadademstat_limit():
    found = run("p28-four-prior-lines", IADADEMSTAT, iadademstat_criteria())
    assert "4 prior lines" in criterion(found, "inc-3").reason
