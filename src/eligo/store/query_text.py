"""A search box's text, read the way web search engines read it, whatever a person types.

``small cell "lung cancer" -pediatric cisplatin OR carboplatin`` means: *small* and *cell* and the
phrase *lung cancer* and (*cisplatin* or *carboplatin*), but not *pediatric*. Everything else —
quotes left open, ``*``, ``NEAR/``, brackets, operators of either back end — is read as plain
words, so no query text can be a syntax error in SQLite FTS5 or PostgreSQL. The parsed query is
then written out in each back end's own syntax, with every word quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Bounds on untrusted text: words beyond these are ignored.
MAX_WORDS = 64
MAX_WORD_LENGTH = 100

_TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Phrase:
    """One or more words that must appear together, in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class SearchQuery:
    """All of ``required`` (each a choice of phrases, any one will do) and none of ``excluded``."""

    required: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...] = ()

    def to_fts5(self) -> str:
        """The query in SQLite FTS5 syntax."""
        groups = []
        for choice in self.required:
            alternatives = " OR ".join(_quoted(p) for p in choice)
            groups.append(f"({alternatives})" if len(choice) > 1 else alternatives)
        text = " AND ".join(groups)
        if self.excluded:
            text = f"({text}) NOT ({' OR '.join(_quoted(p) for p in self.excluded)})"
        return text

    def to_websearch(self) -> str:
        """The query in the syntax of PostgreSQL's ``websearch_to_tsquery``."""
        groups = [" or ".join(_quoted(p) for p in choice) for choice in self.required]
        groups.extend(f"-{_quoted(p)}" for p in self.excluded)
        return " ".join(groups)


def _quoted(phrase: Phrase) -> str:
    # Words hold letters and digits only, so there is nothing inside the quotes to escape.
    return '"' + " ".join(phrase.words) + '"'


def parse_query(text: str | None) -> SearchQuery | None:
    """The query ``text`` asks for, or None when it names no word to look for."""
    if not text:
        return None
    required: list[tuple[Phrase, ...]] = []
    excluded: list[Phrase] = []
    words_left = MAX_WORDS
    join_next = False
    for token in _TOKEN.findall(text):
        if token == "OR" or token == "or":
            join_next = bool(required)
            continue
        negated = token.startswith("-") and len(token) > 1
        words = tuple(w[:MAX_WORD_LENGTH] for w in _WORD.findall(token))[:words_left]
        if not words:
            continue
        words_left -= len(words)
        phrase = Phrase(words)
        if negated:
            excluded.append(phrase)
        elif join_next:
            required[-1] = (*required[-1], phrase)
        else:
            required.append((phrase,))
        join_next = False
        if words_left == 0:
            break
    if not required:
        return None
    return SearchQuery(tuple(required), tuple(excluded))
