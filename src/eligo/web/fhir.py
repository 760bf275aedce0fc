"""FHIR ``ResearchStudy/$match``, after the HL7 CodeX Integrated Trial Matching draft.

In: a ``Parameters`` resource whose ``subject`` (or ``patient``/``bundle``) parameter is a Bundle
of the patient's data, or such a Bundle holding a ``Parameters`` entry; the parameters
``zipCode``, ``travelRadius`` (miles, as in the draft), ``phase`` and ``recruitmentStatus`` (FHIR
codes) narrow the trials. Out: a ``searchset`` Bundle of ResearchStudy resources built from the
trials, best first, each with ``search.mode = match``, ``search.score`` (0–1) and the verdict
in an extension.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from eligo.engine import TrialMatch, match
from eligo.finder.places import distance_km, zip_place
from eligo.model import Trial
from eligo.web.catalogue import Catalogue
from eligo.web.patient_input import json_body, read_patient_json
from eligo.web.ratelimit import RateLimit

router = APIRouter(prefix="/fhir", tags=["fhir"])
fhir_limit = RateLimit("fhir", setting="api_rate_per_minute")
_SUBJECT_NAMES = ("subject", "patient", "bundle", "patientData")
_FHIR_ID = re.compile(r"[^A-Za-z0-9\-.]")
MAX_RESULTS = 100


@cache
def mapping() -> dict[str, Any]:
    return json.loads(files("eligo.web").joinpath("data/fhir.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _value(parameter: dict[str, Any]) -> Any:
    for key, value in parameter.items():
        if key.startswith("value"):
            if isinstance(value, dict):  # valueCodeableConcept / valueCoding / valueQuantity
                codings = value.get("coding") or [value]
                return (
                    next((c.get("code") for c in codings if isinstance(c, dict)), None)
                    or value.get("value")
                    or value.get("text")
                )
            return value
    return None


def split_request(data: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the patient's Bundle, the search parameters by name) from a Parameters or a Bundle."""
    if not isinstance(data, dict):
        raise HTTPException(422, "Send a FHIR Parameters or Bundle resource.")
    kind = data.get("resourceType")
    params: dict[str, Any] = {}
    if kind == "Parameters":
        bundle = None
        for item in data.get("parameter") or []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            if item["name"] in _SUBJECT_NAMES and isinstance(item.get("resource"), dict):
                bundle = item["resource"]
            else:
                params[item["name"]] = _value(item)
        if bundle is None:
            raise HTTPException(
                422, "The Parameters have no 'subject' Bundle with the patient's data."
            )
        return bundle, params
    if kind == "Bundle":
        entries = [e for e in data.get("entry") or [] if isinstance(e, dict)]
        kept = []
        for entry in entries:
            resource = entry.get("resource")
            if isinstance(resource, dict) and resource.get("resourceType") == "Parameters":
                for item in resource.get("parameter") or []:
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        params[item["name"]] = _value(item)
            else:
                kept.append(entry)
        return {**data, "entry": kept}, params
    raise HTTPException(422, "Send a FHIR Parameters or Bundle resource.")


def _number(params: dict[str, Any], name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HTTPException(422, f"The parameter {name!r} must be a number.") from None
    if not 0 < number < 1e6:
        raise HTTPException(422, f"The parameter {name!r} must be above 0.")
    return number


def _filters(params: dict[str, Any], cat: Catalogue) -> Any:
    status_wanted = {str(s) for s in _list(params.get("recruitmentStatus"))}
    phase_wanted = {str(p) for p in _list(params.get("phase"))}
    radius = _number(params, "travelRadius")
    origin = None
    if params.get("zipCode"):
        origin = zip_place(str(params["zipCode"])[:5])
        if origin is None:
            raise HTTPException(422, f"Unknown US ZIP code {str(params['zipCode'])[:12]!r}.")

    def keep(trial: Trial) -> bool:
        if status_wanted and _status(trial) not in status_wanted:
            return False
        if phase_wanted and _phase(trial) not in phase_wanted:
            return False
        if origin is not None and radius is not None:
            places = cat.finder.index.trials()[trial.trial_id].places(cat.finder.gazetteer)
            limit = radius * mapping()["miles_km"]
            return any(distance_km(origin, p) <= limit for p in places)
        return True

    return keep


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _status(trial: Trial) -> str:
    return str(mapping()["status"].get(trial.status or "UNKNOWN", "in-review"))


def _phase(trial: Trial) -> str:
    return str(mapping()["phase"].get(" ".join(sorted(trial.phases)), "n-a"))


def research_study(trial: Trial) -> dict[str, Any]:
    """A FHIR R4 ResearchStudy for the trial: identifiers, title, status, phase, conditions,
    keywords, description, sponsor and sites (as contained Locations)."""
    m = mapping()
    study: dict[str, Any] = {
        "resourceType": "ResearchStudy",
        "id": _FHIR_ID.sub("-", trial.trial_id)[:64] or "trial",
        "identifier": [{"system": m["identifier_system"], "value": trial.trial_id}],
        "title": trial.title,
        "status": _status(trial),
        "phase": {
            "coding": [{"system": m["phase_system"], "code": _phase(trial)}],
            "text": trial.phase_label,
        },
    }
    if trial.conditions:
        study["condition"] = [{"text": c} for c in trial.conditions]
    if trial.keywords:
        study["keyword"] = [{"text": k} for k in trial.keywords]
    if trial.brief_summary:
        study["description"] = trial.brief_summary
    if trial.sponsor:
        study["sponsor"] = {"display": trial.sponsor}
    locations = []
    for i, site in enumerate(trial.sites[:200]):
        location: dict[str, Any] = {"resourceType": "Location", "id": f"site-{i + 1}"}
        if site.facility:
            location["name"] = site.facility
        address = {
            k: v
            for k, v in (
                ("city", site.city),
                ("state", site.state),
                ("postalCode", site.zip),
                ("country", site.country),
            )
            if v
        }
        if address:
            location["address"] = address
        if site.geo is not None:
            location["position"] = {"latitude": site.geo.lat, "longitude": site.geo.lon}
        locations.append(location)
    if locations:
        study["contained"] = locations
        study["site"] = [{"reference": f"#{loc['id']}"} for loc in locations]
    return study


def _entry(found: TrialMatch, trial: Trial, base: str) -> dict[str, Any]:
    resource = research_study(trial)
    return {
        "fullUrl": f"{base}ResearchStudy/{resource['id']}",
        "resource": resource,
        "search": {
            "extension": [{"url": mapping()["verdict_extension"], "valueCode": found.verdict}],
            "mode": "match",
            "score": round(min(max(found.score, 0.0), 1.0), 4),
        },
    }


@router.post(
    "/ResearchStudy/$match",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A FHIR Parameters (subject, zipCode, travelRadius, phase, "
            "recruitmentStatus) or a Bundle of the patient's data with such a Parameters entry.",
            "content": {
                "application/fhir+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
    dependencies=[Depends(fhir_limit)],
)
async def research_study_match(request: Request) -> JSONResponse:
    """Trials for a patient as a FHIR searchset Bundle of scored ResearchStudy resources."""
    bundle, params = split_request(await json_body(request))
    read = read_patient_json(bundle, name="subject")
    cat: Catalogue = request.app.state.catalogue
    keep = _filters(params, cat)
    trial_set = cat.trial_set()
    chosen = [(e.trial, e.criteria) for e in trial_set.entries if keep(e.trial)]
    results = (
        match(read.patient, chosen, as_of=dt.date.today(), top=MAX_RESULTS, vocab=cat.vocab)
        if chosen
        else []
    )
    trials = {e.trial.trial_id: e.trial for e in trial_set.entries}
    base = str(request.base_url) + "fhir/"
    answer = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(results),
        "entry": [_entry(r, trials[r.trial_id], base) for r in results],
    }
    return JSONResponse(answer, media_type="application/fhir+json")
