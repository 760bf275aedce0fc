"""Time windows in SQL. A window counted from a study date is the same span for every patient,
so its first and last days are bound parameters computed from the as-of date by the
evaluator's own :class:`~eligo.engine.windows.WindowReader`; only a window in half-lives of
the drugs a patient received (``prior_therapy``) differs by patient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlglot import exp

from eligo.engine.windows import WindowReader
from eligo.model.expression import Expression
from eligo.screen.compile.frame import (
    MET_CODE,
    NOT_MET_CODE,
    UNKNOWN_CODE,
    Frame,
    and_,
    case,
    is_null,
    not_,
    num,
    or_,
    paren,
)


class NotInSql(Exception):
    """Raised by a rule that meets what this compiler cannot say in SQL; the node then goes
    through the back end's ``unsupported`` channel with this reason."""


@dataclass
class SqlSpan:
    start: exp.Expression
    end: exp.Expression
    wider: exp.Expression | bool
    #: per-patient alternative start: the span also covers the last ``days_back`` days
    days_back: exp.Expression | None = None


def _reader(as_of: dt.date) -> WindowReader:
    return WindowReader(as_of, None)


def _references(node: Expression) -> set[str]:
    windows = node.windows if node.kind == "longest" else [node]
    return {w.reference for w in windows}


def static_span(frame: Frame, window: Expression) -> SqlSpan:
    """The span of a ``window``/``longest`` node counted from study dates (not the diagnosis)."""
    if "diagnosis" in _references(window):
        raise NotInSql("a window counted from the diagnosis date")
    key = repr(window)

    def start(as_of: dt.date) -> dt.date:
        span = _reader(as_of).span(window)
        assert span is not None
        return span.start

    def end(as_of: dt.date) -> dt.date:
        span = _reader(as_of).span(window)
        assert span is not None
        return span.end

    probe = _reader(dt.date(2000, 1, 1)).span(window)
    wider = bool(probe and probe.wider)
    return SqlSpan(
        frame.param(start, key=("start", key)), frame.param(end, key=("end", key)), wider
    )


def recent_span(frame: Frame, days: int) -> SqlSpan:
    """The last ``days`` days up to the as-of date (eligo's default freshness)."""
    start = frame.param(lambda as_of: as_of - dt.timedelta(days=days), key=("recent", days))
    return SqlSpan(start, as_of(frame), False)


def as_of(frame: Frame) -> exp.Expression:
    return frame.param(lambda day: day, key="as_of")


def contains(span: SqlSpan, day: exp.Expression) -> exp.Expression:
    inside = exp.Between(this=day, low=span.start.copy(), high=span.end.copy())
    if span.days_back is None:
        return inside
    return or_(paren(inside), paren(_within_back(span, day.copy())))


def _within_back(span: SqlSpan, day: exp.Expression) -> exp.Expression:
    assert span.days_back is not None
    gap = exp.DateDiff(this=span.end.copy(), expression=day, unit=exp.var("DAY"))
    return and_(
        exp.LTE(this=gap, expression=span.days_back.copy()),
        exp.LTE(this=day.copy(), expression=span.end.copy()),
    )


def timing(
    frame: Frame,
    span: SqlSpan,
    first: exp.Expression,
    last: exp.Expression,
    ongoing: exp.Expression | None = None,
) -> exp.Expression:
    """``RuleBase.timing`` as a verdict code: did something from ``first`` to ``last`` happen
    inside ``span``? ``ongoing`` (a condition) stretches ``last`` to the as-of date."""
    if ongoing is not None:
        today = as_of(frame)
        stretched = case(
            [(or_(is_null(last.copy()), exp.LT(this=last.copy(), expression=today)), today.copy())],
            last.copy(),
        )
        last = case([(paren(ongoing), stretched)], last.copy())
    first_known = exp.Coalesce(this=first.copy(), expressions=[last.copy()])
    last_known = exp.Coalesce(this=last.copy(), expressions=[first.copy()])
    overlaps = and_(
        exp.LTE(this=first_known, expression=span.end.copy()),
        paren(_reaches(span, last_known.copy())),
    )
    before = not_(paren(_reaches(span, last_known.copy())))
    wider = exp.true() if span.wider is True else span.wider
    if span.wider is False:
        missed: exp.Expression = num(NOT_MET_CODE)
    else:
        assert isinstance(wider, exp.Expression)
        missed = case([(and_(paren(wider), paren(before)), num(UNKNOWN_CODE))], num(NOT_MET_CODE))
    return case(
        [
            (and_(is_null(first.copy()), is_null(last.copy())), num(UNKNOWN_CODE)),
            (overlaps, num(MET_CODE)),
        ],
        missed,
    )


def _reaches(span: SqlSpan, last: exp.Expression) -> exp.Expression:
    """``last >= span.start`` (or within the per-patient days back)."""
    reached = exp.GTE(this=last, expression=span.start.copy())
    if span.days_back is None:
        return reached
    return or_(paren(reached), paren(_within_back(span, last.copy())))
