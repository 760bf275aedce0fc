"""FHIR R4 ``ResearchStudy``: one resource, or every ResearchStudy of a Bundle (a searchset).

Read as plain JSON. References are followed to contained resources (``#site``) and, in a Bundle, to
other entries (``Location/12`` or their ``fullUrl``): Location → sites, Group → eligibility text,
Organization → sponsor. ``ResearchStudy.location`` holds countries, not sites, and is not mapped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from eligo.errors import RecordError
from eligo.ingest.document import Document
from eligo.ingest.normalise import (
    FieldError,
    assemble,
    clean,
    convert,
    enum_code,
    phase_codes,
    registry_date,
    study_type_code,
    text_block,
    unique,
    vocabulary,
)
from eligo.model import Arm, Contact, GeoPoint, Site, Source, Trial

FORMAT = "fhir"

_NCT_ID = re.compile(r"^NCT\d{8}$")


def read(document: Document) -> Iterator[Trial | RecordError]:
    try:
        data = json.loads(document.read())
    except (ValueError, UnicodeDecodeError) as error:
        yield RecordError(f"JSON cannot be parsed: {error}", source=document.name)
        return
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind == "ResearchStudy":
        yield study_trial(data, {}, Source(format=FORMAT, path=document.name))
    elif kind == "Bundle":
        yield from _read_bundle(data, document.name)
    else:
        yield RecordError(f"FHIR resource is {kind or 'missing'}, not a ResearchStudy or Bundle",
                          source=document.name, field="resourceType")


def _read_bundle(bundle: dict[str, Any], name: str) -> Iterator[Trial | RecordError]:
    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict)]
    index: dict[str, dict[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource")
        if isinstance(resource, dict):
            if entry.get("fullUrl"):
                index[entry["fullUrl"]] = resource
            if resource.get("resourceType") and resource.get("id"):
                index[f"{resource['resourceType']}/{resource['id']}"] = resource
    studies = 0
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") == "ResearchStudy":
            studies += 1
            yield study_trial(resource, index,
                              Source(format=FORMAT, path=name, locator=f"entry {number}"))
    if studies == 0:
        yield RecordError("Bundle holds no ResearchStudy", source=name, field="entry")


def study_trial(study: dict[str, Any], bundle: dict[str, dict[str, Any]],
                source: Source) -> Trial | RecordError:
    return assemble(lambda: _fields(study, _References(study, bundle)), source,
                    _identifier(study))


class _References:
    """Resolves ``{"reference": ...}`` against the study's contained resources, then the Bundle."""

    def __init__(self, study: dict[str, Any], bundle: dict[str, dict[str, Any]]) -> None:
        self.contained = {f"#{r.get('id')}": r for r in study.get("contained") or []
                          if isinstance(r, dict)}
        self.bundle = bundle

    def resolve(self, reference: Any) -> dict[str, Any] | None:
        target = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(target, str):
            return None
        return self.contained.get(target) or self.bundle.get(target)


def _identifier(study: dict[str, Any]) -> str | None:
    """The NCT id when one is given; else the first identifier value."""
    found = [i.get("value") for i in study.get("identifier") or [] if isinstance(i, dict)]
    values = [v.strip() for v in found if isinstance(v, str) and v.strip()]
    return next((v for v in values if _NCT_ID.match(v)), values[0] if values else None)


def _concept_text(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    return clean(concept.get("text")) or next(
        (clean(c.get("display") or c.get("code")) for c in codings), None)


def _fields(study: dict[str, Any], refs: _References) -> dict[str, Any]:
    period = study.get("period") or {}
    sponsor = refs.resolve(study.get("sponsor"))
    status = study.get("status")
    return {
        "secondary_ids": _other_ids(study),
        "brief_title": clean(study.get("title")),
        "status": convert("status", _status, status if isinstance(status, str) else None),
        "phases": _phases(study.get("phase")),
        "study_type": _study_type(study.get("category") or []),
        "conditions": unique([_concept_text(c) for c in study.get("condition") or []]),
        "keywords": unique([_concept_text(c) for c in study.get("keyword") or []]),
        "arms": [_arm(a) for a in study.get("arm") or [] if isinstance(a, dict)],
        "eligibility_text": _eligibility(study.get("enrollment") or [], refs),
        "brief_summary": text_block(study.get("description")),
        "sponsor": clean((sponsor or {}).get("name"))
        or clean((study.get("sponsor") or {}).get("display")),
        "sites": [_site(refs.resolve(s), s) for s in study.get("site") or []],
        "start_date": convert("period.start", registry_date, period.get("start")),
        "completion_date": convert("period.end", registry_date, period.get("end")),
    }


def _status(code: str) -> str:
    return vocabulary()["fhir_status"].get(code) or enum_code(code)


def _other_ids(study: dict[str, Any]) -> list[str]:
    chosen = _identifier(study)
    values = [i.get("value") for i in study.get("identifier") or [] if isinstance(i, dict)]
    return [v for v in unique([clean(v) for v in values if isinstance(v, str)]) if v != chosen]


def _phases(phase: Any) -> list[str]:
    if not isinstance(phase, dict):
        return []
    table = vocabulary()["fhir_phase"]
    for coding in phase.get("coding") or []:
        code = coding.get("code") if isinstance(coding, dict) else None
        if isinstance(code, str) and code in table:
            return list(table[code])
    label = _concept_text(phase)
    return phase_codes(label) if label else []


def _study_type(categories: list[Any]) -> str | None:
    """Registries exported to FHIR write "Study Type: Interventional" as a category text."""
    for category in categories:
        text = _concept_text(category) or ""
        label = text.split(":", 1)[1] if text.lower().startswith("study type:") else text
        code = study_type_code(label.strip())
        if code in vocabulary()["study_type"].values():
            return code
    return None


def _arm(arm: dict[str, Any]) -> Arm:
    label = clean(arm.get("name"))
    if not label:
        raise FieldError("arm.name", "arm without a name")
    kind = _concept_text(arm.get("type"))
    return Arm(label=label, type=enum_code(kind) if kind else None,
               description=text_block(arm.get("description")))


def _eligibility(enrollment: list[Any], refs: _References) -> str | None:
    """The enrolment Group's criteria: its characteristics when resolvable, else the display."""
    for reference in enrollment:
        group = refs.resolve(reference)
        if group and group.get("characteristic"):
            return _characteristics_text(group["characteristic"])
        if isinstance(reference, dict) and reference.get("display"):
            return text_block(reference["display"])
    return None


def _characteristics_text(characteristics: list[Any]) -> str | None:
    sections: dict[bool, list[str]] = {False: [], True: []}
    for item in characteristics:
        if not isinstance(item, dict):
            continue
        text = _concept_text(item.get("valueCodeableConcept")) or _concept_text(item.get("code"))
        if text:
            sections[bool(item.get("exclude"))].append(f"- {text}")
    parts = []
    for exclude, heading in ((False, "Inclusion Criteria:"), (True, "Exclusion Criteria:")):
        if sections[exclude]:
            parts.append("\n".join([heading, *sections[exclude]]))
    return "\n\n".join(parts) or None


def _site(location: dict[str, Any] | None, reference: Any) -> Site:
    if location is None:  # unresolvable reference: keep what its display says
        return Site(facility=clean((reference or {}).get("display")))
    address = location.get("address") or {}
    position = location.get("position") or {}
    geo = None
    if isinstance(position.get("latitude"), (int, float)) and isinstance(
            position.get("longitude"), (int, float)):
        geo = GeoPoint(lat=float(position["latitude"]), lon=float(position["longitude"]))
    telecom = [t for t in location.get("telecom") or [] if isinstance(t, dict)]
    phone = next((t.get("value") for t in telecom if t.get("system") == "phone"), None)
    email = next((t.get("value") for t in telecom if t.get("system") == "email"), None)
    contacts = [Contact(role="site", phone=phone, email=email)] if phone or email else []
    return Site(facility=clean(location.get("name")), city=clean(address.get("city")),
                state=clean(address.get("state")), zip=clean(address.get("postalCode")),
                country=clean(address.get("country")), contacts=contacts, geo=geo)
