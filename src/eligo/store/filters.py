"""What a person types as a search filter, read into the API v2 values the store keeps.

``"recruiting"`` → ``RECRUITING``; ``"2"``, ``"phase 2"``, ``"Phase II"`` → ``PHASE2``;
``"phase 1/2"`` → both ``PHASE1`` and ``PHASE2``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files

from eligo.errors import EligoError
from eligo.model import PHASE_LABELS, STATUS_LABELS


class FilterError(EligoError, ValueError):
    """A search filter eligo cannot read; the message lists what it accepts."""


def _key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


@cache
def _statuses() -> dict[str, str]:
    known = {key: key for key in STATUS_LABELS}
    known.update({_key(label): key for key, label in STATUS_LABELS.items()})
    return known


@cache
def _phase_spellings() -> dict[str, str]:
    data = json.loads(files("eligo.store").joinpath("phase_spellings.json").read_text("utf-8"))
    spellings: dict[str, str] = data["spellings"]
    spellings.update({key: key for key in PHASE_LABELS})
    return spellings


def status_value(text: str) -> str:
    """The API v2 status for ``text``, in any case and with spaces or underscores."""
    found = _statuses().get(_key(text))
    if found is None:
        accepted = ", ".join(label.lower() for label in STATUS_LABELS.values())
        raise FilterError(f"unknown trial status {text!r}; use one of: {accepted}")
    return found


def _compact_phase(text: str) -> str:
    return re.sub(r"PHASE|[\s_\-]+", "", text.upper())


def phase_values(text: str) -> list[str]:
    """The API v2 phases ``text`` names; ``"1/2"`` names two, which a trial must both have."""
    spellings = _phase_spellings()
    whole = spellings.get(_compact_phase(text)) or spellings.get(text.strip().upper())
    if whole is not None:
        return [whole]
    found: list[str] = []
    for part in re.split(r"[/,|+&]|\bAND\b", text.upper()):
        value = spellings.get(_compact_phase(part))
        if value is None:
            raise FilterError(
                f"unknown trial phase {text!r}; use e.g. 1, 2, 3, 4, 'early phase 1', "
                "'phase 1/2' or 'n/a'"
            )
        if value not in found:
            found.append(value)
    return found
