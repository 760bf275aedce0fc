"""The query a trial compiles into, as it is being built: bound parameters, one aggregate per
patient table (every leaf on that table is one column of it), and "latest value" picks.

Three-valued results are SQL booleans (TRUE met, FALSE not met, NULL unknown). Inside an
aggregate a fact row's verdict is a small integer (2 met, 1 unknown, 0 not met) so that
``MAX`` keeps the best of several candidate facts, as the evaluator does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

MET_CODE, UNKNOWN_CODE, NOT_MET_CODE = 2, 1, 0

ParamValue = Any | Callable[[dt.date], Any]


def TRUE() -> exp.Expression:  # noqa: N802 - reads as the constant
    return exp.true()


def FALSE() -> exp.Expression:  # noqa: N802
    return exp.false()


def NULL() -> exp.Expression:  # noqa: N802
    return exp.cast(exp.null(), exp.DataType.build("BOOLEAN"))


def num(value: int | float) -> exp.Expression:
    """A small constant of the rules (a code, a day count), not patient data."""
    return exp.Literal.number(value)


def col(name: str, table: str) -> exp.Column:
    return exp.column(name, table=table)


def paren(node: exp.Expression) -> exp.Expression:
    return node if isinstance(node, exp.Paren | exp.Column | exp.Literal) else exp.Paren(this=node)


def and_(*items: exp.Expression) -> exp.Expression:
    """AND without copying its operands (sqlglot's builders copy by default)."""
    return exp.and_(*items, copy=False)


def or_(*items: exp.Expression) -> exp.Expression:
    return exp.or_(*items, copy=False)


def not_(item: exp.Expression) -> exp.Expression:
    return exp.Not(this=paren(item))


def case(
    whens: list[tuple[exp.Expression, exp.Expression]], default: exp.Expression | None = None
) -> exp.Expression:
    if not whens:
        return default if default is not None else exp.null()
    ifs = [exp.If(this=cond, true=value) for cond, value in whens]
    return exp.Case(ifs=ifs, default=default)


def tri(code: exp.Expression) -> exp.Expression:
    """A verdict code (2/1/0, NULL) as a three-valued boolean."""
    return case(
        [
            (exp.EQ(this=code, expression=num(2)), TRUE()),
            (exp.EQ(this=code.copy(), expression=num(0)), FALSE()),
        ],
        NULL(),
    )


def code(value: exp.Expression) -> exp.Expression:
    """A three-valued boolean as a verdict code."""
    return case([(paren(value), num(2)), (not_(paren(value.copy())), num(0))], num(1))


def least(*codes: exp.Expression) -> exp.Expression:
    """The worst of several checks (any not met → not met; else any unknown → unknown)."""
    items = [c for c in codes if c is not None]
    if len(items) == 1:
        return items[0]
    return exp.Least(this=items[0], expressions=items[1:])


def greatest(*codes: exp.Expression) -> exp.Expression:
    items = list(codes)
    if len(items) == 1:
        return items[0]
    return exp.Greatest(this=items[0], expressions=items[1:])


def contains(haystack: exp.Expression, needle: exp.Expression) -> exp.Expression:
    """Whether ``needle`` occurs in ``haystack`` (NULL haystack: false)."""
    found = exp.GT(this=exp.StrPosition(this=haystack, substr=needle), expression=num(0))
    return and_(not_(exp.Is(this=haystack.copy(), expression=exp.null())), found)


def is_null(node: exp.Expression) -> exp.Expression:
    return exp.Is(this=node, expression=exp.null())


def not_null(node: exp.Expression) -> exp.Expression:
    return not_(exp.Is(this=node, expression=exp.null()))


_COMPARE = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "=": exp.EQ}


def compare(value: exp.Expression, comparator: str, threshold: exp.Expression) -> exp.Expression:
    return _COMPARE[comparator](this=value, expression=threshold)


def decide(
    low: exp.Expression,
    high: exp.Expression | None,
    comparator: str,
    threshold: exp.Expression,
) -> exp.Expression:
    """``eligo.engine.labs.decide`` in SQL: met when every value in [low, high] passes, not met
    when none does, else unknown; ``high`` None is +∞. NULL bounds give NULL."""
    if comparator == "=":
        if high is None:
            return case([(exp.LT(this=threshold.copy(), expression=low.copy()), FALSE())], NULL())
        met = and_(
            compare(low.copy(), "=", threshold.copy()), compare(high.copy(), "=", threshold.copy())
        )
        off = or_(
            exp.LT(this=threshold.copy(), expression=low.copy()),
            exp.GT(this=threshold.copy(), expression=high.copy()),
        )
        return case([(met, TRUE()), (off, FALSE())], NULL())
    first = compare(low.copy(), comparator, threshold.copy())
    if high is None:
        last_passes = comparator in (">", ">=")
        if last_passes:
            return case([(paren(first), TRUE())], NULL())
        return case([(not_(paren(first)), FALSE())], NULL())
    last = compare(high.copy(), comparator, threshold.copy())
    both = and_(paren(first), paren(last))
    neither = and_(not_(paren(first.copy())), not_(paren(last.copy())))
    return case([(both, TRUE()), (neither, FALSE())], NULL())


@dataclass
class Pick:
    """The latest row of one table among those a filter keeps, per person."""

    alias: str
    table: str
    where: exp.Expression
    order: list[exp.Expression]


@dataclass
class Frame:
    """Everything one trial's query needs besides its criterion expressions."""

    params: dict[str, ParamValue] = field(default_factory=dict)
    _param_keys: dict[Any, str] = field(default_factory=dict)
    aggregates: dict[str, dict[str, exp.Expression]] = field(default_factory=dict)
    _aggregate_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    #: per-person values computed from one table's aggregates alone, by table
    derived: dict[str, dict[str, exp.Expression]] = field(default_factory=dict)
    _derived_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    picks: dict[str, Pick] = field(default_factory=dict)
    _pick_keys: dict[str, str] = field(default_factory=dict)
    ctes: dict[str, exp.Expression] = field(default_factory=dict)
    #: per-row values computed once per table (a concept list tested, an age), by table
    features: dict[str, dict[str, exp.Expression]] = field(default_factory=dict)
    _feature_keys: dict[tuple[str, str], str] = field(default_factory=dict)

    # -- parameters ----------------------------------------------------------------------

    def param(self, value: Any, key: Any = None) -> exp.Placeholder:
        """A bound parameter holding ``value`` (or, for a callable, its value at the as-of
        date). Equal values share one parameter."""
        key = key if key is not None else (type(value).__name__, value)
        name = self._param_keys.get(key)
        if name is None:
            name = f"p{len(self.params)}"
            self._param_keys[key] = name
            self.params[name] = value
        return exp.Placeholder(this=name)

    def params_list(self, values: list[Any]) -> list[exp.Expression]:
        return [self.param(v) for v in values]

    def bind(self, as_of: dt.date) -> dict[str, Any]:
        return {name: v(as_of) if callable(v) else v for name, v in self.params.items()}

    # -- aggregates and picks ------------------------------------------------------------

    def aggregate(self, table: str, value: exp.Expression) -> exp.Column:
        """One column of ``table``'s per-person aggregate: ``MAX(value)`` over the person's
        rows, where ``value`` is a verdict code (2, 1, 0) or NULL (see ``packing``)."""
        agg = value
        key = (table, agg.sql())
        name = self._aggregate_keys.get(key)
        alias = f"agg_{table}"
        if name is None:
            columns = self.aggregates.setdefault(table, {})
            name = f"v{len(columns)}"
            columns[name] = agg
            self._aggregate_keys[key] = name
        return col(name, alias)

    def derive(self, table: str, value: exp.Expression) -> exp.Column:
        """A per-person value that reads ``table``'s aggregates alone, computed once beside
        them: many leaves share it (the denials of a concept and of those above it), and
        each then names it instead of writing it out."""
        key = (table, value.sql())
        name = self._derived_keys.get(key)
        if name is None:
            columns = self.derived.setdefault(table, {})
            name = f"d{len(columns)}"
            columns[name] = value
            self._derived_keys[key] = name
        return col(name, f"agg_{table}")

    def pick(self, table: str, where: exp.Expression, order: list[exp.Expression]) -> str:
        """The alias of the latest ``table`` row per person that ``where`` keeps."""
        key = table + "|" + where.sql() + "|" + ",".join(o.sql() for o in order)
        alias = self._pick_keys.get(key)
        if alias is None:
            alias = f"pick{len(self.picks)}"
            self._pick_keys[key] = alias
            self.picks[alias] = Pick(alias, table, where, order)
        return alias

    def feature(self, table: str, value: exp.Expression) -> exp.Column:
        """A column computed once per row of ``table`` (every reader of the table sees it):
        keeps a long concept list from being written, and evaluated, once per use."""
        key = (table, value.sql())
        name = self._feature_keys.get(key)
        if name is None:
            columns = self.features.setdefault(table, {})
            name = f"f{len(self._feature_keys)}"
            columns[name] = value
            self._feature_keys[key] = name
        return col(name, table)

    def with_features(self, tree: exp.Select) -> exp.Select:
        """``tree`` reading every table that has features through a named select of the table
        and its features (``WITH condition_occurrence_rows AS (...)``), under the table's own
        name."""
        for table in list(tree.find_all(exp.Table)):
            name = table.name
            if name not in self.features or table.alias:
                continue
            table.replace(exp.alias_(exp.to_table(f"{name}_rows"), name, table=True, copy=False))
        for name, own in self.features.items():
            columns = [
                exp.alias_(self._inline(name, v.copy()), k, copy=False) for k, v in own.items()
            ]
            select = exp.Select().select(exp.Star(), *columns, copy=False).from_(name, copy=False)
            tree = tree.with_(f"{name}_rows", as_=select, copy=False)
        # the tables' rows come first: the other common table expressions read them
        clause = tree.args.get("with_")
        if clause is not None:
            rows = [c for c in clause.expressions if c.alias.endswith("_rows")]
            clause.set("expressions", rows + [c for c in clause.expressions if c not in rows])
        return tree

    def local(self, table: str, value: exp.Expression) -> exp.Expression:
        """``value`` as a feature of ``table`` when it reads that table's row alone."""
        tables = {c.table for c in value.find_all(exp.Column)}
        if tables == {table}:
            return self.feature(table, value)
        return value

    def _inline(self, table: str, value: exp.Expression) -> exp.Expression:
        """A feature's definition with the features it uses written out."""
        own = self.features[table]

        def expand(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column) and node.table == table and node.name in own:
                return self._inline(table, own[node.name].copy())
            return node

        return value.transform(expand, copy=False)

    def cte(self, query: exp.Expression) -> str:
        """The name of a per-person query (columns ``person_id`` and others), joined on it."""
        key = query.sql()
        for name, known in self.ctes.items():
            if known.sql() == key:
                return name
        name = f"q{len(self.ctes)}"
        self.ctes[name] = query
        return name
