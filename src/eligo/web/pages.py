"""HTML pages: the search form with its results, the trial page, and its checklist."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from eligo.engine import match_trial
from eligo.finder.overview import overview
from eligo.finder.search import TrialQuery
from eligo.model import Trial
from eligo.store import FilterError
from eligo.web.answers import Answers, read_answers
from eligo.web.catalogue import Catalogue
from eligo.web.checklist import build_checklist, build_questions
from eligo.web.csrf import check_csrf
from eligo.web.forms import FORM_TYPES, bounded, bounded_fields, require_content_type
from eligo.web.ratelimit import RateLimit
from eligo.web.rendering import render

router = APIRouter(include_in_schema=False)
checklist_limit = RateLimit("checklist", setting="api_rate_per_minute")

STATUS_CHOICES = [
    ("", "Any status"),
    ("recruiting", "Recruiting"),
    ("not yet recruiting", "Not yet recruiting"),
    ("active not recruiting", "Active, not recruiting"),
    ("completed", "Completed"),
]
PHASE_CHOICES = [
    ("", "Any phase"),
    ("1", "Phase 1"),
    ("2", "Phase 2"),
    ("3", "Phase 3"),
    ("4", "Phase 4"),
]
DISTANCE_CHOICES = [
    ("", "Any distance"),
    ("25", "25 km"),
    ("50", "50 km"),
    ("100", "100 km"),
    ("250", "250 km"),
    ("500", "500 km"),
]
_MAX_BUNDLE = 1_500_000


def catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue  # type: ignore[no-any-return]


@cache
def faqs() -> list[dict[str, str]]:
    data = json.loads(files("eligo.web").joinpath("data/faqs.json").read_text("utf-8"))
    return list(data["faqs"])


def _number(
    request: Request, name: str, value: str | None, low: float, high: float
) -> float | None:
    text = bounded(request, name, value, 20)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise HTTPException(422, f"{name}: write a number.") from None
    if not low <= number <= high:
        raise HTTPException(422, f"{name}: write a number from {low:g} to {high:g}.")
    return number


def read_query(request: Request, params: dict[str, str | None], page_size: int) -> TrialQuery:
    """The search filters from query parameters, bounded and checked (422 when wrong)."""
    sex = bounded(request, "sex", params.get("sex"), 10) or None
    if sex not in (None, "female", "male"):
        raise HTTPException(422, "sex: choose female or male.")
    page = int(_number(request, "page", params.get("page"), 1, 1000) or 1)
    return TrialQuery(
        text=bounded(request, "q", params.get("q"), 500),
        status=bounded(request, "status", params.get("status"), 40) or None,
        phase=bounded(request, "phase", params.get("phase"), 40) or None,
        age=_number(request, "age", params.get("age"), 0, 120),
        sex=sex,  # type: ignore[arg-type]
        near=bounded(request, "near", params.get("near"), 200) or None,
        within_km=_number(request, "within", params.get("within"), 1, 20_000),
        limit=page_size,
        offset=(page - 1) * page_size,
    )


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    params = dict(request.query_params)
    size = request.app.state.settings.page_size
    query = read_query(request, params, size)
    searched = any(params.get(k) for k in ("q", "status", "phase", "age", "sex", "near", "within"))
    result = None
    if searched:
        try:
            result = catalogue(request).finder.search(query)
        except FilterError as error:
            raise HTTPException(422, str(error)) from None
    return render(
        request,
        "search.html",
        query=query,
        params=params,
        result=result,
        page=query.offset // size + 1,
        pages=0 if result is None else -(-result.total // size),
        statuses=STATUS_CHOICES,
        phases=PHASE_CHOICES,
        distances=DISTANCE_CHOICES,
        page_query=lambda n: urlencode({**{k: v for k, v in params.items() if v}, "page": n}),
    )


def _trial_or_404(request: Request, trial_id: str) -> Trial:
    trial = catalogue(request).trial(trial_id)
    if trial is None:
        raise HTTPException(404, "There is no trial with this number in the catalogue.")
    return trial


def _trial_concepts(request: Request, trial: Trial) -> list[str]:
    vocab = catalogue(request).vocab
    found = [m.concept_id for text in trial.conditions for m in vocab.find_conditions(text)]
    found += [
        m.concept_id for c in trial.cohorts for t in c.conditions for m in vocab.find_conditions(t)
    ]
    return [c for c in dict.fromkeys(found) if vocab.conditions[c].category == "neoplasm"]


def trial_context(request: Request, trial: Trial, answers: Answers | None) -> dict[str, Any]:
    cat = catalogue(request)
    criteria = cat.criteria(trial)
    today = dt.date.today()
    blank = read_answers({}, cat.vocab, today=today)
    assert blank.read is not None
    blank_match = match_trial(blank.read.patient, trial, criteria, as_of=today, vocab=cat.vocab)
    concepts = _trial_concepts(request, trial)
    found = blank_match
    if answers is not None and answers.read is not None:
        found = match_trial(answers.read.patient, trial, criteria, as_of=today, vocab=cat.vocab)
    near = bounded(request, "near", request.query_params.get("near"), 200)
    place = cat.finder.gazetteer.locate(near) if near else None
    sites = cat.finder.sites_by_distance(trial.trial_id, place) if place else []
    distances = {p.label: d for d, p in sites}
    return {
        "trial": trial,
        "overview": overview(trial, cat.vocab),
        "checklist": build_checklist(found, answers),
        "questions": build_questions(blank_match, concepts, cat.vocab),
        "given": answers.given if answers else {},
        "near": near,
        "place": place,
        "sites": _ordered_sites(trial, distances),
        "faqs": faqs(),
    }


def _ordered_sites(trial: Trial, distances: dict[str, float]) -> list[tuple[Any, float | None]]:
    def label(site: Any) -> str:
        return ", ".join(p for p in (site.facility, site.city, site.country) if p)

    listed = [(site, distances.get(label(site))) for site in trial.sites]
    return sorted(listed, key=lambda pair: (pair[1] is None, pair[1] or 0.0))


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
def trial_page(request: Request, trial_id: str) -> HTMLResponse:
    trial = _trial_or_404(request, trial_id)
    return render(request, "trial.html", **trial_context(request, trial, None))


@router.post(
    "/trials/{trial_id}/checklist",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf), Depends(checklist_limit)],
)
async def checklist_answers(request: Request, trial_id: str) -> Response:
    """The person's answers in, the checklist out: a fragment for the page's script
    (``X-Eligo-Fragment: 1``), JSON (``Accept: application/json``) or the whole page."""
    require_content_type(request, FORM_TYPES)
    trial = _trial_or_404(request, trial_id)
    form = await request.form()
    fields = bounded_fields(request, form)
    bundle = await _bundle(form.get("bundle"))
    answers = read_answers(fields, catalogue(request).vocab, today=dt.date.today(), bundle=bundle)
    context = trial_context(request, trial, answers)
    if "application/json" in request.headers.get("accept", ""):
        from fastapi.responses import JSONResponse

        return JSONResponse(context["checklist"].to_json())
    if request.headers.get("x-eligo-fragment") == "1":
        return render(request, "checklist_result.html", **context)
    return render(request, "trial.html", **context)


async def _bundle(upload: Any) -> bytes | None:
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(_MAX_BUNDLE + 1)
    if len(data) > _MAX_BUNDLE:
        raise HTTPException(413, f"The file is too large: at most {_MAX_BUNDLE // 1000} kB.")
    return data or None
