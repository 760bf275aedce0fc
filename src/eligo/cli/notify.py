"""The ``notify`` command: trial alert digests, to run from cron."""

from __future__ import annotations

import click

from eligo.cli.options import db_option, open_store
from eligo.errors import EligoError
from eligo.web.features.digests import send_digests
from eligo.web.features.mail import MailSettings


@click.command()
@db_option
@click.option(
    "--base-url",
    envvar="ELIGO_PUBLIC_URL",
    metavar="URL",
    required=True,
    help="Address of the web app, which the mailed links start with [env: ELIGO_PUBLIC_URL]",
)
def notify(db_url: str | None, base_url: str) -> None:
    """Email each confirmed subscriber the trials that are new, or whose eligibility changed,
    since their last digest.

    \b
    Mail goes through the SMTP server in ELIGO_SMTP_HOST (with ELIGO_SMTP_PORT, _USER,
    _PASSWORD, _STARTTLS, _SSL and _FROM) and nowhere else. A second run sends nothing new;
    a digest that could not be sent is tried again on the next run. For cron, e.g. daily:
      0 7 * * *  eligo notify --db /srv/eligo.db --base-url https://trials.example.org
    """
    if not base_url.startswith(("http://", "https://")):
        raise EligoError(f"--base-url {base_url!r}: give the app's address, e.g. https://…")
    settings = MailSettings.from_environ()
    if settings is None:
        raise EligoError("no mail server configured: set ELIGO_SMTP_HOST and ELIGO_SMTP_FROM")
    report = send_digests(open_store(db_url), settings, base_url)
    click.echo(
        f"{report.subscriptions} subscriptions, {report.sent} digests sent "
        f"({report.trials} trials), {report.failed} failed"
    )
    if report.failed:
        raise SystemExit(1)


COMMANDS = [notify]
