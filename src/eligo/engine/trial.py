"""Trial verdicts: every criterion of a trial for one patient, the cohort the patient fits, the
trial's verdict, its score for ranking, and the questions that would settle it.

- ``eligible``: every inclusion met and no exclusion met or unknown (criteria for the study team
  and criteria that do not concern the patient aside);
- ``ineligible``: an inclusion not met or an exclusion met (``TrialMatch.failing`` names them);
- ``possibly_eligible``: otherwise: the record leaves something open.

The trial's own age and sex limits count as inclusion criteria (``limit-age``, ``limit-sex``).
With cohorts, the criteria are judged once per cohort as if the patient joined it (with the
cohort's own conditions as an inclusion), and the best fit is kept: eligible before possibly
eligible before ineligible, then the fewest open criteria, then the first cohort.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eligo.engine.base import engine_data
from eligo.engine.criteria import judge
from eligo.engine.evaluate import Evaluator
from eligo.engine.questions import missing_facts
from eligo.engine.results import (
    CriterionMatch,
    TrialMatch,
    TrialVerdict,
    counts_against,
    settled,
)
from eligo.model import Cohort, Criterion, Trial
from eligo.model.expression import Age, All, Any, Condition, Expression, Sex
from eligo.model.expression.render import number

RANK = {"eligible": 0, "possibly_eligible": 1, "ineligible": 2}


def limit_criteria(trial: Trial) -> list[Criterion]:
    """The registry's age and sex limits as inclusion criteria."""
    found = []
    ages: list[Expression] = []
    words = []
    if trial.minimum_age is not None:
        ages.append(Age(comparator=">=", value=trial.minimum_age))
        words.append(f"{number(trial.minimum_age)} years or older")
    if trial.maximum_age is not None:
        ages.append(Age(comparator="<=", value=trial.maximum_age))
        words.append(f"{number(trial.maximum_age)} years or younger")
    if ages:
        expression = ages[0] if len(ages) == 1 else All(*ages)
        text = "Age (registry limits): " + " and ".join(words)
        found.append(Criterion(id="limit-age", kind="inclusion", text=text, expression=expression))
    if trial.sex in ("female", "male"):
        text = f"Sex (registry limits): {trial.sex} only"
        found.append(
            Criterion(id="limit-sex", kind="inclusion", text=text, expression=Sex(value=trial.sex))
        )
    return found


def cohort_criterion(cohort: Cohort, vocab: object) -> Criterion | None:
    """A cohort's own conditions ("Cohort 2: other poorly differentiated NECs") as an inclusion."""
    text = "; ".join(cohort.conditions) or cohort.description
    concepts = list(dict.fromkeys(m.concept_id for m in vocab.find_conditions(text)))  # type: ignore[attr-defined]
    if not concepts:
        return None
    conditions = [Condition(concept=c) for c in concepts]
    expression = conditions[0] if len(conditions) == 1 else Any(*conditions)
    return Criterion(
        id=f"{cohort.id}-condition",
        kind="inclusion",
        cohort=cohort.id,
        text=f"{cohort.label}: {text}",
        expression=expression,
    )


def verdict_of(judged: Iterable[tuple[str, str]]) -> TrialVerdict:
    """The trial's verdict from its criteria's (kind, verdict) pairs."""
    pairs = list(judged)
    if any(counts_against(kind, verdict) for kind, verdict in pairs):
        return "ineligible"
    if all(settled(kind, verdict) for kind, verdict in pairs):
        return "eligible"
    return "possibly_eligible"


def eligibility_weight(verdict: TrialVerdict, judged: Iterable[tuple[str, str]]) -> float:
    """Eligible 1.0, ineligible 0.45, possibly eligible 0.8 less 0.3 × the share of open
    criteria among those that concern the patient."""
    weights = engine_data("relevance.json")["eligibility"]
    if verdict != "possibly_eligible":
        return float(weights[verdict])
    counted = [v for _, v in judged if v not in ("team", "not_applicable")]
    share = sum(v == "unknown" for v in counted) / len(counted) if counted else 0.0
    return float(weights["possibly_eligible"] - weights["possibly_unknown_penalty"] * share)


def score_of(verdict: TrialVerdict, judged: Iterable[tuple[str, str]], relevance: float) -> float:
    """Eligibility × relevance: ``weight × (0.3 + 0.7 × relevance)``, in [0, 1]."""
    floor = float(engine_data("relevance.json")["relevance_floor"])
    return round(eligibility_weight(verdict, judged) * (floor + (1 - floor) * relevance), 4)


def fit_key(verdict: TrialVerdict, own: str | None, judged: Iterable[tuple[str, str]]) -> tuple:
    """How well the patient fits one cohort: the verdict first; then a cohort whose own
    conditions the patient meets (``own``: that criterion's verdict); then the fewest open
    criteria."""
    misfit = 0 if own in (None, "met") else 1 if own != "not_met" else 2
    return RANK[verdict], misfit, sum(v == "unknown" for _, v in judged)


def question_label(evaluator: Evaluator, kind: str, ident: str) -> str:
    """The name of a fact in a question: "platelet count", "platinum agents", "DLL3"."""
    if kind == "therapy":
        table = "drug" if ident in evaluator.vocab.drugs else "drug_class"
        if ident not in evaluator.vocab.drugs and ident not in evaluator.vocab.drug_classes:
            return f"{ident.replace('_', ' ')} therapy"
        return evaluator.label(table, ident)
    if kind in ("measurement", "condition"):
        return evaluator.label(kind, ident)
    if kind == "biomarker":
        return ident.replace("_", "-").upper() if len(ident) <= 6 else ident.replace("_", " ")
    return ident.replace("_", " ")


@dataclass
class _Fit:
    cohort: Cohort | None
    criteria: list[CriterionMatch]
    verdict: TrialVerdict

    def key(self) -> tuple:
        own = next(
            (c.verdict for c in self.criteria if c.id.endswith("-condition") and c.cohort), None
        )
        return fit_key(self.verdict, own, _pairs(self.criteria))


def _pairs(criteria: list[CriterionMatch]) -> list[tuple[str, str]]:
    return [(c.kind, c.verdict) for c in criteria]


def judge_trial(
    evaluator: Evaluator, trial: Trial, criteria: list[Criterion], relevance: float
) -> TrialMatch:
    """Every criterion of ``trial`` for the evaluator's patient (see the module doc)."""
    limits = limit_criteria(trial)
    fits: list[_Fit] = []
    for cohort in trial.cohorts or [None]:
        own = cohort_criterion(cohort, evaluator.vocab) if cohort is not None else None
        listed = limits + ([own] if own is not None else []) + list(criteria)
        judged = [judge(criterion, evaluator, cohort) for criterion in listed]
        fits.append(_Fit(cohort, judged, verdict_of(_pairs(judged))))
    best = min(fits, key=_Fit.key)
    missing = (
        missing_facts(best.criteria, lambda kind, ident: question_label(evaluator, kind, ident))
        if best.verdict == "possibly_eligible"
        else []
    )
    cohort = best.cohort.label if best.cohort is not None and best.verdict != "ineligible" else None
    return TrialMatch(
        trial_id=trial.trial_id,
        title=trial.brief_title,
        verdict=best.verdict,
        score=score_of(best.verdict, _pairs(best.criteria), relevance),
        cohort=cohort,
        criteria=best.criteria,
        missing=missing,
        relevance=round(relevance, 4),
    )
