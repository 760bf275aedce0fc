"""The tables of the web features as SQLAlchemy Core objects, for their queries.

Revision ``0003`` of :mod:`eligo.store.migrations` creates them; it spells them out in full, as
every revision does, so that this module can move on without changing what the revision meant.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()


def _moment(name: str, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


inquiries = Table(
    "inquiries",
    metadata,
    Column("id", Integer, primary_key=True),
    _moment("created_at", nullable=False),
    Column("trial_id", String(64), nullable=False),
    Column("site_name", Text, nullable=False),
    Column("site_country", Text),
    Column("recipient", Text),  # where the message went; None when no address was known
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", Text, nullable=False),  # E.164
    Column("language", Text),
    Column("place", Text),
    _moment("consent_at", nullable=False),
    Column("mail_status", String(32), nullable=False),  # sent, not-configured, failed, no-recipient
)

#: Random keys made on first use, kept with the data they protect, so that links signed by the
#: web app verify in ``eligo notify`` and survive restarts without any configuration.
link_keys = Table(
    "link_keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("secret", String(128), nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("filters_json", Text, nullable=False),
    _moment("created_at", nullable=False),
    _moment("confirmed_at"),
    _moment("unsubscribed_at"),
    _moment("last_digest_at"),
)

#: The version of each matching trial a subscriber was last told about (or that existed when
#: they confirmed): a trial missing here is new to them, a higher version has new eligibility.
subscription_seen = Table(
    "subscription_seen",
    metadata,
    Column(
        "subscription_id",
        Integer,
        ForeignKey("subscriptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("trial_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    _moment("created_at", nullable=False),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),
    Column("owner", String(80), nullable=False),  # "key:<sha256 of the browser's key>"
    Column("trial_id", String(64), nullable=False),
    Column("quote", Text, nullable=False),
    Column("anchor_json", Text, nullable=False),
    Column("body", Text, nullable=False),
    _moment("created_at", nullable=False),
)

note_shares = Table(
    "note_shares",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("owner", String(80), nullable=False),
    Column("trial_id", String(64), nullable=False),
    Column("note_count", Integer, nullable=False),
    Column("passcode_hash", Text, nullable=False),
    Column("kdf_salt", String(64), nullable=False),
    Column("nonce", String(32), nullable=False),
    Column("ciphertext", Text, nullable=False),
    _moment("created_at", nullable=False),
    _moment("expires_at", nullable=False),
    _moment("revoked_at"),
    Column("failed_attempts", Integer, nullable=False, default=0),
    _moment("first_failure_at"),
    _moment("locked_until"),
)
