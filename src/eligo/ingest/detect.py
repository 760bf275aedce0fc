"""Which format a file is in, read from its first bytes; the file name only breaks ties."""

from __future__ import annotations

import re

from eligo.ingest import csv_export, page_text

_BOM = b"\xef\xbb\xbf"


def detect_format(head: bytes, name: str) -> str | None:
    """The format name of a file whose first bytes are ``head``, or None if it is none of them."""
    body = head.removeprefix(_BOM).lstrip()
    lower_name = name.lower()
    if not body:
        return None
    if body.startswith(b"<"):
        return _xml_format(body, lower_name)
    if body[:1] in (b"{", b"["):
        return _json_format(body, lower_name)
    text = _as_text(body)
    if text is None:
        return None
    if page_text.looks_like(text):
        return "page-text"
    if csv_export.looks_like(text):
        return "csv-export"
    return None


def describe_unknown(head: bytes) -> str:
    """Why detection gave up, in words for the error message."""
    body = head.removeprefix(_BOM).lstrip()
    if not body:
        return "file is empty"
    if body[:1] in (b"{", b"["):
        return "JSON that is neither a ClinicalTrials.gov study nor a FHIR ResearchStudy"
    if body.startswith(b"<"):
        return "XML that is not a ClinicalTrials.gov clinical_study"
    if _as_text(body) is None:
        return "binary content, not a trial record"
    return "text in no trial layout eligo reads (CT.gov XML/JSON, CSV export, page text, FHIR)"


def _xml_format(body: bytes, name: str) -> str | None:
    if re.search(rb"<clinical_study[\s>]", body):
        return "ctgov-xml"
    # No root in sight: the name decides, and the XML reader then says what the root is.
    return "ctgov-xml" if name.endswith(".xml") else None


def _json_format(body: bytes, name: str) -> str | None:
    if re.search(rb'"(protocolSection|nctId)"\s*:', body) or re.match(rb'\{\s*"studies"\s*:', body):
        return "ctgov-json"
    if re.search(rb'"resourceType"\s*:\s*"(ResearchStudy|Bundle)"', body):
        return "fhir"
    if name.endswith((".ndjson", ".jsonl")):
        return "ctgov-json"
    return None


def _as_text(body: bytes) -> str | None:
    """The head as text, or None when it looks binary (NUL bytes, or not UTF-8)."""
    if b"\x00" in body:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end in the middle of a character; only a failure earlier means binary.
        if error.start >= len(body) - 4:
            return body[: error.start].decode("utf-8")
        return None
