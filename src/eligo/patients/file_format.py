"""The eligo patient file: a JSON or YAML document a person can write by hand.

These models are the format (docs/patients.md explains it with examples); the JSON schema in
``patient.schema.json`` is generated from them. Names (conditions, drugs, labs, biomarkers) are
checked against eligo's vocabulary when the file is read, in :mod:`eligo.patients.file`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Day = dt.date


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodeRef(_Entry):
    system: str = Field(description="snomed, icd10cm, icdo3, loinc, rxnorm, atc or a FHIR URI")
    code: str
    display: str | None = None


Code = str | CodeRef  # "snomed:254632001" or {system: snomed, code: "254632001"}


class StageEntry(_Entry):
    group: str | None = Field(None, description='AJCC group ("IV", "IIIA") or "extensive"')
    t: str | None = None
    n: str | None = None
    m: str | None = None
    kind: Literal["clinical", "pathological"] | None = None
    date: Day | None = None


class DiagnosisEntry(_Entry):
    condition: str | None = Field(None, description="a name eligo knows, or a concept id")
    code: Code | None = None
    text: str | None = Field(None, description="free words kept with the diagnosis")
    status: Literal["active", "resolved", "history"] = "active"
    certainty: Literal["confirmed", "uncertain"] = "confirmed"
    date: Day | None = Field(None, description="onset or diagnosis date")
    end: Day | None = Field(None, description="when it resolved")
    primary: bool | None = Field(None, description="true for the primary cancer")
    stage: str | StageEntry | None = None
    histology: str | None = Field(None, description='a name or an ICD-O-3 code ("8041/3")')
    grade: str | None = None
    site: str | None = None
    metastases: list[str] = Field(default_factory=list, description='sites: "liver", "brain"')


class LabEntry(_Entry):
    name: str = Field(description="a measurement eligo knows: platelets, creatinine, QTcF…")
    value: float | None = None
    unit: str | None = Field(None, description='as written: "10^9/L", "mg/dL", "/mm3"')
    comparator: Literal["<", "<=", ">", ">="] | None = None
    result: str | None = Field(None, description='a result in words: "positive", "negative"')
    low: float | None = Field(None, description="reference range, in the value's unit")
    high: float | None = None
    date: Day | None = None


class Quantity(_Entry):
    value: float
    unit: str
    date: Day | None = None


class PerformanceEntry(_Entry):
    value: int
    date: Day | None = None


class BiomarkerEntry(_Entry):
    name: str = Field(description="DLL3, Ki-67, PD-L1, HER2, …")
    value: float | None = None
    unit: str | None = None
    scale: (
        Literal["percent", "h_score", "positive_negative", "score", "variant", "level"] | None
    ) = None
    result: Literal["positive", "negative", "equivocal", "not_detected"] | None = None
    text: str | None = None
    date: Day | None = None


class TreatmentEntry(_Entry):
    drug: str | None = Field(None, description="one drug (or drug class) name")
    drugs: list[str] | None = Field(None, description="a regimen given together")
    code: Code | None = None
    text: str | None = None
    role: Literal["anticancer", "supportive", "other"] | None = Field(
        None, description="only needed for a drug eligo does not know"
    )
    start: Day | None = None
    end: Day | None = None
    status: Literal["active", "completed", "stopped", "intended", "unknown"] | None = None
    intent: str | None = None
    cycles: int | None = None
    line: int | None = Field(None, description="the line of therapy, when known")


class ProcedureEntry(_Entry):
    kind: (
        Literal[
            "radiotherapy", "surgery", "transfusion", "biopsy", "transplant", "imaging", "other"
        ]
        | None
    ) = None
    name: str | None = None
    code: Code | None = None
    site: str | None = None
    date: Day | None = Field(None, description="the day, or the first day")
    end: Day | None = None
    intent: str | None = None


class VaccinationEntry(_Entry):
    vaccine: str
    live: bool | None = None
    date: Day | None = None


class TrialEntry(_Entry):
    trial: str | None = Field(None, description="registry id, NCT…")
    text: str | None = None
    start: Day | None = None
    end: Day | None = None


class DiseaseStatusEntry(_Entry):
    status: Literal["progression", "stable", "response", "remission", "unknown"]
    date: Day | None = None
    text: str | None = None


class PatientFile(_Entry):
    """An eligo patient file. A key that is present (even as an empty list) says the record
    lists that domain in full; a missing key says nothing. ``documented`` overrides this."""

    model_config = ConfigDict(extra="forbid", title="eligo patient file")

    id: str | None = None
    as_of: Day | None = Field(None, description="the day the file describes (for a stated age)")
    age: float | None = Field(None, ge=0, le=130, description="in years, when no birth date")
    birth_date: Day | None = None
    sex: Literal["female", "male", "other"] | None = None
    weight: float | Quantity | None = Field(None, description="kg, or {value, unit, date}")
    height: float | Quantity | None = Field(None, description="cm, or {value, unit, date}")
    diagnoses: list[DiagnosisEntry] | None = None
    absent: list[str] | None = Field(None, description="conditions the patient does not have")
    labs: list[LabEntry] | None = None
    vitals: list[LabEntry] | None = None
    ecog: int | PerformanceEntry | None = None
    karnofsky: int | PerformanceEntry | None = None
    biomarkers: list[BiomarkerEntry] | None = None
    treatments: list[TreatmentEntry] | None = None
    never_received: list[str] | None = Field(None, description="drugs or classes never given")
    procedures: list[ProcedureEntry] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    vaccinations: list[VaccinationEntry] | None = None
    trials: list[TrialEntry] | None = None
    disease_status: list[DiseaseStatusEntry] | None = None
    documented: list[str] | None = Field(None, description="domains listed in full (overrides)")


class FieldProblem(ValueError):
    """A value in a patient file that cannot be read; ``field`` is its path ("labs[2].unit")."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)
