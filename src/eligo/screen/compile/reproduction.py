"""Pregnancy, breastfeeding and childbearing potential in SQL, after the evaluator's
reproductive rules: the first step of a ladder that holds gives the verdict; steps that say
the fact does not concern the patient (a man, a woman after menopause, sterilised) are the
criterion's gates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlglot import exp

from eligo.engine.base import engine_data
from eligo.model.expression import Expression
from eligo.screen.compile.frame import (
    FALSE,
    NULL,
    TRUE,
    and_,
    case,
    col,
    not_,
    not_null,
    or_,
    paren,
)


class ReproductionRules:
    frame: Any
    mode: str
    female: Any
    male: Any
    age_years: Any
    gate: Any
    documented: Any
    condition_recorded: Any
    latest_pregnancy: Any
    pick_measurement: Any
    sterilised: Any

    def postmenopausal(self) -> exp.Expression:
        """``Evaluator._postmenopausal``: recorded, or a woman of 60 or more."""
        limit = int(engine_data("freshness.json")["postmenopausal_age"])
        recorded = self.condition_recorded("postmenopausal")
        aged = and_(
            self.female(), exp.GTE(this=paren(self.age_years()), expression=self.frame.param(limit))
        )
        return or_(paren(recorded), paren(case([(aged, TRUE())], FALSE())))

    def _ladder(
        self,
        steps: list[tuple[exp.Expression, exp.Expression, bool]],
        default: exp.Expression,
    ) -> exp.Expression:
        """The evaluator's reproductive rules: the first step whose condition holds gives the
        verdict; steps marked as gates say the fact does not concern the patient."""
        if self.mode == "gate":
            gated = case(
                [(paren(cond), TRUE() if is_gate else FALSE()) for cond, _, is_gate in steps],
                FALSE(),
            )
            return self.gate(gated, NULL())
        return case([(paren(cond), value) for cond, value, _ in steps], default)

    def _male_step(self) -> tuple[exp.Expression, exp.Expression, bool]:
        return self.male(), FALSE(), True

    def _after_step(self) -> tuple[exp.Expression, exp.Expression, bool]:
        return self.postmenopausal(), FALSE(), True

    def pregnancy_sql(self, node: Expression) -> exp.Expression:
        if node.args.get("test"):
            return self._pregnancy_test()
        latest = self.latest_pregnancy()
        pregnant = col("pregnant", latest)
        stale_before = self.frame.param(lambda d: d - dt.timedelta(days=90), key=("stale", 90))
        stale = and_(
            not_null(col("observation_date", latest)),
            exp.LT(this=col("observation_date", latest), expression=stale_before),
        )
        steps = [
            self._male_step(),
            (and_(not_null(pregnant), paren(stale), not_(pregnant.copy())), NULL(), False),
            (not_null(pregnant.copy()), case([(pregnant.copy(), TRUE())], FALSE()), False),
            self._after_step(),
        ]
        return self._ladder(steps, self.documented("pregnancy", node))

    def _pregnancy_test(self) -> exp.Expression:
        from eligo.screen.compile.spans import recent_span

        days = int(engine_data("freshness.json")["measurements"]["pregnancy_test"])
        span = recent_span(self.frame, days)
        steps = [self._male_step()]
        for measurement_id in ("pregnancy_test", "beta_hcg"):
            alias = self.pick_measurement(measurement_id, span)
            result = col("result", alias)
            positive = exp.EQ(this=result, expression=self.frame.param("positive"))
            steps.append((not_null(result.copy()), case([(positive, TRUE())], FALSE()), False))
        steps.append(self._after_step())
        return self._ladder(steps, NULL())

    def breastfeeding_sql(self, node: Expression) -> exp.Expression:
        latest = self.latest_pregnancy()
        feeding = col("breastfeeding", latest)
        steps = [
            self._male_step(),
            (not_null(feeding), case([(feeding.copy(), TRUE())], FALSE()), False),
            (self.condition_recorded("breastfeeding"), TRUE(), False),
            self._after_step(),
        ]
        return self._ladder(steps, self.documented("pregnancy", node))

    def childbearing_potential_sql(self, node: Expression) -> exp.Expression:
        steps = [
            self._male_step(),
            self._after_step(),
            (self.sterilised(), FALSE(), True),
            (self.condition_recorded("childbearing_potential"), TRUE(), False),
        ]
        return self._ladder(steps, NULL())
