"""Measured values in SQL, after ``eligo.engine.labs`` and ``eligo.engine.computed``: the latest
usable value inside the window (else inside eligo's default freshness), compared with a
threshold, a multiple of the limits of normal, or a qualitative result; biomarkers; performance
status; creatinine clearance by Cockcroft-Gault."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from eligo.engine.base import engine_data
from eligo.engine.labs import _sig
from eligo.screen.compile.frame import (
    FALSE,
    NULL,
    TRUE,
    and_,
    case,
    col,
    compare,
    decide,
    is_null,
    not_,
    not_null,
    num,
    or_,
    paren,
)
from eligo.screen.compile.spans import NotInSql, SqlSpan, contains, recent_span, static_span

#: how far apart a value and a computed limit (3 × the laboratory's ULN) may be and still be
#: equal: the evaluator compares both rounded to ten significant digits.
TOLERANCE = 1e-12


def _latest_order(table: str, date: str, key: str) -> list[exp.Expression]:
    dated = case([(is_null(col(date, table)), num(0))], num(1))
    return [
        exp.Ordered(this=dated, desc=True),
        exp.Ordered(this=col(date, table), desc=True),
        exp.Ordered(this=col(key, table), desc=True),
    ]


class LabRules:
    frame: Any
    vocab: Any
    as_of: Any
    person: Any
    age_years: Any
    female: Any
    male: Any

    # -- choosing the value ------------------------------------------------------------------

    def freshness_span(self, node: Any, measurement_id: str) -> SqlSpan:
        window = node.args.get("window") if node is not None else None
        if window is not None:
            return static_span(self.frame, window)
        data = engine_data("freshness.json")
        days = data["measurements"].get(measurement_id)
        if days is None:
            concept = self.vocab.measurements.get(measurement_id)
            kind = concept.kind if concept is not None else "lab"
            days = data["kinds"].get(kind, 28)
        return recent_span(self.frame, int(days))

    def pick_measurement(self, measurement_id: str, span: SqlSpan) -> str:
        """The latest usable value inside ``span`` (an undated one when none is dated)."""
        day = col("measurement_date", "measurement")
        where = and_(
            exp.EQ(
                this=col("measurement_source_value", "measurement"),
                expression=self.frame.param(measurement_id),
            ),
            paren(col("usable", "measurement")),
            paren(or_(paren(contains(span, day)), is_null(day.copy()))),
        )
        order = _latest_order("measurement", "measurement_date", "measurement_id")
        return self.frame.pick("measurement", where, order)

    def latest_observation(self, domain: str, name: str | None, extra: Any = None) -> str:
        """The latest ``observation`` row of a domain on or before the as-of date."""
        day = col("observation_date", "observation")
        parts = [
            exp.EQ(this=col("domain", "observation"), expression=self.frame.param(domain)),
            paren(or_(is_null(day), exp.LTE(this=day.copy(), expression=self.as_of()))),
        ]
        if name is not None:
            parts.append(
                exp.EQ(
                    this=col("observation_source_value", "observation"),
                    expression=self.frame.param(name),
                )
            )
        if extra is not None:
            parts.append(paren(extra))
        order = _latest_order("observation", "observation_date", "observation_id")
        return self.frame.pick("observation", and_(*parts), order)

    def latest_pregnancy(self) -> str:
        return self.latest_observation("pregnancy", None)

    # -- measurement -------------------------------------------------------------------------

    def measurement_sql(self, node: Any) -> exp.Expression:
        concept = self.vocab.measurements.get(node.measurement)
        members = getattr(concept, "members", ()) if concept is not None else ()
        if not members:
            return self.measured(node, node.measurement)
        return and_(*(paren(self.measured(node, member)) for member in members))

    def measured(self, node: Any, measurement_id: str) -> exp.Expression:
        alias = self.pick_measurement(measurement_id, self.freshness_span(node, measurement_id))
        return self.judge(node, alias, measurement_id)

    def canonical_unit(self, measurement_id: str) -> str | None:
        concept = self.vocab.measurements.get(measurement_id)
        return concept.unit if concept is not None else None

    def judge(self, node: Any, alias: str, measurement_id: str) -> exp.Expression:
        """``LabRules.judge``: one picked row against the node's threshold or result."""
        missing = is_null(col("person_id", alias))
        if node.result is not None:
            found = col("result", alias)
            matches = exp.EQ(this=found, expression=self.frame.param(node.result))
            return case(
                [(missing, NULL()), (is_null(found.copy()), NULL()), (matches, TRUE())], FALSE()
            )
        unit = self.canonical_unit(measurement_id)
        if node.unit is not None and node.unit != unit:
            raise NotInSql(f"a threshold in {node.unit}, not the canonical {unit}")
        value = col("value_as_number", alias)
        row_unit = col("unit_source_value", alias)
        if unit is None:
            comparable: exp.Expression = TRUE()
        else:
            comparable = or_(
                is_null(row_unit), exp.EQ(this=row_unit.copy(), expression=self.frame.param(unit))
            )
        verdict = self.threshold_verdict(node, alias, measurement_id)
        return case(
            [(missing, NULL()), (is_null(value), NULL()), (not_(paren(comparable)), NULL())],
            verdict,
        )

    def threshold_verdict(self, node: Any, alias: str, measurement_id: str) -> exp.Expression:
        low, high = col("value_low", alias), col("value_high", alias)
        multiple = node.uln if node.uln is not None else node.lln
        if multiple is None:
            return decide(low, high, node.comparator, self.frame.param(_sig(node.value)))
        upper = node.uln is not None
        recorded = col("range_high" if upper else "range_low", alias)
        concept = self.vocab.measurements.get(measurement_id)
        typical = getattr(concept, "reference_range", None) if concept else None
        limit = getattr(typical, "high" if upper else "low", None) if typical else None
        by_range = _tolerant_decide(
            low,
            high,
            node.comparator,
            exp.Mul(this=self.frame.param(multiple), expression=recorded),
        )
        fallback = (
            NULL()
            if limit is None
            else decide(
                low.copy(), high.copy(), node.comparator, self.frame.param(_sig(multiple * limit))
            )
        )
        return case([(not_null(recorded.copy()), by_range)], fallback)

    # -- derived -----------------------------------------------------------------------------

    def derived_sql(self, node: Any) -> exp.Expression:
        alias = self.pick_measurement(node.measurement, self.freshness_span(node, node.measurement))
        recorded = and_(not_null(col("person_id", alias)), not_null(col("value_as_number", alias)))
        if node.method == "cockcroft_gault":
            computed = self._cockcroft_gault(node)
        elif node.method in ("fridericia", "bazett"):
            computed = self._qt(node)
        else:
            raise NotInSql(f"{node.method} computed from its inputs")
        return case([(recorded, self.judge(node, alias, node.measurement))], computed)

    def _judge_value(self, node: Any, value: exp.Expression) -> exp.Expression:
        """A computed value (rounded to 0.1, as the evaluator rounds it) against the node."""
        if node.result is not None:
            raise NotInSql("a qualitative result of a computed value")
        unit = self.canonical_unit(node.measurement)
        if node.unit is not None and node.unit != unit:
            raise NotInSql(f"a threshold in {node.unit}, not the canonical {unit}")
        rounded = exp.Round(this=value, decimals=num(1))
        multiple = node.uln if node.uln is not None else node.lln
        if multiple is None:
            return decide(
                rounded, rounded.copy(), node.comparator, self.frame.param(_sig(node.value))
            )
        concept = self.vocab.measurements.get(node.measurement)
        typical = getattr(concept, "reference_range", None) if concept else None
        limit = getattr(typical, "high" if node.uln is not None else "low", None)
        if typical is None or limit is None:
            return NULL()
        return decide(
            rounded, rounded.copy(), node.comparator, self.frame.param(_sig(multiple * limit))
        )

    def _input(self, node: Any, measurement_id: str, own_window: bool) -> exp.Expression:
        span = self.freshness_span(node if own_window else None, measurement_id)
        return col("value_as_number", self.pick_measurement(measurement_id, span))

    def _cockcroft_gault(self, node: Any) -> exp.Expression:
        creatinine = self._input(node, "creatinine", True)
        weight = self._input(node, "weight", False)
        age = paren(self.age_years())
        clearance = exp.Div(
            this=exp.Mul(this=paren(exp.Sub(this=num(140), expression=age)), expression=weight),
            expression=paren(
                exp.Mul(
                    this=num(72), expression=paren(exp.Div(this=creatinine, expression=num(88.42)))
                )
            ),
        )
        male = self._judge_value(node, clearance)
        female = self._judge_value(
            node, exp.Mul(this=paren(clearance.copy()), expression=num(0.85))
        )
        agree = or_(
            and_(paren(male), paren(female)),
            and_(not_(paren(male.copy())), not_(paren(female.copy()))),
        )
        unknown_sex = case([(paren(agree), paren(male.copy()))], NULL())
        inputs = and_(not_null(creatinine.copy()), not_null(weight.copy()), not_null(age.copy()))
        return case(
            [
                (not_(paren(inputs)), NULL()),
                (self.female(), female.copy()),
                (self.male(), male.copy()),
            ],
            unknown_sex,
        )

    def _qt(self, node: Any) -> exp.Expression:
        inputs = engine_data("derived.json")["inputs"]
        if any(m in self.vocab.measurements for m in inputs["qt"]):
            raise NotInSql("QTc computed from QT and RR intervals")
        qtc = engine_data("derived.json")["unspecified_qtc"]
        alias = self.pick_measurement(qtc, self.freshness_span(node, qtc))
        found = and_(not_null(col("person_id", alias)), not_null(col("value_as_number", alias)))
        return case([(found, self.judge(node, alias, qtc))], NULL())


def _tolerant_decide(
    low: exp.Expression, high: exp.Expression, comparator: str, threshold: exp.Expression
) -> exp.Expression:
    """``decide`` against a limit computed in SQL, equal within :data:`TOLERANCE`."""
    slack = exp.Mul(this=exp.Abs(this=threshold.copy()), expression=num(TOLERANCE))
    below = exp.Sub(this=threshold.copy(), expression=slack)
    above = exp.Add(this=threshold.copy(), expression=slack.copy())
    if comparator == "=":
        met = and_(
            exp.GTE(this=low.copy(), expression=below), exp.LTE(this=high.copy(), expression=above)
        )
        off = or_(
            exp.LT(this=high.copy(), expression=below.copy()),
            exp.GT(this=low.copy(), expression=above.copy()),
        )
        return case([(met, TRUE()), (off, FALSE())], NULL())
    bound = {"<": below, ">=": below, "<=": above, ">": above}[comparator]
    first = compare(low.copy(), comparator, paren(bound.copy()))
    last = compare(high.copy(), comparator, paren(bound.copy()))
    return case(
        [
            (and_(paren(first), paren(last)), TRUE()),
            (and_(not_(paren(first.copy())), not_(paren(last.copy()))), FALSE()),
        ],
        NULL(),
    )
