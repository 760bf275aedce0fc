"""Units of meaning: each head item with the items, numbers and windows around it.

- Words that lead into a head ("stereotactic brain radiotherapy") are its own; items between
  two heads otherwise go to the one before (results, sites, methods) or after (context).
- A concept named twice in a row ("aPTT/PTT", "creatinine clearance (CrCl)") is one head; a
  measurement named again without a threshold ("… or measured CrCl") adds a way of measuring.
- Heads listed before one threshold share it ("AST/ALT and ALP < 3 × ULN"); treatments listed
  before one window share it ("whole brain or stereotactic radiotherapy < 14 days").
- Context before the first of a list of like heads qualifies each ("active hepatitis B and/or
  hepatitis C").
"""

from __future__ import annotations

import re
from itertools import pairwise

from eligo.parse import leaves
from eligo.parse.mentions import HEAD_KINDS, Item
from eligo.parse.reading import Reading, Unit

SHARES_THRESHOLD = frozenset({"measurement", "biomarker", "performance"})
_SHARES_WINDOW = frozenset(
    {"drug", "drug_class", "therapy", "procedure", "vaccine", "condition", "trial"}
)
_CONTEXT_KINDS = frozenset(
    {
        "negation",
        "history",
        "current",
        "uncertain",
        "qualifier",
        "disease_feature",
        "proc_qualifier",
        "live",
        "participation",
        "result",
        "any_level",
        "site",
        "body_site",
        "outcome",
        "setting",
    }
)
_DATED = frozenset(
    {
        "condition",
        "drug",
        "drug_class",
        "therapy",
        "procedure",
        "vaccine",
        "trial",
        "measurement",
        "biomarker",
    }
)
_AFTER_KINDS = frozenset(
    {
        "result",
        "mcontext",
        "method",
        "site",
        "alteration",
        "derivation",
        "response_criteria",
        "ongoing",
        "body_site",
        "qualifier",
        "setting",  # "chemotherapy for metastatic disease"
    }
)


def make_units(reading: Reading, items: list[Item], start: int, end: int) -> list[Unit]:
    items = _uncounted_lines(items, reading)
    heads = _merge_repeats([i for i in items if i.kind in HEAD_KINDS], reading)
    if not heads:
        heads = _staged_disease(items)
    units: list[Unit] = []
    for index, head in enumerate(heads):
        low = heads[index - 1].end if index else start
        high = _modifiers_start(heads[index + 1], items) if index + 1 < len(heads) else end
        unit = Unit(head=head, start=head.start, end=head.end)
        zone = _modifiers_start(head, items)
        unit.before = [
            i
            for i in items
            if low <= i.start and i.end <= head.start and i.kind in _CONTEXT_KINDS
            and (i.kind not in ("site", "body_site") or i.start >= zone)
            and not _closed_between(reading, i.end, head.start)
        ]
        unit.clause_before = [
            i
            for i in items
            if start <= i.start and i.end <= head.start and i.kind in ("history", "current")
        ]
        unit.after = [
            i for i in items if head.end <= i.start and i.end <= high and i.kind in _AFTER_KINDS
        ]
        quantities = [q for q in reading.quantities if not reading.aside(q.start)]
        windows = [w for w in reading.windows if not reading.aside(w.start)]
        unit.pre_quantities = [q for q in quantities if low <= q.start < head.start]
        unit.quantities = [q for q in quantities if head.end <= q.start < high]
        if head.kind in _DATED:
            # a window after the head is its own; one before it may be ("at least 4 weeks
            # since prior chemotherapy")
            unit.windows = [w for w in windows if head.end <= w.start < high]
            if head.kind not in ("measurement", "biomarker"):
                unit.windows += [w for w in windows if low <= w.start < head.start]
            unit.durations = [w for w in unit.windows if w.duration]
            unit.windows = [w for w in unit.windows if not w.duration]
        for item in unit.before:
            unit.start = min(unit.start, item.start)
        unit.end = max(
            [head.end, *(i.end for i in unit.after), *(q.end for q in unit.quantities if q.bounds)]
        )
        units.append(unit)
    _inherit_marker_names(units)
    _distribute_context(units, reading)
    return _absorb_repeats(units, reading)


def _closed_between(reading: Reading, start: int, end: int) -> bool:
    """A bracket closes between ``start`` and ``end`` that opened before ``start``: words inside
    "(… poorly differentiated histology), or prostate cancer" are not the next head's."""
    depth = 0
    for char in reading.text.folded[start:end]:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return True
    return False


def _staged_disease(items: list[Item]) -> list[Item]:
    """"Extensive stage", "Stage IV" with no disease named (under a disease heading): the
    stage of the patient's cancer."""
    stages = [i for i in items if i.kind == "disease_feature" and i.value.startswith("stage:")]
    if not stages or any(i.kind in ("negation", "negation_post") for i in items):
        return []
    last = stages[-1]
    return [Item("condition", "malignant_neoplasm", last.end, last.end, {"implied": True})]


def _distribute_context(units: list[Unit], reading: Reading) -> None:
    """"Active hepatitis B and/or hepatitis C": words before the first of a list of like heads
    qualify each of them."""
    for previous, unit in pairwise(units):
        if unit.before or unit.head.kind != previous.head.kind or unit.head.kind not in (
                "condition", "drug", "drug_class", "therapy"):
            continue
        gap = reading.gap(previous.head.end, unit.head.start).strip(" ,")
        if gap in ("", "or", "and", "and/or", "/", ", or", ", and"):
            unit.before = [i for i in previous.before
                           if i.kind in ("history", "current", "qualifier", "uncertain",
                                         "disease_feature", "outcome")]


def _uncounted_lines(items: list[Item], reading: Reading) -> list[Item]:
    """"Prior treatment with tarlatamab": "prior treatment" without a count of lines only
    says that the treatment named next was received before."""
    treatments = ("drug", "drug_class", "therapy")
    out: list[Item] = []
    for index, item in enumerate(items):
        counted = any(q.bounds or q.value <= 20 for q in reading.quantities
                      if 0 <= item.start - q.end <= 3)
        named_later = any(i.kind in treatments for i in items[index + 1:index + 3])
        if item.kind == "lines" and not counted and named_later:
            out.append(Item("history", "history", item.start, item.end))
        else:
            out.append(item)
    return out


def _modifiers_start(head: Item, items: list[Item]) -> int:
    """Where the words that lead into a head begin: "stereotactic brain radiotherapy" starts
    at "stereotactic", so "brain" is not a site of the head before."""
    start = head.start
    for item in sorted((i for i in items if i.end <= head.start), key=lambda i: -i.end):
        if item.kind in HEAD_KINDS or start - item.end > 2:
            break
        start = item.start
    return start


def _inherit_marker_names(units: list[Unit]) -> None:
    """ "DLL3 ≥ 1 % or H-score ≥ 1": an H-score without a marker is the marker's before it."""
    name = None
    for unit in units:
        if unit.head.kind != "biomarker":
            continue
        if unit.head.value:
            name = unit.head.value
        elif name is not None:
            unit.head = Item(
                "biomarker", name, unit.head.start, unit.head.end, {**unit.head.extra, "name": name}
            )


def _absorb_repeats(units: list[Unit], reading: Reading) -> list[Unit]:
    """ "CrCl ≥ 30 mL/min by Cockcroft-Gault or measured CrCl": the second naming adds a way of
    measuring, not a fact."""
    kept: list[Unit] = []
    for unit in units:
        earlier = next(
            (
                u
                for u in kept
                if u.head.kind == unit.head.kind == "measurement"
                and u.head.value == unit.head.value
                and leaves.thresholds(u)
            ),
            None,
        )
        if earlier is not None and not leaves.thresholds(unit):
            reading.use(unit.head.start, unit.head.end)
            earlier.after.extend(
                i for i in reading.items
                if i.kind == "derivation" and earlier.head.end <= i.start < unit.head.end
                and i not in earlier.after)
            continue
        kept.append(unit)
    return kept


def _merge_repeats(heads: list[Item], reading: Reading) -> list[Item]:
    """ "aPTT/PTT", "platelet count (PLT)": one concept named twice in a row is one head."""
    merged: list[Item] = []
    for head in heads:
        if (
            merged
            and merged[-1].kind == head.kind
            and merged[-1].value == head.value
            and reading.gap(merged[-1].end, head.start).strip(" :/,") == ""
        ):
            merged[-1] = Item(head.kind, head.value, merged[-1].start, head.end, merged[-1].extra)
            continue
        merged.append(head)
    return merged


def share(units: list[Unit], reading: Reading) -> None:
    """Let listed heads take the threshold or window written once after the list."""
    for index in range(len(units) - 2, -1, -1):
        unit, following = units[index], units[index + 1]
        start = unit.end if unit.end <= following.start else unit.head.end
        gap = _without_fillers(reading.gap(start, following.start))
        if not _list_gap(gap):
            continue
        kind, next_kind = unit.head.kind, following.head.kind
        if (
            kind in SHARES_THRESHOLD
            and next_kind in SHARES_THRESHOLD
            and not leaves.thresholds(unit)
            and not unit.values("result", "after")
        ):
            unit.quantities = list(following.quantities)
            unit.after = unit.after + [i for i in following.after if i.kind != "site"]
            unit.guards = dict(following.guards)
            unit.shared = True
        if kind == next_kind == "biomarker" and not unit.values("method"):
            unit.after = unit.after + [i for i in following.after if i.kind == "method"]
        if (
            kind in _SHARES_WINDOW
            and next_kind in _SHARES_WINDOW
            and not unit.windows
            and following.windows
        ):
            unit.windows = list(following.windows)
            unit.shared = True


def share_leading_window(units: list[Unit], reading: Reading) -> None:
    """"At least 6 weeks since prior cranial or spinal irradiation": a window written before
    the first of a list of treatments dates each of them."""
    for unit, following in pairwise(units):
        leading = [w for w in unit.windows if w.start < unit.head.start]
        if not leading or following.windows or following.head.kind not in _SHARES_WINDOW \
                or unit.head.kind not in _SHARES_WINDOW:
            continue
        start = unit.end if unit.end <= following.start else unit.head.end
        if _list_gap(_without_fillers(reading.gap(start, following.start))):
            following.windows = list(leading)
            following.shared = True


def _without_fillers(gap: str) -> str:
    from eligo.parse.criterion import filler_words

    words = gap.replace(",", " , ").replace("/", " / ").split()
    kept = [w for w in words if w in ("and", "or", "/", ",", "nor", "and/or")
            or w not in filler_words()]
    return " ".join(kept).replace(" ,", ",").strip(" ,")


def _list_gap(gap: str) -> bool:
    return gap in ("", "/", "or", "and", "and/or", ",", "or other", "and other", "nor") or (
        len(gap) <= 12 and re.fullmatch(r"(?:,\s?)?(?:and|or|and/or|/)?", gap) is not None
    )
