"""One entry point for every kind of patient record: FHIR bundle, eligo patient file, or note."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from eligo.errors import RecordError
from eligo.model.patient import PatientRead
from eligo.patients.fhir import read_fhir_bundle
from eligo.patients.file import read_patient_file
from eligo.patients.note import read_note

_NOTE_SUFFIXES = {".txt", ".text", ".note", ".md"}
_FILE_SUFFIXES = {".json", ".yaml", ".yml"}
_MAX_PATH = 4096


def read_patient(source: str | Path, *, as_of: dt.date | None = None) -> PatientRead:
    """Read a patient from a path (FHIR bundle, .json/.yaml/.yml patient file, .txt note) or
    from text given directly (JSON or YAML of either format, else a note).

    ``as_of`` dates what a note says relatively ("2 months ago") and a stated age; bad input
    raises :class:`~eligo.errors.RecordError` naming the file and the field.
    """
    path = _as_path(source)
    if path is None:
        return _read_text(str(source), "text", as_of)
    if not path.exists():
        raise RecordError("no such file", source=str(path))
    if path.is_dir():
        raise RecordError("a folder, not a patient record", source=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RecordError(f"cannot read the file: {error}", source=str(path)) from None
    suffix = path.suffix.lower()
    if suffix in _NOTE_SUFFIXES:
        return read_note(text, as_of=as_of, name=str(path))
    if suffix not in _FILE_SUFFIXES:
        raise RecordError(
            f"unknown kind of patient record {suffix!r} (expected .json, .yaml, .yml or .txt)",
            source=str(path),
        )
    return _read_structured(text, str(path), as_of, yaml_allowed=suffix != ".json")


def _as_path(source: str | Path) -> Path | None:
    if isinstance(source, Path):
        return source
    if "\n" in source or len(source) > _MAX_PATH or not source.strip():
        return None
    candidate = Path(source.strip())
    looks_like_file = candidate.suffix.lower() in _NOTE_SUFFIXES | _FILE_SUFFIXES and " " not in (
        candidate.name
    )
    return candidate if looks_like_file or candidate.exists() else None


def _read_text(text: str, name: str, as_of: dt.date | None) -> PatientRead:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _read_structured(text, name, as_of, yaml_allowed=False)
    if _looks_like_yaml_file(text):
        return _read_structured(text, name, as_of, yaml_allowed=True)
    return read_note(text, as_of=as_of, name=None)


def _looks_like_yaml_file(text: str) -> bool:
    """A patient file written as YAML text: a mapping whose first key is a patient-file key."""
    from eligo.patients.file_format import PatientFile

    first = next(
        (line for line in text.splitlines() if line.strip() and not line.startswith("#")), ""
    )
    key = first.split(":", 1)[0].strip()
    return ":" in first and key in PatientFile.model_fields


def _read_structured(
    text: str, name: str, as_of: dt.date | None, *, yaml_allowed: bool
) -> PatientRead:
    data: Any
    try:
        data = json.loads(text)
    except ValueError as error:
        if not yaml_allowed:
            raise RecordError(f"not JSON: {error}", source=name) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as problem:
            raise RecordError(f"not JSON or YAML: {problem}", source=name) from None
    if not isinstance(data, dict):
        raise RecordError("a patient record is a JSON/YAML object", source=name)
    if "resourceType" in data:
        return read_fhir_bundle(data, name=name)
    if as_of is not None and "as_of" not in data:
        data = {**data, "as_of": as_of}
    return read_patient_file(data, name=name)
