"""Evaluation of ``derived`` nodes: a value the record may give directly (a reported QTcF, a
measured creatinine clearance) or that eligo computes from its inputs.

The rule: a recorded value of the derived measurement inside the window wins; otherwise eligo
computes it from the latest inputs inside their windows (the creatinine inside the criterion's
window, weight and height within their own freshness) and shows every input as evidence. When
the sex is not recorded, both formulas are tried: if both give the same verdict it stands,
else the leaf is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eligo.engine import derived as formulas
from eligo.engine.base import day, engine_data, quantity
from eligo.engine.labs import LabRules
from eligo.engine.verdicts import UNKNOWN, Evidence, NodeResult
from eligo.model.expression import Expression
from eligo.model.expression.render import METHOD_LABELS
from eligo.model.patient import Observation

_RENAL = ("cockcroft_gault", "ckd_epi", "mdrd")
_QT = ("fridericia", "bazett")
_BSA = ("mosteller", "dubois")


class ComputedRules(LabRules):
    def derived_eval(self, node: Expression) -> NodeResult:
        args = node.args
        name = self.label("measurement", args.get("measurement"))
        span = self.freshness_span(node, args.get("measurement"))
        recorded, _ = self.pick(args.get("measurement"), span)
        if recorded is not None and recorded.value is not None:
            result = self.judge(node, recorded, args.get("measurement"), name)
            result.reason += " (as recorded)"
            return result
        method = args.get("method")
        if method in _RENAL:
            return self._renal(node, name)
        if method in _QT:
            return self._qt(node, name)
        if method in _BSA:
            return self._bsa(node, name)
        return self.result(
            node,
            UNKNOWN,
            f"eligo cannot compute {name} by {METHOD_LABELS.get(method, method)}",
            None,
            ("measurement", args.get("measurement")),
        )

    # -- inputs ------------------------------------------------------------------------------

    def _input(self, node: Expression, role: str, *, own_window: bool) -> Any | None:
        for measurement_id in engine_data("derived.json")["inputs"][role]:
            if own_window:
                span = self.freshness_span(node, measurement_id)
            else:
                span = self.freshness_span(_NO_WINDOW, measurement_id)
            found, _ = self.pick(measurement_id, span)
            if found is not None and found.value is not None:
                return found
        return None

    def _missing(
        self,
        node: Expression,
        name: str,
        method: str,
        missing: list[tuple[str, str]],
        evidence: list[Evidence],
    ) -> NodeResult:
        """Unknown for want of inputs; ``missing`` pairs a word with its question key."""
        how = METHOD_LABELS.get(method, method)
        words = ", ".join(word for word, _ in missing)
        return self.result(
            node,
            UNKNOWN,
            f"{name} by {how} needs {words} (not in the record or too old)",
            evidence,
            ("several", *(key for _, key in missing)),
        )

    def _computed(
        self,
        node: Expression,
        name: str,
        method: str,
        compute: Callable[[bool], float],
        inputs: list[Any],
        evidence: list[Evidence],
        sex_matters: bool,
        extra: str = "",
    ) -> NodeResult:
        """Judge the computed value (or both, female and male, when the sex is unknown)."""
        args = node.args
        sex = self.patient.sex
        options = (
            [sex == "female"] if (sex in ("female", "male") or not sex_matters) else [True, False]
        )
        date = max((i.date for i in inputs if i.date is not None), default=None)
        results, values = [], []
        for female in options:
            value = round(compute(female), 1)
            values.append(value)
            obs = Observation(
                measurement_id=args.get("measurement"),
                value=value,
                unit=self._canonical_unit(args.get("measurement")),
                date=date,
            )
            results.append(self.judge(node, obs, args.get("measurement"), name))
        how = METHOD_LABELS.get(method, method)
        first = results[0]
        unit = self._canonical_unit(args.get("measurement"))
        shown = " or ".join(quantity(v, unit) for v in dict.fromkeys(values))
        computed_evidence = Evidence(
            fact="computed", text=f"{name} by {how}: {shown}", date=date, source="eligo"
        )
        if len(results) == 1 or all(r.verdict == first.verdict for r in results):
            verdict = first.verdict
            reason = f"{first.reason} (computed by {how} from {_named(inputs, self)}{extra})"
            if len(results) > 1:
                reason += "; the sex is not recorded, and both formulas agree"
        else:
            verdict = UNKNOWN
            reason = (
                f"{name} by {how} depends on the sex, which is not recorded: "
                f"{results[0].reason} if female, {results[1].reason} if male"
            )
        return self.result(
            node,
            verdict,
            reason,
            [computed_evidence, *evidence],
            ("demographics", "sex") if verdict == UNKNOWN else None,
        )

    # -- the formulas ------------------------------------------------------------------------

    def _renal(self, node: Expression, name: str) -> NodeResult:
        args = node.args
        creatinine = self._input(node, "creatinine", own_window=True)
        weight = self._input(node, "weight", own_window=False)
        age = self.patient.age_on(self.as_of)
        needs_weight = args.get("method") == "cockcroft_gault"
        missing: list[tuple[str, str]] = []
        if creatinine is None:
            missing.append(("serum creatinine", "measurement:creatinine"))
        if needs_weight and weight is None:
            missing.append(("body weight", "measurement:weight"))
        if age is None:
            missing.append(("age", "demographics:age"))
        inputs = [i for i in (creatinine, weight if needs_weight else None) if i is not None]
        evidence = [self.observation_evidence(i) for i in inputs]
        if age is not None:
            evidence.append(self.age_evidence(age))
        if missing:
            return self._missing(node, name, args.get("method"), missing, evidence)
        umol = self._value_in(creatinine, "creatinine")
        if args.get("method") == "cockcroft_gault":
            kg = self._value_in(weight, "weight")

            def compute(female: bool) -> float:
                return formulas.cockcroft_gault(age, kg, female, umol)
        elif args.get("method") == "ckd_epi":

            def compute(female: bool) -> float:
                return formulas.ckd_epi_2021(age, female, umol)
        else:

            def compute(female: bool) -> float:
                return formulas.mdrd(age, female, umol)

        sex = self.patient.sex if self.patient.sex in ("female", "male") else "sex not recorded"
        return self._computed(
            node,
            name,
            args.get("method"),
            compute,
            inputs,
            evidence,
            True,
            f", age {age}, {sex}",
        )

    def _qt(self, node: Expression, name: str) -> NodeResult:
        args = node.args
        qt = self._input(node, "qt", own_window=True)
        rr = self._input(node, "rr", own_window=True)
        rate = None if rr is not None else self._input(node, "heart_rate", own_window=True)
        if qt is None or (rr is None and rate is None):
            unspecified = self._unspecified_qtc(node, name)
            if unspecified is not None:
                return unspecified
            missing = [("QT interval and heart rate", f"measurement:{args.get('measurement')}")]
            return self._missing(node, name, args.get("method"), missing, [])
        inputs = [qt, rr or rate]
        evidence = [self.observation_evidence(i) for i in inputs]
        qt_ms = self._value_in(qt, qt.measurement_id)
        rr_ms = (
            self._value_in(rr, "rr_interval")
            if rr is not None
            else (formulas.rr_from_heart_rate(self._value_in(rate, "heart_rate")))
        )
        formula = formulas.fridericia if args.get("method") == "fridericia" else formulas.bazett
        return self._computed(
            node,
            name,
            args.get("method"),
            lambda _female: formula(qt_ms, rr_ms),
            inputs,
            evidence,
            False,
        )

    def _unspecified_qtc(self, node: Expression, name: str) -> NodeResult | None:
        """A QTc recorded without its correction formula stands in, and the reason says so."""
        qtc_id = engine_data("derived.json")["unspecified_qtc"]
        obs, _ = self.pick(qtc_id, self.freshness_span(node, qtc_id))
        if obs is None or obs.value is None:
            return None
        result = self.judge(node, obs, qtc_id, self.label("measurement", qtc_id))
        how = METHOD_LABELS.get(node.args.get("method"), node.args.get("method"))
        result.reason += f" (correction formula not recorded; read as {name} by {how})"
        return result

    def _bsa(self, node: Expression, name: str) -> NodeResult:
        args = node.args
        height = self._input(node, "height", own_window=False)
        weight = self._input(node, "weight", own_window=False)
        missing = ([("height", "measurement:height")] if height is None else []) + (
            [("weight", "measurement:weight")] if weight is None else []
        )
        inputs = [i for i in (height, weight) if i is not None]
        evidence = [self.observation_evidence(i) for i in inputs]
        if missing:
            return self._missing(node, name, args.get("method"), missing, evidence)
        cm, kg = self._value_in(height, "height"), self._value_in(weight, "weight")
        formula = formulas.mosteller if args.get("method") == "mosteller" else formulas.dubois
        return self._computed(
            node,
            name,
            args.get("method"),
            lambda _female: formula(cm, kg),
            inputs,
            evidence,
            False,
        )

    def _value_in(self, obs: Any, measurement_id: str) -> float:
        value, _ = self.canonical(obs, measurement_id, None)
        return value

    def age_evidence(self, age: int) -> Evidence:
        basis = (
            f"born {self.patient.birth_date.isoformat()}"
            if self.patient.birth_date
            else "stated age"
        )
        return Evidence(
            fact="demographics",
            text=f"age {age} on {self.as_of.isoformat()} ({basis})",
            date=self.as_of,
            source=None,
        )


class _NoWindow:
    """Stands in for a node without a window, so inputs take their own freshness."""

    args: dict[str, Any] = {}


_NO_WINDOW: Any = _NoWindow()


def _named(inputs: list[Any], rules: ComputedRules) -> str:
    parts = [
        f"{rules.label('measurement', i.measurement_id)} {quantity(i.value, i.unit)} "
        f"({day(i.date)})"
        for i in inputs
    ]
    return ", ".join(parts) if parts else "the record"
