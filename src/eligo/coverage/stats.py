"""How much of a set of criteria eligo reads: counted per criterion and per leaf.

A criterion (every criterion and sub-criterion is one, as ``eligo ingest`` counts them) falls in
exactly one class, by the leaves of its expression that can decide eligibility (leaves under an
``allowed`` node never do, so they are left out):

- **unparsed**: at least one ``unparsed`` leaf: some of its text no rule understood (*partial*
  when facts were read beside it);
- **team**: only ``team`` leaves: the study team must judge all of it;
- **computable**: everything else: no unparsed leaf, and at least one leaf a patient record can
  answer (study-team leaves may sit beside the facts) or only permissions (*allowed only*).

A parent's expression holds its children's, so a parent is computable only when its own words
and all its sub-criteria are. Leaves are counted once each, over the expressions of top-level
criteria: facts by node kind, team leaves by category, unparsed leaves by reason, and the
stretches of unparsed text by :func:`eligo.coverage.patterns.signature`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from eligo.coverage.patterns import example, fragments, signature
from eligo.model import Criterion
from eligo.model.expression import Allowed, Expression, Fact, Judgement, Team, Unparsed

Outcome = Literal["computable", "team", "unparsed"]
OUTCOMES: tuple[Outcome, ...] = ("computable", "team", "unparsed")


def deciding_leaves(expression: Expression) -> list[Expression]:
    """The facts and judgements (team, unparsed) that can decide eligibility: all but those
    under an ``allowed`` node. A dated fact is a leaf even with a time window below it."""
    permitted = {id(node) for allowed in expression.find_all(Allowed) for node in allowed.walk()}
    return [
        node
        for node in expression.walk()
        if isinstance(node, Fact | Judgement) and id(node) not in permitted
    ]


def classify(expression: Expression) -> Outcome:
    """The class of one criterion's expression (see the module's description)."""
    leaves = deciding_leaves(expression)
    if any(isinstance(leaf, Unparsed) for leaf in leaves):
        return "unparsed"
    if leaves and all(isinstance(leaf, Team) for leaf in leaves):
        return "team"
    return "computable"


@dataclass
class Pattern:
    """Stretches of unparsed text sharing a signature and the parser's reason: how many, and
    the first one seen."""

    signature: str
    reason: str
    count: int = 0
    example: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.signature,
            "reason": self.reason,
            "count": self.count,
            "example": self.example,
        }


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass
class Coverage:
    """Counts over a corpus; add one trial's parsed criteria at a time, or merge partial ones."""

    trials: int = 0
    trials_without_criteria: int = 0
    criteria: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    partial: int = 0
    allowed_only: int = 0
    top_level: Counter[str] = field(default_factory=Counter)
    leaves: Counter[str] = field(default_factory=Counter)
    facts: Counter[str] = field(default_factory=Counter)
    team_categories: Counter[str] = field(default_factory=Counter)
    unparsed_reasons: Counter[str] = field(default_factory=Counter)
    patterns: dict[tuple[str, str], Pattern] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def computable(self) -> int:
        return self.outcomes["computable"]

    @property
    def team(self) -> int:
        return self.outcomes["team"]

    @property
    def unparsed(self) -> int:
        return self.outcomes["unparsed"]

    def add_trial(self, criteria: list[Criterion]) -> None:
        """One trial's criteria, each with its ``expression`` (criteria without one are
        skipped: parse them first)."""
        self.trials += 1
        if not criteria:
            self.trials_without_criteria += 1
        for top in criteria:
            if top.expression is not None:
                self.top_level[classify(top.expression)] += 1
                self._count_leaves(top.expression)
            for criterion in top.walk():
                if criterion.expression is not None:
                    self._count_criterion(criterion.expression)

    def add_failure(self, message: str) -> None:
        self.failures.append(message)

    def _count_criterion(self, expression: Expression) -> None:
        self.criteria += 1
        leaves = deciding_leaves(expression)
        outcome = classify(expression)
        self.outcomes[outcome] += 1
        if outcome == "unparsed" and any(isinstance(leaf, Fact) for leaf in leaves):
            self.partial += 1
        if outcome == "computable" and not leaves:
            self.allowed_only += 1

    def _count_leaves(self, expression: Expression) -> None:
        for leaf in deciding_leaves(expression):
            if isinstance(leaf, Unparsed):
                self.leaves["unparsed"] += 1
                self.unparsed_reasons[leaf.reason] += 1
                self._count_patterns(leaf.text, leaf.reason)
            elif isinstance(leaf, Team):
                self.leaves["team"] += 1
                self.team_categories[leaf.category] += 1
            elif isinstance(leaf, Fact):
                self.leaves["facts"] += 1
                self.facts[leaf.kind] += 1
        self.leaves["allowed"] += sum(1 for _ in expression.find_all(Allowed))

    def _count_patterns(self, text: str, reason: str) -> None:
        for part in fragments(text):
            words = signature(part)
            if not words:
                continue
            found = self.patterns.get((reason, words))
            if found is None:
                found = Pattern(words, reason, example=example(part))
                self.patterns[(reason, words)] = found
            found.count += 1

    def merge(self, other: Coverage) -> None:
        """Add ``other``'s counts to these (for corpora counted in parts)."""
        self.trials += other.trials
        self.trials_without_criteria += other.trials_without_criteria
        self.criteria += other.criteria
        self.partial += other.partial
        self.allowed_only += other.allowed_only
        for mine, theirs in (
            (self.outcomes, other.outcomes),
            (self.top_level, other.top_level),
            (self.leaves, other.leaves),
            (self.facts, other.facts),
            (self.team_categories, other.team_categories),
            (self.unparsed_reasons, other.unparsed_reasons),
        ):
            mine.update(theirs)
        for key, pattern in other.patterns.items():
            found = self.patterns.setdefault(
                key, Pattern(pattern.signature, pattern.reason, example=pattern.example)
            )
            found.count += pattern.count
        self.failures.extend(other.failures)

    def top_patterns(self, top: int) -> list[Pattern]:
        ranked = sorted(
            self.patterns.values(), key=lambda p: (-p.count, p.signature, p.reason)
        )
        return ranked[: max(top, 0)]

    def as_dict(self, top: int = 20) -> dict[str, Any]:
        """The figures as JSON: counts, shares, leaf-level counts, categories, patterns."""
        leaf_total = self.leaves["facts"] + self.leaves["team"] + self.leaves["unparsed"]
        top_total = sum(self.top_level[o] for o in OUTCOMES)
        return {
            "trials": self.trials,
            "trials_without_criteria": self.trials_without_criteria,
            "failed": len(self.failures),
            "criteria": self.criteria,
            "computable": self.computable,
            "team": self.team,
            "unparsed": self.unparsed,
            "partial": self.partial,
            "allowed_only": self.allowed_only,
            "shares": {o: _share(self.outcomes[o], self.criteria) for o in OUTCOMES},
            "top_level": {
                "criteria": top_total,
                **{o: self.top_level[o] for o in OUTCOMES},
            },
            "leaves": {
                "facts": self.leaves["facts"],
                "team": self.leaves["team"],
                "unparsed": self.leaves["unparsed"],
                "allowed": self.leaves["allowed"],
                "shares": {
                    k: _share(self.leaves[k], leaf_total) for k in ("facts", "team", "unparsed")
                },
            },
            "by_category": {
                "facts": _sorted(self.facts),
                "team": _sorted(self.team_categories),
                "unparsed": _sorted(self.unparsed_reasons),
            },
            "unparsed_patterns": [p.as_dict() for p in self.top_patterns(top)],
            "failures": self.failures[:top],
        }
