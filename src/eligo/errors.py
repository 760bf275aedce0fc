"""eligo's exceptions. Every error a user can see names the record and the field at fault.

    EligoError
    ├── RecordError        a record (trial or patient) that cannot be read; names source, id, field
    └── StorageError       the database cannot be opened or written
"""

from __future__ import annotations


class EligoError(Exception):
    """Base of every error eligo raises on purpose; the CLI prints these without a traceback."""


class RecordError(EligoError):
    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        record_id: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.record_id = record_id
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [part for part in (self.source, self.record_id) if part]
        prefix = ": ".join(where)
        field = f" [field: {self.field}]" if self.field else ""
        return f"{prefix}: {self.message}{field}" if prefix else f"{self.message}{field}"


class StorageError(EligoError):
    pass
