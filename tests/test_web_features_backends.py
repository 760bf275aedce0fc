"""The features' storage on both back ends (SQLite and PostgreSQL): notes, shares and their
lock-out, subscriptions and what is news to them, inquiries, accounts."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eligo.model import Site, Source, Trial
from eligo.store import TrialStore
from eligo.web.features.accounts import Accounts
from eligo.web.features.inquiries import ContactRequest, Inquiries
from eligo.web.features.link_keys import link_key
from eligo.web.features.notes import NoteBook, NoteIn, owner_of_key
from eligo.web.features.shares import MAX_FAILURES, Shares
from eligo.web.features.subscriptions import SavedSearch, Subscriptions
from eligo.web.features.tables import inquiries


def trial(trial_id: str, eligibility: str = "Adults.") -> Trial:
    return Trial(
        trial_id=trial_id,
        brief_title=f"Study {trial_id}",
        conditions=["Small Cell Lung Cancer"],
        eligibility_text=eligibility,
        sites=[Site(facility="Clinic", country="France")],
        source=Source(format="ctgov-json"),
    )


def test_feature_storage(store_url: str) -> None:
    with TrialStore(store_url) as store:
        engine = store.engine
        store.save(trial("NCT09990070"))

        owner = owner_of_key(secrets.token_hex(16))
        note = NoteIn.model_validate(
            {"quote": "Adults", "anchor": {"start": 0, "end": 6}, "body": "ok?"}
        )
        NoteBook(engine).add(owner, "NCT09990070", note)
        items = NoteBook(engine).list(owner, "NCT09990070")
        assert [n.body for n in items] == ["ok?"]

        shares = Shares(engine)
        token, _ = shares.create(owner, "NCT09990070", items, "a passcode here", 3)
        now = datetime.now(UTC)
        outcomes = [shares.open(token, f"wrong {i}", now=now).outcome for i in range(MAX_FAILURES)]
        assert outcomes == ["wrong"] * (MAX_FAILURES - 1) + ["locked"]
        assert shares.open(token, "a passcode here", now=now).outcome == "locked"
        later = now + timedelta(minutes=16)
        opened = shares.open(token, "a passcode here", now=later)
        assert opened.outcome == "open" and opened.notes and opened.notes[0].body == "ok?"

        def finder(search: SavedSearch) -> list[str]:
            return [item.trial_id for item in store.search(search.query or None, limit=100)]

        book = Subscriptions(engine, finder)
        made = book.subscribe("ana@example.org", SavedSearch(query="small cell"))
        assert book.confirm(made.id) is not None
        store.save(trial("NCT09990071"))
        store.save(trial("NCT09990070", eligibility="Adults with measurable disease."))
        subscription = book.active()[0]
        new, changed = book.news(subscription)
        assert new == {"NCT09990071": 1} and changed == {"NCT09990070": 2}
        book.record_digest(subscription.id, new, changed)
        assert book.news(subscription) == ({}, {})

        person = ContactRequest("Ana", "Lima", "ana@example.org", "+33142114211", "", "")
        saved = trial("NCT09990070")
        inquiry = Inquiries(engine).record(saved, saved.sites[0], None, person)
        Inquiries(engine).set_status(inquiry, "no-recipient")
        with engine.connect() as connection:
            row = connection.execute(select(inquiries)).one()
        assert (row.mail_status, row.site_name) == ("no-recipient", "Clinic")

        assert link_key(engine) == link_key(engine) and len(link_key(engine)) == 32
        session = Accounts(engine).register("bo@example.org", "a long password")
        assert Accounts(engine).owner(session) is not None
