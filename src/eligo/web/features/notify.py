"""Routes: trial alerts — subscribe to a search, confirm by email, unsubscribe in one click.

Links in mails are signed (:mod:`eligo.web.features.signing`) with a key kept in the database,
so ``eligo notify`` and the web app agree on them. Opening a link only shows a page with a
button: mail scanners that fetch links must not confirm or unsubscribe anyone. The unsubscribe
address also takes RFC 8058's one-click POST, which mail programs send without a CSRF token:
the signed token in the address is what proves the request, so nothing ambient is at stake.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from eligo.errors import EligoError
from eligo.web.csrf import FIELD, check_csrf, token_is_valid
from eligo.web.features import app_state, mail
from eligo.web.features.digests import confirmation_message
from eligo.web.features.link_keys import link_key
from eligo.web.features.signing import TokenError
from eligo.web.features.subscriptions import (
    SEARCH_FILTERS,
    SavedSearch,
    SubscriptionError,
    Subscriptions,
    search_finder,
    subscription_of,
)
from eligo.web.forms import FORM_TYPES, bounded, bounded_fields, require_content_type
from eligo.web.ratelimit import RateLimit
from eligo.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
limit = RateLimit("notify")


def install(app: FastAPI) -> None:
    app_state.install(app)


def _book(request: Request) -> Subscriptions:
    finder = search_finder(request.app.state.catalogue.finder)
    return Subscriptions(app_state.engine(request), finder)


def _page(
    request: Request, status: int, heading: str, message: str, **extra: object
) -> HTMLResponse:
    context = {"action": None, "button": None, "back": None} | extra
    return render(
        request, "features/notify.html", status, heading=heading, message=message, **context
    )


@router.post(
    "/notify/subscribe",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf), Depends(limit)],
)
async def subscribe(request: Request) -> HTMLResponse:
    require_content_type(request, FORM_TYPES)
    fields = bounded_fields(request, await request.form())
    back = fields.get("back", "")
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    settings = app_state.mail_settings(request)
    if settings is None:
        return _page(
            request,
            503,
            "Trial alerts are not available",
            "This server is not set up to send email, so it cannot send trial alerts.",
            back=back,
        )
    search = SavedSearch(
        query=bounded(request, "q", fields.get("q"), 500),
        filters={k: bounded(request, k, fields[k], 200) for k in SEARCH_FILTERS if fields.get(k)},
    )
    book = _book(request)
    try:
        subscription = book.subscribe(fields.get("email", ""), search)
    except (SubscriptionError, EligoError) as error:
        return _page(request, 422, "Trial alerts", str(error), back=back)
    key = link_key(app_state.engine(request))
    message = confirmation_message(settings, subscription, app_state.public_url(request), key)
    try:
        mail.send(settings, message)
    except mail.MailError:
        book.unsubscribe(subscription.id)  # never confirmable: keep nothing pending
        return _page(
            request, 503, "Trial alerts", "The confirmation email could not be sent.", back=back
        )
    log.info("subscription %d: confirmation sent", subscription.id)
    return _page(
        request,
        200,
        "Check your email",
        "We have sent you an email with a link. Open it to start your trial alerts; until "
        "then nothing will be sent.",
        back=back,
    )


def _subscription_id(request: Request, purpose: str, token: str) -> int:
    try:
        return subscription_of(link_key(app_state.engine(request)), purpose, token)
    except TokenError as error:
        raise HTTPException(400, f"{error}. Ask for a new one from the trial search.") from None


@router.get("/notify/confirm/{token}", response_class=HTMLResponse)
def confirm_page(request: Request, token: str) -> HTMLResponse:
    _subscription_id(request, "confirm", token)
    return _page(
        request,
        200,
        "Confirm your trial alerts",
        "Press the button to start receiving emails about new trials for your search.",
        action=f"/notify/confirm/{token}",
        button="Confirm",
    )


@router.post(
    "/notify/confirm/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf), Depends(limit)],
)
def confirm(request: Request, token: str) -> HTMLResponse:
    subscription = _book(request).confirm(_subscription_id(request, "confirm", token))
    if subscription is None or subscription.ended:
        raise HTTPException(404, "This subscription no longer exists.")
    log.info("subscription %d confirmed", subscription.id)
    return _page(
        request,
        200,
        "Your trial alerts are on",
        f"We will email you when trials matching {subscription.search.describe()} are added, or "
        "when their eligibility criteria change. Every email has a link to stop them.",
    )


@router.get("/notify/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    _subscription_id(request, "unsubscribe", token)
    return _page(
        request,
        200,
        "Stop trial alerts",
        "Press the button to stop these emails.",
        action=f"/notify/unsubscribe/{token}",
        button="Unsubscribe",
    )


@router.post("/notify/unsubscribe/{token}", dependencies=[Depends(limit)])
async def unsubscribe(request: Request, token: str) -> HTMLResponse:
    one_click = False
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        one_click = form.get("List-Unsubscribe") == "One-Click"
        if not one_click and not token_is_valid(request, _text(form.get(FIELD))):
            await check_csrf(request)  # raises the usual 403 with its message
    elif not token_is_valid(request, request.headers.get("x-csrf-token")):
        await check_csrf(request)
    subscription_id = _subscription_id(request, "unsubscribe", token)
    _book(request).unsubscribe(subscription_id)
    log.info("subscription %d ended%s", subscription_id, " (one-click)" if one_click else "")
    return _page(
        request,
        200,
        "You are unsubscribed",
        "We will not send you any more trial alerts for this search.",
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
