"""eligo patient files (JSON/YAML): the committed schema, friendly names, clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from eligo.errors import RecordError
from eligo.patients import read_patient_file
from eligo.patients.file import SCHEMA_PATH, patient_file_schema

DEMO = Path(__file__).parents[1] / "src" / "eligo" / "demo" / "patients"


def _read(text: str):
    return read_patient_file(text, name="patient.yaml")


def _error(text: str) -> RecordError:
    with pytest.raises(RecordError) as caught:
        _read(text)
    return caught.value


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(patient_file_schema()))
    jsonschema.Draft202012Validator.check_schema(committed)


@pytest.mark.parametrize("name", sorted(p.name for p in DEMO.glob("*.yaml")))
def test_demo_files_follow_the_schema_and_read(name: str) -> None:
    data = yaml.safe_load((DEMO / name).read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), patient_file_schema())
    patient = read_patient_file(DEMO / name).patient
    assert patient.conditions and patient.observations


def test_friendly_file_reads_into_facts() -> None:
    read = _read(
        """
        age: 64
        as_of: 2025-11-01
        sex: male
        diagnoses:
          - {condition: small cell lung cancer, stage: IV, date: 2024-03-01, metastases: [liver]}
          - {condition: hepatitis B, status: history}
        absent: [brain metastases]
        labs:
          - {name: platelets, value: 85, unit: 10^9/L, date: 2025-10-20}
          - {name: creatinine, value: 1.4, unit: mg/dL, date: 2025-10-20}
        ecog: 1
        treatments:
          - {drugs: [carboplatin, etoposide], start: 2024-03-10, end: 2024-06-01}
          - {drug: atezolizumab, start: 2024-03-10, end: 2024-12-01}
          - {drug: dexamethasone, start: 2025-01-01}
        never_received: [tarlatamab]
        pregnant: false
        """
    )
    p = read.patient
    assert p.age_on(dt.date(2025, 11, 1)) == 64 and p.sex == "male"
    cancer = p.conditions[0]
    assert cancer.concept_id == "sclc" and cancer.role == "primary"
    assert cancer.stage.group == "IV" and cancer.metastatic_sites == ["liver"]
    assert p.conditions[1].status == "history"
    absent = p.conditions[2]
    assert absent.negated and absent.concept_id == "brain_metastases"
    creatinine = p.latest("creatinine")
    assert creatinine.unit == "umol/L" and creatinine.value == pytest.approx(123.8, abs=0.1)
    assert creatinine.original_unit == "mg/dL"
    assert p.latest_performance().value == 1
    assert [line.drugs for line in p.therapy_lines] == [
        ["carboplatin", "etoposide", "atezolizumab"]
    ]
    assert p.medications_of_class("platinum")[0].drug_id == "carboplatin"
    assert p.medications_of_class("tarlatamab", negated=True)
    assert {"conditions", "medications", "observations", "pregnancy"} <= p.documented
    assert "procedures" not in p.documented


def test_explicit_documented_overrides_the_keys() -> None:
    p = _read("age: 50\nsex: female\ndocumented: [medications]\n").patient
    assert p.documented == {"medications"}
    assert _error("age: 50\ndocumented: [drugs]\n").field == "documented"


def test_codes_instead_of_names() -> None:
    p = _read(
        "diagnoses:\n  - {code: 'snomed:254632001'}\n"
        "treatments:\n  - {code: {system: rxnorm, code: '40048'}, start: 2024-01-01}\n"
    ).patient
    assert p.conditions[0].concept_id == "sclc"
    assert p.medications[0].drug_id == "carboplatin" and p.medications[0].rxnorm == "40048"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("labs:\n  - {name: platlets, value: 85, unit: 10^9/L}\n", "labs[0].name", "platelets"),
        ("labs:\n  - {name: platelets, value: 85, unit: furlongs}\n", "labs[0].unit", "furlongs"),
        ("labs:\n  - {name: platelets, value: 85}\n", "labs[0].unit", "missing"),
        (
            "diagnoses:\n  - {condition: small cell lung cancr}\n",
            "diagnoses[0].condition",
            "small cell lung cancer",
        ),
        ("treatments:\n  - {drug: carboplatine}\n", "treatments[0].drug", "carboplatin"),
        (
            "treatments:\n  - {drugs: [carboplatin, etopside]}\n",
            "treatments[0].drugs[1]",
            "etoposide",
        ),
        ("ecog: 7\n", "ecog.value", "ECOG"),
        ("biomarkers:\n  - {name: DLL4, result: positive}\n", "biomarkers[0].name", "DLL4"),
        ("agee: 64\n", "agee", "did you mean 'age'"),
        ("age: sixty\n", "age", "sixty"),
        ("age: 60\nbirth_date: 1960-01-01\n", "age", "not both"),
        ("diagnoses:\n  - {condition: sclc, stage: purple}\n", "diagnoses[0].stage", "purple"),
        ("labs:\n  - {name: ECOG, value: 1}\n", "labs[0].name", "ecog: 1"),
    ],
)
def test_errors_name_the_field_the_value_and_a_suggestion(
    text: str, field: str, words: str
) -> None:
    error = _error(text)
    assert error.source == "patient.yaml"
    assert error.field == field
    assert words in str(error)


@pytest.mark.parametrize("text", ["- just\n- a list\n", "[unclosed", "42"])
def test_files_that_are_no_mapping(text: str) -> None:
    assert _error(text).source == "patient.yaml"


def test_json_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"birth_date": "1960-02-29", "sex": "female", "ecog": 2}))
    p = read_patient_file(path).patient
    assert p.age_on(dt.date(2025, 2, 28)) == 64 and p.age_on(dt.date(2025, 3, 1)) == 65
    assert p.source.file == str(path)
