"""Contact the nearest study centre: checks, site choice, storage, and the mail that arrives."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eligo.model import Contact, GeoPoint, Site, Source, Trial
from eligo.web import WebSettings, create_app
from eligo.web.features import contact
from eligo.web.features.tables import inquiries
from test_web_features_smtp import body, db_url, migrated_db, smtp  # noqa: F401  (fixtures)

SCRIPT = "<script>alert(1)</script>"


def demo_trial(trial_id: str = "NCT09990001", facility: str = "Gustave Roussy") -> Trial:
    return Trial(
        trial_id=trial_id,
        brief_title="Tarlatamab after chemotherapy",
        status="RECRUITING",
        sponsor="Gustave Roussy",
        contacts=[Contact(name="Central desk", role="central", email="central@example.org")],
        sites=[
            Site(
                facility="Closed Hospital",
                city="Lyon",
                country="France",
                status="COMPLETED",
                contacts=[Contact(email="lyon@example.org")],
                geo=GeoPoint(lat=45.75, lon=4.85),
            ),
            Site(
                facility=facility,
                city="Villejuif",
                country="France",
                status="RECRUITING",
                contacts=[Contact(name="Dr Anne Martin", email="site-fr@example.org")],
                geo=GeoPoint(lat=48.79, lon=2.36),
            ),
            Site(
                facility="Memorial Sloan Kettering",
                city="New York",
                state="New York",
                zip="10065",
                country="United States",
                status="RECRUITING",
                contacts=[Contact(email="site-us@example.org")],
                geo=GeoPoint(lat=40.76, lon=-73.96),
            ),
        ],
        source=Source(format="ctgov-json"),
    )


@pytest.fixture()
def app_client(db_url, smtp) -> Iterator[tuple[TestClient, object]]:  # noqa: F811
    catcher, settings = smtp
    app = create_app(db_url, settings=WebSettings(secret_key="test-key"))
    app.state.mail_settings = settings
    app.state.store.save(demo_trial())
    app.state.store.save(demo_trial("NCT09990002", facility=f"Evil {SCRIPT} Clinic"))
    contact.limit.reset()
    with TestClient(app) as client:
        yield client, catcher


def token(client: TestClient, trial_id: str = "NCT09990001") -> str:
    page = client.get(f"/trials/{trial_id}").text
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page)
    assert found
    return found.group(1)


def form(**changes: str) -> dict[str, str]:
    fields = {
        "first_name": "Marie",
        "last_name": "Curie",
        "email": "marie@example.org",
        "phone": "01 42 11 42 11",
        "language": "French",
        "place": "",
        "consent": "yes",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def post(client: TestClient, trial_id: str = "NCT09990001", **changes: str):
    data = form(**changes) | {"csrf_token": token(client, trial_id)}
    return client.post(f"/trials/{trial_id}/contact", data=data)


def test_the_trial_page_has_the_form(app_client) -> None:
    client, _ = app_client
    page = client.get("/trials/NCT09990001").text
    for name in ("first_name", "last_name", "email", "phone", "language", "consent"):
        assert f'name="{name}"' in page
    assert 'action="/trials/NCT09990001/contact"' in page
    searched = client.get("/trials/NCT09990001", params={"near": 'Lyon"><b>'}).text
    assert 'id="contact-place" name="place" type="text" value="Lyon&#34;&gt;&lt;b&gt;"' in searched


def test_inquiry_is_mailed_to_the_site_with_a_copy_to_the_person(app_client) -> None:
    client, catcher = app_client
    answer = post(client)
    assert answer.status_code == 200
    assert (
        "We have submitted the contact information you provided to the research team at "
        "Gustave Roussy, Villejuif. A copy of the message has been sent to your email for your "
        "records." in " ".join(answer.text.split())
    )
    to_site, copy = catcher.wait_for(2)
    assert catcher.envelopes[0][1] == ["site-fr@example.org"]
    assert catcher.envelopes[1][1] == ["marie@example.org"]
    assert to_site["Subject"] == "Trial NCT09990001: contact request from Marie Curie"
    assert to_site["Reply-To"].addresses[0].addr_spec == "marie@example.org"
    text = body(to_site)
    for expected in (
        "NCT09990001",
        "Marie",
        "Curie",
        "marie@example.org",
        "+33142114211",
        "French",
    ):
        assert expected in text
    assert "NCT09990001" in copy["Subject"] and "+33142114211" in body(copy)
    store = client.app.state.store
    with store.engine.connect() as connection:
        (row,) = connection.execute(select(inquiries)).all()
    assert (row.trial_id, row.recipient, row.mail_status) == (
        "NCT09990001",
        "site-fr@example.org",
        "sent",
    )
    assert row.phone == "+33142114211" and row.consent_at is not None


def test_the_nearest_site_to_the_place_given(app_client) -> None:
    client, catcher = app_client
    answer = post(client, place="10001", phone="(212) 639-2000")
    assert answer.status_code == 200 and "Memorial Sloan Kettering" in answer.text
    catcher.wait_for(2)
    assert catcher.envelopes[0][1] == ["site-us@example.org"]
    assert "+12126392000" in body(catcher.messages[0])


def test_non_ascii_names_are_encoded_in_headers(app_client) -> None:
    client, catcher = app_client
    assert post(client, first_name="Zoë", last_name="Ünal-Łukasz").status_code == 200
    to_site, copy = catcher.wait_for(2)
    assert to_site["Subject"] == "Trial NCT09990001: contact request from Zoë Ünal-Łukasz"
    assert copy["To"].addresses[0].display_name == "Zoë Ünal-Łukasz"
    raw_headers = to_site.as_bytes().split(b"\n\n")[0]
    assert "Zoë".encode() not in raw_headers and b"=?utf-8?" in raw_headers


@pytest.mark.parametrize("field", ["first_name", "last_name", "language", "place"])
def test_line_breaks_in_fields_are_refused(app_client, field: str) -> None:
    client, catcher = app_client
    answer = post(client, **{field: "Marie\r\nBcc: victim@example.org"})
    assert answer.status_code == 422
    assert "line breaks" in answer.text
    assert catcher.messages == []
    with client.app.state.store.engine.connect() as connection:
        assert connection.execute(select(inquiries)).all() == []


def test_bad_answers_are_named_and_the_form_keeps_them_escaped(app_client) -> None:
    client, catcher = app_client
    answer = post(
        client,
        first_name=SCRIPT,
        last_name="",
        email=f"not-an-email{SCRIPT}",
        phone="12",
        language=SCRIPT,
        place=SCRIPT,
        consent="",
    )
    assert answer.status_code == 422
    text = answer.text
    assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Last name is required" in text
    assert "Email is not a valid address" in text
    assert "Phone number is not a phone number we can read" in text
    assert "Consent is needed" in text
    assert catcher.messages == []


def test_no_smtp_configured_stores_the_inquiry_and_says_so(app_client) -> None:
    client, catcher = app_client
    client.app.state.mail_settings = None
    answer = post(client)
    assert answer.status_code == 202
    assert "the email could not be sent" in " ".join(answer.text.split())
    assert catcher.messages == []
    with client.app.state.store.engine.connect() as connection:
        (row,) = connection.execute(select(inquiries)).all()
    assert row.mail_status == "not-configured" and row.email == "marie@example.org"


def test_trial_text_is_escaped_on_the_confirmation(app_client) -> None:
    client, catcher = app_client
    answer = post(client, trial_id="NCT09990002")
    assert answer.status_code == 200
    assert SCRIPT not in answer.text and "Evil &lt;script&gt;" in answer.text
    catcher.wait_for(2)
    assert SCRIPT in body(catcher.messages[0])  # plain text mail: shown as text, not run


def test_csrf_rate_limit_and_unknown_trial(app_client) -> None:
    client, _ = app_client
    assert client.post("/trials/NCT09990001/contact", data=form()).status_code == 403
    assert post(client, trial_id="NCT00000000").status_code == 404
    client.app.state.mail_settings = None
    contact.limit.reset()
    codes = [post(client).status_code for _ in range(31)]
    assert codes[:30] == [202] * 30 and codes[30] == 429


def test_no_personal_data_in_the_logs(app_client, caplog) -> None:
    client, catcher = app_client
    with caplog.at_level(logging.DEBUG):
        assert post(client, first_name="Zoë", last_name="Secretname").status_code == 200
        catcher.wait_for(2)
    # "mail.log" is the test SMTP server's own logger: it is the receiving end, not eligo.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "inquiry" in logged
    for private in ("Secretname", "Zoë", "marie@example.org", "4211", "site-fr@example.org"):
        assert private not in logged


def test_huge_fields_and_wrong_content_types_are_refused_clearly(app_client) -> None:
    client, catcher = app_client
    huge = post(client, first_name="x" * 1_000_000)
    assert huge.status_code == 422 and "too long" in huge.text
    as_json = client.post(
        "/trials/NCT09990001/contact",
        json=form(),
        headers={"X-CSRF-Token": token(client)},
    )
    assert as_json.status_code == 415 and "application/x-www-form-urlencoded" in as_json.text
    assert catcher.messages == []
