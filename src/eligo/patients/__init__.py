"""Patient adapters: FHIR R4 bundles, eligo patient files (JSON/YAML) and free-text notes.

``read_patient`` tells them apart; each adapter returns a :class:`~eligo.model.patient.PatientRead`
(the patient and the warnings about what could not be read).
"""

from eligo.patients.fhir import read_fhir_bundle
from eligo.patients.file import read_patient_file
from eligo.patients.note import read_note
from eligo.patients.read import read_patient

__all__ = ["read_fhir_bundle", "read_note", "read_patient", "read_patient_file"]
