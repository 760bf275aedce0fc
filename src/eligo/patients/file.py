"""eligo patient files (JSON or YAML, format in :mod:`eligo.patients.file_format`) → Patient.

Every name is checked against the vocabulary: an unknown one is an error naming the field, the
value and the closest names eligo knows. Values are normalised like any other record's.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from eligo.errors import RecordError
from eligo.model.patient import (
    DOMAINS,
    Biomarker,
    DiseaseStatus,
    FactSource,
    Observation,
    Patient,
    PatientRead,
    PerformanceStatus,
    PregnancyStatus,
    TrialParticipation,
    Vaccination,
)
from eligo.patients import concepts, names
from eligo.patients.file_conditions import read_absent, read_diagnosis
from eligo.patients.file_format import (
    BiomarkerEntry,
    FieldProblem,
    LabEntry,
    PatientFile,
    PerformanceEntry,
    Quantity,
)
from eligo.patients.file_treatments import read_never_received, read_procedure, read_treatment
from eligo.vocab.units import UnitError

SCHEMA_PATH = Path(__file__).with_name("patient.schema.json")
# Which file key documents which domain of the patient.
_KEY_DOMAINS = {
    "age": "demographics",
    "birth_date": "demographics",
    "diagnoses": "conditions",
    "absent": None,
    "labs": "observations",
    "vitals": "observations",
    "ecog": "performance_status",
    "karnofsky": "performance_status",
    "biomarkers": "biomarkers",
    "treatments": "medications",
    "procedures": "procedures",
    "pregnant": "pregnancy",
    "vaccinations": "vaccinations",
    "trials": "trial_participation",
    "disease_status": "disease_status",
}


def patient_file_schema() -> dict[str, Any]:
    schema = PatientFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://eligo.example/schemas/patient.schema.json"
    return schema


def write_schema(path: Path = SCHEMA_PATH) -> None:
    path.write_text(json.dumps(patient_file_schema(), indent=2) + "\n", encoding="utf-8")


def read_patient_file(
    source: str | Path | dict[str, Any], *, name: str | None = None
) -> PatientRead:
    """Read an eligo patient file (a path, JSON/YAML text, or an already parsed mapping)."""
    data, file = _load(source, name)
    try:
        entry = PatientFile.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        raise RecordError(
            _pydantic_message(dict(problem)), source=file, field=_loc(problem["loc"])
        ) from None
    try:
        patient = build_patient(entry, file, present=set(data))
    except FieldProblem as problem:
        raise RecordError(str(problem), source=file, field=problem.field) from None
    return PatientRead(patient=patient)


def _load(source: str | Path | dict[str, Any], name: str | None) -> tuple[dict[str, Any], str]:
    file = name or (str(source) if isinstance(source, Path) else "patient file")
    data: Any = source
    if isinstance(source, Path):
        try:
            data = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RecordError(f"cannot read the file: {error}", source=file) from error
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)  # YAML is a superset of JSON
        except yaml.YAMLError as error:
            raise RecordError(f"not JSON or YAML: {error}", source=file) from None
    if not isinstance(data, dict):
        raise RecordError(
            "a patient file is a mapping of fields (age, sex, diagnoses…)", source=file
        )
    return data, file


def _loc(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in (
            "str",
            "CodeRef",
            "StageEntry",
            "PerformanceEntry",
            "Quantity",
            "int",
            "float",
        ) or "[" in str(part):
            continue  # the branch of a union pydantic tried, not a field of the file
        else:
            path += f".{part}" if path else str(part)
    return path


def _pydantic_message(problem: dict[str, Any]) -> str:
    if problem["type"] == "extra_forbidden":
        field = str(problem["loc"][-1])
        known = list(PatientFile.model_fields) if len(problem["loc"]) == 1 else []
        import difflib

        close = difflib.get_close_matches(field, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {field!r}{hint}"
    return f"{problem['msg']} (got {problem.get('input')!r})"


def build_patient(entry: PatientFile, file: str, present: set[str] | None = None) -> Patient:
    present = present if present is not None else set(entry.model_fields_set)

    def src(field: str) -> FactSource:
        return FactSource(adapter="file", file=file, field=field)

    as_of = entry.as_of
    patient = Patient(id=entry.id, birth_date=entry.birth_date, sex=entry.sex, source=src("(file)"))
    if entry.age is not None:
        if entry.birth_date is not None:
            raise FieldProblem("age", "give age or birth_date, not both")
        patient.stated_age, patient.stated_age_on = entry.age, as_of or dt.date.today()
    for i, diagnosis in enumerate(entry.diagnoses or []):
        patient.conditions.append(
            _at(f"diagnoses[{i}]", read_diagnosis, diagnosis, src(f"diagnoses[{i}]"))
        )
    for i, name in enumerate(entry.absent or []):
        patient.conditions.append(_at(f"absent[{i}]", read_absent, name, src(f"absent[{i}]")))
    for key in ("labs", "vitals"):
        for i, lab in enumerate(getattr(entry, key) or []):
            patient.observations.append(_at(f"{key}[{i}]", _lab, lab, src(f"{key}[{i}]")))
    for key, measurement, default_unit in (("weight", "weight", "kg"), ("height", "height", "cm")):
        value = getattr(entry, key)
        if value is not None:
            patient.observations.append(
                _at(key, _body, measurement, value, default_unit, as_of, src(key))
            )
    for scale in ("ecog", "karnofsky"):
        value = getattr(entry, scale)
        if value is not None:
            patient.performance_status.append(_at(scale, _performance, scale, value, src(scale)))
    for i, marker in enumerate(entry.biomarkers or []):
        patient.biomarkers.append(
            _at(f"biomarkers[{i}]", _biomarker, marker, src(f"biomarkers[{i}]"))
        )
    for i, treatment in enumerate(entry.treatments or []):
        patient.medications += _at(
            f"treatments[{i}]", read_treatment, treatment, i, src(f"treatments[{i}]"), as_of
        )
    for i, name in enumerate(entry.never_received or []):
        patient.medications.append(
            _at(f"never_received[{i}]", read_never_received, name, src(f"never_received[{i}]"))
        )
    for i, procedure in enumerate(entry.procedures or []):
        patient.procedures.append(
            _at(f"procedures[{i}]", read_procedure, procedure, src(f"procedures[{i}]"))
        )
    _rest(entry, patient, src, as_of)
    patient.documented = _documented(entry, present)
    patient.refresh_therapy_lines()
    return patient


def _rest(entry: PatientFile, patient: Patient, src: Any, as_of: dt.date | None) -> None:
    if entry.pregnant is not None or entry.breastfeeding is not None:
        patient.pregnancy.append(
            PregnancyStatus(
                pregnant=entry.pregnant,
                breastfeeding=entry.breastfeeding,
                date=as_of,
                source=src("pregnant"),
            )
        )
    for i, v in enumerate(entry.vaccinations or []):
        patient.vaccinations.append(
            Vaccination(
                vaccine=v.vaccine, live=v.live, date=v.date, source=src(f"vaccinations[{i}]")
            )
        )
    for i, t in enumerate(entry.trials or []):
        patient.trial_participation.append(
            TrialParticipation(
                trial=t.trial, text=t.text, start=t.start, end=t.end, source=src(f"trials[{i}]")
            )
        )
    for i, d in enumerate(entry.disease_status or []):
        patient.disease_status.append(
            DiseaseStatus(
                status=d.status, date=d.date, text=d.text, source=src(f"disease_status[{i}]")
            )
        )


def _at(field: str, read: Any, *args: Any) -> Any:
    """Run one entry's reader; a problem in it names the entry's field."""
    try:
        return read(*args)
    except FieldProblem as problem:
        raise FieldProblem(f"{field}.{problem.field}", str(problem)) from None
    except names.UnknownName as error:
        sub = {
            "condition": "condition",
            "drug": "drug",
            "measurement": "name",
            "biomarker": "name",
        }[error.kind]
        raise FieldProblem(f"{field}.{sub}", str(error)) from None


def _documented(entry: PatientFile, present: set[str]) -> set[str]:
    if entry.documented is not None:
        unknown = [d for d in entry.documented if d not in DOMAINS]
        if unknown:
            raise FieldProblem(
                "documented", f"unknown domain {unknown[0]!r} (domains: {', '.join(DOMAINS)})"
            )
        return set(entry.documented)
    found = {domain for k in present if (domain := _KEY_DOMAINS.get(k))}
    if "demographics" in found and entry.sex is None:
        found.discard("demographics")
    return found


def _normalised(value: float, unit: str | None, measurement: str | None) -> tuple[float, str]:
    if unit is None and concepts.canonical_unit(measurement) not in (None, "1"):
        raise FieldProblem(
            "unit", f"missing: {measurement} is measured in {concepts.canonical_unit(measurement)}"
        )
    try:
        return concepts.normalised(value, unit, measurement)
    except UnitError as error:
        raise FieldProblem("unit", f"{unit!r}: {error}") from None


_ELSEWHERE = {
    "ecog": "ecog: 1",
    "karnofsky": "karnofsky: 80",
    "lansky": "karnofsky: 80",
    "ki67": "biomarkers: [{name: Ki-67, value: 25, unit: '%'}]",
    "h_score": "biomarkers: [{name: DLL3, scale: h_score, value: 120}]",
}


def _lab(lab: LabEntry, source: FactSource) -> Observation:
    measurement = names.measurement_id(lab.name)
    if measurement in _ELSEWHERE:
        raise FieldProblem(
            "name", f"{lab.name!r} is not a lab here: write {_ELSEWHERE[measurement]}"
        )
    obs = Observation(
        measurement_id=measurement,
        text=lab.name,
        comparator=lab.comparator,
        value_text=lab.result,
        date=lab.date,
        source=source,
        original_value=lab.value,
        original_unit=lab.unit,
    )
    if lab.value is None:
        if lab.result is None:
            raise FieldProblem("value", "a lab needs a value (or a result in words)")
        return obs
    obs.value, obs.unit = _normalised(lab.value, lab.unit, measurement)
    for bound in ("low", "high"):
        raw = getattr(lab, bound)
        if raw is not None:
            setattr(obs, f"reference_{bound}", _normalised(raw, lab.unit, measurement)[0])
    return obs


def _body(
    measurement: str,
    value: float | Quantity,
    default_unit: str,
    as_of: dt.date | None,
    source: FactSource,
) -> Observation:
    quantity = (
        value
        if isinstance(value, Quantity)
        else Quantity(value=value, unit=default_unit, date=as_of)
    )
    try:
        found, unit = concepts.normalised(quantity.value, quantity.unit, measurement)
    except UnitError as error:
        raise FieldProblem("unit", f"{quantity.unit!r}: {error}") from None
    return Observation(
        measurement_id=measurement,
        value=found,
        unit=unit,
        original_value=quantity.value,
        original_unit=quantity.unit,
        date=quantity.date,
        text=measurement,
        source=source,
    )


def _performance(
    scale: Literal["ecog", "karnofsky"], value: int | PerformanceEntry, source: FactSource
) -> PerformanceStatus:
    entry = value if isinstance(value, PerformanceEntry) else PerformanceEntry(value=value)
    ok = 0 <= entry.value <= 5 if scale == "ecog" else 0 <= entry.value <= 100
    if not ok or (scale == "karnofsky" and entry.value % 10):
        expected = "0 to 5" if scale == "ecog" else "0 to 100 in steps of 10"
        raise FieldProblem("value", f"{entry.value} is not a {scale.upper()} score ({expected})")
    return PerformanceStatus(
        scale=scale,
        value=entry.value,
        date=entry.date,
        source=source,
    )


def _biomarker(marker: BiomarkerEntry, source: FactSource) -> Biomarker:
    marker_id = names.biomarker_id(marker.name)
    scale = marker.scale
    if scale is None and marker.value is not None:
        scale = "percent" if (marker.unit or "").strip() == "%" else None
    if marker.value is None and marker.result is None and marker.text is None:
        raise FieldProblem("value", "a biomarker needs a value, a result or a text")
    return Biomarker(
        name=marker_id,
        value=marker.value,
        unit=marker.unit,
        scale=scale,
        result=marker.result,
        value_text=marker.text,
        date=marker.date,
        source=source,
    )
