"""Criteria drawn at random from the 92 small-cell and neuroendocrine records and judged by
reading them as a clinician would (tests/data/parse/, see its README.md).

Each item holds the top-level criterion it was drawn from (with its sub-criteria, without
expressions), so it is parsed here again exactly as it was when judged. Two checks:

- at least 95 % of the items are judged right;
- an item judged right still renders as it did when it was judged: a change is either a
  regression or an improvement, and an improvement is re-judged (the rendering and the
  judgement are updated together in the data file).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eligo.model import Criterion
from eligo.model.expression import render
from eligo.parse import parse_criteria

DATA = Path(__file__).parent / "data" / "parse"
SAMPLES = ("judged_sample.jsonl", "judged_heldout.jsonl")


def _items(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _rendered_now(item: dict) -> str:
    top = parse_criteria([Criterion.model_validate(item["top"])])[0]
    found = next(c for c in top.walk() if c.id == item["criterion"])
    assert found.expression is not None
    return render(found.expression)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_is_a_hundred_distinct_judged_criteria(name: str) -> None:
    items = _items(name)
    assert len(items) == 100
    assert len({(i["trial"], i["criterion"]) for i in items}) == 100
    for item in items:
        assert item["judgment"] in ("right", "wrong"), item["n"]
        assert item["why"].strip(), item["n"]
        assert item["text"] in [c["text"] for c in _walk(item["top"])], item["n"]


@pytest.mark.parametrize("name", SAMPLES)
def test_at_least_95_percent_judged_right(name: str) -> None:
    items = _items(name)
    right = sum(1 for item in items if item["judgment"] == "right")
    assert right / len(items) >= 0.95, f"{name}: {right} of {len(items)} right"


@pytest.mark.parametrize("name", SAMPLES)
def test_criteria_judged_right_render_as_judged(name: str) -> None:
    changed = [
        f"{item['n']} {item['trial']} {item['criterion']}"
        for item in _items(name)
        if item["judgment"] == "right" and _rendered_now(item) != item["rendered"]
    ]
    assert not changed, f"re-judge (or fix) the criteria whose reading changed: {changed}"


def test_the_two_samples_share_no_criterion() -> None:
    first, second = (_items(name) for name in SAMPLES)
    assert not {(i["trial"], i["criterion"]) for i in first} & {
        (i["trial"], i["criterion"]) for i in second}


def _walk(criterion: dict) -> list[dict]:
    found = [criterion]
    for child in criterion.get("children", []):
        found.extend(_walk(child))
    return found
