"""Measured values in SQL, after ``eligo.engine.labs`` and ``eligo.engine.computed``: the latest
usable value inside the window (else inside eligo's default freshness), compared with a
threshold, a multiple of the limits of normal, or a qualitative result; biomarkers; performance
status; creatinine clearance by Cockcroft-Gault."""

from __future__ import annotations

import datetime as dt
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

    # -- biomarkers --------------------------------------------------------------------------

    def biomarker_sql(self, node: Any) -> exp.Expression:
        span = static_span(self.frame, node.window) if node.window is not None else None
        day = col("observation_date", "observation")
        within = None if span is None else or_(is_null(day), paren(contains(span, day.copy())))
        any_alias = self.latest_observation("biomarker", node.name, within)
        whens: list[tuple[exp.Expression, exp.Expression]] = []
        wanted = node.scale or "percent"
        if node.comparator is not None:
            levelled = and_(
                not_null(col("value_as_number", "observation")),
                exp.EQ(this=_scale(self.frame), expression=self.frame.param(wanted)),
            )
            if within is not None:
                levelled = and_(paren(within.copy()), paren(levelled))
            level = self.latest_observation("biomarker", node.name, levelled)
            value = col("value_as_number", level)
            threshold = self.frame.param(_sig(node.value))
            whens.append(
                (
                    not_null(col("person_id", level)),
                    decide(value, value.copy(), node.comparator, threshold),
                )
            )
            observed = self._biomarker_observation(node, wanted, span)
            if observed is not None:
                whens.append(observed)
            if wanted in ("percent", "h_score"):
                whens.append(self._other_scale(node, within))
        if node.result is not None and node.comparator is None:
            result = col("value_as_string", any_alias)
            level_value = col("value_as_number", any_alias)
            derived = case(
                [
                    (is_null(level_value), exp.null()),
                    (
                        exp.GT(this=level_value.copy(), expression=num(0)),
                        self.frame.param("positive"),
                    ),
                ],
                self.frame.param("negative"),
            )
            read = exp.Coalesce(this=result, expressions=[derived])
            decided = exp.In(
                this=read,
                expressions=self.frame.params_list(["positive", "negative", "not_detected"]),
            )
            positive = exp.EQ(this=read.copy(), expression=self.frame.param("positive"))
            same = positive if node.result == "positive" else not_(paren(positive))
            whens.append(
                (
                    and_(not_null(col("person_id", any_alias)), paren(decided)),
                    case([(paren(same), TRUE())], FALSE()),
                )
            )
        return case(whens, NULL()) if whens else NULL()

    def _other_scale(self, node: Any, within: Any) -> tuple[exp.Expression, exp.Expression]:
        """``MarkerRules._biomarker_other_scale``: a percentage bounds the H-score (p to 3p)
        and an H-score the percentage (h/3 to h)."""
        scaled = exp.In(
            this=_scale(self.frame), expressions=self.frame.params_list(["percent", "h_score"])
        )
        levelled = and_(not_null(col("value_as_number", "observation")), scaled)
        if within is not None:
            levelled = and_(paren(within.copy()), paren(levelled))
        alias = self.latest_observation("biomarker", node.name, levelled)
        value = col("value_as_number", alias)
        percent = exp.EQ(this=_scale(self.frame, alias), expression=self.frame.param("percent"))
        low = case([(percent, value)], exp.Div(this=value.copy(), expression=num(3)))
        high = case(
            [
                (
                    percent.copy(),
                    exp.Least(
                        this=num(300), expressions=[exp.Mul(this=num(3), expression=value.copy())]
                    ),
                )
            ],
            exp.Least(this=num(100), expressions=[value.copy()]),
        )
        found = not_null(col("person_id", alias))
        return found, decide(low, high, node.comparator, self.frame.param(_sig(node.value)))

    def _biomarker_observation(
        self, node: Any, scale: str | None, span: SqlSpan | None
    ) -> tuple[exp.Expression, exp.Expression] | None:
        table = engine_data("biomarkers.json")["observations"].get(node.name, {})
        measurement_id = table.get(scale or "")
        if measurement_id is None:
            return None
        alias = self.pick_measurement(
            measurement_id, span or self.freshness_span(None, measurement_id)
        )
        value = col("value_as_number", alias)
        found = and_(not_null(col("person_id", alias)), not_null(value))
        threshold = self.frame.param(_sig(node.value))
        return found, decide(
            col("value_low", alias), col("value_high", alias), node.comparator, threshold
        )

    # -- performance status ------------------------------------------------------------------

    def performance_status_sql(self, node: Any) -> exp.Expression:
        ecog = self.latest_observation("performance_status", "ecog")
        kps = self.latest_observation("performance_status", "karnofsky")
        kps_value = col("value_as_number", kps)
        as_ecog = case(
            [
                (exp.GTE(this=kps_value, expression=num(b)), num(g))
                for b, g in ((90, 0), (70, 1), (50, 2), (30, 3))
            ],
            case([(exp.GT(this=kps_value.copy(), expression=num(0)), num(4))], num(5)),
        )
        has_ecog = not_null(col("person_id", ecog))
        has_kps = not_null(col("person_id", kps))
        if node.scale == "ecog":
            low = high = case([(has_ecog, col("value_as_number", ecog))], as_ecog)
            day = case(
                [(has_ecog.copy(), col("observation_date", ecog))], col("observation_date", kps)
            )
            found = or_(has_ecog.copy(), has_kps)
        else:
            value = col("value_as_number", ecog)
            band = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20), 5: (0, 0)}
            ecog_low = case(
                [(exp.EQ(this=value.copy(), expression=num(g)), num(b[0])) for g, b in band.items()]
            )
            ecog_high = case(
                [(exp.EQ(this=value.copy(), expression=num(g)), num(b[1])) for g, b in band.items()]
            )
            low = case([(has_kps, kps_value.copy())], ecog_low)
            high = case([(has_kps.copy(), kps_value.copy())], ecog_high)
            day = case(
                [(has_kps.copy(), col("observation_date", kps))], col("observation_date", ecog)
            )
            found = or_(has_ecog, has_kps.copy())
        days = int(engine_data("freshness.json")["performance_status"])
        oldest = self.frame.param(lambda d: d - dt.timedelta(days=days), key=("stale", days))
        stale = and_(not_null(day), exp.LT(this=day.copy(), expression=oldest))
        verdict = decide(low, high, node.comparator, self.frame.param(_sig(node.value)))
        return case([(not_(paren(found)), NULL()), (paren(stale), NULL())], verdict)


def _scale(frame: Any, table: str = "observation") -> exp.Expression:
    """``markers._scale``: a biomarker's scale, percent when its unit says so."""
    scale = col("scale", table)
    unit = col("unit_source_value", table)
    return case(
        [
            (
                exp.In(this=scale, expressions=frame.params_list(["percent", "h_score"])),
                scale.copy(),
            ),
            (
                exp.In(this=unit, expressions=frame.params_list(["%", "percent"])),
                frame.param("percent"),
            ),
        ],
        scale.copy(),
    )


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
