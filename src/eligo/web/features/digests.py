"""The mails of the notification service: the confirmation link, and the digests.

``eligo notify`` calls :func:`send_digests` from cron. Every digest carries a signed one-click
unsubscribe link, in the text and in the ``List-Unsubscribe`` / ``List-Unsubscribe-Post``
headers (RFC 8058), so that mail programs can offer their own button.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote

from eligo.store import TrialStore
from eligo.web.features import mail
from eligo.web.features.link_keys import link_key
from eligo.web.features.subscriptions import (
    CONFIRM_DAYS,
    Finder,
    Subscription,
    Subscriptions,
    confirm_token,
    search_finder,
    unsubscribe_token,
)

log = logging.getLogger(__name__)


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def confirm_url(base_url: str, key: bytes, subscription_id: int) -> str:
    return f"{_base(base_url)}/notify/confirm/{confirm_token(key, subscription_id)}"


def unsubscribe_url(base_url: str, key: bytes, subscription_id: int) -> str:
    return f"{_base(base_url)}/notify/unsubscribe/{unsubscribe_token(key, subscription_id)}"


def confirmation_message(
    settings: mail.MailSettings, subscription: Subscription, base_url: str, key: bytes
) -> EmailMessage:
    link = confirm_url(base_url, key, subscription.id)
    text = (
        "Hello,\n\n"
        "Someone (we hope you) asked eligo to email this address when new clinical trials "
        f"match this search: {subscription.search.describe()}.\n\n"
        f"To start these emails, open this link within {CONFIRM_DAYS} days and press "
        f'"Confirm":\n\n  {link}\n\n'
        "If you did not ask for this, ignore this message: nothing will be sent.\n"
    )
    return mail.compose(
        sender=settings.from_address,
        to=[mail.address(subscription.email)],
        subject="Confirm your trial alerts",
        text=text,
    )


def digest_message(
    settings: mail.MailSettings,
    subscription: Subscription,
    lines: list[str],
    base_url: str,
    key: bytes,
) -> EmailMessage:
    leave = unsubscribe_url(base_url, key, subscription.id)
    text = (
        f"Trials matching your search {subscription.search.describe()} that are new, or whose "
        "eligibility criteria changed, since our last message:\n\n"
        + "\n\n".join(lines)
        + "\n\nOnly the study team can confirm whether you can take part; talk to your doctor."
        f"\n\nTo stop these emails: {leave}\n"
    )
    count = len(lines)
    return mail.compose(
        sender=settings.from_address,
        to=[mail.address(subscription.email)],
        subject=f"{count} clinical trial{'s' if count != 1 else ''} for your search",
        text=text,
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _trial_line(store: TrialStore, trial_id: str, why: str, base_url: str) -> str:
    trial = store.get(trial_id)
    title = trial.title if trial else trial_id
    status = trial.status_label if trial else ""
    link = f"{_base(base_url)}/trials/{quote(trial_id, safe='')}"
    return f"* {title}\n  {trial_id} · {status} · {why}\n  {link}"


@dataclass
class DigestReport:
    subscriptions: int = 0
    sent: int = 0
    trials: int = 0
    failed: int = 0


def send_digests(
    store: TrialStore,
    settings: mail.MailSettings,
    base_url: str,
    *,
    finder: Finder | None = None,
) -> DigestReport:
    """Mail each confirmed subscriber what is news to them; a failed send is retried next run."""
    if finder is None:
        from eligo.finder.search import Finder as TrialFinder

        finder = search_finder(TrialFinder(store))
    book = Subscriptions(store.engine, finder)
    key = link_key(store.engine)
    report = DigestReport()
    for subscription in book.active():
        report.subscriptions += 1
        new, changed = book.news(subscription)
        if not new and not changed:
            continue
        lines = [_trial_line(store, t, "new", base_url) for t in new]
        lines += [_trial_line(store, t, "eligibility criteria changed", base_url) for t in changed]
        try:
            mail.send(settings, digest_message(settings, subscription, lines, base_url, key))
        except mail.MailError:
            report.failed += 1
            continue
        book.record_digest(subscription.id, new, changed)
        report.sent += 1
        report.trials += len(lines)
    log.info("digests: %d sent, %d failed", report.sent, report.failed)
    return report
