"""From the items of one clause to logic: units, shared thresholds, guards, negation, and/or.

- Each head item becomes a :class:`~eligo.parse.reading.Unit` with the items, numbers and
  windows around it.
- Heads listed before one threshold share it ("AST/ALT and ALP < 3 × ULN"); treatments listed
  before one window share it ("whole brain or stereotactic radiotherapy < 14 days").
- A threshold followed by "for patients with X" / "in the presence of X" is guarded by X: the
  clause becomes ``any(all(not X, main), all(X, alternative))``.
- A negation trigger negates the run of units after it, up to the next trigger or the clause
  end ("No A or B" is ``not(any(A, B))``; "with A and without B" is ``all(A, not(B))``).
- Connectors: "and" binds loosest, "or" and "/" tighter, a comma takes the conjunction that
  ends its list ("A, B, or C" is ``any(A, B, C)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from itertools import pairwise

from eligo.model.expression import Biomarker, Dated, Expression, Measurement, Not
from eligo.parse import facts, leaves
from eligo.parse.leaves import all_of, any_of
from eligo.parse.lexicon import alternation, data
from eligo.parse.mentions import HEAD_KINDS, Item
from eligo.parse.quantities import Quantity
from eligo.parse.reading import Reading, Unit

Builder = Callable[[Unit, Reading], "Expression | None"]

BUILDERS: dict[str, Builder] = {
    "measurement": leaves.measurement,
    "biomarker": leaves.biomarker,
    "performance": leaves.performance,
    "age": leaves.age,
    "life_expectancy": leaves.life_expectancy,
    "lines": leaves.lines,
    "measurable": leaves.measurable,
    "evaluable": leaves.measurable,
    "condition": facts.condition,
    "drug": facts.therapy,
    "drug_class": facts.therapy,
    "therapy": facts.therapy,
    "procedure": facts.procedure,
    "pregnancy": facts.reproduction,
    "pregnancy_test": facts.reproduction,
    "breastfeeding": facts.reproduction,
    "childbearing_potential": facts.reproduction,
    "vaccine": facts.vaccination,
    "trial": facts.trial,
    "sex": facts.sex,
}

#: Heads whose threshold a list can share, and heads whose window a list can share.
_SHARES_THRESHOLD = frozenset({"measurement", "biomarker", "performance"})
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
    }
)


@cache
def _guard_pattern() -> re.Pattern[str]:
    guards = alternation(data("context")["guards"])
    return re.compile(r"^[\s,(]{0,3}(?:or\s)?(?:" + guards + r")\s")


_SEX_GUARD = re.compile(r"^[\s,(]{0,3}(?:and\s|or\s)?(?:for|in|among|if)\s")


@cache
def guard_anywhere() -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + alternation(data("context")["guards"]) + r")\s")


def make_units(reading: Reading, items: list[Item], start: int, end: int) -> list[Unit]:
    items = _uncounted_lines(items, reading)
    heads = _merge_repeats([i for i in items if i.kind in HEAD_KINDS], reading)
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
        for item in unit.before:
            unit.start = min(unit.start, item.start)
        unit.end = max(
            [head.end, *(i.end for i in unit.after), *(q.end for q in unit.quantities if q.bounds)]
        )
        units.append(unit)
    _inherit_marker_names(units)
    _distribute_context(units, reading)
    return _absorb_repeats(units, reading)


def _distribute_context(units: list[Unit], reading: Reading) -> None:
    """"Active hepatitis B and/or hepatitis C": words before the first of a list of like heads
    qualify each of them."""
    for previous, unit in pairwise(units):
        if unit.before or unit.head.kind != previous.head.kind or unit.head.kind not in (
                "condition", "drug", "drug_class", "therapy"):
            continue
        gap = reading.gap(previous.head.end, unit.head.start).strip(" ,")
        if gap in ("or", "and", "and/or", "/", ", or", ", and"):
            unit.before = [i for i in previous.before
                           if i.kind in ("history", "current", "qualifier", "uncertain")]


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
            kind in _SHARES_THRESHOLD
            and next_kind in _SHARES_THRESHOLD
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


def find_guards(units: list[Unit], reading: Reading) -> list[Unit]:
    """Mark thresholds followed by "for patients with X"; the X units leave the list, and the
    thresholds written after X go back to the head they limit."""
    removed: set[int] = set()
    for unit in units:
        if id(unit) in removed or unit.head.kind not in _SHARES_THRESHOLD:
            continue
        position = 0
        while position < len(unit.quantities):
            quantity = unit.quantities[position]
            if quantity.bounds:
                live = [u for u in units if id(u) not in removed and u is not unit]
                found = _guard_after(quantity, live, reading)
                if found is not None:
                    guard, members = found
                    unit.guards[position] = guard
                    removed.update(id(member) for member in members)
                    unit.quantities.extend(
                        q for q in members[-1].quantities if q not in unit.quantities
                    )
                    unit.after.extend(
                        i
                        for i in members[-1].after
                        if i.kind in ("derivation", "mcontext", "method")
                    )
            position += 1
    return [u for u in units if id(u) not in removed]


def _guard_after(
    quantity: Quantity, units: list[Unit], reading: Reading
) -> tuple[Expression, list[Unit]] | None:
    following = [u for u in units if u.head.start >= quantity.end]
    if not following:
        return None
    first = following[0]
    if first.head.kind not in ("condition", "drug", "drug_class", "therapy", "sex"):
        return None
    between = reading.words(quantity.end, first.head.start)
    pattern = _SEX_GUARD if first.head.kind == "sex" else _guard_pattern()
    marker = pattern.match(between)
    if marker is None or not _fillers_only(between[marker.end() :]):
        return None
    members = [first]
    for unit in following[1:]:
        gap = reading.gap(members[-1].head.end, unit.head.start).strip(" ,")
        if unit.head.kind == first.head.kind and gap in ("or", "and/or", "/"):
            members.append(unit)
        else:
            break
    before = set(reading.used)
    nodes = [n for n in (build_leaf(u, reading) for u in members) if n is not None]
    if not nodes:
        reading.used = before
        return None
    reading.use(quantity.end, first.head.start)
    return any_of(nodes), members


def _fillers_only(words: str) -> bool:
    from eligo.parse.criterion import filler_words

    return all(word in filler_words() for word in re.findall(r"[a-z0-9]+", words))


def build_leaf(unit: Unit, reading: Reading) -> Expression | None:
    builder = BUILDERS.get(unit.head.kind)
    node = builder(unit, reading) if builder else None
    if node is not None and unit.windows:
        window = unit.windows[0]
        undated = node
        node = node.transform(lambda leaf: _dated(leaf, window.node))
        if window.negated:
            node = Not(node, span=node.span, rule="window.since")
        if window.floor is not None:
            floor = window.floor
            recent = undated.transform(lambda leaf: _redated(leaf, window.node, floor))
            node = all_of([node, Not(recent, rule="window.floor")], rule="window.between")
        reading.use(window.start, window.end)
    if node is not None:
        reading.use(unit.head.start, unit.head.end)
        for item in unit.after:
            reading.use(item.start, item.end)
    return node


def _redated(leaf: Expression, old: Expression, new: Expression) -> Expression:
    """The same fact with ``new`` in place of the window ``old`` (or of no window)."""
    current = leaf.args.get("window") if isinstance(leaf, Dated) else None
    if isinstance(leaf, Dated) and (current is None or current == old):
        copy = leaf.copy()
        copy.set("window", new.copy())
        return copy
    return leaf


def _dated(leaf: Expression, window: Expression) -> Expression:
    """Measurements and biomarkers take the unit's window (other builders set it)."""
    if isinstance(leaf, Measurement | Biomarker) and leaf.args.get("window") is None:
        copy = leaf.copy()
        copy.set("window", window.copy())
        return copy
    return leaf


def mark_negation(units: list[Unit], items: list[Item], start: int, reading: Reading) -> None:
    """Set ``negated`` and ``run`` on each unit from the negation triggers before it."""
    run, negated = 0, False
    previous_end = start
    for unit in units:
        triggers = [
            i for i in items if i.kind == "negation" and previous_end <= i.start < unit.head.start
        ]
        if triggers:
            run, negated = run + 1, True
            for trigger in triggers:
                reading.use(trigger.start, trigger.end)
        elif negated and _breaks_negation(reading, previous_end, unit.head.start):
            run, negated = run + 1, False
        unit.negated, unit.run = negated, run
        previous_end = unit.head.end


def _breaks_negation(reading: Reading, start: int, end: int) -> bool:
    # "without A and with B", "no A but B": a new positive statement starts
    return (
        re.search(
            r"\b(?:with|but|and must|and should|and have|and has|and is|and are)\b",
            reading.words(start, end),
        )
        is not None
    )


def connector(reading: Reading, left: Unit, right: Unit) -> str:
    start = left.end if left.end <= right.head.start else left.head.end
    gap = reading.gap(start, right.head.start)
    words = gap.replace(",", " , ").replace("/", " / ").split()
    if "and/or" in gap or "or" in words or "nor" in words or "either" in words:
        return "or"
    if "and" in words and "other" in words:
        return "or"  # "SCLC and other NECs": patients with either
    if "/" in words:
        both = left.head.kind == right.head.kind == "measurement"
        return "and" if both and not _equivalent(left.head.value, right.head.value) else "or"
    if "and" in words or "plus" in words or "including" in words or "with" in words:
        return "and"
    if words and all(w == "," for w in words):
        return "comma"
    return "and"


def _equivalent(one: str, other: str) -> bool:
    return any(
        one in group and other in group for group in data("keywords")["equivalent_measurements"]
    )


def join(nodes: list[Expression], connectors: list[str]) -> Expression:
    """Nodes joined by connectors: "and" loosest, commas taking the list's conjunction."""
    resolved = list(connectors)
    for index in range(len(resolved) - 1, -1, -1):
        if resolved[index] == "comma":
            later = next((c for c in resolved[index + 1 :] if c != "comma"), None)
            resolved[index] = later or "and"
    groups: list[list[Expression]] = [[nodes[0]]]
    for node, link in zip(nodes[1:], resolved, strict=True):
        if link == "and":
            groups.append([node])
        else:
            groups[-1].append(node)
    return all_of([any_of(group) for group in groups])


def build(units: list[Unit], reading: Reading) -> Expression | None:
    """The expression of a clause's units: guards, runs of negation, connectors."""
    branches = _guard_branches(units)
    if branches:
        return _guarded(units, reading, branches)
    return _plain(units, reading)


def _plain(units: list[Unit], reading: Reading) -> Expression | None:
    built = [(unit, build_leaf(unit, reading)) for unit in units]
    kept = [(unit, node) for unit, node in built if node is not None]
    if not kept:
        return None
    runs: list[tuple[list[Unit], list[Expression]]] = []
    for unit, node in kept:
        if runs and runs[-1][0][-1].run == unit.run:
            runs[-1][0].append(unit)
            runs[-1][1].append(node)
        else:
            runs.append(([unit], [node]))
    run_nodes: list[Expression] = []
    for run_units, run_leaves in runs:
        links = [connector(reading, a, b) for a, b in pairwise(run_units)]
        node = join(run_leaves, links)
        run_nodes.append(Not(node, rule="negation") if run_units[0].negated else node)
    links = [connector(reading, a[0][-1], b[0][0]) for a, b in pairwise(runs)]
    return join(run_nodes, links)


def _guard_branches(units: list[Unit]) -> list[Expression]:
    branches: list[Expression] = []
    for unit in units:
        for guard in unit.guards.values():
            if guard not in branches:
                branches.append(guard)
    return branches


def _guarded(units: list[Unit], reading: Reading, branches: list[Expression]) -> Expression | None:
    """any(all(not g1, not g2, main), all(g1, alternative1), all(g2, alternative2))."""
    original = [(list(u.quantities), dict(u.guards)) for u in units]
    results: list[Expression] = []
    for branch in [None, *branches]:
        for unit, (quantities, guards) in zip(units, original, strict=True):
            unit.quantities = [
                q for i, q in enumerate(quantities) if not q.bounds or guards.get(i) == branch
            ]
            if branch is not None and not any(q.bounds for q in unit.quantities):
                unit.quantities = [q for i, q in enumerate(quantities) if i not in guards]
        if branch is None and not any(
            leaves.thresholds(u) for u in units if u.head.kind in _SHARES_THRESHOLD
        ):
            continue  # every threshold is guarded: no main branch
        node = _plain(units, reading)
        if node is None:
            return None
        if branch is None:
            results.append(all_of([*(Not(g) for g in branches), node], rule="guard.main"))
        else:
            results.append(all_of([branch, node], rule="guard.alternative"))
    for unit, (quantities, guards) in zip(units, original, strict=True):
        unit.quantities, unit.guards = quantities, guards
    return any_of(results, rule="guard")
