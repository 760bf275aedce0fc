"""The JSON API under /api: search, trial, criteria, match."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from eligo.engine import EARLIEST_AS_OF, LATEST_AS_OF, match, match_trial
from eligo.finder.overview import overview
from eligo.finder.search import TrialQuery
from eligo.store import FilterError
from eligo.web.catalogue import Catalogue
from eligo.web.patient_input import json_body, patient_summary, read_patient_json
from eligo.web.ratelimit import RateLimit

router = APIRouter(prefix="/api", tags=["api"])
api_limit = RateLimit("api", setting="api_rate_per_minute")

_PATIENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "An eligo patient file (docs/patients.md) or a FHIR R4 Bundle.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/fhir+json": {"schema": {"type": "object"}},
        },
    }
}


class TrialHit(BaseModel):
    trial_id: str
    title: str
    status: str | None
    phases: list[str]
    conditions: list[str]
    matched_conditions: list[str]
    distance_km: float | None
    nearest_site: str | None


class SearchAnswer(BaseModel):
    total: int
    understood_conditions: list[str]
    place: str | None
    notes: list[str]
    results: list[TrialHit]


class MatchAnswer(BaseModel):
    patient: dict[str, Any]
    as_of: str
    results: list[dict[str, Any]] = Field(description="TrialMatch.to_json(), best first")


def _catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue  # type: ignore[no-any-return]


@router.get("/trials", response_model=SearchAnswer, dependencies=[Depends(api_limit)])
def search_trials(
    request: Request,
    q: str = Query("", max_length=500, description="Condition (synonyms understood) or words"),
    status: str | None = Query(None, max_length=40, examples=["recruiting"]),
    phase: str | None = Query(None, max_length=40, examples=["2"]),
    age: float | None = Query(None, ge=0, le=120),
    sex: Literal["female", "male"] | None = None,
    near: str | None = Query(None, max_length=200, description="A city or a US ZIP code"),
    within_km: float | None = Query(None, gt=0, le=20_000),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
) -> SearchAnswer:
    query = TrialQuery(q, status, phase, age, sex, near, within_km, limit, offset)
    try:
        result = _catalogue(request).finder.search(query)
    except FilterError as error:
        raise HTTPException(422, str(error)) from None
    return SearchAnswer(
        total=result.total,
        understood_conditions=result.concepts,
        place=result.place.label if result.place else None,
        notes=result.notes,
        results=[TrialHit(**f.to_json()) for f in result.found],
    )


def _trial(request: Request, trial_id: str) -> Any:
    trial = _catalogue(request).trial(trial_id)
    if trial is None:
        raise HTTPException(404, f"No trial {trial_id[:80]!r} in the catalogue.")
    return trial


@router.get("/trials/{trial_id}")
def get_trial(request: Request, trial_id: str) -> dict[str, Any]:
    """The trial record as eligo keeps it, with its plain-language overview."""
    trial = _trial(request, trial_id)
    data: dict[str, Any] = trial.model_dump(mode="json", exclude={"source"})
    data["overview"] = overview(trial, _catalogue(request).vocab).to_json()
    return data


@router.get("/trials/{trial_id}/criteria")
def get_criteria(request: Request, trial_id: str) -> list[dict[str, Any]]:
    """The trial's criteria, each with its expression (docs/expressions.md)."""
    trial = _trial(request, trial_id)
    criteria = _catalogue(request).criteria(trial)
    return [c.model_dump(mode="json") for c in criteria]


AsOf = Annotated[
    dt.date | None,
    Query(
        description="The day to judge on [default: today]",
        ge=EARLIEST_AS_OF,
        le=LATEST_AS_OF,
    ),
]


def _as_of(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


@router.post(
    "/match",
    response_model=MatchAnswer,
    openapi_extra=_PATIENT_BODY,
    dependencies=[Depends(api_limit)],
)
async def match_patient(
    request: Request,
    top: int = Query(10, ge=1, le=100, description="How many trials, best first"),
    as_of: AsOf = None,
) -> MatchAnswer:
    """Every trial in the catalogue for one patient, best first; the same JSON as
    ``eligo match --json``."""
    read = read_patient_json(await json_body(request))
    cat = _catalogue(request)
    day = _as_of(as_of)
    results = match(read.patient, cat.trial_set(), as_of=day, top=top)
    return MatchAnswer(
        patient=patient_summary(read, cat.vocab),
        as_of=day.isoformat(),
        results=[r.to_json() for r in results],
    )


@router.post(
    "/trials/{trial_id}/match",
    response_model=MatchAnswer,
    openapi_extra=_PATIENT_BODY,
    dependencies=[Depends(api_limit)],
)
async def match_one_trial(
    request: Request,
    trial_id: str,
    as_of: AsOf = None,
) -> MatchAnswer:
    """One trial for one patient: every criterion with its verdict, reason and evidence."""
    trial = _trial(request, trial_id)
    read = read_patient_json(await json_body(request))
    cat = _catalogue(request)
    day = _as_of(as_of)
    found = match_trial(read.patient, trial, cat.criteria(trial), as_of=day, vocab=cat.vocab)
    return MatchAnswer(
        patient=patient_summary(read, cat.vocab), as_of=day.isoformat(), results=[found.to_json()]
    )
