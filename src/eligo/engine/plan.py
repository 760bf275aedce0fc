"""Verdicts without explanations, to rank thousands of trials for one patient quickly.

Ranking needs every trial's verdict and score; reasons, evidence and questions are needed only
for the trials shown. So each trial's criteria are compiled once (when a :class:`TrialSet` is
built) into small tuples, with every distinct fact leaf kept once in a :class:`LeafTable`
shared by all trials: "age ≥ 18" in four thousand trials is one leaf. For a patient, each leaf
is evaluated at most once, by the full evaluator, and only when some trial needs it; the
logic above the leaves is recombined with Kleene's tables, short-circuited.

The rules are those of :mod:`.criteria` and :mod:`.trial`, applied to verdicts alone; the
tests hold both paths to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eligo.engine.base import engine_data
from eligo.engine.evaluate import Evaluator
from eligo.engine.results import TrialVerdict
from eligo.engine.verdicts import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    TEAM,
    UNKNOWN,
    NodeResult,
    kleene_not,
)
from eligo.model import Cohort, Criterion, Trial
from eligo.model.expression import Expression

LEAF, CONST, ALL, ANY, NOT, COHORT, ALLOWED, UNREAD = range(8)
# how leaves are read (flags): as they are; the study team saying yes, or no; only the leaves
# saying the patient is outside the group a criterion concerns; facts a summary does not
# mention taken as absent (see criteria.py)
PLAIN, TEAM_YES, TEAM_NO, GATES, PRESUME = 0, 1, 2, 4, 8

_GATE_KINDS = {"sex", "pregnancy", "breastfeeding", "childbearing_potential", "cohort"}


class LeafTable:
    """Every distinct fact leaf of a set of trials, numbered."""

    def __init__(self) -> None:
        self._ids: dict[tuple[Any, ...], int] = {}
        self.nodes: list[Expression] = []
        self.of_node: dict[int, int] = {}  # id() of every interned node → its number
        self.gating: list[bool] = []  # may the leaf say who a criterion concerns?
        self._reproductive = set(engine_data("conditions.json")["reproductive"])

    def intern(self, node: Expression) -> int:
        key = node._key()
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.nodes)
            self.nodes.append(node)
            self.gating.append(
                node.kind in _GATE_KINDS
                or (node.kind == "condition" and node.args.get("concept") in self._reproductive)
            )
        self.of_node[id(node)] = found
        return found


def compile_tree(node: Expression, table: LeafTable) -> tuple:
    kind = node.kind
    if kind in ("all", "any"):
        items = tuple(compile_tree(child, table) for child in node.args["items"])
        # an ``allowed`` child with siblings does not count (as in the evaluator)
        counted = tuple(c for c in items if c[0] != ALLOWED) or items
        return (ALL if kind == "all" else ANY, counted)
    if kind == "not":
        return (NOT, compile_tree(node.args["this"], table))
    if kind == "cohort":
        return (COHORT, node.args["name"].casefold())
    if kind == "allowed":
        return (ALLOWED,)
    if kind == "unparsed":
        # unknown, unless a note is silent about its words (eligo.engine.mentions)
        return (UNREAD, table.intern(node))
    # a team leaf is a leaf: the patient may have spoken to it (eligo.engine.team)
    return (LEAF, table.intern(node))


@dataclass(slots=True)
class Planned:
    """One criterion, compiled."""

    kind: str
    cohort: str | None
    tree: tuple | None
    children: tuple[Planned, ...]
    has_team: bool
    may_gate: bool

    @classmethod
    def of(cls, criterion: Criterion, table: LeafTable) -> Planned:
        expression = criterion.expression
        tree = compile_tree(expression, table) if expression is not None else None
        has_team, may_gate = _flags(tree, table) if tree is not None else (False, False)
        return cls(
            kind=criterion.kind,
            cohort=criterion.cohort,
            tree=tree,
            children=tuple(cls.of(child, table) for child in criterion.children),
            has_team=has_team,
            may_gate=may_gate,
        )


def _flags(tree: tuple, table: LeafTable) -> tuple[bool, bool]:
    """Whether a compiled tree holds a study-team leaf, and a leaf that may say who the
    criterion concerns (sex, cohort, reproduction)."""
    op = tree[0]
    if op == CONST:
        return tree[1] == TEAM, False
    if op == LEAF:
        return table.nodes[tree[1]].kind == "team", table.gating[tree[1]]
    if op == COHORT:
        return False, True
    if op == NOT:
        return _flags(tree[1], table)
    if op in (ALL, ANY):
        team = gate = False
        for child in tree[1]:
            child_team, child_gate = _flags(child, table)
            team, gate = team or child_team, gate or child_gate
        return team, gate
    return False, False


@dataclass(slots=True)
class PlannedTrial:
    """A trial's criteria, compiled: one run per cohort (or one run without), each the
    criteria in order with the trial's limits first and the cohort's own conditions next."""

    runs: tuple[tuple[Cohort | None, tuple[Planned, ...], Planned | None], ...]

    @classmethod
    def of(
        cls, trial: Trial, criteria: list[Criterion], table: LeafTable, vocab: Any
    ) -> PlannedTrial:
        from eligo.engine.trial import cohort_criterion, limit_criteria

        limits = tuple(Planned.of(c, table) for c in limit_criteria(trial))
        planned = tuple(Planned.of(c, table) for c in criteria)
        if not trial.cohorts:
            return cls(runs=((None, limits + planned, None),))
        runs = []
        for cohort in trial.cohorts:
            found = cohort_criterion(cohort, vocab)
            own = Planned.of(found, table) if found is not None else None
            runs.append((cohort, limits + ((own,) if own else ()) + planned, own))
        return cls(runs=tuple(runs))


class Verdicts:
    """One patient's verdicts over a :class:`LeafTable`, each leaf evaluated when first needed."""

    def __init__(self, evaluator: Evaluator, table: LeafTable) -> None:
        self.evaluator = evaluator
        self.table = table
        # one slot per leaf of the table (a table grown since keeps the slots in step)
        self._leaves: list[NodeResult | None] = [None] * len(table.nodes)
        self.cohort: Cohort | None = None
        self._cohort_names: set[str] = set()
        self.kind = "inclusion"
        self._presumed_for = frozenset(engine_data("unmentioned.json")["presumed_for"])
        # words no rule read are worth evaluating only against a summary's own words
        self._reads_words = evaluator.reads_note_words()
        self._unread: dict[int, bool] = {}
        # the full evaluation of the trials shown reuses these leaves' results
        evaluator.known = self.known

    def leaf(self, index: int) -> NodeResult:
        if index >= len(self._leaves):
            self._leaves.extend([None] * (len(self.table.nodes) - len(self._leaves)))
        found = self._leaves[index]
        if found is None:
            found = self._leaves[index] = self.evaluator.evaluate(
                self.table.nodes[index], fresh=True
            )
        return found

    def _unread_presumed(self, index: int) -> bool:
        found = self._unread.get(index)
        if found is None:
            found = self._unread[index] = self.evaluator.unread_presumed(self.table.nodes[index])
        return found

    def known(self, node: Expression) -> NodeResult | None:
        """The result of a leaf already evaluated (identical leaves share it)."""
        index = self.table.of_node.get(id(node))
        if index is None or index >= len(self._leaves):
            return None
        return self._leaves[index]

    def set_cohort(self, cohort: Cohort | None) -> None:
        self.cohort = cohort
        if cohort is None:
            self._cohort_names = set()
            return
        names = {cohort.id.casefold(), cohort.label.casefold()}
        self._cohort_names = names | {n.rsplit(" ", 1)[-1].rsplit("-", 1)[-1] for n in names}

    # -- the logic ------------------------------------------------------------------------

    def value(self, tree: tuple, mode: int) -> str:
        op = tree[0]
        if op == UNREAD:
            # unknown; presumed absent when a summary never speaks of its words (the reason,
            # not needed to rank, is made by the full evaluation of the trials shown)
            verdict, gate = UNKNOWN, False
            if mode & PRESUME and self._reads_words and self._unread_presumed(tree[1]):
                verdict = NOT_MET
        elif op == LEAF:
            found = self._leaves[tree[1]] or self.leaf(tree[1])
            verdict, gate = found.verdict, found.gate
            if mode & PRESUME and found.presumed and not (
                verdict == TEAM and mode & (TEAM_YES | TEAM_NO)
            ):
                verdict = NOT_MET
        elif op == CONST:
            verdict, gate = tree[1], False
        elif op == COHORT:
            if self.cohort is None:
                verdict, gate = UNKNOWN, False
            else:
                verdict, gate = (MET if tree[1] in self._cohort_names else NOT_MET), True
        elif op == ALLOWED:
            verdict, gate = (NOT_MET if self.kind == "exclusion" else MET), False
        elif op == NOT:
            return kleene_not(self.value(tree[1], mode))
        else:
            return self._junction(op, tree[1], mode)
        if mode & GATES:
            return verdict if gate and verdict == NOT_MET else UNKNOWN
        if verdict == TEAM and mode & (TEAM_YES | TEAM_NO):
            return MET if mode & TEAM_YES else NOT_MET
        return verdict

    def _junction(self, op: int, items: tuple, mode: int) -> str:
        stop, result = (NOT_MET, MET) if op == ALL else (MET, NOT_MET)
        leaves = self._leaves
        for child in items:
            if mode == PLAIN and child[0] == LEAF:
                found = leaves[child[1]] or self.leaf(child[1])
                verdict = found.verdict
            else:
                verdict = self.value(child, mode)
            if verdict == stop:
                return stop
            if verdict != result:
                result = UNKNOWN
        return result

    # -- criteria and trials ---------------------------------------------------------------

    def criterion(self, planned: Planned) -> str:
        """The criterion's verdict, by the rules of :func:`eligo.engine.criteria.judge`."""
        if planned.cohort and self.cohort is not None and planned.cohort != self.cohort.id:
            return NOT_APPLICABLE
        if planned.tree is None:
            return self._from_children(planned)
        self.kind = planned.kind
        verdict = self.value(planned.tree, PLAIN)
        favourable = MET if planned.kind == "inclusion" else NOT_MET
        presume = PRESUME if planned.kind in self._presumed_for else PLAIN
        if (
            verdict in (TEAM, UNKNOWN)
            and presume
            and self.value(planned.tree, PRESUME) == favourable
        ):
            return favourable
        if verdict == TEAM:
            return TEAM
        if verdict == UNKNOWN:
            if planned.has_team:
                yes = self.value(planned.tree, TEAM_YES | presume)
                no = self.value(planned.tree, TEAM_NO | presume)
                if UNKNOWN not in (yes, no) and yes != no:
                    return TEAM
            return UNKNOWN
        if (
            verdict == favourable
            and planned.may_gate
            and self.value(planned.tree, GATES) == verdict
        ):
            return NOT_APPLICABLE
        return verdict

    def _from_children(self, planned: Planned) -> str:
        if not planned.children:
            return UNKNOWN
        judged = [(c.kind, self.criterion(c)) for c in planned.children]
        counted = [(k, v) for k, v in judged if v != NOT_APPLICABLE]
        if not counted:
            return NOT_APPLICABLE
        stop = NOT_MET if planned.kind == "inclusion" else MET
        result = MET if planned.kind == "inclusion" else NOT_MET
        for _, verdict in counted:
            if verdict == stop:
                return stop
            if verdict != result:
                result = UNKNOWN
        if result == UNKNOWN and all(
            v == TEAM or v == (MET if k == "inclusion" else NOT_MET) for k, v in counted
        ):
            return TEAM
        return result

    def trial(
        self, planned: PlannedTrial
    ) -> tuple[TrialVerdict, list[tuple[str, str]], Cohort | None]:
        """The trial's verdict, its criteria's (kind, verdict) pairs (up to the first that
        makes the patient ineligible), and the cohort kept."""
        from eligo.engine.trial import fit_key

        best: tuple | None = None
        for cohort, listed, own in planned.runs:
            self.set_cohort(cohort)
            judged: list[tuple[str, str]] = []
            own_verdict = None
            verdict: TrialVerdict = "eligible"
            for item in listed:
                found = self.criterion(item)
                if item is own:
                    own_verdict = found
                judged.append((item.kind, found))
                if found in (TEAM, NOT_APPLICABLE):
                    continue
                if found == (MET if item.kind == "inclusion" else NOT_MET):
                    continue
                if found == UNKNOWN:
                    verdict = "possibly_eligible"
                    continue
                verdict = "ineligible"  # the rest cannot change that
                break
            if len(planned.runs) == 1:
                return verdict, judged, cohort
            key = fit_key(verdict, own_verdict, judged)
            if best is None or key < best[0]:
                best = (key, verdict, judged, cohort)
        assert best is not None
        _, verdict, judged, cohort = best
        return verdict, judged, cohort
