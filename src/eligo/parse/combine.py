"""From the units of one clause (:mod:`eligo.parse.heads`) to logic: guards, negation, and/or.

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
from eligo.parse import facts, leaves, scores
from eligo.parse.heads import SHARES_THRESHOLD
from eligo.parse.leaves import all_of, any_of
from eligo.parse.lexicon import alternation, data
from eligo.parse.mentions import Item
from eligo.parse.quantities import Quantity
from eligo.parse.reading import Reading, Unit

Builder = Callable[[Unit, Reading], "Expression | None"]

BUILDERS: dict[str, Builder] = {
    "measurement": leaves.measurement,
    "biomarker": leaves.biomarker,
    "performance": scores.performance,
    "age": scores.age,
    "life_expectancy": scores.life_expectancy,
    "lines": scores.lines,
    "measurable": scores.measurable,
    "evaluable": scores.measurable,
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
@cache
def _guard_pattern() -> re.Pattern[str]:
    guards = alternation(data("context")["guards"])
    return re.compile(r"^[\s,(]{0,3}(?:or\s)?(?:" + guards + r")\s")


_SEX_GUARD = re.compile(r"^[\s,(]{0,3}(?:and\s|or\s)?(?:for|in|among|if)\s")


@cache
def guard_anywhere() -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + alternation(data("context")["guards"]) + r")\s")


def find_guards(units: list[Unit], reading: Reading) -> list[Unit]:
    """Mark thresholds followed by "for patients with X"; the X units leave the list, and the
    thresholds written after X go back to the head they limit."""
    removed: set[int] = set()
    for unit in units:
        if id(unit) in removed or unit.head.kind not in SHARES_THRESHOLD:
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
        elif negated and (_breaks_negation(reading, previous_end, unit.head.start)
                          or _says_own_result(unit)):
            run, negated = run + 1, False
        unit.negated, unit.run = negated, run
        previous_end = unit.head.end


def _says_own_result(unit: Unit) -> bool:
    """"No viral hepatitis HIV negative": a condition with its own result is a new statement."""
    return unit.head.kind == "condition" and any(
        i.kind == "result" and i.start - unit.head.end <= 3 for i in unit.after)


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
    # up to the words leading into the right head: "… NEC with progression on or after
    # platinum" joins with "with", the "or" is the outcome's
    stop = right.start if start <= right.start <= right.head.start else right.head.start
    written = reading.words(start, stop)
    if "(" in written and ")" not in written:
        return "tight"  # "G3 NEC (Ki-67 > 20 %)": what the bracket says is of the head before
    gap = reading.gap(start, stop)
    words = gap.replace(",", " , ").replace("/", " / ").split()
    if re.search(r",\s?(?:or|and/or)\b", gap) and not re.search(r"\b(?:or|and/or)\b", gap.split(
            ",")[0]):
        return "or_top"  # "A or B (…), or C with D": the comma separates the alternatives
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


#: connectors from the loosest to the tightest binding
_PRECEDENCE = ("or_top", "and", "or", "tight")


def join(nodes: list[Expression], connectors: list[str]) -> Expression:
    """Nodes joined by connectors: ", or" loosest, then "and", then "or", then what a bracket
    adds to the head before it; commas take the list's conjunction."""
    resolved = list(connectors)
    for index in range(len(resolved) - 1, -1, -1):
        if resolved[index] == "comma":
            later = next((c for c in resolved[index + 1 :] if c not in ("comma", "tight")),
                         None)
            resolved[index] = later or "and"
    # ", or" separates alternatives above "and" only after an inner "or" ("A or B (…), or
    # C with D"); in a plain series ("A, B, or C that has failed X") it is an ordinary "or"
    seen_or = False
    for index, link in enumerate(resolved):
        if link == "or_top" and not seen_or:
            resolved[index] = "or"
        elif link == "or_top":
            seen_or = False
        elif link == "or":
            seen_or = True
    return _join_level(nodes, resolved, 0)


def _join_level(nodes: list[Expression], links: list[str], level: int) -> Expression:
    if len(nodes) == 1:
        return nodes[0]
    link = _PRECEDENCE[level]
    if link not in links:
        return _join_level(nodes, links, level + 1)
    parts: list[Expression] = []
    start = 0
    for index, current in enumerate(links):
        if current == link:
            parts.append(_join_level(nodes[start:index + 1], links[start:index], level + 1))
            start = index + 1
    parts.append(_join_level(nodes[start:], links[start:], level + 1))
    return any_of(parts) if link in ("or_top", "or") else all_of(parts)


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
        node = _since_scope(join(run_leaves, links))
        run_nodes.append(Not(node, rule="negation") if run_units[0].negated else node)
    links = [connector(reading, a[0][-1], b[0][0]) for a, b in pairwise(runs)]
    return join(run_nodes, links)


def _since_scope(node: Expression) -> Expression:
    """"At least 4 weeks since chemotherapy or radiotherapy": the time since covers the list,
    neither may fall in the window: ``not(any(a, b))``, not ``any(not a, not b)``."""
    from eligo.model.expression import Any

    if isinstance(node, Any) and all(
            isinstance(item, Not) and item.rule == "window.since" for item in node.items):
        inner = [item.this for item in node.items if isinstance(item, Not)]
        return Not(Any(*inner, span=node.span), span=node.span, rule="window.since")
    return node


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
            leaves.thresholds(u) for u in units if u.head.kind in SHARES_THRESHOLD
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
