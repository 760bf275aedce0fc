"""The thirty FHIR patients against the seed trials as eligo reads them end to end: records
ingested, criteria segmented and parsed by ``eligo.parse``, then matched.

The expected verdicts are the clinician's, the same as tests/test_match_seeds.py (where the
criteria are written by hand). Each case checks the criterion that decides it; a trial verdict
is checked when a clinician would not call the patient ineligible (an ineligible verdict can
come from elsewhere). Every case passes as the seeds are parsed today; the gaps these cases once
marked (cohort clauses read as required of all, lists of alternatives read as all required,
words left unread) are closed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligo.cli.match import trials_from_path
from eligo.engine import TrialMatch, match_trial
from eligo.patients import read_patient
from test_match_seeds import IADADEMSTAT_CASES, TARLATAMAB_CASES, criterion

AS_OF = dt.date(2026, 10, 1)
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple]:
    return {
        "001": trials_from_path(DATA / "seeds" / "001_36ee6b61676e01d5.txt")[0],
        "000": trials_from_path(DATA / "seeds" / "000_04011d3bb8defd9c.txt")[0],
    }


def run(name: str, trial, criteria) -> TrialMatch:
    patient = read_patient(DATA / "match" / "patients" / f"{name}.json").patient
    return match_trial(patient, trial, criteria, as_of=AS_OF)


@pytest.mark.parametrize(
    ("name", "verdict", "criteria"),
    [
        pytest.param(name, verdict, criteria, id=name)
        for name, verdict, criteria, _ in TARLATAMAB_CASES
    ],
)
def test_tarlatamab_as_parsed(seeds, name, verdict, criteria):
    trial, parsed = seeds["001"]
    found = run(name, trial, parsed)
    for ident, expected in criteria.items():
        got = criterion(found, ident).verdict
        # a met inclusion may carry a part for the study team: settled all the same
        allowed = (
            {expected, "team"} if expected == "met" and ident.startswith("inc") else {expected}
        )
        assert got in allowed, (ident, criterion(found, ident).reason)
    if verdict != "ineligible":
        assert found.verdict == verdict


@pytest.mark.parametrize(
    ("name", "verdict"),
    [pytest.param(name, verdict, id=name) for name, verdict in IADADEMSTAT_CASES],
)
def test_iadademstat_as_parsed(seeds, name, verdict):
    trial, parsed = seeds["000"]
    found = run(name, trial, parsed)
    assert found.verdict == verdict
    if verdict == "ineligible":
        assert found.failing
