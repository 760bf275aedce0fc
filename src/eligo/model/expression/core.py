"""The base of every criterion expression node: declared slots, traversal, equality, JSON.

Each node kind is a class that declares its slots in ``arg_types`` (slot name → :class:`Arg`).
A slot holds either child nodes (``node``/``nodes``) or a plain attribute (``str``, ``number``,
``bool``, ``strs``). Every node also carries provenance that is *not* part of its meaning:

- ``span``: ``(start, end)`` character offsets into the criterion text it was read from;
- ``rule``: the name of the parser rule that made it;

and one piece that is: ``warning``, set when the source text looked wrong and the node records
a reading of it (the rendering shows it, so a person confirms it).

Equality and hashing compare kind, slots and warning, never span or rule: two parses of the
same meaning from differently worded text are equal.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

from eligo.model.expression.slots import COMPARATORS, Arg, ExpressionError, coerce

EXPRESSION_VERSION = "1.1"

__all__ = ["COMPARATORS", "EXPRESSION_VERSION", "KINDS", "Arg", "Expression", "ExpressionError"]


E = TypeVar("E", bound="Expression")


#: kind → class, filled as node classes are defined.
KINDS: dict[str, type[Expression]] = {}

_META = ("span", "rule", "warning")
#: kinds that combine or qualify facts: never leaves
_STRUCTURE = frozenset({"all", "any", "not"})
_TIME = frozenset({"window", "longest", "duration"})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Expression:
    """Base of all node kinds. Subclasses declare ``arg_types``; ``kind`` defaults to snake_case.

    >>> from eligo.model.expression import Age, All, Sex
    >>> tree = All(Sex(value="female"), Age(comparator=">=", value=18))
    >>> [node.kind for node in tree.walk()]
    ['all', 'sex', 'age']
    >>> Expression.from_dict(tree.to_dict()) == tree
    True
    """

    kind: ClassVar[str] = "expression"
    arg_types: ClassVar[dict[str, Arg]] = {}
    #: slot that positional constructor arguments fill (``All(a, b)``, ``Not(a)``)
    positional: ClassVar[str | None] = None
    #: classes that only group others (traits, bases) are not registered as kinds
    abstract: ClassVar[bool] = True

    __slots__ = ("args", "span", "rule", "warning", "parent", "arg_key")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:
            cls.kind = _snake(cls.__name__)
        if cls.__dict__.get("abstract", False):
            return
        cls.abstract = False
        if cls.kind in KINDS and KINDS[cls.kind] is not cls:
            raise TypeError(f"node kind {cls.kind!r} is declared twice")
        KINDS[cls.kind] = cls

    def __init__(
        self,
        *items: Expression,
        span: tuple[int, int] | list[int] | None = None,
        rule: str | None = None,
        warning: str | None = None,
        **args: Any,
    ) -> None:
        if self.abstract:
            raise ExpressionError(f"{type(self).__name__} is not a node kind")
        self.parent: Expression | None = None
        self.arg_key: str | None = None
        self.span = _check_span(span)
        self.rule = rule
        self.warning = warning
        if items:
            args = self._positional_args(items, args)
        self.args: dict[str, Any] = {}
        for key in args:
            if key not in self.arg_types:
                raise ExpressionError(f"{self.kind}: unknown slot {key!r}")
        for key, spec in self.arg_types.items():
            value = args.get(key, spec.default)
            if value is None:
                if spec.required:
                    raise ExpressionError(f"{self.kind}: slot {key!r} is required")
                continue
            self.set(key, value)
        self.check()

    def _positional_args(
        self, items: tuple[Expression, ...], args: dict[str, Any]
    ) -> dict[str, Any]:
        slot = self.positional
        if slot is None:
            raise ExpressionError(f"{self.kind} takes no positional children")
        if slot in args:
            raise ExpressionError(f"{self.kind}: {slot!r} given twice")
        if self.arg_types[slot].type == "node":
            if len(items) != 1:
                raise ExpressionError(f"{self.kind} takes exactly one child, got {len(items)}")
            return {**args, slot: items[0]}
        return {**args, slot: list(items)}

    def check(self) -> None:
        """Constraints across slots; subclasses raise :class:`ExpressionError` when broken."""

    # -- slots -------------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        """Set one slot, checking its type; ``None`` clears it."""
        spec = self.arg_types.get(key)
        if spec is None:
            raise ExpressionError(f"{self.kind}: unknown slot {key!r}")
        if value is None:
            self.args.pop(key, None)
            return
        value = coerce(self.kind, key, spec, value)
        if spec.type == "node":
            value.parent, value.arg_key = self, key
        elif spec.type == "nodes":
            for child in value:
                child.parent, child.arg_key = self, key
        self.args[key] = value

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: declared slots read as attributes.
        if name in type(self).arg_types:
            return self.args.get(name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def children(self) -> Iterator[Expression]:
        """Direct child nodes, in slot order."""
        for key, spec in self.arg_types.items():
            value = self.args.get(key)
            if value is None:
                continue
            if spec.type == "node":
                yield value
            elif spec.type == "nodes":
                yield from value

    def attributes(self) -> dict[str, Any]:
        """The non-child slots that are set."""
        return {k: v for k, v in self.args.items() if not self.arg_types[k].is_child}

    # -- traversal ---------------------------------------------------------------------------

    def walk(self) -> Iterator[Expression]:
        """This node and every descendant, depth first, parents before children."""
        stack: list[Expression] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(node.children())))

    def bfs(self) -> Iterator[Expression]:
        """This node and every descendant, breadth first."""
        queue: deque[Expression] = deque([self])
        while queue:
            node = queue.popleft()
            yield node
            queue.extend(node.children())

    def find_all(self, *types: type[E]) -> Iterator[E]:
        """Every node (this one included) that is an instance of one of ``types``."""
        for node in self.walk():
            if isinstance(node, types):
                yield node  # type: ignore[misc]

    def find(self, *types: type[E]) -> E | None:
        """The first node, depth first, that is an instance of one of ``types``."""
        return next(self.find_all(*types), None)

    def leaves(self) -> Iterator[Expression]:
        """The facts and judgements at the bottom of the logic, depth first.

        A leaf is a node that is no logic (``all``/``any``/``not``), no time (``window``,
        ``longest``, ``duration``) and no permission holding a fact (``allowed`` with ``this``):
        a dated fact is a leaf with its window below it, an ``unparsed`` leaf with what was read
        in it. Nothing below a leaf is visited.
        """
        stack: list[Expression] = [self]
        while stack:
            node = stack.pop()
            if node.kind in _STRUCTURE or (node.kind == "allowed" and "this" in node.args):
                stack.extend(reversed(list(node.children())))
            elif node.kind not in _TIME:
                yield node

    @property
    def root(self) -> Expression:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    # -- rewriting ---------------------------------------------------------------------------

    def copy(self: E) -> E:
        """A deep copy, provenance included, detached from any parent."""
        return self.transform(lambda node: node)  # type: ignore[return-value]

    def transform(self, fn: Callable[[Expression], Expression]) -> Expression:
        """A new tree: children are rebuilt first, then ``fn`` is applied to each rebuilt node.

        ``fn`` returns the node itself to keep it, or a replacement. The original is untouched.
        """
        args: dict[str, Any] = {}
        for key, value in self.args.items():
            spec = self.arg_types[key]
            if spec.type == "node":
                args[key] = value.transform(fn)
            elif spec.type == "nodes":
                args[key] = [child.transform(fn) for child in value]
            else:
                args[key] = list(value) if isinstance(value, list) else value
        node = type(self)(span=self.span, rule=self.rule, warning=self.warning, **args)
        return fn(node)

    def replace(self, new: Expression) -> Expression:
        """Put ``new`` where this node sits in its parent; returns ``new``."""
        parent, key = self.parent, self.arg_key
        if parent is None or key is None:
            return new
        if parent.arg_types[key].type == "node":
            parent.set(key, new)
        else:
            siblings = [new if child is self else child for child in parent.args[key]]
            parent.set(key, siblings)
        self.parent = self.arg_key = None
        return new

    # -- equality ----------------------------------------------------------------------------

    def _key(self) -> tuple[Any, ...]:
        parts: list[Any] = [self.kind, self.warning]
        for key in self.arg_types:
            value = self.args.get(key)
            if isinstance(value, Expression):
                value = value._key()
            elif isinstance(value, list):
                value = tuple(v._key() if isinstance(v, Expression) else v for v in value)
            parts.append(value)
        return tuple(parts)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        parts: list[str] = []
        for key, value in self.args.items():
            if key == self.positional:
                items = value if isinstance(value, list) else [value]
                parts.extend(repr(item) for item in items)
            else:
                parts.append(f"{key}={value!r}")
        if self.warning:
            parts.append(f"warning={self.warning!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- JSON --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``kind`` first, then the set slots, then provenance."""
        data: dict[str, Any] = {"kind": self.kind}
        for key in self.arg_types:
            if key not in self.args:
                continue
            value = self.args[key]
            if isinstance(value, Expression):
                value = value.to_dict()
            elif isinstance(value, list):
                value = [v.to_dict() if isinstance(v, Expression) else v for v in value]
            data[key] = value
        if self.span is not None:
            data["span"] = list(self.span)
        for key in ("rule", "warning"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Expression:
        """Rebuild a node (and its subtree) from :meth:`to_dict` output; checks every slot."""
        if not isinstance(data, dict):
            raise ExpressionError(f"an expression must be an object, got {type(data).__name__}")
        kind = data.get("kind")
        node_cls = KINDS.get(kind) if isinstance(kind, str) else None
        if node_cls is None:
            raise ExpressionError(f"unknown expression kind {kind!r}")
        if cls is not Expression and not issubclass(node_cls, cls):
            raise ExpressionError(f"expected a {cls.kind} node, got {kind!r}")
        args: dict[str, Any] = {}
        for key, value in data.items():
            if key == "kind" or key in _META:
                continue
            spec = node_cls.arg_types.get(key)
            if spec is None:
                raise ExpressionError(f"{kind}: unknown slot {key!r}")
            if spec.type == "node":
                value = Expression.from_dict(value)
            elif spec.type == "nodes":
                if not isinstance(value, list):
                    raise ExpressionError(f"{kind}.{key}: expected a list of expressions")
                value = [Expression.from_dict(item) for item in value]
            args[key] = value
        return node_cls(
            span=data.get("span"), rule=data.get("rule"), warning=data.get("warning"), **args
        )

    # -- pydantic ----------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # Lets pydantic models (eligo.model.Criterion) hold an expression and dump it as JSON.
        from pydantic_core import core_schema

        def validate(value: Any) -> Expression:
            if isinstance(value, Expression):
                return value
            if isinstance(value, dict):
                return Expression.from_dict(value)
            raise ValueError("expected an expression or its dict")

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda node: node.to_dict()
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: Any) -> dict[str, Any]:
        return {"type": "object", "description": "eligo expression (expression.schema.json)"}


def _check_span(span: tuple[int, int] | list[int] | None) -> tuple[int, int] | None:
    if span is None:
        return None
    if (
        not isinstance(span, tuple | list)
        or len(span) != 2
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        or not 0 <= span[0] <= span[1]
    ):
        raise ExpressionError(f"span must be (start, end) with 0 <= start <= end, got {span!r}")
    return (span[0], span[1])
