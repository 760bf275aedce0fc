"""FHIR Condition (mCODE primary and secondary cancer conditions) → patient conditions; and the
facts that belong to a cancer (stage, histology, metastatic sites) attached once all is read."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

from eligo.model.patient import Coding, Condition, Histology, Stage
from eligo.model.patient.facts import ClinicalStatus
from eligo.patients import concepts
from eligo.patients.fhir.common import (
    Context,
    Pending,
    Resource,
    codings,
    concept_text,
    first_of,
    parse_date,
    period,
    reference_id,
)
from eligo.patients.staging import stage_group
from eligo.patients.tables import find_site, load

_SECONDARY_SITE = re.compile(r"\b(?:of|to|in)\s+(?:the\s+)?([a-z][a-z ]+?)(?:\s*\(|$)", re.I)
_PATHOLOGICAL = {"261023001", "pathologic", "pathological"}


@cache
def fhir_table(name: str) -> Any:
    """A table of fhir.yaml; code keys as text (YAML reads bare SNOMED codes as numbers)."""
    return _text_keys(load("fhir")[name])


def _text_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _text_keys(v) for k, v in value.items()}
    return value


def answer_meaning(codes: list[Coding]) -> str | None:
    """ "positive", "negative", "pregnant", "progression", … for a coded answer."""
    keys = {f"{c.system}:{c.code}" for c in codes}
    for meaning, listed in fhir_table("answers").items():
        if keys & set(listed):
            return meaning
    return None


def status_code(raw: Any) -> str | None:
    found = codings(raw)
    return found[0].code if found else None


def read_condition(ctx: Context, res: Resource, *, from_report: bool = False) -> None:
    raw = res.raw
    verification = status_code(raw.get("verificationStatus"))
    if verification in fhir_table("skip_status"):
        return
    codes = codings(raw.get("code"))
    text = concept_text(raw.get("code"))
    if not codes and not text:
        ctx.warn(res, "code", "condition without a code or text; not read")
        return
    clinical = status_code(raw.get("clinicalStatus"))
    status: ClinicalStatus | None = fhir_table("clinical_status").get(clinical or "active")
    if status is None:
        ctx.warn(res, "clinicalStatus", f"unknown clinical status {clinical!r}; read as active")
        status = "active"
    onset, _ = period(ctx, res, "onset")
    abatement, _ = period(ctx, res, "abatement")
    condition = Condition(
        concept_id=concepts.condition_concept(codes, text),
        codes=codes,
        text=text,
        status=status,
        negated=verification in fhir_table("verification_refuted"),
        certainty="uncertain"
        if verification in fhir_table("verification_uncertain")
        else "confirmed",
        role=_role(res),
        onset=onset or _asserted_date(ctx, res),
        abatement=abatement,
        body_site=_body_site(raw.get("bodySite")),
        stages=_stages(ctx, res),
        source=ctx.source(res),
    )
    _read_extensions(ctx, res, condition)
    if condition.role == "metastasis":
        _metastasis(ctx, res, condition)
    ctx.condition_ids[id(condition)] = res.id or ""
    ctx.add("conditions", condition)
    if not from_report:
        ctx.documented.add("conditions")


def _role(res: Resource) -> Literal["primary", "metastasis"] | None:
    if "primary_cancer" in res.roles:
        return "primary"
    if "secondary_cancer" in res.roles:
        return "metastasis"
    return None


def _asserted_date(ctx: Context, res: Resource) -> Any:
    for ext in res.raw.get("extension") or []:
        if isinstance(ext, dict) and str(ext.get("url", "")).endswith("condition-assertedDate"):
            return parse_date(ctx, res, "extension.valueDateTime", ext.get("valueDateTime"))
    recorded = res.raw.get("recordedDate")
    return parse_date(ctx, res, "recordedDate", recorded) if recorded else None


def _body_site(raw: Any) -> str | None:
    cc = first_of(raw)
    if cc is None:
        return None
    for c in codings(cc):
        site = fhir_table("body_sites").get(c.code) if c.system == "snomed" else None
        if site:
            return site
    text = concept_text(cc)
    return (find_site(text) or text) if text else None


def _stages(ctx: Context, res: Resource) -> list[Stage]:
    stages = []
    for i, raw in enumerate(res.raw.get("stage") or []):
        if not isinstance(raw, dict):
            ctx.warn(res, f"stage[{i}]", "not a stage element")
            continue
        summary = raw.get("summary")
        words = [concept_text(summary), *(c.code for c in codings(summary))]
        group = next((g for g in map(stage_group, words) if g), None)
        if group is None:
            if summary is not None:
                ctx.warn(res, f"stage[{i}].summary", f"stage not understood: {words[0]!r}")
            continue
        kind_codes = {c.code for c in codings(raw.get("type"))}
        kind: Literal["clinical", "pathological"] | None = (
            "pathological" if kind_codes & _PATHOLOGICAL else "clinical" if kind_codes else None
        )
        stages.append(Stage(group=group, kind=kind, source=ctx.source(res, f"stage[{i}]")))
    return stages


def _read_extensions(ctx: Context, res: Resource, condition: Condition) -> None:
    profiles = fhir_table("profiles")
    for i, ext in enumerate(res.raw.get("extension") or []):
        url = ext.get("url") if isinstance(ext, dict) else None
        if not isinstance(url, str):
            ctx.warn(res, f"extension[{i}].url", "extension without a url; not read")
            continue
        role = profiles.get(url.rstrip("/").rsplit("/", 1)[-1])
        if role == "histology":
            condition.histology = _histology(ext.get("valueCodeableConcept"))
            if condition.histology is None:
                ctx.warn(res, f"extension[{i}].valueCodeableConcept", "histology without a code")
        elif role is None and "mcode" in url.lower():
            value = concept_text(ext.get("valueCodeableConcept")) or "its value"
            ctx.warn(
                res,
                f"extension[{i}].url",
                f"not a known mCODE extension ({url}); {value} was not read",
            )


def _histology(cc: Any) -> Histology | None:
    codes = codings(cc)
    text = concept_text(cc)
    if not codes and not text:
        return None
    icdo3 = next((c.code for c in codes if c.system == "icdo3"), None)
    concept = concepts.histology_concept(icdo3, text)
    if concept is None:
        concept = concepts.condition_concept([c for c in codes if c.system == "snomed"])
    return Histology(icdo3=icdo3, concept_id=concept, text=text, codes=codes)


def _metastasis(ctx: Context, res: Resource, condition: Condition) -> None:
    site = condition.body_site or _metastasis_site(condition)
    if site is None:
        return
    condition.body_site = site
    if condition.concept_id is None:
        condition.concept_id = concepts.condition_concept([], f"{site} metastases")
    targets = set()
    for ext in res.raw.get("extension") or []:
        if isinstance(ext, dict) and str(ext.get("url", "")).endswith(
            "related-primary-cancer-condition"
        ):
            ref = reference_id(ext.get("valueReference"))
            if ref:
                targets.add(ref)
    ctx.pending.append(Pending("metastatic_site", site, targets, res))


def _metastasis_site(condition: Condition) -> str | None:
    for c in condition.codes:
        site = fhir_table("metastasis_codes").get(c.code) if c.system == "snomed" else None
        if site:
            return site
    for words in [condition.text, *(c.display for c in condition.codes)]:
        if not re.search(r"secondary|metasta", words or "", re.IGNORECASE):
            continue  # "Malignant neoplasm of breast" names the primary, not the metastasis
        match = _SECONDARY_SITE.search(words or "")
        if match:
            return find_site(match.group(1)) or match.group(1).strip().lower()
    return None
