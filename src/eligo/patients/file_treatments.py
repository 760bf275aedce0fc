"""Treatments and procedures of an eligo patient file → medications and procedures."""

from __future__ import annotations

import datetime as dt

from eligo.model.patient import FactSource, Medication, Procedure
from eligo.patients import concepts, names
from eligo.patients.file_conditions import coding
from eligo.patients.file_format import FieldProblem, ProcedureEntry, TreatmentEntry
from eligo.patients.tables import find_site, procedure_kind, procedure_qualifiers, radiotherapy_site
from eligo.vocab import vocabulary


def _status(entry: TreatmentEntry, today: dt.date) -> str:
    if entry.status is not None:
        return entry.status
    if entry.end is not None:
        return "completed" if entry.end <= today else "active"
    return "unknown"


def read_treatment(
    entry: TreatmentEntry, index: int, source: FactSource, as_of: dt.date | None = None
) -> list[Medication]:
    """One entry: a drug, a regimen (``drugs``) or a coded medication; a regimen's drugs share
    a regimen key so that, undated, they make one line."""
    if entry.drug is not None and entry.drugs is not None:
        raise FieldProblem("drugs", "give drug or drugs, not both")
    wanted = entry.drugs if entry.drugs is not None else [entry.drug] if entry.drug else []
    if not wanted and entry.code is None:
        raise FieldProblem("drug", "a treatment needs a drug name, drugs or a code")
    meds = []
    for position, name in enumerate(wanted):
        field = "drug" if entry.drug else f"drugs[{position}]"
        try:
            concept = names.drug_id(name)
        except names.UnknownName as error:
            raise FieldProblem(field, str(error)) from None
        meds.append(_medication(entry, concept, name, index, source, as_of))
    if entry.code is not None:
        codes = [coding(entry.code)]
        coded = concepts.drug_concept(codes, entry.text)
        med = _medication(entry, coded, entry.text, index, source, as_of)
        med.codes = codes
        med.rxnorm = codes[0].code if codes[0].system == "rxnorm" else None
        meds.append(med)
    return meds


def _medication(
    entry: TreatmentEntry,
    concept: str | None,
    text: str | None,
    index: int,
    source: FactSource,
    as_of: dt.date | None,
) -> Medication:
    vocab = vocabulary()
    is_class = concept in vocab.drug_classes
    drug = None if is_class else concept
    classes = concepts.drug_classes(drug) if drug else []
    if is_class and concept:
        classes = concepts.class_and_parents(concept)
    role = (
        entry.role or concepts.drug_role(drug) or concepts.class_role(concept if is_class else None)
    )
    return Medication(
        drug_id=drug,
        text=text,
        classes=classes,
        role=role,  # type: ignore[arg-type]
        start=entry.start,
        end=entry.end,
        status=_status(entry, as_of or dt.date.today()),  # type: ignore[arg-type]
        intent=entry.intent,
        cycles=entry.cycles,
        line=entry.line,
        regimen=f"treatments[{index}]",
        source=source,
    )


def read_never_received(name: str, source: FactSource) -> Medication:
    """A documented "never received": a drug or a drug class."""
    concept = names.drug_id(name)
    vocab = vocabulary()
    if concept in vocab.drug_classes:
        return Medication(text=name, classes=[concept], negated=True, source=source)
    return Medication(
        drug_id=concept,
        text=name,
        classes=concepts.drug_classes(concept),
        negated=True,
        source=source,
    )


def read_procedure(entry: ProcedureEntry, source: FactSource) -> Procedure:
    if entry.kind is None and entry.name is None and entry.code is None:
        raise FieldProblem("kind", "a procedure needs a kind, a name or a code")
    kind = entry.kind or procedure_kind(entry.name or "") or "other"
    site = (find_site(entry.site) or entry.site.strip().lower()) if entry.site else None
    if site is None and kind == "radiotherapy" and entry.name:
        site = radiotherapy_site(entry.name)
    return Procedure(
        kind=kind,  # type: ignore[arg-type]
        text=entry.name,
        codes=[coding(entry.code)] if entry.code is not None else [],
        site=site,
        qualifiers=procedure_qualifiers(entry.name or ""),
        start=entry.date,
        end=entry.end or entry.date,
        intent=entry.intent,
        source=source,
    )
