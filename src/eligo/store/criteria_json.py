"""Criteria read back from the JSON eligo stored, quickly enough to load every trial at once.

Validating stored criteria with pydantic rebuilds every expression through
:meth:`Expression.from_dict`, which checks each slot of each node: right for data from outside,
and most of the time of loading the whole store. What the store holds, eligo wrote itself
(:data:`eligo.store.records.CRITERIA` dumped it from valid objects), so the bulk read builds
the same objects without the checks: criteria with ``model_construct``, expression nodes with
their slots set directly. JSON that does not have the shape eligo writes (a newer or older
eligo's, or damage) is not guessed at: it goes through full validation, which names the problem.
"""

from __future__ import annotations

import json
from typing import Any

from eligo.model import Criterion
from eligo.model.expression import KINDS, Expression
from eligo.store.records import CRITERIA

_META = frozenset(("kind", "span", "rule", "warning"))


class _NotAsWritten(Exception):
    """The JSON is not in the shape eligo writes; full validation will say why."""


def read_criteria(text: str, *, expressions: bool = True) -> list[Criterion]:
    """The criteria of ``text``; ``expressions=False`` leaves every expression out (criteria
    about to be parsed again need only their text). Raises pydantic's ``ValidationError`` for
    JSON that is not a valid list of criteria."""
    try:
        data = json.loads(text)
        if not isinstance(data, list):
            raise _NotAsWritten
        return [_criterion(item, expressions) for item in data]
    except (_NotAsWritten, KeyError, TypeError, AttributeError, ValueError, IndexError):
        criteria = CRITERIA.validate_json(text)
        if expressions:
            return criteria
        return [_without_expressions(c) for c in criteria]


def _without_expressions(criterion: Criterion) -> Criterion:
    children = [_without_expressions(c) for c in criterion.children]
    return criterion.model_copy(update={"expression": None, "children": children})


def _criterion(data: dict[str, Any], expressions: bool) -> Criterion:
    span = data.get("span")
    expression = data.get("expression") if expressions else None
    return Criterion.model_construct(
        id=data["id"],
        kind=data["kind"],
        text=data["text"],
        span=None if span is None else (span[0], span[1]),
        cohort=data.get("cohort"),
        source=data.get("source", "eligibility"),
        section=data.get("section"),
        children=[_criterion(child, expressions) for child in data.get("children") or ()],
        expression=None if expression is None else _node(expression),
    )


def _node(data: dict[str, Any]) -> Expression:
    """One node and its subtree, as :meth:`Expression.from_dict` builds it, without checks."""
    node_class = KINDS[data["kind"]]
    node = object.__new__(node_class)
    args: dict[str, Any] = {}
    used = 0
    for key, spec in node_class.arg_types.items():
        value = data.get(key)
        if value is None:
            value = spec.default
            if value is None:
                continue
        else:
            used += 1
        kind = spec.type
        if kind == "node":
            value = _node(value)
            value.parent, value.arg_key = node, key
        elif kind == "nodes":
            value = [_node(item) for item in value]
            for child in value:
                child.parent, child.arg_key = node, key
        elif kind == "number":
            value = float(value)
        elif kind == "strs":
            value = list(value)
        args[key] = value
    if used != len(data.keys() - _META):
        raise _NotAsWritten  # a slot this eligo does not know
    span = data.get("span")
    node.args = args
    node.span = None if span is None else (span[0], span[1])
    node.rule = data.get("rule")
    node.warning = data.get("warning")
    node.parent = node.arg_key = None
    return node
