"""Lines of therapy, derived from the medication list by one documented rule (docs/patients.md).

Only anticancer drugs make lines; supportive ones (steroids, G-CSF, anticoagulants, antiemetics,
bone-targeted agents) never do, nor do drugs planned but not yet given or documented as never
received.

Dated drugs, in order of their start:
- a drug starting within ``JOIN_DAYS`` (28) days of the first drug of the current line joins it;
- a drug already in the current line that starts again later continues the line when the gap
  since its last known date (end, else start) is at most ``GAP_DAYS`` (90) days, and starts a new
  line when the gap is longer;
- any other drug starting later starts a new line.

Undated drugs cannot be placed in time: drugs sharing a ``regimen`` key (given together, as a
note's "carboplatin and etoposide" or a file's ``drugs: [...]`` entry) make one line, each other
undated drug a line of its own, after the dated lines, in record order. A medication with an
explicit ``line`` number keeps it; the derived lines are numbered after the explicit ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from eligo.model.patient.facts import Medication, TherapyLine

JOIN_DAYS = 28
GAP_DAYS = 90


@dataclass
class _Line:
    meds: list[Medication] = field(default_factory=list)
    anchor: dt.date | None = None
    last_seen: dict[str, dt.date] = field(default_factory=dict)

    def add(self, med: Medication) -> None:
        self.meds.append(med)
        if med.start is None:
            return
        if self.anchor is None:
            self.anchor = med.start
        ongoing = med.end is None and med.status == "active"
        seen = dt.date.max if ongoing else (med.end or med.start)
        key = drug_key(med)
        self.last_seen[key] = max(self.last_seen.get(key, dt.date.min), seen)


def drug_key(med: Medication) -> str:
    """How a drug is named in a line: its vocabulary id, else its text."""
    return med.drug_id or (med.text or "unnamed drug").strip().lower()


def counts_for_lines(med: Medication) -> bool:
    return med.role == "anticancer" and not med.negated and med.status != "intended"


def derive_therapy_lines(medications: Iterable[Medication]) -> list[TherapyLine]:
    """Group anticancer medications into numbered lines of therapy (rule in the module doc)."""
    meds = [m for m in medications if counts_for_lines(m)]
    explicit: dict[int, _Line] = {}
    for med in meds:
        if med.line is not None:
            explicit.setdefault(med.line, _Line()).add(med)
    rest = [m for m in meds if m.line is None]
    derived = _lines_by_date([m for m in rest if m.start is not None])
    derived += _lines_by_regimen([m for m in rest if m.start is None])
    numbered = sorted(explicit.items())
    first_free = max(explicit, default=0) + 1
    numbered += [(first_free + i, line) for i, line in enumerate(derived)]
    return [_therapy_line(number, line) for number, line in numbered]


def _lines_by_date(meds: list[Medication]) -> list[_Line]:
    lines: list[_Line] = []
    order = sorted(enumerate(meds), key=lambda p: (p[1].start, p[0]))
    for _, med in order:
        current = lines[-1] if lines else None
        if current is None or not _joins(current, med):
            current = _Line()
            lines.append(current)
        current.add(med)
    return lines


def _joins(line: _Line, med: Medication) -> bool:
    assert med.start is not None and line.anchor is not None
    if (med.start - line.anchor).days <= JOIN_DAYS:
        return True
    last = line.last_seen.get(drug_key(med))
    if last is None:
        return False  # a new drug after the joining window: a new line
    return last == dt.date.max or (med.start - last).days <= GAP_DAYS


def _lines_by_regimen(meds: list[Medication]) -> list[_Line]:
    groups: dict[str, _Line] = {}
    for index, med in enumerate(meds):
        key = med.regimen or f"#{index}"
        groups.setdefault(key, _Line()).add(med)
    return list(groups.values())


def _therapy_line(number: int, line: _Line) -> TherapyLine:
    drugs = list(dict.fromkeys(drug_key(m) for m in line.meds))
    starts = [m.start for m in line.meds if m.start]
    ongoing = any(m.end is None and m.status == "active" for m in line.meds)
    ends = [day for m in line.meds if (day := m.end or m.start) is not None]
    return TherapyLine(
        number=number,
        drugs=drugs,
        start=min(starts) if starts else None,
        end=None if ongoing or not ends else max(ends),
    )
