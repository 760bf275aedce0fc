"""Optional accounts for notes: an email address and a password (Argon2id hash).

An account's notes are sealed, like a browser's, under a key the server does not keep: it is
derived from the password (scrypt, salted with the address) at sign-in and carried in the signed,
HttpOnly session cookie. So the database alone still reveals no note; the price is that a
forgotten password loses the notes, and there is no reset by email.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from eligo.web.features import signing
from eligo.web.features.link_keys import link_key
from eligo.web.features.notes import Owner
from eligo.web.features.tables import accounts

MIN_PASSWORD = 10
MAX_PASSWORD = 256
SESSION_DAYS = 30
COOKIE = "eligo_account"

_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verifying against this when the address is unknown takes as long as a real check.
_UNKNOWN = _hasher.hash("no account has this password")


class AccountError(ValueError):
    """A sign-up or sign-in that cannot be honoured; the message says why, in plain words."""


def _address(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"This email address is not valid: {error}") from None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password may be at most {MAX_PASSWORD} characters.")


def _notes_key(address: str, password: str) -> bytes:
    salt = hashlib.sha256(b"eligo account notes|" + address.encode()).digest()[:16]
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(password.encode())


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register(self, email: str, password: str) -> str:
        """A new account; returns its session token. AccountError when taken or invalid."""
        address = _address(email)
        _check_password(password)
        row = {
            "email": address,
            "password_hash": _hasher.hash(password),
            "created_at": datetime.now(UTC),
        }
        try:
            with self.engine.begin() as connection:
                made = connection.execute(insert(accounts).values(**row)).inserted_primary_key
        except IntegrityError:
            raise AccountError("An account with this address exists: sign in instead.") from None
        assert made is not None
        return self._session(int(made[0]), address, password)

    def sign_in(self, email: str, password: str) -> str:
        """A session token for the right address and password; AccountError otherwise."""
        try:
            address = _address(email)
        except AccountError:
            address = ""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts.c.id, accounts.c.password_hash).where(accounts.c.email == address)
            ).first()
        right = _verified(row.password_hash if row else _UNKNOWN, password[:MAX_PASSWORD])
        if row is None or not right:
            raise AccountError("The address or the password is not right.")
        return self._session(int(row.id), address, password)

    def _session(self, account_id: int, address: str, password: str) -> str:
        key = base64.b64encode(_notes_key(address, password)).decode("ascii")
        payload = {"a": account_id, "k": key}
        return signing.sign(self._signing_key(), "session", payload, SESSION_DAYS * 86_400)

    def _signing_key(self) -> bytes:
        return link_key(self.engine, "sessions")

    def owner(self, token: str | None) -> tuple[Owner, str] | None:
        """The owner and address a session cookie stands for; None when it is not valid."""
        if not token:
            return None
        try:
            payload = signing.verify(self._signing_key(), "session", token)
            account_id, key = int(payload["a"]), base64.b64decode(payload["k"])
        except (signing.TokenError, KeyError, ValueError, TypeError):
            return None
        with self.engine.connect() as connection:
            address = connection.execute(
                select(accounts.c.email).where(accounts.c.id == account_id)
            ).scalar()
        if address is None or len(key) != 32:
            return None
        return Owner(f"account:{account_id}", key), address


def _verified(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
