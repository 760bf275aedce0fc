"""FHIR MedicationStatement / MedicationAdministration / MedicationRequest, Procedure,
Immunization and ResearchSubject → medications, procedures, vaccinations, trial participation."""

from __future__ import annotations

import re
from typing import Any

from eligo.model.patient import Medication, Procedure, TrialParticipation, Vaccination
from eligo.patients import concepts
from eligo.patients.fhir.common import (
    Context,
    Resource,
    codings,
    concept_text,
    first_of,
    parse_date,
    period,
    reference_id,
)
from eligo.patients.fhir.conditions import answer_meaning, fhir_table
from eligo.patients.tables import (
    find_site,
    load,
    procedure_kind,
    procedure_qualifiers,
    radiotherapy_site,
)

_KINDS = {
    "MedicationStatement": "statement",
    "MedicationAdministration": "administration",
    "MedicationRequest": "request",
}
# FHIR status codes of the three resources → eligo's medication status.
_STATUS = {
    "active": "active",
    "in-progress": "active",
    "on-hold": "active",
    "completed": "completed",
    "stopped": "stopped",
    "intended": "intended",
    "draft": "intended",
    "unknown": "unknown",
}
_NEGATED = {"not-taken", "not-done"}


def read_medication(ctx: Context, res: Resource) -> None:
    raw = res.raw
    status = raw.get("status")
    if status in ("entered-in-error", "cancelled", "revoked"):
        return
    codes, text = _medication_code(ctx, res)
    if not codes and not text:
        ctx.warn(res, "medication[x]", "no medication code or text; not read")
        return
    kind = _KINDS[res.type]
    if kind == "request":
        start = _request_start(ctx, res)
        end = None
    else:
        start, end = period(ctx, res, "effective")
    drug = concepts.drug_concept(codes, text)
    ctx.add(
        "medications",
        Medication(
            drug_id=drug,
            rxnorm=next((c.code for c in codes if c.system == "rxnorm"), None),
            codes=codes,
            text=text,
            classes=concepts.drug_classes(drug),
            role=concepts.drug_role(drug),  # type: ignore[arg-type]
            start=start,
            end=end,
            status=_STATUS.get(status, "unknown"),  # type: ignore[arg-type]
            negated=status in _NEGATED,
            intent=_intent(raw),
            record_kind=kind,  # type: ignore[arg-type]
            source=ctx.source(res),
        ),
    )
    ctx.documented.add("medications")


def _medication_code(ctx: Context, res: Resource) -> tuple[list[Any], str | None]:
    raw = res.raw
    if "medicationCodeableConcept" in raw:
        cc = raw["medicationCodeableConcept"]
        return codings(cc), concept_text(cc)
    if "medicationReference" in raw:
        ref = reference_id(raw["medicationReference"])
        target = ctx.resources.get(("Medication", ref or ""))
        for contained in raw.get("contained") or []:
            if isinstance(contained, dict) and contained.get("id") == ref:
                target = Resource(contained, "Medication", ref, res.index)
        if target is None:
            display = (raw["medicationReference"] or {}).get("display")
            if not display:
                ctx.warn(res, "medicationReference", f"Medication/{ref} is not in the bundle")
            return [], display
        return codings(target.raw.get("code")), concept_text(target.raw.get("code"))
    return [], None


def _request_start(ctx: Context, res: Resource) -> Any:
    for i, dosage in enumerate(res.raw.get("dosageInstruction") or []):
        bounds = (((dosage or {}).get("timing") or {}).get("repeat") or {}).get("boundsPeriod")
        if isinstance(bounds, dict) and bounds.get("start"):
            return parse_date(
                ctx,
                res,
                f"dosageInstruction[{i}].timing.repeat.boundsPeriod.start",
                bounds["start"],
            )
    authored = res.raw.get("authoredOn")
    return parse_date(ctx, res, "authoredOn", authored) if authored else None


def _intent(raw: dict[str, Any]) -> str | None:
    for ext in raw.get("extension") or []:
        if isinstance(ext, dict) and re.search(
            r"(treatment|procedure)-intent", str(ext.get("url"))
        ):
            value = ext.get("valueCodeableConcept")
            return answer_meaning(codings(value)) or concept_text(value)
    return None


def read_procedure(ctx: Context, res: Resource) -> None:
    raw = res.raw
    if raw.get("status") in ("entered-in-error",):
        return
    codes = codings(raw.get("code"))
    text = concept_text(raw.get("code"))
    if not codes and not text:
        ctx.warn(res, "code", "procedure without a code or text; not read")
        return
    kind = next((k for k in ("radiotherapy", "surgery") if k in res.roles), None)
    kind = kind or procedure_kind(text or "") or "other"  # type: ignore[assignment]
    start, end = period(ctx, res, "performed")
    site_cc = first_of(raw.get("bodySite"))
    site = None
    if site_cc is not None:
        for c in codings(site_cc):
            site = site or (fhir_table("body_sites").get(c.code) if c.system == "snomed" else None)
        site = site or find_site(concept_text(site_cc) or "")
    if site is None and kind == "radiotherapy":
        site = radiotherapy_site(text or "")
    ctx.add(
        "procedures",
        Procedure(
            kind=kind,  # type: ignore[arg-type]
            text=text,
            codes=codes,
            site=site,
            qualifiers=procedure_qualifiers(text or ""),
            start=start,
            end=end,
            intent=_intent(raw),
            negated=raw.get("status") == "not-done",
            source=ctx.source(res),
        ),
    )
    ctx.documented.add("procedures")


def read_immunization(ctx: Context, res: Resource) -> None:
    raw = res.raw
    if raw.get("status") in ("entered-in-error", "not-done"):
        return
    codes = codings(raw.get("vaccineCode"))
    text = concept_text(raw.get("vaccineCode")) or (codes[0].code if codes else None)
    if not text:
        ctx.warn(res, "vaccineCode", "vaccine without a code or text; not read")
        return
    day, _ = period(ctx, res, "occurrence")
    live_words = load("vaccines")["live"]
    live = any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE) for w in live_words)
    ctx.add(
        "vaccinations",
        Vaccination(vaccine=text, codes=codes, live=live or None, date=day, source=ctx.source(res)),
    )
    ctx.documented.add("vaccinations")


def read_research_subject(ctx: Context, res: Resource) -> None:
    raw = res.raw
    study_ref = reference_id(raw.get("study"))
    study = ctx.resources.get(("ResearchStudy", study_ref or ""))
    trial, title = study_ref, None
    if study is not None:
        ids = [i.get("value") for i in study.raw.get("identifier") or [] if isinstance(i, dict)]
        trial = next((i for i in ids if isinstance(i, str)), study_ref)
        title = study.raw.get("title")
    start = end = None
    if "period" in raw and isinstance(raw["period"], dict):
        start = parse_date(ctx, res, "period.start", raw["period"].get("start"))
        end = parse_date(ctx, res, "period.end", raw["period"].get("end"))
    ctx.add(
        "trial_participation",
        TrialParticipation(trial=trial, text=title, start=start, end=end, source=ctx.source(res)),
    )
    ctx.documented.add("trial_participation")
