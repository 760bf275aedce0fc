"""Alembic migrations of eligo's database, run in code by :mod:`eligo.store.migrate`.

There is no ``alembic.ini``: opening a :class:`eligo.store.TrialStore` upgrades the schema. To
add a revision, write ``versions/NNNN_what.py`` by hand or start one from the template with::

    python -c "from alembic import command; from eligo.store.migrate import alembic_config; \\
        command.revision(alembic_config(), 'what it changes', rev_id='0003')"

A revision must work on SQLite and PostgreSQL alike (``op.get_bind().dialect.name`` tells them
apart), and must leave the rows already stored readable.
"""
