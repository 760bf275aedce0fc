"""Evaluation of tumour biomarkers (DLL3, Ki-67, PD-L1 …) and performance status.

A biomarker level is compared on the scale the criterion asks for; a percentage of stained
cells bounds the H-score (each stained cell counts 1 to 3 by intensity: percent ≤ H-score ≤
3 × percent). A biomarker not tested is unknown. ECOG and Karnofsky convert with the usual
correspondence (``eligo.model.expression.performance``).
"""

from __future__ import annotations

from typing import Any

from eligo.engine.base import day, engine_data, quantity
from eligo.engine.labs import LabRules, decide, relation, value_range
from eligo.engine.verdicts import MET, NOT_MET, UNKNOWN, Evidence, NodeResult
from eligo.model.expression import Expression
from eligo.model.expression.render import SYMBOLS, number


class MarkerRules(LabRules):
    # -- biomarkers --------------------------------------------------------------------------

    def biomarker_eval(self, node: Expression) -> NodeResult:
        args = node.args
        marker_id = args["name"]
        name = marker_id.replace("_", "-").upper() if len(marker_id) <= 6 else marker_id
        ask = ("biomarker", marker_id)
        span = self.span_of(node)
        found = sorted(
            (
                b
                for b in self.patient.biomarkers
                if b.name == marker_id
                and (b.date is None or b.date <= self.as_of)
                and (span is None or b.date is None or span.contains(b.date))
            ),
            key=lambda b: (b.date is not None, b.date),
        )
        if args.get("comparator") is not None:
            levelled = self._level(node, found, name)
            if levelled is not None:
                return levelled
        if not found:
            return self.result(node, UNKNOWN, f"no {name} result in the record", None, ask)
        marker = found[-1]
        evidence = [self._biomarker_evidence(marker, name)]
        wanted = args.get("result")
        if wanted is not None and args.get("comparator") is None:
            result = marker.result or _result_from_level(marker)
            if result in ("positive", "negative", "not_detected"):
                verdict = MET if (result == "positive") == (wanted == "positive") else NOT_MET
                return self.result(node, verdict, f"{name} {result} ({day(marker.date)})", evidence)
        return self.result(
            node,
            UNKNOWN,
            f"{name} is recorded ({evidence[0].text}) but not on the scale asked "
            f"({self.phrase(node)})",
            evidence,
            ask,
        )

    def _level(self, node: Expression, found: list[Any], name: str) -> NodeResult | None:
        """A level on the scale asked, from the biomarkers, else the observations, else
        bounded from the other scale (percent ↔ H-score)."""
        scale = node.args.get("scale") or "percent"
        levelled = [b for b in found if b.value is not None and _scale(b) == scale]
        if levelled:
            return self._biomarker_level(node, levelled[-1], name)
        observed = self._biomarker_observation(node, scale)
        if observed is not None:
            return observed
        other = [b for b in found if b.value is not None and _scale(b) in _H_SCORE_BOUNDS]
        if scale in _H_SCORE_BOUNDS and other:
            return self._biomarker_other_scale(node, other[-1], name)
        return None

    def _biomarker_level(self, node: Expression, marker: Any, name: str) -> NodeResult:
        args = node.args
        low, high = value_range(marker.value, None)
        verdict = decide(low, high, args.get("comparator"), args.get("value"))
        scale = "H-score " if args.get("scale") == "h_score" else ""
        unit = " %" if _scale(marker) == "percent" else ""
        reason = (
            f"{name} {scale}{number(marker.value)}{unit} ({day(marker.date)}) is "
            f"{relation(low, high, args.get('value'))} {number(args.get('value'))}{unit}"
        )
        return self.result(node, verdict, reason, [self._biomarker_evidence(marker, name)])

    def _biomarker_other_scale(self, node: Expression, marker: Any, name: str) -> NodeResult:
        """A percentage of stained cells bounds the H-score and the other way round: the
        H-score weighs each stained cell by its intensity, 1 to 3, so percent ≤ H ≤ 3 × percent."""
        args = node.args
        value = float(marker.value)
        low, high = _H_SCORE_BOUNDS[_scale(marker)](value)
        verdict = decide(low, high, args.get("comparator"), args.get("value"))
        asked = "H-score" if args.get("scale") == "h_score" else "percentage of stained cells"
        reason = (
            f"{name} {self._biomarker_evidence(marker, name).text.split(' ', 1)[-1]} "
            f"({day(marker.date)}) puts the {asked} between {number(round(low, 1))} and "
            f"{number(round(high, 1))}, against {self.phrase(node)}"
        )
        evidence = [self._biomarker_evidence(marker, name)]
        return self.result(
            node,
            verdict,
            reason,
            evidence,
            ("biomarker", args.get("name")) if verdict == UNKNOWN else None,
        )

    def _biomarker_observation(self, node: Expression, scale: str | None) -> NodeResult | None:
        args = node.args
        table = engine_data("biomarkers.json")["observations"].get(args.get("name"), {})
        measurement_id = table.get(scale or "")
        if measurement_id is None:
            return None
        span = self.span_of(node) or self.freshness_span(node, measurement_id)
        obs, _ = self.pick(measurement_id, span)
        if obs is None or obs.value is None:
            return None
        name = self.label("measurement", measurement_id)
        low, high = value_range(obs.value, obs.comparator)
        verdict = decide(low, high, args.get("comparator"), args.get("value"))
        reason = (
            f"{name} {quantity(obs.value, obs.unit)} ({day(obs.date)}) is "
            f"{relation(low, high, args.get('value'))} {number(args.get('value'))}"
        )
        return self.result(node, verdict, reason, [self.observation_evidence(obs, name)])

    def _biomarker_evidence(self, marker: Any, name: str) -> Evidence:
        if marker.value is not None:
            text = f"{name} {number(marker.value)}{' %' if _scale(marker) == 'percent' else ''}"
            if _scale(marker) == "h_score":
                text = f"{name} H-score {number(marker.value)}"
        else:
            text = f"{name} {marker.result or marker.value_text or 'recorded'}"
        source = marker.source.label if marker.source else None
        return Evidence(fact="biomarker", text=text, date=marker.date, source=source)

    # -- performance status ------------------------------------------------------------------

    def performance_status_eval(self, node: Expression) -> NodeResult:
        args = node.args
        from eligo.model.expression.performance import ecog_to_karnofsky, karnofsky_to_ecog

        scale = "ecog" if args.get("scale") == "ecog" else "karnofsky"
        found = self.patient.latest_performance(scale, self.as_of)
        if found is None and scale == "karnofsky":
            found = self.patient.latest_performance("ecog", self.as_of)
        ask = ("performance_status", args.get("scale"))
        if found is None:
            return self.result(node, UNKNOWN, "no performance status in the record", None, ask)
        days = int(engine_data("freshness.json")["performance_status"])
        evidence = [self._performance_evidence(found)]
        if found.date is not None and (self.as_of - found.date).days > days:
            return self.result(
                node,
                UNKNOWN,
                f"latest performance status is from {found.date.isoformat()}, more than "
                f"{days} days before {self.as_of.isoformat()}",
                evidence,
                ask,
            )
        if found.scale == scale:
            low = high = float(found.value)
        elif scale == "karnofsky":
            low, high = map(float, ecog_to_karnofsky(found.value))
        else:
            low = high = float(karnofsky_to_ecog(found.value))
        verdict = decide(low, high, args.get("comparator"), args.get("value"))
        label = "ECOG" if found.scale == "ecog" else "Karnofsky"
        reason = (
            f"{label} {found.value} ({day(found.date)}) against "
            f"{'ECOG' if node.args['scale'] == 'ecog' else node.args['scale'].title()} "
            f"{SYMBOLS[args.get('comparator')]} {number(args.get('value'))}"
        )
        return self.result(node, verdict, reason, evidence, ask if verdict == UNKNOWN else None)

    def _performance_evidence(self, found: Any) -> Evidence:
        label = "ECOG" if found.scale == "ecog" else "Karnofsky"
        source = found.source.label if found.source else None
        return Evidence(
            fact="performance_status",
            text=f"{label} {found.value}",
            date=found.date,
            source=source,
        )


#: bounds of the other scale given a value on one: (low, high) of the H-score for a percentage,
#: of the percentage for an H-score
_H_SCORE_BOUNDS = {
    "percent": lambda p: (p, min(300.0, 3 * p)),
    "h_score": lambda h: (h / 3, min(100.0, h)),
}


def _scale(marker: Any) -> str | None:
    if marker.scale in ("percent", "h_score"):
        return marker.scale
    if marker.unit in ("%", "percent"):
        return "percent"
    return marker.scale


def _result_from_level(marker: Any) -> str | None:
    if marker.value is None:
        return None
    return "positive" if marker.value > 0 else "negative"
