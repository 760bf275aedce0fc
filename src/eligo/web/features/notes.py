"""Private notes on a trial page: a quoted passage, where it sits, and what the person wrote.

A note belongs to an *owner*: an anonymous key the browser makes (128 random bits, kept in its
localStorage and sent with each request). The server keeps only the SHA-256 of the key, to find
the owner's notes, and seals each quote and note text with AES-GCM under a key derived from the
browser's key (HKDF), which it never stores: the database alone reveals no note.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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


@dataclass(frozen=True)
class Owner:
    """Who notes belong to: ``id`` is stored with them, ``sealing_key`` never is."""

    id: str
    sealing_key: bytes = field(repr=False)

    def seal(self, text: str, context: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.sealing_key).encrypt(nonce, text.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def unseal(self, stored: str, context: str) -> str:
        data = base64.b64decode(stored)
        try:
            plain = AESGCM(self.sealing_key).decrypt(data[:12], data[12:], context.encode())
        except InvalidTag:
            raise NoteError("a stored note does not open with this browser's key") from None
        return plain.decode()


def owner_of_key(key: str | None) -> Owner:
    """The owner a browser key stands for; NoteError when the key is missing or malformed."""
    text = (key or "").strip().lower()
    if not _KEY.fullmatch(text):
        raise NoteError("notes need the key this browser keeps for them (32 hexadecimal digits)")
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"eligo notes v1")
    return Owner("key:" + hashlib.sha256(text.encode()).hexdigest(), derive.derive(text.encode()))


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


def _context(owner: Owner, trial_id: str, part: str) -> str:
    # Bound into each seal: a sealed text copied to another owner, trial or column fails to open.
    return f"{owner.id}|{trial_id}|{part}"


def _note(owner: Owner, row: Any) -> Note:
    return Note(
        id=row.public_id,
        trial_id=row.trial_id,
        quote=owner.unseal(row.quote, _context(owner, row.trial_id, "quote")),
        anchor=Anchor.model_validate_json(row.anchor_json),
        body=owner.unseal(row.body, _context(owner, row.trial_id, "body")),
        created_at=_utc(row.created_at),
    )


class NoteBook:
    """The notes kept in the database behind ``engine``, always read and written per owner."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, owner: Owner, trial_id: str, note: NoteIn) -> Note:
        with self.engine.begin() as connection:
            count = connection.execute(
                select(func.count())
                .select_from(notes)
                .where(notes.c.owner == owner.id, notes.c.trial_id == trial_id)
            ).scalar_one()
            if count >= MAX_NOTES_PER_TRIAL:
                raise NoteError(f"a trial can hold at most {MAX_NOTES_PER_TRIAL} notes")
            public_id, created_at = secrets.token_hex(8), datetime.now(UTC)
            row = {
                "public_id": public_id,
                "owner": owner.id,
                "trial_id": trial_id,
                "quote": owner.seal(note.quote, _context(owner, trial_id, "quote")),
                "anchor_json": note.anchor.model_dump_json(),
                "body": owner.seal(note.body, _context(owner, trial_id, "body")),
                "created_at": created_at,
            }
            connection.execute(insert(notes).values(**row))
        return Note(
            id=public_id,
            trial_id=trial_id,
            quote=note.quote,
            anchor=note.anchor,
            body=note.body,
            created_at=created_at,
        )

    def list(self, owner: Owner, trial_id: str) -> list[Note]:
        statement = (
            select(notes)
            .where(notes.c.owner == owner.id, notes.c.trial_id == trial_id)
            .order_by(notes.c.created_at, notes.c.id)
        )
        with self.engine.connect() as connection:
            return [_note(owner, row) for row in connection.execute(statement)]

    def delete(self, owner: Owner, note_id: str) -> bool:
        """Remove one of the owner's notes; False when the owner has no such note."""
        with self.engine.begin() as connection:
            done = connection.execute(
                delete(notes).where(notes.c.owner == owner.id, notes.c.public_id == note_id)
            )
        return bool(done.rowcount)


def notes_json(items: list[Note]) -> bytes:
    """The notes as the JSON a share keeps (sealed), without who owns them."""
    return json.dumps([item.model_dump(mode="json") for item in items]).encode()


def notes_from_json(data: bytes) -> list[Note]:
    return [Note.model_validate(item) for item in json.loads(data)]
