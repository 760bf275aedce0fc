"""The key that signs mailed links, made at first use and kept in the database.

The web app and ``eligo notify`` are different processes, perhaps on different days: keeping
the key with the subscriptions lets each verify the other's links with nothing to configure.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from eligo.web.features.tables import link_keys


def link_key(engine: Engine, name: str = "mail-links") -> bytes:
    """The secret called ``name``, created (once, even under a race) when missing."""
    query = select(link_keys.c.secret).where(link_keys.c.name == name)
    with engine.connect() as connection:
        found = connection.execute(query).scalar()
    if found is None:
        try:
            with engine.begin() as connection:
                connection.execute(
                    insert(link_keys).values(name=name, secret=secrets.token_hex(32))
                )
        except IntegrityError:
            pass  # another process made it first: use theirs
        with engine.connect() as connection:
            found = connection.execute(query).scalar_one()
    return bytes.fromhex(found)
