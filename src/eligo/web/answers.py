"""A person's answers on the trial page → an eligo patient file → a Patient.

The answers are turned into the patient-file format (:mod:`eligo.patients.file_format`) and
read with :func:`eligo.patients.read_patient_file`, so they go through the same checks and
unit normalisation as a file. Free text (a diagnosis, treatments) is read with the vocabulary;
what it does not recognise is told back to the person, never guessed. An uploaded FHIR bundle
is read with the FHIR adapter instead.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from eligo.errors import RecordError
from eligo.model.patient import PatientRead

_SPLIT = re.compile(r"[;\n]+")
_PIECES = re.compile(r",|\band\b|\bthen\b|\+", re.IGNORECASE)
MAX_LINES = 20


@cache
def wording() -> dict[str, Any]:
    return json.loads(files("eligo.web").joinpath("data/questions.json").read_text("utf-8"))


@dataclass
class Answers:
    """What was read from the form: the patient (None when nothing usable was given) and
    problems to show next to the fields."""

    read: PatientRead | None
    problems: dict[str, str] = field(default_factory=dict)  # field name → message
    notes: list[str] = field(default_factory=list)  # what was understood from free text
    given: dict[str, str] = field(default_factory=dict)  # the answers, to fill the form again


def read_answers(
    form: Mapping[str, str], vocab: Any, *, today: dt.date, bundle: bytes | None = None
) -> Answers:
    given = {k: v for k, v in form.items() if v and k != "csrf_token"}
    if bundle:
        return _from_bundle(bundle, given)
    answers = Answers(read=None, given=given)
    data: dict[str, Any] = {"id": "your-answers", "as_of": today.isoformat()}
    _demographics(form, data, answers)
    _diagnosis(form, data, answers, vocab)
    _treatments(form, data, answers, vocab, today)
    _labs(form, data, answers, today)
    _ecog(form, data, answers)
    _yes_no(form, data, answers, vocab)
    answers.read = _read(data, answers)
    return answers


def _number(
    form: Mapping[str, str], name: str, answers: Answers, low: float, high: float
) -> float | None:
    text = (form.get(name) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        answers.problems[name] = "Write a number."
        return None
    if not math.isfinite(value) or not low <= value <= high:
        answers.problems[name] = f"Write a number from {low:g} to {high:g}."
        return None
    return value


def _demographics(form: Mapping[str, str], data: dict[str, Any], answers: Answers) -> None:
    age = _number(form, "age", answers, 0, 120)
    if age is not None:
        data["age"] = age
    sex = form.get("sex", "")
    if sex in ("female", "male"):
        data["sex"] = sex
    elif sex:
        answers.problems["sex"] = "Choose female or male."


def _diagnosis(form: Mapping[str, str], data: dict[str, Any], answers: Answers, vocab: Any) -> None:
    concepts: list[str] = []
    chosen = form.get("diagnosis", "")
    if chosen:
        if chosen in vocab.conditions:
            concepts.append(chosen)
        else:
            answers.problems["diagnosis"] = "Choose a diagnosis from the list."
    text = (form.get("diagnosis_text") or "").strip()
    if text:
        found = [m.concept_id for m in vocab.find_conditions(text)]
        if found:
            concepts.extend(found)
            labels = ", ".join(vocab.conditions[c].label for c in dict.fromkeys(found))
            answers.notes.append(f"Diagnosis read as: {labels}.")
        else:
            answers.problems["diagnosis_text"] = (
                "eligo does not recognise this diagnosis; try the name on your report "
                "(e.g. small cell lung cancer)."
            )
    if concepts:
        data["diagnoses"] = [{"condition": c} for c in dict.fromkeys(concepts)]


def _treatments(
    form: Mapping[str, str], data: dict[str, Any], answers: Answers, vocab: Any, today: dt.date
) -> None:
    entries: list[dict[str, Any]] = []
    unknown: list[str] = []
    text = (form.get("treatments") or "").strip()
    for line_number, regimen in enumerate(p for p in _SPLIT.split(text) if p.strip()):
        drugs = []
        for piece in (p.strip() for p in _PIECES.split(regimen) if p.strip()):
            found = [m.concept_id for m in vocab.find_drugs(piece)]
            drugs.extend(found) if found else unknown.append(piece)
        for drug in dict.fromkeys(drugs):
            entries.append({"drug": drug, "line": line_number + 1})
    if unknown:
        answers.problems["treatments"] = (
            "eligo does not recognise: " + ", ".join(unknown[:5]) + ". Check the spelling, or "
            "write the medicine's generic name."
        )
    lines = _number(form, "lines", answers, 0, MAX_LINES)
    if lines is not None:
        known = max((e["line"] for e in entries), default=0)
        entries.extend(
            {"drug": "anticancer_therapy", "line": n} for n in range(known + 1, int(lines) + 1)
        )
        if int(lines) == 0:
            data.setdefault("never_received", []).append("anticancer_therapy")
    if entries:
        data["treatments"] = entries
        names = sorted({vocab.drugs[e["drug"]].label for e in entries if e["drug"] in vocab.drugs})
        if names:
            answers.notes.append("Treatments read as: " + ", ".join(names) + ".")


def _labs(form: Mapping[str, str], data: dict[str, Any], answers: Answers, today: dt.date) -> None:
    labs = []
    for name, spec in wording()["labs"].items():
        value = _number(form, f"lab:{name}", answers, 0, 1e7)
        if value is None:
            continue
        units = [u for u, _ in spec["units"]]
        unit = form.get(f"unit:{name}") or units[0]
        if unit not in units:
            answers.problems[f"unit:{name}"] = "Choose a unit from the list."
            continue
        if name == "weight":
            data["weight"] = {"value": value, "unit": unit, "date": today.isoformat()}
        else:
            entry = {"name": name, "value": value, "date": today.isoformat()}
            if unit != "1":
                entry["unit"] = unit
            labs.append(entry)
    if labs:
        data["labs"] = labs


def _ecog(form: Mapping[str, str], data: dict[str, Any], answers: Answers) -> None:
    value = form.get("ecog", "")
    if value in {"0", "1", "2", "3", "4"}:
        data["ecog"] = int(value)
    elif value:
        answers.problems["ecog"] = "Choose one of the sentences."


def _yes_no(form: Mapping[str, str], data: dict[str, Any], answers: Answers, vocab: Any) -> None:
    for name, value in form.items():
        if not name.startswith("has:") or value not in ("yes", "no"):
            continue
        key = name[4:]
        kind, _, ident = key.partition(":")
        if kind == "condition" and ident in vocab.conditions:
            if value == "yes":
                data.setdefault("diagnoses", []).append({"condition": ident})
            else:
                data.setdefault("absent", []).append(ident)
        elif kind == "therapy" and (ident in vocab.drugs or ident in vocab.drug_classes):
            if value == "yes":
                data.setdefault("treatments", []).append({"drug": ident})
            else:
                data.setdefault("never_received", []).append(ident)
        elif key == "pregnancy":
            data["pregnant"] = value == "yes"
        elif key == "breastfeeding":
            data["breastfeeding"] = value == "yes"


def _read(data: dict[str, Any], answers: Answers) -> PatientRead | None:
    from eligo.patients import read_patient_file

    try:
        return read_patient_file(data, name="your answers")
    except RecordError as error:
        answers.problems["form"] = str(error)
        return None


def _from_bundle(bundle: bytes, given: dict[str, str]) -> Answers:
    from eligo.patients import read_fhir_bundle

    answers = Answers(read=None, given=given)
    try:
        data = json.loads(bundle.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answers.problems["bundle"] = "This file is not a FHIR bundle in JSON."
        return answers
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        answers.problems["bundle"] = 'This file is not a FHIR Bundle (resourceType "Bundle").'
        return answers
    try:
        answers.read = read_fhir_bundle(data, name="your file")
    except RecordError as error:
        answers.problems["bundle"] = str(error)
        return answers
    answers.notes.append("Your record was read from the file; the answers above were not used.")
    return answers
