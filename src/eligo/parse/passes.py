"""Normalisation passes run on every parsed tree, in order. Each takes a tree and returns a new
one; none changes meaning.

- ``flatten``: ``all(a, all(b, c))`` is ``all(a, b, c)``; the same for ``any``;
- ``single``: ``all(a)`` and ``any(a)`` are ``a``;
- ``double_negation``: ``not(not(a))`` is ``a``;
- ``duplicates``: a child repeated in one ``all``/``any`` is kept once.
"""

from __future__ import annotations

from collections.abc import Callable

from eligo.model.expression import Age, All, Allowed, Any, Expression, Junction, Not, Sex


def flatten(node: Expression) -> Expression:
    if not isinstance(node, Junction):
        return node
    items: list[Expression] = []
    for child in node.items:
        if type(child) is type(node):
            items.extend(child.items)
        else:
            items.append(child)
    if len(items) == len(node.items):
        return node
    return type(node)(*items, span=node.span, rule=node.rule, warning=node.warning)


def single(node: Expression) -> Expression:
    if isinstance(node, Junction) and len(node.items) == 1 and not node.warning:
        return node.items[0]
    return node


def double_negation(node: Expression) -> Expression:
    if isinstance(node, Not) and isinstance(node.this, Not):
        return node.this.this
    return node


def duplicates(node: Expression) -> Expression:
    if not isinstance(node, Junction):
        return node
    items: list[Expression] = []
    for child in node.items:
        if child not in items:
            items.append(child)
    if len(items) == len(node.items):
        return node
    return type(node)(*items, span=node.span, rule=node.rule, warning=node.warning)


def either_sex(node: Expression) -> Expression:
    """"Men and women", "male or female": both sexes named together ask nothing of the sex,
    whatever the conjunction; an ``all`` drops them, and alone they are a permission."""
    if not isinstance(node, Junction):
        return node
    sexes = [item for item in node.items if isinstance(item, Sex)]
    if len({s.value for s in sexes}) < 2:
        return node
    rest = [item for item in node.items if not isinstance(item, Sex)]
    if isinstance(node, Any) and rest:
        return node  # "female, or male with …": a real choice
    if not rest:
        return Allowed(text="any sex", span=node.span, rule="sex.either")
    return All(*rest, span=node.span, rule=node.rule, warning=node.warning)


def _any_sex(node: Expression) -> bool:
    return isinstance(node, Allowed) and node.rule == "sex.either"


def any_sex_dropped(node: Expression) -> Expression:
    """An ``all`` keeps nothing of "any sex" beside other facts."""
    if not isinstance(node, All) or not any(_any_sex(i) for i in node.items):
        return node
    rest = [item for item in node.items if not _any_sex(item)]
    if not rest:
        return node.items[0]
    return All(*rest, span=node.span, rule=node.rule, warning=node.warning)


def impossible_ages(node: Expression) -> Expression:
    """"Younger than 6 months and older than 80 years": limits no age meets together are
    alternatives, whatever the conjunction written."""
    if not isinstance(node, All):
        return node
    ages = [item for item in node.items if isinstance(item, Age)]
    lows = [_years(a) for a in ages if a.comparator in (">", ">=")]
    highs = [_years(a) for a in ages if a.comparator in ("<", "<=")]
    if not lows or not highs or max(lows) < min(highs):
        return node
    rest = [item for item in node.items if not isinstance(item, Age)]
    either = Any(*ages, span=node.span, rule="age.either")
    if not rest:
        return either
    return All(*rest, either, span=node.span, rule=node.rule, warning=node.warning)


def _years(age: Age) -> float:
    return age.value / 12 if age.unit == "months" else age.value


RULES: tuple[Callable[[Expression], Expression], ...] = (
    flatten,
    duplicates,
    single,
    double_negation,
    either_sex,
    any_sex_dropped,
    single,
    impossible_ages,
)


def simplify(tree: Expression) -> Expression:
    """Run the passes of :data:`RULES` over the tree in one bottom-up walk: each node, its
    children already simplified, goes through every pass in order."""

    def apply(node: Expression) -> Expression:
        for rule in RULES:
            node = rule(node)
        return node

    return tree.transform(apply)
