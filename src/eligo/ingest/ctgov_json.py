"""ClinicalTrials.gov API v2 JSON: one study, a ``{"studies": [...]}`` page, a list, or NDJSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

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
    error_source,
    phase_codes,
    registry_date,
    sex_code,
    status_code,
    study_type_code,
    text_block,
    unique,
)
from eligo.model import Arm, Contact, GeoPoint, Intervention, Outcome, Site, Source, Trial

FORMAT = "ctgov-json"


def read(document: Document) -> Iterator[Trial | RecordError]:
    if _is_ndjson(document):
        yield from _read_lines(document)
        return
    try:
        data = json.loads(document.read())
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and _first_line_is_object(document):
            yield from _read_lines(document)  # NDJSON whose first line is longer than the head
        else:
            yield RecordError(f"JSON cannot be parsed: {error}", source=document.name)
        return
    except (ValueError, UnicodeDecodeError) as error:
        yield RecordError(f"JSON cannot be parsed: {error}", source=document.name)
        return
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        studies, locator = data["studies"], "study {}"
    elif isinstance(data, list):
        studies, locator = data, "item {}"
    else:
        studies, locator = [data], ""
    for index, study in enumerate(studies, start=1):
        source = Source(format=FORMAT, path=document.name,
                        locator=locator.format(index) if locator else None)
        yield study_trial(study, source)


def _is_ndjson(document: Document) -> bool:
    """One complete JSON object on the first line, and more lines after it."""
    lines = document.head.lstrip(b"\xef\xbb\xbf").splitlines()
    if len(lines) < 2:
        return False
    try:
        first = json.loads(lines[0])
    except ValueError:
        return False
    return isinstance(first, dict) and any(line.strip() for line in lines[1:])


def _first_line_is_object(document: Document) -> bool:
    for _, line in document.lines():
        try:
            return isinstance(json.loads(line), dict)
        except ValueError:
            return False
    return False


def _read_lines(document: Document) -> Iterator[Trial | RecordError]:
    for number, line in document.lines():
        if not line.strip():
            continue
        source = Source(format=FORMAT, path=document.name, locator=f"line {number}")
        try:
            study = json.loads(line)
        except (ValueError, UnicodeDecodeError) as error:
            guessed = re.search(rb'"nctId"\s*:\s*"(NCT\d{8})"', line)
            yield RecordError(f"JSON cannot be parsed: {error}", source=error_source(source),
                              record_id=guessed.group(1).decode() if guessed else None)
            continue
        yield study_trial(study, source)


def study_trial(study: Any, source: Source) -> Trial | RecordError:
    """One API v2 study object as a Trial, or the error that stops it."""
    protocol = study.get("protocolSection") if isinstance(study, dict) else None
    if not isinstance(protocol, dict):
        return RecordError("JSON object is not a ClinicalTrials.gov study",
                           source=error_source(source), field="protocolSection")
    record_id = _get(protocol, "identificationModule", "nctId")
    record_id = record_id if isinstance(record_id, str) else None
    return assemble(lambda: protocol_fields(protocol), source, record_id)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _str(data: Any, *keys: str) -> str | None:
    value = _get(data, *keys)
    if value is None or isinstance(value, (dict, list)):
        return None
    return clean(str(value))


def _list(data: Any, *keys: str) -> list[Any]:
    value = _get(data, *keys)
    return value if isinstance(value, list) else []


def _strings(data: Any, *keys: str) -> list[str]:
    return unique([clean(str(v)) for v in _list(data, *keys) if isinstance(v, (str, int, float))])


def protocol_fields(protocol: dict[str, Any]) -> dict[str, Any]:
    """The Trial fields of an API v2 ``protocolSection``."""
    ident = protocol.get("identificationModule") or {}
    status = protocol.get("statusModule") or {}
    design = protocol.get("designModule") or {}
    sponsors = protocol.get("sponsorCollaboratorsModule") or {}
    text = protocol.get("descriptionModule") or {}
    nct_id = _str(ident, "nctId")
    ids = [_str(ident, "orgStudyIdInfo", "id"),
           *[_str(i, "id") for i in _list(ident, "secondaryIdInfos")],
           *_strings(ident, "nctIdAliases")]
    return {
        "trial_id": nct_id,
        "secondary_ids": [i for i in unique(ids) if i != nct_id],
        "brief_title": _str(ident, "briefTitle"),
        "official_title": _str(ident, "officialTitle"),
        "acronym": _str(ident, "acronym"),
        "status": convert("overallStatus", status_code, _str(status, "overallStatus")),
        "phases": [code for p in _strings(design, "phases") for code in phase_codes(p)],
        "study_type": convert("studyType", study_type_code, _str(design, "studyType")),
        "conditions": _strings(protocol, "conditionsModule", "conditions"),
        "keywords": _strings(protocol, "conditionsModule", "keywords"),
        **_arms_and_interventions(protocol.get("armsInterventionsModule") or {}),
        "outcomes": _outcomes(protocol.get("outcomesModule") or {}),
        **_eligibility(protocol.get("eligibilityModule") or {}),
        "brief_summary": text_block(_get(text, "briefSummary")),
        "detailed_description": text_block(_get(text, "detailedDescription")),
        "sponsor": _str(sponsors, "leadSponsor", "name"),
        "collaborators": unique([_str(c, "name") for c in _list(sponsors, "collaborators")]),
        "contacts": _study_contacts(protocol.get("contactsLocationsModule") or {}),
        "sites": [_site(node) for node in _list(protocol, "contactsLocationsModule", "locations")],
        "enrollment": convert("enrollmentInfo.count", count,
                              _str(design, "enrollmentInfo", "count")),
        "start_date": _date(status, "startDateStruct"),
        "completion_date": _date(status, "completionDateStruct"),
        "first_posted": _date(status, "studyFirstPostDateStruct"),
        "last_updated": _date(status, "lastUpdatePostDateStruct"),
    }


def _date(status: dict[str, Any], key: str) -> Any:
    return convert(f"{key}.date", registry_date, _str(status, key, "date"))


def _eligibility(module: dict[str, Any]) -> dict[str, Any]:
    healthy = _get(module, "healthyVolunteers")
    return {
        "eligibility_text": text_block(_get(module, "eligibilityCriteria")),
        "minimum_age": convert("minimumAge", age_years, _str(module, "minimumAge")),
        "maximum_age": convert("maximumAge", age_years, _str(module, "maximumAge")),
        "sex": convert("sex", sex_code, _str(module, "sex")) or "all",
        "healthy_volunteers": healthy if isinstance(healthy, bool) else None,
    }


def _arms_and_interventions(module: dict[str, Any]) -> dict[str, Any]:
    interventions = []
    for node in _list(module, "interventions"):
        name = _str(node, "name")
        if not name:
            raise FieldError("interventions.name", "intervention without a name")
        kind = _str(node, "type")
        interventions.append(Intervention(
            type=enum_code(kind) if kind else None, name=name,
            description=text_block(_get(node, "description")),
            arm_labels=_strings(node, "armGroupLabels"), other_names=_strings(node, "otherNames")))
    known = {i.name for i in interventions}
    arms = []
    for node in _list(module, "armGroups"):
        label = _str(node, "label")
        if not label:
            raise FieldError("armGroups.label", "arm group without a label")
        kind = _str(node, "type")
        arms.append(Arm(label=label, type=enum_code(kind) if kind else None,
                        description=text_block(_get(node, "description")),
                        interventions=[_plain_name(n, known)
                                       for n in _strings(node, "interventionNames")]))
    return {"interventions": interventions, "arms": arms}


def _plain_name(name: str, known: set[str]) -> str:
    """"Drug: Palbociclib" → "Palbociclib" when that is an intervention of the study."""
    _, sep, rest = name.partition(": ")
    return rest if sep and rest in known else name


def _outcomes(module: dict[str, Any]) -> list[Outcome]:
    outcomes = []
    for kind in ("primary", "secondary", "other"):
        for node in _list(module, f"{kind}Outcomes"):
            measure = _str(node, "measure")
            if not measure:
                raise FieldError(f"{kind}Outcomes.measure", "outcome without a measure")
            outcomes.append(Outcome(kind=kind, measure=measure,  # type: ignore[arg-type]
                                    description=text_block(_get(node, "description")),
                                    time_frame=_str(node, "timeFrame")))
    return outcomes


def _study_contacts(module: Any) -> list[Contact]:
    contacts = [_person(person, "central") for person in _list(module, "centralContacts")]
    contacts += [_person(person, "official") for person in _list(module, "overallOfficials")]
    return [c for c in contacts if c.name or c.phone or c.email]


def _person(person: Any, default_role: str) -> Contact:
    role = _str(person, "role")
    phone, extension = _str(person, "phone"), _str(person, "phoneExt")
    return Contact(name=_str(person, "name"), role=role.lower() if role else default_role,
                   phone=f"{phone} ext. {extension}" if phone and extension else phone,
                   email=_str(person, "email"))


def _site(node: Any) -> Site:
    contacts: list[Contact] = []
    for person in _list(node, "contacts"):
        role = _str(person, "role") or "CONTACT"
        if role == "CONTACT":  # API v2 lists the legacy primary contact first, then the backup
            role = "backup" if any(c.role == "primary" for c in contacts) else "primary"
        phone, extension = _str(person, "phone"), _str(person, "phoneExt")
        contacts.append(Contact(name=_str(person, "name"), role=role.lower(),
                                phone=f"{phone} ext. {extension}" if phone and extension else phone,
                                email=_str(person, "email")))
    lat, lon = _get(node, "geoPoint", "lat"), _get(node, "geoPoint", "lon")
    geo = None
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
        geo = GeoPoint(lat=float(lat), lon=float(lon))
    return Site(facility=_str(node, "facility"), city=_str(node, "city"),
                state=_str(node, "state"), zip=_str(node, "zip"), country=_str(node, "country"),
                status=convert("locations.status", status_code, _str(node, "status")),
                contacts=contacts, geo=geo)
