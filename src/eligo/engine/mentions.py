"""What a clinical note speaks of at all, for the criteria no rule reads.

A criterion eligo cannot read ("Twins", "Children in foster care", "Previous angiogenic
therapy") still names a matter. When a note that sums up the patient's history uses none of the
criterion's words, the note is silent about that whole matter, and silence in a summary is
presumed absence where that clears the patient (docs/matching.md, "Absent or unknown"). When
the note uses one of them ("tonsillectomy" in a note about the tonsils), the note speaks of the
matter in words eligo did not read, and the criterion stays unknown.

Words are compared by their Snowball stems ("infections" and "infectious" are "infect" and
"infecti"); a stem of five letters or more matches the longer stems it begins. The word lists
and lengths are in ``engine/data/mentions.json``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from nltk.stem.snowball import SnowballStemmer

from eligo.engine.base import engine_data

_WORD = re.compile(r"[a-z][a-z0-9]*", re.I)


@cache
def _table() -> dict:
    return engine_data("mentions.json")


@cache
def _stemmer() -> SnowballStemmer:
    return SnowballStemmer("english")


@cache
def _reversing() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in _table()["reversing"])
    return re.compile(rf"\b(?:{words})\b|n't\b", re.I)


@lru_cache(maxsize=65536)
def content_stems(text: str) -> frozenset[str]:
    """The stems of the words of ``text`` that name something (not function words, not the
    words every criterion uses)."""
    table = _table()
    stop = _stop_words()
    stem = _stemmer().stem
    shortest = table["shortest_word"]
    return frozenset(
        stem(word)
        for word in (w.casefold() for w in _WORD.findall(text))
        if len(word) >= shortest and word not in stop
    )


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(_table()["stop_words"])


def reverses(text: str) -> bool:
    """Whether the words turn the matter around ("without", "never", "no"): absence would then
    be what they ask about, and silence cannot clear anyone."""
    return _reversing().search(text) is not None


class NoteWords:
    """The stems of one note's words, ready for many questions ("does the note use any word
    of this criterion?"), each answered with a few set lookups."""

    def __init__(self, text: str) -> None:
        table = _table()
        self._prefix = table["prefix_stem"]
        self._shared = table["shared_prefix"]
        self.stems = content_stems(text)
        # every beginning (of prefix_stem letters or more) of every stem, and the stems' first
        # shared_prefix letters: a criterion stem is then matched by lookups, not by a scan
        self._beginnings = {
            stem[:n] for stem in self.stems for n in range(self._prefix, len(stem) + 1)
        }
        self._heads = {stem[: self._shared] for stem in self.stems if len(stem) >= self._shared}
        self._asked: dict[str, bool] = {}

    def uses(self, stem: str) -> bool:
        if stem in self.stems:
            return True
        if len(stem) >= self._prefix and stem in self._beginnings:
            return True  # a note stem begins with this one ("tonsil" → "tonsillectomi")
        if any(stem[:n] in self.stems for n in range(self._prefix, len(stem))):
            return True  # this stem begins with a note stem
        return len(stem) >= self._shared and stem[: self._shared] in self._heads

    def silent_about(self, text: str) -> bool:
        """Whether the note uses none of the words that name something in ``text``, which
        must name something and not be turned around by a word like "without"."""
        found = self._asked.get(text)
        if found is None:
            stems = _matter(text)
            found = self._asked[text] = bool(stems) and not any(self.uses(s) for s in stems)
        return found


@lru_cache(maxsize=65536)
def _matter(text: str) -> frozenset[str]:
    """The stems naming the matter of ``text``; none when a word turns it around."""
    return frozenset() if reverses(text) else content_stems(text)
