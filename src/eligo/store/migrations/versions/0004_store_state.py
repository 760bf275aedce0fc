"""What a copy of the trials made elsewhere (the matcher's compiled cache) checks to know it is
current: the parser version each version's criteria were parsed with, and one row naming the
database and counting the saves that changed it.

The rows already stored get ``parser_version`` 0: made before versions were recorded, by some
older parser or none, so they are parsed again when next loaded for matching. Rows saved later
without a version (criteria written by hand, or not parsed) keep it empty.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("trial_versions", sa.Column("parser_version", sa.Integer))
    op.execute("UPDATE trial_versions SET parser_version = 0")
    state = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("store_id", sa.String(32), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
    )
    # A fresh name for every database, so that a database made again at the same place is
    # never taken for the one before it.
    op.bulk_insert(state, [{"id": 1, "store_id": uuid.uuid4().hex, "generation": 0}])


def downgrade() -> None:
    op.drop_table("store_state")
    with op.batch_alter_table("trial_versions") as batch:
        batch.drop_column("parser_version")
