"""The rows of one person in the screening tables, read back as a patient of eligo's model
(what the Python evaluator judges when the tests hold it to the SQL's answers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from eligo.model.patient import (
    DOMAINS,
    Biomarker,
    Condition,
    DiseaseStatus,
    Histology,
    Medication,
    Observation,
    Patient,
    PerformanceStatus,
    PregnancyStatus,
    Procedure,
    Stage,
    TherapyLine,
    TrialParticipation,
    Vaccination,
)
from eligo.screen.tables import OPERATORS


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def patient_from_rows(person: dict[str, Any], facts: dict[str, list[dict[str, Any]]]) -> Patient:
    """The patient one ``person`` row and its facts describe (columns by name)."""
    year, month, day = person["year_of_birth"], person["month_of_birth"], person["day_of_birth"]
    patient = Patient(
        id=person["person_source_value"],
        birth_date=dt.date(year, month, day) if year and month and day else None,
        stated_age=person["stated_age"],
        stated_age_on=_date(person["stated_age_on"]),
        sex=person["gender_source_value"],
        documented={d for d in DOMAINS if person[f"documented_{d}"]},
        summarised={d for d in DOMAINS if person.get(f"summarised_{d}")},
        conditions=[_condition(r) for r in facts.get("condition_occurrence", [])],
        observations=[_observation(r) for r in facts.get("measurement", [])],
        medications=[_medication(r) for r in facts.get("drug_exposure", [])],
        procedures=[_procedure(r) for r in facts.get("procedure_occurrence", [])],
    )
    lines: dict[int, TherapyLine] = {}
    for row in facts.get("therapy_line", []):
        line = lines.setdefault(
            row["line_number"],
            TherapyLine(
                number=row["line_number"],
                drugs=[],
                start=_date(row["line_start_date"]),
                end=_date(row["line_end_date"]),
            ),
        )
        line.drugs.append(row["drug_key"])
    patient.therapy_lines = [lines[n] for n in sorted(lines)]
    for row in facts.get("observation", []):
        _add_observation(patient, row)
    return patient


def _condition(r: dict[str, Any]) -> Condition:
    histology = None
    if r["histology_source_value"] or r["histology_text"]:
        histology = Histology(concept_id=r["histology_source_value"], text=r["histology_text"])
    stages = []
    if r["stage_group"] or r["stage_m"]:
        stages = [Stage(group=r["stage_group"], m=r["stage_m"])]
    return Condition(
        concept_id=r["condition_source_value"],
        text=r["condition_text"],
        status=r["condition_status_source_value"],
        negated=bool(r["negated"]),
        certainty="uncertain" if r["uncertain"] else "confirmed",
        role=r["role"],
        onset=_date(r["condition_start_date"]),
        abatement=_date(r["condition_end_date"]),
        body_site=r["body_site"],
        stages=stages,
        histology=histology,
        grade=r["grade"],
        metastatic_sites=r["metastatic_sites"].split("|") if r["metastatic_sites"] else [],
    )


def _observation(r: dict[str, Any]) -> Observation:
    return Observation(
        measurement_id=r["measurement_source_value"],
        value=r["value_as_number"],
        unit=r["unit_source_value"],
        comparator=OPERATORS.get(r["operator_concept_id"] or 0),
        value_text=r["value_source_value"],
        interpretation=r["interpretation"],
        reference_low=r["range_low"],
        reference_high=r["range_high"],
        original_value=r["original_value"],
        original_unit=r["original_unit"],
        date=_date(r["measurement_date"]),
    )


def _medication(r: dict[str, Any]) -> Medication:
    return Medication(
        drug_id=r["drug_source_value"],
        text=r["drug_text"],
        classes=[c for c in (r["drug_classes"] or "").split("|") if c],
        role=r["role"],
        start=_date(r["drug_exposure_start_date"]),
        end=_date(r["drug_exposure_end_date"]),
        status=r["status"],
        intent=r["intent"],
        negated=bool(r["negated"]),
        regimen=r["regimen"],
        line=r["line"],
    )


def _procedure(r: dict[str, Any]) -> Procedure:
    return Procedure(
        kind=r["procedure_source_value"],
        text=r["procedure_text"],
        site=r["site"],
        intent=r["intent"],
        qualifiers=[q for q in (r["qualifiers"] or "").split("|") if q],
        start=_date(r["procedure_date"]),
        end=_date(r["procedure_end_date"]),
        negated=bool(r["negated"]),
    )


def _add_observation(patient: Patient, r: dict[str, Any]) -> None:
    domain, name, date = r["domain"], r["observation_source_value"], _date(r["observation_date"])
    if domain == "performance_status":
        patient.performance_status.append(
            PerformanceStatus(scale=name, value=int(r["value_as_number"]), date=date)
        )
    elif domain == "biomarker":
        patient.biomarkers.append(
            Biomarker(
                name=name,
                value=r["value_as_number"],
                result=r["value_as_string"],
                unit=r["unit_source_value"],
                value_text=r["qualifier_source_value"],
                scale=r["scale"],
                date=date,
            )
        )
    elif domain == "pregnancy":
        patient.pregnancy.append(
            PregnancyStatus(
                pregnant=_bool(r["pregnant"]), breastfeeding=_bool(r["breastfeeding"]), date=date
            )
        )
    elif domain == "vaccination":
        patient.vaccinations.append(Vaccination(vaccine=name, live=_bool(r["flag"]), date=date))
    elif domain == "trial_participation":
        patient.trial_participation.append(
            TrialParticipation(
                trial=name,
                text=r["value_as_string"],
                start=date,
                end=_date(r["observation_end_date"]),
                investigational=bool(r["flag"]),
            )
        )
    elif domain == "disease_status":
        patient.disease_status.append(
            DiseaseStatus(status=name, text=r["value_as_string"], date=date)
        )
