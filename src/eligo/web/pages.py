"""HTML pages: the search form with its results, and the trial page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from eligo.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: str | None = None) -> HTMLResponse:
    store = request.app.state.store
    results = store.search(q, limit=request.app.state.settings.page_size) if q else []
    return render(request, "search.html", query=q or "", results=results)


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
def trial_page(request: Request, trial_id: str) -> HTMLResponse:
    trial = request.app.state.store.get(trial_id)
    if trial is None:
        raise HTTPException(404, f"No trial {trial_id!r} in this catalogue.")
    return render(request, "trial.html", trial=trial)
