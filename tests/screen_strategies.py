"""Hypothesis strategies for the screening tests: patients of eligo's model and criterion
expressions over the facts they hold, both drawn from small pools so that facts and criteria
meet often."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from eligo.model.expression import (
    Age,
    All,
    Allowed,
    Any,
    Biomarker,
    Breastfeeding,
    ChildbearingPotential,
    Condition,
    Derived,
    Longest,
    Measurement,
    Not,
    PerformanceStatus,
    Pregnancy,
    PriorTherapy,
    Procedure,
    Sex,
    Team,
    TrialParticipation,
    Unparsed,
    Vaccination,
    Window,
)
from eligo.model.patient import (
    DOMAINS,
    Histology,
    Medication,
    Observation,
    Patient,
    PregnancyStatus,
    Stage,
)
from eligo.model.patient import (
    Biomarker as BiomarkerFact,
)
from eligo.model.patient import (
    Condition as ConditionFact,
)
from eligo.model.patient import (
    PerformanceStatus as PerformanceFact,
)
from eligo.model.patient import (
    Procedure as ProcedureFact,
)
from eligo.model.patient import (
    TrialParticipation as TrialFact,
)
from eligo.model.patient import (
    Vaccination as VaccinationFact,
)

AS_OF = dt.date(2026, 10, 1)

CONDITIONS = [
    "sclc",
    "neuroendocrine_carcinoma",
    "net",
    "liver_metastases",
    "brain_metastases",
    "metastatic_disease",
    "ild",
    "postmenopausal",
    "hepatitis_b",
    "prostate_cancer",
    "malignant_neoplasm",
    "neoplasm",
    "hiv",
]
DRUGS = [
    "carboplatin",
    "cisplatin",
    "etoposide",
    "atezolizumab",
    "tarlatamab",
    "dexamethasone",
    "topotecan",
    "warfarin",
    "lurbinectedin",
]
CLASSES = [
    "platinum",
    "chemotherapy",
    "immune_checkpoint_inhibitor",
    "anticoagulant",
    "anticancer_therapy",
]
#: measurement id → (canonical unit, typical value, laboratory ULN)
LABS = {
    "platelets": ("10*9/L", 150.0, 400.0),
    "ast": ("U/L", 35.0, 40.0),
    "alt": ("U/L", 35.0, 45.0),
    "total_bilirubin": ("umol/L", 15.0, 21.0),
    "hemoglobin": ("g/L", 120.0, 160.0),
    "creatinine": ("umol/L", 90.0, 110.0),
    "weight": ("kg", 70.0, None),
    "albumin": ("g/L", 35.0, 50.0),
    "creatinine_clearance": ("mL/min", 70.0, None),
    "qtc": ("ms", 430.0, 450.0),
}

days = st.integers(min_value=-800, max_value=20)


def day(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(days=offset)


dates = st.one_of(st.none(), days.map(day))


@st.composite
def conditions(draw: st.DrawFn) -> ConditionFact:
    stage = draw(st.sampled_from([None, "IV", "IIIB", "extensive", "limited", "II"]))
    return ConditionFact(
        concept_id=draw(st.sampled_from(CONDITIONS)),
        status=draw(st.sampled_from(["active", "resolved", "history"])),
        negated=draw(st.booleans()) and draw(st.booleans()),
        certainty=draw(st.sampled_from(["confirmed", "confirmed", "uncertain"])),
        role=draw(st.sampled_from([None, "primary", "metastasis"])),
        onset=draw(dates),
        abatement=draw(st.one_of(st.none(), days.map(day))),
        stages=[Stage(group=stage, m=draw(st.sampled_from([None, "M0", "M1a"])))] if stage else [],
        metastatic_sites=draw(st.lists(st.sampled_from(["liver", "brain", "bone"]), max_size=2)),
        grade=draw(st.sampled_from([None, "G1", "grade 3", "poorly differentiated"])),
        histology=draw(st.sampled_from([None, Histology(concept_id="neuroendocrine_carcinoma")])),
        text=draw(st.sampled_from([None, "uncontrolled disease", "clinically significant"])),
    )


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    lab = draw(st.sampled_from(sorted(LABS)))
    unit, typical, uln = LABS[lab]
    value = round(typical * draw(st.sampled_from([0.2, 0.5, 0.9, 1.0, 1.1, 1.5, 3.0, 6.0])), 1)
    has_range = uln is not None and draw(st.booleans())
    return Observation(
        measurement_id=lab,
        value=value,
        unit=unit,
        comparator=draw(st.sampled_from([None, None, None, "<", ">="])),
        reference_high=uln if has_range else None,
        reference_low=round(uln / 4, 1) if has_range else None,
        date=draw(dates),
    )


@st.composite
def medications(draw: st.DrawFn) -> Medication:
    drug = draw(st.sampled_from(DRUGS))
    start = draw(dates)
    return Medication(
        drug_id=drug,
        text=drug,
        role="supportive" if drug in ("dexamethasone", "warfarin") else "anticancer",
        start=start,
        end=draw(st.one_of(st.none(), days.map(day))),
        status=draw(st.sampled_from(["active", "completed", "stopped", "unknown", "intended"])),
        negated=draw(st.booleans()) and draw(st.booleans()),
        intent=draw(st.sampled_from([None, "palliative", "adjuvant"])),
    )


@st.composite
def patients(draw: st.DrawFn) -> Patient:
    born = draw(
        st.one_of(
            st.none(), st.integers(18 * 365, 90 * 365).map(lambda n: AS_OF - dt.timedelta(days=n))
        )
    )
    return Patient(
        id=f"p{draw(st.integers(0, 10**6))}",
        birth_date=born,
        stated_age=None if born else draw(st.one_of(st.none(), st.floats(18, 90).map(round))),
        sex=draw(st.sampled_from([None, "female", "male", "male"])),
        conditions=draw(st.lists(conditions(), max_size=4)),
        observations=draw(st.lists(observations(), max_size=6)),
        medications=draw(st.lists(medications(), max_size=4)),
        procedures=draw(
            st.lists(
                st.builds(
                    ProcedureFact,
                    kind=st.sampled_from(["radiotherapy", "surgery", "other"]),
                    text=st.sampled_from(
                        [
                            None,
                            "whole brain radiotherapy",
                            "lobectomy",
                            "port placement",
                            "hysterectomy",
                        ]
                    ),
                    site=st.sampled_from([None, "brain", "thorax"]),
                    start=dates,
                    negated=st.booleans().map(lambda b: b and False),
                ),
                max_size=2,
            )
        ),
        performance_status=draw(
            st.lists(
                st.builds(
                    PerformanceFact,
                    scale=st.sampled_from(["ecog", "karnofsky"]),
                    value=st.integers(0, 4),
                    date=dates,
                ),
                max_size=2,
            ).map(_kps)
        ),
        biomarkers=draw(
            st.lists(
                st.builds(
                    BiomarkerFact,
                    name=st.sampled_from(["dll3", "ki67"]),
                    value=st.sampled_from([None, 0.0, 1.0, 25.0]),
                    scale=st.sampled_from([None, "percent", "h_score"]),
                    result=st.sampled_from([None, "positive", "negative"]),
                    date=dates,
                ),
                max_size=2,
            )
        ),
        pregnancy=draw(
            st.lists(
                st.builds(
                    PregnancyStatus,
                    pregnant=st.sampled_from([None, True, False]),
                    breastfeeding=st.sampled_from([None, True, False]),
                    date=dates,
                ),
                max_size=1,
            )
        ),
        vaccinations=draw(
            st.lists(
                st.builds(
                    VaccinationFact,
                    vaccine=st.just("yellow fever"),
                    live=st.sampled_from([None, True, False]),
                    date=dates,
                ),
                max_size=1,
            )
        ),
        trial_participation=draw(
            st.lists(
                st.builds(
                    TrialFact,
                    trial=st.just("NCT0"),
                    investigational=st.booleans(),
                    start=dates,
                    end=dates,
                ),
                max_size=1,
            )
        ),
        documented=set(draw(st.lists(st.sampled_from(DOMAINS), max_size=6))),
        summarised=set(draw(st.lists(st.sampled_from(DOMAINS), max_size=4))),
    )


def _kps(items: list[PerformanceFact]) -> list[PerformanceFact]:
    return [
        p.model_copy(update={"value": p.value * 20 + 10}) if p.scale == "karnofsky" else p
        for p in items
    ]


windows = st.one_of(
    st.none(),
    st.builds(
        Window,
        amount=st.sampled_from([7, 14, 28, 3]),
        unit=st.sampled_from(["days", "weeks", "months"]),
        reference=st.sampled_from(["screening", "cycle1_day1"]),
    ),
)
comparators = st.sampled_from(["<", "<=", ">", ">="])


@st.composite
def measurement_leaves(draw: st.DrawFn) -> Measurement:
    lab = draw(st.sampled_from(sorted(LABS)))
    unit, typical, uln = LABS[lab]
    window = draw(windows)
    if uln is not None and draw(st.booleans()):
        return Measurement(
            measurement=lab,
            comparator=draw(comparators),
            uln=draw(st.sampled_from([1.0, 1.5, 3.0])),
            window=window,
        )
    return Measurement(
        measurement=lab,
        comparator=draw(comparators),
        unit=unit,
        value=round(typical * draw(st.sampled_from([0.5, 1.0, 1.5])), 1),
        window=window,
    )


leaves = st.one_of(
    st.builds(Age, comparator=comparators, value=st.sampled_from([18, 60, 75])),
    st.builds(Sex, value=st.sampled_from(["female", "male"])),
    st.builds(
        Condition,
        concept=st.sampled_from(CONDITIONS + ["pregnancy"]),
        status=st.sampled_from(["any", "active", "history"]),
        stage=st.sampled_from([None, "metastatic", "extensive", "IV", "II"]),
        grade=st.sampled_from([None, "high", "low"]),
        differentiation=st.sampled_from([None, "poorly", "well"]),
        metastatic_site=st.sampled_from([None, "liver"]),
        qualifiers=st.sampled_from([None, ["uncontrolled"], ["other"]]),
        window=windows,
    ),
    measurement_leaves(),
    st.builds(
        Derived,
        measurement=st.just("creatinine_clearance"),
        method=st.just("cockcroft_gault"),
        comparator=comparators,
        value=st.sampled_from([30.0, 60.0]),
        unit=st.just("mL/min"),
    ),
    st.builds(
        Derived,
        measurement=st.just("qtcf"),
        method=st.just("fridericia"),
        comparator=comparators,
        value=st.sampled_from([450.0, 470.0]),
        unit=st.just("ms"),
    ),
    st.builds(
        PerformanceStatus,
        scale=st.sampled_from(["ecog", "karnofsky"]),
        comparator=comparators,
        value=st.sampled_from([1, 2, 70]),
    ),
    st.builds(
        PriorTherapy,
        drug=st.sampled_from([None, *DRUGS[:3]]),
        status=st.sampled_from(["any", "prior", "current"]),
        setting=st.sampled_from([None, None, "palliative"]),
        window=windows,
    ),
    st.builds(
        PriorTherapy,
        drug_class=st.sampled_from(CLASSES),
        status=st.sampled_from(["any", "prior", "current"]),
        window=st.one_of(
            windows,
            st.just(Longest(Window(amount=30, unit="days"), Window(amount=5, unit="half_lives"))),
        ),
    ),
    st.builds(
        PriorTherapy,
        category=st.sampled_from(["anticancer", "chemotherapy", None]),
        comparator=st.sampled_from([">=", "<"]),
        value=st.sampled_from([1, 2]),
    ),
    st.builds(
        Procedure,
        procedure=st.sampled_from(["radiotherapy", "surgery"]),
        site=st.sampled_from([None, "brain"]),
        qualifiers=st.sampled_from([None, ["whole_brain"], ["major"]]),
        window=windows,
    ),
    st.builds(
        Biomarker,
        name=st.sampled_from(["dll3", "ki67"]),
        comparator=comparators,
        value=st.sampled_from([1.0, 20.0]),
        scale=st.sampled_from([None, "h_score"]),
    ),
    st.builds(
        Biomarker,
        name=st.sampled_from(["dll3", "ki67"]),
        result=st.sampled_from(["positive", "negative"]),
    ),
    st.builds(Pregnancy, test=st.sampled_from([None, "serum"])),
    st.builds(Breastfeeding),
    st.builds(ChildbearingPotential),
    st.builds(Vaccination, live=st.booleans(), window=windows),
    st.builds(TrialParticipation, window=windows),
    st.just(Team(category="consent", text="consent")),
    st.just(Unparsed(text="something", reason="test")),
)


def _allowed(node: object) -> Allowed:
    return Allowed(text="allowed")


expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(st.one_of(inner, st.just(Allowed(text="allowed"))), min_size=1, max_size=3).map(
            lambda items: All(*items)
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: Any(*items)),
        inner.map(Not),
    ),
    max_leaves=5,
)
