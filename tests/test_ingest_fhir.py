"""FHIR R4 ResearchStudy → Trial: a single resource and a searchset Bundle."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from eligo.errors import RecordError
from eligo.ingest import read_trials
from eligo.model import Trial

FHIR = Path(__file__).parent / "data" / "trials" / "fhir"


def test_single_research_study() -> None:
    [trial] = read_trials(FHIR / "complete_study.json")
    assert isinstance(trial, Trial)
    assert trial.trial_id == "NCT02513394"
    assert trial.brief_title.startswith("PALbociclib CoLlaborative Adjuvant Study: A Randomized")
    assert trial.status == "RECRUITING"  # FHIR "active"
    assert trial.phases == ["PHASE3"]  # coded "Phase 3" rather than "phase-3": read by its label
    assert trial.study_type == "INTERVENTIONAL"  # from the category "Study Type: Interventional"
    assert trial.conditions == ["Breast Cancer"]
    assert trial.keywords == ["HR+/HER2- breast cancer", "Palbociclib"]
    arms = [(a.label, a.type) for a in trial.arms]
    assert arms == [("Arm A", "EXPERIMENTAL"), ("Arm B", "OTHER")]
    assert (trial.start_date, trial.completion_date) == (date(2015, 8, 1), date(2025, 9, 1))
    # the contained Location is the study's one site; countries are not sites
    assert [s.facility for s in trial.sites] == ["Site"]
    text = trial.eligibility_text or ""
    # first line was stripped by the exporter, the rest keeps its relative indent only
    assert text.startswith("Inclusion Criteria:\n\n  -  Signed informed consent")
    assert "\nExclusion Criteria:\n" in text
    assert (trial.brief_summary or "").startswith("This is a prospective, two arm")
    assert trial.source.format == "fhir"


def test_searchset_bundle() -> None:
    items = list(read_trials(FHIR / "resource.json"))
    assert all(isinstance(i, Trial) for i in items)
    trials = [i for i in items if isinstance(i, Trial)]
    assert [t.trial_id for t in trials] == [
        "NCT02513394", "NCT01674140", "NCT03488693", "NCT03662204", "NCT02744092"]
    assert [t.source.locator for t in trials] == [f"entry {n}" for n in range(1, 6)]
    assert trials[1].phases == ["PHASE3"]  # "phase-3"
    assert trials[2].phases == ["NA"]  # "n-a"
    assert trials[3].study_type == "OBSERVATIONAL"  # category text "Observational"
    assert trials[3].phases == []
    assert trials[2].arms[0].type == "ACTIVE_COMPARATOR"


def _study(**extra: Any) -> dict[str, Any]:
    return {"resourceType": "ResearchStudy", "id": "s1",
            "identifier": [{"system": "urn:local", "value": "LOCAL-1"},
                           {"system": "http://clinicaltrials.gov", "value": "NCT00000009"}],
            "title": "A study", **extra}


def test_contained_and_bundle_references(tmp_path: Path) -> None:
    study = _study(
        status="temporarily-closed-to-accrual",
        phase={"coding": [{"code": "phase-1-phase-2"}]},
        sponsor={"reference": "#org"},
        site=[{"reference": "Location/loc-2"}, {"reference": "#gone", "display": "Some clinic"}],
        enrollment=[{"reference": "#grp"}],
        contained=[
            {"resourceType": "Organization", "id": "org", "name": "Gustave Roussy"},
            {"resourceType": "Group", "id": "grp", "characteristic": [
                {"code": {"text": "Age"}, "valueCodeableConcept": {"text": "18 years or older"},
                 "exclude": False},
                {"code": {"text": "Pregnancy"}, "exclude": True}]},
        ],
    )
    location = {"resourceType": "Location", "id": "loc-2", "name": "Gustave Roussy",
                "address": {"city": "Villejuif", "postalCode": "94805", "country": "France"},
                "position": {"latitude": 48.7939, "longitude": 2.3533},
                "telecom": [{"system": "phone", "value": "+33 1 42 11 42 11"}]}
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": study}, {"resource": location}]}
    (tmp_path / "b.json").write_text(json.dumps(bundle), "utf-8")
    [trial] = read_trials(tmp_path / "b.json")
    assert isinstance(trial, Trial)
    assert trial.trial_id == "NCT00000009" and trial.secondary_ids == ["LOCAL-1"]
    assert trial.status == "SUSPENDED"
    assert trial.phases == ["PHASE1", "PHASE2"]
    assert trial.sponsor == "Gustave Roussy"
    site = trial.sites[0]
    assert (site.facility, site.city, site.zip, site.country) == (
        "Gustave Roussy", "Villejuif", "94805", "France")
    assert site.geo is not None and site.geo.lat == 48.7939
    assert site.contacts[0].phone == "+33 1 42 11 42 11"
    assert trial.sites[1].facility == "Some clinic"
    assert trial.eligibility_text == (
        "Inclusion Criteria:\n- 18 years or older\n\nExclusion Criteria:\n- Pregnancy")


def test_errors(tmp_path: Path) -> None:
    (tmp_path / "patient.json").write_text(json.dumps(
        {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]}), "utf-8")
    (tmp_path / "noid.json").write_text(json.dumps(
        {"resourceType": "ResearchStudy", "title": "No identifier"}), "utf-8")
    (tmp_path / "baddate.json").write_text(json.dumps(
        _study(period={"start": "the spring"})), "utf-8")
    [no_study] = read_trials(tmp_path / "patient.json")
    assert isinstance(no_study, RecordError) and no_study.field == "entry"
    assert "no ResearchStudy" in str(no_study)
    [no_id] = read_trials(tmp_path / "noid.json")
    assert isinstance(no_id, RecordError) and no_id.field == "trial_id"
    [bad_date] = read_trials(tmp_path / "baddate.json")
    assert isinstance(bad_date, RecordError)
    assert (bad_date.record_id, bad_date.field) == ("NCT00000009", "period.start")
