"""What a criterion names: vocabulary concepts (conditions, drugs, measurements, from
:mod:`eligo.vocab`) and the parser's own keywords (treatments, procedures, reproduction, context
triggers, study-team phrases, from ``data/*.json``), found once per criterion as :class:`Item`.

The parser's keywords go through the same token trie the vocabularies use
(:class:`eligo.vocab.matching.TermMatcher`): one pass over the words whatever the number of
phrases, longest match first. Where a vocabulary term and a keyword overlap, the longer wins
("radiation pneumonitis" is a condition, not radiotherapy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eligo.parse.lexicon import data
from eligo.vocab import vocabulary
from eligo.vocab.matching import TermMatcher, tokenize

#: Item kinds that name a fact by themselves (the rest qualify or connect them).
HEAD_KINDS = frozenset(
    {
        "measurement",
        "condition",
        "drug",
        "drug_class",
        "therapy",
        "procedure",
        "sex",
        "age",
        "performance",
        "biomarker",
        "pregnancy",
        "pregnancy_test",
        "breastfeeding",
        "childbearing_potential",
        "vaccine",
        "trial",
        "life_expectancy",
        "measurable",
        "evaluable",
        "lines",
    }
)


@dataclass(slots=True)
class Item:
    """One thing found in the text, ``text[start:end]``."""

    kind: str
    value: str
    start: int
    end: int
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<{self.kind}:{self.value} {self.start}-{self.end}>"


@cache
def _keyword_matcher() -> TermMatcher:
    matcher = TermMatcher(_spelling())
    keywords = data("keywords")
    context = data("context")
    team = data("team")
    sections: list[tuple[str, dict[str, list[str]]]] = [
        ("therapy", keywords["therapy"]),
        ("procedure", keywords["procedures"]),
        ("proc_qualifier", keywords["procedure_qualifiers"]),
        ("site", keywords["sites"]),
        ("response_criteria", keywords["response_criteria"]),
        ("sex", keywords["sex"]),
        ("biomarker_name", keywords["biomarker_names"]),
        ("alteration", keywords["alterations"]),
        ("result", keywords["results"]),
        ("method", keywords["methods"]),
        ("mcontext", keywords["measurement_context"]),
        ("qualifier", context["qualifiers"]),
        ("team", team["categories"]),
        ("disease_feature", keywords["disease_features"]),
        ("derivation", keywords["derivation"]),
        ("ongoing", keywords["ongoing"]),
        ("any_level", keywords["any_level"]),
        ("body_site", keywords["body_sites"]),
        ("performance", keywords["performance"]),
        ("outcome", keywords["outcomes"]),
        ("noise", keywords["noise"]),
        ("setting", keywords["settings"]),
        ("therapy_modifier", keywords["therapy_modifiers"]),
    ]
    for kind, groups in sections:
        for value, phrases in groups.items():
            for phrase in phrases:
                matcher.add(phrase, f"{kind}|{value}", "condition")
    for fact, phrases in keywords["facts"].items():
        for phrase in phrases:
            matcher.add(phrase, f"{fact}|{fact}", "condition")
    for phrase in keywords["age"]:
        matcher.add(phrase, "age|age", "condition")
    for phrase in keywords["viral_load"]["phrases"]:
        matcher.add(phrase, "viral_load|viral_load", "condition")
    for kind in (
        "negation",
        "negation_post",
        "allowed_post",
        "history",
        "current",
        "uncertain",
        "exceptions",
        "modal",
        "experiencer",
    ):
        for phrase in context[kind]:
            matcher.add(phrase, f"{kind}|{kind}", "condition")
    return matcher


@cache
def _spelling() -> dict[str, str]:
    # The vocabularies fold British spellings; the keywords use the same table.
    import json
    from importlib import resources

    text = resources.files("eligo.vocab").joinpath("data", "lexicon.json").read_text("utf-8")
    return dict(json.loads(text).get("spelling", {}))


@cache
def _strong_team() -> frozenset[str]:
    return frozenset(" ".join(p.split()) for p in data("team")["strong"])


_PRIORITY = {"measurement": 3, "condition": 3, "drug": 3, "drug_class": 3, "team": 2}


def find_items(raw: str) -> list[Item]:
    """Every item in ``raw``, non-overlapping, in text order; heads a coordination leaves
    unwritten ("brain or meningeal metastases") are filled in (:mod:`eligo.parse.ellipsis`)."""
    from eligo.parse.ellipsis import fill_ellipses
    from eligo.parse.senses import decide

    return fill_ellipses(raw, decide(raw, direct_items(raw)))


def direct_items(raw: str) -> list[Item]:
    """The items written out in ``raw``, non-overlapping, in text order."""
    vocab = vocabulary()
    candidates: list[Item] = []
    tokens = tokenize(raw, _spelling())  # cut once, searched by every matcher
    for mention in (
        *vocab.condition_matcher.find_tokens(tokens, raw),
        *vocab.drug_matcher.find_tokens(tokens, raw),
        *vocab.measurement_matcher.find_tokens(tokens, raw),
    ):
        candidates.append(
            _vocabulary_item(mention.kind, mention.concept_id, mention.start, mention.end)
        )
    for mention in _keyword_matcher().find_tokens(tokens, raw):
        kind, value = mention.concept_id.split("|", 1)
        if kind == "biomarker_name":
            kind = "biomarker"
        item = Item(kind, value, mention.start, mention.end)
        if kind == "team":
            item.extra["strong"] = " ".join(mention.text.lower().split()) in _strong_team()
        candidates.append(item)
    folded = raw.lower()
    candidates.extend(
        Item("qualifier", "requiring_treatment", m.start(), m.end())
        for m in _REQUIRING.finditer(folded))
    candidates.extend(Item("adequacy", "adequacy", m.start(), m.end())
                      for m in _ADEQUACY.finditer(folded))
    candidates.extend(Item("noise", "noise", m.start(), m.end())
                      for m in (*_THIS_STUDY.finditer(folded), *_APPENDIX.finditer(folded),
                                *_THIS_CANCER.finditer(folded)))
    items = [i for i in _resolve(candidates) if i.kind != "performance" or _scored(raw, i)]
    return _viral_loads(items)


def _viral_loads(items: list[Item]) -> list[Item]:
    """"Viral load" is the load of the virus the text last named (HBV DNA after hepatitis B)."""
    by_condition = data("keywords")["viral_load"]["by_condition"]
    out: list[Item] = []
    virus: str | None = None
    for item in items:
        if item.kind == "condition" and item.value in by_condition:
            virus = by_condition[item.value]
        if item.kind == "viral_load":
            if virus is not None:
                out.append(Item("measurement", virus, item.start, item.end))
            continue
        out.append(item)
    return out


_REQUIRING = re.compile(
    r"\b(?:requiring|requires|that requires|which requires|needing|in need of)\s(?:[a-z-]+\s){0,3}?"
    r"(?:therapy|treatment|medications?|antibiotics?|steroids|corticosteroids|hospitali[sz]ation|"
    r"intervention|oxygen(?:\stherapy)?|transfusions?|support|drainage|surgery)\b"
)
# "on this multi-center, single-arm phase II study": the study described, no fact of the patient
# "prior chemotherapy for this cancer": the cancer of the trial, no new fact
_THIS_CANCER = re.compile(
    r"\b(?:for|of)\s(?:the\streatment\sof\s)?(?:this|the\scurrent|the\spresent|their|his|her|"
    r"the\sstudy)\s(?:cancer|disease|malignancy|tumou?r|indication|diagnosis|neoplasm)\b")
_APPENDIX = re.compile(r"\b(?:see\s)?(?:appendix|annex|table|section)\s(?:[a-z]|\d{1,2})\b(?!\w)")
_THIS_STUDY = re.compile(
    r"\b(?:on|in|into|for)\s(?:this|the\spresent|the\scurrent)\s(?:[a-z0-9-]+,?\s){0,5}?"
    r"(?:study|trial)\b")
_ADEQUACY = re.compile(
    r"\b(?:adequate|sufficient|acceptable|satisfactory|normal|good|preserved)\s"
    r"(?:(?:,\s?|and\s|or\s|/|,\sand\s)?(?:bone\smarrow|marrow|hepatic|liver|renal|kidney|cardiac|heart|"
    r"pulmonary|lung|respiratory|hematologic|haematologic|hematological|haematological|organ|"
    r"end-organ|coagulation|neurologic|neurological|thyroid|adrenal|cardiovascular|"
    r"cardiopulmonary)\s?){1,4}(?:function|reserve|status|parameters)s?\b")
_SCORE_FOLLOWS = re.compile(r"[^0-9.;]{0,30}?[0-9]")


def _scored(raw: str, item: Item) -> bool:
    """"WHO 0-2", "performance status ≤ 2": a scale word counts only with a grade after it."""
    return _SCORE_FOLLOWS.match(raw.lower(), item.end) is not None


def _vocabulary_item(kind: str, concept: str, start: int, end: int) -> Item:
    keywords = data("keywords")
    if kind == "measurement":
        scale = keywords["performance_measurements"].get(concept)
        if scale is not None:
            return Item("performance", scale, start, end)
        marker = keywords["biomarkers"].get(concept)
        if marker is not None:
            return Item("biomarker", marker.get("name") or "", start, end, dict(marker))
        if concept == "pregnancy_test":
            return Item("pregnancy_test", "pregnancy_test", start, end)
    if kind == "drug_class" and concept in ("vaccine", "live_vaccine"):
        return Item("vaccine", "vaccine", start, end, {"live": concept == "live_vaccine"})
    return Item(kind, concept, start, end)


def _priority(item: Item) -> int:
    if item.kind == "team" and item.extra.get("strong"):
        return 4  # "surgically sterile" is the team's to judge, not a diagnosis
    return _PRIORITY.get(item.kind, 1)


def _resolve(candidates: list[Item]) -> list[Item]:
    """Keep the longest of overlapping items; at equal length, a study-team phrase, then a
    vocabulary concept."""
    ordered = sorted(candidates, key=lambda i: (-(i.end - i.start), -_priority(i), i.start))
    taken: list[Item] = []
    for item in ordered:
        if any(item.start < other.end and other.start < item.end for other in taken):
            continue
        taken.append(item)
    taken.sort(key=lambda i: i.start)
    return taken
