"""Findings a note states in words: pregnancy and breastfeeding, disease progression or
response, tumour biomarkers ("DLL3 positive", "Ki-67 of 40%", "H-score 150"), stage and grade."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from eligo.model.patient import Biomarker, FactSource
from eligo.patients.tables import biomarker_pattern, biomarkers, find_site, load

# Words whose context (negated? hypothetical?) ConText judges like any mention's.
FINDINGS = {
    "pregnant": re.compile(r"\bpregnan(?:t|cy)\b(?!\s+test)", re.I),
    "breastfeeding": re.compile(r"\b(?:breast[\s-]?feeding|lactating|nursing(?!\s+home))\b", re.I),
    "progression": re.compile(
        r"\b(?:progress(?:ed|ion|ive disease|ing)|relapsed?|relapses|"
        r"recurren(?:ce|t)|recurred|refractory)\b",
        re.I,
    ),
    "response": re.compile(r"\b(?:complete|partial) (?:response|remission)\b|\bresponded\b", re.I),
    "stable": re.compile(r"\bstable disease\b", re.I),
    "trial": re.compile(
        r"\b(?:clinical (?:trial|study)|investigational (?:agent|drug|product)|"
        r"study drug)\b",
        re.I,
    ),
}
_PREGNANCY_TEST = re.compile(
    r"\bpregnancy test\w*\s+(?:was\s+|is\s+|came back\s+|returned\s+)?(?P<a>negative|positive)"
    r"|\b(?P<b>negative|positive)\s+(?:\w+\s+)?pregnancy test",
    re.I,
)
_GRADE = re.compile(
    r"\b(well|moderately|poorly|un)[\s-]?differentiated\b|\b(low|intermediate|high)"
    r"[\s-]grade\b|\bgrade\s*([1-4]|I{1,3}V?)\b|\bG([1-4])\b",
    re.I,
)
_ROMAN_GRADES = {"I": "1", "II": "2", "III": "3", "IV": "4"}
_RESULT = re.compile(
    r"[\s:(-]*(?:status\s*)?(?:(?:was|is|were|of|at|=|:)\s*){0,2}"
    r"(?:(?P<hscore>H[\s-]?score)\s*(?:of|=|:)?\s*(?P<h>\d{1,3})"
    r"|(?:(?:TPS|CPS|index|expression|staining|score)\s*(?:of|=|:)?\s*)?"
    r"(?P<cmp><=|>=|<|>|≤|≥)?\s*(?P<num>\d{1,3}(?:\.\d+)?)\s*(?P<pct>%|percent)"
    r"|(?P<word>positive|negative|pos\b|neg\b|\+(?!\w)|-(?!\w)|high|low|detected|not detected|"
    r"wild[\s-]?type|mutated|mutation|mutant|amplified|amplification|rearranged|rearrangement|"
    r"fusion|expressed|overexpressed|absent|present|equivocal))",
    re.I,
)
_H_SCORE = re.compile(r"\bH[\s-]?score\s*(?:of|=|:)?\s*(\d{1,3})\b", re.I)
_BEFORE = re.compile(r"(?P<word>positive|negative)\s+for\s+$|(?P<h>H[\s-]?score)\s+$", re.I)
_WORDS = {
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "high": "positive",
    "detected": "positive",
    "mutated": "positive",
    "mutation": "positive",
    "mutant": "positive",
    "amplified": "positive",
    "amplification": "positive",
    "rearranged": "positive",
    "rearrangement": "positive",
    "fusion": "positive",
    "expressed": "positive",
    "overexpressed": "positive",
    "present": "positive",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "low": "negative",
    "absent": "negative",
    "not detected": "not_detected",
    "wild type": "not_detected",
    "wild-type": "not_detected",
    "wildtype": "not_detected",
    "equivocal": "equivocal",
}


@dataclass(frozen=True)
class Found:
    what: str
    start: int
    end: int


def finding_spans(clause: str) -> list[Found]:
    return [
        Found(what, m.start(), m.end())
        for what, pattern in FINDINGS.items()
        for m in pattern.finditer(clause)
    ]


_METASTATIC_TO = re.compile(
    r"\bmetasta\w*\s+(?:disease\s+)?(?:to|in|involving|of)\s+(?:the\s+)?(?P<sites>[^.;]{0,80})",
    re.I,
)


def metastatic_sites(clause: str) -> list[str]:
    """Sites of "metastatic to lymph nodes and adrenal glands", "metastases to the liver"."""
    found: list[str] = []
    for match in _METASTATIC_TO.finditer(clause):
        for part in re.split(r",|\band\b|\bor\b", match.group("sites")):
            site = find_site(part)
            if site and site not in found:
                found.append(site)
    return found


@cache
def _past_pregnancy() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    table = load("note_reading")["past_pregnancy"]
    return tuple(re.compile(table[k], re.I) for k in ("before", "after", "now"))  # type: ignore[return-value]


def pregnancy_now(clause: str, start: int, end: int) -> bool:
    """Whether "pregnant"/"pregnancy" at ``start:end`` speaks of a pregnancy now, not of the
    setting of another condition ("hypertension with pregnancy") or of a past one."""
    before_pattern, after_pattern, now_pattern = _past_pregnancy()
    if clause[start:end].casefold().endswith("ies"):
        return False  # "two pregnancies": counted, past
    before = clause[max(0, start - 30) : start]
    if now_pattern.search(before):
        return True
    return not (before_pattern.search(before) or after_pattern.search(clause[end : end + 15]))


def pregnancy_test(clause: str) -> bool | None:
    """A pregnancy test's result: True for positive (pregnant), False for negative."""
    match = _PREGNANCY_TEST.search(clause)
    if match is None:
        return None
    return (match.group("a") or match.group("b")).lower() == "positive"


def grade(clause: str) -> str | None:
    """ "well differentiated", "high grade", "G3" as the note writes it, normalised."""
    match = _GRADE.search(clause)
    if match is None:
        return None
    differentiation, level, number, g = match.groups()
    if differentiation:
        prefix = "un" if differentiation.lower() == "un" else f"{differentiation.lower()} "
        return f"{prefix}differentiated"
    if level:
        return f"{level.lower()} grade"
    value = number or g
    return f"G{_ROMAN_GRADES.get(value.upper(), value)}"


def read_biomarkers(clause: str, source: FactSource, offset: int) -> list[Biomarker]:
    """Biomarkers named with a value or result; a bare name ("the ER") is no finding. An
    H-score written after a marker's name ("DLL3 positive, H-score 120") is that marker's."""
    pattern, names = biomarker_pattern()
    found: list[Biomarker] = []
    h_scores_read: set[int] = set()  # where an H-score was read as a marker's own value
    waiting: list[tuple[str, re.Match[str]]] = []  # "ER/PR negative": ER waits for PR's result
    for match in pattern.finditer(clause):
        name = names.get(re.sub(r"[\s-]+", " ", match.group(0).lower())) or names.get(
            match.group(0).lower()
        )
        if name is None:
            continue
        marker = _result(clause, match, name)
        if marker is None:
            joined = re.match(r"\s*/\s*", clause[match.end() :])
            waiting = [*waiting, (name, match)] if joined else []
            continue
        for other, other_match in [*waiting, (name, match)]:
            copy = marker.model_copy(update={"name": other})
            copy.source = source.model_copy(
                update={"span": (offset + other_match.start(), offset + other_match.end())}
            )
            found.append(copy)
        waiting = []
        if marker.scale == "h_score":
            h_scores_read.add(match.end())
    for h in _H_SCORE.finditer(clause):
        before = [
            b
            for b in found
            if b.source and b.source.span and b.source.span[1] - offset <= h.start()
        ]
        if not before or any(h.start() - 3 <= end <= h.start() for end in h_scores_read):
            continue
        value = float(h.group(1))
        found.append(
            Biomarker(
                name=before[-1].name,
                value=value,
                scale="h_score",
                result="positive" if value > 0 else "negative",
                source=source.model_copy(update={"span": (offset + h.start(), offset + h.end())}),
            )
        )
    return found


def _result(clause: str, match: re.Match[str], name: str) -> Biomarker | None:
    after = _RESULT.match(clause, match.end())
    before = _BEFORE.search(clause[max(0, match.start() - 20) : match.start()])
    known = biomarkers().get(name)
    marker = Biomarker(name=name, scale=known.scale if known else None)  # type: ignore[arg-type]
    if after and after.group("h"):
        marker.value, marker.scale = float(after.group("h")), "h_score"
    elif after and after.group("num"):
        marker.value, marker.unit, marker.scale = float(after.group("num")), "%", "percent"
    elif after and after.group("word"):
        word = re.sub(r"\s+", " ", after.group("word").lower())
        marker.result = _WORDS.get(word)  # type: ignore[assignment]
        marker.value_text = after.group("word")
        marker.scale = "variant" if marker.scale == "variant" else "positive_negative"
    elif before and before.group("word"):
        marker.result = before.group("word").lower()  # type: ignore[assignment]
        marker.scale = "variant" if marker.scale == "variant" else "positive_negative"
    else:
        return None
    if marker.result is None and marker.value is not None:
        marker.result = "positive" if marker.value > 0 else "negative"
    return marker
