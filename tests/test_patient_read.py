"""read_patient: one entry point that tells FHIR bundles, patient files and notes apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eligo.errors import RecordError
from eligo.patients import read_patient

DATA = Path(__file__).parent / "data" / "patients"
DEMO = Path(__file__).parents[1] / "src" / "eligo" / "demo" / "patients"
AS_OF = dt.date(2025, 11, 1)


@pytest.mark.parametrize(
    ("source", "adapter"),
    [
        (DATA / "fhir" / "mcode" / "eom_patient_1.json", "fhir"),
        (DEMO / "sclc-low-platelets.yaml", "file"),
        (DATA / "notes" / "trec-20211.txt", "note"),
        (str(DATA / "notes" / "trec-20211.txt"), "note"),
        ("A 64-year-old man with small cell lung cancer, ECOG 1.", "note"),
        ('{"age": 64, "sex": "male"}', "file"),
        ("age: 64\nsex: male\necog: 1\n", "file"),
    ],
)
def test_detects_the_kind_of_record(source: str | Path, adapter: str) -> None:
    read = read_patient(source, as_of=AS_OF)
    assert read.patient.source is not None and read.patient.source.adapter == adapter


def test_as_of_dates_a_note_and_a_stated_age() -> None:
    p = read_patient("A 64-year-old man. Platelets 120 x10^9/L 3 weeks ago.", as_of=AS_OF).patient
    assert p.age_on(AS_OF) == 64
    assert p.latest("platelets").date == AS_OF - dt.timedelta(days=21)
    q = read_patient("age: 64\n", as_of=AS_OF).patient
    assert q.stated_age_on == AS_OF


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ("no/such/patient.json", None),
        ('{"resourceType": "Observation"}', "resourceType"),
        ('{"age": "old"}', "age"),
        ('{"age": 6', None),
    ],
)
def test_bad_input_is_a_record_error(source: str, field: str | None) -> None:
    with pytest.raises(RecordError) as caught:
        read_patient(source)
    assert caught.value.field == field


def test_unknown_suffix_and_folder(tmp_path: Path) -> None:
    odd = tmp_path / "patient.xml"
    odd.write_text("<patient/>")
    with pytest.raises(RecordError, match="xml"):
        read_patient(odd)
    with pytest.raises(RecordError, match="folder"):
        read_patient(tmp_path)


def test_demo_patients_tell_their_stories() -> None:
    fit = read_patient(DEMO / "sclc-relapsed-fit.yaml").patient
    assert fit.age_on(AS_OF) == 64 and fit.latest_performance().value == 1
    assert fit.latest("platelets", AS_OF).value == 180
    assert fit.medications_of_class("platinum") and fit.disease_status[0].status == "progression"
    assert len(fit.therapy_lines) == 1
    low = read_patient(DEMO / "sclc-low-platelets.yaml").patient
    assert low.latest("platelets", AS_OF).value == 85
    net = read_patient(DEMO / "net-well-differentiated.yaml").patient
    assert net.conditions[0].concept_id == "pancreatic_net"
    fhir_fit = read_patient(DEMO / "sclc-relapsed-fit.fhir.json")
    assert not fhir_fit.warnings
    assert fhir_fit.patient.latest("qtcf").value == 455
    assert fhir_fit.patient.latest_biomarker("dll3").value == 75
    brain = read_patient(DEMO / "sclc-brain-metastases.fhir.json")
    assert not brain.warnings
    p = brain.patient
    assert len(p.therapy_lines) == 3
    assert p.latest("platelets").value == pytest.approx(98)
    srs = p.procedures[0]
    assert srs.kind == "radiotherapy" and srs.site == "brain"
    assert (AS_OF - srs.start).days == 12
