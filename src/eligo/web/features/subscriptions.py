"""Saved searches with double opt-in, and the digests ``eligo notify`` sends.

A subscription is an address and a search (the words and filters of the search page). It does
nothing until the address confirms through a signed link that expires in three days. From then
on each digest lists the trials that match the search and that the subscriber has not been told
about: trials new to the catalogue (or newly matching), and trials whose eligibility changed
(a new version in :meth:`eligo.store.TrialStore.versions`). What was told is kept per
subscription and trial (``subscription_seen``), so a second run finds nothing to send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, insert, select, update

from eligo.finder.search import Finder as TrialFinder
from eligo.finder.search import TrialQuery
from eligo.store import FilterError
from eligo.store.schema import trials
from eligo.web.features import signing
from eligo.web.features.tables import subscription_seen, subscriptions

CONFIRM_DAYS = 3
MAX_PER_ADDRESS = 20
#: Confirmation mails one address may be sent in a day, so the form cannot flood a stranger.
MAX_REQUESTS_PER_DAY = 5
MAX_TRIALS_PER_SEARCH = 2_000

#: The search page's parameters besides the words (``q``), as its form names them.
SEARCH_FILTERS = ("status", "phase", "age", "sex", "near", "within")


class SubscriptionError(ValueError):
    """A subscription request that cannot be honoured; the message says why, in plain words."""


class SavedSearch(BaseModel):
    query: str = Field(default="", max_length=500)
    filters: dict[str, str] = Field(default_factory=dict)

    def describe(self) -> str:
        parts = [f'"{self.query}"'] if self.query else []
        words = {"within": "within {} km", "near": "near {}", "age": "age {}", "sex": "{}"}
        parts += [
            words.get(name, name + ": {}").format(value)
            for name, value in self.filters.items()
            if value
        ]
        return ", ".join(parts) or "all trials"


@dataclass(frozen=True)
class Subscription:
    id: int
    email: str
    search: SavedSearch
    confirmed: bool
    active: bool
    ended: bool = False


Finder = Callable[[SavedSearch], list[str]]


def _number(search: SavedSearch, name: str) -> float | None:
    text = search.filters.get(name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise SubscriptionError(f"{name}: write a number, not {text[:40]!r}") from None


def trial_query(search: SavedSearch) -> TrialQuery:
    """The search page's query for a saved search, every match on one page."""
    sex = search.filters.get("sex") or None
    if sex not in (None, "female", "male"):
        raise SubscriptionError("sex: choose female or male")
    return TrialQuery(
        text=search.query,
        status=search.filters.get("status") or None,
        phase=search.filters.get("phase") or None,
        age=_number(search, "age"),
        sex=sex,  # type: ignore[arg-type]
        near=search.filters.get("near") or None,
        within_km=_number(search, "within"),
        limit=MAX_TRIALS_PER_SEARCH,
    )


def search_finder(finder: TrialFinder) -> Finder:
    """Trial ids matching a saved search, found exactly as the search page finds them."""

    def find(search: SavedSearch) -> list[str]:
        try:
            return [item.trial_id for item in finder.search(trial_query(search)).found]
        except FilterError as error:
            raise SubscriptionError(str(error)) from None

    return find


def normalised_email(text: str) -> str:
    """The address in its normal form; SubscriptionError when it is not a valid address."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise SubscriptionError(f"This email address is not valid: {error}") from None


# -- signed links -------------------------------------------------------------------------


def confirm_token(key: bytes, subscription_id: int) -> str:
    return signing.sign(key, "confirm", {"s": subscription_id}, max_age=CONFIRM_DAYS * 86_400)


def unsubscribe_token(key: bytes, subscription_id: int) -> str:
    return signing.sign(key, "unsubscribe", {"s": subscription_id})


def subscription_of(key: bytes, purpose: str, token: str) -> int:
    """The subscription id a link names; :class:`signing.TokenError` if it is not valid."""
    value = signing.verify(key, purpose, token).get("s")
    if not isinstance(value, int):
        raise signing.TokenError("this link is not valid")
    return value


# -- the table ----------------------------------------------------------------------------


def _subscription(row: Any) -> Subscription:
    search = SavedSearch(query=row.query, filters=json.loads(row.filters_json))
    return Subscription(
        id=row.id,
        email=row.email,
        search=search,
        confirmed=row.confirmed_at is not None,
        active=row.confirmed_at is not None and row.unsubscribed_at is None,
        ended=row.unsubscribed_at is not None,
    )


class Subscriptions:
    def __init__(self, engine: Engine, finder: Finder) -> None:
        self.engine = engine
        self.finder = finder

    def subscribe(self, email: str, search: SavedSearch) -> Subscription:
        """Record a pending subscription; the caller mails the confirmation link."""
        address = normalised_email(email)
        self.finder(search)  # a filter the store cannot read fails here, not in every digest
        with self.engine.begin() as connection:
            held = connection.execute(
                select(func.count())
                .select_from(subscriptions)
                .where(subscriptions.c.email == address, subscriptions.c.unsubscribed_at.is_(None))
            ).scalar_one()
            today = connection.execute(
                select(func.count())
                .select_from(subscriptions)
                .where(
                    subscriptions.c.email == address,
                    subscriptions.c.created_at > datetime.now(UTC) - timedelta(days=1),
                )
            ).scalar_one()
            if today >= MAX_REQUESTS_PER_DAY:
                raise SubscriptionError(
                    "This address has asked for trial alerts several times today; "
                    "check its inbox for the confirmation emails, or try again tomorrow."
                )
            if held >= MAX_PER_ADDRESS:
                raise SubscriptionError(
                    f"This address already has {MAX_PER_ADDRESS} saved searches; "
                    "unsubscribe from one first."
                )
            new = connection.execute(
                insert(subscriptions).values(
                    email=address,
                    query=search.query,
                    filters_json=json.dumps(search.filters, sort_keys=True),
                    created_at=datetime.now(UTC),
                )
            ).inserted_primary_key
        assert new is not None
        return Subscription(new[0], address, search, confirmed=False, active=False)

    def get(self, subscription_id: int) -> Subscription | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(subscriptions).where(subscriptions.c.id == subscription_id)
            ).first()
        return None if row is None else _subscription(row)

    def confirm(self, subscription_id: int) -> Subscription | None:
        """Start the subscription; the trials matching now are the ones it will not announce."""
        found = self.get(subscription_id)
        if found is None or found.confirmed or found.ended:
            return found
        now = datetime.now(UTC)
        current = self._current_versions(self.finder(found.search))
        with self.engine.begin() as connection:
            done = connection.execute(
                update(subscriptions)
                .where(
                    subscriptions.c.id == subscription_id, subscriptions.c.confirmed_at.is_(None)
                )
                .values(confirmed_at=now, last_digest_at=now)
            )
            if done.rowcount:
                self._remember(connection, subscription_id, current, {})
        return self.get(subscription_id)

    def unsubscribe(self, subscription_id: int) -> bool:
        with self.engine.begin() as connection:
            done = connection.execute(
                update(subscriptions)
                .where(
                    subscriptions.c.id == subscription_id,
                    subscriptions.c.unsubscribed_at.is_(None),
                )
                .values(unsubscribed_at=datetime.now(UTC))
            )
        return bool(done.rowcount)

    def active(self) -> list[Subscription]:
        statement = (
            select(subscriptions)
            .where(
                subscriptions.c.confirmed_at.is_not(None),
                subscriptions.c.unsubscribed_at.is_(None),
            )
            .order_by(subscriptions.c.id)
        )
        with self.engine.connect() as connection:
            return [_subscription(row) for row in connection.execute(statement)]

    # -- what is news to a subscriber ------------------------------------------------------

    def _current_versions(self, trial_ids: list[str]) -> dict[str, int]:
        versions: dict[str, int] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(trial_ids), 500):
                chunk = trial_ids[start : start + 500]
                rows = connection.execute(
                    select(trials.c.trial_id, trials.c.current_version).where(
                        trials.c.trial_id.in_(chunk)
                    )
                )
                versions.update({row.trial_id: row.current_version for row in rows})
        return versions

    def news(self, subscription: Subscription) -> tuple[dict[str, int], dict[str, int]]:
        """Trials new to the subscriber and trials with changed eligibility, each with its
        current version, in the search's order."""
        order = self.finder(subscription.search)
        current = self._current_versions(order)
        with self.engine.connect() as connection:
            seen = dict(
                connection.execute(
                    select(subscription_seen.c.trial_id, subscription_seen.c.version).where(
                        subscription_seen.c.subscription_id == subscription.id
                    )
                ).all()
            )
        new = {t: current[t] for t in order if t in current and t not in seen}
        changed = {t: current[t] for t in order if t in seen and current.get(t, 0) > seen[t]}
        return new, changed

    def record_digest(
        self, subscription_id: int, new: dict[str, int], changed: dict[str, int]
    ) -> None:
        """Remember what a digest told, and when it was sent."""
        with self.engine.begin() as connection:
            self._remember(connection, subscription_id, new, changed)
            connection.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(last_digest_at=datetime.now(UTC))
            )

    @staticmethod
    def _remember(
        connection: Any, subscription_id: int, new: dict[str, int], changed: dict[str, int]
    ) -> None:
        if new:
            connection.execute(
                insert(subscription_seen),
                [
                    {"subscription_id": subscription_id, "trial_id": t, "version": v}
                    for t, v in new.items()
                ],
            )
        for trial_id, version in changed.items():
            connection.execute(
                update(subscription_seen)
                .where(
                    subscription_seen.c.subscription_id == subscription_id,
                    subscription_seen.c.trial_id == trial_id,
                )
                .values(version=version)
            )
