"""A FHIR R4 Bundle → a Patient, resource by resource.

Each resource is checked on its own against the FHIR R4B models of ``fhir.resources``; what is
wrong becomes a warning naming the resource and the field, and the resource is still read from
its raw JSON for the fields that are fine. Only a file that is no bundle at all, or a bundle with
nothing in it, is an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eligo.errors import RecordError
from eligo.model.patient import Condition, Patient, PatientRead, Stage
from eligo.patients.fhir.common import (
    Context,
    Pending,
    Resource,
    parse_date,
    period,
    reference_keys,
)
from eligo.patients.fhir.conditions import fhir_table, read_condition
from eligo.patients.fhir.observations import read_observation
from eligo.patients.fhir.treatments import (
    read_immunization,
    read_medication,
    read_procedure,
    read_research_subject,
)

_READERS = {
    "Condition": read_condition,
    "Observation": read_observation,
    "MedicationStatement": read_medication,
    "MedicationAdministration": read_medication,
    "MedicationRequest": read_medication,
    "Procedure": read_procedure,
    "Immunization": read_immunization,
    "ResearchSubject": read_research_subject,
}
# Read only to resolve references, or for their dates: no fact of their own.
_SUPPORTING = {"Patient", "DiagnosticReport", "Medication", "ResearchStudy"}
_SEX = {"female": "female", "male": "male", "other": "other"}


def read_fhir_bundle(data: dict[str, Any] | str | Path, *, name: str | None = None) -> PatientRead:
    """Read a FHIR R4 Bundle (a parsed dict, JSON text or a path) into a patient and warnings."""
    bundle, file = _load(data, name)
    ctx = Context(file=file)
    resources = _resources(ctx, bundle)
    _validate(ctx, resources)
    for res in resources:
        ctx.resources.setdefault((res.type, res.id or ""), res)
    _report_dates(ctx, resources)
    for res in resources:
        reader = _READERS.get(res.type)
        if reader is not None:
            reader(ctx, res)
    for res in resources:
        if res.type == "DiagnosticReport":
            _report_conclusions(ctx, res)
    patient = _patient(ctx, resources)
    _attach_pending(ctx, patient)
    return PatientRead(patient=patient, warnings=ctx.warnings)


def _load(data: dict[str, Any] | str | Path, name: str | None) -> tuple[dict[str, Any], str]:
    file = name or "bundle"
    if isinstance(data, str) and not data.lstrip().startswith(("{", "[")) and len(data) < 4096:
        data = Path(data)  # a path given as text
    if isinstance(data, Path):
        file = name or str(data)
        try:
            data = data.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RecordError(f"cannot read the file: {error}", source=file) from error
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise RecordError(f"not JSON: {error}", source=file) from error
    if not isinstance(data, dict):
        raise RecordError("not a FHIR resource (a JSON object)", source=file)
    if data.get("resourceType") != "Bundle":
        found = data.get("resourceType")
        raise RecordError(
            f"not a FHIR Bundle (resourceType {found!r})", source=file, field="resourceType"
        )
    if not isinstance(data.get("entry"), list):
        raise RecordError("a Bundle without entries", source=file, field="entry")
    return data, file


def _resources(ctx: Context, bundle: dict[str, Any]) -> list[Resource]:
    found: list[Resource] = []
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for i, entry in enumerate(bundle["entry"]):
        raw = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
            ctx.warn(f"entry[{i}]", "resource", "entry without a resource; skipped")
            continue
        rid = raw.get("id") if isinstance(raw.get("id"), str) else None
        full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
        res = Resource(raw, raw["resourceType"], rid, i, _roles(raw), full_url)
        key = (res.type, rid or f"#{i}")
        if key in seen:
            same = seen[key] == raw
            ctx.warn(
                res,
                "id",
                "duplicate entry; skipped" if same else "another entry has the same id; both read",
            )
            if same:
                continue
        seen[key] = raw
        found.append(res)
    if not found:
        raise RecordError("the Bundle holds no resources", source=ctx.file, field="entry")
    return found


def _roles(raw: dict[str, Any]) -> set[str]:
    profiles = (raw.get("meta") or {}).get("profile") if isinstance(raw.get("meta"), dict) else None
    table = fhir_table("profiles")
    roles = set()
    for url in profiles if isinstance(profiles, list) else []:
        role = table.get(str(url).rstrip("/").rsplit("/", 1)[-1])
        if role:
            roles.add(role)
    return roles


def _validate(ctx: Context, resources: list[Resource]) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    for res in resources:
        if res.type not in _READERS and res.type not in _SUPPORTING:
            continue  # Specimen, Practitioner, Encounter…: not read, not judged
        try:
            get_fhir_model_class(res.type).model_validate(res.raw)
        except (ValueError, TypeError) as error:
            errors = (
                error.errors() if hasattr(error, "errors") else [{"loc": (), "msg": str(error)}]
            )
            for problem in errors:
                ctx.warn(res, _field(problem), _message(problem))


def _field(problem: dict[str, Any]) -> str:
    path = ""
    for part in problem.get("loc", ()):
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    if not path and "value" in str(problem.get("msg", "")):
        return "value[x]"
    return path or "(resource)"


def _message(problem: dict[str, Any]) -> str:
    msg = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
    if "but got multiple" in msg:
        return "more than one value[x]; the first eligo understands is read"
    return msg


def _report_dates(ctx: Context, resources: list[Resource]) -> None:
    """Observations a DiagnosticReport lists (and their members) take its date if they have none."""
    observations = {}
    for res in resources:
        if res.type == "Observation":
            observations.update(dict.fromkeys(res.keys(), res))
    for res in resources:
        if res.type != "DiagnosticReport":
            continue
        day = period(ctx, res, "effective")[0]
        if day is None and res.raw.get("issued"):
            day = parse_date(ctx, res, "issued", res.raw["issued"])
        missing = 0
        stack = [(True, ref) for ref in res.raw.get("result") or []]
        while stack:
            listed, ref = stack.pop()
            obs = next((observations[k] for k in reference_keys(ref) if k in observations), None)
            if obs is None:
                missing += listed
                continue
            if day is not None and obs.index not in ctx.report_dates:
                ctx.report_dates[obs.index] = day
                stack += [(False, m) for m in obs.raw.get("hasMember") or []]
        if missing:
            ctx.warn(res, "result", f"{missing} result(s) not found in the bundle")


def _report_conclusions(ctx: Context, res: Resource) -> None:
    for i, cc in enumerate(res.raw.get("conclusionCode") or []):
        fake = Resource({"code": cc, "resourceType": "Condition"}, res.type, res.id, res.index)
        read_condition(ctx, fake, from_report=True)
        if ctx.facts.get("conditions"):
            ctx.facts["conditions"][-1].source.field = f"conclusionCode[{i}]"


def _patient(ctx: Context, resources: list[Resource]) -> Patient:
    people = [res for res in resources if res.type == "Patient"]
    patient = Patient.model_validate({**ctx.facts, "documented": ctx.documented})
    if not people:
        ctx.warn("Bundle", "entry", "no Patient resource: age and sex unknown")
        return patient
    for extra in people[1:]:
        ctx.warn(extra, "id", f"a second Patient in the bundle; {people[0].label} was read")
    person = people[0]
    patient.id = person.id
    patient.source = ctx.source(person)
    gender = person.raw.get("gender")
    patient.sex = _SEX.get(gender) if isinstance(gender, str) else None  # type: ignore[assignment]
    if gender is None:
        ctx.warn(person, "gender", "missing: sex unknown")
    if "birthDate" in person.raw:
        patient.birth_date = parse_date(ctx, person, "birthDate", person.raw["birthDate"])
    else:
        ctx.warn(person, "birthDate", "missing: age unknown")
    if patient.birth_date and patient.sex:
        patient.documented.add("demographics")
    return patient


def _attach_pending(ctx: Context, patient: Patient) -> None:
    """Stage, histology, grade, sites and metastases go to the cancer they belong to: the one
    the record links them to, else the patient's primary cancer (one is made from a pathology
    report's histologic type when the bundle has no Condition for it)."""
    by_id = {ctx.condition_ids.get(id(c)): c for c in patient.conditions}
    for item in sorted(ctx.pending, key=lambda p: p.what != "histology"):
        target = next((by_id[t] for t in item.targets if t in by_id), None)
        target = target or _primary(ctx, patient, item)
        if target is None:
            ctx.warn(
                item.res,
                "focus",
                f"{item.what.replace('_', ' ')} with no cancer condition to attach it to; not read",
            )
            continue
        _attach(target, item)


def _primary(ctx: Context, patient: Patient, item: Pending) -> Condition | None:
    cancers = [c for c in patient.conditions if c.role == "primary" and not c.negated]
    if cancers:
        return cancers[0]
    if item.what != "histology":
        return None
    histology = item.value
    cancer = Condition(
        concept_id=histology.concept_id,
        text=histology.text,
        role="primary",
        histology=histology,
        source=ctx.source(item.res, "valueCodeableConcept"),
    )
    patient.conditions.append(cancer)
    patient.documented.discard("conditions")  # one pathology finding is not a condition list
    return cancer


def _attach(condition: Condition, item: Pending) -> None:
    if item.what == "histology":
        if condition.histology is None:
            condition.histology = item.value
    elif item.what == "grade":
        condition.grade = condition.grade or item.value
    elif item.what == "body_site":
        condition.body_site = condition.body_site or item.value
    elif item.what == "metastatic_site":
        if item.value not in condition.metastatic_sites:
            condition.metastatic_sites.append(item.value)
    elif item.what == "stage":
        _merge_stage(condition, item.value)


def _merge_stage(condition: Condition, part: Stage) -> None:
    """T, N, M and the group of one staging arrive as separate Observations (and a Condition
    may repeat its Observation's group): merge what does not contradict."""
    fields = ("group", "t", "n", "m")
    for stage in condition.stages:
        kinds_agree = stage.kind == part.kind or None in (stage.kind, part.kind)
        dates_agree = stage.date == part.date or None in (stage.date, part.date)
        clash = any(
            getattr(stage, f) and getattr(part, f) and getattr(part, f) != getattr(stage, f)
            for f in fields
        )
        if kinds_agree and dates_agree and not clash:
            for f in (*fields, "kind", "date"):
                if getattr(stage, f) is None:
                    setattr(stage, f, getattr(part, f))
            return
    condition.stages.append(part)
