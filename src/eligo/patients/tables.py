"""The patient adapters' own small tables, loaded once from ``patients/data/*.yaml``.

The clinical vocabulary (conditions, drugs, measurements, units) lives in :mod:`eligo.vocab`;
these tables only say how records spell what the adapters must recognise: FHIR systems and mCODE
profiles, biomarker names, procedure kinds, sites, which drugs count towards lines of therapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(name: str) -> dict[str, Any]:
    text = resources.files("eligo.patients").joinpath("data", f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Biomarker:
    id: str
    label: str
    synonyms: tuple[str, ...]
    loinc: tuple[str, ...]
    scale: str


@cache
def biomarkers() -> dict[str, Biomarker]:
    found = {}
    for raw in load("biomarkers")["biomarkers"]:
        found[raw["id"]] = Biomarker(
            id=raw["id"],
            label=raw["label"],
            synonyms=tuple(raw.get("synonyms", [])),
            loinc=tuple(str(c) for c in raw.get("loinc", [])),
            scale=raw.get("scale", "level"),
        )
    return found


@cache
def biomarker_for_loinc() -> dict[str, str]:
    return {code: b.id for b in biomarkers().values() for code in b.loinc}


def _word_pattern(words: list[str], after: str = r"(?![\w-])") -> re.Pattern[str]:
    """One alternation, longest first; all-caps abbreviations match case-sensitively."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        body = re.escape(word).replace(r"\ ", r"[\s-]+")
        if word.isupper() and len(word) <= 5:
            parts.append(f"(?-i:{body})")
        else:
            parts.append(body)
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + ")" + after, re.IGNORECASE)


@cache
def biomarker_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern finding any biomarker name, and the name (lower case) → biomarker id."""
    names = {s.lower(): b.id for b in biomarkers().values() for s in (*b.synonyms, b.label)}
    words = [s for b in biomarkers().values() for s in (*b.synonyms, b.label)]
    # "HER2-positive", "ALK-negative": a hyphen may join the name to its result
    after = r"(?!\w)(?!-(?!(?:positive|negative|pos|neg|high|low|mutated|mutant|amplified)\b))"
    return _word_pattern(words, after), names


def find_biomarker(text: str) -> str | None:
    pattern, names = biomarker_pattern()
    match = pattern.search(text)
    if match is None:
        return None
    return names.get(re.sub(r"[\s-]+", " ", match.group(0).lower())) or names.get(
        match.group(0).lower()
    )


@cache
def site_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    sites: dict[str, list[str]] = load("sites")["sites"]
    names = {w.lower(): site for site, words in sites.items() for w in words}
    return _word_pattern([w for words in sites.values() for w in words]), names


def find_site(text: str) -> str | None:
    """The first anatomical site named in ``text`` ("whole brain" → "brain")."""
    pattern, names = site_pattern()
    match = pattern.search(text)
    if match is None:
        return None
    return names.get(re.sub(r"[\s-]+", " ", match.group(0).lower()), None) or names.get(
        match.group(0).lower()
    )


@cache
def procedure_patterns() -> list[tuple[str, re.Pattern[str]]]:
    kinds: dict[str, list[str]] = load("procedures")["kinds"]
    patterns = []
    for kind, words in kinds.items():
        # "ectomy" is a suffix: it matches inside a word, the rest match whole words.
        suffixes = [w for w in words if w == "ectomy"]
        whole = _word_pattern([w for w in words if w not in suffixes])
        if suffixes:
            whole = re.compile(whole.pattern + r"|\w+ectom(?:y|ies)\b", re.IGNORECASE)
        patterns.append((kind, whole))
    return patterns


def procedure_kind(text: str) -> str | None:
    for kind, pattern in procedure_patterns():
        if pattern.search(text):
            return kind
    return None


def radiotherapy_site(text: str) -> str | None:
    """A site implied by the kind of radiotherapy ("WBRT" → whole brain), else a named site."""
    for site, words in load("procedures")["radiotherapy_sites"].items():
        if _word_pattern(words).search(text):
            return site
    return find_site(text)


@cache
def _qualifier_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(q, _word_pattern(words)) for q, words in load("procedures")["qualifiers"].items()]


def procedure_qualifiers(text: str) -> list[str]:
    """ "whole_brain", "stereotactic", "palliative"… named in a procedure's words."""
    return [q for q, pattern in _qualifier_patterns() if pattern.search(text)]


@cache
def drug_role_prefixes() -> list[tuple[str, str]]:
    """(ATC prefix, role), longest prefix first."""
    data = load("drug_roles")
    pairs = [(str(p), role) for role in ("anticancer", "supportive") for p in data[role]]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


def role_for_atc(codes: list[str]) -> str | None:
    for prefix, role in drug_role_prefixes():
        if any(code.upper().startswith(prefix) for code in codes):
            return role
    return None


def role_for_classes(classes: list[str]) -> str | None:
    """anticancer / supportive from eligo.vocab drug classes, when ATC codes did not say."""
    data = load("drug_roles")
    for role in ("anticancer", "supportive"):
        if set(classes) & set(data[f"{role}_classes"]):
            return role
    return None
