"""The per-person subqueries a trial's leaves read: one aggregate per patient table (its
leaves' codes packed into words, ``packing``), and the latest-value picks."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from eligo.screen.compile.frame import Frame, Pick, col, num
from eligo.screen.compile.packing import packed_aggregate
from eligo.screen.tables import TABLES


def _select(*columns: Any) -> exp.Select:
    return exp.Select().select(*columns, copy=False)


def _subquery(query: exp.Expression, alias: str) -> exp.Expression:
    return exp.alias_(exp.Subquery(this=query), alias, table=True, copy=False)


def aggregate(frame: Frame, table: str, columns: dict[str, exp.Expression]) -> exp.Expression:
    """``agg_<table>``: per person, every leaf's best code over the person's rows (and the
    values derived from them), one ``BIT_OR`` per word of twenty leaves."""
    words, reads = packed_aggregate(columns)
    query = _select(col("person_id", table), *words).from_(table, copy=False)
    used = {c.table for v in columns.values() for c in v.find_all(exp.Column)}
    if "person" in used:
        query = query.join(
            "person",
            on=exp.EQ(this=col("person_id", "person"), expression=col("person_id", table)),
            copy=False,
        )
    for name in sorted(used & set(frame.ctes)):
        query = query.join(
            _subquery(frame.ctes[name], name),
            join_type="LEFT",
            copy=False,
            on=exp.EQ(this=col("person_id", name), expression=col("person_id", table)),
        )
    query = query.group_by(col("person_id", table), copy=False)
    query = _select("person_id", *reads).from_(_subquery(query, "packed"), copy=False)
    alias = f"agg_{table}"
    derived = frame.derived.get(table)
    if derived:
        # read under the aggregate's own name, as the derived values are written
        values = (exp.alias_(v, k, copy=False) for k, v in derived.items())
        query = _select("*", *values).from_(_subquery(query, alias), copy=False)
    return _subquery(query, alias)


def pick(latest: Pick, used: set[str]) -> exp.Expression:
    """The latest row per person of those ``latest.where`` keeps."""
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col("person_id", latest.table)],
        order=exp.Order(expressions=latest.order),
    )
    # only the columns the criteria read: a pick keeps one row per patient of them
    names = [col(n, latest.table) for n in TABLES[latest.table] if n == "person_id" or n in used]
    ranked = _select(*names, exp.alias_(rank, "rn", copy=False))
    ranked = ranked.from_(latest.table, copy=False).where(latest.where, copy=False)
    first = _select("*").from_(_subquery(ranked, "ranked"), copy=False)
    first = first.where(exp.EQ(this=exp.column("rn"), expression=num(1)), copy=False)
    return _subquery(first, latest.alias)
