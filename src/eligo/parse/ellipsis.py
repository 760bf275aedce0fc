"""Heads a coordination leaves unwritten: "brain or meningeal metastases" names brain
metastases too; "bladder, colorectal, head and neck, lung, or other cancer" names five cancers;
"cranial or spinal irradiation", "limited or extensive stage".

Before a head written in full, a list of modifiers joined by commas, "or", "and", "and/or" or a
slash may each stand for the same head: the modifier with the head's words (the head's first
word replaced, or kept) is looked up as a phrase, and when it names one concept of the same kind,
the modifier becomes an item of its own. The lookup uses the same vocabularies and keywords as
every item, so nothing is guessed: a modifier that names nothing with the head stays unread.
"""

from __future__ import annotations

import re
from functools import lru_cache

from eligo.parse.mentions import HEAD_KINDS, Item, direct_items

#: item kinds a coordination can share
_SHARED = frozenset({"condition", "procedure", "therapy", "drug_class", "disease_feature",
                     "measurement", "site"})
_LEADING = frozenset({"site", "body_site", "proc_qualifier"})
_JOINT = re.compile(r"(?:\s*,\s*(?:and/or\s|or\s|and\s)?|\s+(?:and/or|or|and)\s+|\s*/\s*)"
                    r"(?:other\s)?$")
_WORDS = re.compile(r"([a-z][a-z0-9'-]*)((?:\s(?:and\s)?[a-z][a-z0-9'-]*){0,2})$")
_STOP = frozenset({"no", "not", "or", "and", "with", "without", "of", "the", "a", "an", "any",
                   "other", "prior", "previous", "history", "active", "or/and", "in", "to",
                   "for", "by", "on", "at", "is", "are", "has", "have"})


def fill_ellipses(raw: str, items: list[Item]) -> list[Item]:
    if not items:
        return items
    folded = raw.lower()
    added: list[Item] = []
    for item in items:
        if item.kind not in _SHARED or item.end - item.start < 3:
            continue
        limit = max((i.end for i in items if i.end <= item.start and i.kind in HEAD_KINDS),
                    default=0)
        added.extend(_modifiers(raw, folded, item, limit, _lead_start(items, item, limit)))
    if not added:
        return items
    # a modifier read as a site or a feature of its own now names the head it stands for
    kept = [i for i in items if not any(a.start < i.end and i.start < a.end for a in added)]
    return sorted([*kept, *added], key=lambda i: (i.start, i.end))


def _lead_start(items: list[Item], head: Item, limit: int) -> int:
    """Where the words leading into ``head`` begin: "spinal" in "cranial or spinal irradiation"
    is the head's own, the list starts before it."""
    start = head.start
    for item in sorted((i for i in items if limit <= i.start and i.end <= head.start),
                       key=lambda i: -i.end):
        if item.kind not in _LEADING or start - item.end > 1:
            break
        start = item.start
    return start


def _modifiers(raw: str, folded: str, head: Item, limit: int, position: int) -> list[Item]:
    """Items for the modifiers listed before ``head`` (its own leading words end at
    ``position``), right to left."""
    found: list[Item] = []
    written = folded[head.start:head.end]
    while True:
        joint = _JOINT.search(folded, max(limit, position - 12), position)
        if joint is None:
            break
        match = _WORDS.search(folded, max(limit, joint.start() - 40), joint.start())
        if match is None:
            break
        item = _longest_modifier(folded, match, written, head)
        if item is None:
            break
        found.append(item)
        position = item.start
    return found


def _longest_modifier(folded: str, match: re.Match[str], written: str, head: Item) -> Item | None:
    words = folded[match.start():match.end()].split()
    end = match.end()
    for size in range(len(words), 0, -1):
        modifier = words[-size:]
        if modifier[0] in _STOP or modifier[-1] in _STOP:
            continue
        phrase = " ".join(modifier)
        named = _named(phrase, written, head.kind)
        if named is not None:
            start = end - len(" ".join(folded[match.start():end].split()[-size:]))
            start = folded.rfind(modifier[0], match.start(), end)
            extra = dict(head.extra)
            site = _site(phrase)
            if site is not None:
                extra["site"] = site  # "cranial or spinal irradiation": the brain
            return Item(head.kind, named, start, end, extra)
    return None


def _named(modifier: str, written: str, kind: str) -> str | None:
    head_words = written.split()
    phrases = [f"{modifier} {written}"]
    if len(head_words) > 1:
        phrases.insert(0, f"{modifier} {' '.join(head_words[1:])}")
    for phrase in phrases:
        value = _lookup(phrase, kind)
        if value is not None:
            return value
    return None


@lru_cache(maxsize=4096)
def _site(modifier: str) -> str | None:
    items = direct_items(modifier)
    if len(items) == 1 and items[0].kind == "site" and items[0].end - items[0].start == len(
            modifier):
        return items[0].value
    return None


def named_phrase(phrase: str, kind: str) -> str | None:
    """The concept of ``kind`` a whole phrase names, or None."""
    return _lookup(phrase, kind)


@lru_cache(maxsize=4096)
def _lookup(phrase: str, kind: str) -> str | None:
    """The concept a whole phrase names as one item of ``kind``, or None."""
    items = direct_items(phrase)
    if len(items) == 1 and items[0].kind == kind and items[0].start == 0 \
            and items[0].end == len(phrase):
        return items[0].value
    return None
