"""Routes: an optional account for notes — sign up, sign in, sign out (``/account``)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from eligo.web.csrf import check_csrf
from eligo.web.features import app_state
from eligo.web.features.accounts import COOKIE, SESSION_DAYS, AccountError, Accounts
from eligo.web.forms import FORM_TYPES, bounded_fields, require_content_type
from eligo.web.ratelimit import RateLimit
from eligo.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
limit = RateLimit("account", per_minute=10)


def install(app: FastAPI) -> None:
    app_state.install(app)


def _accounts(request: Request) -> Accounts:
    return Accounts(app_state.engine(request))


def _page(request: Request, status: int = 200, problem: str | None = None) -> HTMLResponse:
    signed_in = _accounts(request).owner(request.cookies.get(COOKIE))
    address = signed_in[1] if signed_in else None
    return render(request, "features/account.html", status, address=address, problem=problem)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> HTMLResponse:
    return _page(request)


def _signed_in(request: Request, token: str) -> Response:
    response = RedirectResponse("/account", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_DAYS * 86_400,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


async def _fields(request: Request) -> dict[str, str]:
    require_content_type(request, FORM_TYPES)
    return bounded_fields(request, await request.form())


@router.post("/account/register", dependencies=[Depends(check_csrf), Depends(limit)])
async def register(request: Request) -> Response:
    fields = await _fields(request)
    try:
        token = _accounts(request).register(fields.get("email", ""), fields.get("password", ""))
    except AccountError as error:
        return _page(request, 422, str(error))
    log.info("account made")
    return _signed_in(request, token)


@router.post("/account/sign-in", dependencies=[Depends(check_csrf), Depends(limit)])
async def sign_in(request: Request) -> Response:
    fields = await _fields(request)
    try:
        token = _accounts(request).sign_in(fields.get("email", ""), fields.get("password", ""))
    except AccountError as error:
        return _page(request, 401, str(error))
    return _signed_in(request, token)


@router.post("/account/sign-out", dependencies=[Depends(check_csrf)])
def sign_out(request: Request) -> Response:
    response = RedirectResponse("/account", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
