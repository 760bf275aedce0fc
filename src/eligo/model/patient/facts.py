"""The facts a patient record is made of: each one dated where the record says when, and sourced.

Values are normalised on the way in (units to the measurement's canonical UCUM unit, codes to
eligo's vocabulary concept ids where they map), and the original is kept beside the normalised
value so evidence can quote what the record actually said.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Adapter = Literal["fhir", "file", "note", "form"]
ClinicalStatus = Literal["active", "resolved", "history"]
Certainty = Literal["confirmed", "uncertain"]
ProcedureKind = Literal[
    "radiotherapy", "surgery", "transfusion", "biopsy", "transplant", "imaging", "other"
]
MedicationStatus = Literal["active", "completed", "stopped", "intended", "unknown"]
MedicationRole = Literal["anticancer", "supportive", "other"]
BiomarkerScale = Literal["percent", "h_score", "positive_negative", "score", "variant", "level"]
BiomarkerResult = Literal["positive", "negative", "equivocal", "not_detected"]
DiseaseStatusValue = Literal["progression", "stable", "response", "remission", "unknown"]
CommitmentAbout = Literal["consent", "compliance", "willingness"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactSource(_Fact):
    """Where a fact was read: a FHIR resource, a field of a patient file, or a span of a note."""

    adapter: Adapter
    file: str | None = None
    resource_type: str | None = None  # FHIR "Observation"
    resource_id: str | None = None
    field: str | None = None  # "labs[2]", "valueQuantity"
    sentence: str | None = None  # the note sentence the fact was read from
    sentence_span: tuple[int, int] | None = None  # character offsets of the sentence in the note
    span: tuple[int, int] | None = None  # character offsets of the mention itself

    @property
    def label(self) -> str:
        """A short human reference: "Observation/abc", "labs[2]", "note chars 10-32"."""
        if self.resource_type:
            return f"{self.resource_type}/{self.resource_id or '?'}"
        if self.span:
            return f"note chars {self.span[0]}-{self.span[1]}"
        return self.field or self.file or self.adapter


class Coding(_Fact):
    """A code as the record gave it. ``system`` is a short name (snomed, icd10cm, icdo3, loinc,
    rxnorm, atc, cvx, ajcc, ecc) when eligo knows the system, else the system URI."""

    system: str
    code: str
    display: str | None = None


class Stage(_Fact):
    """A cancer stage: AJCC/TNM stage group and categories, or a scheme's own words
    ("extensive", "limited" for small-cell lung cancer)."""

    group: str | None = None  # "IV", "IIIA", "extensive"
    t: str | None = None  # "cT3", "pT2a"
    n: str | None = None
    m: str | None = None
    kind: Literal["clinical", "pathological"] | None = None
    date: dt.date | None = None
    source: FactSource | None = None


class Histology(_Fact):
    """Tumour morphology: the ICD-O-3 code when known, else what the record called it."""

    icdo3: str | None = None  # "8041/3"
    concept_id: str | None = None  # vocabulary concept for the morphology, when it maps
    text: str | None = None
    codes: list[Coding] = Field(default_factory=list)


class Condition(_Fact):
    concept_id: str | None = None  # eligo.vocab conditions id, when the code or text maps
    codes: list[Coding] = Field(default_factory=list)
    text: str | None = None
    status: ClinicalStatus = "active"
    # A documented absence ("no brain metastases", FHIR verificationStatus "refuted").
    negated: bool = False
    certainty: Certainty = "confirmed"
    role: Literal["primary", "metastasis"] | None = None  # mCODE primary / secondary cancer
    onset: dt.date | None = None
    abatement: dt.date | None = None
    body_site: str | None = None
    stages: list[Stage] = Field(default_factory=list)
    histology: Histology | None = None
    grade: str | None = None  # "G1", "well differentiated", "high grade"
    metastatic_sites: list[str] = Field(default_factory=list)  # "liver", "brain", "bone"
    source: FactSource | None = None

    @property
    def stage(self) -> Stage | None:
        """The latest staging (dated ones by date, undated ones in record order)."""
        if not self.stages:
            return None
        return max(enumerate(self.stages), key=lambda p: (p[1].date or dt.date.min, p[0]))[1]


class Observation(_Fact):
    """A measured value: a lab, a vital sign, or a coded finding."""

    measurement_id: str | None = None  # eligo.vocab measurements id, when it maps
    loinc: str | None = None
    codes: list[Coding] = Field(default_factory=list)
    text: str | None = None  # the name as the record wrote it
    value: float | None = None  # in ``unit``, the measurement's canonical UCUM unit
    unit: str | None = None
    comparator: Literal["<", "<=", ">", ">="] | None = None
    original_value: float | None = None
    original_unit: str | None = None
    value_text: str | None = None  # coded or string results ("Right", "Present")
    reference_low: float | None = None  # in ``unit``
    reference_high: float | None = None
    interpretation: str | None = None  # "H", "L", "N", "A", "POS", "NEG"
    date: dt.date | None = None
    source: FactSource | None = None


class Biomarker(_Fact):
    """A tumour marker or molecular result: DLL3 1 %, H-score 150, Ki-67 25 %, HER2 negative."""

    name: str  # canonical id from patients/data/biomarkers.yaml ("dll3", "ki67"), else as written
    value: float | None = None
    unit: str | None = None
    scale: BiomarkerScale | None = None
    result: BiomarkerResult | None = None
    value_text: str | None = None  # "BRAF V600K", "Present"
    codes: list[Coding] = Field(default_factory=list)
    date: dt.date | None = None
    source: FactSource | None = None


class PerformanceStatus(_Fact):
    scale: Literal["ecog", "karnofsky"]
    value: int
    date: dt.date | None = None
    source: FactSource | None = None


class Medication(_Fact):
    drug_id: str | None = None  # eligo.vocab drugs id, when it maps
    rxnorm: str | None = None
    codes: list[Coding] = Field(default_factory=list)
    text: str | None = None
    classes: list[str] = Field(default_factory=list)  # eligo.vocab drug class ids
    role: MedicationRole | None = None  # anticancer / supportive decides therapy lines
    start: dt.date | None = None
    end: dt.date | None = None
    status: MedicationStatus = "unknown"
    intent: str | None = None  # "curative", "palliative", "adjuvant", …
    cycles: int | None = None
    negated: bool = False  # a documented "never received"
    # Drugs given together without dates (a note's "carboplatin and etoposide", a file's
    # ``drugs: [...]`` entry) share a regimen key; an explicit ``line`` wins over the date rule.
    regimen: str | None = None
    line: int | None = None
    record_kind: Literal["statement", "administration", "request"] | None = None
    source: FactSource | None = None


class TherapyLine(_Fact):
    number: int
    drugs: list[str]  # drug ids where known, else the text
    start: dt.date | None = None
    end: dt.date | None = None


class Procedure(_Fact):
    kind: ProcedureKind = "other"
    text: str | None = None
    codes: list[Coding] = Field(default_factory=list)
    site: str | None = None  # "brain", "whole brain", "thorax", "bone"
    qualifiers: list[str] = Field(default_factory=list)  # "whole_brain", "stereotactic", …
    start: dt.date | None = None
    end: dt.date | None = None
    intent: str | None = None
    negated: bool = False
    source: FactSource | None = None


class PregnancyStatus(_Fact):
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    date: dt.date | None = None
    source: FactSource | None = None


class Vaccination(_Fact):
    vaccine: str
    codes: list[Coding] = Field(default_factory=list)
    live: bool | None = None
    date: dt.date | None = None
    source: FactSource | None = None


class TrialParticipation(_Fact):
    trial: str | None = None  # registry id when known
    text: str | None = None
    investigational: bool = True
    start: dt.date | None = None
    end: dt.date | None = None
    source: FactSource | None = None


class DiseaseStatus(_Fact):
    """How the cancer is doing: mCODE cancer disease status, "progressed on …" in a note."""

    status: DiseaseStatusValue
    text: str | None = None
    date: dt.date | None = None
    source: FactSource | None = None


class Commitment(_Fact):
    """What the patient has said about taking part: "will provide informed consent", "willing to
    comply with the protocol" (``given``), or a refusal (``given=False``). The study team still
    confirms it; it answers only the study-team criteria a patient can speak to."""

    about: CommitmentAbout
    given: bool = True
    text: str | None = None
    date: dt.date | None = None
    source: FactSource | None = None
