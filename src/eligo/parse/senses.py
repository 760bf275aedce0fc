"""Words with more than one sense, decided by what stands around them.

- "line(s)" is a line of therapy only where a count, an order or a treatment word goes with it
  ("2 prior lines", "second line", "line of therapy"); "in-dwelling lines or ports" are
  catheters;
- "PCI" is prophylactic cranial irradiation in an oncology text and percutaneous coronary
  intervention beside cardiac words ("PCI or CABG within 6 months", "coronary stent");
- "anti-X" names a treatment against X, not X: "anti-myeloma treatment" is anticancer therapy,
  not the diagnosis of myeloma ("anti-HIV drugs" stay unread rather than read as HIV);
- "systemic", "anticancer" before a treatment say what the treatment already is: they join it
  ("systemic corticosteroids", "anticancer hormonal therapy"); elsewhere they stay unread;
- "major" before a disease grades it ("major ventricular arrhythmia": clinically significant),
  before a procedure it is the procedure's ("major surgery");
- a fact after "family history of", "first-degree relative with", "household contact of" is
  someone else's: it is not read as the patient's (the words stay unread, so unparsed).
"""

from __future__ import annotations

import re

from eligo.parse.mentions import Item
from eligo.vocab import vocabulary

_THERAPY_LINE = re.compile(
    r"(?:\d|\bone|\btwo|\bthree|\bfour|\bfirst|\bsecond|\bthird|\bfourth|\bfront|\b1st|\b2nd|"
    r"\b3rd|\blater|\bprior|\bprevious|\bsubsequent|\btreatment|\btherapy|\bchemotherapy|"
    r"\bsystemic|\bsalvage|\bmaintenance|\bmore|\bfewer|\bmultiple|\bany|\badditional)"
    r"[\s-]{1,3}(?:(?:or|and|to|-)\s(?:more\s)?)?(?:[a-z]+\s){0,2}$")
_LINE_OF = re.compile(r"\s(?:of|for)\s")
_CARDIAC = re.compile(
    r"\b(?:coronary|cardiac|cardio|myocardial|heart|angina|cabg|bypass|angioplasty|stent|"
    r"stenting|revasculari[sz]ation|infarction|\bmi\b|acute\scoronary|ptca|percutaneous)")


def decide(raw: str, items: list[Item]) -> list[Item]:
    folded = raw.lower()
    items = _treatments_named(folded, _own_facts(folded, items))
    out: list[Item] = []
    for item in items:
        written = folded[item.start:item.end]
        if item.kind == "measurable" and _TREATED_SITE.search(
                folded, max(0, item.start - 90), item.start):
            # "radiotherapy to … and site of measurable disease": where it was given
            out.append(Item("site", "measurable_disease", item.start, item.end))
            continue
        if item.kind == "condition" and item.value == "allogeneic_transplant" and \
                "allo" not in written:
            # "bone marrow transplantation": any stem cell transplant, not only allogeneic
            out.append(Item("procedure", "stem_cell_transplant", item.start, item.end))
            continue
        if item.kind == "drug_class" and item.value == "targeted_therapy" and \
                "biolog" in written:
            # "biologic therapy": interferons, interleukins, antibodies, vaccines
            out.append(Item("therapy", "biologic", item.start, item.end))
            continue
        if item.kind == "condition" and re.search(r"\s(?:or|and/or)\s", written):
            out.extend(_coordinated(raw, item))
            continue
        if item.kind == "lines" and written in ("line", "lines") and not _counted_line(
                folded, item):
            continue
        if written == "pci" and item.kind == "procedure" and _CARDIAC.search(
                folded, max(0, item.start - 120), item.end + 120):
            out.append(Item("procedure", "coronary_intervention", item.start, item.end,
                            {"site": "heart"}))
            continue
        if item.kind == "condition" and folded[max(0, item.start - 5):item.start] == "anti-":
            entry = vocabulary().conditions.get(item.value)
            if entry is not None and entry.category in ("neoplasm", "metastasis"):
                out.append(Item("therapy", "anticancer", item.start - 5, item.end))
            continue
        out.append(item)
    return out


#: where what someone else has stops: the end of a sentence or part, or a new list of the
#: patient's own ("…, and no personal history of …")
_EXPERIENCE_END = re.compile(r"[;.]\s|[;.]$|,?\s(?:and|or|but)\s(?:no|any|a|the|patients?|"
                             r"subjects?|personal|own|current|active)\b|\bpersonal\b")
#: what only the patient has (a measured value, a score), or a new trigger, ends it too
_OWN_KINDS = frozenset({"history", "negation", "modal", "measurement", "performance", "age",
                        "current"})


_TREATMENT_KINDS = frozenset({"drug", "drug_class", "therapy"})
_BETWEEN_MODIFIER = re.compile(r"^[\s-]*$")


def _treatments_named(folded: str, items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        if item.kind == "proc_qualifier" and item.value == "major" and following is not None \
                and following.kind == "condition" and following.start - item.end <= 2:
            out.append(Item("qualifier", "clinically_significant", item.start, item.end))
            continue
        if item.kind != "therapy_modifier":
            out.append(item)
            continue
        target = next((i for i in items[index + 1:] if i.kind != "therapy_modifier"), None)
        if target is None or target.kind not in _TREATMENT_KINDS or not _BETWEEN_MODIFIER.match(
                folded[item.end:target.start]):
            continue
        target.start = item.start  # the modifier is part of what names the treatment
    return out


def _own_facts(folded: str, items: list[Item]) -> list[Item]:
    """Leave out the heads that name what a relative or contact has, and their triggers."""
    if not any(item.kind == "experiencer" for item in items):
        return items
    out: list[Item] = []
    until = -1
    for item in items:
        if item.kind == "experiencer":
            stop = _EXPERIENCE_END.search(folded, item.end)
            until = stop.start() if stop is not None else len(folded)
            continue
        if item.kind in _OWN_KINDS:
            until = -1
        if item.start < until:
            continue
        out.append(item)
    return out


_TREATED_SITE = re.compile(
    r"\b(?:radiotherapy|radiation(?:\stherapy)?|irradiation|rt|surgery)\s(?:\w+\s){0,2}to\s"
    r"[^;.]*(?:,|\band\b|\bor\b)\s(?:(?:the|any|a)\s)?(?:sites?\sof\s|only\s)?$")


def _coordinated(raw: str, item: Item) -> list[Item]:
    """"Hepatitis B or C" names hepatitis B and hepatitis C, not a class holding others."""
    from eligo.parse.ellipsis import named_phrase

    written = raw[item.start:item.end]
    match = re.match(r"^(.*\S)\s(\S+)\s(?:or|and/or)\s(\S+)$", written)
    if match is None:
        return [item]
    first = named_phrase(f"{match.group(1)} {match.group(2)}", "condition")
    second = named_phrase(f"{match.group(1)} {match.group(3)}", "condition")
    if first is None or second is None:
        return [item]
    split = item.start + len(match.group(1)) + 1 + len(match.group(2))
    return [Item("condition", first, item.start, split),
            Item("condition", second, item.end - len(match.group(3)), item.end)]


def _counted_line(folded: str, item: Item) -> bool:
    before = folded[max(0, item.start - 30):item.start]
    return _THERAPY_LINE.search(before) is not None or _LINE_OF.match(
        folded, item.end) is not None
