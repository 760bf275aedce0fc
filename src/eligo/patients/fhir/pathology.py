"""Synoptic pathology reports (CAP eCC questions as Observations): histologic type, grade, TNM,
tumour site and mutation analyses become facts of the patient's cancer."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from eligo.model.patient import Biomarker, Histology, Stage
from eligo.model.patient.facts import BiomarkerResult
from eligo.patients import concepts
from eligo.patients.fhir.common import Context, Pending, Resource, codings, concept_text
from eligo.patients.staging import tnm_category
from eligo.patients.tables import find_biomarker, find_site, load

NOT_STATED = re.compile(
    r"not (?:applicable|specified|assigned)|cannot be (?:determined|assessed)|\(specify\)",
    re.IGNORECASE,
)
_NOT_DETECTED = re.compile(r"\bno\b.*\bdetected\b|\bnot identified\b|\bwild[\s-]?type\b", re.I)


@cache
def _questions() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for what, words in load("pathology")["questions"].items():
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        found.append((what, re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)))
    return found


def question_of(res: Resource) -> str | None:
    """Which pathology question an Observation answers, from its code's words."""
    texts = [concept_text(res.raw.get("code")) or ""]
    texts += [c.display or "" for c in codings(res.raw.get("code"))]
    for what, pattern in _questions():
        if any(pattern.search(t.lstrip("?")) for t in texts):
            return what
    return None


def read_pathology(ctx: Context, res: Resource, date: dt.date | None) -> bool:
    """Read a pathology answer into pending cancer facts; False when it is not one."""
    what = question_of(res)
    if what is None:
        return False
    value = res.raw.get("valueCodeableConcept")
    answer = concept_text(value) or (res.raw.get("valueString") or "").strip()
    if not answer or NOT_STATED.search(answer):
        return True  # a question the report left open: nothing to read, nothing wrong
    source = ctx.source(res, "valueCodeableConcept")
    if what == "histology":
        histology = Histology(
            text=answer, codes=codings(value), concept_id=concepts.histology_concept(None, answer)
        )
        ctx.pending.append(Pending("histology", histology, set(), res))
    elif what == "grade":
        ctx.pending.append(Pending("grade", answer, set(), res))
    elif what == "site":
        ctx.pending.append(Pending("body_site", find_site(answer) or answer, set(), res))
    elif what.startswith("tnm_"):
        axis = what[-1].upper()
        category = tnm_category(answer, axis)
        if category is None:
            ctx.warn(res, "valueCodeableConcept", f"{axis} category not understood: {answer!r}")
            return True
        stage = Stage(
            kind="pathological" if category.startswith("p") else "clinical",
            date=date,
            source=source,
            **{axis.lower(): category},
        )
        ctx.pending.append(Pending("stage", stage, set(), res))
    elif what == "variant":
        question = concept_text(res.raw.get("code")) or ""
        name = find_biomarker(question) or question.split()[0].lower()
        result: BiomarkerResult = "not_detected" if _NOT_DETECTED.search(answer) else "positive"
        ctx.add(
            "biomarkers",
            Biomarker(
                name=name,
                scale="variant",
                result=result,
                value_text=answer,
                date=date,
                source=source,
            ),
        )
        ctx.documented.add("biomarkers")
    return True
