"""Damaged input of every kind gives Trials or RecordErrors, never an exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligo.errors import RecordError
from eligo.ingest import FORMATS, read_trials
from eligo.model import Trial

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(
    [*(DATA / "trials").rglob("*.xml"), *(DATA / "trials").rglob("*.json"),
     *(DATA / "seeds").glob("*.txt")]
)
CONTENTS = {path.name: path.read_bytes() for path in FIXTURES}


def _damage(data: bytes, cut: float, flips: list[tuple[float, int]]) -> bytes:
    damaged = bytearray(data[: max(1, int(len(data) * cut))])
    for where, value in flips:
        damaged[int(where * (len(damaged) - 1))] = value
    return bytes(damaged)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(CONTENTS)),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
    forced=st.sampled_from([None, *FORMATS]),
)
def test_damaged_files_never_raise(tmp_path: Path, name: str, cut: float,
                                   flips: list[tuple[float, int]], forced: str | None) -> None:
    target = tmp_path / name
    target.write_bytes(_damage(CONTENTS[name], cut, flips))
    items = list(read_trials(target, forced))
    assert items
    for item in items:
        assert isinstance(item, Trial | RecordError)
        if isinstance(item, RecordError):
            assert item.source is not None and name in item.source
            assert item.message


def test_forcing_a_format_on_the_wrong_content_is_an_error() -> None:
    xml = DATA / "trials" / "xml" / "NCT00003599.xml"
    for forced in ("ctgov-json", "csv-export", "page-text", "fhir"):
        [item] = read_trials(xml, forced)
        assert isinstance(item, RecordError), forced


def test_a_reader_defect_costs_one_record_only(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from eligo.ingest import ctgov_xml

    real = ctgov_xml.study_fields

    def failing_on_one(root: Any) -> dict[str, Any]:
        if root.findtext("id_info/nct_id") == "NCT00003726":
            raise KeyError("simulated defect")
        return real(root)

    monkeypatch.setattr(ctgov_xml, "study_fields", failing_on_one)
    items = list(read_trials(DATA / "trials" / "xml"))
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(items) == 6 and len(errors) == 1
    assert errors[0].record_id == "NCT00003726"
    assert "KeyError" in errors[0].message and "please report it" in errors[0].message
