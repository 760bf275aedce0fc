"""Trials and their versions.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("trial_id", sa.String(64), nullable=False, unique=True),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("eligibility_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.Text),
        sa.Column("phases", sa.Text, nullable=False),
        sa.Column("conditions", sa.Text, nullable=False),
        sa.Column("study_type", sa.Text),
        sa.Column("minimum_age", sa.Float),
        sa.Column("maximum_age", sa.Float),
        sa.Column("sex", sa.Text, nullable=False),
        sa.Column("last_updated", sa.Date),
        sa.Column("official_title", sa.Text, nullable=False),
        sa.Column("identifiers", sa.Text, nullable=False),
        sa.Column("interventions", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.create_index("ix_trials_status", "trials", ["status"])
    op.create_table(
        "trial_versions",
        sa.Column(
            "trial_id",
            sa.String(64),
            sa.ForeignKey("trials.trial_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("eligibility_hash", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("trial_json", sa.Text, nullable=False),
        sa.Column("criteria_json", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("trial_versions")
    op.drop_index("ix_trials_status", table_name="trials")
    op.drop_table("trials")
