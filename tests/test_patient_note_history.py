"""Events of a note's history: each keeps the date written beside it, an event the patient
"had" long before the note is history, and a criterion's window settles how recent "recent" is.
Notes written for these tests."""

from __future__ import annotations

import datetime as dt

from eligo.engine import Evaluator
from eligo.engine.criteria import judge
from eligo.model import Criterion
from eligo.model.expression import Condition, Window
from eligo.patients import read_note

AS_OF = dt.date(2026, 10, 1)
EVENTS = (
    "A 72-year-old man complains of calf pain when walking. He had an uncomplicated "
    "myocardial infarction 2 years earlier and a transient ischemic attack 6 months ago."
)


def _conditions(note: str) -> dict:
    patient = read_note(note, as_of=AS_OF).patient
    return {c.concept_id: c for c in patient.conditions}


def test_each_event_keeps_the_date_written_beside_it():
    found = _conditions(EVENTS)
    assert found["myocardial_infarction"].onset == dt.date(2024, 10, 1)
    assert found["tia"].onset == dt.date(2026, 4, 1)


def test_an_event_the_patient_had_long_ago_is_history():
    found = _conditions(EVENTS)
    assert found["myocardial_infarction"].status == "history"
    assert found["tia"].status == "history"
    # had, but days ago: the present illness
    recent = _conditions("A 40-year-old woman presents with a cough. She had a fever 2 days ago.")
    assert recent["fever"].status == "active"
    # dated long ago without "had": the reader does not guess
    chronic = _conditions("A 60-year-old man with diabetes mellitus diagnosed 10 years ago.")
    assert chronic["diabetes"].status == "active"


def _judge(kind: str, expression, note: str = EVENTS):
    patient = read_note(note, as_of=AS_OF).patient
    criterion = Criterion(id="c", kind=kind, text="text", expression=expression)
    return judge(criterion, Evaluator(patient, AS_OF), None)


def _infarction(months: int | None, *qualifiers: str) -> Condition:
    node = Condition(concept="myocardial_infarction", qualifiers=list(qualifiers))
    if months is not None:
        node.set("window", Window(amount=months, unit="months", reference="screening"))
    return node


def test_the_window_settles_how_recent_recent_is():
    # "Recent myocardial infarction within 3 months": the infarction was 2 years ago
    found = _judge("exclusion", _infarction(3, "recent"))
    assert found.verdict == "not_met"
    assert "outside" in found.reason
    # within 3 years it is inside, "recent" or not
    assert _judge("exclusion", _infarction(36, "recent")).verdict == "met"
    # without a window, how recent is recent is a clinician's judgement
    assert _judge("exclusion", _infarction(None, "recent")).verdict == "unknown"
