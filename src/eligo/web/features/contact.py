"""Route: "contact the nearest study centre" (the form on the trial page posts here).

The inquiry is stored first, then mailed to the site's contact with a copy to the person, through
the configured SMTP server only. Without one, the page says the email could not be sent.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from eligo.model import Contact, Trial
from eligo.web.csrf import check_csrf
from eligo.web.features import app_state, mail
from eligo.web.features.inquiries import (
    ContactRequest,
    Inquiries,
    Locator,
    check_contact_form,
    inquiry_messages,
    nearest_site,
    phone_region,
    site_name,
    site_recipient,
)
from eligo.web.forms import FORM_TYPES, bounded_fields, require_content_type
from eligo.web.ratelimit import RateLimit
from eligo.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
limit = RateLimit("contact")


def install(app: FastAPI) -> None:
    app_state.install(app)


def _locator() -> Locator | None:
    try:
        from eligo.finder.places import gazetteer
    except ImportError:  # the offline gazetteer is optional: sites are then chosen by status
        return None
    return gazetteer()  # type: ignore[return-value]


def _trial(request: Request, trial_id: str) -> Trial:
    trial: Trial | None = request.app.state.store.get(trial_id)
    if trial is None:
        raise HTTPException(404, f"No trial {trial_id!r} in this catalogue.")
    return trial


@router.get("/trials/{trial_id}/contact", response_class=HTMLResponse)
def contact_page(request: Request, trial_id: str) -> HTMLResponse:
    return render(request, "features/contact.html", trial=_trial(request, trial_id))


@router.post(
    "/trials/{trial_id}/contact",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf), Depends(limit)],
)
async def contact(request: Request, trial_id: str) -> HTMLResponse:
    require_content_type(request, FORM_TYPES)
    trial = _trial(request, trial_id)
    fields = bounded_fields(request, await request.form())
    locator = _locator()
    site = nearest_site(trial, fields.get("place", ""), locator)
    person, problems = check_contact_form(fields, phone_region(trial, site, locator))
    if person is None:
        values = {k: v for k, v in fields.items() if k != "csrf_token"}
        return render(
            request, "features/contact.html", 422, trial=trial, values=values, problems=problems
        )
    where = site_name(trial, site)
    recipient = site_recipient(trial, site)
    inquiry = Inquiries(app_state.engine(request))
    inquiry_id = inquiry.record(trial, site, recipient, person)
    status, reason = _deliver(request, trial, where, recipient, person)
    inquiry.set_status(inquiry_id, status)
    log.info("inquiry %d for %s: %s", inquiry_id, trial.trial_id, status)
    phone = recipient.phone if recipient else None
    return render(
        request,
        "features/contact_done.html",
        200 if status.startswith("sent") else 202,
        trial=trial,
        where=where,
        sent=status.startswith("sent"),
        copied=status == "sent",
        reason=reason,
        phone=phone,
    )


def _deliver(
    request: Request, trial: Trial, where: str, recipient: Contact | None, person: ContactRequest
) -> tuple[str, str]:
    """(status kept with the inquiry, the reason shown when it was not sent)."""
    settings = app_state.mail_settings(request)
    if settings is None:
        return "not-configured", "this server is not set up to send email"
    if recipient is None:
        return "no-recipient", "the trial record gives no email address for this study centre"
    page = f"{app_state.public_url(request)}/trials/{quote(trial.trial_id, safe='')}"
    to_site, copy = inquiry_messages(settings, trial, where, recipient, person, page)
    try:
        mail.send(settings, to_site)
    except mail.MailError:
        return "failed", "the mail server did not accept the message"
    try:
        mail.send(settings, copy)
    except mail.MailError:
        return "sent-no-copy", ""
    return "sent", ""
