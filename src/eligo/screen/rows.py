"""A patient of eligo's model as rows of the screening tables (``eligo.screen.tables``), and
back: the rows of one person as a patient the Python evaluator can judge.

What the SQL needs beyond the record itself is derived here, by the evaluator's own functions
(the value range a "<5" allows, a qualitative result read as positive or negative), so the two
back ends start from the same reading of every fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eligo.engine.evaluate import diagnosis_date
from eligo.engine.labs import _sig, result_word, value_range
from eligo.model.patient import (
    DOMAINS,
    Condition,
    Medication,
    Observation,
    Patient,
    Procedure,
)
from eligo.screen.tables import GENDER_CONCEPTS, OPERATOR_CONCEPTS, TABLES

Rows = dict[str, list[tuple[Any, ...]]]


def words(text: str | None) -> str:
    """Case-folded, underscores as spaces, runs of space collapsed: how the evaluator compares
    words (``eligo.engine.conditions._words``)."""
    return " ".join((text or "").casefold().replace("_", " ").split())


def joined(text_parts: Iterable[str | None]) -> str:
    """How the evaluator joins a procedure's text, site and intent before looking for words."""
    return " ".join((part or "").casefold() for part in text_parts)


def site_list(sites: Iterable[str]) -> str | None:
    listed = [words(site) for site in sites]
    return "|" + "|".join(listed) + "|" if listed else None


def stage_base(group: str | None) -> str | None:
    import re

    return re.sub(r"(?<=[IV])[ABC]\d?$", "", group) if group else None


def line_key(med: Medication) -> str:
    """The name a line of therapy knows a medication by (``TreatmentRules._line_has``)."""
    return med.drug_id or (med.text or "").lower()


def canonical(obs: Observation, vocab: Any) -> Observation:
    """The observation in its measurement's canonical unit, when it can be converted (the
    reference range with it); as it is otherwise."""
    from eligo.vocab import UnitError, normalise

    concept = vocab.measurements.get(obs.measurement_id or "")
    target = concept.unit if concept is not None else None
    if obs.value is None or obs.unit is None or target is None or obs.unit == target:
        return obs
    try:
        value, unit = normalise(obs.value, obs.unit, obs.measurement_id)
    except UnitError:
        return obs
    if unit != target:
        return obs
    factor = value / obs.value if obs.value else 1.0
    return obs.model_copy(
        update={
            "value": value,
            "unit": unit,
            "original_value": obs.original_value if obs.original_value is not None else obs.value,
            "original_unit": obs.original_unit or obs.unit,
            "reference_low": None if obs.reference_low is None else obs.reference_low * factor,
            "reference_high": None if obs.reference_high is None else obs.reference_high * factor,
        }
    )


class RowWriter:
    """Collects the rows of many patients; ids are given in record order."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self.rows: Rows = {name: [] for name in TABLES}
        self._next = dict.fromkeys(TABLES, 0)

    def _id(self, table: str) -> int:
        self._next[table] += 1
        return self._next[table]

    def add(self, patient: Patient, person_id: int | None = None) -> int:
        pid = person_id if person_id is not None else self._id("person")
        self.rows["person"].append(self._person(pid, patient))
        for condition in patient.conditions:
            self.rows["condition_occurrence"].append(self._condition(pid, condition))
        for obs in patient.observations:
            self.rows["measurement"].append(self._measurement(pid, obs))
        for med in patient.medications:
            self.rows["drug_exposure"].append(self._drug(pid, med))
        for line in patient.therapy_lines:
            for key in dict.fromkeys(line.drugs):
                self.rows["therapy_line"].append((pid, line.number, line.start, line.end, key))
        for proc in patient.procedures:
            self.rows["procedure_occurrence"].append(self._procedure(pid, proc))
        for fact in _observations(patient):
            self.rows["observation"].append((self._id("observation"), pid, 0, *fact))
        return pid

    def _person(self, pid: int, patient: Patient) -> tuple[Any, ...]:
        born = patient.birth_date
        return (
            pid,
            patient.id,
            GENDER_CONCEPTS.get(patient.sex or "", 0),
            patient.sex,
            born.year if born else None,
            born.month if born else None,
            born.day if born else None,
            patient.stated_age,
            patient.stated_age_on,
            diagnosis_date(patient, self.vocab),
            *(patient.is_documented(domain) for domain in DOMAINS),
            *(domain in getattr(patient, "summarised", ()) for domain in DOMAINS),
        )

    def _condition(self, pid: int, c: Condition) -> tuple[Any, ...]:
        stage = c.stage
        histology = c.histology
        histology_text = histology.text if histology else None
        return (
            self._id("condition_occurrence"),
            pid,
            0,
            c.concept_id,
            c.onset,
            c.abatement,
            c.status,
            c.negated,
            c.certainty == "uncertain",
            c.role,
            histology.concept_id if histology else None,
            c.text,
            histology_text,
            c.grade,
            c.body_site,
            stage.group if stage else None,
            stage.m if stage else None,
            "|".join(c.metastatic_sites) if c.metastatic_sites else None,
            words(c.text),
            words(c.grade),
            words(histology_text),
            " ".join(words(t) for t in (c.grade, histology_text, c.text)),
            words(c.body_site),
            site_list(c.metastatic_sites),
            stage_base(stage.group if stage else None),
        )

    def _measurement(self, pid: int, o: Observation) -> tuple[Any, ...]:
        o = canonical(o, self.vocab)
        low = high = None
        if o.value is not None:
            low, high = (_sig(v) for v in value_range(o.value, o.comparator))
        usable = o.value is not None or bool(o.value_text) or bool(o.interpretation)
        return (
            self._id("measurement"),
            pid,
            0,
            o.measurement_id,
            o.date,
            OPERATOR_CONCEPTS.get(o.comparator or "", 0),
            o.value,
            o.unit,
            o.reference_low,
            o.reference_high,
            o.value_text,
            o.interpretation,
            o.original_value,
            o.original_unit,
            low,
            high,
            result_word(o),
            usable,
        )

    def _drug(self, pid: int, m: Medication) -> tuple[Any, ...]:
        return (
            self._id("drug_exposure"),
            pid,
            0,
            m.drug_id,
            m.start,
            m.end,
            m.text,
            line_key(m),
            "|" + "|".join(m.classes) + "|" if m.classes else None,
            m.role,
            m.status,
            m.intent,
            m.negated,
            m.regimen,
            m.line,
        )

    def _procedure(self, pid: int, p: Procedure) -> tuple[Any, ...]:
        return (
            self._id("procedure_occurrence"),
            pid,
            0,
            p.kind,
            p.start,
            p.end,
            p.text,
            p.site,
            p.intent,
            "|".join(p.qualifiers) if p.qualifiers else None,
            p.negated,
            joined((p.text, p.site)),
            joined((p.text, p.site, p.intent)),
        )


def _observations(p: Patient) -> Iterable[tuple[Any, ...]]:
    """(domain, source value, date, end date, number, string, unit, qualifier, scale,
    pregnant, breastfeeding, flag) for the facts OMOP's observation table holds."""
    for s in p.performance_status:
        yield (
            "performance_status",
            s.scale,
            s.date,
            None,
            float(s.value),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    for b in p.biomarkers:
        value = None if b.value is None else _sig(b.value)
        yield (
            "biomarker",
            b.name,
            b.date,
            None,
            value,
            b.result,
            b.unit,
            b.value_text,
            b.scale,
            None,
            None,
            None,
        )
    for s in p.pregnancy:
        yield (
            "pregnancy",
            "pregnancy",
            s.date,
            None,
            None,
            None,
            None,
            None,
            None,
            s.pregnant,
            s.breastfeeding,
            None,
        )
    for v in p.vaccinations:
        yield (
            "vaccination",
            v.vaccine,
            v.date,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            v.live,
        )
    for t in p.trial_participation:
        yield (
            "trial_participation",
            t.trial,
            t.start,
            t.end,
            None,
            t.text,
            None,
            None,
            None,
            None,
            None,
            t.investigational,
        )
    for d in p.disease_status:
        yield (
            "disease_status",
            d.status,
            d.date,
            None,
            None,
            d.text,
            None,
            None,
            None,
            None,
            None,
            None,
        )
