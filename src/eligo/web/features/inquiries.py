"""Contacting a trial's study centre: the form's checks, the nearest site, the stored inquiry,
and the two messages (one to the site, a copy to the person).

The site is the one nearest to the place the person gives (city or US ZIP code, located offline
by :mod:`eligo.finder.places`), else the first recruiting site, else the first site. Its contact
address is the site contact's, else the trial's central contact's.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine, insert, update

from eligo.model import Contact, Site, Trial
from eligo.web.features import mail
from eligo.web.features.tables import inquiries

MAX_NAME = 100
MAX_LANGUAGE = 60
MAX_PLACE = 200


class Place(Protocol):
    lat: float
    lon: float


class Locator(Protocol):
    """What :class:`eligo.finder.places.Gazetteer` offers and this module uses."""

    def locate(self, text: str) -> Place | None: ...
    def site_place(self, site: Site) -> Place | None: ...
    def country(self, text: str | None) -> str | None: ...


@dataclass(frozen=True)
class ContactRequest:
    """A contact form as checked: names plain, email normalised, phone in E.164."""

    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    place: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _clean_name(label: str, value: str, limit: int, problems: dict[str, str]) -> str:
    text = value.strip()
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        problems[label] = "may not contain line breaks or control characters"
    elif len(text) > limit:
        problems[label] = f"is too long (at most {limit} characters)"
    return text


def check_contact_form(
    fields: dict[str, str], region: str | None
) -> tuple[ContactRequest | None, dict[str, str]]:
    """The checked request, or None with a message per field (keyed by the field's name)."""
    problems: dict[str, str] = {}
    first = _clean_name("first_name", fields.get("first_name", ""), MAX_NAME, problems)
    last = _clean_name("last_name", fields.get("last_name", ""), MAX_NAME, problems)
    language = _clean_name("language", fields.get("language", ""), MAX_LANGUAGE, problems)
    place = _clean_name("place", fields.get("place", ""), MAX_PLACE, problems)
    for name, value in (("first_name", first), ("last_name", last)):
        if not value and name not in problems:
            problems[name] = "is required"
    email = _checked_email(fields.get("email", ""), problems)
    phone = _checked_phone(fields.get("phone", ""), region, problems)
    if fields.get("consent") not in ("yes", "on", "true", "1"):
        problems["consent"] = "is needed: tick the box to let the study team contact you"
    if problems:
        return None, problems
    return ContactRequest(first, last, email, phone, language, place), {}


def _checked_email(value: str, problems: dict[str, str]) -> str:
    text = value.strip()
    if not text:
        problems["email"] = "is required"
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        problems["email"] = f"is not a valid address ({error})"
        return ""


def _checked_phone(value: str, region: str | None, problems: dict[str, str]) -> str:
    text = value.strip()
    if not text:
        problems["phone"] = "is required"
        return ""
    if len(text) > 40:
        problems["phone"] = "is too long"
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        hint = "" if text.startswith("+") else " (add the country code, e.g. +33)"
        problems["phone"] = f"is not a phone number we can read{hint}"
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- the site -----------------------------------------------------------------------------


def _distance2(a: Place, b: Place) -> float:
    # Ordering only: squared degrees with longitude scaled is enough to pick the nearest.
    from math import cos, radians

    scale = cos(radians((a.lat + b.lat) / 2))
    return (a.lat - b.lat) ** 2 + ((a.lon - b.lon) * scale) ** 2


def nearest_site(trial: Trial, place: str, locator: Locator | None) -> Site | None:
    """The site nearest ``place``; else the first recruiting site; else the first site."""
    sites = trial.sites
    if not sites:
        return None
    origin = locator.locate(place) if locator and place else None
    if origin is not None and locator is not None:
        located = [(site, locator.site_place(site)) for site in sites]
        known = [(site, spot) for site, spot in located if spot is not None]
        if known:
            return min(known, key=lambda pair: _distance2(origin, pair[1]))[0]
    recruiting = [site for site in sites if (site.status or "").upper() == "RECRUITING"]
    return (recruiting or sites)[0]


def site_name(trial: Trial, site: Site | None) -> str:
    if site is None:
        return trial.sponsor or "the study team"
    parts = [site.facility or "the study centre", site.city]
    return ", ".join(part for part in parts if part)


def site_recipient(trial: Trial, site: Site | None) -> Contact | None:
    """The contact with an email address: the site's first, else the trial's central one."""
    for contact in site.contacts if site else []:
        if contact.email:
            return contact
    central = sorted(trial.contacts, key=lambda c: (c.role or "") != "central")
    return next((contact for contact in central if contact.email), None)


def phone_region(trial: Trial, site: Site | None, locator: Locator | None) -> str | None:
    """The country whose phone numbers a local number is read as: the site's."""
    if locator is None:
        return None
    country = site.country if site else next((s.country for s in trial.sites if s.country), None)
    return locator.country(country)


# -- storage and messages -----------------------------------------------------------------


class Inquiries:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self, trial: Trial, site: Site | None, recipient: Contact | None, person: ContactRequest
    ) -> int:
        now = datetime.now(UTC)
        row = {
            "created_at": now,
            "trial_id": trial.trial_id,
            "site_name": site_name(trial, site),
            "site_country": site.country if site else None,
            "recipient": recipient.email if recipient else None,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "language": person.language or None,
            "place": person.place or None,
            "consent_at": now,
            "mail_status": "pending",
        }
        with self.engine.begin() as connection:
            key = connection.execute(insert(inquiries).values(**row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def set_status(self, inquiry_id: int, status: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(inquiries).where(inquiries.c.id == inquiry_id).values(mail_status=status)
            )


def inquiry_text(trial: Trial, where: str, person: ContactRequest, page_url: str) -> str:
    return (
        f"A person would like to hear about the trial {trial.trial_id} at {where}.\n\n"
        f"Trial: {trial.title}\n"
        f"Trial ID: {trial.trial_id}\n"
        f"Page: {page_url}\n\n"
        f"First name: {person.first_name}\n"
        f"Last name: {person.last_name}\n"
        f"Email: {person.email}\n"
        f"Phone: {person.phone}\n"
        f"Preferred language: {person.language or 'not given'}\n"
        f"Place given: {person.place or 'not given'}\n\n"
        "The person agreed to be contacted about this trial. Reply to this email to reach them.\n"
    )


def inquiry_messages(
    settings: mail.MailSettings,
    trial: Trial,
    where: str,
    recipient: Contact,
    person: ContactRequest,
    page_url: str,
) -> tuple[EmailMessage, EmailMessage]:
    """The message to the site (Reply-To: the person) and the person's copy."""
    assert recipient.email is not None
    body = inquiry_text(trial, where, person, page_url)
    person_address = mail.address(person.email, person.full_name)
    # The record's contact name is untrusted text: one line of it, or none.
    site_person = " ".join((recipient.name or "").split())[:MAX_NAME]
    to_site = mail.compose(
        sender=settings.from_address,
        to=[mail.address(recipient.email.strip(), site_person)],
        subject=f"Trial {trial.trial_id}: contact request from {person.full_name}",
        text=body,
        reply_to=person_address,
    )
    copy = mail.compose(
        sender=settings.from_address,
        to=[person_address],
        subject=f"Your message about trial {trial.trial_id}",
        text=(
            f"Hello {person.first_name},\n\nThis is a copy of what we sent to the research team at "
            f"{where}. They may contact you by email or phone.\n\n---\n\n{body}"
        ),
    )
    return to_site, copy
