"""FHIR R4 bundles (with mCODE profiles and synoptic pathology reports) → eligo patients."""

from eligo.patients.fhir.bundle import read_fhir_bundle

__all__ = ["read_fhir_bundle"]
