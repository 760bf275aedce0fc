"""The patient model: dated facts with their sources, therapy lines, and the matcher's queries."""

from eligo.model.patient.facts import (
    Biomarker,
    Coding,
    Condition,
    DiseaseStatus,
    FactSource,
    Histology,
    Medication,
    Observation,
    PerformanceStatus,
    PregnancyStatus,
    Procedure,
    Stage,
    TherapyLine,
    TrialParticipation,
    Vaccination,
)
from eligo.model.patient.lines import GAP_DAYS, JOIN_DAYS, derive_therapy_lines
from eligo.model.patient.record import (
    DOMAINS,
    Patient,
    PatientRead,
    RecordWarning,
    karnofsky_to_ecog,
)

__all__ = [
    "DOMAINS",
    "GAP_DAYS",
    "JOIN_DAYS",
    "Biomarker",
    "Coding",
    "Condition",
    "DiseaseStatus",
    "FactSource",
    "Histology",
    "Medication",
    "Observation",
    "Patient",
    "PatientRead",
    "PerformanceStatus",
    "PregnancyStatus",
    "Procedure",
    "RecordWarning",
    "Stage",
    "TherapyLine",
    "TrialParticipation",
    "Vaccination",
    "derive_therapy_lines",
    "karnofsky_to_ecog",
]
