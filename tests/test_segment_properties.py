"""Whatever text arrives, segmentation never raises and its spans lie inside the text."""

from __future__ import annotations

import re
import textwrap
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligo.criteria import segment
from eligo.criteria.text import normalise
from eligo.model import Criterion

_ID = re.compile(r"(?:inc|exc)-\d+(?:\.\d+)*")

MARKERS = ["", "- ", "* ", "• ", "o ", "1. ", "2) ", "(3) ", "a) ", "iv. ", "B. ", "1.2 ", "-", "·"]
HEADINGS = ["Inclusion Criteria:", "EXCLUSION:", "DISEASE CHARACTERISTICS:", "Hepatic:",
            "Excluded:", "Patients must have:", "Note:", "Key exclusion criteria", ""]
WORDS = st.sampled_from(["Age", "≥", "18", "years", "of", "the", "No", "prior", "therapy", "(",
                         ")", "[", "including:", "defined as:", "Note:", "ULN", "\\>", "3.", "e.g.",
                         "Patients", "are", "eligible", "if:", "ANC", "1,500/mm3", "µL", "—", ""])


@st.composite
def eligibility_like(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        indent = " " * draw(st.integers(0, 12))
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append(indent + draw(st.sampled_from(HEADINGS)))
            continue
        marker = draw(st.sampled_from(MARKERS))
        words = draw(st.lists(WORDS, max_size=14))
        lines.append(indent + marker + " ".join(words))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    return newline.join(lines)


def check(text: str) -> list[Criterion]:
    found = segment(text)
    seen: set[str] = set()
    for top in found:
        assert top.kind in ("inclusion", "exclusion")
        for criterion in top.walk():
            assert _ID.fullmatch(criterion.id), criterion.id
            assert criterion.id not in seen
            seen.add(criterion.id)
            assert criterion.kind == top.kind
            assert criterion.span is not None
            start, end = criterion.span
            assert 0 <= start <= end <= len(text)
            if "\\" not in text[start:end]:
                assert normalise(text[start:end]) == criterion.text
    return found


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_any_text(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(eligibility_like())
def test_eligibility_like_text(text: str) -> None:
    check(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-*•o1.)(aiv: \n\t\r\\[]ABCx")), max_size=300))
def test_marker_soup(text: str) -> None:
    check(text)


def test_one_megabyte_single_line_is_quick() -> None:
    text = "Patients with (unbalanced [brackets and ≥ 18 years " * 20_000
    started = time.perf_counter()
    found = check(text)
    assert len(found) == 1 and found[0].span == (0, len(text.rstrip()))
    assert time.perf_counter() - started < 30  # catastrophic backtracking would take hours


def test_half_megabyte_run_together_paragraph() -> None:
    body = "Platelet count at least 100,000/mm3 Hepatic: Bilirubin normal No active infection "
    body *= 6_000
    text = "\n".join(textwrap.wrap("PATIENT CHARACTERISTICS: " + body, 90))
    started = time.perf_counter()
    found = check(text)
    assert len(found) == 18_000
    assert found[1].section == "PATIENT CHARACTERISTICS / Hepatic"
    assert time.perf_counter() - started < 60


def test_many_short_lines_and_deep_nesting() -> None:
    text = "\n".join(" " * (n % 60) + "- item" for n in range(20_000))
    assert check(text)
    text = "\n".join(" " * n + "1. deeper" for n in range(3000))
    (top,) = check(text)
    assert max(len(c.id.split(".")) for c in top.walk()) <= 8
