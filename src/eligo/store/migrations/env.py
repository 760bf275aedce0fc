"""Alembic environment: eligo always hands in an open connection (see eligo.store.migrate)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "eligo runs its migrations in code: open the database with eligo.store.TrialStore"
    )

context.configure(
    connection=connection,
    target_metadata=None,
    # SQLite cannot alter most of a table in place; batch mode copies it instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
