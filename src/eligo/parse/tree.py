"""Criteria with sub-criteria: a parent becomes the logic over its children.

- "… defined as:", "… the following:" (a heading): the children say what the parent means,
  ``all(children)`` for an inclusion, ``any(children)`` for an exclusion (each sub-item is a way
  of being excluded); a window the parent writes ("within 21 days prior to cycle 1 day 1")
  dates the children's lab values, and its reference date is theirs;
- "at least one of the following", "any of the following", children joined by "OR": ``any``;
- "… including": ``any(parent, children)``;
- "… are eligible if:": a permission, ``allowed(all(parent, children))``;
- a child that only permits is an exception to the parent: ``all(parent, not(permitted))``;
- "the following are exceptions": ``all(parent, not(any(children)))``.
"""

from __future__ import annotations

import re

from eligo.model import Criterion
from eligo.model.expression import (
    Allowed,
    Condition,
    Expression,
    Fact,
    Measurement,
    Not,
    Team,
    Unparsed,
    Window,
)
from eligo.parse.leaves import all_of, any_of
from eligo.parse.quantities import find_quantities
from eligo.parse.text import Text
from eligo.parse.windows import bare_references, find_windows

_ANY = re.compile(
    r"\b(?:at least (?:one|1)|any|one|either) of the following|\bone or more of\b", re.I
)
_ALL = re.compile(r"\ball of the following\b", re.I)
_INCLUDING = re.compile(r"\b(?:including|includes?|such as|e\.g\.)\s*:?\s*$", re.I)
_EXCEPTIONS = re.compile(
    r"\b(?:are|is|will be) (?:eligible|allowed|permitted)(?: for enrollment)?(?: only)? if\b|"
    r"\bexceptions? (?:to|are|include)|\bexcept(?:ions)?:?\s*$|\bare allowed:?\s*$",
    re.I,
)
_DEFINED = re.compile(r"\b(?:defined\sas|defined\sby|as\sfollows|i\.e\.)", re.I)
_OR_CHILD = re.compile(r"(?:;|,)?\s*\bOR\s*$")


def parse_criteria(criteria: list[Criterion]) -> list[Criterion]:
    """The criteria with ``expression`` filled for each one and each sub-criterion."""
    return [_parse(criterion, None, None) for criterion in criteria]


def _parse(criterion: Criterion, reference: str | None, window: Window | None,
           team: str | None = None, sites: bool = False) -> Criterion:
    from eligo.parse import parse_criterion

    topic = criterion.section.split("/")[-1].strip() if criterion.section else None
    own = parse_criterion(_own_text(criterion), criterion.kind, reference=reference, topic=topic)
    if sites and isinstance(own, Unparsed):
        own = _site_of_cancer(criterion, reference) or own
    if _therapy_heading(criterion):
        # "PRIOR CONCURRENT THERAPY: … Chemotherapy": a heading whose items were left out
        own = Allowed(text=criterion.text.strip(), span=(0, len(criterion.text.rstrip())),
                      rule="allowed.heading")
    if _LATER_COURSES.match(criterion.text.strip()):
        # "Courses II-IV:", "Before each course:": what later courses need is the study
        # team's to check during the study, not a condition of entry
        own, team = Team(category="protocol", text=criterion.text.strip(),
                         span=(0, len(criterion.text.rstrip())),
                         rule="team.later_courses"), "later_courses"
    elif team == "later_courses":
        own = Team(category="protocol", text=criterion.text.strip(),
                   span=(0, len(criterion.text.rstrip())), rule="team.later_courses")
    elif team == "contraception" and isinstance(own, Unparsed):
        # "Methods considered highly effective include: … Oral, Injectable": the items of a
        # list only the study team judges are the team's to judge too
        own = Team(category=team, text=criterion.text.strip(), span=own.span,
                   rule="team.inherited")
    if isinstance(own, Team) and team != "later_courses":
        team = own.category
    written = _written_window(criterion.text, reference)
    inherited_reference = written.reference if written is not None else (
        _bare_reference(criterion.text) or reference)
    listed_sites = bool(_CANCER_SITES.search(criterion.text))
    children = [
        _parse(child, inherited_reference, written or window, team, listed_sites)
        for child in criterion.children
    ]
    if window is not None:
        own = own.transform(lambda node: _with_window(node, window))
    expression = own if not children else _combine(criterion.text, own, children)
    return criterion.model_copy(update={"expression": expression, "children": children})


_POINTER = re.compile(r",\s*(?:[a-z]+\s){0,4}?(?:the\sfollowing|as\sfollows|below)\b[^,]*:\s*$",
                      re.I)


def _therapy_heading(criterion: Criterion) -> bool:
    from eligo.parse.lexicon import data

    return (not criterion.children and criterion.section is not None
            and "prior concurrent therapy" in criterion.section.lower()
            and criterion.text.strip(" :.").lower() in data("keywords")["therapy_headings"])


def _own_text(criterion: Criterion) -> str:
    """The parent's words less a last clause that only points to its sub-criteria ("…, having
    received the following maximum number of prior therapies:"); the sub-criteria say it."""
    text = criterion.text
    if not criterion.children:
        return text
    pointer = _POINTER.search(text)
    if pointer is None or pointer.start() < 10:
        return text
    return text[:pointer.start()]


_LATER_COURSES = re.compile(
    r"^(?:courses?|cycles?)\s(?:[ivx]+|\d+)(?:\s?(?:-|to|and|through)\s?(?:[ivx]+|\d+))?\s*:"
    r"|^(?:for\s)?re-?treatment\b|^(?:before|prior\sto)\s(?:each|every|subsequent)\s"
    r"(?:course|cycle)", re.I)
_CANCER_SITES = re.compile(
    r"\b(?:tumou?rs?|cancers?|carcinomas?|malignanc(?:y|ies)|neoplasms?)\b[^:]{0,60}"
    r"\b(?:sites?|types?|primar(?:y|ies)|origins?|following)\b[^:]{0,30}:\s*$", re.I)
_ASIDE_NOTE = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")


def _site_of_cancer(criterion: Criterion, reference: str | None) -> Expression | None:
    """"Diagnosis of solid tumors of any of the following sites: … Renal … Prostate": a site
    listed under a list of cancers names the cancer of that site."""
    from eligo.parse import parse_criterion
    from eligo.parse.ellipsis import named_phrase

    text = criterion.text
    bare = _ASIDE_NOTE.sub("", text).strip()
    if not bare or len(bare.split()) > 4:
        return None
    concept = named_phrase(f"{bare} cancer", "condition")
    if concept is None:
        return None
    found = parse_criterion(f"{bare} cancer{text[len(bare):]}", criterion.kind,
                            reference=reference)
    if not isinstance(found, Condition):
        return None
    return Condition(**found.args, span=(0, len(bare)), rule="condition.listed_site")


def _written_window(text: str, reference: str | None) -> Window | None:
    """The first plain window the text writes ("within 21 days prior to cycle 1, day 1")."""
    source = Text.of(text)
    found = find_windows(source, 0, len(source.raw), find_quantities(source), reference)
    for window in found:
        if isinstance(window.node, Window) and not window.negated and not window.duration:
            return window.node
    return None


def _bare_reference(text: str) -> str | None:
    source = Text.of(text)
    found = bare_references(source, [])
    return found[0][2] if found else None


def _with_window(node: Expression, window: Window) -> Expression:
    """Lab values of a child are dated by the parent's window when they have none."""
    if isinstance(node, Measurement) and node.window is None:
        copy = node.copy()
        dated = window.copy()
        dated.span = None  # written in the parent: no place in this criterion's text
        copy.set("window", dated)
        return copy
    return node


def _combine(text: str, own: Expression, children: list[Criterion]) -> Expression:
    nodes = [child.expression for child in children if child.expression is not None]
    if not nodes:
        return own
    if isinstance(own, Team) and all(_team_only(n) for n in nodes):
        return own  # a list under a study-team matter ("methods of contraception include:")
    # a permission with words unread ("allowed.unread") permits, but is no exception
    permitted = [n.this for n in nodes if isinstance(n, Allowed) and n.this is not None
                 and n.rule != "allowed.unread"]
    required = [n for n in nodes if not isinstance(n, Allowed)]
    if own.kind == "allowed" and _EXCEPTIONS.search(text):
        # "Patients with past HBV are eligible if: 1 … OR 2 …": who is permitted
        condition = any_of(required) if _joined_by_or(children) else all_of(required)
        base = own.this if isinstance(own, Allowed) and own.this is not None \
            and own.rule != "allowed.unread" else None
        node = all_of([base, condition]) if base is not None else condition
        return Allowed(node, text=own.text if isinstance(own, Allowed) else text,
                       span=own.span, rule="children.permission")
    if _EXCEPTIONS.search(text) and required:
        main = own if own.kind != "unparsed" else None
        return _except(main, any_of(required)) if main is not None else own
    group: Expression | None = None
    if required:
        alternatives = _joined_by_or(children) or _ANY.search(text) or (
            children[0].kind == "exclusion" and not _ALL.search(text))
        group = any_of(required, rule="children.any") if alternatives else \
            all_of(required, rule="children.all")
    # "… defined as:" (or a heading naming no fact): the children say what the parent means;
    # facts the parent states beside a list ("metastatic solid tumor, having received the
    # following maximum number of therapies:") hold as well
    heading = own.kind == "unparsed" or (text.rstrip().endswith(":") and (
        _DEFINED.search(text) is not None or not any(
            isinstance(leaf, Fact) for leaf in own.leaves())))
    if group is None:
        result = own
    elif heading and not _INCLUDING.search(text):
        result = group  # "… defined as:": the children say what the parent means
    elif _INCLUDING.search(text) and own.kind != "unparsed":
        result = any_of([own, group], rule="children.including")
    else:
        result = all_of([own, group], rule="children")
    return _except(result, any_of(permitted)) if permitted else result


def _team_only(node: Expression) -> bool:
    from eligo.model.expression import Fact

    leaves = list(node.leaves())
    return bool(leaves) and not any(isinstance(leaf, Fact) for leaf in leaves) and any(
        isinstance(leaf, Team) for leaf in leaves)


def _joined_by_or(children: list[Criterion]) -> bool:
    return any(_OR_CHILD.search(child.text) for child in children[:-1])


def _except(node: Expression, exception: Expression) -> Expression:
    if isinstance(node, Not):
        return Not(all_of([node.this, Not(exception)]), rule="children.exceptions")
    return all_of([node, Not(exception, rule="children.exceptions")], rule="children.exceptions")
