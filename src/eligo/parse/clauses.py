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

from eligo.model.expression import Allowed, Cohort, Expression, Not, Team
from eligo.parse import combine
from eligo.parse.leaves import all_of, any_of
from eligo.parse.mentions import HEAD_KINDS, Item
from eligo.parse.reading import Reading
from eligo.parse.text import depth_map
from eligo.vocab import vocabulary

_ASIDE = re.compile(
    r"^\s*(?:e\.?\s?g\.?|i\.?\s?e\.?|eg|ie|such as|for example|for instance|"
    r"example|namely|see |as |note|per |according|defined|based)"
    r"|^\s*(?:temporarily\s)?closed to accrual|^\s*as of \d|^\s*effective \d"
)
_INCLUDING = re.compile(r"^\s*(?:including|includes|incl\.?|this includes|which includes)\s")
_COHORT = re.compile(r"^\s*(?:cohort|arm|part|group|stratum)\s?([0-9]{1,2}|[a-d]|i{1,3}|iv)\s*$")
_GUARD_EXCEPTION = re.compile(
    r"^\s*(?:for\s|in\s)?(?:patients|subjects|participants|those|"
    r"people|persons|women|men)\b"
)
_EXAMPLE = re.compile(
    r",?\s(?:such\sas|for\sexample|for\sinstance|e\.g\.?,?|eg,?)\s(?=those|patients|any)"
)
_SOURCE = re.compile(r"(?<![\w-])from\s(?:a\s|any\s|the\s)?(?:previous|prior|earlier)\s")
_DRUG_WINDOW = re.compile(
    r"^\s*(?:\d{1,3}|one|two|three|four|five|six|eight|twelve)\s(?:days?|weeks?|months?)\s"
    r"(?:for|since|with|after|if)\s")
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
    team = _team(reading, items, start, end, strong_only=True)
    if team is not None:
        return ClauseResult(team)
    condition = _CONDITION.search(reading.text.folded, start + 1, end)
    if condition is not None and _top_level(reading, start, condition.start()):
        return _conditional(reading, start, end, condition)
    team = _team(reading, items, start, end) or _judgement(reading, items, start, end)
    if team is not None:
        return ClauseResult(team)
    return _read_plain(reading, items, start, end)


_GENERIC_ILLNESS = re.compile(
    r"\b(?:illness(?:es)?|conditions?|diseases?|disorders?|problems?|abnormalit(?:y|ies)|"
    r"comorbidit(?:y|ies)|co-morbidit(?:y|ies))\b")
_JUDGED = frozenset({"clinically_significant", "severe", "uncontrolled"})


def _judgement(reading: Reading, items: list[Item], start: int,
               end: int) -> Expression | None:
    """"No other serious concurrent illness", "significant medical condition": a disease no
    vocabulary names, qualified by how grave it is: the study team weighs it."""
    if any(i.kind in HEAD_KINDS for i in items):
        return None
    if not any(i.kind == "qualifier" and i.value in _JUDGED for i in items):
        return None
    if _GENERIC_ILLNESS.search(reading.text.folded, start, end) is None:
        return None
    reading.use(start, end)
    return Team(category="investigator_opinion", text=reading.text.raw[start:end].strip(),
                span=(start, end), rule="team.judged_illness")


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
    if head.node is None or tail.node is None:
        reading.used = before
        return ClauseResult(None)
    reading.use(condition.start(), condition.end())
    if head.permissive:
        permitted = head.node.this if head.node.kind == "allowed" and head.node.this else None
        node = all_of([permitted, tail.node]) if permitted is not None else tail.node
        return ClauseResult(node, permissive=True)
    return ClauseResult(any_of([Not(tail.node), head.node], rule="condition.if"))


def _window_only(reading: Reading, permitted: Expression, start: int,
                 end: int) -> Expression | None:
    """"Conventional chemotherapy eligible if at least 14 days … have elapsed": the window
    says when the permitted treatment may last have been given."""
    from eligo.model.expression import Dated

    target = permitted.this if permitted.kind == "allowed" else permitted
    windows = [w for w in reading.windows if start <= w.start < end and w.negated]
    if target is None or len(windows) != 1 or not isinstance(target, Dated):
        return None
    timed = target.copy()
    timed.set("window", windows[0].node.copy())
    reading.use(windows[0].start, windows[0].end)
    return all_of([target, Not(timed, rule="permission.window")], rule="permission.window")


def shares_concept(one: Expression, other: Expression) -> bool:
    """True when two trees name a common concept (or one below the other)."""
    vocab = vocabulary()
    mine, theirs = _concepts(one), _concepts(other)
    return any(a == b or vocab.is_a(a, b) or vocab.is_a(b, a) for a in mine for b in theirs)


def _concepts(node: Expression) -> set[str]:
    found: set[str] = set()
    for leaf in node.walk():
        for slot in (
            "concept",
            "measurement",
            "drug",
            "drug_class",
            "category",
            "procedure",
            "name",
        ):
            value = leaf.args.get(slot)
            if isinstance(value, str):
                found.add(value)
    return found


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
        and not any(a < i.end and i.start < b for a, b in blocked)
    ]


def _top_level(reading: Reading, start: int, position: int) -> bool:
    depths = depth_map(reading.text.folded, start, position + 1)
    return not depths or depths[-1] == 0


def _team(
    reading: Reading, items: list[Item], start: int, end: int, strong_only: bool = False
) -> Expression | None:
    strong = [i for i in items if i.kind == "team" and i.extra.get("strong")]
    heads = [i for i in items if i.kind in HEAD_KINDS]
    weak = [] if strong_only else [i for i in items if i.kind == "team"]
    chosen = strong[0] if strong else (weak[0] if weak and not heads else None)
    if chosen is None:
        return None
    reading.use(start, end)
    text = reading.text.raw[start:end].strip()
    return Team(category=chosen.value, text=text, span=(start, end), rule=f"team.{chosen.value}")


def _with_exception(reading: Reading, start: int, end: int, trigger: Item) -> ClauseResult:
    if not reading.words(start, trigger.start).strip(" ,;:("):
        # "(excluding placement of vascular access)": all of it is the exception
        exc = read_clause(reading, trigger.end, end).node
        if exc is not None:
            reading.use(trigger.start, trigger.end)
        return ClauseResult(exc, exception=exc is not None)
    return ClauseResult(_main_and_exception(reading, start, end, trigger))


def _main_and_exception(reading: Reading, start: int, end: int,
                        trigger: Item) -> Expression | None:
    reading.use(trigger.start, trigger.end)
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
    if isinstance(main.node, Not):
        return Not(all_of([main.node.this, Not(exc, rule="exception")]), rule="exception")
    return all_of([main.node, Not(exc, rule="exception")], rule="exception")


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
    groups = _brackets(reading, start, end)
    extra_nodes: list[Expression] = []
    permissions: list[Expression] = []
    exceptions: list[Expression] = []
    cohorts: list[tuple[int, str]] = []
    alternatives: list[tuple[int, Expression]] = []
    asides: list[tuple[int, int]] = []
    for low, high in groups:
        content = reading.words(low + 1, high - 1)
        kind = _bracket_kind(reading, items, low, high, content)
        if kind == "inline":
            for inner_low, inner_high in _brackets(reading, low + 1, high - 1):
                asides.append((inner_low, inner_high))
                reading.use(inner_low, inner_high)
            continue
        reading.use(low, low + 1)
        reading.use(high - 1, high)
        if kind == "aside":
            reading.use(low, high)
        elif kind == "cohort":
            reading.use(low, high)
            cohorts.append((low, _COHORT.match(content).group(1)))  # type: ignore[union-attr]
        else:
            inner = read_clause(reading, low + 1, high - 1)
            if inner.node is None:
                continue
            if kind == "including":
                alternatives.append((low, inner.node))
            elif kind == "drug_window":
                extra_nodes.append(_drug_window(reading, inner.node, low, high, start, end))
            elif inner.exception:
                exceptions.append(inner.node)
            elif inner.permissive:
                permissions.append(inner.node)
            else:
                extra_nodes.append(inner.node)
    reading.set_aside.extend(
        (a, b) for a, b in groups if not _is_inline(reading, items, a, b))
    inline_items = [
        i
        for i in items
        if not any(a < i.start < b for a, b in groups if not _is_inline(reading, items, a, b))
        and not any(a < i.start < b for a, b in asides)
    ]
    node, permissive = _units_node(reading, inline_items, start, end, cohorts, alternatives)
    if node is None and not extra_nodes:
        return ClauseResult(None)
    if node is not None and exceptions:
        node = _except(node, exceptions)
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


def _drug_window(reading: Reading, node: Expression, low: int, high: int, start: int,
                 end: int) -> Expression:
    """"At least 4 weeks since prior chemotherapy (6 weeks for nitrosoureas)": the drugs in
    brackets have a washout of their own, read like the main one."""
    from eligo.model.expression import PriorTherapy, Window

    timed = next(q for q in reading.quantities if low < q.start < high and q.time_unit)
    reading.use(timed.start, timed.end)
    main = next((w for w in reading.windows if start <= w.start < end
                 and not reading.aside(w.start)), None)
    reference = main.node.reference if main is not None and isinstance(main.node, Window) \
        else reading.reference or "screening"
    window = Window(amount=timed.value, unit=timed.time_unit, reference=reference)

    def dated(leaf: Expression) -> Expression:
        if isinstance(leaf, PriorTherapy):
            copy = leaf.copy()
            copy.set("window", window.copy())
            return copy
        return leaf

    dated_node = node.transform(dated)
    return Not(dated_node, rule="window.since") if main is not None and main.negated \
        else dated_node


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


def _brackets(reading: Reading, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level bracket groups ``[low, high)`` inside the clause, brackets included."""
    folded = reading.text.folded
    groups: list[tuple[int, int]] = []
    depth, opened = 0, -1
    for index in range(start, end):
        char = folded[index]
        if char in "([":
            if depth == 0:
                opened = index
            depth += 1
        elif char in ")]" and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((opened, index + 1))
    return groups


def _is_inline(reading: Reading, items: list[Item], low: int, high: int) -> bool:
    content = reading.words(low + 1, high - 1)
    return _bracket_kind(reading, items, low, high, content) == "inline"


def _bracket_kind(reading: Reading, items: list[Item], low: int, high: int, content: str) -> str:
    inside = [i for i in items if low < i.start and i.end < high]
    heads = [i for i in inside if i.kind in HEAD_KINDS]
    bounded = [q for q in reading.quantities if low < q.start < high and q.bounds]
    if _COHORT.match(content):
        return "cohort"
    if _ASIDE.match(content):
        return "aside"
    if bounded and not heads or (bounded and re.match(r"^\s*or\s", content)):
        return "inline"  # "(or < 5 x ULN for patients with liver metastases)"
    if (
        bounded
        and any(i.kind in ("condition", "drug", "drug_class") for i in heads)
        and combine.guard_anywhere().search(content)
    ):
        return "inline"
    if _INCLUDING.match(content) and heads:
        return "including"
    if _DRUG_WINDOW.match(content) and heads and all(
            h.kind in ("drug", "drug_class", "therapy") for h in heads):
        return "drug_window"
    if _ASIDE.match(content):
        return "aside"
    before = [i for i in items if i.end <= low and i.kind in HEAD_KINDS]
    if heads and before and all(h.value == before[-1].value for h in heads):
        return "aside"  # an abbreviation of the head before it: "(ILD)"
    if not heads and not bounded and len(content.split()) <= 4:
        return "aside"
    if len(heads) == 1 and not bounded and len(content.split()) <= 3:
        # a label: "(QTcF)", "(HBV)"; read it when nothing before it named a fact
        earlier = [i for i in items if i.end <= low and i.kind in HEAD_KINDS]
        return "aside" if earlier else "inline"
    return "clause"


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
    units = combine.make_units(reading, items, start, end)
    units = combine.find_guards(units, reading)
    combine.share(units, reading)
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
