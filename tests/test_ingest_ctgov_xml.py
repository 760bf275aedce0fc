"""ClinicalTrials.gov legacy XML → Trial, checked field by field on real records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eligo.errors import RecordError
from eligo.ingest import read_trials
from eligo.model import Trial

XML = Path(__file__).parent / "data" / "trials" / "xml"


def _one(name: str) -> Trial:
    items = list(read_trials(XML / name))
    assert len(items) == 1
    assert isinstance(items[0], Trial), items[0]
    return items[0]


def test_pallas_identity_status_phase_and_dates() -> None:
    trial = _one("NCT02513394.xml")
    assert trial.trial_id == "NCT02513394"
    assert trial.secondary_ids == ["AFT-05", "ABCSG 42", "BIG 14-03", "2014-005181-30"]
    assert trial.brief_title == "PALbociclib CoLlaborative Adjuvant Study"
    assert trial.official_title is not None and trial.official_title.startswith("PALbociclib")
    assert trial.acronym == "PALLAS"
    assert trial.status == "ACTIVE_NOT_RECRUITING"
    assert trial.phases == ["PHASE3"]
    assert trial.study_type == "INTERVENTIONAL"
    assert trial.start_date == date(2015, 8, 1)  # "August 2015"
    assert trial.completion_date == date(2025, 9, 1)
    assert trial.enrollment == 5796
    assert trial.sponsor == "Alliance Foundation Trials, LLC."
    assert trial.collaborators[0] == "Austrian Breast & Colorectal Cancer Study Group"
    assert len(trial.collaborators) == 5
    assert trial.source.format == "ctgov-xml"
    assert trial.source.path == str(XML / "NCT02513394.xml")


def test_pallas_eligibility_and_arms() -> None:
    trial = _one("NCT02513394.xml")
    assert (trial.minimum_age, trial.maximum_age) == (18.0, None)
    assert trial.sex == "all"
    assert trial.healthy_volunteers is False
    text = trial.eligibility_text or ""
    assert text.startswith("Inclusion Criteria:\n\n  -  Signed informed consent")
    assert "\nExclusion Criteria:\n" in text
    assert "\r" not in text
    # the common indent is gone, the relative one (wrapped bullet lines) is kept
    wrapped = ("\n  -  Pre- and postmenopausal women or men with Stage II (Stage IIA limited to"
               " max. 1000\n     patients) or Stage III early invasive breast cancer\n")
    assert wrapped in text
    assert [a.label for a in trial.arms] == ["Arm A", "Arm B"]
    assert trial.arms[0].type == "EXPERIMENTAL"
    assert trial.arms[1].interventions == ["Standard Adjuvant Endocrine Therapy"]
    endocrine = trial.interventions[1]
    assert (endocrine.type, endocrine.name) == ("DRUG", "Standard Adjuvant Endocrine Therapy")
    assert endocrine.arm_labels == ["Arm A", "Arm B"]
    kinds = [o.kind for o in trial.outcomes]
    assert kinds == ["primary", "secondary"]
    assert trial.outcomes[0].measure == "Invasive Disease Free Survival (iDFS)"
    assert trial.outcomes[0].time_frame is not None and "5.4 years" in trial.outcomes[0].time_frame


def test_phase_pair_other_names_and_withdrawn() -> None:
    assert _one("NCT00003726.xml").phases == ["PHASE1", "PHASE2"]
    trial = _one("NCT00003599.xml")
    assert trial.status == "WITHDRAWN"
    isotretinoin = next(i for i in trial.interventions if i.name == "Isotretinoin")
    assert isotretinoin.other_names == ["Accutane", "13-cis-Retinoic acid"]
    assert isotretinoin.arm_labels == ["Arm I", "Arm II"]
    assert trial.arms[0].interventions == ["Vitamin E (AT)", "Isotretinoin"]
    assert trial.sites == []
    # CR LF line ends (&#xD; in the file) become plain newlines, the text is otherwise kept
    text = trial.eligibility_text or ""
    assert text.startswith("DISEASE CHARACTERISTICS: Current smokers with 20+ packs")
    assert "\r" not in text and "\n\nPATIENT CHARACTERISTICS:" in text


def test_site_with_status_contacts_and_investigators() -> None:
    trial = _one("NCT00495859.xml")
    assert trial.status == "UNKNOWN"
    assert trial.phases == ["NA"]
    assert (trial.minimum_age, trial.maximum_age) == (18.0, 68.0)
    assert trial.interventions[0].type == "DIETARY_SUPPLEMENT"
    assert trial.arms[0].type == "ACTIVE_COMPARATOR"
    [site] = trial.sites
    assert site.facility == "Department of Surgery, Ruprecht-Karls University"
    assert (site.city, site.state, site.zip, site.country) == (
        "Heidelberg", "Baden-Württemberg", "69120", "Germany")
    assert site.status == "RECRUITING"
    assert [(c.role, c.name) for c in site.contacts] == [
        ("primary", "Peter Schemmer, MD"),
        ("backup", "Arash Nickkholgh, MD"),
        ("principal_investigator", "Peter Schemmer, MD"),
        ("sub_investigator", "Arash Nickkholgh, MD"),
    ]
    assert site.contacts[0].phone == "+4962215636500"
    assert site.contacts[1].email == "arash.nickkholgh@med.uni-heidelberg.de"
    assert trial.first_posted == date(2007, 7, 3)  # "July 3, 2007"
    assert trial.last_updated == date(2008, 4, 4)


def test_many_sites_in_order() -> None:
    trial = _one("NCT00492206.xml")
    assert len(trial.sites) == 31
    assert trial.sites[0].facility == "Sylvester Comprehensive Cancer Center, University of Miami"
    assert (trial.sites[0].city, trial.sites[0].zip) == ("Miami", "33136")


def test_geo_point_when_an_export_adds_one(tmp_path: Path) -> None:
    text = (XML / "NCT00495859.xml").read_text("utf-8").replace(
        "<country>Germany</country>\n      </address>",
        "<country>Germany</country>\n        <geo_point><latitude>49.40768</latitude>"
        "<longitude>8.69079</longitude></geo_point>\n      </address>")
    (tmp_path / "geo.xml").write_text(text, "utf-8")
    [trial] = read_trials(tmp_path / "geo.xml")
    assert isinstance(trial, Trial)
    assert trial.sites[0].geo is not None
    assert (trial.sites[0].geo.lat, trial.sites[0].geo.lon) == (49.40768, 8.69079)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("<minimum_age>18 Years</minimum_age>", "<minimum_age>eighteen</minimum_age>"),
         "eligibility/minimum_age"),
        (("<start_date>April 2008</start_date>", "<start_date>sometime</start_date>"),
         "start_date"),
        (("<enrollment type=\"Anticipated\">156</enrollment>", "<enrollment>many</enrollment>"),
         "enrollment"),
        (("<gender>All</gender>", "<gender>Everyone</gender>"), "eligibility/gender"),
        (("<brief_title>Effects of Preoperative Long-Term Immunonutrition in Patients Listed for "
          "Liver Transplantation</brief_title>", ""), "brief_title"),
    ],
)
def test_bad_value_names_record_and_field(tmp_path: Path, change: tuple[str, str],
                                          field: str) -> None:
    text = (XML / "NCT00495859.xml").read_text("utf-8")
    assert change[0] in text
    (tmp_path / "bad.xml").write_text(text.replace(change[0], change[1]), "utf-8")
    [error] = read_trials(tmp_path / "bad.xml")
    assert isinstance(error, RecordError)
    assert (error.record_id, error.field) == ("NCT00495859", field)
    assert error.source == str(tmp_path / "bad.xml")


def test_missing_id_is_an_error(tmp_path: Path) -> None:
    text = (XML / "NCT00495859.xml").read_text("utf-8")
    (tmp_path / "noid.xml").write_text(text.replace("<nct_id>NCT00495859</nct_id>", ""), "utf-8")
    [error] = read_trials(tmp_path / "noid.xml")
    assert isinstance(error, RecordError)
    assert error.field == "trial_id" and error.record_id is None
    assert "no identifier" in str(error)


@pytest.mark.parametrize(
    "doctype",
    [b'<!ENTITY x SYSTEM "file:///etc/passwd">',
     b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY x "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'],
)
def test_entities_are_not_expanded(tmp_path: Path, doctype: bytes) -> None:
    evil = (b'<?xml version="1.0"?>\n<!DOCTYPE clinical_study [' + doctype + b']>\n'
            b"<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info>"
            b"<brief_title>T &x;</brief_title></clinical_study>")
    (tmp_path / "evil.xml").write_bytes(evil)
    [trial] = read_trials(tmp_path / "evil.xml")
    assert isinstance(trial, Trial)
    assert trial.brief_title == "T"  # the reference stays unexpanded, nothing read or multiplied


def test_study_officials_become_trial_contacts() -> None:
    from eligo.ingest import read_trials

    trial = next(iter(read_trials(Path(__file__).parent / "data/trials/xml/NCT02513394.xml")))
    assert not isinstance(trial, Exception)
    roles = {(c.name, c.role) for c in trial.contacts}
    assert ("Erica Mayer, MD", "principal_investigator") in roles
