"""Diagnoses of an eligo patient file → conditions (name or code, stage, histology, sites)."""

from __future__ import annotations

import re

from eligo.model.patient import Coding, Condition, FactSource, Histology, Stage
from eligo.patients import concepts, names
from eligo.patients.file_format import Code, CodeRef, DiagnosisEntry, FieldProblem, StageEntry
from eligo.patients.staging import stage_group, tnm_category
from eligo.patients.tables import find_site
from eligo.vocab import vocabulary

_ICDO3 = re.compile(r"^\d{4}/\d$")


def coding(code: Code, field: str = "code") -> Coding:
    """ "snomed:254632001" or {system, code} → a Coding with eligo's short system name."""
    if isinstance(code, CodeRef):
        system, value, display = code.system, code.code, code.display
    else:
        system, _, value = code.partition(":")
        display = None
        if not value:
            raise FieldProblem(
                field,
                f"{code!r}: write a code as system:code, e.g. snomed:254632001 or icd10cm:C34.90",
            )
    short = vocabulary().code_system(system) or system.strip().lower()
    return Coding(system=short, code=value.strip(), display=display)


def read_diagnosis(entry: DiagnosisEntry, source: FactSource) -> Condition:
    codes = [coding(entry.code)] if entry.code is not None else []
    concept: str | None
    if entry.condition is not None:
        concept = names.condition_id(entry.condition)
    elif codes:
        concept = concepts.condition_concept(codes, entry.text)
    else:
        raise FieldProblem("condition", "a diagnosis needs a condition name or a code")
    condition = Condition(
        concept_id=concept,
        codes=codes,
        text=entry.text or entry.condition,
        status=entry.status,
        certainty=entry.certainty,
        onset=entry.date,
        abatement=entry.end,
        role="primary" if entry.primary else None,
        body_site=(find_site(entry.site) or entry.site) if entry.site else None,
        grade=entry.grade,
        metastatic_sites=[_site(s) for s in entry.metastases],
        source=source,
    )
    if entry.stage is not None:
        condition.stages.append(_stage(entry.stage, entry.date, source))
    if entry.histology is not None:
        condition.histology = _histology(entry.histology)
    if condition.role is None and _is_cancer(concept):
        condition.role = "primary"
    return condition


def _is_cancer(concept: str | None) -> bool:
    found = vocabulary().conditions.get(concept or "")
    return found is not None and found.category == "neoplasm"


def _site(name: str) -> str:
    return find_site(name) or name.strip().lower()


def _stage(stage: str | StageEntry, day: object, source: FactSource) -> Stage:
    if isinstance(stage, StageEntry):
        return Stage(
            group=stage_group(stage.group) or stage.group,
            t=stage.t,
            n=stage.n,
            m=stage.m,
            kind=stage.kind,
            date=stage.date,
            source=source,
        )
    group = stage_group(stage)
    t, n, m = (tnm_category(stage, axis) for axis in "TNM")
    if group is None and not (t or n or m):
        raise FieldProblem(
            "stage", f"{stage!r} is not a stage (write IV, IIIA, extensive, T2N1M0 …)"
        )
    return Stage(group=group, t=t, n=n, m=m, source=source)


def _histology(text: str) -> Histology:
    if _ICDO3.match(text.strip()):
        code = text.strip()
        return Histology(
            icdo3=code,
            concept_id=concepts.histology_concept(code, None),
            codes=[Coding(system="icdo3", code=code)],
        )
    return Histology(text=text, concept_id=names.condition_id(text))


def read_absent(name: str, source: FactSource) -> Condition:
    """A documented absence: "brain metastases" under ``absent:``."""
    return Condition(concept_id=names.condition_id(name), text=name, negated=True, source=source)
