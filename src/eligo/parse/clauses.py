"""One clause: study-team phrases, exceptions, brackets, permissions, then the logic of its units.

A clause is read in this order:

1. a phrase only the study team can judge ("informed consent", "in the investigator's
   opinion") makes the clause a ``team`` leaf;
2. an exception ("except …", "other than …", "unless …") splits it: ``all(main, not(exc))``,
   and a negated main keeps the exception inside the negation: "no other malignancy except
   skin cancer" is ``not(all(malignancy, not(skin cancer)))``. "Except for patients on X, who
   must Y" is a guard instead: ``any(all(not X, main), all(X, Y))``;
3. brackets are set aside (abbreviations, examples), read inline (alternative thresholds),
   read as alternatives ("including …"), as exceptions ("… eligible") or as clauses of their own;
4. the units and their logic (:mod:`eligo.parse.combine`); "… not allowed" negates them,
   "… allowed" makes them a permission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eligo.model.expression import Allowed, Cohort, Expression, Not
from eligo.parse import brackets, combine, heads, team
from eligo.parse.exceptions import excepted, is_unless
from eligo.parse.leaves import all_of, any_of, shares_concept
from eligo.parse.mentions import Item
from eligo.parse.reading import Reading
from eligo.parse.text import depth_map

_GUARD_EXCEPTION = re.compile(
    r"^\s*(?:for\s|in\s)?(?:patients|subjects|participants|those|"
    r"people|persons|women|men)\b"
)
_EXAMPLE = re.compile(
    r",?\s(?:such\sas|for\sexample|for\sinstance|e\.g\.?,?|eg,?)\s(?=those|patients|any)"
    r"|,\s(?:such\sas|for\sexample|for\sinstance|e\.g\.?,?)\s"
)
_SOURCE = re.compile(r"(?<![\w-])from\s(?:a\s|any\s|the\s)?(?:previous|prior|earlier)\s")
_DEFINED = re.compile(
    r"(?<![\w-])(?:defined\sas(?:\sbeing)?|defined\sby|i\.e\.?,?|ie,|"
    r"that\sis,)\s"
)
_CONDITION = re.compile(
    r"(?<![\w-])(?:only\s)?(?:if|when|whenever|provided(?:\sthat)?|"
    r"as\slong\sas|so\slong\sas)(?![\w-])"
)
_REQUIREMENT = re.compile(
    r",?\s(?:who|which|that)\s(?:must|should|need|are required|will need)"
    r"|,\s(?:who|which)\s"
)


@dataclass(slots=True)
class ClauseResult:
    node: Expression | None
    permissive: bool = False  # "… allowed": a permission, or an exception to what precedes
    exception: bool = False  # "(excluding X)": an exception to what precedes, whatever it is
    unless: bool = False  # the exception is an "unless": it waives a requirement
    guard: Expression | None = None  # "For patients with X, …": whom the clause is about


def read_clause(reading: Reading, start: int, end: int) -> ClauseResult:
    items = _items(reading, start, end)
    definition = _DEFINED.search(reading.text.folded, start + 1, end)
    if definition is not None and _top_level(reading, start, definition.start()):
        return _defined(reading, start, end, definition)
    exception = next(
        (i for i in items if i.kind == "exceptions" and _top_level(reading, start, i.start)), None
    )
    if exception is not None:
        return _with_exception(reading, start, end, exception)
    judged = team.team_leaf(reading, items, start, end, strong_only=True)
    if judged is not None:
        return ClauseResult(judged)
    condition = _CONDITION.search(reading.text.folded, start + 1, end)
    if condition is not None and _top_level(reading, start, condition.start()):
        return _conditional(reading, start, end, condition)
    judged = team.team_leaf(reading, items, start, end) or team.judged_illness(
        reading, items, start, end) or team.adequacy(reading, items, start, end)
    if judged is not None:
        return ClauseResult(judged)
    return _read_plain(reading, items, start, end)


def _defined(reading: Reading, start: int, end: int, definition: re.Match[str]) -> ClauseResult:
    """ "DLL3 positive defined as DLL3 ≥ 1 % or H-score ≥ 1": the definition is the fact."""
    term = read_clause(reading, start, definition.start())
    meaning = read_clause(reading, definition.end(), end)
    if meaning.node is None:
        return term
    reading.use(definition.start(), definition.end())
    if term.node is None or shares_concept(term.node, meaning.node):
        if term.node is not None:
            reading.use(start, definition.start())
        return meaning
    return ClauseResult(all_of([term.node, meaning.node]), permissive=meaning.permissive)


def _conditional(reading: Reading, start: int, end: int, condition: re.Match[str]) -> ClauseResult:
    """ "A when B", "A only if B": A holds for those with B, ``any(not(B), A)``; a permission
    "eligible if B" permits those with B. Neither half alone says anything."""
    before = set(reading.used)
    head = read_clause(reading, start, condition.start())
    if not reading.words(condition.end(), end).strip(" :.,;"):
        reading.use(condition.start(), end)  # "… are eligible if:" with sub-criteria below
        return head
    tail = read_clause(reading, condition.end(), end)
    if head.permissive and head.node is not None and tail.node is None:
        timed = _window_only(reading, head.node, condition.end(), end)
        if timed is not None:
            reading.use(condition.start(), condition.end())
            return ClauseResult(timed, permissive=True)
    if head.node is None and tail.node is not None and _only_permits(reading, start,
                                                                      condition.start()):
        # "Patient is eligible if no acute symptoms of COVID-19 within 14 days": who is
        # permitted is said after "if"
        reading.use(start, condition.end())
        return ClauseResult(tail.node, permissive=True)
    if head.node is None or tail.node is None:
        reading.used = before
        return ClauseResult(None)
    reading.use(condition.start(), condition.end())
    if head.permissive:
        permitted = head.node.this if head.node.kind == "allowed" and head.node.this else None
        node = all_of([permitted, tail.node]) if permitted is not None else tail.node
        return ClauseResult(node, permissive=True)
    return ClauseResult(any_of([Not(tail.node), head.node], rule="condition.if"))


def _only_permits(reading: Reading, start: int, end: int) -> bool:
    """"Patients are eligible", "patient is eligible": a permission naming no fact."""
    from eligo.parse.criterion import filler_words

    items = [i for i in reading.items if start <= i.start and i.end <= end]
    if not any(i.kind == "allowed_post" for i in items):
        return False
    outside = reading.text.folded[start:end]
    for item in items:
        outside = outside[:item.start - start] + " " * (item.end - item.start) + \
            outside[item.end - start:]
    return all(w in filler_words() for w in re.findall(r"[a-z]+", outside))


def _window_only(reading: Reading, permitted: Expression, start: int,
                 end: int) -> Expression | None:
    """"Conventional chemotherapy eligible if at least 14 days … have elapsed": the window
    says when the permitted treatment may last have been given."""
    from eligo.model.expression import Dated

    target = permitted.this if permitted.kind == "allowed" else permitted
    windows = [w for w in reading.windows if start <= w.start < end and w.negated]
    if target is None or len(windows) != 1 or not isinstance(target, Dated) \
            or not isinstance(target, Expression):
        return None
    timed = target.copy()
    timed.set("window", windows[0].node.copy())
    reading.use(windows[0].start, windows[0].end)
    return all_of([target, Not(timed, rule="permission.window")], rule="permission.window")


def _items(reading: Reading, start: int, end: int) -> list[Item]:
    blocked = [(w.start, w.end) for w in reading.windows]
    blocked += [
        (q.comparator_start if q.comparator_start is not None else q.start, q.end)
        for q in reading.quantities
        if q.bounds
    ]
    return [
        i
        for i in reading.items
        if start <= i.start
        and i.end <= end
        and (i.kind in ("age", "team") or not any(a < i.end and i.start < b for a, b in blocked))
    ]


def _top_level(reading: Reading, start: int, position: int) -> bool:
    depths = depth_map(reading.text.folded, start, position + 1)
    return not depths or depths[-1] == 0


def _with_exception(reading: Reading, start: int, end: int, trigger: Item) -> ClauseResult:
    if not reading.words(start, trigger.start).strip(" ,;:("):
        # "(excluding placement of vascular access)": all of it is the exception
        exc = read_clause(reading, trigger.end, end).node
        if exc is not None:
            reading.use(trigger.start, trigger.end)
        return ClauseResult(exc, exception=exc is not None, unless=is_unless(reading, trigger))
    return ClauseResult(_main_and_exception(reading, start, end, trigger))


def _main_and_exception(reading: Reading, start: int, end: int,
                        trigger: Item) -> Expression | None:
    reading.use(trigger.start, trigger.end)
    scope = _exception_scope(reading, start, trigger, end)
    if scope is not None:
        return _inner_exception(reading, start, end, trigger, scope)
    main = read_clause(reading, start, trigger.start)
    if main.node is None:
        return None
    rest = reading.words(trigger.end, end)
    if _GUARD_EXCEPTION.match(rest):
        return _guard_exception(reading, main.node, trigger.end, end)
    exc = read_clause(reading, trigger.end, end).node
    if exc is None:
        exc = _qualified_copy(reading, main.node, trigger.end, end)
    if exc is None:
        return main.node
    return excepted(reading, main.node, exc, unless=is_unless(reading, trigger),
                    span=(trigger.start, end))


def _exception_scope(reading: Reading, start: int, trigger: Item, end: int) -> int | None:
    """"…, diverticulitis with the exception of diverticulosis, celiac disease or …": an
    exception hung on one member of a list (no comma before it) ends at the next comma, and
    the list goes on after it. None when the exception runs to the clause end."""
    folded = reading.text.folded
    if folded[max(start, trigger.start - 2):trigger.start].strip().endswith(","):
        return None
    depths = depth_map(folded, start, end)
    commas = [start + i for i, c in enumerate(folded[start:end]) if c == "," and depths[i] == 0]
    before = [c for c in commas if c < trigger.start]
    after = [c for c in commas if c > trigger.end]
    if not before or not after:
        return None
    return after[0]


def _inner_exception(reading: Reading, start: int, end: int, trigger: Item,
                     scope: int) -> Expression | None:
    exc = read_clause(reading, trigger.end, scope).node
    if exc is None:
        return None
    saved = reading.items
    reading.items = [i for i in saved if not trigger.start <= i.start < scope]
    reading.quiet.append((trigger.start, scope + 1))
    try:
        main = read_clause(reading, start, end).node
    finally:
        reading.items = saved
        reading.quiet.pop()
    if main is None:
        return None
    return excepted(reading, main, exc, unless=is_unless(reading, trigger),
                    span=(trigger.start, scope))


def _guard_exception(reading: Reading, main: Expression, start: int, end: int) -> Expression:
    """ "…, except for patients on X, who must have Y": X chooses between main and Y."""
    folded = reading.text.folded
    requirement = _REQUIREMENT.search(folded, start, end)
    guard_end = requirement.start() if requirement else end
    guard = read_clause(reading, start, guard_end).node
    if guard is None:
        return main
    lead = _GUARD_EXCEPTION.match(reading.words(start, end))
    if lead is not None:
        reading.use(start, start + lead.end())
    if requirement is None:
        return any_of([all_of([Not(guard), main]), guard], rule="exception.guard")
    reading.use(requirement.start(), requirement.end())
    alternative = read_clause(reading, requirement.end(), end).node
    branch = all_of([guard, alternative]) if alternative is not None else guard
    return any_of([all_of([Not(guard), main]), branch], rule="exception.guard")


def _qualified_copy(reading: Reading, main: Expression, start: int, end: int) -> Expression | None:
    """ "No brain metastases unless treated and stable": the same condition, so qualified."""
    from eligo.model.expression import Condition

    qualifiers = [i for i in _items(reading, start, end) if i.kind == "qualifier"]
    conditions = list(main.find_all(Condition))
    if not qualifiers or len(conditions) != 1:
        return None
    for item in qualifiers:
        reading.use(item.start, item.end)
    base = conditions[0]
    values = list(dict.fromkeys([*(base.qualifiers or []), *(i.value for i in qualifiers)]))
    args = {**base.args, "qualifiers": values}
    return Condition(**args, span=(start, end), rule="exception.qualified")


def _read_plain(reading: Reading, items: list[Item], start: int, end: int) -> ClauseResult:
    example = _EXAMPLE.search(reading.text.folded, start + 1, end)
    if example is not None and _top_level(reading, start, example.start()):
        return _with_example(reading, items, start, end, example.start())
    source = _SOURCE.search(reading.text.folded, start + 1, end)
    if source is not None and _top_level(reading, start, source.start()):
        stop = min([q.start if q.comparator_start is None else q.comparator_start
                    for q in reading.quantities if q.bounds and source.end() <= q.start < end]
                   + [w.start for w in reading.windows if source.end() <= w.start < end] + [end])
        reading.use(source.start(), stop)
        items = [i for i in items if not source.start() <= i.start < stop]
    groups = brackets.groups(reading, start, end)
    extra_nodes: list[Expression] = []
    permissions: list[Expression] = []
    exceptions: list[tuple[Expression, bool, tuple[int, int]]] = []
    cohorts: list[tuple[int, str]] = []
    alternatives: list[tuple[int, Expression]] = []
    asides: list[tuple[int, int]] = []
    for low, high in groups:
        content = reading.words(low + 1, high - 1)
        kind = brackets.kind_of(reading, items, low, high, content)
        if kind == "inline":
            for inner_low, inner_high in brackets.groups(reading, low + 1, high - 1):
                asides.append((inner_low, inner_high))
                reading.use(inner_low, inner_high)
            continue
        reading.use(low, low + 1)
        reading.use(high - 1, high)
        if kind == "aside":
            reading.use(low, high)
        elif kind == "cohort":
            reading.use(low, high)
            cohorts.append((low, brackets.COHORT.match(content).group(1)))  # type: ignore[union-attr]
        else:
            inner = read_clause(reading, low + 1, high - 1)
            if inner.node is None:
                continue
            if kind == "including":
                alternatives.append((low, inner.node))
            elif kind == "drug_window":
                extra_nodes.append(brackets.drug_window(reading, inner.node, low, high, start, end))
            elif inner.exception:
                exceptions.append((inner.node, inner.unless, (low, high)))
            elif inner.permissive:
                permissions.append(inner.node)
            else:
                extra_nodes.append(inner.node)
    reading.set_aside.extend(
        (a, b) for a, b in groups if not brackets.is_inline(reading, items, a, b))
    inline_items = [
        i
        for i in items
        if not any(a < i.start < b for a, b in groups
                   if not brackets.is_inline(reading, items, a, b))
        and not any(a < i.start < b for a, b in asides)
    ]
    node, permissive = _units_node(reading, inline_items, start, end, cohorts, alternatives)
    if node is None and not extra_nodes:
        return ClauseResult(None)
    for exc, unless, span in exceptions if node is not None else []:
        node = excepted(reading, node, exc, unless=unless, span=span)
    for permission in permissions:
        permitted = permission.this if permission.kind == "allowed" and permission.this else None
        if node is not None and permitted is not None and shares_concept(node, permitted):
            node = _except(node, [permitted])
        else:
            extra_nodes.append(permission)
    parts = [n for n in (node, *extra_nodes) if n is not None]
    result = all_of(parts)
    if permissive:
        return ClauseResult(
            Allowed(
                result, text=reading.text.raw[start:end].strip(), span=(start, end), rule="allowed"
            ),
            permissive=True,
        )
    return ClauseResult(result)


def _with_example(reading: Reading, items: list[Item], start: int, end: int,
                  example: int) -> ClauseResult:
    """"Active hepatitis B, such as those with serologic evidence … within 28 days of cycle 1,
    day 1": the examples illustrate; a window among them dates the facts before."""
    main = _read_plain(reading, [i for i in items if i.start < example], start, example)
    if main.node is None:
        return main
    reading.use(example, end)
    windows = [w for w in reading.windows if example <= w.start < end and not w.negated]
    if not windows:
        return main
    window = windows[0].node

    def dated(node: Expression) -> Expression:
        from eligo.model.expression import Dated

        if isinstance(node, Dated) and node.args.get("window") is None:
            copy = node.copy()
            copy.set("window", window.copy())
            return copy
        return node

    return ClauseResult(main.node.transform(dated), permissive=main.permissive)


def _except(node: Expression, exceptions: list[Expression]) -> Expression:
    exc = any_of(exceptions)
    if isinstance(node, Not):
        return Not(all_of([node.this, Not(exc)]), rule="exception")
    return all_of([node, Not(exc)], rule="exception")


def _units_node(
    reading: Reading,
    items: list[Item],
    start: int,
    end: int,
    cohorts: list[tuple[int, str]],
    alternatives: list[tuple[int, Expression]],
) -> tuple[Expression | None, bool]:
    permissive = any(i.kind == "allowed_post" for i in items)
    post_negation = next((i for i in items if i.kind == "negation_post"), None)
    for item in items:
        if item.kind in ("allowed_post", "negation_post", "modal"):
            reading.use(item.start, item.end)
    if cohorts:
        return _by_cohort(reading, items, start, end, cohorts), permissive
    units = heads.make_units(reading, items, start, end)
    units = combine.find_guards(units, reading)
    heads.share(units, reading)
    heads.share_leading_window(units, reading)
    combine.mark_negation(units, items, start, reading)
    node = combine.build(units, reading)
    if node is not None and alternatives:
        node = any_of([node, *(alt for _, alt in alternatives)], rule="including")
    if node is not None and post_negation is not None and not permissive:
        node = Not(node, rule="negation.post")
    return node, permissive


def _by_cohort(
    reading: Reading, items: list[Item], start: int, end: int, cohorts: list[tuple[int, str]]
) -> Expression | None:
    """ "SCLC (Cohort 1) or NEC or MTC (Cohort 2)": each stretch belongs to its cohort."""
    branches: list[Expression] = []
    low = start
    for position, name in cohorts:
        part = [i for i in items if low <= i.start < position]
        node, _ = _units_node(reading, part, low, position, [], [])
        if node is not None:
            branches.append(all_of([node, Cohort(name=name, rule="cohort")]))
        low = position
    rest = [i for i in items if i.start >= low]
    node, _ = _units_node(reading, rest, low, end, [], [])
    parts = [any_of(branches, rule="cohort")] if branches else []
    if node is not None:
        parts.append(node)
    return all_of(parts) if parts else None
