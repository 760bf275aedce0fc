"""Reading level of English text: the Flesch-Kincaid grade, from word, sentence and syllable
counts (Kincaid et al. 1975). Syllables are counted by vowel groups, a close guess for English."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    word = word.lower()
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # a silent final e: "make", "dose"
    return max(count, 1)


def flesch_kincaid_grade(text: str) -> float | None:
    """The US school grade needed to read ``text``; None for text without words."""
    words = _WORD.findall(text)
    if not words:
        return None
    sentences = max(len(_SENTENCE_END.findall(text)), 1)
    syllable_count = sum(syllables(w) for w in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllable_count / len(words) - 15.59
    return round(grade, 1)


def grade_words(grade: float | None) -> str:
    """The grade in words a person understands."""
    if grade is None:
        return "not measured"
    if grade <= 6:
        return "easy to read"
    if grade <= 9:
        return "fairly easy to read"
    if grade <= 12:
        return "fairly hard to read"
    return "hard to read"
