"""ClinicalTrials.gov legacy XML (``<clinical_study>``, schema public.xsd): one record per file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from eligo.errors import RecordError
from eligo.ingest.document import Document
from eligo.ingest.normalise import (
    FieldError,
    age_years,
    assemble,
    clean,
    convert,
    count,
    enum_code,
    healthy_volunteers,
    phase_codes,
    registry_date,
    sex_code,
    status_code,
    study_type_code,
    text_block,
    unique,
)
from eligo.model import Arm, Contact, GeoPoint, Intervention, Outcome, Site, Source, Trial

FORMAT = "ctgov-xml"

_NCT_ID = re.compile(rb"<nct_id>\s*(NCT\d{8})\s*</nct_id>")


def _parser() -> etree.XMLParser:
    # Registry files are untrusted: no entity expansion, no DTD or network fetches.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           remove_comments=True, remove_pis=True, huge_tree=False)


def read(document: Document) -> Iterator[Trial | RecordError]:
    source = Source(format=FORMAT, path=document.name)
    data = document.read()
    guessed = _NCT_ID.search(data)
    record_id = guessed.group(1).decode() if guessed else None
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        yield RecordError(f"XML cannot be parsed: {error}", source=document.name,
                          record_id=record_id)
        return
    if root.tag != "clinical_study":
        yield RecordError(f"root element is <{root.tag}>, not <clinical_study>",
                          source=document.name, record_id=record_id, field="clinical_study")
        return
    yield assemble(lambda: study_fields(root), source, record_id)


def _text(node: Any, path: str) -> str | None:
    found = node.find(path)
    return clean(found.text) if found is not None and found.text else None


def _texts(node: Any, path: str) -> list[str]:
    return unique([clean(found.text) for found in node.findall(path)])


def _block(node: Any, path: str) -> str | None:
    found = node.find(path)
    return text_block(found.text) if found is not None else None


def study_fields(root: Any) -> dict[str, Any]:
    """The Trial fields of one ``<clinical_study>`` element."""
    nct_id = _text(root, "id_info/nct_id")
    ids = [_text(root, "id_info/org_study_id"), *_texts(root, "id_info/secondary_id"),
           *_texts(root, "id_info/nct_alias")]
    phase = _text(root, "phase")
    return {
        "trial_id": nct_id,
        "secondary_ids": [i for i in unique(ids) if i != nct_id],
        "brief_title": _text(root, "brief_title"),
        "official_title": _text(root, "official_title"),
        "acronym": _text(root, "acronym"),
        "status": convert("overall_status", status_code, _text(root, "overall_status")),
        "phases": phase_codes(phase) if phase else [],
        "study_type": convert("study_type", study_type_code, _text(root, "study_type")),
        "conditions": _texts(root, "condition"),
        "keywords": _texts(root, "keyword"),
        "interventions": [_intervention(node) for node in root.findall("intervention")],
        "arms": _arms(root),
        "outcomes": _outcomes(root),
        **_eligibility(root),
        "brief_summary": _block(root, "brief_summary/textblock"),
        "detailed_description": _block(root, "detailed_description/textblock"),
        "sponsor": _text(root, "sponsors/lead_sponsor/agency"),
        "collaborators": _texts(root, "sponsors/collaborator/agency"),
        "contacts": _study_contacts(root),
        "sites": [_site(node) for node in root.findall("location")],
        "enrollment": convert("enrollment", count, _text(root, "enrollment")),
        "start_date": convert("start_date", registry_date, _text(root, "start_date")),
        "completion_date": convert("completion_date", registry_date,
                                   _text(root, "completion_date")),
        "first_posted": convert("study_first_posted", registry_date,
                                _text(root, "study_first_posted")
                                or _text(root, "study_first_submitted")),
        "last_updated": convert("last_update_posted", registry_date,
                                _text(root, "last_update_posted")
                                or _text(root, "last_update_submitted")),
    }


def _eligibility(root: Any) -> dict[str, Any]:
    node = root.find("eligibility")
    if node is None:
        return {}
    gender = convert("eligibility/gender", sex_code, _text(node, "gender"))
    return {
        "eligibility_text": _block(node, "criteria/textblock"),
        "minimum_age": convert("eligibility/minimum_age", age_years, _text(node, "minimum_age")),
        "maximum_age": convert("eligibility/maximum_age", age_years, _text(node, "maximum_age")),
        "sex": gender or "all",
        "healthy_volunteers": convert("eligibility/healthy_volunteers", healthy_volunteers,
                                      _text(node, "healthy_volunteers")),
    }


def _intervention(node: Any) -> Intervention:
    name = _text(node, "intervention_name")
    if not name:
        raise FieldError("intervention/intervention_name", "intervention without a name")
    kind = _text(node, "intervention_type")
    return Intervention(
        type=enum_code(kind) if kind else None,
        name=name,
        description=_block(node, "description"),
        arm_labels=_texts(node, "arm_group_label"),
        other_names=_texts(node, "other_name"),
    )


def _arms(root: Any) -> list[Arm]:
    arms = []
    for node in root.findall("arm_group"):
        label = _text(node, "arm_group_label")
        if not label:
            raise FieldError("arm_group/arm_group_label", "arm group without a label")
        kind = _text(node, "arm_group_type")
        names = [_text(i, "intervention_name") for i in root.findall("intervention")
                 if label in _texts(i, "arm_group_label")]
        arms.append(Arm(label=label, type=enum_code(kind) if kind else None,
                        description=_block(node, "description"), interventions=unique(names)))
    return arms


def _outcomes(root: Any) -> list[Outcome]:
    outcomes = []
    for kind in ("primary", "secondary", "other"):
        for node in root.findall(f"{kind}_outcome"):
            measure = _text(node, "measure")
            if not measure:
                raise FieldError(f"{kind}_outcome/measure", "outcome without a measure")
            outcomes.append(Outcome(kind=kind, measure=measure,  # type: ignore[arg-type]
                                    description=_block(node, "description"),
                                    time_frame=_text(node, "time_frame")))
    return outcomes


def _site(node: Any) -> Site:
    address = node.find("facility/address")
    where = address if address is not None else node
    status = _text(node, "status")
    contacts = [_contact(c, "primary") for c in node.findall("contact")]
    contacts += [_contact(c, "backup") for c in node.findall("contact_backup")]
    for person in node.findall("investigator"):
        role = _text(person, "role")
        contacts.append(_contact(person, enum_code(role).lower() if role else "investigator"))
    return Site(
        facility=_text(node, "facility/name"),
        city=_text(where, "city"),
        state=_text(where, "state"),
        zip=_text(where, "zip"),
        country=_text(where, "country"),
        status=convert("location/status", status_code, status),
        contacts=[c for c in contacts if c.name or c.phone or c.email],
        geo=_geo(node),
    )


def _study_contacts(root: Any) -> list[Contact]:
    contacts = [_contact(c, "central") for c in root.findall("overall_contact")]
    contacts += [_contact(c, "central_backup") for c in root.findall("overall_contact_backup")]
    for person in root.findall("overall_official"):
        role = _text(person, "role")
        contacts.append(_contact(person, enum_code(role).lower() if role else "official"))
    return [c for c in contacts if c.name or c.phone or c.email]


def _contact(node: Any, role: str) -> Contact:
    name = " ".join(part for part in (_text(node, "first_name"), _text(node, "middle_name"),
                                      _text(node, "last_name")) if part)
    phone, extension = _text(node, "phone"), _text(node, "phone_ext")
    if phone and extension:
        phone = f"{phone} ext. {extension}"
    return Contact(name=name or None, role=role, phone=phone, email=_text(node, "email"))


def _geo(node: Any) -> GeoPoint | None:
    """The legacy schema has no coordinates; some exports add ``geo_point`` (lat/lon) anyway."""
    point = node.find(".//geo_point")
    if point is None:
        return None
    lat = _text(point, "latitude") or _text(point, "lat")
    lon = _text(point, "longitude") or _text(point, "lon")
    if lat is None or lon is None:
        return None
    try:
        return GeoPoint(lat=float(lat), lon=float(lon))
    except ValueError:
        message = f"cannot read coordinates {lat!r}, {lon!r}"
        raise FieldError("location/geo_point", message) from None

