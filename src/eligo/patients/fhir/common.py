"""Reading FHIR values defensively: every malformed field becomes a warning, never an exception.

Resources are read from their raw JSON (after ``fhir.resources`` has said what is wrong with
them), so a resource that fails validation in one field still gives the fields that are fine.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eligo.model.patient import Coding, FactSource, RecordWarning
from eligo.patients.tables import load

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass
class Resource:
    """One bundle entry's resource, with what eligo made of its profile."""

    raw: dict[str, Any]
    type: str
    id: str | None
    index: int  # position in the bundle
    roles: set[str] = field(default_factory=set)  # from meta.profile (fhir.yaml "profiles")
    full_url: str | None = None

    def keys(self) -> set[str]:
        """Every string a reference to this resource may use: id, fullUrl, identifiers."""
        found = {k for k in (self.id, self.full_url) if k}
        for ident in self.raw.get("identifier") or []:
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                found.add(ident["value"])
        return found | {re.split(r"[/:#]", k)[-1] for k in found}

    @property
    def label(self) -> str:
        return f"{self.type}/{self.id}" if self.id else f"{self.type} (entry {self.index})"


@dataclass
class Pending:
    """A fact that belongs to a cancer condition, attached once every resource is read."""

    what: str  # "stage", "metastatic_site", "histology", "grade", "body_site"
    value: Any
    targets: set[str]  # ids of the conditions the record links it to (may be empty)
    res: Resource


@dataclass
class Context:
    """What a bundle read shares: the file name, the warnings so far and the facts read."""

    file: str | None = None
    warnings: list[RecordWarning] = field(default_factory=list)
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    report_dates: dict[int, dt.date] = field(default_factory=dict)  # entry index → date
    facts: dict[str, list[Any]] = field(default_factory=dict)  # Patient field → facts
    condition_ids: dict[int, str] = field(default_factory=dict)  # id(Condition) → resource id
    pending: list[Pending] = field(default_factory=list)
    documented: set[str] = field(default_factory=set)

    def add(self, domain: str, fact: Any) -> None:
        self.facts.setdefault(domain, []).append(fact)

    def warn(self, resource: Resource | str, field_name: str, message: str) -> None:
        label = resource.label if isinstance(resource, Resource) else resource
        for w in self.warnings:
            if (w.resource, w.field) == (label, field_name) and w.message == message:
                return
        self.warnings.append(
            RecordWarning(resource=label, field=field_name, message=message, file=self.file)
        )

    def source(self, res: Resource, field_name: str | None = None) -> FactSource:
        return FactSource(
            adapter="fhir",
            file=self.file,
            resource_type=res.type,
            resource_id=res.id,
            field=field_name,
        )


@cache
def _systems() -> dict[str, str]:
    return {k.lower().rstrip("/"): v for k, v in load("fhir")["systems"].items()}


def short_system(uri: str | None) -> str:
    if not uri:
        return "unknown"
    return _systems().get(uri.lower().rstrip("/"), uri)


def codings(cc: Any) -> list[Coding]:
    """The codings of a CodeableConcept (or a bare Coding), tolerating missing parts."""
    if not isinstance(cc, dict):
        return []
    raw = cc.get("coding") if "coding" in cc else [cc] if "code" in cc else []
    found = []
    for c in raw if isinstance(raw, list) else []:
        if isinstance(c, dict) and c.get("code") not in (None, ""):
            display = c.get("display") if isinstance(c.get("display"), str) else None
            found.append(
                Coding(system=short_system(c.get("system")), code=str(c["code"]), display=display)
            )
    return found


def concept_text(cc: Any) -> str | None:
    """A CodeableConcept's text, else its first display."""
    if not isinstance(cc, dict):
        return None
    if isinstance(cc.get("text"), str) and cc["text"].strip():
        return html.unescape(cc["text"].strip())
    for c in codings(cc):
        if c.display:
            return html.unescape(c.display)
    return None


def first_of(cc_list: Any) -> dict[str, Any] | None:
    """FHIR often repeats a CodeableConcept; records also put a single one where a list goes."""
    if isinstance(cc_list, list):
        return cc_list[0] if cc_list and isinstance(cc_list[0], dict) else None
    return cc_list if isinstance(cc_list, dict) else None


def parse_date(ctx: Context, res: Resource, field_name: str, value: Any) -> dt.date | None:
    """A FHIR date/dateTime/instant as a calendar date ("2019-04" → 2019-04-01); the local date
    of a dateTime, ignoring its time zone (records speak of days)."""
    if value is None:
        return None
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        ctx.warn(res, field_name, f"not a FHIR date: {value!r}")
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        ctx.warn(res, field_name, f"not a calendar date: {value!r}")
        return None


def period(ctx: Context, res: Resource, prefix: str) -> tuple[dt.date | None, dt.date | None]:
    """``<prefix>DateTime`` / ``<prefix>Period`` / ``<prefix>Instant`` as (start, end)."""
    raw = res.raw
    if f"{prefix}Period" in raw:
        p = raw[f"{prefix}Period"]
        if not isinstance(p, dict):
            ctx.warn(res, f"{prefix}Period", "not a Period")
            return None, None
        start = parse_date(ctx, res, f"{prefix}Period.start", p.get("start"))
        end = parse_date(ctx, res, f"{prefix}Period.end", p.get("end"))
        return start, end
    for suffix in ("DateTime", "Instant", "Date"):
        if f"{prefix}{suffix}" in raw:
            day = parse_date(ctx, res, f"{prefix}{suffix}", raw[f"{prefix}{suffix}"])
            return day, day
    return None, None


def reference_keys(ref: Any) -> set[str]:
    """Every string a reference may match a resource by (its text, tail and identifier)."""
    if not isinstance(ref, dict):
        return set()
    found = {
        v
        for v in (ref.get("reference"), (ref.get("identifier") or {}).get("value"))
        if isinstance(v, str) and v
    }
    return found | {re.split(r"[/:#]", k)[-1] for k in found}


def reference_id(ref: Any) -> str | None:
    """ "Observation/abc", "urn:uuid:abc" or "#abc" → "abc"."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    return re.split(r"[/:#]", ref["reference"])[-1] or None


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
