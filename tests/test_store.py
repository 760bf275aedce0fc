"""Saving and reading trials, on SQLite and PostgreSQL alike (see the store_url fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from eligo.errors import RecordError
from eligo.model import Cohort, Criterion, Intervention, Source, Trial
from eligo.store import TrialStore


def make_trial(trial_id: str = "NCT00000001", **changes: object) -> Trial:
    base = Trial(
        trial_id=trial_id,
        brief_title="Tarlatamab in small cell lung cancer",
        status="RECRUITING",
        phases=["PHASE2"],
        conditions=["Small Cell Lung Carcinoma"],
        interventions=[Intervention(type="DRUG", name="tarlatamab", other_names=["AMG 757"])],
        eligibility_text="Inclusion Criteria:\n- Age >= 18 years",
        minimum_age=18,
        last_updated=date(2025, 6, 1),
        source=Source(format="ctgov-json", path=f"{trial_id}.json"),
    )
    return base.model_copy(update=changes)


CRITERIA = [
    Criterion(
        id="inc-1",
        kind="inclusion",
        text="Age >= 18 years",
        children=[Criterion(id="inc-1.1", kind="inclusion", text="adults only")],
    )
]


@pytest.fixture
def store(store_url: str) -> Iterator[TrialStore]:
    with TrialStore(store_url) as opened:
        yield opened


def test_a_new_trial_is_added_and_read_back_whole(store: TrialStore) -> None:
    trial = make_trial(cohorts=[Cohort(id="cohort-1", label="Cohort 1", description="SCLC")])
    assert store.save(trial, CRITERIA) == "added"
    assert store.get("NCT00000001") == trial
    assert store.criteria("NCT00000001") == CRITERIA
    assert store.get("NCT09999999") is None
    assert store.criteria("NCT09999999") is None


def test_saving_the_same_content_again_changes_nothing(store: TrialStore) -> None:
    store.save(make_trial(), CRITERIA)
    before = store.versions("NCT00000001")
    moved = make_trial(source=Source(format="ctgov-xml", path="elsewhere.xml"))
    assert store.save(moved) == "unchanged"
    assert store.save(make_trial(), CRITERIA) == "unchanged"
    assert store.versions("NCT00000001") == before  # not even saved_at was written


def test_a_change_outside_eligibility_updates_the_current_version(store: TrialStore) -> None:
    store.save(make_trial(), CRITERIA)
    changed = make_trial(status="COMPLETED", brief_title="Tarlatamab, final")
    assert store.save(changed) == "updated"
    versions = store.versions("NCT00000001")
    assert [(v.number, v.current) for v in versions] == [(1, True)]
    assert store.get("NCT00000001") == changed
    # No criteria given: the stored ones still fit the unchanged eligibility text.
    assert store.criteria("NCT00000001") == CRITERIA


def test_new_criteria_alone_update_the_current_version(store: TrialStore) -> None:
    store.save(make_trial(), CRITERIA)
    fewer = CRITERIA[:1] + [Criterion(id="exc-1", kind="exclusion", text="Pregnancy")]
    assert store.save(make_trial(), fewer) == "updated"
    assert store.criteria("NCT00000001") == fewer
    assert len(store.versions("NCT00000001")) == 1


def test_a_changed_eligibility_text_makes_a_new_version_and_keeps_the_old(
    store: TrialStore,
) -> None:
    first = make_trial()
    store.save(first, CRITERIA)
    second = make_trial(eligibility_text="Inclusion Criteria:\n- Age >= 21 years")
    assert store.save(second) == "updated"
    versions = store.versions("NCT00000001")
    assert [(v.number, v.current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].eligibility_hash == first.eligibility_hash()
    assert versions[1].eligibility_hash == second.eligibility_hash()
    assert versions[0].saved_at <= versions[1].saved_at
    assert versions[1].saved_at.tzinfo is not None
    assert store.get("NCT00000001") == second
    assert store.get("NCT00000001", version=1) == first
    assert store.get("NCT00000001", version=3) is None
    assert store.criteria("NCT00000001", version=1) == CRITERIA
    assert store.criteria("NCT00000001") is None  # the old criteria were cut from other text
    assert store.save(second) == "unchanged"
    assert store.count() == 1


def test_going_back_to_an_old_eligibility_text_is_a_third_version(store: TrialStore) -> None:
    store.save(make_trial())
    store.save(make_trial(maximum_age=75))
    assert store.save(make_trial()) == "updated"
    assert [v.number for v in store.versions("NCT00000001")] == [1, 2, 3]


def test_save_many_counts_outcomes_across_batches(store: TrialStore) -> None:
    trials = [make_trial(f"NCT{n:08d}") for n in range(25)]
    seen: list[tuple[str, str]] = []
    report = store.save_many(
        trials, batch_size=7, on_saved=lambda trial, outcome: seen.append((trial.trial_id, outcome))
    )
    assert (report.added, report.updated, report.unchanged, report.failed) == (25, 0, 0, [])
    assert seen[0] == ("NCT00000000", "added") and len(seen) == 25
    changed = [make_trial(f"NCT{n:08d}", maximum_age=60) for n in range(0, 25, 5)]
    report = store.save_many([*trials, *changed], batch_size=10)
    assert (report.added, report.updated, report.unchanged) == (0, 5, 25)
    assert store.count() == 25
    assert store.ids() == [t.trial_id for t in trials]
    assert [v.number for v in store.versions("NCT00000005")] == [1, 2]


def test_save_many_takes_criteria_and_the_same_trial_twice_in_one_batch(
    store: TrialStore,
) -> None:
    later = make_trial(eligibility_text="Inclusion Criteria:\n- ECOG 0-1")
    report = store.save_many([(make_trial(), CRITERIA), (later, None), make_trial("NCT00000002")])
    assert (report.added, report.updated) == (2, 1)
    assert store.criteria("NCT00000001", version=1) == CRITERIA
    assert store.get("NCT00000001") == later


def test_a_bad_record_fails_alone_and_names_itself(store: TrialStore) -> None:
    bad = make_trial("NCT" + "9" * 80)
    report = store.save_many([make_trial("NCT00000001"), bad, make_trial("NCT00000002")])
    assert report.added == 2
    assert len(report.failed) == 1
    assert report.failed[0].field == "trial_id"
    assert report.failed[0].source == bad.source.path
    with pytest.raises(RecordError, match="trial id"):
        store.save(bad)
    assert store.ids() == ["NCT00000001", "NCT00000002"]


def test_text_the_database_cannot_hold_is_cleaned_not_refused(store: TrialStore) -> None:
    trial = make_trial(brief_title="Nul\x00 byte", brief_summary="a\x00b")
    assert store.save(trial) == "added"
    assert store.get("NCT00000001") == trial


def test_iter_trials_streams_current_versions_in_id_order(store: TrialStore) -> None:
    store.save_many([make_trial(f"NCT{n:08d}") for n in (3, 1, 2)])
    store.save(make_trial("NCT00000002", eligibility_text="changed"))
    streamed = list(store.iter_trials(batch_size=2))
    assert [t.trial_id for t in streamed] == ["NCT00000001", "NCT00000002", "NCT00000003"]
    assert streamed[1].eligibility_text == "changed"
