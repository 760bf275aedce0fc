"""Trial records in, :class:`eligo.model.Trial` out, whatever the format and container.

    >>> for item in read_trials("all_records_xml.tar.gz"):
    ...     if isinstance(item, RecordError): report(item)
    ...     else: keep(item)

A path may be one file, a folder (read recursively, in sorted order) or an archive (``.tar.gz`` read
as a stream, ``.zip``). Each file's format is detected from its content; ``format=`` forces one.
One bad record yields a :class:`RecordError` and the others still come through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from eligo.errors import RecordError
from eligo.ingest import csv_export, ctgov_json, ctgov_xml, fhir, page_text
from eligo.ingest.containers import count_hint, documents
from eligo.ingest.detect import describe_unknown, detect_format
from eligo.ingest.document import Document
from eligo.model import Trial

Reader = Callable[[Document], Iterator[Trial | RecordError]]

#: Format name → the reader of one document in that format.
READERS: dict[str, Reader] = {
    ctgov_json.FORMAT: ctgov_json.read,
    ctgov_xml.FORMAT: ctgov_xml.read,
    csv_export.FORMAT: csv_export.read,
    page_text.FORMAT: page_text.read,
    fhir.FORMAT: fhir.read,
}

FORMATS: tuple[str, ...] = tuple(READERS)

__all__ = ["FORMATS", "RecordError", "count_hint", "detect_format", "read_document",
           "read_trials"]


def read_trials(path: str | Path, format: str | None = None) -> Iterator[Trial | RecordError]:
    """Every record under ``path``, one item each: a Trial, or a RecordError naming the file
    (``archive.tar.gz!member.xml`` inside archives), the record id when known and the field.

    Raises RecordError at once if ``path`` does not exist and ValueError for an unknown
    ``format``; bad content never raises, it is yielded.
    """
    if format is not None and format not in READERS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    root = Path(path)
    if not root.exists():
        raise RecordError("no such file or folder", source=str(path))
    return _read_all(root, format)


def _read_all(root: Path, format: str | None) -> Iterator[Trial | RecordError]:
    for document in documents(root):
        if isinstance(document, RecordError):
            yield document
        else:
            yield from read_document(document, format)


def read_document(document: Document, format: str | None = None) -> Iterator[Trial | RecordError]:
    """The records of one document (a file or an archive member)."""
    try:
        head = document.head
    except OSError as error:
        yield RecordError(f"cannot read file: {error}", source=document.name)
        return
    if not head.strip():
        yield RecordError("file is empty", source=document.name)
        return
    chosen = format or detect_format(head, document.name)
    if chosen is None:
        yield RecordError(describe_unknown(head), source=document.name)
        return
    try:
        yield from READERS[chosen](document)
    except (OSError, EOFError) as error:  # a file that vanished or a gzip cut short mid-read
        yield RecordError(f"cannot read file: {error}", source=document.name)
