"""Evaluation of ``condition`` nodes: diagnoses through the vocabulary's is-a hierarchy, with
their status, stage, grade, differentiation, sites and window.

A condition of the record fits a node when its concept (or its histology's concept) is the
node's concept or lies below it (``vocabulary().is_a``). A metastasis concept ("liver
metastases") is also met by a cancer whose metastatic sites include the site. Each qualifier
the node asks for is checked against what the record says; what the record does not say
(no stage recorded, "uncontrolled" not stated) leaves that condition undecided, never assumed.
When no condition fits, the absent-versus-unknown rule decides (docs/matching.md).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from eligo.engine.base import RuleBase, engine_data
from eligo.engine.condition_index import ConditionIndex
from eligo.engine.verdicts import MET, NOT_MET, UNKNOWN, Evidence, NodeResult, Verdict
from eligo.engine.windows import Span
from eligo.model.expression import Expression

_ORDER = {MET: 0, UNKNOWN: 1, NOT_MET: 2}


def _words(text: str | None) -> str:
    return " ".join((text or "").casefold().replace("_", " ").split())


def _denied_words(condition: Any, name: str) -> str:
    """How a weak denial reads: "a history of cardiovascular disease", "obstructive
    pancreatitis" (the words before the concept's name, as written)."""
    words = condition.text or name
    return f"a history of {words}" if condition.status == "history" else words


class ConditionRules(RuleBase):
    def condition_eval(self, node: Expression) -> NodeResult:
        concept = node.args.get("concept")
        reproductive = engine_data("conditions.json")["reproductive"].get(concept)
        if reproductive is not None:
            # "pregnant", "breastfeeding" read as diagnoses: answered as the facts they are
            return getattr(self, f"{reproductive}_eval")(node)
        name = self.label("condition", concept)
        ask = ("condition", concept)
        if self._nothing_near(concept):
            return self.absent(node, "conditions", name, ask)
        span = self.span_of(node)
        other = not _other_words().isdisjoint(node.args.get("qualifiers") or ())
        candidates = self._candidates(concept, other)
        if candidates:
            judged = [self._fits(node, condition, via, span) for condition, via in candidates]
            judged.sort(key=lambda item: _ORDER[item[0]])
            verdict = judged[0][0]
            same = [item for item in judged if item[0] == verdict]
            reason = "; ".join(dict.fromkeys(item[1] for item in same))
            evidence = [item[2] for item in same]
            return self.result(node, verdict, reason, evidence, ask if verdict == UNKNOWN else None)
        denied = self._denials(node, concept, name)
        if denied is not None:
            return denied
        vaguer = self._less_specific(concept)
        if vaguer:
            evidence = [self.condition_evidence(c) for c in vaguer]
            what = ", ".join(dict.fromkeys(self.condition_name(c) for c in vaguer))
            return self.result(
                node,
                UNKNOWN,
                f"recorded as {what}: not specific enough to tell whether {name}",
                evidence,
                ask,
            )
        return self.absent(node, "conditions", name, ask)

    def _nothing_near(self, concept: str) -> bool:
        """Whether no recorded condition bears on the concept (none is it or below it, none
        denies it, none is a vaguer diagnosis above it, no metastatic site makes it): most
        condition leaves, answered with set lookups instead of a walk over the record."""
        index = self._index()
        if index is None:
            return False
        if concept in index.below or self._sites_of(concept):
            return False
        above = self.vocab.ancestors(concept)  # type: ignore[attr-defined]
        return (
            concept not in index.denied
            and index.denied.isdisjoint(above)
            and index.recorded.isdisjoint(above)
        )

    def _index(self) -> ConditionIndex | None:
        key = (id(self.patient), len(self.patient.conditions))
        found = getattr(self, "_condition_index", None)
        if found is None or found[0] != key:
            found = (key, ConditionIndex.of(self.patient, self.vocab))
            self._condition_index = found
        return found[1]

    def _denials(self, node: Expression, concept: str, name: str) -> NodeResult | None:
        """What the record's denials say of the concept. A denial of the concept itself is a
        documented absence. A denial of a broader one ("no cardiovascular disease" when the node
        asks for a pulmonary embolism) reaches it too, except when the same record names a
        disease under the denied one (then the denial was not meant for all of them: "no
        metabolic liver disease" beside a chronic hepatitis C), and it is only a presumption when
        written as history ("no significant history of cardiovascular disease" says nothing
        sure of a new embolism). A denial of one form ("negative for obstructive pancreatitis",
        recorded as uncertain) is only a presumption for the disease itself."""
        refuted = self.patient.conditions_matching(concept, self.vocab, negated=True)
        exact = [c for c in refuted if c.concept_id == concept]
        broader = [c for c in refuted if c.concept_id != concept and not self._contradicted(c)]
        weak = [c for c in exact + broader if c.certainty == "uncertain"]
        weak += [c for c in broader if c.status == "history" and c not in weak]
        sure = [c for c in exact + broader if c not in weak]
        if sure:
            evidence = [self.condition_evidence(c) for c in sure]
            return self.result(node, NOT_MET, f"the record documents no {name}", evidence)
        if not weak:
            return None
        evidence = [self.condition_evidence(c) for c in weak]
        what = ", ".join(dict.fromkeys(_denied_words(c, self.condition_name(c)) for c in weak))
        found = self.result(
            node,
            UNKNOWN,
            f"{name}: not ruled out by the record's denial of {what}",
            evidence,
            ("condition", concept),
        )
        found.presumed = True
        return found

    def _contradicted(self, denial: Any) -> bool:
        """Whether the record names, as present, a disease the denial's concept covers."""
        return bool(self.patient.conditions_matching(denial.concept_id, self.vocab))

    def _less_specific(self, concept: str) -> list[Any]:
        """Recorded diagnoses the concept lies below ("neuroendocrine carcinoma" when the node
        asks for an extrapulmonary one): they neither show nor rule it out. Broad categories
        ("neoplasm") are left out: any cancer would be one."""
        broad = set(engine_data("relevance.json")["broad"])
        found = []
        for condition in self.patient.conditions:
            # the diagnosis, else its morphology: a site-specific diagnosis (a pancreatic NEC)
            # says more than the morphology it shares with others
            recorded = condition.concept_id or getattr(condition.histology, "concept_id", None)
            if condition.negated or not recorded or recorded == concept or recorded in broad:
                continue
            if self.vocab.is_a(concept, recorded):
                found.append(condition)
        return found

    # -- which conditions ------------------------------------------------------------------

    def _candidates(self, concept: str, other: bool = False) -> list[tuple[Any, str | None]]:
        """Conditions that are the concept, with the metastatic site that made them so; with
        ``other`` ("no other malignancy"), the patient's primary cancer left out."""
        found: list[tuple[Any, str | None]] = [
            (c, None)
            for c in self.patient.conditions_matching(concept, self.vocab)
            if not (other and c.role == "primary")
        ]
        sites = self._sites_of(concept)
        if sites:
            for condition in self.patient.conditions:
                if condition.negated or any(c is condition for c, _ in found):
                    continue
                if other and condition.role == "primary":
                    continue
                site = next(
                    (s for s in condition.metastatic_sites if "*" in sites or _words(s) in sites),
                    None,
                )
                if site is not None:
                    found.append((condition, site))
        return found

    def _sites_of(self, concept: str) -> frozenset[str]:
        return metastatic_sites(self.vocab, concept)

    # -- does it fit -----------------------------------------------------------------------

    def _fits(
        self, node: Expression, condition: Any, via: str | None, span: Span | None
    ) -> tuple[Verdict, str, Evidence]:
        name = self.condition_name(condition)
        what = f"{name}, metastatic to the {via}" if via else name
        evidence = self.condition_evidence(condition)
        if via:
            evidence = Evidence(
                fact="condition",
                text=f"{what} ({condition.status})",
                date=condition.onset,
                source=evidence.source,
            )
        checks = [
            self._status(node, condition),
            self._certainty(condition),
            self._stage(node, condition),
            self._grade(node, condition),
            self._differentiation(node, condition),
            self._site(node.args.get("body_site"), condition.body_site, "body site"),
            self._metastatic_site(node, condition),
            self._qualifiers(node, condition),
            self._when(span, condition),
        ]
        failed = [text for verdict, text in checks if verdict == NOT_MET]
        open_ = [text for verdict, text in checks if verdict == UNKNOWN]
        if failed:
            return NOT_MET, f"{what}, but {'; '.join(failed)}", evidence
        if open_:
            return UNKNOWN, f"{what}; {'; '.join(open_)}", evidence
        held = [text for verdict, text in checks if verdict == MET and text]
        return MET, f"{what}" + (f" ({'; '.join(held)})" if held else ""), evidence

    @staticmethod
    def _status(node: Expression, condition: Any) -> tuple[Verdict, str]:
        if node.args.get("status") == "active" and condition.status != "active":
            return NOT_MET, f"it is {condition.status}, not active"
        return MET, ""

    @staticmethod
    def _certainty(condition: Any) -> tuple[Verdict, str]:
        if condition.certainty == "uncertain":
            return UNKNOWN, "the diagnosis is not confirmed"
        return MET, ""

    def _stage(self, node: Expression, condition: Any) -> tuple[Verdict, str]:
        wanted = node.args.get("stage")
        if not wanted:
            return MET, ""
        groups = self._stage_groups(condition)
        if not groups:
            return UNKNOWN, f"the stage is not recorded (needs {wanted.replace('_', ' ')})"
        table = engine_data("conditions.json")["stages"].get(wanted)
        verdicts = []
        for group in groups:
            if table is not None:
                base = re.sub(r"(?<=[IV])[ABC]\d?$", "", group)
                if group in table["met"] or base in table["met"]:
                    verdicts.append(MET)
                elif group in table["unknown"] or base in table["unknown"]:
                    verdicts.append(UNKNOWN)
                else:
                    verdicts.append(NOT_MET)
            elif re.fullmatch(r"(?:0|I{1,3}|IV)[ABC]?", wanted.upper()):
                pattern = rf"^{re.escape(wanted.upper())}[ABC]?\d?$"
                verdicts.append(MET if re.match(pattern, group.upper()) else NOT_MET)
            else:
                verdicts.append(UNKNOWN)
        verdict = min(verdicts, key=lambda v: _ORDER[v])
        shown = "/".join(groups)
        if verdict == MET:
            return MET, f"stage {shown}"
        if verdict == UNKNOWN:
            return UNKNOWN, f"stage {shown} may or may not be {wanted.replace('_', ' ')}"
        return NOT_MET, f"stage {shown} is not {wanted.replace('_', ' ')}"

    def _stage_groups(self, condition: Any) -> list[str]:
        groups = []
        stage = condition.stage
        if stage is not None and stage.group:
            groups.append(stage.group)
        if stage is not None and stage.m and re.search(r"M1", stage.m):
            groups.append("IV")
        if condition.metastatic_sites or condition.role == "metastasis":
            groups.append("IV")
        concept_stage = engine_data("conditions.json")["concept_stages"]
        for concept, group in concept_stage.items():
            if condition.concept_id and self.vocab.is_a(condition.concept_id, concept):
                groups.append(group)
        return list(dict.fromkeys(groups))

    def _grade(self, node: Expression, condition: Any) -> tuple[Verdict, str]:
        wanted = node.args.get("grade")
        if not wanted:
            return MET, ""
        data = engine_data("conditions.json")
        found = self._implied(condition, data["concept_grade"])
        text = _words(condition.grade) or _words(getattr(condition.histology, "text", None))
        if found is None and text:
            found = next(
                (grade for grade, words in data["grades"].items() if any(w in text for w in words)),
                None,
            )
        if found is None:
            if wanted.isdigit() and text:
                digits = re.findall(r"\d", text)
                if digits:
                    ok = digits[0] == wanted
                    return (MET if ok else NOT_MET), f"grade {digits[0]}"
            return UNKNOWN, f"the grade is not recorded (needs {wanted} grade)"
        if found == wanted:
            return MET, f"{found} grade"
        return NOT_MET, f"it is {found} grade, not {wanted}"

    def _differentiation(self, node: Expression, condition: Any) -> tuple[Verdict, str]:
        wanted = node.args.get("differentiation")
        if not wanted:
            return MET, ""
        data = engine_data("conditions.json")
        found = self._implied(condition, data["concept_differentiation"])
        text = " ".join(
            _words(t)
            for t in (condition.grade, getattr(condition.histology, "text", None), condition.text)
        )
        if found is None:
            found = next(
                (
                    d
                    for d, words in data["differentiation"].items()
                    if any(w in text for w in words)
                ),
                None,
            )
        if found is None:
            return UNKNOWN, f"the differentiation is not recorded (needs {wanted} differentiated)"
        if found == wanted:
            return MET, f"{found} differentiated"
        return NOT_MET, f"it is {found} differentiated, not {wanted}"

    def _implied(self, condition: Any, table: dict[str, str]) -> str | None:
        """A grade or differentiation the diagnosis itself implies (a NEC is poorly
        differentiated)."""
        ids = [condition.concept_id, getattr(condition.histology, "concept_id", None)]
        for concept_id in filter(None, ids):
            for concept, value in table.items():
                if self.vocab.is_a(concept_id, concept):
                    return value
        return None

    @staticmethod
    def _site(wanted: str | None, found: str | None, what: str) -> tuple[Verdict, str]:
        if not wanted:
            return MET, ""
        if not found:
            return UNKNOWN, f"the {what} is not recorded (needs {wanted.replace('_', ' ')})"
        if _words(wanted) in _words(found) or _words(found) in _words(wanted):
            return MET, f"{what} {found}"
        return NOT_MET, f"the {what} is {found}, not {wanted.replace('_', ' ')}"

    def _metastatic_site(self, node: Expression, condition: Any) -> tuple[Verdict, str]:
        wanted = node.args.get("metastatic_site")
        if not wanted:
            return MET, ""
        sites = [_words(s) for s in condition.metastatic_sites]
        if _words(wanted) in sites:
            return MET, f"metastatic to the {wanted.replace('_', ' ')}"
        spread_elsewhere = sites and self.patient.is_documented("conditions")
        if spread_elsewhere:
            return (
                NOT_MET,
                f"its recorded metastatic sites ({', '.join(sites)}) do not include {wanted}",
            )
        return UNKNOWN, f"whether it has spread to the {wanted.replace('_', ' ')} is not recorded"

    def _qualifiers(self, node: Expression, condition: Any) -> tuple[Verdict, str]:
        skipped = _status_words() | _other_words()
        if node.args.get("window") is not None:
            skipped |= _window_words()  # "recent", when the criterion says how recent
        wanted = [q for q in node.args.get("qualifiers") or [] if q not in skipped]
        if not wanted:
            return MET, ""
        table = engine_data("conditions.json")["qualifier_words"]
        text = _words(condition.text)
        missing = [q for q in wanted if not any(w in text for w in table.get(q, [_words(q)]))]
        if missing:
            words = " or ".join(q.replace("_", " ") for q in missing)
            return UNKNOWN, f"whether it is {words} is not recorded (a clinician's judgement)"
        return MET, ", ".join(q.replace("_", " ") for q in wanted)

    def _when(self, span: Span | None, condition: Any) -> tuple[Verdict, str]:
        if span is None:
            return MET, ""
        ongoing = condition.status == "active" and condition.abatement is None
        verdict = self.timing(condition.onset, condition.abatement, span, ongoing=ongoing)
        if verdict == UNKNOWN:
            return UNKNOWN, f"its dates are not recorded (needs {span.text})"
        if verdict == NOT_MET:
            return NOT_MET, f"it is outside {span.text}"
        return MET, f"within {span.text}"


@lru_cache(maxsize=4096)
def metastatic_sites(vocab: Any, concept: str) -> frozenset[str]:
    """The sites whose metastases are the concept ("*" for any): liver for liver metastases,
    brain, spinal cord and leptomeninges for CNS metastases."""
    table = engine_data("conditions.json")["metastatic_sites"]
    sites: set[str] = set()
    for metastasis, listed in table.items():
        if vocab.is_a(metastasis, concept):
            sites.update(listed)
    return frozenset(sites)


def _status_words() -> set[str]:
    return set(engine_data("conditions.json")["status_qualifiers"])


def _window_words() -> frozenset[str]:
    return frozenset(engine_data("conditions.json")["window_qualifiers"])


def _other_words() -> frozenset[str]:
    return frozenset(engine_data("conditions.json")["other_qualifiers"])
