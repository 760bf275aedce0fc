"""Slot declarations of node kinds, and the checks a value passes before a node stores it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from eligo.errors import EligoError

ArgType = Literal["node", "nodes", "str", "strs", "number", "bool"]

#: Comparators every threshold uses, in the symbols the JSON stores.
COMPARATORS: tuple[str, ...] = ("<", "<=", ">", ">=", "=")


class ExpressionError(EligoError, ValueError):
    """An expression that breaks the language: unknown kind or slot, wrong type, bad value."""


@dataclass(frozen=True)
class Arg:
    """One declared slot of a node kind."""

    type: ArgType
    required: bool = False
    choices: tuple[str, ...] | None = None  # allowed values of a ``str``/``strs`` slot
    kinds: tuple[str, ...] | None = None  # allowed node kinds of a ``node``/``nodes`` slot
    default: Any = None
    doc: str = ""

    @property
    def is_child(self) -> bool:
        return self.type in ("node", "nodes")


def coerce(kind: str, key: str, spec: Arg, value: Any) -> Any:
    from eligo.model.expression.core import Expression  # core imports this module

    where = f"{kind}.{key}"
    if spec.type == "node":
        if not isinstance(value, Expression):
            raise ExpressionError(f"{where}: expected an expression, got {type(value).__name__}")
        _check_kind(where, spec, value)
        return value
    if spec.type == "nodes":
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, Expression) for v in value
        ):
            raise ExpressionError(f"{where}: expected a list of expressions")
        for child in value:
            _check_kind(where, spec, child)
        return list(value)
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"{where}: expected a number, got {value!r}")
        if value != value or value in (float("inf"), float("-inf")):
            raise ExpressionError(f"{where}: expected a finite number, got {value!r}")
        return float(value)
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise ExpressionError(f"{where}: expected true or false, got {value!r}")
        return value
    if spec.type == "str":
        if not isinstance(value, str):
            raise ExpressionError(f"{where}: expected a string, got {value!r}")
        _check_choice(where, spec, value)
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ExpressionError(f"{where}: expected a list of strings, got {value!r}")
    for item in value:
        _check_choice(where, spec, item)
    return list(value)


def _check_choice(where: str, spec: Arg, value: str) -> None:
    if spec.choices is not None and value not in spec.choices:
        raise ExpressionError(f"{where}: {value!r} is not one of {', '.join(spec.choices)}")


def _check_kind(where: str, spec: Arg, node: Any) -> None:
    if spec.kinds is not None and node.kind not in spec.kinds:
        raise ExpressionError(f"{where}: a {node.kind!r} node is not allowed here")
