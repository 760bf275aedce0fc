"""Time windows: "within 14 days prior to cycle 1 day 1", "< 28 days", "in the last 6 months",
"at least 4 weeks since prior chemotherapy", "30 days or 5 half-lives, whichever is longer".

A window found here says when a dated fact must have happened. ``negated`` marks the "at least
N since" form: the fact must *not* fall inside the window ("at least 4 weeks since prior
chemotherapy" is ``not(prior_therapy(chemotherapy, window(4 weeks)))``). ``duration`` marks
"for at least N": a span something lasted, which only some rules can use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from eligo.model.expression import Longest, Window
from eligo.parse.lexicon import alternation, data, normalise_space
from eligo.parse.quantities import Quantity
from eligo.parse.text import Text

_UNKNOWN_REFERENCE = re.compile(
    r"\s{0,2},?\s{0,2}(?:prior\sto|before|preceding|of)\s(?:the\s|a\s|their\s|his\s|her\s)?"
    r"([a-z][a-z0-9-]*(?:\s(?!with\b|and\b|or\b|in\b|for\b|to\b)[a-z][a-z0-9-]*){0,3})"
)


@dataclass(slots=True)
class TimeWindow:
    start: int
    end: int
    node: Window | Longest
    negated: bool = False
    duration: bool = False
    reference_written: bool = False
    # "at least 4 weeks but no more than 12 weeks since": the fact is inside ``node`` and not
    # inside ``floor``
    floor: Window | None = None
    comparator: str | None = None  # as written before the amount: a duration's bound


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    table = data("time")
    references = {p: ref for ref, phrases in table["references"].items() for p in phrases}
    return {
        "reference": re.compile(
            r"\s{0,2},?\s{0,2}(?:"
            + alternation(table["before"])
            + r")\s{0,2}(?:the\s)?("
            + alternation(references)
            + r")(?:\s(?:of|with)\s(?:the\s)?(?:study\s)?"
            r"(?:[a-z0-9-]{2,30}))?"
        ),
        "lead_in": re.compile(r"(?:" + alternation(table["lead_in"]) + r")\s{1,3}$"),
        "since": re.compile(r"\s{0,2},?\s{0,2}(?:" + alternation(table["since"]) + r")(?!\w)"),
        "longer": re.compile(r"\s{0,2},?\s{0,2}\(?(?:" + alternation(table["longer"]) + r")\)?"),
        "or": re.compile(r"\s{0,2}(?:or|/)\s{0,2}"),
        "for": re.compile(r"(?<![\w-])(?:for|lasting|lasted|persisting|duration\sof|for\sa\s"
                          r"period\sof|for\sa\stotal\sof)\s(?:at\sleast\s|a\sminimum\sof\s|>\s?|"
                          r"≥\s?)?$"),
        "single": re.compile(
            r"(?<![\w-])(?:(?:within|in|during|over|for)\s(?:the\s)?)?(?:(last|past|previous|"
            r"preceding|prior|recent)|(next|coming|following|upcoming))[\s-](half\syear|year|month|"
            r"week|day)(?!\w)"
        ),
        "future": re.compile(r"(?:within|in|during|over|for)\s(?:the\s)?(?:next|coming|following|"
                             r"upcoming)\s$"),
    }


@cache
def _reference_lookup() -> dict[str, str]:
    table = data("time")
    return {
        normalise_space(p): ref for ref, phrases in table["references"].items() for p in phrases
    }


def find_windows(
    text: Text, start: int, end: int, quantities: list[Quantity], reference: str | None = None
) -> list[TimeWindow]:
    """The time windows in ``text[start:end]``; ``reference`` is the date a window without
    one counts from (inherited from a parent criterion: "washout prior to cycle 1 day 1")."""
    timed = [q for q in quantities
             if q.time_unit is not None and not q.age and not q.gestational
             and start <= q.start < end and not FREQUENCY.match(text.folded, q.end)]
    windows: list[TimeWindow] = []
    used: set[int] = set()
    for index, quantity in enumerate(timed):
        if id(quantity) in used:
            continue
        partner = timed[index + 1] if index + 1 < len(timed) else None
        window = _window_at(text, quantity, partner, end, reference)
        if window is None and partner is not None:
            window = _between(text, quantity, partner, end, reference)
            if window is not None:
                used.add(id(partner))
        if window is not None:
            windows.append(window)
            used.add(id(quantity))
            if partner is not None and isinstance(window.node, Longest):
                used.add(id(partner))
    windows.extend(_single_periods(text, start, end, windows, reference))
    return windows


# "2 days a week", "4 hours per week": how often, not when
FREQUENCY = re.compile(r"\s{0,2}(?:a|per|each|every|/)\s{0,2}(?:day|week|month|year|wk)\b")
_BETWEEN = re.compile(r"\s{0,2},?\s{0,2}(?:but|and)\s{1,2}$")


def _between(text: Text, low: Quantity, high: Quantity, end: int,
             reference: str | None) -> TimeWindow | None:
    """"At least 4 weeks but no more than 12 weeks since prior therapy": between the two."""
    if low.comparator not in (">", ">=") or high.comparator not in ("<", "<="):
        return None
    joint = high.start if high.comparator_start is None else high.comparator_start
    if _BETWEEN.search(text.folded, low.end, joint) is None:
        return None
    upper = _window_at(text, high, None, end, reference)
    if upper is None or not isinstance(upper.node, Window) or upper.negated:
        return None
    start = low.start if low.comparator_start is None else low.comparator_start
    floor = Window(amount=low.value, unit=low.time_unit or "days", reference=upper.node.reference,
                   span=(start, low.end), rule="window.floor")
    return TimeWindow(start, upper.end, upper.node, floor=floor,
                      reference_written=upper.reference_written)


def _window_at(
    text: Text, quantity: Quantity, partner: Quantity | None, end: int, reference: str | None
) -> TimeWindow | None:
    folded = text.folded
    patterns = _patterns()
    first = quantity.start if quantity.comparator_start is None else quantity.comparator_start
    lead = patterns["lead_in"].search(folded, max(0, first - 30), first)
    duration = patterns["for"].search(folded, max(0, first - 25), first)
    comparator = quantity.comparator
    if len(quantity.bounds) == 2:
        return None  # "2-4 weeks" is a schedule, not a window
    window_start = lead.start() if lead is not None else first
    position = quantity.end
    nodes = [_window(quantity)]
    longer = None
    if partner is not None:
        joined = patterns["or"].match(folded, position, end)
        if joined is not None and joined.end() == (
            partner.start if partner.comparator_start is None else partner.comparator_start
        ):
            longer = patterns["longer"].match(folded, partner.end, end)
            if longer is not None:
                nodes.append(_window(partner))
                position = longer.end()
    ref_match = patterns["reference"].match(folded, position, end)
    since = patterns["since"].match(folded, position, end)
    written = ref_match is not None
    warning = None
    if ref_match is not None:
        ref = _reference_lookup()[normalise_space(ref_match.group(1))]
        position = ref_match.end()
    else:
        ref = reference or "screening"
        other = _UNKNOWN_REFERENCE.match(folded, position, end)
        of = other is not None and re.match(r"\s*,?\s*of\s", other.group()) is not None
        if other is not None and since is None and (lead is not None or not of):
            # "prior to the viral load evaluation": a date eligo has no name for
            warning = f"counted from '{text.raw[other.start(1):other.end(1)]}' in the text"
            position = other.end()
    at_least = comparator in (">=", ">")
    negated = at_least and (since is not None or ref_match is not None)
    timed_from = duration is not None and (ref_match is not None or since is not None)
    if lead is not None or timed_from:
        # "for the past year", "stable for at least 2 weeks prior to cycle 1 day 1": when
        negated, duration = negated and duration is None, None
    elif at_least and not negated and not longer:
        # "diabetes for more than 6 months", "> 6 months": how long, not when
        return _duration(quantity, duration.start() if duration else first, position)
    future = patterns["future"].search(folded, max(0, first - 30), first)
    if not (lead or ref_match or since or comparator or longer or duration or future):
        return None
    if duration is not None and comparator is None and not negated:
        return _duration(quantity, duration.start(), position, ">=")  # "for 4 weeks"
    if since is not None and not written:
        position = since.end()
    if duration is not None and lead is None:
        window_start = duration.start()
    spans = [(window_start, position)] if len(nodes) == 1 else [
        _quantity_span(quantity), _quantity_span(partner)]  # type: ignore[arg-type]
    if future is not None:
        window_start, negated = future.start(), False  # "within the next 12 months"
    windows = [Window(amount=q.amount, unit=q.unit, reference=ref, warning=warning, span=span,
                      direction="after" if future is not None else "before", rule="window")
               for q, span in zip(nodes, spans, strict=True)]
    node: Window | Longest = windows[0] if len(windows) == 1 else Longest(
        *windows, span=(window_start, position), rule="window.longest")
    return TimeWindow(
        window_start,
        position,
        node,
        negated=negated and duration is None,
        duration=duration is not None,
        reference_written=written,
        comparator=comparator,
    )


def _duration(quantity: Quantity, start: int, end: int,
              comparator: str | None = None) -> TimeWindow | None:
    """A duration: a span of time the fact lasted, with its comparator."""
    comparator = comparator or quantity.comparator
    if quantity.time_unit in (None, "half_lives") or comparator is None:
        return None
    node = Window(amount=quantity.value, unit=quantity.time_unit, span=(start, end),
                  rule="duration")
    return TimeWindow(start, end, node, duration=True, comparator=comparator)


def _quantity_span(quantity: Quantity) -> tuple[int, int]:
    start = quantity.start if quantity.comparator_start is None else quantity.comparator_start
    return (start, quantity.end)


@dataclass(frozen=True, slots=True)
class _Amount:
    amount: float
    unit: str


def _window(quantity: Quantity) -> _Amount:
    return _Amount(quantity.value, quantity.time_unit or "days")


def _single_periods(
    text: Text, start: int, end: int, found: list[TimeWindow], reference: str | None
) -> list[TimeWindow]:
    """ "In the past year", "within the last month": one unit, no number written."""
    extra: list[TimeWindow] = []
    for match in _patterns()["single"].finditer(text.folded, start, end):
        if any(w.start <= match.start() < w.end for w in found):
            continue
        unit, amount = match.group(3) + "s", 1
        if unit == "half years":
            unit, amount = "months", 6
        direction = "after" if match.group(2) else "before"
        position = match.end()
        ref_match = _patterns()["reference"].match(text.folded, position, end)
        ref = reference or "screening"
        if ref_match is not None:
            ref = _reference_lookup()[normalise_space(ref_match.group(1))]
            position = ref_match.end()
        node = Window(amount=amount, unit=unit, direction=direction, reference=ref,
                      span=(match.start(), position), rule="window.single")
        extra.append(
            TimeWindow(match.start(), position, node, reference_written=ref_match is not None)
        )
    return extra


@cache
def _bare_reference() -> re.Pattern[str]:
    table = data("time")
    references = [p for phrases in table["references"].values() for p in phrases]
    return re.compile(r"(?<!\w)(?:prior\sto|before|preceding|at\sthe\stime\sof|at)\s(?:the\s)?("
                      + alternation(references) + r")(?:\s(?:of|with)\s(?:the\s)?(?:study\s)?"
                      r"(?:[a-z0-9-]{2,30}))?")


def bare_references(text: Text, windows: list[TimeWindow]) -> list[tuple[int, int, str]]:
    """"Prior to cycle 1 day 1" with no amount: (start, end, reference) of each. Eligibility
    facts are judged before the reference anyway, so the words add nothing but the date a
    sub-criterion's windows count from."""
    found = []
    for match in _bare_reference().finditer(text.folded):
        if any(w.start <= match.start() < w.end for w in windows):
            continue
        found.append((match.start(), match.end(),
                      _reference_lookup()[normalise_space(match.group(1))]))
    return found
