"""ClinicalTrials.gov API v2 JSON → Trial: one study, a page of studies, newline-delimited JSON."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eligo.errors import RecordError
from eligo.ingest import read_trials
from eligo.model import Trial

STUDY = Path(__file__).parent / "data" / "trials" / "json" / "NCT02513394.json"


@pytest.fixture(scope="module")
def study() -> dict[str, Any]:
    return json.loads(STUDY.read_text("utf-8"))


def _trials(path: Path) -> list[Trial | RecordError]:
    return list(read_trials(path))


def test_single_study_fields() -> None:
    [trial] = _trials(STUDY)
    assert isinstance(trial, Trial)
    assert trial.trial_id == "NCT02513394"
    assert trial.acronym == "PALLAS"
    assert trial.secondary_ids == ["AFT-05", "ABCSG 42", "BIG 14-03", "2014-005181-30"]
    assert trial.status == "ACTIVE_NOT_RECRUITING"
    assert trial.phases == ["PHASE3"]
    assert trial.study_type == "INTERVENTIONAL"
    assert trial.enrollment == 5796
    assert (trial.start_date, trial.completion_date) == (date(2015, 8, 1), date(2025, 9, 1))
    assert trial.first_posted == date(2015, 7, 31)
    assert trial.last_updated == date(2023, 6, 15)
    assert (trial.minimum_age, trial.maximum_age, trial.sex) == (18.0, None, "all")
    assert trial.healthy_volunteers is False
    assert trial.keywords == ["HR+/HER2- breast cancer", "Palbociclib"]
    assert (trial.eligibility_text or "").startswith("Inclusion Criteria:\n\n* Signed informed")
    assert [(o.kind, o.time_frame) for o in trial.outcomes][:2] == [
        ("primary", "4 years"), ("secondary", "4 years")]
    assert len(trial.outcomes) == 5


def test_arms_name_their_interventions_plainly() -> None:
    [trial] = _trials(STUDY)
    assert isinstance(trial, Trial)
    arm_a = trial.arms[0]
    assert (arm_a.label, arm_a.type) == ("Arm A", "EXPERIMENTAL")
    # "Drug: Palbociclib" in the record; the name alone, as the intervention is called
    assert arm_a.interventions == ["Palbociclib", "Standard Adjuvant Endocrine Therapy"]
    assert trial.interventions[1].arm_labels == ["Arm A", "Arm B"]


def test_sites_with_geo_points() -> None:
    [trial] = _trials(STUDY)
    assert isinstance(trial, Trial)
    assert len(trial.sites) == 437
    first = trial.sites[0]
    assert first.facility == "University of South Alabama Mitchell Cancer Institute"
    assert (first.city, first.state, first.zip, first.country) == (
        "Mobile", "Alabama", "36604", "United States")
    assert first.geo is not None and (first.geo.lat, first.geo.lon) == (30.69436, -88.04305)
    assert sum(site.geo is None for site in trial.sites) == 2


def test_site_status_and_contacts(tmp_path: Path, study: dict[str, Any]) -> None:
    changed = copy.deepcopy(study)
    location = changed["protocolSection"]["contactsLocationsModule"]["locations"][0]
    location["status"] = "RECRUITING"
    location["contacts"] = [
        {"name": "A Person", "role": "CONTACT", "phone": "251-555-0100", "phoneExt": "12",
         "email": "a@example.org"},
        {"name": "B Person", "role": "CONTACT", "email": "b@example.org"},
        {"name": "C Doctor", "role": "PRINCIPAL_INVESTIGATOR"},
    ]
    (tmp_path / "study.json").write_text(json.dumps(changed), "utf-8")
    [trial] = _trials(tmp_path / "study.json")
    assert isinstance(trial, Trial)
    site = trial.sites[0]
    assert site.status == "RECRUITING"
    assert [(c.role, c.name) for c in site.contacts] == [
        ("primary", "A Person"), ("backup", "B Person"), ("principal_investigator", "C Doctor")]
    assert site.contacts[0].phone == "251-555-0100 ext. 12"


def test_page_of_studies(tmp_path: Path, study: dict[str, Any]) -> None:
    second = copy.deepcopy(study)
    second["protocolSection"]["identificationModule"]["nctId"] = "NCT00000002"
    page = {"studies": [study, second, {"hello": "world"}], "nextPageToken": "abc"}
    (tmp_path / "page.json").write_text(json.dumps(page), "utf-8")
    items = _trials(tmp_path / "page.json")
    assert [getattr(i, "trial_id", None) for i in items[:2]] == ["NCT02513394", "NCT00000002"]
    assert [i.source.locator for i in items[:2] if isinstance(i, Trial)] == ["study 1", "study 2"]
    error = items[2]
    assert isinstance(error, RecordError)
    assert error.field == "protocolSection"
    assert error.source == f"{tmp_path / 'page.json'} (study 3)"


@pytest.mark.parametrize("long_lines", [True, False])
def test_ndjson_with_one_broken_line(tmp_path: Path, study: dict[str, Any],
                                     long_lines: bool) -> None:
    # Long lines (437 sites) do not fit in the head detection reads; short ones do.
    study = copy.deepcopy(study)
    if not long_lines:
        del study["protocolSection"]["contactsLocationsModule"]["locations"]
    others = []
    for number in (2, 3):
        other = copy.deepcopy(study)
        other["protocolSection"]["identificationModule"]["nctId"] = f"NCT0000000{number}"
        others.append(other)
    no_title = copy.deepcopy(study)
    no_title["protocolSection"]["identificationModule"]["nctId"] = "NCT00000004"
    del no_title["protocolSection"]["identificationModule"]["briefTitle"]
    lines = [json.dumps(study), json.dumps(others[0])[:3000], json.dumps(others[1]), "",
             json.dumps(no_title)]
    (tmp_path / "studies.txt").write_text("\n".join(lines) + "\n", "utf-8")
    items = _trials(tmp_path / "studies.txt")
    assert len(items) == 4
    assert isinstance(items[0], Trial) and items[0].source.locator == "line 1"
    broken = items[1]
    assert isinstance(broken, RecordError)
    assert broken.record_id == "NCT00000002"  # found in the text even though it does not parse
    assert "line 2" in str(broken) and "JSON cannot be parsed" in str(broken)
    assert isinstance(items[2], Trial) and items[2].trial_id == "NCT00000003"
    untitled = items[3]
    assert isinstance(untitled, RecordError)
    assert (untitled.record_id, untitled.field) == ("NCT00000004", "brief_title")
    assert "line 5" in (untitled.source or "")


def test_list_of_studies_and_bad_values(tmp_path: Path, study: dict[str, Any]) -> None:
    bad_age = copy.deepcopy(study)
    bad_age["protocolSection"]["eligibilityModule"]["minimumAge"] = "adult"
    bad_date = copy.deepcopy(study)
    bad_date["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "soon"
    (tmp_path / "list.json").write_text(json.dumps([bad_age, study, bad_date]), "utf-8")
    first, middle, last = _trials(tmp_path / "list.json")
    assert isinstance(first, RecordError) and first.field == "minimumAge"
    assert first.record_id == "NCT02513394"
    assert isinstance(middle, Trial)
    assert isinstance(last, RecordError) and last.field == "startDateStruct.date"


def test_pretty_study_with_trailing_garbage_is_one_error(tmp_path: Path,
                                                          study: dict[str, Any]) -> None:
    (tmp_path / "x.json").write_text(json.dumps(study, indent=2) + "\n}{ garbage\n", "utf-8")
    [error] = read_trials(tmp_path / "x.json")
    assert isinstance(error, RecordError)
    assert "Extra data" in error.message and error.source == str(tmp_path / "x.json")
