"""Jinja2 templates: autoescaped everywhere, one environment for the core and the features.

Templates live in ``eligo/web/templates``; feature templates in its ``features/`` folder extend
``base.html``. Record text is never marked safe: everything goes through autoescape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from eligo.model import Trial
from eligo.web.csrf import FIELD, csrf_token

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,  # every template, whatever its extension
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals["csrf_field_name"] = FIELD


def age_text(trial: Trial) -> str:
    """The trial's age limits as a person says them: "18 years and older"."""
    low, high = trial.minimum_age, trial.maximum_age
    if low is not None and high is not None:
        return f"{low:g} to {high:g} years"
    if low is not None:
        return f"{low:g} years and older"
    if high is not None:
        return f"up to {high:g} years"
    return "Any age"


environment.globals["age_text"] = age_text


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` rendered with ``context`` plus what every page needs:
    ``request``, ``settings``, ``csrf_token`` (the value for forms and fetches)."""
    page = environment.get_template(template).render(
        request=request,
        settings=request.app.state.settings,
        csrf_token=csrf_token(request),
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
