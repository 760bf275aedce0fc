"""Study-team leaves, and the ones the patient has spoken to.

A ``team`` leaf (consent, willingness, compliance, "in the investigator's opinion") is the study
team's to judge: its verdict is ``team``. When the record states what the patient has said about
taking part (``Patient.commitments``: "will provide informed consent", "willing to comply with
the protocol"), a leaf of a category the patient can speak to is answered by it, ``met`` when
the leaf asks for what the patient said ("signed informed consent") and ``not_met`` when it
names its opposite ("unable to give consent", "unwilling to comply"); a refusal answers the other
way. The reason says the study team still confirms it. Which categories each commitment answers,
and which words keep a leaf the team's, are in ``engine/data/commitments.json``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from eligo.engine.base import RuleBase, engine_data, source_label
from eligo.engine.verdicts import MET, NOT_MET, TEAM, Evidence, NodeResult
from eligo.model.expression import Expression


@cache
def _against() -> re.Pattern[str]:
    return re.compile(engine_data("commitments.json")["against"], re.I)


@cache
def _silent_categories() -> frozenset[str]:
    return frozenset(engine_data("mentions.json")["team_categories"])


def answering(category: str, text: str, commitments: list[Any]) -> Any | None:
    """The patient's commitment that answers a team leaf of ``category`` with words ``text``."""
    if not commitments:
        return None
    table = engine_data("commitments.json")
    words = " ".join(text.casefold().split())
    if any(kept in words for kept in table["kept_for_the_team"]):
        return None
    for commitment in commitments:
        rule = table["answers"].get(commitment.about)
        if rule is None or category not in rule["categories"]:
            continue
        if any(word in words for word in rule["words"]):
            return commitment
    return None


class TeamRules(RuleBase):
    def team_eval(self, node: Expression) -> NodeResult:
        category = node.args.get("category")
        label = category.replace("_", " ")
        text = node.args.get("text") or ""
        commitment = answering(category, text, self.patient.commitments)
        if commitment is None:
            found = self.result(node, TEAM, f"to be confirmed by the study team ({label})")
            if category in _silent_categories() and self.silent_history(text):
                # the team judges a matter the history never speaks of: presumed absent
                found.reason += f"; the record's history speaks of none of '{text}'"
                found.presumed = True
            return found
        opposite = _against().search(text) is not None
        verdict = MET if opposite != commitment.given else NOT_MET
        said = commitment.text or commitment.about
        evidence = [
            Evidence(
                fact="commitment",
                text=f"{'' if commitment.given else 'refused: '}{said}",
                date=commitment.date,
                source=source_label(commitment),
            )
        ]
        reason = f"the patient has said so: '{said}' ({label}; the study team confirms it)"
        return self.result(node, verdict, reason, evidence)
