"""Sharing a trial's notes through a link and a passcode.

The link carries a random 128-bit token; the database keeps its SHA-256 only. The notes are
sealed when the share is made: AES-256-GCM under a key derived from the passcode with scrypt and
a random salt per share, so the database alone does not reveal them (a share is therefore a
snapshot: notes added later need a new share). The passcode itself is kept as an Argon2id hash.

Attempts are counted per share in the database, so a restart does not reset them: at most
``MAX_FAILURES`` wrong passcodes in ``FAILURE_WINDOW``, then the link is locked for ``LOCK_TIME``.
An attempt is counted *before* the passcode is checked, so parallel guesses cannot overrun it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Connection, Engine, bindparam, case, insert, select, update

from eligo.web.features.notes import Note, NoteError, Owner, notes_from_json, notes_json
from eligo.web.features.tables import note_shares

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
MIN_PASSCODE = 8
MAX_PASSCODE = 256
MAX_DAYS = 90

# Both costs follow OWASP's password-storage minimums (Argon2id m=19 MiB t=2 p=1; scrypt
# N=2**14 r=8 p=1 ≈ 16 MiB): tens of milliseconds once, dear by the million guesses. The
# lock-out is what stops guessing online; these slow it down offline.
_SCRYPT_N = 2**14
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(passcode: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=8, p=1).derive(passcode.encode())


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ShareInfo:
    id: int
    trial_id: str
    note_count: int
    created_at: datetime
    expires_at: datetime
    revoked: bool


@dataclass(frozen=True)
class Opening:
    """What an attempt to open a share came to; ``notes`` only when ``outcome`` is "open"."""

    outcome: Literal["open", "wrong", "locked", "gone"]
    trial_id: str | None = None
    notes: list[Note] | None = None
    attempts_left: int = 0
    locked_until: datetime | None = None


def check_passcode(passcode: str) -> None:
    if len(passcode) < MIN_PASSCODE:
        raise NoteError(f"choose a passcode of at least {MIN_PASSCODE} characters")
    if len(passcode) > MAX_PASSCODE:
        raise NoteError(f"a passcode may be at most {MAX_PASSCODE} characters")


class Shares:
    """Passcode-protected shares of note sets, in the database behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self, owner: Owner, trial_id: str, items: list[Note], passcode: str, days: int
    ) -> tuple[str, ShareInfo]:
        """Seal ``items`` under ``passcode``; returns the link token (shown once) and the share."""
        check_passcode(passcode)
        if not items:
            raise NoteError("there are no notes on this trial to share")
        if not 1 <= days <= MAX_DAYS:
            raise NoteError(f"a share lasts from 1 to {MAX_DAYS} days")
        token = secrets.token_urlsafe(16)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        hashed = token_hash(token)
        sealed = AESGCM(_key(passcode, salt)).encrypt(nonce, notes_json(items), hashed.encode())
        now = datetime.now(UTC)
        expires = now + timedelta(days=days)
        row = {
            "token_hash": hashed,
            "owner": owner.id,
            "trial_id": trial_id,
            "note_count": len(items),
            "passcode_hash": _hasher.hash(passcode),
            "kdf_salt": _b64(salt),
            "nonce": _b64(nonce),
            "ciphertext": _b64(sealed),
            "created_at": now,
            "expires_at": expires,
            "failed_attempts": 0,
        }
        with self.engine.begin() as connection:
            share_id = connection.execute(insert(note_shares).values(**row)).inserted_primary_key
        assert share_id is not None
        info = ShareInfo(share_id[0], trial_id, len(items), now, expires, False)
        return token, info

    def list(self, owner: Owner) -> list[ShareInfo]:
        statement = (
            select(note_shares).where(note_shares.c.owner == owner.id).order_by(note_shares.c.id)
        )
        with self.engine.connect() as connection:
            return [self._info(row) for row in connection.execute(statement)]

    @staticmethod
    def _info(row: Any) -> ShareInfo:
        return ShareInfo(
            id=row.id,
            trial_id=row.trial_id,
            note_count=row.note_count,
            created_at=_utc(row.created_at) or row.created_at,
            expires_at=_utc(row.expires_at) or row.expires_at,
            revoked=row.revoked_at is not None,
        )

    def revoke(self, owner: Owner, share_id: int) -> bool:
        """End a share now; False when the owner has no such share."""
        statement = (
            update(note_shares)
            .where(note_shares.c.owner == owner.id, note_shares.c.id == share_id)
            .values(revoked_at=datetime.now(UTC))
        )
        with self.engine.begin() as connection:
            return bool(connection.execute(statement).rowcount)

    def open(self, token: str, passcode: str, now: datetime | None = None) -> Opening:
        """Try ``passcode`` on the share behind ``token``, counting the attempt first."""
        now = now or datetime.now(UTC)
        hashed = token_hash(token)
        with self.engine.begin() as connection:
            row = self._count_attempt(connection, hashed, now)
            expires = _utc(row.expires_at) if row is not None else None
            if row is None or row.revoked_at is not None or expires is None or expires <= now:
                return Opening("gone")
            locked = _utc(row.locked_until)
            if locked is not None and locked > now:
                return Opening("locked", row.trial_id, locked_until=locked)
            if row.failed_attempts > MAX_FAILURES:  # parallel guesses past the limit
                return Opening(
                    "locked", row.trial_id, locked_until=self._lock(connection, row, now)
                )
        if len(passcode) > MAX_PASSCODE or not _verified(row.passcode_hash, passcode):
            return self._wrong(row, now)
        sealed = base64.b64decode(row.ciphertext)
        try:
            key = _key(passcode, base64.b64decode(row.kdf_salt))
            data = AESGCM(key).decrypt(base64.b64decode(row.nonce), sealed, hashed.encode())
        except InvalidTag:
            return self._wrong(row, now)
        with self.engine.begin() as connection:
            connection.execute(
                update(note_shares)
                .where(note_shares.c.id == row.id)
                .values(failed_attempts=0, first_failure_at=None)
            )
        return Opening("open", row.trial_id, notes_from_json(data))

    @staticmethod
    def _count_attempt(connection: Connection, hashed: str, now: datetime) -> Any:
        window_start = bindparam(
            "window_start", now - FAILURE_WINDOW, type_=note_shares.c.created_at.type
        )
        moment = bindparam("now", now, type_=note_shares.c.created_at.type)
        fresh = (note_shares.c.first_failure_at.is_(None)) | (
            note_shares.c.first_failure_at < window_start
        )
        unlocked = note_shares.c.locked_until.is_(None) | (note_shares.c.locked_until <= moment)
        connection.execute(
            update(note_shares)
            .where(note_shares.c.token_hash == hashed, unlocked)
            .values(
                failed_attempts=case((fresh, 1), else_=note_shares.c.failed_attempts + 1),
                first_failure_at=case((fresh, moment), else_=note_shares.c.first_failure_at),
            )
        )
        return connection.execute(
            select(note_shares).where(note_shares.c.token_hash == hashed)
        ).first()

    @staticmethod
    def _lock(connection: Connection, row: Any, now: datetime) -> datetime:
        until = now + LOCK_TIME
        connection.execute(
            update(note_shares)
            .where(note_shares.c.id == row.id)
            .values(locked_until=until, failed_attempts=0, first_failure_at=None)
        )
        return until

    def _wrong(self, row: Any, now: datetime) -> Opening:
        if row.failed_attempts >= MAX_FAILURES:
            with self.engine.begin() as connection:
                until = self._lock(connection, row, now)
            return Opening("locked", row.trial_id, locked_until=until)
        return Opening("wrong", row.trial_id, attempts_left=MAX_FAILURES - row.failed_attempts)


def _verified(hashed: str, passcode: str) -> bool:
    try:
        return _hasher.verify(hashed, passcode)
    except (VerificationError, InvalidHashError):
        return False
