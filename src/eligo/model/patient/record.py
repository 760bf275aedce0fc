"""The patient: a set of dated, sourced facts, and the few questions the matcher asks of them.

Absent and unknown are kept apart. ``documented`` names the domains the record speaks for in
full: a documented medication list without tarlatamab means "not received", an undocumented one
means "unknown". A negated fact ("no brain metastases") is a documented absence of that one
thing, whatever ``documented`` says. ``summarised`` names the domains a record sums up without
listing them in full (a clinical note's history): the engine presumes what it does not mention
absent only where that clears the patient (docs/matching.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eligo.model.patient.facts import (
    Biomarker,
    Commitment,
    Condition,
    DiseaseStatus,
    FactSource,
    Medication,
    Observation,
    PerformanceStatus,
    PregnancyStatus,
    Procedure,
    TherapyLine,
    TrialParticipation,
    Vaccination,
)
from eligo.model.patient.lines import derive_therapy_lines

Sex = Literal["female", "male", "other"]
F = TypeVar("F", Observation, Biomarker, PerformanceStatus, PregnancyStatus)

#: The domains a record can document in full (values of ``Patient.documented``).
DOMAINS = (
    "demographics",
    "conditions",
    "observations",
    "biomarkers",
    "performance_status",
    "medications",
    "procedures",
    "pregnancy",
    "vaccinations",
    "trial_participation",
    "disease_status",
)


class ConceptHierarchy(Protocol):
    """What the patient's queries need of ``eligo.vocab.vocabulary()``."""

    def is_a(self, concept_id: str, ancestor_id: str) -> bool: ...


class DrugClasses(Protocol):
    def classes_of(self, drug_id: str) -> list[str]: ...

    def is_a(self, concept_id: str, ancestor_id: str) -> bool: ...


class Patient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    birth_date: dt.date | None = None
    stated_age: float | None = None  # "64-year-old", when there is no birth date
    stated_age_on: dt.date | None = None  # the day the stated age was true
    sex: Sex | None = None
    conditions: list[Condition] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    biomarkers: list[Biomarker] = Field(default_factory=list)
    performance_status: list[PerformanceStatus] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)
    therapy_lines: list[TherapyLine] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    pregnancy: list[PregnancyStatus] = Field(default_factory=list)
    vaccinations: list[Vaccination] = Field(default_factory=list)
    trial_participation: list[TrialParticipation] = Field(default_factory=list)
    disease_status: list[DiseaseStatus] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    documented: set[str] = Field(default_factory=set)
    # domains the record sums up (names what matters) without listing them in full
    summarised: set[str] = Field(default_factory=set)
    # the record's own words when it is free text (a clinical note): what its history speaks
    # of at all, for criteria no rule reads (docs/matching.md, "Absent or unknown")
    note_text: str | None = None
    source: FactSource | None = None

    @model_validator(mode="after")
    def _derive_lines(self) -> Patient:
        if not self.therapy_lines and self.medications:
            self.therapy_lines = derive_therapy_lines(self.medications)
        return self

    def refresh_therapy_lines(self) -> None:
        """Re-derive the lines after the medication list was changed in place."""
        self.therapy_lines = derive_therapy_lines(self.medications)

    def is_documented(self, domain: str) -> bool:
        return domain in self.documented

    def is_summarised(self, domain: str) -> bool:
        """Whether the record sums the domain up: what matters in it is named, not everything."""
        return domain in self.summarised and domain not in self.documented

    # -- demographics ----------------------------------------------------------------------

    def age_on(self, on: dt.date) -> int | None:
        """Age in completed years on a day: from the birth date, else from a stated age."""
        if self.birth_date is not None:
            before_birthday = (on.month, on.day) < (self.birth_date.month, self.birth_date.day)
            return on.year - self.birth_date.year - int(before_birthday)
        if self.stated_age is None:
            return None
        if self.stated_age_on is None:
            return int(self.stated_age)
        return int(self.stated_age + (on - self.stated_age_on).days / 365.25)

    # -- measurements -----------------------------------------------------------------------

    def observations_of(
        self, measurement_id: str, as_of: dt.date | None = None
    ) -> list[Observation]:
        """Observations of one measurement on or before ``as_of``, oldest first (undated last)."""
        found = [o for o in self.observations if o.measurement_id == measurement_id]
        return _dated_until(found, as_of)

    def latest(self, measurement_id: str, as_of: dt.date | None = None) -> Observation | None:
        """The most recent value on or before ``as_of``; an undated value only if none is dated."""
        return _latest(self.observations_of(measurement_id, as_of))

    def latest_biomarker(self, name: str, as_of: dt.date | None = None) -> Biomarker | None:
        found = [b for b in self.biomarkers if b.name == name]
        return _latest(_dated_until(found, as_of))

    def latest_performance(
        self, scale: Literal["ecog", "karnofsky"] = "ecog", as_of: dt.date | None = None
    ) -> PerformanceStatus | None:
        """Latest performance status on ``scale``; Karnofsky converts to ECOG when no ECOG."""

        def on(wanted: str) -> PerformanceStatus | None:
            found = [p for p in self.performance_status if p.scale == wanted]
            return _latest(_dated_until(found, as_of))

        same = on(scale)
        if same is not None or scale == "karnofsky":
            return same
        kps = on("karnofsky")
        if kps is None:
            return None
        return kps.model_copy(update={"scale": "ecog", "value": karnofsky_to_ecog(kps.value)})

    # -- conditions -------------------------------------------------------------------------

    def conditions_matching(
        self, concept_id: str, vocab: ConceptHierarchy, *, negated: bool = False
    ) -> list[Condition]:
        """Conditions that are ``concept_id`` or one of its descendants (by concept or histology).

        With ``negated=True``, the documented absences that rule it out instead: the denial of
        the concept or of something above it ("no metastatic disease" rules out brain
        metastases; "no brain metastases" does not rule out CNS metastases).
        """
        if negated:
            return [
                c
                for c in self.conditions
                if c.negated and c.concept_id and vocab.is_a(concept_id, c.concept_id)
            ]
        return [c for c in self.conditions if not c.negated and _condition_is(c, concept_id, vocab)]

    # -- medications ------------------------------------------------------------------------

    def medications_of_class(
        self, class_id: str, vocab: DrugClasses | None = None, *, negated: bool = False
    ) -> list[Medication]:
        """Medications of a drug class (or of the drug itself when ``class_id`` is a drug id).

        With ``negated=True``, the documented "never received" that rule it out: the denial of
        that drug or class, or (given ``vocab``) of a class above it ("never received platinum"
        rules out carboplatin; "never received tarlatamab" does not rule out every DLL3 agent).
        """
        if negated:
            return [m for m in self.medications if m.negated and _denies(m, class_id, vocab)]
        found = []
        for med in self.medications:
            if med.negated:
                continue
            classes = set(med.classes)
            if vocab is not None and med.drug_id:
                classes.update(vocab.classes_of(med.drug_id))
            if class_id == med.drug_id or class_id in classes:
                found.append(med)
        return found

    def latest_pregnancy(
        self,
        as_of: dt.date | None = None,
        about: Literal["pregnant", "breastfeeding"] | None = None,
    ) -> PregnancyStatus | None:
        """The latest statement about ``about``; without it, the latest pregnancy statement
        with the latest breastfeeding one folded in (a record often says them apart)."""
        if about is not None:
            known = [s for s in self.pregnancy if getattr(s, about) is not None]
            return _latest(_dated_until(known, as_of))
        pregnant = self.latest_pregnancy(as_of, "pregnant")
        feeding = self.latest_pregnancy(as_of, "breastfeeding")
        if pregnant is None or feeding is None or pregnant is feeding:
            return pregnant or feeding
        return pregnant.model_copy(update={"breastfeeding": feeding.breastfeeding})


def _condition_is(condition: Condition, concept_id: str, vocab: ConceptHierarchy) -> bool:
    ids = [condition.concept_id]
    if condition.histology is not None:
        ids.append(condition.histology.concept_id)
    return any(i is not None and (i == concept_id or vocab.is_a(i, concept_id)) for i in ids)


def _denies(med: Medication, wanted: str, vocab: DrugClasses | None) -> bool:
    """Whether a "never received" medication rules out ``wanted`` (a drug or a class)."""
    denied = med.drug_id or (med.classes[0] if med.classes else None)
    if denied is None:
        return False
    return wanted == denied or (vocab is not None and vocab.is_a(wanted, denied))


def karnofsky_to_ecog(kps: int) -> int:
    """The usual correspondence (Oken 1982; Buccheri 1996): 100-90→0, 80-70→1, 60-50→2,
    40-30→3, 20-10→4, 0→5."""
    if kps >= 90:
        return 0
    if kps >= 70:
        return 1
    if kps >= 50:
        return 2
    if kps >= 30:
        return 3
    return 4 if kps > 0 else 5


def _dated_until(facts: Iterable[F], as_of: dt.date | None) -> list[F]:
    kept = [f for f in facts if as_of is None or f.date is None or f.date <= as_of]
    dated = sorted((f for f in kept if f.date is not None), key=lambda f: f.date or dt.date.min)
    return dated + [f for f in kept if f.date is None]


def _latest(ordered: list[F]) -> F | None:
    dated = [f for f in ordered if f.date is not None]
    if dated:
        return dated[-1]
    return ordered[-1] if ordered else None


class RecordWarning(BaseModel):
    """Something in a patient record that could not be read as it stands; the rest was read."""

    model_config = ConfigDict(extra="forbid")

    resource: str  # "Observation/abc", "entry[3]", "labs[2]"
    field: str  # "valueInteger", "birthDate", "name"
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.resource} [{self.field}]: {self.message}"


class PatientRead(BaseModel):
    """What an adapter returns: the patient, and what it had to skip or could not trust."""

    model_config = ConfigDict(extra="forbid")

    patient: Patient
    warnings: list[RecordWarning] = Field(default_factory=list)
