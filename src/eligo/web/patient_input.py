"""A patient sent to the API: an eligo patient file or a FHIR R4 Bundle, as parsed JSON.

Only parsed objects reach the adapters (never text, which they would read as a path). What
cannot be read is a 422 with the adapter's message; the record itself is never logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import HTTPException, Request

from eligo.errors import EligoError
from eligo.model.patient import PatientRead
from eligo.web.forms import JSON_TYPES, require_content_type

log = logging.getLogger("eligo.web")


async def json_body(request: Request) -> Any:
    require_content_type(request, JSON_TYPES)
    body = await request.body()
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(422, "The body is not valid JSON.") from None


def read_patient_json(data: Any, name: str = "request") -> PatientRead:
    from eligo.patients import read_fhir_bundle, read_patient_file

    if not isinstance(data, dict):
        raise HTTPException(422, "Send the patient as a JSON object (a patient file or a Bundle).")
    try:
        if "resourceType" in data:
            if data.get("resourceType") != "Bundle":
                raise HTTPException(422, "A FHIR patient record must be a Bundle.")
            return read_fhir_bundle(data, name=name)
        return read_patient_file(data, name=name)
    except EligoError as error:
        raise HTTPException(422, str(error)) from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        # An adapter tripped on a shape it did not expect: a bad record, not a server fault.
        log.warning("patient record not readable (%s)", type(error).__name__)
        raise HTTPException(422, "The patient record could not be read.") from None


def patient_summary(read: PatientRead, vocab: Any) -> dict[str, Any]:
    """Who was matched, in the shape ``eligo match --json`` prints."""
    patient = read.patient
    conditions = []
    for condition in patient.conditions:
        concept = vocab.conditions.get(condition.concept_id or "")
        label = concept.label if concept else condition.text
        if label and not condition.negated:
            conditions.append(label)
    return {
        "id": patient.id,
        "source": "request",
        "sex": patient.sex,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "conditions": list(dict.fromkeys(conditions)),
        "warnings": [str(w) for w in read.warnings],
    }
