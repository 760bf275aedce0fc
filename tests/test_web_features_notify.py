"""Trial alerts end to end: subscribe, confirm by mail, `eligo notify` digests, unsubscribe."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from eligo.cli.main import main as cli
from eligo.model import Source, Trial
from eligo.web import WebSettings, create_app
from eligo.web.features import notify, signing
from eligo.web.features.link_keys import link_key
from test_web_features_smtp import body, db_url, migrated_db, smtp  # noqa: F401  (fixtures)

BASE = "http://testserver"


def sclc_trial(trial_id: str, eligibility: str = "Age 18 or over.", **extra: object) -> Trial:
    fields: dict[str, object] = {
        "trial_id": trial_id,
        "brief_title": f"Small cell lung cancer study {trial_id}",
        "status": "RECRUITING",
        "conditions": ["Small Cell Lung Cancer"],
        "eligibility_text": eligibility,
        "source": Source(format="ctgov-json"),
    }
    fields.update(extra)
    return Trial.model_validate(fields)


@pytest.fixture()
def setup(db_url, smtp) -> Iterator[tuple[TestClient, object, object, str]]:  # noqa: F811
    catcher, settings = smtp
    db = db_url
    app = create_app(db, settings=WebSettings(secret_key="test-key"))
    app.state.mail_settings = settings
    app.state.public_url = BASE
    store = app.state.store
    store.save(sclc_trial("NCT09990010"))
    store.save(sclc_trial("NCT09990011", conditions=["Breast Cancer"], brief_title="Breast study"))
    notify.limit.reset()
    with TestClient(app) as client:
        yield client, catcher, settings, db


def csrf(client: TestClient) -> str:
    found = re.search(
        r'name="csrf-token" content="([0-9a-f]+)"', client.get("/trials/NCT09990010/contact").text
    )
    assert found
    return found.group(1)


def subscribe(client: TestClient, email: str = "ana@example.org", **fields: str):
    data = {"email": email, "q": "small cell lung", "csrf_token": csrf(client), **fields}
    return client.post("/notify/subscribe", data=data)


def run_notify(settings, db: str) -> str:
    env = {
        "ELIGO_SMTP_HOST": settings.host,
        "ELIGO_SMTP_PORT": str(settings.port),
        "ELIGO_SMTP_FROM": settings.from_address,
        "ELIGO_PUBLIC_URL": BASE,
    }
    done = CliRunner().invoke(cli, ["notify", "--db", db], env=env)
    assert done.exit_code == 0, done.output
    return done.output


def link_in(text: str, kind: str) -> str:
    found = re.search(rf"{BASE}/notify/{kind}/\S+", text)
    assert found, text
    return urlsplit(found.group(0)).path


def test_subscribe_confirm_digest_again_unsubscribe(setup) -> None:
    client, catcher, settings, db = setup
    answer = subscribe(client)
    assert answer.status_code == 200 and "Check your email" in answer.text
    (confirmation,) = catcher.wait_for(1)
    assert confirmation["To"].addresses[0].addr_spec == "ana@example.org"
    confirm = link_in(body(confirmation), "confirm")

    # Before confirming, nothing is sent; opening the link alone confirms nothing.
    assert "0 digests sent" in run_notify(settings, db)
    page = client.get(confirm)
    assert page.status_code == 200 and "Confirm" in page.text
    assert "0 digests sent" in run_notify(settings, db)
    done = client.post(confirm, data={"csrf_token": csrf(client)})
    assert done.status_code == 200 and "alerts are on" in done.text

    # Trials there at confirmation are not news; a new matching one is.
    assert "0 digests sent" in run_notify(settings, db)
    store = client.app.state.store
    store.save(sclc_trial("NCT09990020"))
    store.save(sclc_trial("NCT09990021", conditions=["Melanoma"], brief_title="Melanoma"))
    catcher.clear()
    assert "1 digests sent (1 trials)" in run_notify(settings, db)
    (digest,) = catcher.wait_for(1)
    text = body(digest)
    assert "NCT09990020" in text and f"{BASE}/trials/NCT09990020" in text
    assert "NCT09990010" not in text and "NCT09990021" not in text
    unsubscribe_url = re.fullmatch(r"<(.+)>", digest["List-Unsubscribe"])
    assert unsubscribe_url and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url.group(1) in text

    # A second run sends nothing; a change of eligibility is news again.
    catcher.clear()
    assert "0 digests sent" in run_notify(settings, db)
    store.save(sclc_trial("NCT09990010", eligibility="Age 18 or over. Platelets >= 100 x10^9/L."))
    assert "1 digests sent" in run_notify(settings, db)
    (changed,) = catcher.wait_for(1)
    assert "NCT09990010" in body(changed) and "eligibility criteria changed" in body(changed)

    # One-click unsubscribe as mail programs send it (RFC 8058): no cookie, no CSRF token.
    path = urlsplit(unsubscribe_url.group(1)).path
    anonymous = TestClient(client.app)
    gone = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
    assert gone.status_code == 200 and "unsubscribed" in gone.text
    store.save(sclc_trial("NCT09990030"))
    catcher.clear()
    assert "0 digests sent" in run_notify(settings, db)
    time.sleep(0.1)
    assert catcher.messages == []


def test_links_are_signed_for_one_purpose_and_expire(setup) -> None:
    client, catcher, _, _ = setup
    subscribe(client)
    confirm = link_in(body(catcher.wait_for(1)[0]), "confirm")
    token = confirm.rsplit("/", 1)[1]
    assert client.get(f"/notify/unsubscribe/{token}").status_code == 400  # wrong purpose
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/notify/confirm/{forged}").status_code == 400
    key = link_key(client.app.state.store.engine)
    old = signing.sign(key, "confirm", {"s": 1}, max_age=-1)
    expired = client.get(f"/notify/confirm/{old}")
    assert expired.status_code == 400 and "expired" in expired.text
    # The unsubscribe page's own button needs the CSRF token.
    leave = signing.sign(key, "unsubscribe", {"s": 1})
    assert client.post(f"/notify/unsubscribe/{leave}", data={}).status_code == 403
    assert client.post(f"/notify/confirm/{token}", data={}).status_code == 403


def test_bad_address_no_smtp_and_escaping(setup) -> None:
    client, catcher, _, _ = setup
    bad = subscribe(client, email="<script>alert(1)</script>")
    assert bad.status_code == 422 and "not valid" in bad.text and "<script>" not in bad.text
    bad_filter = subscribe(client, phase="<script>x</script>")
    assert bad_filter.status_code == 422 and "unknown trial phase" in bad_filter.text
    assert "<script>" not in bad_filter.text
    client.app.state.mail_settings = None
    off = subscribe(client)
    assert off.status_code == 503 and "not set up to send email" in off.text
    assert catcher.messages == []


def test_trial_page_offers_the_alert_form(setup) -> None:
    client, _, _, _ = setup
    page = client.get("/trials/NCT09990010").text
    assert 'action="/notify/subscribe"' in page and "Small Cell Lung Cancer" in page


def test_search_page_saves_its_filters(setup) -> None:
    client, catcher, settings, db = setup
    page = client.get("/", params={"q": "small cell", "status": "completed", "age": "60"}).text
    form = page[page.index('action="/notify/subscribe"') :]
    assert 'name="status" value="completed"' in form and 'name="age" value="60"' in form
    assert subscribe(client, q="small cell", status="completed", age="60").status_code == 200
    confirm = link_in(body(catcher.wait_for(1)[0]), "confirm")
    assert "status: completed" in body(catcher.messages[0])
    client.post(confirm, data={"csrf_token": csrf(client)})
    store = client.app.state.store
    store.save(sclc_trial("NCT09990050"))  # recruiting: not what this search asks for
    store.save(sclc_trial("NCT09990051", status="COMPLETED"))
    catcher.clear()
    assert "1 digests sent (1 trials)" in run_notify(settings, db)
    text = body(catcher.wait_for(1)[0])
    assert "NCT09990051" in text and "NCT09990050" not in text


def test_huge_and_hostile_subscriptions_are_refused(setup) -> None:
    client, catcher, _, _ = setup
    assert subscribe(client, email="a" * 1_000_000 + "@example.org").status_code == 422
    assert subscribe(client, q="x" * 600).status_code == 422
    assert subscribe(client, within="far").status_code == 422
    assert subscribe(client, sex="<b>other</b>").status_code == 422
    assert catcher.messages == []


def test_one_address_gets_few_confirmation_mails_a_day(setup) -> None:
    client, catcher, _, _ = setup
    codes = [subscribe(client, email="target@example.org").status_code for _ in range(6)]
    assert codes == [200] * 5 + [422]
    assert len(catcher.wait_for(5)) == 5
