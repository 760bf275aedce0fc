"""Criteria no rule reads, against a note that sums up the history (docs/matching.md, "Absent
or unknown"): a note that uses none of their words is silent about the matter, which clears an
exclusion and never fails anyone. Notes and criteria written for these tests; expressions are
built by hand so the tests do not depend on what the parser reads."""

from __future__ import annotations

import datetime as dt

import pytest

from eligo.engine import Evaluator
from eligo.engine.criteria import judge
from eligo.engine.mentions import NoteWords, content_stems, reverses
from eligo.engine.plan import LeafTable, PlannedTrial, Verdicts
from eligo.engine.trial import judge_trial
from eligo.model import Criterion, Source, Trial
from eligo.model.expression import All, Condition, Not, Team, Unparsed
from eligo.patients import read_note

AS_OF = dt.date(2026, 10, 1)
SUMMARY = (
    "A 47-year-old man presents to the emergency room with fever, productive cough and "
    "right-sided chest pain for three days. He has a history of infectious mononucleosis and "
    "had his tonsils removed in his teens. Chest X-ray shows a right lower lobe consolidation."
)
OWN_WORDS = "I am 47 and I have had a fever and a cough for three days."


def _unread(text: str, quantity: bool = False) -> Unparsed:
    read = []
    if quantity:
        from eligo.model.expression import Quantity

        read = [Quantity(subject="score", comparator=">", value=25.0)]
    return Unparsed(text=text, reason="no rule recognised a fact", read=read)


def _judge(kind, expression, note=SUMMARY):
    patient = read_note(note, as_of=AS_OF).patient
    criterion = Criterion(id="c", kind=kind, text="text", expression=expression)
    return judge(criterion, Evaluator(patient, AS_OF), None)


def test_note_words_match_by_stem_and_beginning():
    words = NoteWords(SUMMARY)
    assert words.silent_about("Twins")
    assert words.silent_about("Children in foster care")
    # the note says "infectious"; "infections" is the same word to a reader
    assert not words.silent_about("Recurrent infections")
    # "tonsils" begins "tonsillectomy": the note speaks of the matter
    assert not words.silent_about("Previous tonsillectomy")
    assert not words.silent_about("Abnormal chest radiograph")  # "chest"


def test_words_that_name_nothing_or_turn_the_matter_around_are_not_silence():
    words = NoteWords(SUMMARY)
    # a catch-all names no matter: nothing for the note to be silent about
    assert content_stems("Any condition that would interfere with the study") == frozenset()
    assert not words.silent_about("Any condition that would interfere with the study")
    # absence is what these ask about: silence cannot clear anyone
    assert reverses("Patients without health insurance")
    assert not words.silent_about("Patients without health insurance")
    assert not words.silent_about("Never vaccinated against yellow fever")
    assert not reverses("Twins")


def test_an_unread_exclusion_the_summary_never_speaks_of_is_not_met():
    found = _judge("exclusion", _unread("Children in foster care"))
    assert found.verdict == "not_met"
    assert "speaks of none of it" in found.reason and "taken as absent" in found.reason


@pytest.mark.parametrize(
    ("kind", "expression", "note"),
    [
        # the note speaks of the matter in words eligo did not read
        ("exclusion", _unread("Previous tonsillectomy"), SUMMARY),
        # a threshold is a measurement: a test not done is never absent
        ("exclusion", _unread("APACHE II score > 25", quantity=True), SUMMARY),
        # an inclusion is never met by silence, nor failed by it
        ("inclusion", _unread("Children in foster care"), SUMMARY),
        # a patient's own words sum nothing up
        ("exclusion", _unread("Children in foster care"), OWN_WORDS),
        # turned around, absence would exclude: silence settles nothing
        ("exclusion", _unread("Patients without a fixed address"), SUMMARY),
    ],
)
def test_an_unread_criterion_stays_unknown(kind, expression, note):
    assert _judge(kind, expression, note).verdict == "unknown"


def test_unread_words_beside_a_fact_qualify_it():
    # "traumatic cause" is unread beside the cough the note states: the note never speaks of
    # trauma, so the exclusion does not hold
    cough = All(Condition(concept="cough"), _unread("traumatic cause"))
    assert _judge("exclusion", cough).verdict == "not_met"
    # beside a negation the presumption reads through the logic: never a failed inclusion
    assert _judge("inclusion", Not(_unread("Children in foster care"))).verdict == "met"
    assert _judge("inclusion", All(Condition(concept="cough"), _unread("twins"))).verdict == (
        "unknown"
    )


def test_a_team_exclusion_about_a_matter_the_summary_never_speaks_of():
    skin = Team(category="investigator_opinion", text="Skin lesions precluding sensors")
    found = _judge("exclusion", skin)
    assert found.verdict == "not_met"
    assert "speaks of none of 'Skin lesions precluding sensors'" in found.reason
    # the note mentions a skin rash: the team judges it
    rash = SUMMARY + " A skin rash covers his forearms."
    assert _judge("exclusion", skin.copy(), rash).verdict == "team"
    # a team inclusion is the team's, whatever the note says
    assert _judge("inclusion", skin.copy()).verdict == "team"
    # categories a summary never speaks to (contraception, consent) stay the team's
    pill = Team(category="contraception", text="Women not using hormonal contraception")
    assert _judge("exclusion", pill).verdict == "team"


def test_the_fast_path_gives_the_same_verdicts():
    criteria = [
        Criterion(id="e1", kind="exclusion", text="Twins", expression=_unread("Twins")),
        Criterion(
            id="e2",
            kind="exclusion",
            text="Skin lesions",
            expression=Team(category="investigator_opinion", text="Skin lesions"),
        ),
        Criterion(
            id="e3",
            kind="exclusion",
            text="Previous tonsillectomy",
            expression=_unread("Previous tonsillectomy"),
        ),
        Criterion(
            id="i1",
            kind="inclusion",
            text="Cough, not twins",
            expression=All(Condition(concept="cough"), Not(_unread("Twins"))),
        ),
    ]
    trial = Trial(trial_id="NCT00000001", brief_title="A trial", source=Source(format="test"))
    table = LeafTable()
    from eligo.vocab import vocabulary

    planned = PlannedTrial.of(trial, criteria, table, vocabulary())
    found = {}
    for note in (SUMMARY, OWN_WORDS):
        evaluator = Evaluator(read_note(note, as_of=AS_OF).patient, AS_OF)
        verdict, judged, _ = Verdicts(evaluator, table).trial(planned)
        full = judge_trial(evaluator, trial, criteria, 0.0)
        assert verdict == full.verdict
        assert [v for _, v in judged] == [c.verdict for c in full.criteria]
        found[note] = [v for _, v in judged]
    assert found[SUMMARY] == ["not_met", "not_met", "unknown", "met"]
    assert found[OWN_WORDS] == ["unknown", "team", "unknown", "unknown"]
