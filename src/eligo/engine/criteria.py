"""Criterion verdicts: an expression's verdict read as what it means for this patient.

- ``met`` / ``not_met`` / ``unknown`` as the expression evaluates (for an exclusion, ``met``
  means the patient is excluded);
- ``team`` when only the study team's judgement decides it: the root is a ``team`` leaf, or
  the facts the record gives settle everything but the study team's part;
- ``not_applicable`` when the criterion does not concern this patient: it is written for another
  cohort, or it is decided in the patient's favour by who the patient is alone (a man and
  "Females of childbearing potential must ...", a cohort 1 patient and "Tumours from cohort 2
  must be DLL3 positive").

A criterion with sub-criteria and no expression of its own takes its verdict from them: all of
them for an inclusion ("adequate organ function, defined as: ..."), any of them for an
exclusion ("inadequate washout, defined as: ...").
"""

from __future__ import annotations

from eligo.engine.base import engine_data
from eligo.engine.evaluate import Evaluator
from eligo.engine.results import CriterionMatch
from eligo.engine.verdicts import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    TEAM,
    UNKNOWN,
    NodeResult,
    kleene_all,
    kleene_any,
    recombine,
)
from eligo.model import Cohort, Criterion


def favourable(kind: str) -> str:
    """The verdict that lets the patient in: a met inclusion, an unmet exclusion."""
    return MET if kind == "inclusion" else NOT_MET


def judge(criterion: Criterion, evaluator: Evaluator, cohort: Cohort | None) -> CriterionMatch:
    """One criterion (and its sub-criteria) for the evaluator's patient, as the patient would
    join ``cohort`` (None: the trial has no cohorts, or the patient fits none)."""
    children = [judge(child, evaluator, cohort) for child in criterion.children]
    base = {
        "id": criterion.id,
        "kind": criterion.kind,
        "text": criterion.text,
        "children": children,
        "cohort": criterion.cohort,
    }
    if criterion.cohort and cohort is not None and criterion.cohort != cohort.id:
        return CriterionMatch(
            **base,
            verdict=NOT_APPLICABLE,
            reason=f"for another cohort ({criterion.cohort}); the patient fits {cohort.label}",
        )
    if criterion.expression is None:
        return _from_children(criterion, children, base)
    evaluator.criterion_kind = criterion.kind
    evaluator.cohort = cohort
    result = evaluator.evaluate(criterion.expression)
    verdict, reason = _verdict(criterion.kind, result)
    return CriterionMatch(
        **base, verdict=verdict, reason=reason, evidence=list(result.evidence), result=result
    )


def presumed_for(kind: str) -> bool:
    """Whether silence in a summed-up domain may settle a criterion of this kind."""
    return kind in engine_data("unmentioned.json")["presumed_for"]


def _verdict(kind: str, result: NodeResult) -> tuple[str, str]:
    verdict, reason = result.verdict, result.reason
    if verdict in (TEAM, UNKNOWN):
        presume = presumed_for(kind) and any(leaf.presumed for leaf in result.leaves())

        def force(leaf: NodeResult, team: str | None = None) -> str | None:
            # a study-team leaf is the team's yes or no when asked, presumed absent otherwise
            if team is not None and leaf.verdict == TEAM:
                return team
            return NOT_MET if presume and leaf.presumed else None

        if presume and recombine(result, force) == favourable(kind):
            return favourable(kind), _presumed_reason(kind, result)
    if verdict == TEAM:
        return TEAM, reason
    if verdict == UNKNOWN:
        yes = recombine(result, lambda leaf: force(leaf, MET))
        no = recombine(result, lambda leaf: force(leaf, NOT_MET))
        if UNKNOWN not in (yes, no) and yes != no:
            return TEAM, f"for the study team to judge; the record shows: {_facts(result)}"
        return UNKNOWN, reason
    if verdict == favourable(kind) and _decided_by_gates(result, verdict):
        return NOT_APPLICABLE, f"does not concern this patient: {_gate_reasons(result)}"
    return verdict, reason


def _presumed_reason(kind: str, result: NodeResult) -> str:
    silent = "; ".join(dict.fromkeys(leaf.reason for leaf in result.leaves() if leaf.presumed))
    outcome = "not excluded" if kind == "exclusion" else "met"
    return f"{outcome}: {silent} (taken as absent: here that clears the patient)"


def _decided_by_gates(result: NodeResult, verdict: str) -> bool:
    """Whether the leaves saying the patient is *outside* the group the criterion concerns
    decide it alone (every other leaf taken as unknown)."""
    if not any(leaf.gate and leaf.verdict == NOT_MET for leaf in result.leaves()):
        return False
    kept = recombine(
        result, lambda leaf: None if leaf.gate and leaf.verdict == NOT_MET else UNKNOWN
    )
    return kept == verdict


def _gate_reasons(result: NodeResult) -> str:
    reasons = [leaf.reason for leaf in result.leaves() if leaf.gate and leaf.verdict == NOT_MET]
    return "; ".join(dict.fromkeys(reasons))


def _facts(result: NodeResult) -> str:
    reasons = [leaf.reason for leaf in result.leaves() if leaf.verdict != TEAM and leaf.reason]
    return "; ".join(dict.fromkeys(reasons)) or "nothing more"


def _from_children(
    criterion: Criterion, children: list[CriterionMatch], base: dict
) -> CriterionMatch:
    if not children:
        return CriterionMatch(
            **base, verdict=UNKNOWN, reason=f"not understood by eligo: {criterion.text}"
        )
    counted = [c for c in children if c.verdict != NOT_APPLICABLE]
    if not counted:
        return CriterionMatch(
            **base, verdict=NOT_APPLICABLE, reason="none of its parts concerns this patient"
        )
    combine = kleene_all if criterion.kind == "inclusion" else kleene_any
    verdict = combine(c.verdict for c in counted)
    if verdict == UNKNOWN and all(c.verdict in (TEAM, favourable(c.kind)) for c in counted):
        verdict = TEAM
    decisive = [c for c in counted if c.verdict == verdict] or counted
    reason = "; ".join(f"{c.id}: {c.reason}" for c in decisive)
    evidence = list(dict.fromkeys(e for c in decisive for e in c.evidence))
    return CriterionMatch(**base, verdict=verdict, reason=reason, evidence=evidence)
