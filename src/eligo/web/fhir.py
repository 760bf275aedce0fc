"""FHIR operations: ResearchStudy/$match (HL7 CodeX Integrated Trial Matching)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/fhir", tags=["fhir"])
