"""Private notes on a trial page: a quoted passage, where it sits, and what the person wrote.

A note belongs to an *owner*: an anonymous key the browser makes (128 random bits, kept in its
localStorage and sent with each request) or an account. The server keeps only the SHA-256 of a
key, so the database does not hold what would let someone else read the notes.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine, delete, func, insert, select

from eligo.web.features.tables import notes

#: How much a person may keep, so that one owner cannot fill the database.
MAX_NOTES_PER_TRIAL = 200
MAX_QUOTE = 2_000
MAX_BODY = 5_000

_KEY = re.compile(r"[0-9a-f]{32}")


class NoteError(ValueError):
    """A request about notes that cannot be honoured; the message says why, in plain words."""


def owner_of_key(key: str | None) -> str:
    """The owner a browser key stands for; NoteError when the key is missing or malformed."""
    text = (key or "").strip().lower()
    if not _KEY.fullmatch(text):
        raise NoteError("notes need the key this browser keeps for them (32 hexadecimal digits)")
    return "key:" + hashlib.sha256(text.encode()).hexdigest()


def owner_of_account(account_id: int) -> str:
    return f"account:{account_id}"


class Anchor(BaseModel):
    """Where the quote sits: a section of the page and character offsets in its text."""

    section: str = Field(default="page", max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    start: int = Field(ge=0, le=10_000_000)
    end: int = Field(ge=0, le=10_000_000)


class NoteIn(BaseModel):
    quote: str = Field(min_length=1, max_length=MAX_QUOTE)
    anchor: Anchor
    body: str = Field(min_length=1, max_length=MAX_BODY)

    @field_validator("quote", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class Note(BaseModel):
    id: str
    trial_id: str
    quote: str
    anchor: Anchor
    body: str
    created_at: datetime


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _note(row: Any) -> Note:
    return Note(
        id=row.public_id,
        trial_id=row.trial_id,
        quote=row.quote,
        anchor=Anchor.model_validate_json(row.anchor_json),
        body=row.body,
        created_at=_utc(row.created_at),
    )


class NoteBook:
    """The notes kept in the database behind ``engine``, always read and written per owner."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, owner: str, trial_id: str, note: NoteIn) -> Note:
        with self.engine.begin() as connection:
            count = connection.execute(
                select(func.count())
                .select_from(notes)
                .where(notes.c.owner == owner, notes.c.trial_id == trial_id)
            ).scalar_one()
            if count >= MAX_NOTES_PER_TRIAL:
                raise NoteError(f"a trial can hold at most {MAX_NOTES_PER_TRIAL} notes")
            row = {
                "public_id": secrets.token_hex(8),
                "owner": owner,
                "trial_id": trial_id,
                "quote": note.quote,
                "anchor_json": note.anchor.model_dump_json(),
                "body": note.body,
                "created_at": datetime.now(UTC),
            }
            connection.execute(insert(notes).values(**row))
        return Note(
            id=row["public_id"],
            trial_id=trial_id,
            quote=note.quote,
            anchor=note.anchor,
            body=note.body,
            created_at=row["created_at"],
        )

    def list(self, owner: str, trial_id: str) -> list[Note]:
        statement = (
            select(notes)
            .where(notes.c.owner == owner, notes.c.trial_id == trial_id)
            .order_by(notes.c.created_at, notes.c.id)
        )
        with self.engine.connect() as connection:
            return [_note(row) for row in connection.execute(statement)]

    def delete(self, owner: str, note_id: str) -> bool:
        """Remove one of the owner's notes; False when the owner has no such note."""
        with self.engine.begin() as connection:
            done = connection.execute(
                delete(notes).where(notes.c.owner == owner, notes.c.public_id == note_id)
            )
        return bool(done.rowcount)


def notes_json(items: list[Note]) -> bytes:
    """The notes as the JSON a share keeps (sealed), without who owns them."""
    return json.dumps([item.model_dump(mode="json") for item in items]).encode()


def notes_from_json(data: bytes) -> list[Note]:
    return [Note.model_validate(item) for item in json.loads(data)]
