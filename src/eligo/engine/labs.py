"""Evaluation of measured values: laboratory results and vital signs against thresholds, values
in multiples of the limits of normal, qualitative results, and tumour biomarkers.

Which value: the latest one inside the criterion's window, or, when the criterion has none,
inside eligo's default freshness for that measurement (``data/freshness.json``); a value older
than that leaves the leaf unknown and says how old it is. An undated value (a note's "platelets
150") is taken as current, and the reason says so.
"""

from __future__ import annotations

import math
from typing import Any

from eligo.engine.base import RuleBase, day, engine_data, quantity
from eligo.engine.verdicts import (
    MET,
    NOT_MET,
    UNKNOWN,
    NodeResult,
    Verdict,
    kleene_all,
)
from eligo.engine.windows import Span
from eligo.model.expression import Expression
from eligo.model.expression.render import number
from eligo.vocab import UnitError, normalise

_TESTS = {
    "<": lambda x, t: x < t,
    "<=": lambda x, t: x <= t,
    ">": lambda x, t: x > t,
    ">=": lambda x, t: x >= t,
}


def _sig(value: float) -> float:
    """Rounded to 10 significant digits: unit conversions must not turn 100 into 99.99999."""
    if value == 0 or math.isinf(value):
        return value
    return round(value, 9 - int(math.floor(math.log10(abs(value)))))


def value_range(value: float, comparator: str | None) -> tuple[float, float]:
    """The values a recorded result allows: 5 → [5, 5]; "<5" → (−∞, 5); ">=5" → [5, ∞)."""
    eps = 1e-9 * max(1.0, abs(value))
    if comparator == "<":
        return -math.inf, value - eps
    if comparator == "<=":
        return -math.inf, value
    if comparator == ">":
        return value + eps, math.inf
    if comparator == ">=":
        return value, math.inf
    return value, value


def decide(low: float, high: float, comparator: str, threshold: float) -> Verdict:
    """Whether every value in [low, high] passes ``comparator threshold`` (met), none does
    (not met), or it depends on where in the range the true value lies (unknown)."""
    low, high, threshold = _sig(low), _sig(high), _sig(threshold)
    if comparator == "=":
        if low == high == threshold:
            return MET
        return NOT_MET if threshold < low or threshold > high else UNKNOWN
    test = _TESTS[comparator]
    first, last = test(low, threshold), test(high, threshold)
    if first and last:
        return MET
    if not first and not last:
        return NOT_MET
    return UNKNOWN


def relation(low: float, high: float, threshold: float) -> str:
    low, high, threshold = _sig(low), _sig(high), _sig(threshold)
    if high < threshold:
        return "below"
    if low > threshold:
        return "above"
    if low == high == threshold:
        return "equal to"
    return "not comparable with"


def result_word(obs: Any) -> str | None:
    """positive / negative for a qualitative result, from its text or interpretation code."""
    words = engine_data("results.json")
    for text in (obs.value_text, obs.interpretation):
        key = (text or "").strip().casefold()
        if not key:
            continue
        for meaning in ("negative", "positive"):
            if key in words[meaning] or any(len(w) > 3 and w in key for w in words[meaning]):
                if meaning == "positive" and ("not " in key or "non" in key):
                    continue
                return meaning
    if obs.value is not None and obs.unit not in (None, "1"):
        # a viral load or titre: below the limit of detection is negative
        return "negative" if obs.comparator in ("<", "<=") or obs.value == 0 else "positive"
    return None


class LabRules(RuleBase):
    """Handlers for ``measurement`` (and, through it, ``derived``'s comparisons) and
    ``biomarker`` nodes."""

    # -- choosing the value ------------------------------------------------------------------

    def freshness_span(self, node: Expression, measurement_id: str) -> Span:
        span = self.span_of(node)
        if span is not None:
            return span
        data = engine_data("freshness.json")
        days = data["measurements"].get(measurement_id)
        if days is None:
            concept = self.vocab.measurements.get(measurement_id)
            kind = concept.kind if concept is not None else "lab"
            days = data["kinds"].get(kind, 28)
        return self.recent(int(days), "eligo's default freshness")

    def pick(self, measurement_id: str, span: Span) -> tuple[Any | None, Any | None]:
        """(the latest value inside ``span`` or undated, the latest value outside it)."""
        observations = self.patient.observations_of(measurement_id, span.end)
        usable = [
            o for o in observations if o.value is not None or o.value_text or o.interpretation
        ]
        inside = [o for o in usable if o.date is not None and span.contains(o.date)]
        if inside:
            return inside[-1], None
        undated = [o for o in usable if o.date is None]
        if undated:
            return undated[-1], None
        dated = [o for o in usable if o.date is not None]
        return None, (dated[-1] if dated else None)

    # -- measurement -------------------------------------------------------------------------

    def measurement_eval(self, node: Expression) -> NodeResult:
        concept = self.vocab.measurements.get(node.args.get("measurement"))
        members = getattr(concept, "members", ()) if concept is not None else ()
        if not members:
            return self.measured(node, node.args.get("measurement"))
        children = [self.measured(node, member) for member in members]
        verdict = kleene_all(child.verdict for child in children)
        reason = "; ".join(child.reason for child in children)
        return NodeResult(node.kind, verdict, reason, [], children)

    def measured(self, node: Expression, measurement_id: str) -> NodeResult:
        span = self.freshness_span(node, measurement_id)
        obs, older = self.pick(measurement_id, span)
        name = self.label("measurement", measurement_id)
        ask = ("measurement", measurement_id)
        if obs is None:
            if older is not None:
                return self.result(
                    node,
                    UNKNOWN,
                    f"unknown: latest {name} is from {day(older.date)}, too old "
                    f"(wanted {span.text})",
                    [self.observation_evidence(older, name)],
                    ask,
                )
            return self.result(node, UNKNOWN, f"no {name} in the record", None, ask)
        return self.judge(node, obs, measurement_id, name)

    def judge(self, node: Expression, obs: Any, measurement_id: str, name: str) -> NodeResult:
        """Compare one observation with the node's threshold or qualitative result."""
        args = node.args
        evidence = [self.observation_evidence(obs, name)]
        when = f"on {obs.date.isoformat()}" if obs.date else "(undated; taken as current)"
        ask = ("measurement", measurement_id)
        if args.get("result") is not None:
            found = result_word(obs)
            if found is None:
                return self.result(
                    node,
                    UNKNOWN,
                    f"{name} {when}: result not readable as positive or negative",
                    evidence,
                    ask,
                )
            verdict = MET if found == args.get("result") else NOT_MET
            return self.result(node, verdict, f"{name} {found} {when}", evidence)
        if obs.value is None:
            return self.result(node, UNKNOWN, f"{name} {when} has no numeric value", evidence, ask)
        try:
            value, factor = self.canonical(obs, measurement_id, args.get("unit"))
            threshold, threshold_text = self.threshold(node, obs, measurement_id, factor)
        except UnitError as error:
            return self.result(node, UNKNOWN, f"{name} {when}: {error}", evidence, ask)
        if threshold is None:
            return self.result(node, UNKNOWN, f"{name} {when}: {threshold_text}", evidence, ask)
        low, high = value_range(value, obs.comparator)
        verdict = decide(low, high, args.get("comparator"), threshold)
        unit = args.get("unit") or self._canonical_unit(measurement_id) or obs.unit
        shown = f"{obs.comparator or ''}{quantity(value, unit)}"
        reason = f"{name} {shown} {when} is {relation(low, high, threshold)} {threshold_text}"
        if args.get("context"):
            reason += f" (the record does not say whether measured {args.get('context')})"
        return self.result(node, verdict, reason, evidence, None if verdict != UNKNOWN else ask)

    def _canonical_unit(self, measurement_id: str) -> str | None:
        concept = self.vocab.measurements.get(measurement_id)
        return concept.unit if concept is not None else None

    def canonical(self, obs: Any, measurement_id: str, wanted: str | None) -> tuple[float, float]:
        """The observation's value in the unit the node's threshold is in, and the factor
        that took it there (for its reference range too)."""
        target = wanted or self._canonical_unit(measurement_id)
        if target is None or obs.unit is None or obs.unit == target:
            return obs.value, 1.0
        converted, unit = normalise(obs.value, obs.unit, measurement_id)
        if unit != target:
            target_value, target_unit = normalise(1.0, target, measurement_id)
            if target_unit != unit:
                raise UnitError(f"{obs.unit} cannot be compared with {target}")
            converted = converted / target_value
        factor = converted / obs.value if obs.value else 1.0
        return converted, factor

    def threshold(
        self, node: Expression, obs: Any, measurement_id: str, factor: float
    ) -> tuple[float | None, str]:
        """The threshold in the value's unit and how to say it; ×ULN and ×LLN through the
        observation's own reference range, else the vocabulary's typical adult range."""
        args = node.args
        multiple = args.get("uln") if args.get("uln") is not None else args.get("lln")
        if multiple is None:
            unit = args.get("unit") or self._canonical_unit(measurement_id)
            return args.get("value"), quantity(args.get("value"), unit)
        upper = args.get("uln") is not None
        limit_name = "ULN" if upper else "LLN"
        recorded = obs.reference_high if upper else obs.reference_low
        unit = self._canonical_unit(measurement_id) or obs.unit
        if recorded is not None:
            limit, where = recorded * factor, "the laboratory's reference range"
        else:
            concept = self.vocab.measurements.get(measurement_id)
            typical = getattr(concept, "reference_range", None) if concept else None
            limit = getattr(typical, "high" if upper else "low", None) if typical else None
            where = "eligo's typical adult range (the record gives none)"
            if limit is None:
                return None, f"no {limit_name} in the record nor in eligo's vocabulary"
        text = (
            f"{number(multiple)} × {limit_name} ({quantity(multiple * limit, unit)}; "
            f"{limit_name} {quantity(limit, unit)} from {where})"
        )
        return multiple * limit, text
