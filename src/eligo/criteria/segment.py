"""Eligibility text → ordered inclusion and exclusion criteria with their sub-criteria.

:mod:`eligo.criteria.layout` reads the text into a tree of items; this module restores lists whose
nesting the source lost, drops placeholders that ask nothing ("Not specified"), and numbers what is
left. Ids count position (``inc-3``, ``inc-3.2``, ``exc-7``), whatever numbers the source used.
"""

from __future__ import annotations

from eligo.criteria import headers
from eligo.criteria.layout import Node, read_layout
from eligo.criteria.text import normalise
from eligo.model import Criterion


def segment(text: str) -> list[Criterion]:
    """Cut eligibility ``text`` into top-level criteria, each with its sub-criteria.

    Spans index into ``text``; a criterion's own words are ``text[span]`` with whitespace collapsed
    (sub-criteria have spans of their own). Without any heading everything counts as inclusion.
    """
    if not text or not text.strip():
        return []
    roots = _unwrap_headings(text, read_layout(text))
    _nest_flat_lists(text, roots)
    counters = {"inclusion": 0, "exclusion": 0}
    criteria: list[Criterion] = []
    for node in roots:
        if _empty(text, node):
            continue
        counters[node.kind] += 1
        prefix = "inc" if node.kind == "inclusion" else "exc"
        criteria.append(_emit(text, node, f"{prefix}-{counters[node.kind]}"))
    return criteria


_LIST_ITEM_WORDS = 20


def _unwrap_headings(text: str, roots: list[Node]) -> list[Node]:
    """Paragraphs that only announce a list ("A patient will NOT be eligible ... if ANY of the
    following criteria apply:"), wrapped over lines so the layout reader took them for criteria,
    give way to the items under them."""
    kept: list[Node] = []
    for node in roots:
        heading = None
        if node.style is None and not node.note and text[node.start:node.end].endswith(":"):
            heading = headers.minor_header(normalise(text[node.start:node.end]))
        if heading is None or not heading.sentence:
            kept.append(node)
            continue
        for child in node.children:
            child.parent = None
            child.kind = heading.kind or child.kind
            for descendant in _descendants(child):
                descendant.kind = child.kind
        kept.extend(node.children)
    return kept


def _descendants(node: Node) -> list[Node]:
    found = []
    for child in node.children:
        found.append(child)
        found.extend(_descendants(child))
    return found


def _nest_flat_lists(text: str, nodes: list[Node]) -> None:
    """Put the short items after a "...the following:" item under it when the nesting was lost.

    Some records list sub-items with the same bullet and indentation as the item announcing them.
    The list is taken to end at the next item that announces a list of its own, at a long item (list
    members are short: drug names, lab values), or where the section changes.
    """
    index = 0
    while index < len(nodes):
        lead = nodes[index]
        index += 1
        if lead.children or lead.note or not _announces(text, lead):
            continue
        while index < len(nodes):
            item = nodes[index]
            if (item.style != lead.style or item.note or item.indent != lead.indent
                    or item.kind != lead.kind
                    or item.section != lead.section or item.children or _announces(text, item)
                    or len(text[item.start:item.end].split()) > _LIST_ITEM_WORDS):
                break
            item.parent = lead
            lead.children.append(item)
            del nodes[index]
    for node in nodes:
        if node.children:
            _nest_flat_lists(text, node.children)


def _announces(text: str, node: Node) -> bool:
    return node.end > node.start and text[node.end - 1] == ":"  # spans end on a non-space


def _empty(text: str, node: Node) -> bool:
    """Nothing to ask: no words, a placeholder ("Not specified"), or a label over placeholders."""
    if node.words is None:
        node.words = normalise(text[node.start:node.end])
    if node.children:
        return node.words.endswith(":") and all(_empty(text, child) for child in node.children)
    return not node.words or headers.is_non_criterion(node.words)


def _emit(text: str, node: Node, ident: str) -> Criterion:
    children: list[Criterion] = []
    for child in node.children:
        if not _empty(text, child):
            children.append(_emit(text, child, f"{ident}.{len(children) + 1}"))
    return Criterion(
        id=ident,
        kind=node.kind,
        text=node.words or "",
        span=(node.start, node.end),
        section=node.section,
        children=children,
    )
