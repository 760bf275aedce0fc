"""The SQL of a trial search: full text on each back end's own index, then the filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal, literal_column, select, table

from eligo.store.filters import phase_values, status_value
from eligo.store.query_text import SearchQuery
from eligo.store.schema import SEARCH_COLUMNS, trials

_SUMMARY_COLUMNS = (
    trials.c.trial_id,
    trials.c.title,
    trials.c.status,
    trials.c.phases,
    trials.c.conditions,
)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_clauses(
    status: str | None, phase: str | None, condition: str | None
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if status:
        clauses.append(trials.c.status == status_value(status))
    if phase:
        padded = literal(" ") + trials.c.phases + literal(" ")
        clauses.extend(padded.like(f"% {value} %") for value in phase_values(phase))
    if condition and condition.strip():
        pattern = f"%{_like_escaped(condition.strip())}%"
        clauses.append(trials.c.conditions.ilike(pattern, escape="\\"))
    return clauses


def _sqlite_text_search(query: SearchQuery) -> tuple[Select[Any], ColumnElement[Any]]:
    index = table("trial_search", column("rowid"))
    # bm25() is lower for better matches; the score a caller sees is higher for better ones.
    score = -func.bm25(literal_column("trial_search"), *SEARCH_COLUMNS.values())
    statement = (
        select(*_SUMMARY_COLUMNS, score.label("score"))
        .select_from(index.join(trials, trials.c.id == index.c.rowid))
        .where(literal_column("trial_search").op("MATCH")(query.to_fts5()))
    )
    return statement, score


def _postgresql_text_search(query: SearchQuery) -> tuple[Select[Any], ColumnElement[Any]]:
    tsquery = func.websearch_to_tsquery(
        literal_column("'english'::regconfig"), literal(query.to_websearch())
    )
    vector: ColumnElement[Any] = literal_column("trials.search_vector")
    # ts_rank() saturates at 1.0 on records that match often; cover density does not, and
    # rewards the words standing close together. Normalisation 1 discounts long records.
    score = func.ts_rank_cd(vector, tsquery, 1)
    statement = select(*_SUMMARY_COLUMNS, score.label("score")).where(vector.op("@@")(tsquery))
    return statement, score


def search_statement(
    dialect: str,
    query: SearchQuery | None,
    filters: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> Select[Any]:
    if query is None:
        statement = select(*_SUMMARY_COLUMNS, literal(None).label("score"))
        order = [trials.c.last_updated.desc().nulls_last(), trials.c.trial_id]
    else:
        build = _sqlite_text_search if dialect == "sqlite" else _postgresql_text_search
        statement, score = build(query)
        order = [score.desc(), trials.c.trial_id]
    return statement.where(*filters).order_by(*order).limit(limit).offset(offset)
