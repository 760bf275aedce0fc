"""FHIR Observation → labs and vitals, performance status, stage, tumour markers and variants,
disease status, pregnancy. What an Observation is comes from its mCODE profile, else its code."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, cast

from eligo.model.patient import (
    DiseaseStatus,
    Observation,
    PerformanceStatus,
    PregnancyStatus,
    Stage,
)
from eligo.model.patient.facts import DiseaseStatusValue
from eligo.patients import concepts
from eligo.patients.fhir.common import (
    Context,
    Pending,
    Resource,
    codings,
    concept_text,
    first_of,
    number,
    period,
    reference_id,
)
from eligo.patients.fhir.conditions import answer_meaning, fhir_table
from eligo.patients.fhir.pathology import NOT_STATED, read_pathology
from eligo.patients.fhir.values import biomarker_from, quantity
from eligo.patients.staging import stage_group, tnm_category
from eligo.vocab.units import UnitError

Scale = Literal["ecog", "karnofsky"]
_DISEASE_STATUS: dict[str | None, DiseaseStatusValue] = {
    s: s for s in ("progression", "response", "stable", "remission", "unknown")
}
_SCALES = {"ecog": (0, 5, 1), "karnofsky": (0, 100, 10)}
_ECOG_ANSWERS = {
    "LA9622-7": 0,
    "LA9623-5": 1,
    "LA9624-3": 2,
    "LA9625-0": 3,
    "LA9626-8": 4,
    "LA9627-6": 5,
}
_STAGE_ROLES = {"stage_group", "stage_group_clinical", "stage_group_pathological"}
_TNM_ROLES = {"tnm_t": "T", "tnm_n": "N", "tnm_m": "M"}


def observation_role(res: Resource) -> str | None:
    for role in (
        "ecog",
        "karnofsky",
        *_STAGE_ROLES,
        *_TNM_ROLES,
        "tumor_marker",
        "genetic_variant",
        "disease_status",
    ):
        if role in res.roles:
            return role
    table = fhir_table("observation_codes")
    for c in codings(res.raw.get("code")):
        found = table.get(c.system, {}).get(c.code) if c.system in ("loinc", "snomed") else None
        if found:
            return str(found)
    return None


def read_observation(ctx: Context, res: Resource) -> None:
    raw = res.raw
    if raw.get("status") in fhir_table("skip_status"):
        return
    date = period(ctx, res, "effective")[0] or _report_date(ctx, res)
    role = observation_role(res)
    if role in ("ecog", "karnofsky"):
        _performance(ctx, res, cast(Scale, role), date)
    elif role in _STAGE_ROLES or role in _TNM_ROLES:
        _stage(ctx, res, role, date)
    elif role == "disease_status":
        _disease_status(ctx, res, date)
    elif role == "pregnancy":
        _pregnancy(ctx, res, date)
    elif role in ("tumor_marker", "genetic_variant") or _is_biomarker(res):
        marker = biomarker_from(ctx, res, role == "genetic_variant", date)
        if marker is not None:
            ctx.add("biomarkers", marker)
            ctx.documented.add("biomarkers")
    elif not read_pathology(ctx, res, date):
        _measurement(ctx, res, raw, date)


def _report_date(ctx: Context, res: Resource) -> dt.date | None:
    return ctx.report_dates.get(res.index)


def _is_biomarker(res: Resource) -> bool:
    from eligo.patients.tables import biomarker_for_loinc

    return any(
        c.system == "loinc" and c.code in biomarker_for_loinc()
        for c in codings(res.raw.get("code"))
    )


def _performance(ctx: Context, res: Resource, scale: Scale, date: dt.date | None) -> None:
    raw = res.raw
    field, value = "valueInteger", number(raw.get("valueInteger"))
    if "valueQuantity" in raw:
        field, value = "valueQuantity.value", number((raw["valueQuantity"] or {}).get("value"))
    elif "valueCodeableConcept" in raw:
        field = "valueCodeableConcept"
        found = [_ECOG_ANSWERS.get(c.code) for c in codings(raw["valueCodeableConcept"])]
        value = next((float(v) for v in found if v is not None), None)
    low, high, step = _SCALES[scale]
    if value is None or not (low <= value <= high) or value % step or value != int(value):
        shown = raw.get(field.split(".")[0], None) if value is None else f"{value:g}"
        ctx.warn(
            res, field, f"invalid {scale.upper()} score {shown} (expected {low}-{high}); not read"
        )
        return
    ctx.add(
        "performance_status",
        PerformanceStatus(scale=scale, value=int(value), date=date, source=ctx.source(res, field)),
    )
    ctx.documented.add("performance_status")


def _stage(ctx: Context, res: Resource, role: str, date: dt.date | None) -> None:
    value = res.raw.get("valueCodeableConcept")
    words = [concept_text(value), *(c.code for c in codings(value))]
    kind: Literal["clinical", "pathological"] = (
        "pathological" if "pathological" in role or _is_pathological(res) else "clinical"
    )
    if role in _TNM_ROLES:
        axis = _TNM_ROLES[role]
        found = next((v for v in (tnm_category(w, axis) for w in words) if v), None)
        if found is None:
            found = next((f"{axis}{w}" for w in words if w and w.isalnum() and len(w) <= 3), None)
        stage = Stage(
            kind=kind,
            date=date,
            source=ctx.source(res, "valueCodeableConcept"),
            **{axis.lower(): found},
        )
    else:
        found = next((g for g in map(stage_group, words) if g), None)
        stage = Stage(
            group=found, kind=kind, date=date, source=ctx.source(res, "valueCodeableConcept")
        )
    if found is None:
        ctx.warn(res, "valueCodeableConcept", f"stage not understood: {words[0]!r}; not read")
        return
    targets = {t for t in [reference_id(first_of(res.raw.get("focus")))] if t}
    ctx.pending.append(Pending("stage", stage, targets, res))


def _is_pathological(res: Resource) -> bool:
    return any(
        (c.display or "").lower().startswith("p") and "category" in (c.display or "")
        for c in codings(res.raw.get("code"))
    )


def _disease_status(ctx: Context, res: Resource, date: dt.date | None) -> None:
    value = res.raw.get("valueCodeableConcept")
    meaning = answer_meaning(codings(value))
    if meaning not in _DISEASE_STATUS:
        ctx.warn(res, "valueCodeableConcept", "disease status not understood; not read")
        return
    ctx.add(
        "disease_status",
        DiseaseStatus(
            status=_DISEASE_STATUS[meaning],
            text=concept_text(value),
            date=date,
            source=ctx.source(res, "valueCodeableConcept"),
        ),
    )
    ctx.documented.add("disease_status")


def _pregnancy(ctx: Context, res: Resource, date: dt.date | None) -> None:
    value = res.raw.get("valueCodeableConcept")
    meaning = answer_meaning(codings(value))
    if meaning not in ("pregnant", "not_pregnant"):
        ctx.warn(res, "valueCodeableConcept", "pregnancy status not understood; not read")
        return
    ctx.add(
        "pregnancy",
        PregnancyStatus(
            pregnant=meaning == "pregnant",
            date=date,
            source=ctx.source(res, "valueCodeableConcept"),
        ),
    )
    ctx.documented.add("pregnancy")


def _measurement(ctx: Context, res: Resource, raw: dict[str, Any], date: dt.date | None) -> None:
    """A lab or vital sign; an Observation with components (blood pressure) gives one each."""
    parts: list[tuple[str, dict[str, Any]]] = [("", raw)]
    for i, comp in enumerate(raw.get("component") or []):
        if isinstance(comp, dict):
            parts.append((f"component[{i}].", comp))
    for prefix, part in parts:
        observation = _one_measurement(ctx, res, prefix, part, date)
        if observation is not None:
            ctx.add("observations", observation)
            ctx.documented.add("observations")


def _one_measurement(
    ctx: Context, res: Resource, prefix: str, part: dict[str, Any], date: dt.date | None
) -> Observation | None:
    codes = codings(part.get("code"))
    text = concept_text(part.get("code"))
    loinc = next((c.code for c in codes if c.system == "loinc"), None)
    measurement = concepts.measurement_concept(loinc, text)
    obs = Observation(
        measurement_id=measurement,
        loinc=loinc,
        codes=codes,
        text=text,
        date=date,
        interpretation=_interpretation(part),
        source=ctx.source(res, prefix or None),
    )
    if "valueQuantity" in part:
        found = quantity(ctx, res, f"{prefix}valueQuantity", part["valueQuantity"])
        if found is None:
            return None
        value, unit, comparator = found
        obs.original_value, obs.original_unit = value, unit
        obs.comparator = comparator  # type: ignore[assignment]  # one of the four, see quantity()
        _normalise_into(ctx, res, f"{prefix}valueQuantity", obs, part)
    elif "valueInteger" in part and number(part["valueInteger"]) is not None:
        obs.value = obs.original_value = number(part["valueInteger"])
    elif "valueCodeableConcept" in part:
        obs.value_text = concept_text(part["valueCodeableConcept"])
    elif isinstance(part.get("valueString"), str) and part["valueString"].strip():
        obs.value_text = part["valueString"].strip()
    elif isinstance(part.get("valueBoolean"), bool):
        obs.value_text = "true" if part["valueBoolean"] else "false"
    else:
        return None  # a grouper or a result still pending: nothing to read
    if obs.value_text and NOT_STATED.search(obs.value_text):
        return None  # "Not applicable", "Cannot be determined": the report says nothing
    return obs


def _normalise_into(
    ctx: Context, res: Resource, field: str, obs: Observation, part: dict[str, Any]
) -> None:
    if obs.original_value is None:
        return
    try:
        obs.value, obs.unit = concepts.normalised(
            obs.original_value, obs.original_unit, obs.measurement_id
        )
    except UnitError as error:
        ctx.warn(res, f"{field}.unit", f"{error}; value kept as written")
        return
    ranges = part.get("referenceRange") or []
    ref = ranges[0] if isinstance(ranges, list) and ranges and isinstance(ranges[0], dict) else {}
    for bound in ("low", "high"):
        found = (
            quantity(ctx, res, f"referenceRange[0].{bound}", ref.get(bound))
            if bound in ref
            else None
        )
        if found is None:
            continue
        try:
            value, _ = concepts.normalised(
                found[0], found[1] or obs.original_unit, obs.measurement_id
            )
        except UnitError as error:
            ctx.warn(res, f"referenceRange[0].{bound}", f"{error}; range not read")
            continue
        setattr(obs, f"reference_{bound}", value)


def _interpretation(part: dict[str, Any]) -> str | None:
    found = codings(first_of(part.get("interpretation")))
    return found[0].code if found else None
