"""Recognise the headings that divide eligibility text, and the cue phrases inside it.

The vocabulary lives in ``data/headers.json``; this module only compiles and applies it.

Two levels of heading:

* **major** headings open a section and set the kind of what follows: "Inclusion Criteria:",
  "INCLUSION:", "Key exclusion criteria", and the old NCI PDQ layout's "DISEASE CHARACTERISTICS:",
  "PATIENT CHARACTERISTICS:", "PRIOR CONCURRENT THERAPY:". The NCI sections state requirements a
  patient must satisfy (written positively or as "No ..."), so they count as inclusion.
* **minor** headings label a group inside a section: "Hepatic:", "Concurrent Medication:",
  "Excluded:", "Patients with the following prior conditions are excluded:". A minor heading whose
  words say exclusion or inclusion switches the kind until the next heading; a neutral one keeps the
  section's kind.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eligo.model import CriterionKind

_EMPHASIS = "*_#=[]|>\u00bb\u00ab "
_DASHES = "-\u2013\u2014"


@dataclass(frozen=True, slots=True)
class Header:
    label: str  # the heading's words, tidied ("Inclusion Criteria", "Hepatic")
    kind: CriterionKind | None  # None: keeps the kind already in force
    major: bool
    nci: bool  # one of the old NCI layout's sections, whose text may run on after the colon
    inline: int | None  # offset in the line's text where criteria text starts after the colon
    sentence: bool = False  # a lead-in sentence ("Patients must have:"), not a label


@cache
def _vocabulary() -> dict[str, Any]:
    source = resources.files("eligo.criteria").joinpath("data/headers.json")
    return json.loads(source.read_text(encoding="utf-8"))


@cache
def _compiled() -> dict[str, Any]:
    vocab = _vocabulary()
    qualifier = vocab["major_qualifier"]
    majors = [
        (
            re.compile(
                rf"(?:{entry['pattern']})(?P<qual>{qualifier})\s*(?P<end>:|[.\-\u2013]?\s*$)", re.I
            ),
            entry["kind"],
            entry.get("layout") == "nci",
        )
        for entry in vocab["major"]
    ]
    any_major = re.compile("|".join(f"(?:{entry['pattern']})" for entry in vocab["major"]), re.I)
    labels = "|".join(vocab["minor_labels"])
    return {
        "majors": majors,
        "any_major": any_major,
        # "Hepatic:", "Prior Medication: Excluded:", "Risk Behavior: Excluded"
        "minor_label": re.compile(
            rf"(?:{labels})(?:\s*:\s*(?:{labels}))+\s*(?=:|$)|(?:{labels})\s*(?=:)", re.I
        ),
        "needs_colon": frozenset(vocab["major_qualifier_needs_colon"]),
        "nci_inline": re.compile(
            r"(?<![\w/-])(?:"
            + "|".join(
                r"\s+".join(map(re.escape, label.split())) for label in vocab["nci_inline_labels"]
            )
            + r"):\s|--\s*(?:"
            + "|".join(map(re.escape, vocab["nci_inline_sections"]))
            + r")\s*--\s*",
            re.I,
        ),
        "exclusion": re.compile(vocab["label_kinds"]["exclusion"], re.I),
        "inclusion": re.compile(vocab["label_kinds"]["inclusion"], re.I),
        "sentence_start": re.compile(vocab["sentence_header_start"], re.I),
        "glue": frozenset(vocab["sentence_header_glue"]),
        "lead_in": tuple(vocab["lead_in_endings"]),
        "major_first": frozenset(vocab["major_first_words"]),
        "note_words": re.compile(vocab["note_words"], re.I),
        "note_sentences": re.compile(vocab["note_sentences"], re.I),
        "non_criteria": re.compile(vocab["non_criteria"], re.I),
        "population": re.compile(vocab["population_heading"], re.I),
        "population_not": re.compile(vocab["population_heading_not"], re.I),
        "population_negated": re.compile(vocab["population_negated"], re.I),
    }


_FRAME = _EMPHASIS + _DASHES
_FIRST_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")


def _clean(text: str) -> tuple[str, int]:
    """Text without emphasis or rules around it, and how many characters were cut in front."""
    if text[0] not in _FRAME:
        return (text.rstrip(_FRAME) if text[-1] in _FRAME else text), 0
    stripped = text.lstrip(_FRAME)
    return stripped.rstrip(_FRAME), len(text) - len(stripped)


def _inline_start(text: str, colon: int) -> int | None:
    position = colon + 1
    while position < len(text) and text[position] in _EMPHASIS + "-\u2013\t":
        position += 1
    return position if position < len(text) else None


_DASHED = re.compile(r"-{2,}\s*(?P<head>[^-]{3,60}?)\s*-{2,}\s*(?=\S)")


def major_header(text: str) -> Header | None:
    """The major heading this line is, if it is one."""
    if not text or len(text) > 400:
        return None
    dashed = _DASHED.match(text)
    if dashed:  # "--Disease Characteristics-- Enzyme proven ...": the dashes close the heading
        header = major_header(dashed.group("head"))
        if header is not None and header.inline is None:
            return Header(header.label, header.kind, True, header.nci, dashed.end())
    clean, cut = _clean(text)
    compiled = _compiled()
    first = _FIRST_WORD.match(clean)
    if first is None or first.group(0).lower() not in compiled["major_first"]:
        return None
    if not compiled["any_major"].match(clean):
        return None
    for pattern, kind, nci in compiled["majors"]:
        match = pattern.match(clean)
        if match is None:
            continue
        qualifier = match.group("qual").strip()
        colon = match.group("end") == ":"
        verb = qualifier.split(None, 1)[0].lower() if qualifier[:1].isalpha() else ""
        if verb in compiled["needs_colon"] and not colon:
            continue  # "Inclusion criteria include ..." is a sentence, not a heading
        label = " ".join(clean[: match.start("qual")].split())
        if qualifier:
            label = f"{label} {' '.join(qualifier.split())}".strip(" -:(")
        inline = _inline_start(text, cut + match.end() - 1) if colon else None
        return Header(label, kind, True, nci, inline)
    return None


def minor_header(text: str, marked: bool = False) -> Header | None:
    """The minor heading (group label or lead-in sentence) this line is, if it is one.

    A bulleted line can only be a lead-in sentence ("- Patients must have:"), never a label.
    """
    if not text or len(text) > 200 or ":" not in text:
        return None
    clean, cut = _clean(text)
    if not clean or not (clean[0].isupper() or clean[0].isdigit()):
        return None
    compiled = _compiled()
    if compiled["note_words"].match(clean):
        return None
    match = None if marked else compiled["minor_label"].match(clean)
    if match:
        label = " ".join(clean[: match.end()].split())
        colon = cut + match.end()
        inline = _inline_start(text, colon) if ":" in text[colon:colon + 1] else None
        return Header(label, _label_kind(label), False, False, inline)
    body = clean.rstrip(" -")
    if not body.endswith(":"):
        return None
    body = body.rstrip(":").strip()
    words = body.split()
    if compiled["sentence_start"].match(body) and len(words) <= 24:
        tokens = [word.strip(",.;()").lower() for word in words]
        if all(token in compiled["glue"] or token.isdigit() or not token for token in tokens):
            return Header(body, _label_kind(body), False, False, None, sentence=True)
    if not marked and _short_label(body, words):
        return Header(body, _label_kind(body), False, False, None)
    return None


_GROUP_LABEL = re.compile(r"^(?:cohort|part|arm|group|stage|phase|step|module|sub-?study)\b", re.I)


def _short_label(body: str, words: list[str]) -> bool:
    """A few words and a colon ("Laboratory values:", "Part A:") label a group of criteria."""
    if not words or len(words) > 4 or len(body) > 60:
        return False
    if any(char.isdigit() for char in body) and not _GROUP_LABEL.match(body):
        return False
    return not is_lead_in(body) and not body.lower().endswith(_OPEN_ENDINGS)


_OPEN_ENDINGS = (" as", " of", " to", " for", " with", " and", " or", " the", " if", "following")


def _label_kind(label: str) -> CriterionKind | None:
    compiled = _compiled()
    if compiled["exclusion"].search(label):
        return "exclusion"
    if compiled["inclusion"].search(label):
        return "inclusion"
    return None


def excludes(text: str) -> bool:
    """A short lead-in that announces exclusions ("Excluded diagnoses:", "Not eligible:")."""
    words = text.split()
    return text.rstrip().endswith(":") and len(words) <= 6 and _label_kind(text) == "exclusion"


def is_lead_in(text: str) -> bool:
    """Does this criterion announce a list ("... defined as:", "... including")?"""
    tail = " ".join(text[-40:].lower().split())
    endings: tuple[str, ...] = _compiled()["lead_in"]
    if not tail.endswith(endings):
        return False
    for ending in endings:
        if tail.endswith(ending):
            before = tail[-len(ending) - 1:-len(ending)]
            if not ending[0].isalpha() or not before or not before.isalnum():
                return True
    return False


def is_note_word(text: str) -> bool:
    """"Note: ...", "NB ...", "Exceptions: ..."."""
    return bool(_compiled()["note_words"].match(text.lstrip(_EMPHASIS)))


def is_note_sentence(text: str) -> bool:
    """"Patients with past or resolved HBV infection are eligible if: ..." and the like."""
    return bool(_compiled()["note_sentences"].match(text[:300]))


def is_non_criterion(text: str) -> bool:
    """"Not specified", "See Disease Characteristics": placeholders that ask nothing."""
    return len(text) < 80 and bool(_compiled()["non_criteria"].match(text))


@dataclass(frozen=True, slots=True)
class Population:
    """A heading that labels the criteria of one group of patients ("for acromegaly")."""

    label: str  # the heading's words, without the colon ("For participants without asthma")
    population: str  # the group it names ("asthma")
    negated: bool  # the group is defined by what it lacks ("without asthma")


def population_heading(text: str) -> Population | None:
    """"for acromegaly", "For participants with asthma:", "For men:", not "For all subjects:"."""
    if not text or len(text) > 80:
        return None
    clean = " ".join(_clean(text)[0].split())
    compiled = _compiled()
    match = compiled["population"].match(clean)
    if match is None or compiled["population_not"].match(match.group("population")):
        return None
    label = clean.rstrip(" :")
    negated = bool(compiled["population_negated"].search(label))
    return Population(label, match.group("population").strip(), negated)


def nci_inline_labels() -> re.Pattern[str]:
    """The NCI layout's group labels as they appear inside a paragraph ("... Hepatic: ...")."""
    return _compiled()["nci_inline"]
