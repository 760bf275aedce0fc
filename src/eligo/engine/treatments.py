"""Evaluation of treatment history: prior therapy (drugs, drug classes, categories, lines and
what happened on them), procedures, vaccinations and other trials.

Exposure to a drug runs from its start to its end; a drug still given runs to the as-of date.
A window is met when the exposure overlaps it ("chemotherapy < 30 days before first dose" is
met by a regimen that ended 20 days ago). Lines of therapy are the patient model's
(``eligo.model.patient.lines``); when the medication list is not documented in full, the lines
the record shows are a lower bound on the true count.
"""

from __future__ import annotations

from typing import Any

from eligo.engine.base import RuleBase, day, engine_data
from eligo.engine.labs import decide
from eligo.engine.verdicts import MET, NOT_MET, UNKNOWN, Evidence, NodeResult, Verdict
from eligo.engine.windows import Span
from eligo.model.expression import Expression
from eligo.model.expression.render import SYMBOLS, number

_ORDER = {MET: 0, UNKNOWN: 1, NOT_MET: 2}


def _text(*parts: str | None) -> str:
    return " ".join((p or "").casefold() for p in parts)


def _names_a_site(words: str, sites: dict[str, list[str]]) -> bool:
    """Whether a procedure's words say where it was done ("to the colon", "mastectomy"): a
    "resection" or "surgery" alone is not known to be elsewhere than the criterion asks."""
    return any(w in words for listed in sites.values() for w in listed)


class TreatmentRules(RuleBase):
    # -- prior therapy -----------------------------------------------------------------------

    def therapy_name(self, node: Expression) -> str:
        args = node.args
        if args.get("drug"):
            return self.label("drug", args.get("drug"))
        if args.get("drug_class"):
            return self.label("drug_class", args.get("drug_class"))
        if args.get("category"):
            return f"{args.get('category').replace('_', ' ')} therapy"
        return "anticancer therapy"

    def _drug_matches(self, node: Expression, med: Any) -> bool:
        args = node.args
        if args.get("drug"):
            return med.drug_id is not None and self.vocab.is_a(med.drug_id, args.get("drug"))
        wanted: list[str] = []
        if args.get("drug_class"):
            wanted = [args.get("drug_class")]
        elif args.get("category"):
            data = engine_data("therapy.json")
            if args.get("category") in ("anticancer", "systemic") and med.role == "anticancer":
                return True
            wanted = data["categories"].get(args.get("category"), [])
        else:
            return med.role == "anticancer"
        return not self._classes_above(med).isdisjoint(wanted)

    def _classes_above(self, med: Any) -> frozenset[str]:
        """The drug, its classes and everything above them, worked out once per medication
        (a drug matches a wanted class when the class is among them)."""
        known: dict[int, tuple[Any, frozenset[str]]] = self.__dict__.setdefault("_above", {})
        found = known.get(id(med))
        if found is None or found[0] is not med:
            classes = set(med.classes)
            if med.drug_id:
                classes.add(med.drug_id)
                classes.update(self.vocab.classes_of(med.drug_id))
            above = set(classes)
            for concept in classes:
                above |= self.vocab.ancestors(concept)  # type: ignore[attr-defined]
            found = known[id(med)] = (med, frozenset(above))
        return found[1]

    def _ongoing(self, med: Any) -> bool | None:
        if med.status in ("completed", "stopped") or (med.end and med.end < self.as_of):
            return False
        if med.status == "active":
            return True
        return None

    def prior_therapy_eval(self, node: Expression) -> NodeResult:
        args = node.args
        if args.get("comparator") is not None:
            return self._lines(node)
        name = self.therapy_name(node)
        ask = (
            "therapy",
            args.get("drug") or args.get("drug_class") or args.get("category") or "anticancer",
        )
        meds = [
            m
            for m in self.patient.medications
            if not m.negated
            and m.status != "intended"
            and self._drug_matches(node, m)
            and (m.start is None or m.start <= self.as_of)
        ]
        if not meds:
            refuted = [
                m for m in self.patient.medications if m.negated and self._drug_matches(node, m)
            ]
            if refuted:
                evidence = [self.medication_evidence(m) for m in refuted]
                return self.result(node, NOT_MET, f"the record documents no {name}", evidence)
            return self.absent(node, "medications", name, ask)
        drugs = tuple(sorted({m.drug_id for m in meds if m.drug_id}))
        span = self.span_of(node, drugs)
        judged = sorted((self._exposure(node, m, span) for m in meds), key=lambda j: _ORDER[j[0]])
        verdict = judged[0][0]
        same = [j for j in judged if j[0] == verdict]
        reason = "; ".join(dict.fromkeys(j[1] for j in same))
        if args.get("outcome") and verdict != NOT_MET:
            verdict, reason = self._outcome(node, meds, verdict, reason)
        return self.result(
            node, verdict, reason, [j[2] for j in same], ask if verdict == UNKNOWN else None
        )

    def _exposure(
        self, node: Expression, med: Any, span: Span | None
    ) -> tuple[Verdict, str, Evidence]:
        args = node.args
        evidence = self.medication_evidence(med)
        what = evidence.text
        ongoing = self._ongoing(med)
        if args.get("status") == "current" and ongoing is not True:
            if ongoing is False:
                return NOT_MET, f"{what}: no longer given", evidence
            return UNKNOWN, f"{what}: whether it is still given is not recorded", evidence
        if args.get("status") == "prior" and med.start is None and ongoing is True:
            return UNKNOWN, f"{what}: start date not recorded", evidence
        if args.get("setting"):
            if med.intent is None:
                return (
                    UNKNOWN,
                    f"{what}: the setting ({args.get('setting')}) is not recorded",
                    evidence,
                )
            if args.get("setting").replace("_", " ") not in med.intent.replace("_", " "):
                return (
                    NOT_MET,
                    f"{what}: given as {med.intent}, not {args.get('setting')}",
                    evidence,
                )
        if span is None:
            return MET, what, evidence
        verdict = self.timing(med.start, med.end, span, ongoing=bool(ongoing))
        if verdict == MET:
            return MET, f"{what}, within {span.text}", evidence
        if verdict == UNKNOWN:
            return UNKNOWN, f"{what}: dates not recorded or {span.text} not known", evidence
        return (
            NOT_MET,
            f"{what}: last given {day(med.end or med.start)}, outside {span.text}",
            evidence,
        )

    def _outcome(
        self, node: Expression, meds: list[Any], verdict: Verdict, reason: str
    ) -> tuple[Verdict, str]:
        starts = [m.start for m in meds if m.start]
        ends = [m.end or m.start for m in meds if (m.end or m.start)]
        first = min(starts) if starts else None
        last = max(ends) if ends else None
        progressions = sorted(
            s.date
            for s in self.patient.disease_status
            if s.status == "progression" and s.date and (first is None or s.date >= first)
        )
        outcome = node.args.get("outcome")
        if outcome in ("intolerant", "response"):
            if outcome == "response" and any(
                s.status in ("response", "remission") for s in self.patient.disease_status
            ):
                return verdict, f"{reason}; response recorded"
            return UNKNOWN, f"{reason}; whether {outcome.replace('_', ' ')} is not recorded"
        if not progressions:
            if self.patient.is_documented("disease_status"):
                return NOT_MET, f"{reason}; no progression recorded after it"
            return UNKNOWN, f"{reason}; progression on or after it is not recorded"
        if outcome == "progression":
            return verdict, f"{reason}; progression {progressions[0].isoformat()}"
        if last is None:
            return UNKNOWN, f"{reason}; the last dose date is not recorded"
        gap = (progressions[0] - last).days
        limit = int(engine_data("therapy.json")["resistant_days"])
        found = "refractory" if gap <= 0 else "resistant" if gap <= limit else "sensitive"
        fits = found == outcome or (outcome == "resistant" and found == "refractory")
        text = (
            f"{reason}; progression {progressions[0].isoformat()}, "
            f"{gap} days after the last dose ({found})"
        )
        return (verdict if fits else NOT_MET), text

    def _lines(self, node: Expression) -> NodeResult:
        args = node.args
        lines = [
            line
            for line in self.patient.therapy_lines
            if line.start is None or line.start <= self.as_of
        ]
        if args.get("drug") or args.get("drug_class") or args.get("category"):
            lines = [line for line in lines if self._line_has(node, line)]
        documented = self.patient.is_documented("medications")
        count = len(lines)
        if count == 0 and not documented:
            return self.result(
                node,
                UNKNOWN,
                "prior lines of therapy: not known (the record has no complete medication list)",
                None,
                ("therapy", "lines"),
            )
        high = float(count) if documented else float("inf")
        verdict = decide(float(count), high, args.get("comparator"), args.get("value"))
        what = (
            ""
            if not (args.get("drug") or args.get("drug_class") or args.get("category"))
            else (f" including {self.therapy_name(node)}")
        )
        listed = "; ".join(
            f"line {line.number}: {', '.join(self.label('drug', d) for d in line.drugs)}"
            f" (from {day(line.start)})"
            for line in lines
        )
        bound = "" if documented else " at least (the medication list may be incomplete)"
        reason = (
            f"{count} prior line{'s' if count != 1 else ''}{what}{bound}"
            f"{': ' + listed if listed else ''}; "
            f"needs {SYMBOLS[args.get('comparator')]} {number(args.get('value'))}"
        )
        evidence = [
            Evidence(
                fact="therapy_line",
                text=f"line {line.number}: {', '.join(line.drugs)}",
                date=line.start,
                source="eligo (derived from the medication list)",
            )
            for line in lines
        ]
        return self.result(
            node, verdict, reason, evidence, ("therapy", "lines") if verdict == UNKNOWN else None
        )

    def _line_has(self, node: Expression, line: Any) -> bool:
        meds = [
            m
            for m in self.patient.medications
            if (m.drug_id or (m.text or "").lower()) in line.drugs
        ]
        return any(self._drug_matches(node, m) for m in meds)

    # -- procedures --------------------------------------------------------------------------

    def procedure_eval(self, node: Expression) -> NodeResult:
        args = node.args
        spec = engine_data("procedures.json")["procedures"].get(
            args.get("procedure"), {"kinds": ["other"], "words": []}
        )
        name = args.get("procedure").replace("_", " ")
        if args.get("site"):
            name += f" to the {args.get('site').replace('_', ' ')}"
        ask = ("procedure", args.get("procedure"))
        candidates = [
            p
            for p in self.patient.procedures
            if not p.negated
            and p.kind in spec["kinds"]
            and (not spec["words"] or any(w in _text(p.text, p.site) for w in spec["words"]))
            and (p.start is None or p.start <= self.as_of)
        ]
        if not candidates:
            return self.absent(node, "procedures", name, ask)
        span = self.span_of(node)
        judged = sorted(
            (self._procedure_fits(node, p, span) for p in candidates), key=lambda j: _ORDER[j[0]]
        )
        verdict = judged[0][0]
        same = [j for j in judged if j[0] == verdict]
        return self.result(
            node,
            verdict,
            "; ".join(dict.fromkeys(j[1] for j in same)),
            [j[2] for j in same],
            ask if verdict == UNKNOWN else None,
        )

    def _procedure_fits(
        self, node: Expression, proc: Any, span: Span | None
    ) -> tuple[Verdict, str, Evidence]:
        args = node.args
        label = proc.text or proc.kind
        where = f" to the {proc.site}" if proc.site else ""
        when = day(proc.start)
        evidence = Evidence(
            fact="procedure",
            text=f"{label}{where}",
            date=proc.start,
            source=proc.source.label if proc.source else None,
        )
        what = f"{label}{where} ({when})"
        words = _text(proc.text, proc.site, proc.intent)
        data = engine_data("procedures.json")
        if args.get("site"):
            site_words = data["sites"].get(args.get("site"), [args.get("site").replace("_", " ")])
            if not any(w in words for w in site_words):
                if proc.site is None and not _names_a_site(words, data["sites"]):
                    return UNKNOWN, f"{what}: the site is not recorded", evidence
                return (
                    NOT_MET,
                    f"{what}: not to the {args.get('site').replace('_', ' ')}",
                    evidence,
                )
        for qualifier in args.get("qualifiers") or []:
            listed = data["qualifiers"].get(qualifier, [qualifier.replace("_", " ")])
            if any(w in words for w in listed):
                continue
            if qualifier == "major" and any(w in words for w in data["qualifiers"]["minor"]):
                return NOT_MET, f"{what}: a minor procedure", evidence
            if qualifier == "palliative" and proc.intent and "palliative" not in words:
                return NOT_MET, f"{what}: given as {proc.intent}, not palliative", evidence
            return (
                UNKNOWN,
                f"{what}: whether it was {qualifier.replace('_', ' ')} is not recorded",
                evidence,
            )
        if span is None:
            return MET, what, evidence
        verdict = self.timing(proc.start, proc.end, span)
        if verdict == MET:
            return MET, f"{what}, within {span.text}", evidence
        if verdict == UNKNOWN:
            return UNKNOWN, f"{what}: its date is not recorded (needs {span.text})", evidence
        return NOT_MET, f"{what}: outside {span.text}", evidence

    # -- vaccination, other trials ----------------------------------------------------------

    def vaccination_eval(self, node: Expression) -> NodeResult:
        args = node.args
        name = "live vaccine" if args.get("live") else "vaccination"
        ask = ("vaccination", "live" if args.get("live") else "any")
        found = [v for v in self.patient.vaccinations if v.date is None or v.date <= self.as_of]
        if not found:
            return self.absent(node, "vaccinations", name, ask)
        span = self.span_of(node)
        judged = []
        for vaccine in found:
            evidence = Evidence(
                fact="vaccination",
                text=vaccine.vaccine,
                date=vaccine.date,
                source=vaccine.source.label if vaccine.source else None,
            )
            what = f"{vaccine.vaccine} ({day(vaccine.date)})"
            if args.get("live") and vaccine.live is not True:
                verdict = NOT_MET if vaccine.live is False else UNKNOWN
                judged.append(
                    (verdict, f"{what}: {'not' if verdict == NOT_MET else 'maybe'} live", evidence)
                )
                continue
            verdict = MET if span is None else self.timing(vaccine.date, vaccine.date, span)
            place = (
                "" if span is None else (" within " if verdict == MET else " outside ") + span.text
            )
            judged.append((verdict, f"{what}{place}", evidence))
        judged.sort(key=lambda j: _ORDER[j[0]])
        verdict = judged[0][0]
        same = [j for j in judged if j[0] == verdict]
        return self.result(
            node,
            verdict,
            "; ".join(j[1] for j in same),
            [j[2] for j in same],
            ask if verdict == UNKNOWN else None,
        )

    def trial_participation_eval(self, node: Expression) -> NodeResult:
        ask = ("trial_participation", "any")
        found = [t for t in self.patient.trial_participation if t.investigational]
        if not found:
            return self.absent(node, "trial_participation", "participation in another trial", ask)
        span = self.span_of(node)
        judged = []
        for trial in found:
            what = f"{trial.trial or trial.text or 'another trial'} (from {day(trial.start)})"
            evidence = Evidence(
                fact="trial_participation",
                text=what,
                date=trial.start,
                source=trial.source.label if trial.source else None,
            )
            verdict = (
                MET
                if span is None
                else self.timing(
                    trial.start,
                    trial.end,
                    span,
                    ongoing=trial.end is None and trial.start is not None,
                )
            )
            judged.append((verdict, what, evidence))
        judged.sort(key=lambda j: _ORDER[j[0]])
        verdict = judged[0][0]
        same = [j for j in judged if j[0] == verdict]
        return self.result(
            node,
            verdict,
            "; ".join(j[1] for j in same),
            [j[2] for j in same],
            ask if verdict == UNKNOWN else None,
        )
