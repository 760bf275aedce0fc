"""What the web app keeps for people: inquiries to study sites, saved-search subscriptions and
the key that signs their links, private notes with their passcode-protected shares, accounts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("site_name", sa.Text, nullable=False),
        sa.Column("site_country", sa.Text),
        sa.Column("recipient", sa.Text),
        sa.Column("first_name", sa.Text, nullable=False),
        sa.Column("last_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("language", sa.Text),
        sa.Column("place", sa.Text),
        sa.Column("consent_at", _MOMENT, nullable=False),
        sa.Column("mail_status", sa.String(32), nullable=False),
    )
    op.create_index("ix_inquiries_trial", "inquiries", ["trial_id"])
    op.create_table(
        "link_keys",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("secret", sa.String(128), nullable=False),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("filters_json", sa.Text, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("confirmed_at", _MOMENT),
        sa.Column("unsubscribed_at", _MOMENT),
        sa.Column("last_digest_at", _MOMENT),
    )
    op.create_table(
        "subscription_seen",
        sa.Column(
            "subscription_id",
            sa.Integer,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("trial_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("quote", sa.Text, nullable=False),
        sa.Column("anchor_json", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
    )
    op.create_index("ix_notes_owner_trial", "notes", ["owner", "trial_id"])
    op.create_table(
        "note_shares",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("note_count", sa.Integer, nullable=False),
        sa.Column("passcode_hash", sa.Text, nullable=False),
        sa.Column("kdf_salt", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("expires_at", _MOMENT, nullable=False),
        sa.Column("revoked_at", _MOMENT),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_failure_at", _MOMENT),
        sa.Column("locked_until", _MOMENT),
    )
    op.create_index("ix_note_shares_owner", "note_shares", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_note_shares_owner", table_name="note_shares")
    op.drop_table("note_shares")
    op.drop_index("ix_notes_owner_trial", table_name="notes")
    op.drop_table("notes")
    op.drop_table("accounts")
    op.drop_table("subscription_seen")
    op.drop_table("subscriptions")
    op.drop_table("link_keys")
    op.drop_index("ix_inquiries_trial", table_name="inquiries")
    op.drop_table("inquiries")
