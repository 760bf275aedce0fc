"""Routes: private notes on trial pages, and passcode-protected links that share them.

The trial page's script (``static/features/notes.js``) calls the JSON routes with the browser's
owner key in the ``X-Eligo-Owner`` header and the CSRF token in ``X-CSRF-Token``. The shared
page is plain HTML: a passcode form, then the notes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from eligo.model import Trial
from eligo.web.csrf import check_csrf
from eligo.web.features import app_state
from eligo.web.features.accounts import COOKIE as ACCOUNT_COOKIE
from eligo.web.features.accounts import Accounts
from eligo.web.features.notes import Note, NoteBook, NoteError, NoteIn, Owner, owner_of_key
from eligo.web.features.shares import MAX_DAYS, MAX_PASSCODE, ShareInfo, Shares
from eligo.web.forms import FORM_TYPES, JSON_TYPES, require_content_type
from eligo.web.ratelimit import RateLimit
from eligo.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
write_limit = RateLimit("notes")
passcode_limit = RateLimit("passcode", per_minute=10)

OWNER_HEADER = "x-eligo-owner"


class ShareIn(BaseModel):
    passcode: str = Field(max_length=MAX_PASSCODE)
    days: int = Field(default=7, ge=1, le=MAX_DAYS)


def install(app: FastAPI) -> None:
    app_state.install(app)


def _owner(request: Request) -> Owner:
    """The signed-in account, else the browser's key."""
    account = Accounts(app_state.engine(request)).owner(request.cookies.get(ACCOUNT_COOKIE))
    if account is not None:
        return account[0]
    try:
        return owner_of_key(request.headers.get(OWNER_HEADER))
    except NoteError as error:
        raise HTTPException(401, str(error)) from None


def _trial(request: Request, trial_id: str) -> Trial:
    trial: Trial | None = request.app.state.store.get(trial_id)
    if trial is None:
        raise HTTPException(404, f"No trial {trial_id!r} in this catalogue.")
    return trial


async def _json(request: Request, model: type[BaseModel]) -> Any:
    require_content_type(request, JSON_TYPES)
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise HTTPException(422, f"{where}: {first.get('msg', 'invalid value')}") from None


def _share_json(info: ShareInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "trial_id": info.trial_id,
        "notes": info.note_count,
        "created_at": info.created_at.isoformat(),
        "expires_at": info.expires_at.isoformat(),
        "revoked": info.revoked,
    }


@router.get("/api/notes/trials/{trial_id}")
def list_notes(request: Request, trial_id: str) -> list[Note]:
    try:
        return NoteBook(app_state.engine(request)).list(_owner(request), trial_id)
    except NoteError as error:
        raise HTTPException(409, str(error)) from None


@router.post(
    "/api/notes/trials/{trial_id}",
    status_code=201,
    dependencies=[Depends(check_csrf), Depends(write_limit)],
)
async def add_note(request: Request, trial_id: str) -> Note:
    owner = _owner(request)
    note = await _json(request, NoteIn)
    _trial(request, trial_id)
    try:
        return NoteBook(app_state.engine(request)).add(owner, trial_id, note)
    except NoteError as error:
        raise HTTPException(422, str(error)) from None


@router.delete("/api/notes/{note_id}", status_code=204, dependencies=[Depends(check_csrf)])
def delete_note(request: Request, note_id: str) -> None:
    if not NoteBook(app_state.engine(request)).delete(_owner(request), note_id[:64]):
        raise HTTPException(404, "No such note among yours.")


@router.post(
    "/api/notes/trials/{trial_id}/shares",
    status_code=201,
    dependencies=[Depends(check_csrf), Depends(write_limit)],
)
async def create_share(request: Request, trial_id: str) -> dict[str, Any]:
    owner = _owner(request)
    wanted: ShareIn = await _json(request, ShareIn)
    _trial(request, trial_id)
    engine = app_state.engine(request)
    try:
        items = NoteBook(engine).list(owner, trial_id)
    except NoteError as error:
        raise HTTPException(409, str(error)) from None
    try:
        token, info = Shares(engine).create(owner, trial_id, items, wanted.passcode, wanted.days)
    except NoteError as error:
        raise HTTPException(422, str(error)) from None
    log.info("share %d made (%d notes)", info.id, info.note_count)
    url = f"{app_state.public_url(request)}/notes/shared/{token}"
    return {"url": url, **_share_json(info)}


@router.get("/api/notes/shares")
def list_shares(request: Request) -> list[dict[str, Any]]:
    return [_share_json(info) for info in Shares(app_state.engine(request)).list(_owner(request))]


@router.post("/api/notes/shares/{share_id}/revoke", dependencies=[Depends(check_csrf)])
def revoke_share(request: Request, share_id: int) -> dict[str, Any]:
    if not Shares(app_state.engine(request)).revoke(_owner(request), share_id):
        raise HTTPException(404, "No such share among yours.")
    log.info("share %d revoked", share_id)
    return {"id": share_id, "revoked": True}


# -- the shared page ----------------------------------------------------------------------


def _shared_page(request: Request, status: int, **context: Any) -> HTMLResponse:
    values = {"problem": None, "notes": None, "trial": None, "trial_id": None} | context
    return render(request, "features/shared_notes.html", status, **values)


@router.get("/notes/shared/{token}", response_class=HTMLResponse)
def shared_page(request: Request, token: str) -> HTMLResponse:
    return _shared_page(request, 200, token=token)


@router.post(
    "/notes/shared/{token}",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf), Depends(passcode_limit)],
)
async def open_shared(request: Request, token: str) -> HTMLResponse:
    require_content_type(request, FORM_TYPES)
    form = await request.form()
    passcode = form.get("passcode")
    passcode = passcode if isinstance(passcode, str) else ""
    opening = Shares(app_state.engine(request)).open(token[:64], passcode)
    if opening.outcome == "gone":
        return _shared_page(
            request,
            404,
            token=token,
            problem="This link does not work: it has expired, was withdrawn by its owner, or "
            "was copied wrongly.",
        )
    if opening.outcome == "locked":
        return _shared_page(
            request,
            429,
            token=token,
            problem="Too many wrong passcodes: this link is locked for now. Try again after "
            f"{_clock(opening.locked_until)} (UTC).",
        )
    if opening.outcome == "wrong":
        left = opening.attempts_left
        return _shared_page(
            request,
            403,
            token=token,
            problem=f"That passcode is not right. {left} more attempt{'s' if left != 1 else ''} "
            "before the link is locked for 15 minutes.",
        )
    trial = request.app.state.store.get(opening.trial_id or "")
    return _shared_page(
        request, 200, token=token, notes=opening.notes, trial=trial, trial_id=opening.trial_id
    )


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else "a while"
