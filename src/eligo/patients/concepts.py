"""Codes and words to eligo's vocabulary: the one place the patient adapters ask ``eligo.vocab``.

Codes are read first (SNOMED CT, ICD-10-CM, ICD-O-3, LOINC, RxNorm, ATC); the text only when no
code maps, so a coded record never depends on how its display text happens to be worded.
"""

from __future__ import annotations

from collections.abc import Iterable

from eligo.model.patient import Coding
from eligo.patients.tables import role_for_atc, role_for_classes
from eligo.vocab import vocabulary
from eligo.vocab.concepts import Mention
from eligo.vocab.units import normalise

CONDITION_SYSTEMS = ("snomed", "icd10cm", "icd10", "icdo3")
DRUG_SYSTEMS = ("rxnorm", "atc")


def _longest(mentions: Iterable[Mention]) -> str | None:
    best = max(mentions, key=lambda m: m.end - m.start, default=None)
    return best.concept_id if best is not None else None


def _texts(codes: list[Coding], text: str | None) -> list[str]:
    return [t for t in [text, *(c.display for c in codes)] if t]


def condition_concept(codes: list[Coding], text: str | None = None) -> str | None:
    vocab = vocabulary()
    for coding in codes:
        if coding.system in CONDITION_SYSTEMS:
            found = vocab.condition_for_code(coding.system, coding.code)
            if found:
                return found
    for words in _texts(codes, text):
        found = _longest(vocab.find_conditions(words))
        if found:
            return found
    return None


def histology_concept(icdo3: str | None, text: str | None) -> str | None:
    vocab = vocabulary()
    if icdo3:
        found = vocab.condition_for_code("icdo3", icdo3)
        if found:
            return found
    return _longest(vocab.find_conditions(text)) if text else None


def drug_concept(codes: list[Coding], text: str | None = None) -> str | None:
    """The vocabulary drug id (a drug, never a class) for a medication's codes or text."""
    vocab = vocabulary()
    for coding in codes:
        if coding.system in DRUG_SYSTEMS:
            found = vocab.drug_for_code(coding.system, coding.code)
            if found and found in vocab.drugs:
                return found
    for words in _texts(codes, text):
        found = _longest(m for m in vocab.find_drugs(words) if m.concept_id in vocab.drugs)
        if found:
            return found
    return None


def drug_classes(drug_id: str | None) -> list[str]:
    return list(vocabulary().classes_of(drug_id)) if drug_id else []


def drug_role(drug_id: str | None) -> str | None:
    """anticancer / supportive from the drug's ATC codes (patients/data/drug_roles.yaml)."""
    if not drug_id:
        return None
    vocab = vocabulary()
    drug = vocab.drugs.get(drug_id)
    atc = list(getattr(drug, "atc", None) or [])
    classes = vocab.classes_of(drug_id)
    for class_id in classes:
        atc += list(getattr(vocab.drug_classes.get(class_id), "atc", None) or [])
    return role_for_atc(atc) or role_for_classes(classes)


def class_role(class_id: str | None) -> str | None:
    """anticancer / supportive for a drug class, from its (or its parents') ATC codes."""
    if not class_id:
        return None
    vocab = vocabulary()
    atc = [
        code
        for c in (class_id, *vocab.ancestors(class_id))
        for code in getattr(vocab.drug_classes.get(c), "atc", ())
    ]
    return role_for_atc(atc)


def class_and_parents(class_id: str) -> list[str]:
    return [class_id, *sorted(vocabulary().ancestors(class_id))]


def measurement_concept(loinc: str | None, text: str | None = None) -> str | None:
    vocab = vocabulary()
    if loinc:
        found = vocab.measurement_for_loinc(loinc)
        if found:
            return found
    return _longest(vocab.find_measurements(text)) if text else None


def canonical_unit(measurement_id: str | None) -> str | None:
    if not measurement_id:
        return None
    concept = vocabulary().measurements.get(measurement_id)
    return getattr(concept, "unit", None)


def normalised(value: float, unit: str | None, measurement_id: str | None) -> tuple[float, str]:
    """``value unit`` in the measurement's canonical UCUM unit; raises ``UnitError``.

    A value without a unit is taken to be in the canonical unit already (counts, scores).
    """
    if not unit or not unit.strip():
        canonical = canonical_unit(measurement_id)
        if canonical is None:
            return value, "1"
        return value, canonical
    return normalise(value, unit, measurement_id)


def reference_range(measurement_id: str | None) -> tuple[float | None, float | None]:
    """The vocabulary's typical adult range, used when the record gives none."""
    if not measurement_id:
        return None, None
    concept = vocabulary().measurements.get(measurement_id)
    ref = getattr(concept, "reference_range", None)
    if ref is None:
        return None, None
    if isinstance(ref, dict):
        return ref.get("low"), ref.get("high")
    return getattr(ref, "low", None), getattr(ref, "high", None)
