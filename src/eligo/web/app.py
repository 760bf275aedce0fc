"""The app factory: routes, middleware, error pages, and where feature routers plug in."""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from eligo import __version__
from eligo.store import TrialStore, default_url
from eligo.web.catalogue import Catalogue
from eligo.web.csrf import CsrfCookie
from eligo.web.rendering import STATIC, render
from eligo.web.security import BodyLimit, SecurityHeaders
from eligo.web.settings import WebSettings

log = logging.getLogger("eligo.web")

#: Feature modules under eligo.web.features, each with ``router: APIRouter`` and optionally
#: ``install(app: FastAPI) -> None`` (create tables, keep settings on app.state). One line each.
FEATURE_MODULES: list[str] = [
    "eligo.web.features.contact",
    "eligo.web.features.notify",
    "eligo.web.features.private_notes",
    "eligo.web.features.account",
]

_CORE_ROUTERS = ["eligo.web.pages", "eligo.web.api", "eligo.web.fhir"]

# Where answers are JSON rather than HTML pages.
_JSON_PREFIXES = ("/api/", "/fhir/", "/openapi")


def create_app(db_url: str | None = None, *, settings: WebSettings | None = None) -> FastAPI:
    """The eligo web app over the trial database at ``db_url`` (default: settings, then
    ``$ELIGO_DB``, then the user's data folder)."""
    settings = settings or WebSettings.from_env()
    url = db_url or settings.db_url or default_url()
    app = FastAPI(
        title="eligo",
        version=__version__,
        description="Find clinical trials and check eligibility criterion by criterion.",
        docs_url=None,  # the interactive docs load scripts from a CDN: nothing leaves this server
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = TrialStore(url)
    app.state.catalogue = Catalogue(app.state.store)
    if settings.warm_on_start:
        # The search index and gazetteer take a second or two to load: do it before the first
        # visitor asks, without holding up the start.
        threading.Thread(target=_warm, args=(app.state.catalogue,), daemon=True).start()
    for name in [*_CORE_ROUTERS, *FEATURE_MODULES]:
        module = importlib.import_module(name)
        app.include_router(module.router)
        install = getattr(module, "install", None)
        if install is not None:
            install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_error_handlers(app)
    # Added last runs first: size limit, then headers on every answer, then the CSRF cookie.
    app.add_middleware(CsrfCookie, secure=settings.secure_cookies)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


def _warm(catalogue: Catalogue) -> None:
    try:
        catalogue.warm()
    except Exception:  # a failure here shows again, with its message, on the first search
        log.warning("warming the search index failed", exc_info=True)


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(_JSON_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


_HEADINGS = {
    400: "Something in the request is wrong",
    403: "This form cannot be sent",
    404: "Page not found",
    405: "This page does not take that kind of request",
    413: "Too much data",
    415: "Wrong kind of data",
    422: "Some answers need a second look",
    429: "Too many requests",
}


def _add_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if wants_json(request):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=headers)
        heading = _HEADINGS.get(error.status_code, "Something went wrong")
        detail = error.detail if isinstance(error.detail, str) else heading
        response = render(request, "error.html", error.status_code, heading=heading, message=detail)
        response.headers.update(headers)
        return response

    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = [_problem(item) for item in error.errors()]
        if wants_json(request):
            return JSONResponse({"detail": problems}, 422)
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return render(request, "error.html", 422, heading=_HEADINGS[422], message=message)

    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]


def _problem(item: dict[str, Any]) -> dict[str, str]:
    # Never echo the input back: it may be a megabyte, or a patient's data.
    field = ".".join(str(part) for part in item.get("loc", ()) if part != "body") or "request"
    return {"field": field, "message": str(item.get("msg", "invalid value"))}
