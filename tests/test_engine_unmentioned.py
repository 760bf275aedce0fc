"""What a record does not mention (docs/matching.md, "Absent or unknown"), and study-team
criteria the patient has spoken to: hand-built patients and expressions, then notes read by
``read_note`` and criteria parsed by ``check``."""

from __future__ import annotations

import datetime as dt

import pytest

from eligo.engine import Evaluator, check
from eligo.engine.criteria import judge
from eligo.model import Criterion
from eligo.model.expression import (
    Condition,
    Not,
    PriorTherapy,
    Procedure,
    Team,
    TrialParticipation,
    Window,
)
from eligo.model.patient import Commitment, Patient
from eligo.patients import read_note

AS_OF = dt.date(2026, 10, 1)
HIV = Condition(concept="hiv")
CASE = (
    "A 58-year-old woman with type 2 diabetes and hypertension presents with chest pain. "
    "She takes metformin. The patient will provide informed consent, and will comply with "
    "the trial protocol without any practical issues."
)
OWN_WORDS = "I am 58 and I have type 2 diabetes. My doctor gave me metformin."


def _judge(kind, expression, patient):
    criterion = Criterion(id="c", kind=kind, text="text", expression=expression)
    return judge(criterion, Evaluator(patient, AS_OF), None)


def summary(**extra) -> Patient:
    return Patient(summarised={"conditions", "medications", "procedures"}, **extra)


def test_silence_in_a_summary_clears_the_patient_and_never_fails_them():
    excluded = _judge("exclusion", HIV.copy(), summary())
    assert excluded.verdict == "not_met"
    assert "not mentioned" in excluded.reason and "taken as absent" in excluded.reason
    # an inclusion asking for the same stays open, and is asked
    assert _judge("inclusion", HIV.copy(), summary()).verdict == "unknown"
    # an inclusion asking for its absence is met
    assert _judge("inclusion", Not(HIV.copy()), summary()).verdict == "met"
    # a record that sums nothing up leaves both open
    assert _judge("exclusion", HIV.copy(), Patient()).verdict == "unknown"


def test_a_documented_domain_decides_both_kinds():
    listed = Patient(documented={"conditions"})
    assert _judge("exclusion", HIV.copy(), listed).verdict == "not_met"
    assert _judge("inclusion", HIV.copy(), listed).verdict == "not_met"


def test_the_presumption_never_excludes():
    # "not HIV" as an exclusion: presuming HIV absent would exclude the patient, so it stays open
    assert _judge("exclusion", Not(HIV.copy()), summary()).verdict == "unknown"


@pytest.mark.parametrize(
    "leaf",
    [
        PriorTherapy(drug_class="strong_cyp3a4_inhibitor"),
        Procedure(procedure="surgery", window=Window(amount=4, unit="weeks")),
    ],
    ids=["cyp3a4-inhibitor", "recent-surgery"],
)
def test_what_summaries_leave_out_stays_unknown(leaf):
    assert _judge("exclusion", leaf, summary()).verdict == "unknown"


def test_undocumented_domains_outside_the_summary_stay_unknown():
    found = _judge("exclusion", TrialParticipation(), summary())
    assert found.verdict == "unknown"
    summed = Patient(summarised={"trial_participation"})
    assert _judge("exclusion", TrialParticipation(), summed).verdict == "not_met"


def test_a_clinical_note_is_a_summary_a_patients_own_words_are_not():
    case = read_note(CASE, as_of=AS_OF).patient
    own = read_note(OWN_WORDS, as_of=AS_OF).patient
    assert {"conditions", "medications", "procedures"} <= case.summarised
    assert own.summarised == set()
    assert check(case, "Known HIV infection", "exclusion", as_of=AS_OF).verdict == "not_met"
    assert check(own, "Known HIV infection", "exclusion", as_of=AS_OF).verdict == "unknown"
    # what the note names still decides: diabetes is there
    assert check(case, "Diabetes mellitus", "exclusion", as_of=AS_OF).verdict == "met"


def consenting(given: bool = True) -> Patient:
    return Patient(
        commitments=[
            Commitment(about="consent", given=given, text="will provide informed consent"),
            Commitment(about="compliance", text="will comply with the trial protocol"),
        ]
    )


@pytest.mark.parametrize(
    ("kind", "text", "verdict"),
    [
        ("inclusion", "Signed written informed consent", "met"),
        ("inclusion", "Able to provide informed consent", "met"),
        ("exclusion", "Unable to give informed consent", "not_met"),
        ("exclusion", "Refusal to sign the consent", "not_met"),
        ("inclusion", "Willing to comply with all study procedures and visits", "met"),
        ("exclusion", "Patients unlikely to comply with the protocol", "not_met"),
    ],
)
def test_team_leaves_the_patient_spoke_to(kind, text, verdict):
    category = "consent" if "consent" in text else "compliance"
    found = _judge(kind, Team(category=category, text=text), consenting())
    assert found.verdict == verdict
    assert "study team confirms" in found.reason
    assert found.evidence and found.evidence[0].fact == "commitment"


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("investigator_opinion", "In the investigator's opinion, unable to comply"),
        ("compliance", "Able to swallow tablets"),
        ("compliance", "Able to speak English"),
        ("compliance", "History of poor compliance with medical treatment"),
        ("contraception", "Willing to use contraception"),
    ],
)
def test_team_leaves_the_patient_cannot_speak_to(category, text):
    assert _judge("inclusion", Team(category=category, text=text), consenting()).verdict == "team"


def test_a_refusal_answers_the_other_way():
    refused = consenting(given=False)
    refusal = Team(category="consent", text="Refusal to consent")
    signed = Team(category="consent", text="Signed informed consent")
    assert _judge("exclusion", refusal, refused).verdict == "met"
    assert _judge("inclusion", signed, refused).verdict == "not_met"


def test_a_note_that_states_consent_answers_consent_criteria():
    case = read_note(CASE, as_of=AS_OF).patient
    assert [c.about for c in case.commitments] == ["consent", "compliance"]
    assert case.commitments[0].source.sentence.startswith("The patient will provide")
    found = check(case, "Written informed consent obtained", "inclusion", as_of=AS_OF)
    assert found.verdict == "met"
    opinion = check(
        case,
        "Any condition that in the investigator's opinion would interfere with the study",
        "exclusion",
        as_of=AS_OF,
    )
    assert opinion.verdict == "team"


def test_a_denied_history_of_a_broad_disease_is_only_a_presumption_below_it():
    from eligo.model.patient import Condition as Fact

    denied = Fact(concept_id="cardiovascular_disease", negated=True, status="history")
    who = Patient(conditions=[denied])
    embolism = Condition(concept="pulmonary_embolism")
    # the denial names the disease: a documented absence
    assert _judge("inclusion", Condition(concept="cardiovascular_disease"), who).verdict == (
        "not_met"
    )
    # below it, written as history: an inclusion stays open, an exclusion is cleared
    assert _judge("inclusion", embolism, who).verdict == "unknown"
    cleared = _judge("exclusion", embolism.copy(), who)
    assert cleared.verdict == "not_met" and "denial of a history" in cleared.reason
    # a denial not written as history reaches what lies below it
    current = Patient(conditions=[denied.model_copy(update={"status": "active"})])
    assert _judge("inclusion", embolism.copy(), current).verdict == "not_met"


def test_a_denial_the_record_contradicts_does_not_reach_other_diseases():
    from eligo.model.patient import Condition as Fact

    who = Patient(
        conditions=[
            Fact(concept_id="liver_disease", negated=True),
            Fact(concept_id="chronic_hepatitis_c"),
        ]
    )
    # hepatitis C is a liver disease: "no liver disease" was not meant for all of them
    autoimmune = Condition(concept="autoimmune_hepatitis")
    assert _judge("inclusion", autoimmune, who).verdict == "unknown"
    alone = Patient(conditions=who.conditions[:1])
    assert _judge("inclusion", autoimmune.copy(), alone).verdict == "not_met"
    assert _judge("inclusion", Condition(concept="chronic_hepatitis_c"), who).verdict == "met"


def test_a_denied_form_of_a_disease_does_not_rule_the_disease_out():
    from eligo.model.patient import Condition as Fact

    form = Fact(
        concept_id="pancreatitis",
        negated=True,
        certainty="uncertain",
        text="obstructive pancreatitis",
    )
    who = Patient(conditions=[form])
    pancreatitis = Condition(concept="pancreatitis")
    found = _judge("inclusion", pancreatitis, who)
    assert found.verdict == "unknown" and "obstructive pancreatitis" in found.reason
    assert _judge("exclusion", pancreatitis.copy(), who).verdict == "not_met"
    sure = Patient(conditions=[form.model_copy(update={"certainty": "confirmed"})])
    assert _judge("inclusion", pancreatitis.copy(), sure).verdict == "not_met"
