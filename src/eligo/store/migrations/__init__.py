"""Alembic migrations of eligo's database, run in code by :mod:`eligo.store.migrate`."""
