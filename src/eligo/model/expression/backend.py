"""Back ends: classes that turn an expression into something else, one method per node kind.

A back end names its handlers ``<kind>_<target>`` (``measurement_text``, ``all_sql``). The table
from node class to handler is built once per back-end class, by reflection, the first time it
is used. A node kind without a handler is looked up along its class's bases (``derived`` falls
back to ``measurement_<target>``); when none is found, :meth:`Backend.unsupported` is called,
which raises by default. The text renderer, the evaluator and the SQL compiler share this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from eligo.model.expression.core import KINDS, Expression, ExpressionError


class UnsupportedNode(ExpressionError):
    """A back end met a node kind it has no handler for."""


class Backend:
    """Dispatch on node kind to ``<kind>_<target>`` methods."""

    target: ClassVar[str] = ""
    _table: ClassVar[dict[type[Expression], Callable[..., Any]] | None] = None
    _table_kinds: ClassVar[int] = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._table = None  # each subclass builds its own table on first use

    @classmethod
    def handlers(cls) -> dict[type[Expression], Callable[..., Any]]:
        """Node class → unbound handler, for every kind this back end can handle."""
        # Rebuilt only if node kinds were declared after the first use.
        if cls._table is None or cls._table_kinds != len(KINDS):
            cls._table = cls._build_table()
            cls._table_kinds = len(KINDS)
        return cls._table

    @classmethod
    def _build_table(cls) -> dict[type[Expression], Callable[..., Any]]:
        if not cls.target:
            raise TypeError(f"{cls.__name__} must set target")
        table: dict[type[Expression], Callable[..., Any]] = {}
        for node_cls in KINDS.values():
            for base in node_cls.__mro__:
                if not isinstance(base, type) or not issubclass(base, Expression):
                    continue
                if base.__dict__.get("abstract", False) or base is Expression:
                    continue
                handler = getattr(cls, f"{base.kind}_{cls.target}", None)
                if handler is not None:
                    table[node_cls] = handler
                    break
        return table

    @classmethod
    def missing(cls) -> list[str]:
        """Node kinds this back end has no handler for."""
        table = cls.handlers()
        return sorted(kind for kind, node_cls in KINDS.items() if node_cls not in table)

    def dispatch(self, node: Expression, *args: Any, **kwargs: Any) -> Any:
        handler = self.handlers().get(type(node))
        if handler is None:
            return self.unsupported(node)
        return handler(self, node, *args, **kwargs)

    def unsupported(self, node: Expression) -> Any:
        """Called for a kind without handler; back ends that can degrade override this."""
        raise UnsupportedNode(f"{type(self).__name__} cannot handle {node.kind!r} nodes")
