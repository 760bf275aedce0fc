"""The thirty FHIR patients against the seed trials as eligo reads them end to end: records
ingested, criteria segmented and parsed by ``eligo.parse``, then matched.

The expected verdicts are the clinician's, the same as tests/test_match_seeds.py (where the
criteria are written by hand). Each case checks the criterion that decides it; a trial verdict
is checked when a clinician would not call the patient ineligible (an ineligible verdict can
come from elsewhere). Where the parser does not yet read a criterion as a clinician would, the
case is marked ``xfail`` with the criterion's text: the matcher is right about the expression
it is given, the expression is not yet right about the text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.test_match_seeds import IADADEMSTAT_CASES, TARLATAMAB_CASES, criterion

from eligo.cli.match import trials_from_path
from eligo.engine import TrialMatch, match_trial
from eligo.patients import read_patient

AS_OF = dt.date(2026, 10, 1)
DATA = Path(__file__).parent / "data"

#: criteria the parser does not yet read as a clinician would (text as in seed 001/000)
GAPS = {
    "inc-5": "001 inc-5 'Patients with metastatic/locally advanced SCLC and other poorly "
    "differentiated NECs must have been treated with at least 1 line of prior therapy, including "
    "a platinum-based regimen ... Patients with high-grade MTC (capped at 4 patients) must have "
    "been treated with at least 1 prior therapy including a RET selective inhibitor if the "
    "presence of a RET mutation': the MTC clause is read as required of every patient",
    "inc-13": "001 inc-13 'Females of reproductive/childbearing potential must have a negative "
    "serum pregnancy test ... Methods considered as highly effective methods of contraception "
    "include: ...': the list of methods is read as all required",
    "exc-16": "001 exc-16 'Uncontrolled or significant cardiovascular disease prior to cycle 1 "
    "day 1, including: Corrected QT interval >470 ms for females and >450 ms for males "
    "according to Fridericia's formula (QTcF) ...': the sub-criteria are read as all required, "
    "and 'QTc > 470 ms, female, male' as one conjunction",
    "exc-3": "001 exc-3 'Patients with well differentiated neuroendocrine tumors, whatever the "
    "grade, pheocromocytoma, paraganglyoma, or low grade MTC': the list is read as all of them",
    "exc-21": "001 exc-21 'Patient with diagnosis of human immunodeficiency virus (HIV). "
    "Patients with HIV infection on antiviral therapy and undetectable viral load are "
    "allowed ...': words left unread keep it unknown",
    "exc-22": "001 exc-22 'Female patients who are pregnant or breastfeeding or intend to become "
    "pregnant during the study': 'during' left unread keeps it unknown",
    "exc-7.3": "001 exc-7.3 'Any investigational agents or other anticancer drug(s) ... <30 days "
    "or < 5 half-lives, whichever is longer ... Conventional chemotherapy eligible if at least "
    "14 days ...': the exception is read as a study-team judgement or left unread",
    "inc-3": "001 inc-3 'For patients with poorly differentiated NECs whatever the primary, ... "
    "Large cell, small cell or not otherwise specified are eligible. In addition, the tumor must "
    "have a Ki67 >20% ...': 'small cell' is read as required of every NEC",
    "000": "000 'Patients with SCLC or extrapulmonary high grade neuroendocrine carcinomas with "
    "progression on or after platinum-based chemotherapy will be enrolled ...', 'Patients must "
    "have received at least 1, but no more than 3 prior lines of therapy ...': words left unread "
    "('least 1', 'progression on or after') keep them unknown",
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple]:
    return {
        "001": trials_from_path(DATA / "seeds" / "001_36ee6b61676e01d5.txt")[0],
        "000": trials_from_path(DATA / "seeds" / "000_04011d3bb8defd9c.txt")[0],
    }


def run(name: str, trial, criteria) -> TrialMatch:
    patient = read_patient(DATA / "match" / "patients" / f"{name}.json").patient
    return match_trial(patient, trial, criteria, as_of=AS_OF)


#: the cases the parser's gaps decide today, with the gaps (checked: each fails without them)
BLOCKED = {
    "p01-fit-sclc": ["inc-5", "inc-13", "exc-16"],
    "p03-platelets-100000-per-mm3": ["inc-5", "inc-13"],
    "p05-hemoglobin-9.0-g-dl": ["inc-5", "inc-13"],
    "p07-anc-1500-per-ul": ["inc-5", "inc-13"],
    "p09-ast-3.25-uln-liver-metastases": ["inc-5", "inc-13"],
    "p10-bilirubin-1.4-uln": ["inc-5", "inc-13"],
    "p12-crcl-25-woman-75": ["inc-5", "inc-13"],
    "p13-crcl-42-man-75": ["inc-5", "inc-13"],
    "p14-qtcf-460-woman": ["inc-5", "inc-13"],
    "p17-chemotherapy-35-days-ago": ["inc-5", "inc-13"],
    "p19-extrapulmonary-nec-dll3-5": ["inc-3", "inc-5", "inc-13"],
    "p23-well-differentiated-net": ["exc-3"],
    "p25-hiv": ["exc-21"],
    "p26-pregnant-woman": ["exc-22", "inc-13"],
    "p28-four-prior-lines": ["inc-5"],
    "p29-durvalumab-60-days-ago": ["exc-7.3"],
    "p30-durvalumab-100-days-ago": ["inc-5", "inc-13"],
}


def _cases():
    for name, verdict, criteria, _ in TARLATAMAB_CASES:
        gaps = "; ".join(GAPS[key] for key in BLOCKED.get(name, []))
        marks = [pytest.mark.xfail(reason=f"parser: {gaps}", strict=False)] if gaps else []
        yield pytest.param(name, verdict, criteria, marks=marks, id=name)


@pytest.mark.parametrize(("name", "verdict", "criteria"), list(_cases()))
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
    [
        pytest.param(
            name,
            verdict,
            id=name,
            marks=[pytest.mark.xfail(reason=f"parser: {GAPS['000']}", strict=False)]
            if verdict != "ineligible"
            else [],
        )
        for name, verdict in IADADEMSTAT_CASES
    ],
)
def test_iadademstat_as_parsed(seeds, name, verdict):
    trial, parsed = seeds["000"]
    found = run(name, trial, parsed)
    assert found.verdict == verdict
    if verdict == "ineligible":
        assert found.failing
