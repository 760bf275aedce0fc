"""FHIR value shapes read in several places: Quantity, and tumour-marker or variant results."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from eligo.model.patient import Biomarker, Coding
from eligo.patients.fhir.common import Context, Resource, codings, concept_text, first_of, number
from eligo.patients.fhir.conditions import answer_meaning
from eligo.patients.tables import biomarker_for_loinc, biomarkers, find_biomarker

_COMPARATORS = {"<", "<=", ">", ">="}
_GENE_COMPONENTS = {"48018-6", "81252-9"}  # gene studied; discrete genetic variant
_CHANGE_COMPONENTS = {"81290-9", "48004-6", "48005-3"}  # genomic DNA / cDNA / protein change
_NOT_DETECTED = re.compile(
    r"\b(?:no|not)\b.*\b(?:detected|identified|found)\b|\bwild[\s-]?type\b", re.IGNORECASE
)


def quantity(
    ctx: Context, res: Resource, field: str, raw: Any
) -> tuple[float, str | None, str | None] | None:
    """(value, unit as written, comparator) of a Quantity; a warning when it has no number."""
    if not isinstance(raw, dict):
        ctx.warn(res, field, "not a Quantity; not read")
        return None
    value = number(raw.get("value"))
    if value is None:
        ctx.warn(res, f"{field}.value", f"no number in {raw.get('value')!r}; not read")
        return None
    unit = raw.get("code") if raw.get("system", "").endswith("unitsofmeasure.org") else None
    unit = unit or raw.get("unit")
    comparator = raw.get("comparator") if raw.get("comparator") in _COMPARATORS else None
    return value, unit if isinstance(unit, str) else None, comparator


def biomarker_from(
    ctx: Context, res: Resource, is_variant: bool, date: dt.date | None
) -> Biomarker | None:
    raw = res.raw
    codes = codings(raw.get("code"))
    code_text = concept_text(raw.get("code")) or ""
    name = next(
        (
            biomarker_for_loinc()[c.code]
            for c in codes
            if c.system == "loinc" and c.code in biomarker_for_loinc()
        ),
        None,
    )
    gene, change = _variant_parts(raw) if is_variant else (None, None)
    name = name or (_exact_biomarker(gene) if gene else find_biomarker(code_text)) or gene
    if name is None:
        ctx.warn(res, "code", "tumour marker not recognised; not read")
        return None
    marker = Biomarker(name=name, codes=codes, date=date, source=ctx.source(res))
    known = biomarkers().get(name)
    marker.scale = "variant" if is_variant else (known.scale if known else None)  # type: ignore[assignment]
    _read_value(ctx, res, marker, raw)
    if change:
        marker.value_text = change
    if marker.result is None:
        interpretation = answer_meaning(codings(first_of(raw.get("interpretation"))))
        marker.result = interpretation if interpretation in ("positive", "negative") else None  # type: ignore[assignment]
    return marker


def _read_value(ctx: Context, res: Resource, marker: Biomarker, raw: dict[str, Any]) -> None:
    if "valueCodeableConcept" in raw:
        value = raw["valueCodeableConcept"]
        meaning = answer_meaning(codings(value))
        marker.value_text = concept_text(value)
        if meaning in ("positive", "negative", "equivocal"):
            marker.result = meaning  # type: ignore[assignment]
        elif marker.value_text and _NOT_DETECTED.search(marker.value_text):
            marker.result = "not_detected"
        elif marker.scale == "variant" and marker.value_text:
            marker.result = "positive"
        if marker.scale == "variant" and meaning == "positive":
            marker.value_text = None  # "Present" says no more than result does
    elif "valueQuantity" in raw:
        found = quantity(ctx, res, "valueQuantity", raw["valueQuantity"])
        if found is not None:
            marker.value, marker.unit = found[0], found[1]
            if found[1] == "%":
                marker.scale = "percent"
    elif "valueRatio" in raw and isinstance(raw["valueRatio"], dict):
        num = number((raw["valueRatio"].get("numerator") or {}).get("value"))
        den = number((raw["valueRatio"].get("denominator") or {}).get("value"))
        if num is not None and den:
            marker.value_text = f"{num:g}:{den:g}"
    elif isinstance(raw.get("valueString"), str):
        marker.value_text = raw["valueString"].strip() or None


def _variant_parts(raw: dict[str, Any]) -> tuple[str | None, str | None]:
    """The gene and the change of an mCODE genetic variant, from its components."""
    gene = change = None
    for comp in raw.get("component") or []:
        if not isinstance(comp, dict):
            continue
        comp_codes = {c.code for c in codings(comp.get("code"))}
        values: list[Coding] = codings(comp.get("valueCodeableConcept"))
        text = concept_text(comp.get("valueCodeableConcept"))
        is_gene = bool(comp_codes & _GENE_COMPONENTS) or any(v.system == "hgnc" for v in values)
        if is_gene and gene is None and values and values[0].system == "hgnc":
            gene = values[0].display or values[0].code
        elif comp_codes & _CHANGE_COMPONENTS and change is None:
            change = text or (values[0].code if values else None)
    return gene, change


def _exact_biomarker(gene: str) -> str | None:
    """A variant's gene is a biomarker only under its own name: ESR1, "estrogen receptor 1",
    is not ER expression."""
    found = find_biomarker(gene)
    known = biomarkers().get(found or "")
    names = {n.lower() for n in (*known.synonyms, known.label, known.id)} if known else set()
    return found if gene.strip().lower() in names else None
