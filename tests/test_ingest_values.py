"""Registry values → the model's codes: ages, dates, phases, statuses, text blocks."""

from __future__ import annotations

from datetime import date

import pytest

from eligo.ingest.normalise import (
    FieldError,
    age_range,
    age_years,
    phase_codes,
    registry_date,
    status_code,
    text_block,
    unescape_markdown,
)


@pytest.mark.parametrize(
    ("text", "years"),
    [("18 Years", 18.0), ("6 Months", 0.5), ("N/A", None), ("2 Weeks", 0.0383),
     ("1 Day", 0.0027), ("65", 65.0), ("17 years", 17.0)],
)
def test_ages(text: str, years: float | None) -> None:
    assert age_years(text) == years


@pytest.mark.parametrize("text", ["eighteen", "18 Parsecs", "about 18"])
def test_unreadable_ages_are_errors(text: str) -> None:
    with pytest.raises(FieldError):
        age_years(text)


@pytest.mark.parametrize(
    ("text", "limits"),
    [("18 years and older", (18.0, None)), ("18 Years to 75 Years", (18.0, 75.0)),
     ("18 to 75 years", (18.0, 75.0)), ("6 Months to 17 Years", (0.5, 17.0)),
     ("Up to 17 years", (None, 17.0)), ("65+ years", (65.0, None)),
     ("18 Years and older   (Adult, Older Adult)", (18.0, None))],
)
def test_age_ranges(text: str, limits: tuple[float | None, float | None]) -> None:
    assert age_range(text) == limits


@pytest.mark.parametrize(
    ("text", "day"),
    [("March 2015", date(2015, 3, 1)), ("2015-03-01", date(2015, 3, 1)),
     ("March 15, 2015", date(2015, 3, 15)), ("15 October 2025", date(2025, 10, 15)),
     ("2015-08", date(2015, 8, 1)), ("2015-08-01T04:00:00.000Z", date(2015, 8, 1)),
     ("Sep 2001", date(2001, 9, 1))],
)
def test_dates(text: str, day: date) -> None:
    assert registry_date(text) == day


def test_unreadable_date_is_an_error() -> None:
    with pytest.raises(FieldError, match="cannot read date"):
        registry_date("the spring of 2015")


@pytest.mark.parametrize(
    ("label", "codes"),
    [("Phase 1/Phase 2", ["PHASE1", "PHASE2"]), ("N/A", ["NA"]),
     ("Phase 2/3", ["PHASE2", "PHASE3"]), ("PHASE2", ["PHASE2"]),
     ("Early Phase 1", ["EARLY_PHASE1"]), ("Phase II/III", ["PHASE2", "PHASE3"]),
     ("Not Applicable", ["NA"])],
)
def test_phases(label: str, codes: list[str]) -> None:
    assert phase_codes(label) == codes


def test_statuses_in_both_spellings() -> None:
    assert status_code("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert status_code("Unknown status") == "UNKNOWN"
    assert status_code("ENROLLING_BY_INVITATION") == "ENROLLING_BY_INVITATION"


def test_text_block_dedents_and_keeps_the_rest() -> None:
    raw = "\r\n        Inclusion:\r\n\r\n          -  one\r\n             wrapped\r\n      "
    assert text_block(raw) == "Inclusion:\n\n  -  one\n     wrapped"
    assert text_block("Inclusion:\n\n          -  one\n          -  two") == (
        "Inclusion:\n\n-  one\n-  two")
    assert text_block("   \n  ") is None


def test_markdown_escapes() -> None:
    assert unescape_markdown(r"Ki-67 \> 20%, \<5 x ULN, a\_b") == "Ki-67 > 20%, <5 x ULN, a_b"
