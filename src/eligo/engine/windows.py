"""Time windows, computed from the as-of date.

A criterion's window ("< 14 days before cycle 1 day 1") is counted from a reference date. A
person asking "could I join?" has not been screened yet, so eligo takes **every future study
date (screening, cycle 1 day 1, first dose, enrolment) to be the as-of date**: the answer is
"if you started today". ``diagnosis`` is the onset of the patient's cancer when the record
dates it. Months and years are calendar months and years; hours round up to whole days.

A window in half-lives needs the drug's half-life (``data/half_lives.json``); when the drug or
its half-life is not known the window's true width is not known either, and the span says so
(``wider``): a fact inside the known part is inside, one outside it is undecided.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from eligo.model.expression import Expression
from eligo.model.expression.render import REFERENCE_LABELS, number

# Windows reach back decades (a "history within 100 years" is legal), so the day judged on is
# kept well inside what Python's dates can count from.
EARLIEST_AS_OF = dt.date(1900, 1, 1)
LATEST_AS_OF = dt.date(2199, 12, 31)


def check_as_of(day: dt.date) -> dt.date:
    """``day`` when eligo can judge on it, else ValueError with the range it accepts."""
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise ValueError(
            f"as-of date {day.isoformat()} is outside {EARLIEST_AS_OF.year}–{LATEST_AS_OF.year}"
        )
    return day

#: references that are future study dates, read as the as-of date
STUDY_DATES = ("screening", "cycle1_day1", "first_dose", "enrolment", "now")


@dataclass(frozen=True, slots=True)
class Span:
    """A closed span of days; ``wider`` when the true span may extend beyond it."""

    start: dt.date
    end: dt.date
    text: str
    wider: bool = False

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return first <= self.end and last >= self.start


@cache
def half_lives() -> dict[str, float]:
    """Drug id → terminal half-life in days."""
    text = resources.files("eligo.engine").joinpath("data", "half_lives.json").read_text("utf-8")
    return {drug: float(entry["days"]) for drug, entry in json.loads(text)["drugs"].items()}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (or earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def shift(day: dt.date, amount: float, unit: str, sign: int) -> dt.date:
    """``day`` moved by ``amount`` ``unit`` (sign +1 later, -1 earlier)."""
    if unit in ("months", "years"):
        months = amount * (12 if unit == "years" else 1)
        whole = math.floor(months)
        moved = add_months(day, sign * whole)
        extra = round((months - whole) * 30.44)
        return moved + dt.timedelta(days=sign * extra)
    days = {"hours": amount / 24, "days": amount, "weeks": amount * 7}[unit]
    return day + dt.timedelta(days=sign * math.ceil(days))


class WindowReader:
    """Turns ``window`` and ``longest`` nodes into spans, for one patient at one as-of date."""

    def __init__(self, as_of: dt.date, diagnosis: dt.date | None) -> None:
        self.as_of = as_of
        self.diagnosis = diagnosis

    def reference(self, name: str) -> dt.date | None:
        if name == "diagnosis":
            return self.diagnosis
        return self.as_of

    def span(self, node: Expression, drugs: tuple[str, ...] = ()) -> Span | None:
        """The span of a window node; None when its reference date is not known."""
        args = node.args
        if node.kind == "longest":
            return self._longest(node, drugs)
        reference = self.reference(args.get("reference"))
        if reference is None:
            return None
        amount, unit, wider = args.get("amount"), args.get("unit"), False
        if unit == "half_lives":
            known = [half_lives()[d] for d in drugs if d in half_lives()]
            if known and len(known) == len(drugs):
                amount, unit = amount * max(known), "days"
            else:
                amount, unit, wider = 0, "days", True
        direction = args.get("direction")
        start = shift(reference, amount, unit, -1) if direction != "after" else reference
        end = shift(reference, amount, unit, +1) if direction != "before" else reference
        return Span(start, end, self._text(node, start, end), wider)

    def _longest(self, node: Expression, drugs: tuple[str, ...]) -> Span | None:
        spans = [self.span(window, drugs) for window in node.args.get("windows")]
        known = [s for s in spans if s is not None]
        if not known:
            return None
        start = min(s.start for s in known)
        end = max(s.end for s in known)
        wider = any(s.wider for s in known) or len(known) < len(spans)
        text = " or ".join(s.text for s in known) + ", whichever is longer"
        return Span(start, end, text, wider)

    def _text(self, node: Expression, start: dt.date, end: dt.date) -> str:
        args = node.args
        amount = f"{number(args.get('amount'))} {args.get('unit').replace('_', '-')}"
        where = REFERENCE_LABELS.get(args.get("reference"), args.get("reference"))
        if args.get("reference") in STUDY_DATES and args.get("reference") != "now":
            where += f" (taken as the as-of date {self.as_of.isoformat()})"
        elif args.get("reference") == "diagnosis" and self.diagnosis:
            where += f" ({self.diagnosis.isoformat()})"
        direction = args.get("direction")
        return f"{start.isoformat()} to {end.isoformat()}, {amount} {direction} {where}"
