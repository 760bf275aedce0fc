"""Optional accounts for notes: sign up, sign in from another browser, sign out."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eligo.model import Source, Trial
from eligo.web import WebSettings, create_app
from eligo.web.features import account
from eligo.web.features.accounts import COOKIE
from eligo.web.features.tables import accounts, notes
from test_web_features_smtp import db_url, migrated_db  # noqa: F401  (fixtures)

TRIAL = "NCT09990060"
PASSWORD = "a long enough password"


@pytest.fixture()
def app(db_url: str):  # noqa: F811
    made = create_app(db_url, settings=WebSettings(secret_key="test-key"))
    made.state.mail_settings = None
    made.state.store.save(
        Trial(trial_id=TRIAL, brief_title="A study", source=Source(format="ctgov-json"))
    )
    account.limit.reset()
    return made


@pytest.fixture()
def browser_a(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', client.get("/account").text)
    assert found
    return found.group(1)


def form(client: TestClient, path: str, **fields: str):
    return client.post(path, data=fields | {"csrf_token": csrf(client)}, follow_redirects=True)


def notes_of(client: TestClient, key: str) -> list[str]:
    answer = client.get(f"/api/notes/trials/{TRIAL}", headers={"X-Eligo-Owner": key})
    return [note["body"] for note in answer.json()]


def add_note(client: TestClient, key: str, body: str) -> None:
    note = {"quote": "A study", "anchor": {"start": 0, "end": 7}, "body": body}
    answer = client.post(
        f"/api/notes/trials/{TRIAL}",
        json=note,
        headers={"X-Eligo-Owner": key, "X-CSRF-Token": csrf(client)},
    )
    assert answer.status_code == 201


def test_account_notes_follow_the_person_to_another_browser(app, browser_a: TestClient) -> None:
    made = form(browser_a, "/account/register", email="Ana@Example.org", password=PASSWORD)
    assert (
        made.status_code == 200 and "Signed in as" in made.text and "ana@example.org" in made.text
    )
    cookie = browser_a.cookies.get(COOKIE)
    assert cookie
    add_note(browser_a, secrets.token_hex(16), "kept in the account")

    browser_b = TestClient(app)
    other_key = secrets.token_hex(16)
    assert notes_of(browser_b, other_key) == []
    wrong = form(browser_b, "/account/sign-in", email="ana@example.org", password="not it at all")
    assert wrong.status_code == 401 and "not right" in wrong.text
    signed = form(browser_b, "/account/sign-in", email="ana@example.org", password=PASSWORD)
    assert "Signed in as" in signed.text
    assert notes_of(browser_b, other_key) == ["kept in the account"]

    out = form(browser_b, "/account/sign-out")
    assert "Sign in" in out.text and not browser_b.cookies.get(COOKIE)
    assert notes_of(browser_b, other_key) == []

    with app.state.store.engine.connect() as connection:
        row = connection.execute(select(accounts)).one()
        note = connection.execute(select(notes)).one()
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert "kept in the account" not in note.body and note.owner == f"account:{row.id}"


def test_sign_up_rules_and_forged_cookies(app, browser_a: TestClient) -> None:
    short = form(browser_a, "/account/register", email="b@example.org", password="short")
    assert short.status_code == 422 and "at least 10" in short.text
    bad = form(browser_a, "/account/register", email="<script>x</script>", password=PASSWORD)
    assert bad.status_code == 422 and "<script>x" not in bad.text
    form(browser_a, "/account/register", email="b@example.org", password=PASSWORD)
    again = TestClient(app)
    taken = form(again, "/account/register", email="b@example.org", password=PASSWORD)
    assert taken.status_code == 422 and "exists" in taken.text
    forged = TestClient(app, cookies={COOKIE: "eyJwIjp7ImEiOjF9fQ.AAAA"})
    assert "Sign in" in forged.get("/account").text
    no_csrf = again.post("/account/sign-in", data={"email": "b@example.org", "password": PASSWORD})
    assert no_csrf.status_code == 403
