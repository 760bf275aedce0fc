"""The matcher: criterion expressions evaluated against a patient, three-valued, with reasons
and evidence; criterion and trial verdicts; ranking; and the questions that would settle what
the record leaves open. The rules are described in ``docs/matching.md``.

    from eligo.engine import match, match_trial, check

    for found in match(patient, [(trial, criteria)], as_of=date(2026, 10, 1)):
        print(found.verdict, found.score, found.to_json())
"""

from eligo.engine.api import TrialSet, check, match, match_trial
from eligo.engine.evaluate import Evaluator, evaluate
from eligo.engine.results import CriterionMatch, Missing, TrialMatch, TrialVerdict
from eligo.engine.verdicts import CriterionVerdict, Evidence, NodeResult, Verdict
from eligo.engine.windows import EARLIEST_AS_OF, LATEST_AS_OF, check_as_of

__all__ = [
    "EARLIEST_AS_OF",
    "LATEST_AS_OF",
    "CriterionMatch",
    "CriterionVerdict",
    "Evaluator",
    "Evidence",
    "Missing",
    "NodeResult",
    "TrialMatch",
    "TrialSet",
    "TrialVerdict",
    "Verdict",
    "check",
    "check_as_of",
    "evaluate",
    "match",
    "match_trial",
]
