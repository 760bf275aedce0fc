"""Normalisation passes run on every parsed tree, in order. Each takes a tree and returns a new
one; none changes meaning.

- ``flatten``: ``all(a, all(b, c))`` is ``all(a, b, c)``; the same for ``any``;
- ``single``: ``all(a)`` and ``any(a)`` are ``a``;
- ``double_negation``: ``not(not(a))`` is ``a``;
- ``duplicates``: a child repeated in one ``all``/``any`` is kept once.
"""

from __future__ import annotations

from collections.abc import Callable

from eligo.model.expression import Expression, Junction, Not


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


RULES: tuple[Callable[[Expression], Expression], ...] = (
    flatten,
    duplicates,
    single,
    double_negation,
)


def simplify(tree: Expression) -> Expression:
    """Run the passes of :data:`RULES` over the tree in one bottom-up walk: each node, its
    children already simplified, goes through every pass in order."""

    def apply(node: Expression) -> Expression:
        for rule in RULES:
            node = rule(node)
        return node

    return tree.transform(apply)
