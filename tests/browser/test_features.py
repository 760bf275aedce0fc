"""The contact form, trial alerts' form and private notes in a real browser, with a real SMTP
server (aiosmtpd) on loopback receiving what the app sends.

With ``ELIGO_SCREENSHOTS=<folder>`` the tests also save screenshots of what they see
(docs/screenshots/features-*.png are the committed ones).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eligo.store import TrialStore
from eligo.web import WebSettings, create_app
from eligo.web.features import contact, private_notes
from test_web_features_contact import demo_trial
from test_web_features_smtp import SmtpCatcher, body, free_port, smtp_settings, start_catcher

TRIAL = "NCT09990001"
PASSCODE = "blue heron 2047"


@pytest.fixture(scope="module")
def feature_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SmtpCatcher]]:
    import uvicorn

    folder: Path = tmp_path_factory.mktemp("features")
    url = f"sqlite:///{folder / 'features.db'}"
    with TrialStore(url) as store:
        store.save(demo_trial())
    catcher, controller = start_catcher()
    app = create_app(url, settings=WebSettings(secret_key="browser-test-key"))
    for limit in (contact.limit, private_notes.passcode_limit, private_notes.write_limit):
        limit.reset()
    port = free_port()
    app.state.mail_settings = smtp_settings(controller)
    app.state.public_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start", pytrace=False)
        time.sleep(0.05)
    yield app.state.public_url, catcher
    server.should_exit = True
    thread.join(timeout=10)
    controller.stop()


def _shot(page: Any, name: str, at: str | None) -> None:
    folder = os.environ.get("ELIGO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = str(Path(folder) / f"features-{name}.png")
        if at is None:
            page.screenshot(path=path)  # the viewport, as the person sees it
        else:
            page.locator(at).screenshot(path=path)


def _watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_contact_form_mail_arrives(feature_server, browser: Any) -> None:
    base, catcher = feature_server
    catcher.clear()
    context = browser.new_context()
    page = context.new_page()
    errors = _watch(page)
    page.goto(f"{base}/trials/{TRIAL}")
    page.fill("#contact-first_name", "Zoë")
    page.fill("#contact-last_name", "Ünal")
    page.fill("#contact-email", "zoe@example.org")
    page.fill("#contact-phone", "+33 1 42 11 42 11")
    page.fill("#contact-language", "French")
    page.fill("#contact-place", "Paris")
    page.check("#contact-consent")
    _shot(page, "contact-form", ".feature.contact")
    page.click(".contact-form button[type=submit]")
    page.wait_for_selector(".confirmation")
    _shot(page, "contact-sent", "main")
    text = " ".join(page.inner_text(".confirmation").split())
    assert text == (
        "We have submitted the contact information you provided to the research team at "
        "Gustave Roussy, Villejuif. A copy of the message has been sent to your email for your "
        "records."
    )
    to_site, copy = catcher.wait_for(2)
    assert catcher.envelopes[0][1] == ["site-fr@example.org"]
    assert catcher.envelopes[1][1] == ["zoe@example.org"]
    assert to_site["Subject"] == f"Trial {TRIAL}: contact request from Zoë Ünal"
    assert "+33142114211" in body(to_site) and TRIAL in body(copy)
    assert not errors, errors
    context.close()


def test_contact_form_without_consent_is_refused(feature_server, browser: Any) -> None:
    base, catcher = feature_server
    catcher.clear()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/trials/{TRIAL}")
    page.fill("#contact-first_name", "Ana")
    page.fill("#contact-last_name", "<script>alert(1)</script>")
    page.fill("#contact-email", "ana@example.org")
    page.fill("#contact-phone", "+33 1 42 11 42 11")
    page.click(".contact-form button[type=submit]")
    page.wait_for_selector(".problems")
    assert "Consent is needed" in page.inner_text(".problems")
    assert page.input_value("#contact-last_name") == "<script>alert(1)</script>"
    time.sleep(0.2)
    assert catcher.messages == []
    context.close()


def _add_note(page: Any, text: str) -> None:
    page.click("article.trial h1", click_count=3)  # select the title, as a person would
    page.wait_for_selector(".note-add:visible")
    _shot(page, "note-selection", None)
    page.click(".note-add")
    page.wait_for_selector(".note-form:visible")
    assert "Tarlatamab after chemotherapy" in page.inner_text(".note-quote")
    page.fill("#note-body", text)
    page.click(".note-form button[type=submit]")
    page.wait_for_selector(f".notes-list li:has-text('{text}')")


def _try(page: Any, passcode: str) -> str:
    page.fill("#passcode", passcode)
    page.click(".passcode-form button[type=submit]")
    page.wait_for_load_state()
    return " ".join(page.inner_text("main").split())


def test_note_share_passcode_lock_out(feature_server, browser: Any) -> None:
    base, _ = feature_server
    owner = browser.new_context()
    page = owner.new_page()
    errors = _watch(page)
    page.goto(f"{base}/trials/{TRIAL}")
    _add_note(page, "Ask Dr Martin about the washout")
    page.reload()  # the note stays, for this browser's key
    page.wait_for_selector(".notes-list li:has-text('Ask Dr Martin about the washout')")
    page.click(".notes-list .note-show")  # its position finds the passage again
    assert page.evaluate("window.getSelection().toString().trim()") == (
        "Tarlatamab after chemotherapy"
    )
    # Keyboard users: a selection, then the panel's own button (reached with Tab) and Enter.
    page.evaluate(
        """() => {
            const text = document.querySelector("article.trial section p");
            const range = document.createRange();
            range.selectNodeContents(text);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    page.focus(".note-from-selection")
    page.keyboard.press("Enter")
    page.wait_for_selector(".note-form:visible")
    page.keyboard.type("Second note, typed")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notes-list li:has-text('Second note, typed')")
    page.fill("#share-passcode", PASSCODE)
    page.click(".share-form button[type=submit]")
    page.wait_for_selector(".share-link:visible")
    _shot(page, "notes", "#notes")
    link = page.get_attribute(".share-link", "href")
    assert link and link.startswith(f"{base}/notes/shared/")
    assert not errors, errors

    stranger = browser.new_context()  # no key: the notes list of this browser is empty
    other = stranger.new_page()
    other.goto(f"{base}/trials/{TRIAL}")
    other.wait_for_timeout(300)
    assert other.locator(".notes-list li").count() == 0

    other.goto(link)
    assert other.locator("#passcode").is_visible()
    assert "That passcode is not right. 4 more attempts" in _try(other, "guess one")
    _shot(other, "shared-passcode", "main")
    shown = _try(other, PASSCODE)
    _shot(other, "shared-notes", "main")
    assert "Ask Dr Martin about the washout" in shown and "Tarlatamab" in shown
    other.goto(link)
    answers = [_try(other, f"wrong guess {i}") for i in range(5)]
    assert "1 more attempt" in answers[3]
    assert "locked" in answers[4]
    assert "locked" in _try(other, PASSCODE)  # even the right passcode, until the lock ends
    assert "Ask Dr Martin" not in _try(other, PASSCODE)
    stranger.close()

    page.click(".shares-list button")  # the owner withdraws the link
    page.wait_for_selector(".shares-list li:has-text('withdrawn')")
    owner.close()
