"""The bulk read (every current trial with its criteria), the store's state, and criteria kept
current with the parser's version, on SQLite and PostgreSQL alike (the store_url fixture)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError

from eligo.errors import StorageError
from eligo.model import Criterion, Trial
from eligo.model.expression import (
    Age,
    All,
    Any,
    Condition,
    Expression,
    Longest,
    Measurement,
    Not,
    PriorTherapy,
    Team,
    Window,
)
from eligo.store import TrialStore
from eligo.store.criteria_json import read_criteria
from eligo.store.records import CRITERIA
from eligo.store.schema import trial_versions
from test_store import make_trial


def expression_tree() -> Expression:
    """Nested logic, node and node-list slots, numbers, lists of strings, spans, rules and a
    warning: every part the fast reader rebuilds by itself."""
    washout = Longest(
        Window(amount=30, unit="days", reference="cycle1_day1"),
        Window(amount=5, unit="half_lives"),
    )
    return All(
        Age(comparator=">=", value=18, span=(0, 8), rule="age.threshold"),
        Any(
            Measurement(measurement="ast", comparator="<=", uln=3, span=(10, 20)),
            All(
                Condition(concept="liver_metastases", qualifiers=["measurable", "untreated"]),
                Measurement(measurement="ast", comparator="<=", uln=5, warning="read 5 as 5"),
            ),
        ),
        Not(PriorTherapy(drug_class="pd1_inhibitor", status="prior", window=washout)),
        Team(category="consent", text="Signed informed consent"),
    )


def criteria_of(number: int) -> list[Criterion]:
    return [
        Criterion(
            id="inc-1",
            kind="inclusion",
            text=f"Adults with adequate liver function ({number})",
            span=(0, 40),
            section="Inclusion / Hepatic",
            expression=expression_tree(),
            children=[
                Criterion(id="inc-1.1", kind="inclusion", text="AST ≤ 3 × ULN", cohort="cohort-1")
            ],
        ),
        Criterion(id="exc-1", kind="exclusion", text="Pregnant", source="description"),
    ]


@pytest.fixture
def store(store_url: str) -> Iterator[TrialStore]:
    with TrialStore(store_url) as opened:
        yield opened


def one_by_one(store: TrialStore) -> list[tuple[Trial, list[Criterion]]]:
    return [(t, store.criteria(t.trial_id) or []) for t in store.iter_trials()]


def test_bulk_read_equals_reading_trial_by_trial(store: TrialStore) -> None:
    store.save_many(
        [(make_trial(f"NCT{n:08d}"), criteria_of(n)) for n in (4, 2, 5, 1)], parser_version=1
    )
    store.save(make_trial("NCT00000003"))  # no criteria stored
    store.save(make_trial("NCT00000002", eligibility_text="changed"), criteria_of(9))
    bulk = list(store.iter_with_criteria(batch_size=2))
    assert [t.trial_id for t, _ in bulk] == [f"NCT{n:08d}" for n in range(1, 6)]
    assert bulk == one_by_one(store)
    assert bulk[1][1] == criteria_of(9) and bulk[1][0].eligibility_text == "changed"
    assert bulk[2][1] == []
    # the same JSON: spans, rules and warnings too (expression equality ignores provenance)
    for (_, fast), (_, checked) in zip(bulk, one_by_one(store), strict=True):
        assert CRITERIA.dump_json(fast) == CRITERIA.dump_json(checked)
    assert store.with_criteria(["NCT00000005", "NCT00000001", "NCT09999999"]) == {
        "NCT00000005": bulk[4],
        "NCT00000001": bulk[0],
    }


def test_expressions_read_in_bulk_know_their_parents(store: TrialStore) -> None:
    store.save(make_trial(), criteria_of(1), parser_version=1)
    [(_, [first, _])] = list(store.iter_with_criteria())
    tree = first.expression
    assert tree is not None and tree.parent is None
    for node in tree.walk():
        for key, value in node.args.items():
            children = value if isinstance(value, list) else [value]
            for child in (c for c in children if isinstance(c, Expression)):
                assert child.parent is node and child.arg_key == key


def test_json_not_in_eligos_shape_is_named_not_guessed(store: TrialStore) -> None:
    store.save(make_trial(), criteria_of(1), parser_version=1)
    good = CRITERIA.dump_json(criteria_of(1)).decode()
    for damaged in (
        good.replace('"kind":"age"', '"kind":"shoe_size"', 1),
        good.replace('"comparator":">="', '"comparator":">=","colour":"red"', 1),
    ):
        with pytest.raises(Exception) as checked:
            CRITERIA.validate_json(damaged)
        with pytest.raises(type(checked.value)):
            read_criteria(damaged)  # the full validation's error, not a half-built object
        with store.engine.begin() as connection:
            connection.execute(update(trial_versions).values(criteria_json=damaged))
        with pytest.raises(StorageError, match="NCT00000001 version 1"):
            list(store.iter_with_criteria())


def test_generation_counts_saves_that_change_trials(store: TrialStore, store_url: str) -> None:
    first = store.state()
    store.save(make_trial(), criteria_of(1))
    assert store.state().generation == first.generation + 1
    assert store.save(make_trial(), criteria_of(1)) == "unchanged"
    store.save_many([make_trial()])
    assert store.state().generation == first.generation + 1
    store.save_many([make_trial(brief_title="Renamed"), make_trial("NCT00000002")])
    assert store.state().generation == first.generation + 2  # one batch, one generation
    with TrialStore(store_url) as again:
        assert again.state() == store.state()


def test_each_database_has_a_name_of_its_own(tmp_path) -> None:
    with (
        TrialStore(f"sqlite:///{tmp_path / 'a.db'}") as a,
        TrialStore(f"sqlite:///{tmp_path / 'b.db'}") as b,
    ):
        assert a.state().store_id != b.state().store_id
        assert a.state().generation == b.state().generation == 0


def test_criteria_from_a_newer_parser_are_an_update(store: TrialStore) -> None:
    assert store.save(make_trial(), criteria_of(1), parser_version=1) == "added"
    assert store.save(make_trial(), criteria_of(1), parser_version=1) == "unchanged"
    assert store.save(make_trial(), criteria_of(1), parser_version=0) == "unchanged"
    assert store.stale_count(2) == 1
    report = store.save_many([(make_trial(), criteria_of(1))], parser_version=2)
    assert (report.updated, report.unchanged) == (1, 0)
    assert store.stale_count(2) == 0
    # a save without criteria keeps the criteria, and the version of the parser that made them
    assert store.save(make_trial(brief_title="Renamed")) == "updated"
    assert store.stale_count(2) == 0 and store.criteria("NCT00000001") == criteria_of(1)


class Recorder:
    """A refresher that 'parses' by adding a criterion naming the parser version."""

    def __init__(self, version: int, fails: set[str] = frozenset()) -> None:
        self.version = version
        self.fails = fails
        self.seen: list[tuple[str, list[Criterion] | None]] = []

    def __call__(self, trial: Trial, criteria: list[Criterion] | None) -> list[Criterion] | None:
        self.seen.append((trial.trial_id, criteria))
        if trial.trial_id in self.fails:
            return None
        marker = Criterion(
            id="new",
            kind="inclusion",
            text=f"v{self.version}",
            expression=Age(comparator=">=", value=1),
        )
        return [*(criteria or []), marker]


def test_stale_criteria_are_parsed_again_and_written_back(store: TrialStore) -> None:
    store.save(make_trial("NCT00000001"), criteria_of(1), parser_version=1)  # older parser
    store.save(make_trial("NCT00000002"), criteria_of(2), parser_version=2)  # current
    unparsed = [Criterion(id="inc-1", kind="inclusion", text="Adults")]
    store.save(make_trial("NCT00000003"), unparsed)  # not parsed, no version
    store.save(make_trial("NCT00000004"))  # no criteria at all
    store.save(make_trial("NCT00000005"), criteria_of(5))  # written by hand: used as stored
    assert store.stale_count(2) == 3
    refresh = Recorder(2)
    pairs = dict((t.trial_id, c) for t, c in store.iter_with_criteria(refresh=refresh))
    seen = dict(refresh.seen)
    assert sorted(seen) == ["NCT00000001", "NCT00000003", "NCT00000004"]
    # the refresher gets the stored text without the old expressions, or None when none
    assert [c.expression for top in seen["NCT00000001"] for c in top.walk()] == [None] * 3
    assert seen["NCT00000003"] == unparsed and seen["NCT00000004"] is None
    assert pairs["NCT00000001"][-1].text == "v2" and pairs["NCT00000004"][0].text == "v2"
    assert pairs["NCT00000002"] == criteria_of(2) and pairs["NCT00000005"] == criteria_of(5)
    assert store.stale_count(2) == 0
    assert store.criteria("NCT00000003") == pairs["NCT00000003"]  # written back
    again = Recorder(2)
    assert dict((t.trial_id, c) for t, c in store.iter_with_criteria(refresh=again)) == pairs
    assert again.seen == []


def test_a_trial_the_parser_fails_on_keeps_its_criteria(store: TrialStore) -> None:
    store.save(make_trial(), criteria_of(1), parser_version=1)
    before = store.state()
    [(_, criteria)] = list(store.iter_with_criteria(refresh=Recorder(2, {"NCT00000001"})))
    assert criteria == criteria_of(1)
    assert store.stale_count(2) == 1 and store.state() == before


def test_fetching_a_few_trials_refreshes_them_too(store: TrialStore) -> None:
    store.save(make_trial(), criteria_of(1), parser_version=1)
    found = store.with_criteria(["NCT00000001"], refresh=Recorder(3))
    assert found["NCT00000001"][1][-1].text == "v3"
    assert store.stale_count(3) == 0


def test_a_database_refusing_the_write_back_still_gives_fresh_criteria(
    store: TrialStore,
) -> None:
    store.save(make_trial(), criteria_of(1), parser_version=1)

    def refuse(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE TRIAL_VERSIONS"):
            raise OperationalError(statement, {}, Exception("attempt to write a readonly database"))

    event.listen(store.engine, "before_cursor_execute", refuse)
    try:
        [(_, criteria)] = list(store.iter_with_criteria(refresh=Recorder(2)))
    finally:
        event.remove(store.engine, "before_cursor_execute", refuse)
    assert criteria[-1].text == "v2"
    assert store.stale_count(2) == 1


def test_the_fast_reader_builds_what_validation_builds(monkeypatch) -> None:
    written = CRITERIA.dump_json(criteria_of(1)).decode()
    # JSON from before a slot had its default: both readers fill it in
    older = written.replace('"status":"any",', "", 1)
    assert older != written
    expected = [CRITERIA.validate_json(text) for text in (written, older)]

    class NoValidation:
        def validate_json(self, _text: str) -> None:
            raise AssertionError("the fast reader fell back to validation")

    monkeypatch.setattr("eligo.store.criteria_json.CRITERIA", NoValidation())
    for text, checked in zip((written, older), expected, strict=True):
        fast = read_criteria(text)
        assert fast == checked
        assert CRITERIA.dump_json(fast) == CRITERIA.dump_json(checked)
    bare = read_criteria(written, expressions=False)
    assert [c.expression for top in bare for c in top.walk()] == [None] * 3
    assert [c.text for top in bare for c in top.walk()] == [
        c.text for top in criteria_of(1) for c in top.walk()
    ]
