"""Finding vocabulary terms in text: a trie over word tokens, built once per vocabulary.

Texts and terms are cut into the same tokens (runs of letters and digits, or one punctuation
mark). Hyphens are skipped, so "non-small-cell" and "non small cell" are the same words; a
possessive "'s" is folded into the word before it, so "Crohn's disease" and "Crohn disease" meet.
Lower-case words are compared case-folded and spelling-normalised ("tumour" is "tumor"); a
word written with a capital letter is an abbreviation or a name and must match as written
("ALT" does not match "alt"; "DLL3 H-score" needs "DLL3" but any case of "score"). At each
position the longest term wins; matches do not overlap. One pass over the tokens with dictionary
look-ups keeps this fast enough to run on every criterion of a corpus and every sentence of a
note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eligo.vocab.concepts import Mention, MentionKind

_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")
_HYPHENS = frozenset("-‐‑‒–")
_APOSTROPHES = frozenset("'’ʼ`")
_END = ""  # trie key of the entries that end at a node; no token is empty


@dataclass(frozen=True, slots=True)
class Token:
    key: str  # case-folded, spelling-normalised
    word: str  # as written
    start: int
    end: int
    hyphen_after: bool = False  # a hyphen follows right after the word


@dataclass(frozen=True, slots=True)
class _Entry:
    concept_id: str
    kind: MentionKind
    # per word: as written when it must match case-sensitively, else None; None for no such word
    exact: tuple[str | None, ...] | None


def tokenize(text: str, spelling: dict[str, str]) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if word in _HYPHENS:
            if tokens and tokens[-1].end == match.start():
                last = tokens[-1]
                tokens[-1] = Token(last.key, last.word, last.start, last.end, True)
            continue
        if word in _APOSTROPHES:
            # "Crohn's" -> Crohn (ending after the s); "Graves'" -> Graves
            if tokens and tokens[-1].end == match.start():
                tokens[-1] = _extend(tokens[-1], match.end())
            continue
        if (
            word in ("s", "S")
            and tokens
            and tokens[-1].end == match.start()
            and _after_apostrophe(text, match.start())
        ):
            tokens[-1] = _extend(tokens[-1], match.end())
            continue
        key = word.casefold()
        tokens.append(Token(spelling.get(key, key), word, match.start(), match.end()))
    return tokens


def _after_apostrophe(text: str, position: int) -> bool:
    return position > 0 and text[position - 1] in _APOSTROPHES


def _extend(token: Token, end: int) -> Token:
    return Token(token.key, token.word, token.start, end, token.hyphen_after)


class TermMatcher:
    """Longest-match search for the terms of one vocabulary."""

    def __init__(self, spelling: dict[str, str]) -> None:
        self._spelling = spelling
        self._root: dict = {}
        # key path -> {concept ids}: lets the loader report terms shared by two concepts
        self.owners: dict[tuple[tuple[str, ...], tuple[str | None, ...] | None], set[str]] = {}

    def add(self, term: str, concept_id: str, kind: MentionKind) -> None:
        tokens = tokenize(term, self._spelling)
        if not tokens:
            return
        keys = tuple(token.key for token in tokens)
        # a word written with a capital letter ("ALT", "DLL3") must match as written
        exact = tuple(t.word if _has_upper(t.word) else None for t in tokens)
        has_exact = any(word is not None for word in exact)
        self._insert(keys, _Entry(concept_id, kind, exact if has_exact else None))
        plural = _plural(keys[-1]) if exact[-1] is None else None
        if plural:
            self._insert(
                keys[:-1] + (plural,), _Entry(concept_id, kind, exact if has_exact else None)
            )

    def _insert(self, keys: tuple[str, ...], entry: _Entry) -> None:
        node = self._root
        for key in keys:
            node = node.setdefault(key, {})
        entries: list[_Entry] = node.setdefault(_END, [])
        if any(e.concept_id == entry.concept_id and e.exact == entry.exact for e in entries):
            return
        entries.append(entry)
        self.owners.setdefault((keys, entry.exact), set()).add(entry.concept_id)

    def find(self, text: str) -> list[Mention]:
        return self.find_tokens(tokenize(text, self._spelling), text)

    def find_tokens(self, tokens: list[Token], text: str) -> list[Mention]:
        """:meth:`find` over tokens already cut from ``text`` (with the same spelling table),
        so several matchers can share one tokenisation."""
        mentions: list[Mention] = []
        i, n = 0, len(tokens)
        while i < n:
            last, found = self._longest(tokens, i, n)
            if not found:
                i += 1
                continue
            start, end = tokens[i].start, tokens[last].end
            for entry in found:
                mentions.append(Mention(entry.concept_id, entry.kind, start, end, text[start:end]))
            i = last + 1
        return mentions

    def _longest(self, tokens: list[Token], i: int, n: int) -> tuple[int, list[_Entry]]:
        node = self._root
        last, found = i, []
        j = i
        while j < n:
            node = node.get(tokens[j].key)
            if node is None:
                break
            entries = node.get(_END)
            if entries:
                accepted = _accepted(entries, tokens, i, j, _code_follows(tokens, j))
                if accepted:
                    last, found = j, accepted
            j += 1
        return last, found


def _code_follows(tokens: list[Token], j: int) -> bool:
    """True when the word at ``j`` is joined by a hyphen to a number ("PS-341", "MS-325"): an
    abbreviation there is part of a drug or product code, not the abbreviation itself."""
    return (
        j + 1 < len(tokens)
        and tokens[j + 1].start == tokens[j].end + 1
        and tokens[j + 1].word[0].isdigit()
        and tokens[j].hyphen_after
    )


def _accepted(
    entries: list[_Entry], tokens: list[Token], i: int, j: int, code_follows: bool
) -> list[_Entry]:
    accepted: list[_Entry] = []
    seen: set[str] = set()
    for entry in entries:
        if code_follows and entry.exact is not None and entry.exact[-1] is not None:
            continue
        if entry.exact is not None and not all(
            word is None or word == token.word
            for word, token in zip(entry.exact, tokens[i : j + 1], strict=True)
        ):
            continue
        if entry.concept_id not in seen:
            seen.add(entry.concept_id)
            accepted.append(entry)
    return accepted


def _has_upper(word: str) -> bool:
    return word.lower() != word


def _plural(word: str) -> str | None:
    """The regular English plural of a term's last word, so "brain metastasis" also finds
    "brain metastases". Only for words long enough not to be abbreviations."""
    if len(word) < 4 or not word.isalpha():
        return None
    if word.endswith("sis"):
        return word[:-3] + "ses"
    if word.endswith(("s", "x", "ch", "sh")):
        return None
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
