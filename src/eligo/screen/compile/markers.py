"""Biomarkers and performance status in SQL, after ``eligo.engine.markers``: a level on the
scale asked (from the biomarkers, else the observations, else bounded from the other scale),
a positive or negative result; ECOG and Karnofsky with the usual correspondence."""

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
    decide,
    is_null,
    not_,
    not_null,
    num,
    or_,
    paren,
)
from eligo.screen.compile.spans import SqlSpan, contains, static_span


class MarkerRules:
    frame: Any
    vocab: Any
    as_of: Any
    latest_observation: Any
    pick_measurement: Any
    freshness_span: Any

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
