"""What the annotated-corpus benchmarks share: eligo's comparisons with document offsets, the
annotated ones, how the two are matched, and precision and recall.

eligo's side: each criterion is parsed on its own (:func:`eligo.parse.parse_criterion`); every
node with a threshold (age, measurement, derived value, biomarker level, performance status,
life expectancy, count of prior lines) is a *value* comparison, every time window (and each
window of a "whichever is longer") a *temporal* one. Node spans are offsets into the criterion
text; :class:`OffsetMap` carries them to the document. A node without a span is placed on its
whole criterion (counted, and reported).

A found comparison and an annotated one *match* when their spans overlap and they agree:
the same number (as written, or once the annotated unit is converted to eligo's unit for that
measurement), the same operator for values (either bound of a range), the same time unit for
windows. *Loose* matching asks only for overlapping spans of the same category.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from eligo.model.expression import (
    Age,
    Biomarker,
    Expression,
    Fact,
    LifeExpectancy,
    Measurement,
    PerformanceStatus,
    PriorTherapy,
    Unparsed,
    Window,
)
from eligo.vocab import UnitError, normalise

Span = tuple[int, int]
CATEGORIES = ("value", "temporal")


@cache
def words() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "data" / "words.json").read_text("utf-8"))


# -- numbers and units ---------------------------------------------------------------------

_NUMBER = re.compile(r"[-−]?\d+(?:[.,]\d+)*")
_WRITTEN_NUMBER = re.compile(r"(?<![\w.,^*])\d+(?:[.,]\d+)*(?![\d.,^*])")  # not in "mm3" or "10^9"


def read_number(text: str) -> float | None:
    """The first number ``text`` states: "1.5", "50,000", "7,8" (a decimal comma), "three",
    "III", "2nd"; None for dates and words that are no number."""
    cleaned = text.strip().lower()
    if re.search(r"\d+\s*/\s*\d+\s*/\s*\d+|\b(?:january|december|19\d\d|20\d\d)\b", cleaned):
        return None  # a date
    match = _NUMBER.search(cleaned)
    if match:
        digits = match.group().replace("−", "-")
        if re.fullmatch(r"-?\d{1,3}(?:,\d{3})+", digits):
            digits = digits.replace(",", "")
        elif digits.count(",") == 1 and "." not in digits:
            digits = digits.replace(",", ".")
        try:
            return float(digits)
        except ValueError:
            return None
    table = words()
    for token in re.findall(r"[a-zⅰ-ⅿⅠ-Ⅿ]+", cleaned):
        if token in table["numbers"]:
            return float(table["numbers"][token])
        if token in table["roman"] or token.upper() in table["roman"]:
            return float(table["roman"].get(token, table["roman"].get(token.upper())))
    return None


def read_operator(text: str) -> str | None:
    """The comparison a value's words state ("greater than 1" → ">", "18-65" → "between")."""
    lowered = " ".join(text.lower().split())
    ranged = re.search(r"\d\s*(?:-|–|to|and)\s*\d|between", lowered)
    if len(_WRITTEN_NUMBER.findall(lowered)) >= 2 and ranged:
        return "between"
    for phrase, operator in words()["operator_phrases"]:
        pattern = rf"\b{re.escape(phrase)}\b" if phrase[0].isalpha() else re.escape(phrase)
        if re.search(pattern, lowered):
            return str(operator)
    return None


def read_numbers(text: str) -> tuple[float, ...]:
    """Every number written in digits, or else the first one in words."""
    found = []
    for match in _WRITTEN_NUMBER.finditer(text):
        number = read_number(match.group())
        if number is not None:
            found.append(number)
    if found:
        return tuple(found)
    first = read_number(text)
    return () if first is None else (first,)


def unit_after_number(text: str) -> str | None:
    """What follows the last number written in digits ("<1.5 X ULN" → "X ULN"), or None."""
    matches = list(_WRITTEN_NUMBER.finditer(text))
    if not matches:
        return None
    after = text[matches[-1].end() :].strip()
    return after if any(c.isalpha() for c in after) or "%" in after else None


def time_unit_in(text: str) -> str | None:
    """The first time unit ``text`` names ("within the last 6 months" → "months")."""
    for word in re.findall(r"[a-z/-]+", text.lower()):
        unit = time_unit(word)
        if unit is not None and word not in ("d", "y", "mo"):
            return unit
    return None


def time_unit(text: str | None) -> str | None:
    """eligo's window unit for a spelled time unit ("wks" → "weeks"), or None."""
    if not text:
        return None
    lowered = " ".join(text.lower().replace(".", "").split())
    for unit, spellings in words()["time_unit_spellings"].items():
        if lowered in spellings or lowered.rstrip("s") in spellings:
            return str(unit)
    return None


def limit_of_normal(unit: str | None) -> str | None:
    """"uln" or "lln" when ``unit`` names a limit of normal."""
    if not unit:
        return None
    lowered = " ".join(unit.lower().split())
    table = words()
    if any(s in lowered for s in table["lower_limit_spellings"]) or "lln" in lowered:
        return "lln"
    if any(s in lowered for s in table["upper_limit_spellings"]) or "uln" in lowered:
        return "uln"
    if re.search(r"\b(?:times|x|×)\s+(?:the\s+)?(?:institutional\s+)?normal\b", lowered):
        return "uln"  # "1.4 times normal"
    return None


def unit_written(unit: str) -> str:
    """A unit as written with spellings eligo's unit table lacks replaced ("gm/dl" → "g/dl")."""
    spellings = words()["unit_spellings"]
    return re.sub(r"[a-zA-Z]+", lambda m: spellings.get(m.group().lower(), m.group()), unit)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


# -- eligo's side --------------------------------------------------------------------------


class OffsetMap:
    """Criterion-text offsets → document offsets, when the criterion's text is the document's
    text from ``start`` with whitespace changed (segmentation joins wrapped lines)."""

    def __init__(self, text: str, document: str, start: int) -> None:
        positions: list[int] = []
        j = start
        for char in text:
            while j < len(document) and document[j] != char and document[j].isspace():
                j += 1
            if j < len(document) and document[j] == char:
                positions.append(j)
                j += 1
            else:  # a character the document has not here (whitespace added): stay put
                positions.append(min(j, len(document)))
        positions.append(min(j, len(document)))
        self.positions = positions

    def span(self, local: Span) -> Span:
        last = len(self.positions) - 1
        start = self.positions[min(max(local[0], 0), last)]
        end_index = min(max(local[1], 0), last)
        end = self.positions[end_index - 1] + 1 if end_index > 0 else self.positions[0]
        return (start, max(start, end))


@dataclass(frozen=True)
class Found:
    """A comparison eligo read."""

    category: str
    operator: str | None
    value: float
    unit: str | None  # UCUM, a time unit, or "uln"/"lln"
    measurement: str | None
    kind: str
    span: Span
    span_from: str  # "node", or "criterion" when the node has no span
    label: str




def _value_of(node: Expression) -> tuple[float, str | None, str | None] | None:
    """(number, unit, measurement id) of a comparison node, or None if it has no threshold."""
    if isinstance(node, Measurement) and node.comparator is not None:
        if node.uln is not None:
            return node.uln, "uln", node.measurement
        if node.lln is not None:
            return node.lln, "lln", node.measurement
        return node.value, node.unit, node.measurement
    if isinstance(node, Age | LifeExpectancy):
        return node.value, node.unit, None
    if isinstance(node, Biomarker | PerformanceStatus) and node.comparator is not None:
        return node.value, None, None
    if isinstance(node, PriorTherapy) and node.comparator is not None:
        return node.value, None, None
    return None


def comparisons(expression: Expression, offsets: OffsetMap, whole: Span) -> list[Found]:
    """Every comparison in ``expression``, with document spans."""
    found: list[Found] = []
    for node in expression.walk():
        if isinstance(node, Window):  # alone, or one of a "whichever is longer"
            category, operator = "temporal", None
            number, unit, measurement = node.amount, node.unit, None
        else:
            read = _value_of(node)
            if read is None:
                continue
            category, operator = "value", node.args.get("comparator")
            number, unit, measurement = read
        # A node without a span of its own is placed on its whole criterion: the fact above a
        # window spans the fact's words, not the window's.
        source = "node" if node.span is not None else "criterion"
        span = whole if node.span is None else offsets.span(tuple(node.span))  # type: ignore[arg-type]
        label = f"{node.kind} {operator or ''} {number:g} {unit or ''}".replace("  ", " ").strip()
        found.append(
            Found(category, operator, number, unit, measurement, node.kind, span, source, label)
        )
    return found


def unread_spans(expression: Expression, offsets: OffsetMap) -> list[Span]:
    return [
        offsets.span(tuple(n.span))  # type: ignore[arg-type]
        for n in expression.walk()
        if isinstance(n, Unparsed) and n.span is not None
    ]


def fact_spans(expression: Expression, offsets: OffsetMap) -> list[tuple[str, Span]]:
    """Facts read without a threshold (a condition, a procedure …), with their spans."""
    return [
        (n.kind, offsets.span(tuple(n.span)))  # type: ignore[arg-type]
        for n in expression.walk()
        if isinstance(n, Fact) and n.span is not None and _value_of(n) is None
    ]


# -- the annotated side and matching -------------------------------------------------------


@dataclass(frozen=True)
class Gold:
    """An annotated comparison."""

    category: str
    operator: str | None  # "<", "<=", ">", ">=", "=", "between", "about", or None
    values: tuple[float, ...]
    unit: str | None  # as written
    time_unit: str | None  # eligo's spelling
    span: Span
    text: str
    group: str  # what it qualifies, for grouping misses ("Observation Numeric-Filter")
    document: str
    subject: str = ""  # the words it qualifies ("BMI", "platelet count"), when known


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _gold_numbers(gold: Gold, found: Found) -> list[float]:
    numbers = list(gold.values)
    if gold.unit and found.unit not in (None, "uln", "lln") and not gold.time_unit:
        for value in gold.values:
            with contextlib.suppress(UnitError, ValueError, KeyError):
                numbers.append(normalise(value, unit_written(gold.unit), found.measurement)[0])
    return numbers


def disagreement(found: Found, gold: Gold) -> str | None:
    """Why ``found`` does not state ``gold`` ("value", "unit", "operator"), or None."""
    if not any(close(found.value, number) for number in _gold_numbers(gold, found)):
        return "value"
    timed = found.category == "temporal" or found.unit in ("days", "weeks", "months", "years")
    if timed and gold.time_unit and found.unit and gold.time_unit != found.unit:
        return "unit"
    if found.unit in ("uln", "lln") and gold.unit and limit_of_normal(gold.unit) != found.unit:
        return "unit"
    if found.category == "value" and gold.operator and found.operator:
        if gold.operator == "between":
            low, high = min(gold.values), max(gold.values)
            fits = (found.operator in (">=", ">") and close(found.value, low)) or (
                found.operator in ("<=", "<") and close(found.value, high)
            ) or found.operator == "="
            return None if fits else "operator"
        if gold.operator != "about" and gold.operator != found.operator:
            return "operator"
    return None


@dataclass
class Score:
    """Precision over found comparisons, recall over annotated ones."""

    found: int = 0
    found_right: int = 0
    annotated: int = 0
    recalled: int = 0

    @property
    def precision(self) -> float:
        return self.found_right / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.recalled / self.annotated if self.annotated else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, label: str) -> str:
        return (
            f"  {label:<22} precision {100 * self.precision:5.1f} % ({self.found_right}/"
            f"{self.found})   recall {100 * self.recall:5.1f} % ({self.recalled}/"
            f"{self.annotated})   F1 {100 * self.f1:5.1f}"
        )


@dataclass
class Tally:
    """Scores per category (strict and loose), with misses grouped by reason."""

    strict: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in CATEGORIES})
    loose: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in CATEGORIES})
    overall: Score = field(default_factory=Score)
    missed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    missed_subjects: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    span_sources: Counter[str] = field(default_factory=Counter)

    def example(self, key: tuple[str, str], text: str, keep: int = 3) -> None:
        found = self.examples.setdefault(key, [])
        if len(found) < keep:
            found.append(text)


def miss_reason(gold: Gold, found: list[Found], unread: list[Span],
                facts: list[tuple[str, Span]]) -> str:  # fmt: skip
    """Why no found comparison matches ``gold``: the first that applies of misread (a
    comparison on its words disagrees: operator / value / unit), another comparison of its
    criterion read (spanless windows), inside unparsed text, read as a fact without its number,
    or nothing read there."""
    near = [f for f in found if f.span_from == "node" and overlaps(f.span, gold.span)]
    if near:
        reasons = Counter(disagreement(f, gold) or "category" for f in near)
        return f"misread: {reasons.most_common(1)[0][0]}"
    # A window without a span is placed on its whole criterion: it says only that the
    # criterion had another window, not that this one was misread.
    if any(f.category == gold.category and overlaps(f.span, gold.span) for f in found):
        return "another of its criterion read"
    if any(overlaps(span, gold.span) for span in unread):
        return "inside text not understood"
    if any(overlaps(span, gold.span) for _, span in facts):
        return "fact read, number not"
    return "nothing read there"


def score_document(
    tally: Tally,
    golds: list[Gold],
    found: list[Found],
    unread: list[Span],
    facts: list[tuple[str, Span]],
    context: dict[int, str],
) -> None:
    """Add one document's matches to ``tally``; ``context`` maps a found item's id to the
    criterion text it came from (for examples)."""
    for item in found:
        tally.span_sources[item.span_from] += 1
        same = [g for g in golds if g.category == item.category and overlaps(g.span, item.span)]
        right = any(disagreement(item, g) is None for g in same)
        any_right = any(
            overlaps(g.span, item.span) and disagreement(item, g) is None for g in golds
        )
        for scores, hit in ((tally.strict, right), (tally.loose, bool(same))):
            scores[item.category].found += 1
            scores[item.category].found_right += hit
        tally.overall.found += 1
        tally.overall.found_right += any_right
        if not any_right:
            near = [g for g in golds if overlaps(g.span, item.span)]
            reason = "differs from the annotation" if near else "no annotated comparison there"
            tally.wrong[(item.category, reason)] += 1
            tally.example((item.category, f"extra: {reason}"),
                          f"{item.label}  ←  {context.get(id(item), '')[:110]}")  # fmt: skip
    for gold in golds:
        same = [f for f in found if f.category == gold.category and overlaps(f.span, gold.span)]
        right = any(disagreement(f, gold) is None for f in same)
        any_right = any(
            overlaps(f.span, gold.span) and disagreement(f, gold) is None for f in found
        )
        for scores, hit in ((tally.strict, right), (tally.loose, bool(same))):
            scores[gold.category].annotated += 1
            scores[gold.category].recalled += hit
        tally.overall.annotated += 1
        tally.overall.recalled += any_right
        if not any_right:
            reason = miss_reason(gold, found, unread, facts)
            tally.missed[(gold.category, reason, gold.group)] += 1
            tally.missed_subjects[(gold.category, gold.subject or "–")] += 1
            near = ", ".join(f.label for f in found if overlaps(f.span, gold.span)) or "–"
            tally.example(
                (gold.category, f"missed: {reason}"),
                f"{gold.document}: “{gold.text}” ({gold.group}); eligo: {near}",
            )
