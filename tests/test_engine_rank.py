"""Ranking: the concept match through the hierarchy, the BM25 text match, the score, the order
of ``match`` and its ``top``, and the registry limits and cohorts as criteria."""

from __future__ import annotations

import datetime as dt

import pytest

from eligo.engine import TrialSet, match, match_trial
from eligo.engine.relevance import TextIndex, concept_match, trial_concepts
from eligo.engine.trial import score_of
from eligo.model import Cohort, Criterion, Source, Trial
from eligo.model.expression import Condition, Measurement
from eligo.model.patient import Condition as PatientCondition
from eligo.model.patient import Observation, Patient
from eligo.vocab import vocabulary

AS_OF = dt.date(2026, 10, 1)


def trial(ident: str, title: str, conditions: list[str], **more) -> Trial:
    return Trial(
        trial_id=ident,
        brief_title=title,
        conditions=conditions,
        source=Source(format="test"),
        **more,
    )


def sclc_patient(**more) -> Patient:
    return Patient(
        birth_date=dt.date(1960, 1, 1),
        sex="male",
        conditions=[PatientCondition(concept_id="sclc")],
        documented={"conditions"},
        observations=[
            Observation(
                measurement_id="platelets", value=150, unit="10*9/L", date=dt.date(2026, 9, 28)
            )
        ],
        **more,
    )


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (["Small Cell Lung Cancer"], 1.0),  # the same
        (["Extensive-stage Small Cell Lung Cancer"], 0.7),  # the trial's lies below
        (["Large Cell Neuroendocrine Carcinoma"], 0.4),  # both neuroendocrine carcinomas
        (["Breast Cancer"], 0.0),
    ],
)
def test_concept_match_through_the_hierarchy(conditions, expected):
    vocab = vocabulary()
    mine = {"sclc": 1.0}
    found = concept_match(mine, trial_concepts(trial("T", "A study", conditions), vocab), vocab)
    assert found == pytest.approx(expected)


def test_a_broad_trial_condition_counts_by_the_specificity_it_keeps():
    vocab = vocabulary()
    mine = {"sclc": 1.0}

    def score(*conditions: str) -> float:
        return concept_match(
            mine, trial_concepts(trial("T", "A study", list(conditions)), vocab), vocab
        )

    same, lung, cancer = score("Small Cell Lung Cancer"), score("Lung Cancer"), score("Cancer")
    # SCLC lies below both: a lung cancer trial keeps most of what SCLC says, "cancer" little
    assert same == 1.0 > lung > cancer >= 0.5
    assert lung > 0.7  # still above a trial for a narrower disease than the patient's
    # the trial's most specific condition above the patient's counts
    assert score("Cancer", "Lung Cancer") == pytest.approx(lung)


def test_open_trials_rank_before_closed_ones_when_asked():
    pairs = [
        (trial("NCT8", "SCLC study", ["Small Cell Lung Cancer"], status="COMPLETED"), []),
        (trial("NCT9", "SCLC study", ["Small Cell Lung Cancer"], status="RECRUITING"), []),
    ]
    trials = TrialSet(pairs)
    assert [r.trial_id for r in match(sclc_patient(), trials, as_of=AS_OF)] == ["NCT9", "NCT8"]
    trials.prefer_open = False
    results = match(sclc_patient(), trials, as_of=AS_OF)
    assert results[0].score == results[1].score  # the same but for their status


def test_comorbidities_weigh_less_than_cancers():
    vocab = vocabulary()
    hypertension = trial_concepts(trial("T", "Blood pressure", ["Hypertension"]), vocab)
    assert concept_match({"hypertension": 0.35}, hypertension, vocab) == pytest.approx(0.35)


def test_bm25_scores_are_scaled_to_the_best():
    index = TextIndex(
        [
            "small cell lung cancer tarlatamab",
            "breast cancer trastuzumab",
            "small cell carcinoma of the bladder",
        ]
    )
    scores = index.scores("small cell lung cancer")
    assert scores.max() == pytest.approx(1.0)
    assert scores[0] == pytest.approx(1.0)
    assert scores[1] < scores[2] < scores[0]
    assert not index.scores("zzzz unknownword").any()


def test_score_orders_eligibility_then_relevance():
    eligible = score_of("eligible", [("inclusion", "met")], 0.5)
    possibly = score_of("possibly_eligible", [("inclusion", "unknown")], 0.5)
    ineligible = score_of("ineligible", [("inclusion", "not_met")], 0.5)
    assert eligible > possibly > ineligible
    assert eligible == pytest.approx(1.0 * (0.3 + 0.7 * 0.5))
    # fewer open criteria, better
    fewer = score_of("possibly_eligible", [("inclusion", "unknown"), ("inclusion", "met")], 0.5)
    assert fewer > possibly
    # more relevant, better
    assert score_of("eligible", [], 1.0) > eligible


def _criteria(*expressions, kind="inclusion"):
    return [
        Criterion(id=f"c{i}", kind=kind, text=f"c{i}", expression=e)
        for i, e in enumerate(expressions)
    ]


PAIRS = [
    # eligible, on topic
    (
        trial("NCT1", "SCLC study", ["Small Cell Lung Cancer"]),
        _criteria(Measurement(measurement="platelets", comparator=">=", value=100, unit="10*9/L")),
    ),
    # possibly eligible (no hemoglobin), on topic
    (
        trial("NCT2", "SCLC study two", ["Small Cell Lung Cancer"]),
        _criteria(Measurement(measurement="hemoglobin", comparator=">=", value=90, unit="g/L")),
    ),
    # ineligible, on topic
    (
        trial("NCT3", "SCLC study three", ["Small Cell Lung Cancer"]),
        _criteria(Condition(concept="nsclc")),
    ),
    # eligible, off topic
    (trial("NCT4", "Breast study", ["Breast Cancer"]), []),
    # too young a patient is out: the registry limit
    (trial("NCT5", "Paediatric SCLC", ["Small Cell Lung Cancer"], maximum_age=18), []),
]


def test_match_orders_by_score_and_names_the_failures():
    results = match(sclc_patient(), PAIRS, as_of=AS_OF)
    order = [r.trial_id for r in results]
    assert order[:2] == ["NCT1", "NCT2"]
    assert {r.trial_id: r.verdict for r in results} == {
        "NCT1": "eligible",
        "NCT2": "possibly_eligible",
        "NCT3": "ineligible",
        "NCT4": "eligible",
        "NCT5": "ineligible",
    }
    assert order.index("NCT4") > order.index("NCT2")  # off topic: below the possible one
    assert [c.id for c in next(r for r in results if r.trial_id == "NCT5").failing] == ["limit-age"]
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_top_gives_the_head_of_the_full_ranking():
    trials = TrialSet(PAIRS)
    full = match(sclc_patient(), trials, as_of=AS_OF)
    top = match(sclc_patient(), trials, as_of=AS_OF, top=2)
    assert [r.trial_id for r in top] == [r.trial_id for r in full[:2]]
    assert [r.to_json() for r in top] == [r.to_json() for r in full[:2]]


def test_match_trial_without_a_text_index_uses_concepts():
    found = match_trial(sclc_patient(), *PAIRS[0], as_of=AS_OF)
    assert found.verdict == "eligible"
    assert found.score == pytest.approx(1.0)
    assert found.missing == []


def test_cohort_is_named_and_its_conditions_count():
    cohorts = [
        Cohort(id="cohort-1", label="Cohort 1", description="NSCLC", conditions=["NSCLC"]),
        Cohort(id="cohort-2", label="Cohort 2", description="SCLC", conditions=["SCLC"]),
    ]
    with_cohorts = trial("NCT6", "Two cohorts", ["Lung Cancer"], cohorts=cohorts)
    found = match_trial(sclc_patient(), with_cohorts, [], as_of=AS_OF)
    assert found.cohort == "Cohort 2"
    assert found.verdict == "eligible"
    assert [c.id for c in found.criteria] == ["cohort-2-condition"]
