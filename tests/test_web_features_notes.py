"""Private notes and their passcode-protected shares: ownership, sealing, attempts and lock-out."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from eligo.model import Source, Trial
from eligo.web import WebSettings, create_app
from eligo.web.features import private_notes
from eligo.web.features.notes import NoteBook, NoteIn, owner_of_key
from eligo.web.features.shares import LOCK_TIME, Shares
from eligo.web.features.tables import note_shares
from test_web_features_smtp import db_url, migrated_db  # noqa: F401  (fixtures)

SCRIPT = "<script>alert(1)</script>"
SECRET = "Ask about the platelet rule zanzibar-7731"
QUOTE = "Platelet count >= 100 x 10^9/L"
PASSCODE = "correct horse battery"
TRIAL = "NCT09990040"


def new_key() -> str:
    return secrets.token_hex(16)


def make_app(db: str):
    app = create_app(db, settings=WebSettings(secret_key="test-key"))
    app.state.mail_settings = None
    return app


@pytest.fixture()
def db(db_url: str) -> str:  # noqa: F811
    return db_url


@pytest.fixture()
def client(db: str) -> Iterator[TestClient]:
    app = make_app(db)
    app.state.store.save(
        Trial(trial_id=TRIAL, brief_title="A study", source=Source(format="ctgov-json"))
    )
    private_notes.write_limit.reset()
    private_notes.passcode_limit.reset()
    with TestClient(app) as test_client:
        yield test_client


def csrf(client: TestClient) -> str:
    found = re.search(
        r'name="csrf-token" content="([0-9a-f]+)"', client.get("/notes/shared/x").text
    )
    assert found
    return found.group(1)


def headers(client: TestClient, key: str) -> dict[str, str]:
    return {"X-Eligo-Owner": key, "X-CSRF-Token": csrf(client)}


def add(client: TestClient, key: str, body: str = SECRET, quote: str = QUOTE):
    note = {"quote": quote, "anchor": {"section": "eligibility", "start": 10, "end": 40}}
    return client.post(
        f"/api/notes/trials/{TRIAL}", json=note | {"body": body}, headers=headers(client, key)
    )


def share(client: TestClient, key: str, passcode: str = PASSCODE, days: int = 7):
    return client.post(
        f"/api/notes/trials/{TRIAL}/shares",
        json={"passcode": passcode, "days": days},
        headers=headers(client, key),
    )


def attempt(client: TestClient, path: str, passcode: str):
    return client.post(path, data={"passcode": passcode, "csrf_token": csrf(client)})


def test_notes_are_visible_to_their_owner_only(client: TestClient) -> None:
    mine, theirs = new_key(), new_key()
    made = add(client, mine)
    assert made.status_code == 201
    note = made.json()
    assert note["quote"] == QUOTE and note["anchor"] == {
        "section": "eligibility",
        "start": 10,
        "end": 40,
    }
    assert [
        n["body"]
        for n in client.get(f"/api/notes/trials/{TRIAL}", headers={"X-Eligo-Owner": mine}).json()
    ] == [SECRET]
    assert client.get(f"/api/notes/trials/{TRIAL}", headers={"X-Eligo-Owner": theirs}).json() == []
    assert (
        client.delete(f"/api/notes/{note['id']}", headers=headers(client, theirs)).status_code
        == 404
    )
    assert (
        client.delete(f"/api/notes/{note['id']}", headers=headers(client, mine)).status_code == 204
    )
    assert client.get(f"/api/notes/trials/{TRIAL}", headers={"X-Eligo-Owner": mine}).json() == []


def test_key_csrf_and_input_are_checked(client: TestClient) -> None:
    key = new_key()
    assert client.get(f"/api/notes/trials/{TRIAL}").status_code == 401
    assert (
        client.get(f"/api/notes/trials/{TRIAL}", headers={"X-Eligo-Owner": "short"}).status_code
        == 401
    )
    no_csrf = client.post(
        f"/api/notes/trials/{TRIAL}",
        json={"quote": "q", "anchor": {"start": 0, "end": 1}, "body": "b"},
        headers={"X-Eligo-Owner": key},
    )
    assert no_csrf.status_code == 403
    assert add(client, key, body="   ").status_code == 422
    assert add(client, key, body="x" * 5001).status_code == 422
    wrong_type = client.post(
        f"/api/notes/trials/{TRIAL}",
        content=b"quote=x",
        headers=headers(client, key) | {"Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415
    assert (
        client.post(
            "/api/notes/trials/NCT00000000",
            json={"quote": "q", "anchor": {"start": 0, "end": 1}, "body": "b"},
            headers=headers(client, key),
        ).status_code
        == 404
    )


def test_the_database_alone_does_not_reveal_notes(
    client: TestClient, db: str, tmp_path: Path
) -> None:
    key = new_key()
    assert add(client, key).status_code == 201
    assert share(client, key).status_code == 201
    engine = client.app.state.store.engine
    with engine.connect() as connection:
        for table in ("notes", "note_shares"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                dumped = " ".join(str(value) for value in row)
                assert "zanzibar" not in dumped and "Platelet" not in dumped
                assert key not in dumped
    for path in tmp_path.glob("eligo.db*"):  # the file, its WAL and its shared memory
        raw = path.read_bytes()
        assert b"zanzibar" not in raw and b"Platelet count" not in raw


def test_share_opens_with_the_passcode_and_escapes_what_it_shows(client: TestClient) -> None:
    key = new_key()
    add(client, key, body=SCRIPT, quote=f"quote {SCRIPT}")
    made = share(client, key)
    assert made.status_code == 201
    path = made.json()["url"].removeprefix("http://testserver")
    other = TestClient(client.app)  # the person the link was sent to
    asked = other.get(path)
    assert (
        asked.status_code == 200 and 'name="passcode"' in asked.text and "alert" not in asked.text
    )
    wrong = attempt(other, path, "not the passcode")
    assert wrong.status_code == 403 and "That passcode is not right. 4 more attempts" in wrong.text
    shown = attempt(other, path, PASSCODE)
    assert shown.status_code == 200
    assert SCRIPT not in shown.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    assert "quote &lt;script&gt;" in shown.text


def test_lock_out_after_five_failures_survives_a_restart(client: TestClient, db: str) -> None:
    key = new_key()
    add(client, key)
    path = share(client, key).json()["url"].removeprefix("http://testserver")
    other = TestClient(client.app)
    answers = [attempt(other, path, f"wrong {i}") for i in range(5)]
    assert [a.status_code for a in answers] == [403, 403, 403, 403, 429]
    assert "1 more attempt before" in answers[3].text
    assert "locked" in answers[4].text
    assert attempt(other, path, PASSCODE).status_code == 429  # even the right one, for now
    restarted = TestClient(make_app(db))
    assert attempt(restarted, path, PASSCODE).status_code == 429
    # After the lock time the right passcode works again.
    token = path.rsplit("/", 1)[1]
    later = datetime.now(UTC) + LOCK_TIME + timedelta(seconds=1)
    opened = Shares(client.app.state.store.engine).open(token, PASSCODE, now=later)
    assert opened.outcome == "open" and opened.notes and opened.notes[0].body == SECRET


def test_failures_spread_over_time_do_not_lock(db: str, client: TestClient) -> None:
    engine = client.app.state.store.engine
    owner = owner_of_key(new_key())
    note = NoteIn.model_validate({"quote": "q", "anchor": {"start": 0, "end": 1}, "body": "b"})
    NoteBook(engine).add(owner, TRIAL, note)
    token, _ = Shares(engine).create(owner, TRIAL, NoteBook(engine).list(owner, TRIAL), PASSCODE, 7)
    start = datetime.now(UTC)
    outcomes = [
        Shares(engine).open(token, "wrong passcode", now=start + timedelta(minutes=4 * i)).outcome
        for i in range(8)
    ]
    assert "locked" not in outcomes  # never 5 failures inside 15 minutes


def test_revoked_and_expired_shares_are_gone(client: TestClient) -> None:
    key = new_key()
    add(client, key)
    made = share(client, key).json()
    path = made["url"].removeprefix("http://testserver")
    listed = client.get("/api/notes/shares", headers={"X-Eligo-Owner": key}).json()
    assert [s["id"] for s in listed] == [made["id"]] and not listed[0]["revoked"]
    stranger = new_key()
    assert (
        client.post(
            f"/api/notes/shares/{made['id']}/revoke", headers=headers(client, stranger)
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/notes/shares/{made['id']}/revoke", headers=headers(client, key)
        ).status_code
        == 200
    )
    gone = attempt(TestClient(client.app), path, PASSCODE)
    assert gone.status_code == 404 and "withdrawn" in gone.text
    # expiry
    second = share(client, key, days=1).json()
    token = second["url"].rsplit("/", 1)[1]
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    assert Shares(client.app.state.store.engine).open(token, PASSCODE, now=later).outcome == "gone"


def test_share_rules(client: TestClient) -> None:
    key = new_key()
    assert share(client, key).status_code == 422  # no notes yet
    add(client, key)
    short = share(client, key, passcode="1234567")
    assert short.status_code == 422 and "at least 8" in short.json()["detail"]
    assert share(client, key, days=365).status_code == 422
    made = share(client, key)
    with client.app.state.store.engine.connect() as connection:
        row = connection.execute(select(note_shares)).one()
    assert row.passcode_hash.startswith("$argon2id$") and PASSCODE not in row.passcode_hash
    assert made.json()["url"].rsplit("/", 1)[1] not in row.token_hash  # only its hash is kept


def test_huge_notes_and_wrong_types_are_refused(client: TestClient) -> None:
    key = new_key()
    assert add(client, key, body="x" * 1_000_000).status_code == 422
    as_form = client.post(
        f"/api/notes/trials/{TRIAL}",
        data={"quote": "q", "body": "b"},
        headers=headers(client, key),
    )
    assert as_form.status_code == 415
    broken = client.post(
        f"/api/notes/trials/{TRIAL}",
        content=b"{not json",
        headers=headers(client, key) | {"Content-Type": "application/json"},
    )
    assert broken.status_code == 422 and "detail" in broken.json()
    assert attempt(client, "/notes/shared/" + "x" * 5000, "whatever passcode").status_code == 404
