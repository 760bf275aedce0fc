"""The concepts of eligo's vocabularies, as read from the data files under ``vocab/data``.

A concept is an id with a label, the words people write for it (``synonyms``), the codes other
systems use for it, and its place in a hierarchy (``parents`` for conditions and drug classes,
``classes`` for drugs). A word of a synonym written in lower case matches any case; a word with a
capital letter in it ("ALT", "eGFR", "PT") matches only as written, so "alt" or "pt" in prose
never hit. Labels are matched as if written in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MentionKind = Literal["condition", "drug", "drug_class", "measurement"]
MeasurementKind = Literal["lab", "vital", "derived", "score", "biomarker"]


class _Concept(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    synonyms: tuple[str, ...] = ()


class Condition(_Concept):
    category: str  # neoplasm, comorbidity, infection, metastasis, autoimmune, state, ...
    snomed: tuple[str, ...] = ()
    icd10cm: tuple[str, ...] = ()
    icdo3: tuple[str, ...] = ()  # ICD-O-3 morphology, "8041/3"
    parents: tuple[str, ...] = ()


class DrugClass(_Concept):
    atc: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


class Drug(_Concept):
    rxnorm: tuple[str, ...] = ()  # RxNorm ingredient CUIs
    atc: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


class ReferenceRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float | None = None
    high: float | None = None


class Measurement(_Concept):
    kind: MeasurementKind
    loinc: tuple[str, ...] = ()
    # Canonical UCUM unit every value is normalised to; None for results read as present/absent.
    unit: str | None = None
    molar_mass: float | None = None  # g/mol, for mass <-> molar conversions
    valence: int | None = None  # charge of the ion, for mEq <-> mmol
    # Units a lab writes that mean the canonical one without being convertible in UCUM
    # (enzyme activity in "IU/L" is U/L).
    equivalent_units: dict[str, str] = Field(default_factory=dict)
    reference_range: ReferenceRange | None = None
    formula: str | None = None  # how a derived value is computed, in words
    # A name for several measurements at once ("transaminases": AST and ALT)
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """A concept found in a text: ``text[start:end]`` is the words that named it."""

    concept_id: str
    kind: MentionKind
    start: int
    end: int
    text: str
