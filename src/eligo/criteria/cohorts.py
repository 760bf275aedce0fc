"""Trial-level cohorts, and which criteria apply to one cohort only.

A cohort is recognised only where the text names one with its population: "cohort 1: patients with
SCLC with any level of DLL3 expression", "Cohort A will include patients with ...", or, in a trial
that speaks of cohorts, counted populations ("42 patients with SCLC (21 patients) and G3 NEC (21
patients)"). Arms, parts and dose levels are not cohorts. Phrases in ``data/cohort_phrases.json``.

Criteria may also come in groups under headings that name populations: see
:mod:`eligo.criteria.populations`.

A criterion belongs to a cohort when it names it ("Tumors from Cohort 2 must be DLL3 positive") or
opens on its population ("For patients with poorly differentiated NECs whatever the primary, ...").
A criterion that names several cohorts stays general; a closing sentence of it that concerns one
cohort only is split off as a sub-criterion tagged with that cohort.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from eligo.criteria.description import sentences
from eligo.criteria.text import normalise
from eligo.model import Cohort, Criterion

_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}
_TOKEN = re.compile(r"[a-z0-9]+")
_MAX_CLAUSE = 400


@cache
def _phrases() -> dict[str, Any]:
    source = resources.files("eligo.criteria").joinpath("data/cohort_phrases.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    word, label = data["cohort_word"], data["label"]
    flags = re.I
    named = rf"\b{word}\s+(?P<label>{label})"
    return {
        "colon": re.compile(rf"{named}\s*(?:[:=]|[-\u2013\u2014]\s)\s*", flags),
        "verb": re.compile(rf"{named}\s+{data['definition_verbs']}\s+", flags),
        "paren": re.compile(rf"{named}\s*\((?P<desc>[^()]{{5,200}})\)", flags),
        "mention": re.compile(rf"\b{word}\s+(?P<label>{label})\b", flags),
        "next": re.compile(rf"(?:\b[ivx]{{1,4}}\.\s+)?\b{word}\s+{label}\s*[:=(]", flags),
        "population": re.compile(data["population"], flags),
        "disease": re.compile(data["disease_words"], flags),
        "not_population": re.compile(data["not_population"], flags),
        "mentioned": re.compile(data["cohorts_mentioned"], flags),
        "counted": re.compile(data["counted"], flags),
        "counted_requires": re.compile(data["counted_requires"], flags),
        "cap": re.compile(data["cap"], flags),
        "cut": re.compile(data["condition_cut"]),
        "leading": re.compile(data["leading_words"], flags),
        "frame": re.compile(data["applies_frame"], flags),
        "frame_end": re.compile(data["frame_end"], flags),
        "modifier_stop": frozenset(data["modifier_stop"]),
    }


# -- finding cohorts ------------------------------------------------------------------------------


def find_cohorts(text: str) -> list[Cohort]:
    """The cohorts ``text`` (summary, description and eligibility together) defines, in order."""
    if not text or not text.strip():
        return []
    lower = text.lower()
    if not any(word in lower for word in _COHORT_WORDS):
        return []
    found: dict[str, Cohort] = {}
    for cohort in _labelled(text, lower):
        found.setdefault(cohort.id, cohort)
    if not found:
        for cohort in _counted(text):
            found.setdefault(cohort.id, cohort)
    return list(found.values())


_COHORT_WORDS = ("cohort", "group", "strat")  # every cohort_word contains one: a quick filter


def _mentions(text: str, lower: str) -> Iterator[re.Match[str]]:
    """Matches of the cohort-mention pattern, tried only where a cohort word stands."""
    mention = _phrases()["mention"]
    for word in _COHORT_WORDS:
        position = lower.find(word)
        while position >= 0:
            start = position - 4 if lower[max(0, position - 4):position] in ("sub-", "sub ") else (
                position - 3 if lower[max(0, position - 3):position] == "sub" else position
            )
            found = mention.match(text, start)
            if found:
                yield found
            position = lower.find(word, position + len(word))


def _labelled(text: str, lower: str) -> list[Cohort]:
    phrases = _phrases()
    cohorts: list[Cohort] = []
    for mention in sorted(_mentions(text, lower), key=lambda found: found.start()):
        description = None
        definition = phrases["colon"].match(text, mention.start()) or phrases["verb"].match(
            text, mention.start()
        )
        if definition:
            description = text[definition.end():_clause_end(text, definition.end())]
        elif bracketed := phrases["paren"].match(text, mention.start()):
            description = bracketed.group("desc")
        if description is None:
            continue
        description = normalise(description).rstrip(" .;,")
        if _is_population(description):
            cohorts.append(_cohort(mention.group("label"), description))
    return cohorts


def _clause_end(text: str, start: int) -> int:
    """Where a cohort's description ends: sentence end, semicolon, next cohort, blank line."""
    limit = min(len(text), start + _MAX_CLAUSE)
    following = _phrases()["next"].search(text, start + 1, limit)
    if following:
        limit = following.start()
    depth = 0
    for position in range(start, limit):
        char = text[position]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif _ends_clause(text, position, char, depth):
            return position
    return limit


def _ends_clause(text: str, position: int, char: str, depth: int) -> bool:
    if depth == 0 and char in ".;":
        return text[position + 1:position + 2] in ("", " ", "\n")
    if char != "\n":
        return False
    following = text[position + 1:position + 40].lstrip(" \t\r")
    return following.startswith("\n") or not following


def _is_population(description: str) -> bool:
    """Says who ("patients with ...", a disease), not what is done to them or at what dose."""
    phrases = _phrases()
    opening = description[:80]
    people = phrases["population"].search(opening) or phrases["disease"].search(opening)
    return bool(people) and not phrases["not_population"].search(description)


def _cohort(label: str, description: str, size: int | None = None) -> Cohort:
    key = _NUMBER_WORDS.get(label.lower(), label)
    display = key.upper() if key.isalpha() and len(key) <= 4 else key
    conditions, cap, scope = _conditions(description)
    return Cohort(
        id=f"cohort-{key.lower()}", label=f"Cohort {display}", description=description,
        conditions=conditions, cap=cap, cap_scope=scope, size=size,
    )


def _conditions(description: str) -> tuple[list[str], int | None, str | None]:
    """The conditions a cohort's description names, and a cap with the condition it limits."""
    phrases = _phrases()
    body = phrases["leading"].sub("", description)
    alternatives = [part for part in _split_top(body, (" or ", "; ")) if part.strip()]
    conditions = []
    cap, scope = None, None
    for alternative in alternatives:
        head = _head(alternative)
        capped = phrases["cap"].search(alternative)
        if capped:
            cap = int(capped.group("n"))
            scope = head if len(alternatives) > 1 else None
        if head:
            conditions.append(head)
    return conditions, cap, scope


def _head(alternative: str) -> str:
    """"high grade medullary thyroid carcinoma (MTC, capped at 4 patients) DLL3 positive" →
    "high grade medullary thyroid carcinoma (MTC)"."""
    phrases = _phrases()
    text = phrases["leading"].sub("", alternative.strip())
    depth = 0
    end = len(text)
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
            if depth == 0 and text[position + 1:].strip():
                end = position + 1
                break
        elif depth == 0 and phrases["cut"].match(text, position):
            end = position
            break
    head = text[:end]
    head = re.sub(r"[,;]?\s*" + phrases["cap"].pattern, "", head, flags=re.I)
    return " ".join(head.replace("( ", "(").split()).strip(" ,;")


def _split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` cut at ``separators`` outside brackets."""
    parts, depth, start, position = [], 0, 0, 0
    while position < len(text):
        char = text[position]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        hit = next((s for s in separators if depth == 0 and text.startswith(s, position)), None)
        if hit:
            parts.append(text[start:position])
            position += len(hit)
            start = position
            continue
        position += 1
    parts.append(text[start:])
    return parts


def _counted(text: str) -> list[Cohort]:
    """Populations counted in one sentence of a text that speaks of cohorts."""
    phrases = _phrases()
    if "(" not in text or len(phrases["counted"].findall(text)) < 2:
        return []
    if not phrases["mentioned"].search(text):
        return []
    for start, end in sentences(text):
        matches = list(phrases["counted"].finditer(text, start, end))
        if len(matches) < 2 or not phrases["counted_requires"].search(text, start, end):
            continue
        cohorts = []
        cursor = start
        for number, match in enumerate(matches, 1):
            population = _population_phrase(text[cursor:match.start()])
            cursor = match.end()
            if not population:
                break
            richer = _enrich(text, population)
            size = int(match.group("n") or match.group("m"))
            cohort = _cohort(str(number), richer, size=size)
            cohorts.append(cohort.model_copy(update={"conditions": [richer]}))
        else:
            return cohorts
    return []


def _population_phrase(text: str) -> str:
    """"A total of 42 patients with SCLC" → "SCLC"; " and G3 NEC" → "G3 NEC"."""
    last = re.split(r"\b(?:with|of|including|having)\s+|[,:]\s*", text.strip())[-1]
    return _phrases()["leading"].sub("", last.strip()).strip(" ,;")


def _enrich(text: str, population: str) -> str:
    """"G3 NEC" → "extrapulmonary G3 NEC" when the text always qualifies it the same way."""
    pattern = re.compile(rf"(?<![\w/-])(?P<mod>[a-z][\w/-]*)\s+{re.escape(population)}\b")
    stop = _phrases()["modifier_stop"]
    modifiers = {m.group("mod") for m in pattern.finditer(text) if m.group("mod") not in stop}
    return f"{modifiers.pop()} {population}" if len(modifiers) == 1 else population


# -- tagging criteria -----------------------------------------------------------------------------


def _tokens(text: str) -> str:
    words = _TOKEN.findall(text.lower())
    return " " + " ".join(w[:-1] if len(w) >= 4 and w.endswith("s") and not w.endswith("ss")
                          else w for w in words) + " "


def _keys(cohorts: list[Cohort]) -> dict[str, set[str]]:
    """Token strings that identify each cohort's population; those shared by two are dropped."""
    keys: dict[str, set[str]] = {}
    for cohort in cohorts:
        found: set[str] = set()
        for condition in cohort.conditions:
            plain = re.sub(r"\([^)]*\)", " ", condition)
            found.add(_tokens(plain))
            acronym = re.search(r"\(([A-Z][A-Z0-9]{1,5})\b", condition)
            words = plain.split()
            if acronym and len(words) >= len(acronym.group(1)):
                size = len(acronym.group(1))
                initials = "".join(w[0] for w in words[-size:]).upper()
                if initials == acronym.group(1):
                    found.add(_tokens(" ".join(words[:-size] + [acronym.group(1)])))
        keys[cohort.id] = {key for key in found if key.strip()}
    for cohort_id, own in keys.items():
        others = set().union(*(v for k, v in keys.items() if k != cohort_id))
        keys[cohort_id] = own - others
    return keys


def cohorts_named(sentence: str, cohorts: list[Cohort], keys: dict[str, set[str]]) -> set[str]:
    """Ids of the cohorts a sentence names or opens on."""
    phrases = _phrases()
    known = {cohort.id for cohort in cohorts}
    named = set()
    for match in phrases["mention"].finditer(sentence):
        label = _NUMBER_WORDS.get(match.group("label").lower(), match.group("label")).lower()
        if f"cohort-{label}" in known:
            named.add(f"cohort-{label}")
    opening = phrases["frame"].match(sentence)
    if opening:
        end = phrases["frame_end"].search(sentence, opening.end())
        named |= _frame_cohorts(sentence[opening.end():end.start() if end else len(sentence)], keys)
    return named


def _frame_cohorts(frame: str, keys: dict[str, set[str]]) -> set[str]:
    """Cohorts of "patients with <frame>", if every population it lists belongs to one."""
    named: set[str] = set()
    for alternative in _split_top(frame, (" or ", " and ", ", ")):
        tokens = _tokens(alternative)
        if not tokens.strip():
            continue
        matched = {cid for cid, found in keys.items() if any(key in tokens for key in found)}
        if not matched:
            return set()  # "SCLC or other high grade carcinomas": wider than any cohort
        named |= matched
    return named


def tag_cohorts(criteria: list[Criterion], cohorts: list[Cohort], text: str) -> None:
    """Set ``cohort`` on criteria that concern one cohort only (in place); ``text`` is what the
    criteria's spans index into."""
    if not cohorts:
        return
    keys = _keys(cohorts)
    for criterion in criteria:
        _tag(criterion, cohorts, keys, text)


def _tag(criterion: Criterion, cohorts: list[Cohort], keys: dict[str, set[str]],
         text: str) -> None:
    if criterion.span is None or not text:
        start, raw = 0, criterion.text
    else:
        start, raw = criterion.span[0], text[criterion.span[0]:criterion.span[1]]
    parts = list(sentences(raw))[:50]
    named = [cohorts_named(normalise(raw[s:e]), cohorts, keys) for s, e in parts]
    union = set().union(*named) if named else set()
    if len(union) == 1 and named[0] == union:
        _set_cohort(criterion, union.pop())
        return
    if union and criterion.source == "eligibility":
        _split_off(criterion, parts, named, start, raw)
    for child in criterion.children:
        if child.cohort is None:
            _tag(child, cohorts, keys, text)


def _set_cohort(criterion: Criterion, cohort_id: str) -> None:
    for node in criterion.walk():
        node.cohort = cohort_id


def _split_off(criterion: Criterion, parts: list[tuple[int, int]], named: list[set[str]],
               start: int, raw: str) -> None:
    """Move the closing sentences that concern one cohort each into sub-criteria of their own."""
    cut = len(parts)
    while cut > 1 and len(named[cut - 1]) == 1:
        cut -= 1
    if cut == len(parts):
        return
    split = []
    for (s, e), cohort in zip(parts[cut:], named[cut:], strict=True):
        split.append(Criterion(
            id="", kind=criterion.kind, text=normalise(raw[s:e]), span=(start + s, start + e),
            cohort=next(iter(cohort)), source=criterion.source, section=criterion.section,
        ))
    keep_end = parts[cut - 1][1]
    criterion.text = normalise(raw[:keep_end])
    if criterion.span is not None:
        criterion.span = (start, start + keep_end)
    criterion.children = split + criterion.children
    _renumber(criterion)


def _renumber(criterion: Criterion) -> None:
    for number, child in enumerate(criterion.children, 1):
        child.id = f"{criterion.id}.{number}"
        _renumber(child)

