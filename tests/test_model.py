from eligo.model import Criterion, Source, Trial


def _trial(**changes: object) -> Trial:
    base = Trial(trial_id="NCT00000001", brief_title="A trial", source=Source(format="ctgov-json"))
    return base.model_copy(update=changes)


def test_content_hash_ignores_source_but_sees_content() -> None:
    a = _trial()
    b = _trial(source=Source(format="ctgov-xml", path="x.xml"))
    c = _trial(brief_title="Another title")
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != c.content_hash()


def test_eligibility_hash_changes_only_with_who_may_join() -> None:
    a = _trial(eligibility_text="Inclusion Criteria:\n- Age >= 18").eligibility_hash()
    assert a == _trial(eligibility_text="Inclusion  Criteria:\n- Age >= 18").eligibility_hash()
    assert a != _trial(eligibility_text="Inclusion Criteria:\n- Age >= 21").eligibility_hash()
    same_text = _trial(eligibility_text="Inclusion Criteria:\n- Age >= 18", brief_title="x")
    assert a == same_text.eligibility_hash()


def test_criterion_walk_is_depth_first() -> None:
    c = Criterion(
        id="inc-1",
        kind="inclusion",
        text="labs",
        children=[Criterion(id="inc-1.1", kind="inclusion", text="platelets")],
    )
    assert [x.id for x in c.walk()] == ["inc-1", "inc-1.1"]
