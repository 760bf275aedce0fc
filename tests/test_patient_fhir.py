"""FHIR R4 / mCODE bundles → patients: every sample read, degraded ones warned about, broken
bundles refused with a RecordError naming the file and the field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from eligo.errors import RecordError
from eligo.patients import read_fhir_bundle

DATA = Path(__file__).parent / "data" / "patients" / "fhir"
MCODE = DATA / "mcode"
PATHOLOGY = DATA / "pathology"


def _read(name: str, folder: Path = MCODE):
    return read_fhir_bundle(folder / name)


def _warned(read, resource: str, field: str) -> bool:
    return any(w.resource == resource and w.field == field for w in read.warnings)


def test_trial_matching_patient_01_counts_and_facts() -> None:
    read = _read("TrialMatching_Patient01.json")
    p = read.patient
    assert p.id == "mCODETrialMatchingPatientExample01"
    assert p.sex == "female" and p.birth_date == dt.date(1959, 1, 1)
    assert len(p.conditions) == 4 and len(p.medications) == 5 and len(p.biomarkers) == 6
    primary = next(c for c in p.conditions if c.role == "primary")
    assert primary.body_site == "breast"
    assert set(primary.metastatic_sites) == {"lymph node", "liver", "bone"}
    assert primary.stage is not None and primary.stage.group == "IV"
    assert {c.concept_id for c in p.conditions if c.role == "metastasis"} >= {
        "liver_metastases",
        "bone_metastases",
    }
    assert p.latest_performance("ecog").value == 1
    markers = {b.name: b.result for b in p.biomarkers}
    assert markers["er"] == "positive" and markers["her2"] == "negative"
    assert {m.drug_id for m in p.medications} == {
        "leuprolide",
        "fulvestrant",
        "abemaciclib",
        "ribociclib",
    }
    assert {"conditions", "medications", "performance_status"} <= p.documented
    assert not read.warnings


def test_trial_matching_patient_02_lines_and_procedures() -> None:
    p = _read("TrialMatching_Patient02.json").patient
    assert len(p.medications) == 11 and len(p.procedures) == 5
    zoledronic = next(m for m in p.medications if m.drug_id == "zoledronic_acid")
    assert zoledronic.role == "supportive"
    assert all("zoledronic_acid" not in line.drugs for line in p.therapy_lines)
    assert [line.drugs for line in p.therapy_lines[:2]] == [["exemestane"], ["anastrozole"]]
    kinds = sorted(x.kind for x in p.procedures)
    assert kinds == ["radiotherapy"] * 4 + ["surgery"]
    tmb = next(b for b in p.biomarkers if b.name == "tmb")
    assert tmb.value_text and "Low" in tmb.value_text


def test_eom_patient_merges_tnm_categories_into_one_staging() -> None:
    p = _read("eom_patient_1.json").patient
    cancer = next(c for c in p.conditions if c.role == "primary")
    assert cancer.concept_id == "breast_cancer"
    tnm = [s for s in cancer.stages if s.t]
    assert len(tnm) == 1 and (tnm[0].t, tnm[0].n, tnm[0].m) == ("cT3", "cN3", "cM0")
    assert cancer.stage.group == "IV"  # the latest staging, 2022
    assert cancer.metastatic_sites == ["lung"]
    assert p.disease_status[0].status == "response"
    assert p.latest_performance("ecog").value == 3


def test_patient_data_reads_duplicates_once_and_warns_about_them() -> None:
    read = _read("patient_data.json")
    p = read.patient
    assert len(p.medications) == 3  # three paclitaxel statements, duplicates skipped
    assert [line.drugs for line in p.therapy_lines] == [["paclitaxel"]]
    assert p.latest_performance("karnofsky").value == 90
    assert _warned(read, "MedicationStatement/6cb316ef-0e5a-4e33-9c03-6a9954150c91", "id")
    assert _warned(read, "Observation/95d74cb0-15d5-44dd-a289-b622bfed80be", "value[x]")
    cancer = next(c for c in p.conditions if c.role == "primary")
    assert cancer.histology is not None and cancer.histology.codes[0].code == "367651003"
    assert {s.kind for s in cancer.stages} == {"clinical", "pathological"}


def test_degraded_empty_genetic_variant_warns_without_crashing() -> None:
    read = _read("patient_data_empty-cgv.json")
    assert _warned(read, "entry[0]", "resource")
    assert _warned(read, "Observation/6556b6b3-678c-4fd6-9309-8df77xxxxxxx", "component[0].code")
    assert _warned(read, "Bundle", "entry")  # no Patient resource
    assert read.patient.biomarkers[0].scale == "variant"
    assert read.patient.birth_date is None and read.patient.sex is None


def test_degraded_missing_birthdate_and_invalid_scores() -> None:
    read = _read("patient_data_missing_birthdate_invalid_ecog_karnofsky.json")
    patient = "Patient/1e208b6b-77f1-4808-a32b-9f9caf1ec334"
    assert _warned(read, patient, "birthDate")
    assert _warned(read, "Observation/mCODEECOGPerformanceStatusExample", "valueInteger")
    assert _warned(read, "Observation/mCODEKarnofskyPerformanceStatusExample", "valueInteger")
    assert read.patient.performance_status == []  # -1 is no score: not read
    assert read.patient.age_on(dt.date(2025, 1, 1)) is None
    assert "demographics" not in read.patient.documented
    assert read.patient.conditions[0].concept_id == "breast_cancer"


def test_degraded_missing_histology_names_the_extension() -> None:
    read = _read("patient_data_missing_histology_morph.json")
    condition = "Condition/4dee068c-5ffe-4977-8677-4ff9b518e763"
    assert _warned(read, condition, "extension[0].url")
    cancer = next(c for c in read.patient.conditions if c.role == "primary")
    assert cancer.histology is None
    assert len(read.patient.medications) == 3  # the rest is read as in the complete bundle


def test_pathology_report_histology_grade_and_date() -> None:
    p = _read("ColorectalTransactionBundle.json", PATHOLOGY).patient
    cancer = p.conditions[0]
    assert cancer.histology.text == "Adenoma-like adenocarcinoma"
    assert cancer.concept_id == "adenocarcinoma"
    assert cancer.grade == "G1, well differentiated"
    assert all(o.date == dt.date(2023, 1, 11) for o in p.observations)  # from the report
    assert "conditions" not in p.documented  # a report is not a condition list


def test_pathology_tnm_and_mutations() -> None:
    lung = _read("LungResBundleEx.json", PATHOLOGY).patient
    assert lung.conditions[0].stages[0].t == "pT2a"
    assert lung.conditions[0].stages[0].kind == "pathological"
    melanoma = _read("MelanomaBundleEx.json", PATHOLOGY).patient
    results = {b.name: b.result for b in melanoma.biomarkers}
    assert results == {"braf": "positive", "nras": "not_detected", "kit": "not_detected"}


def test_labs_are_normalised_with_the_original_kept() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "gender": "male",
                    "birthDate": "1961-05-14",
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "cr",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
                    "effectiveDateTime": "2025-10-20",
                    "valueQuantity": {
                        "value": 1.4,
                        "unit": "mg/dL",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg/dL",
                    },
                    "referenceRange": [{"high": {"value": 1.2, "unit": "mg/dL"}}],
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "plt",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
                    "effectiveDateTime": "2025-10-20",
                    "valueQuantity": {"value": 85000, "unit": "/mm3"},
                }
            },
        ],
    }
    p = read_fhir_bundle(bundle).patient
    creatinine = p.latest("creatinine")
    assert creatinine.unit == "umol/L" and creatinine.value == pytest.approx(123.8, abs=0.1)
    assert (creatinine.original_value, creatinine.original_unit) == (1.4, "mg/dL")
    assert creatinine.reference_high == pytest.approx(106.1, abs=0.1)
    assert p.latest("platelets").value == pytest.approx(85.0)
    assert p.age_on(dt.date(2025, 11, 1)) == 64


def test_unit_that_does_not_convert_is_warned_and_kept() -> None:
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "x",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
                    "valueQuantity": {"value": 85, "unit": "mg"},
                }
            }
        ],
    }
    read = read_fhir_bundle(bundle)
    assert _warned(read, "Observation/x", "valueQuantity.unit")
    obs = read.patient.observations[0]
    assert obs.value is None and obs.original_value == 85


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("{not json", None),
        ('["a", "list"]', None),
        ('{"resourceType": "Patient", "id": "x"}', "resourceType"),
        ('{"resourceType": "Bundle"}', "entry"),
        ('{"resourceType": "Bundle", "entry": [{"fullUrl": "a"}, {}]}', "entry"),
    ],
)
def test_broken_bundles_are_record_errors(data: str, field: str | None) -> None:
    with pytest.raises(RecordError) as error:
        read_fhir_bundle(data, name="broken.json")
    assert error.value.source == "broken.json" and error.value.field == field


def test_a_path_given_as_text_is_read() -> None:
    read = read_fhir_bundle(str(MCODE / "eom_patient_1.json"))
    assert read.patient.id == "Ancora-13"
    with pytest.raises(RecordError, match="cannot read"):
        read_fhir_bundle("no/such/bundle.json")


def test_one_bad_resource_loses_nothing_else(tmp_path: Path) -> None:
    raw = json.loads((MCODE / "TrialMatching_Patient01.json").read_text())
    raw["entry"][1]["resource"]["onsetDateTime"] = "last spring"
    raw["entry"].append({"resource": {"resourceType": "MedicationStatement", "id": "bad"}})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(raw))
    read = read_fhir_bundle(path)
    assert len(read.patient.conditions) == 4 and len(read.patient.medications) == 5
    assert _warned(read, "MedicationStatement/bad", "medication[x]")
    assert any(w.field == "onsetDateTime" for w in read.warnings)
    assert all(w.file == str(path) for w in read.warnings)


def test_administrations_requests_immunizations_reports_and_refuted_conditions() -> None:
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p",
                    "gender": "female",
                    "birthDate": "1970-01-01",
                }
            },
            {
                "resource": {
                    "resourceType": "Medication",
                    "id": "med-topo",
                    "code": {"coding": [{"system": rx, "code": "57308"}]},
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationAdministration",
                    "id": "adm",
                    "status": "completed",
                    "subject": {"reference": "Patient/p"},
                    "medicationReference": {"reference": "Medication/med-topo"},
                    "effectiveDateTime": "2025-01-06",
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": "req",
                    "status": "draft",
                    "intent": "plan",
                    "subject": {"reference": "Patient/p"},
                    "medicationCodeableConcept": {"text": "tarlatamab"},
                    "authoredOn": "2025-10-30",
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": "never",
                    "status": "not-taken",
                    "subject": {"reference": "Patient/p"},
                    "medicationCodeableConcept": {"text": "lurbinectedin"},
                }
            },
            {
                "resource": {
                    "resourceType": "Immunization",
                    "id": "vac",
                    "status": "completed",
                    "patient": {"reference": "Patient/p"},
                    "vaccineCode": {"text": "Yellow fever vaccine"},
                    "occurrenceDateTime": "2025-09-01",
                }
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "no-ild",
                    "subject": {"reference": "Patient/p"},
                    "verificationStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                "code": "refuted",
                            }
                        ]
                    },
                    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "233703007"}]},
                }
            },
            {
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "id": "rep",
                    "status": "final",
                    "code": {"text": "CT chest"},
                    "effectiveDateTime": "2025-10-01",
                    "conclusionCode": [
                        {"coding": [{"system": "http://snomed.info/sct", "code": "94381002"}]}
                    ],
                }
            },
            {"resource": {"resourceType": "Specimen", "id": "s"}},
        ],
    }
    read = read_fhir_bundle(bundle)
    p = read.patient
    meds = {m.drug_id: m for m in p.medications}
    assert meds["topotecan"].start == dt.date(2025, 1, 6)
    assert meds["topotecan"].record_kind == "administration"
    assert meds["tarlatamab"].status == "intended"
    assert meds["lurbinectedin"].negated
    assert [line.drugs for line in p.therapy_lines] == [["topotecan"]]
    assert p.vaccinations[0].live is True
    ild = next(c for c in p.conditions if c.concept_id == "ild")
    assert ild.negated
    liver = next(c for c in p.conditions if c.concept_id == "liver_metastases")
    assert liver.source.resource_type == "DiagnosticReport"
    assert not read.warnings
