"""Full-text search over trials: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Rows saved before this revision are indexed as it runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = (
    "title",
    "official_title",
    "identifiers",
    "conditions",
    "interventions",
    "keywords",
    "summary",
)

# PostgreSQL weight classes: A for what names the trial and its disease, D for the prose.
_PG_WEIGHTS = {
    "A": ("title", "identifiers", "conditions"),
    "B": ("official_title", "interventions", "keywords"),
    "D": ("summary",),
}


def _sqlite_upgrade() -> None:
    columns = ", ".join(_COLUMNS)
    new = ", ".join(f"new.{c}" for c in _COLUMNS)
    old = ", ".join(f"old.{c}" for c in _COLUMNS)
    # External content: the index keeps no second copy of the text, and reads it from trials.
    op.execute(
        f"CREATE VIRTUAL TABLE trial_search USING fts5({columns}, content='trials', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER trials_search_insert AFTER INSERT ON trials BEGIN "
        f"INSERT INTO trial_search(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER trials_search_delete AFTER DELETE ON trials BEGIN "
        f"INSERT INTO trial_search(trial_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER trials_search_update AFTER UPDATE OF {columns} ON trials BEGIN "
        f"INSERT INTO trial_search(trial_search, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO trial_search(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO trial_search(trial_search) VALUES ('rebuild')")


def _postgresql_upgrade() -> None:
    parts = []
    for weight, columns in _PG_WEIGHTS.items():
        text = " || ' ' || ".join(columns)
        parts.append(f"setweight(to_tsvector('english'::regconfig, {text}), '{weight}')")
    op.execute(
        "ALTER TABLE trials ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({' || '.join(parts)}) STORED"
    )
    op.execute("CREATE INDEX ix_trials_search_vector ON trials USING gin (search_vector)")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()
    else:
        raise NotImplementedError(f"eligo has no full-text search for {dialect}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER trials_search_{trigger}")
        op.execute("DROP TABLE trial_search")
    else:
        op.execute("DROP INDEX ix_trials_search_vector")
        op.execute("ALTER TABLE trials DROP COLUMN search_vector")
