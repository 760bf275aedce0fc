"""Free-text clinical notes and patients' own descriptions → eligo patients."""

from eligo.patients.note.reader import read_note, warm_up

__all__ = ["read_note", "warm_up"]
