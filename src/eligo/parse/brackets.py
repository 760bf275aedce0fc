"""Brackets in a clause, and what each one is.

- ``aside``: an abbreviation or label of what precedes ("(ILD)", "(QTcF)"), examples
  ("(e.g. …)", "(ie, …)"), administrative notes ("(closed to accrual as of …)");
- ``inline``: read as part of the clause, an alternative threshold
  ("(or < 5 x ULN for patients with liver metastases)"), a label when nothing precedes it;
- ``including``: alternatives to what precedes ("ILD (including pulmonary fibrosis …)");
- ``cohort``: "(Cohort 2)", the cohort what precedes belongs to;
- ``drug_window``: "(6 weeks for nitrosoureas)", a washout of its own for the drugs named;
- ``clause``: anything else, read as a clause of its own (a permission in it is an exception).
"""

from __future__ import annotations

import re

from eligo.model.expression import Expression, Not
from eligo.parse import combine
from eligo.parse.mentions import HEAD_KINDS, Item
from eligo.parse.reading import Reading

_ASIDE = re.compile(
    r"^\s*(?:e\.?\s?g\.?|i\.?\s?e\.?|eg|ie|such as|for example|for instance|"
    r"example|namely|see |as |note|per |according|defined|based)"
    r"|^\s*(?:temporarily\s)?closed to accrual|^\s*as of \d|^\s*effective \d"
    r"|^\s*counted from\s"
)
_INCLUDING = re.compile(r"^\s*(?:including|includes|incl\.?|this includes|which includes)\s")
COHORT = re.compile(r"^\s*(?:cohort|arm|part|group|stratum)\s?([0-9]{1,2}|[a-d]|i{1,3}|iv)\s*$")
_DRUG_WINDOW = re.compile(
    r"^\s*(?:\d{1,3}|one|two|three|four|five|six|eight|twelve)\s(?:days?|weeks?|months?)\s"
    r"(?:for|since|with|after|if)\s")
def is_aside(content: str) -> bool:
    """Bracket content that is an example, an abbreviation's expansion or a note."""
    return _ASIDE.match(content) is not None


def drug_window(reading: Reading, node: Expression, low: int, high: int, start: int,
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
    window = Window(amount=timed.value, unit=timed.time_unit, reference=reference,
                    span=(timed.start, timed.end), rule="window.drug")

    def dated(leaf: Expression) -> Expression:
        if isinstance(leaf, PriorTherapy):
            copy = leaf.copy()
            copy.set("window", window.copy())
            return copy
        return leaf

    dated_node = node.transform(dated)
    return Not(dated_node, rule="window.since") if main is not None and main.negated \
        else dated_node


def groups(reading: Reading, start: int, end: int) -> list[tuple[int, int]]:
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


def is_inline(reading: Reading, items: list[Item], low: int, high: int) -> bool:
    content = reading.words(low + 1, high - 1)
    return kind_of(reading, items, low, high, content) == "inline"


def kind_of(reading: Reading, items: list[Item], low: int, high: int, content: str) -> str:
    inside = [i for i in items if low < i.start and i.end < high]
    heads = [i for i in inside if i.kind in HEAD_KINDS]
    bounded = [q for q in reading.quantities if low < q.start < high and q.bounds]
    if COHORT.match(content):
        return "cohort"
    if _ASIDE.match(content):
        return "aside"
    if not heads and any(low < w.start and w.end <= high for w in reading.windows) and \
            not any(i.kind in ("negation", "exceptions") for i in inside):
        return "inline"  # "stroke (within 30 days)": the window dates what precedes
    if bounded and not heads or (bounded and re.match(r"^\s*or\s", content)):
        return "inline"  # "(or < 5 x ULN for patients with liver metastases)"
    before = [i for i in items if i.end <= low and i.kind in HEAD_KINDS]
    if bounded and heads and before and before[-1].kind == "condition" and \
            low - before[-1].end <= 2 and all(h.kind in ("biomarker", "measurement")
                                               for h in heads):
        return "inline"  # "G3 NEC (Ki-67 index > 20 %)": what defines the condition
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
    logic = any(i.kind in ("exceptions", "negation", "negation_post", "allowed_post")
                for i in inside)
    if heads and before and all(h.value == before[-1].value for h in heads) and not logic:
        return "aside"  # an abbreviation of the head before it: "(ILD)"
    if not heads and not bounded and len(content.split()) <= 4 and not logic:
        return "aside"
    if len(heads) == 1 and not bounded and len(content.split()) <= 3 and not logic:
        # a label: "(QTcF)", "(HBV)"; read it when nothing before it named a fact
        earlier = [i for i in items if i.end <= low and i.kind in HEAD_KINDS]
        return "aside" if earlier else "inline"
    return "clause"
