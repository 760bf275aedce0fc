"""Full-text search and filters, the same tests on SQLite FTS5 and PostgreSQL's search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eligo.model import Intervention
from eligo.store import FilterError, TrialStore, phase_values, status_value
from eligo.store.query_text import parse_query
from test_store import make_trial

TRIALS = [
    make_trial(
        "NCT00000001",
        brief_title="Tarlatamab for small cell lung cancer",
        conditions=["Small Cell Lung Carcinoma"],
        phases=["PHASE2"],
        status="RECRUITING",
        brief_summary="A study of a DLL3-targeted bispecific T-cell engager.",
    ),
    make_trial(
        "NCT00000002",
        brief_title="Chemotherapy after surgery",
        conditions=["Breast Cancer"],
        phases=["PHASE3"],
        status="COMPLETED",
        interventions=[Intervention(type="DRUG", name="cisplatin")],
        brief_summary="Patients with lung metastases from breast cancer are excluded.",
    ),
    make_trial(
        "NCT00000003",
        brief_title="Iadademstat and paclitaxel in neuroendocrine carcinomas",
        conditions=["Small Cell Lung Cancer", "Extrapulmonary Neuroendocrine Carcinoma"],
        phases=["PHASE1", "PHASE2"],
        status="NOT_YET_RECRUITING",
        interventions=[Intervention(type="DRUG", name="carboplatin")],
        keywords=["LSD1 inhibitor"],
    ),
    make_trial(
        "NCT00000004",
        brief_title="Early look at a new drug",
        conditions=["Crohn's Disease"],
        phases=["EARLY_PHASE1"],
        status="RECRUITING",
        acronym="ELAND",
        interventions=[],
    ),
]


@pytest.fixture
def store(store_url: str) -> Iterator[TrialStore]:
    with TrialStore(store_url) as opened:
        opened.save_many(TRIALS)
        yield opened


def _ids(store: TrialStore, query: str | None = None, **filters: str) -> list[str]:
    return [hit.trial_id for hit in store.search(query, **filters)]


def test_a_match_in_the_title_and_conditions_outranks_one_in_the_summary(
    store: TrialStore,
) -> None:
    hits = store.search("lung")
    assert [h.trial_id for h in hits][-1] == "NCT00000002"  # only its summary says "lung"
    assert set(h.trial_id for h in hits) == {"NCT00000001", "NCT00000002", "NCT00000003"}
    assert all(h.score is not None and h.score > 0 for h in hits)
    assert hits[0].score > hits[-1].score  # type: ignore[operator]
    first = hits[0]
    assert first.trial_id == "NCT00000001"
    assert (first.title, first.status, first.phases, first.conditions) == (
        "Tarlatamab for small cell lung cancer",
        "RECRUITING",
        ["PHASE2"],
        ["Small Cell Lung Carcinoma"],
    )
    assert (first.status_label, first.phase_label) == ("Recruiting", "Phase 2")


def test_search_reads_conditions_interventions_keywords_ids_and_stems_words(
    store: TrialStore,
) -> None:
    assert sorted(_ids(store, "carcinomas")) == ["NCT00000001", "NCT00000003"]
    assert _ids(store, "cisplatin") == ["NCT00000002"]
    assert _ids(store, "AMG 757") == ["NCT00000001"]  # other names
    assert _ids(store, "LSD1") == ["NCT00000003"]
    assert _ids(store, "eland") == ["NCT00000004"]  # acronym
    assert _ids(store, "NCT00000003") == ["NCT00000003"]
    assert _ids(store, "Crohn's") == ["NCT00000004"]


def test_words_phrases_or_and_minus(store: TrialStore) -> None:
    assert _ids(store, "small lung tarlatamab") == ["NCT00000001"]
    assert sorted(_ids(store, '"lung cancer"')) == ["NCT00000001", "NCT00000003"]
    assert _ids(store, '"cancer lung"') == []
    assert sorted(_ids(store, "cisplatin OR carboplatin")) == ["NCT00000002", "NCT00000003"]
    assert _ids(store, "lung -breast -paclitaxel") == ["NCT00000001"]
    assert _ids(store, "pembrolizumab") == []


def test_filters_alone_and_with_a_query(store: TrialStore) -> None:
    assert sorted(_ids(store, status="recruiting")) == ["NCT00000001", "NCT00000004"]
    assert sorted(_ids(store, phase="2")) == ["NCT00000001", "NCT00000003"]
    assert _ids(store, phase="phase 1/2") == ["NCT00000003"]
    assert _ids(store, phase="PHASE1") == ["NCT00000003"]  # not the early phase 1 trial
    assert _ids(store, phase="early phase 1") == ["NCT00000004"]
    assert sorted(_ids(store, condition="LUNG c")) == ["NCT00000001", "NCT00000003"]
    assert _ids(store, condition="crohn's") == ["NCT00000004"]
    assert _ids(store, condition="100%_") == []
    assert _ids(store, "lung", status="Not yet recruiting", phase="Phase II") == ["NCT00000003"]
    assert _ids(store, "lung", status="COMPLETED", condition="breast") == ["NCT00000002"]


def test_limit_and_offset_page_through_results(store: TrialStore) -> None:
    everything = _ids(store)
    assert len(everything) == 4
    assert [h.trial_id for h in store.search(limit=2)] == everything[:2]
    assert [h.trial_id for h in store.search(limit=2, offset=2)] == everything[2:]
    assert store.search("lung", limit=0) == []
    assert all(h.score is None for h in store.search())


def test_the_index_follows_updates(store: TrialStore) -> None:
    renamed = TRIALS[0].model_copy(
        update={"brief_title": "Something else", "conditions": [], "interventions": []}
    )
    store.save(renamed)
    assert "NCT00000001" not in _ids(store, "tarlatamab")
    assert _ids(store, "something") == ["NCT00000001"]
    assert _ids(store, condition="small cell") == ["NCT00000003"]


HOSTILE = [
    '"',
    '""',
    "*",
    "lung*",
    "OR(",
    "OR",
    "AND NOT",
    "NEAR/",
    "NEAR(lung cancer, 2)",
    "title:lung",
    "^lung",
    "lung)",
    "(((",
    "-",
    "-lung",
    "!lung & cancer | <->",
    "lung'; DROP TABLE trials; --",
    "\x00\x01",
    "ünïcödé 肺癌 ✓ \u200b",
    "a " * 5000 + "lung",
    "x" * 10_000,
]


def test_hostile_query_text_never_errors(store: TrialStore) -> None:
    for query in HOSTILE:
        hits = store.search(query, status="recruiting")
        assert {h.trial_id for h in hits} <= {"NCT00000001", "NCT00000004"}, query[:40]
    assert _ids(store, "lung)") == _ids(store, "lung")
    assert _ids(store, "-lung") == _ids(store)  # nothing to look for: everything, unranked
    assert store.count() == 4


def test_unknown_filter_values_are_clear_errors(store: TrialStore) -> None:
    with pytest.raises(FilterError, match="unknown trial status 'open'"):
        store.search(status="open")
    with pytest.raises(FilterError, match="unknown trial phase 'phase 7'"):
        store.search(phase="phase 7")


def test_status_and_phase_spellings() -> None:
    assert status_value("recruiting") == "RECRUITING"
    assert status_value("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert status_value("unknown status") == "UNKNOWN"
    for spelling in ("2", "phase 2", "PHASE2", "Phase II", "phase_2", " ii "):
        assert phase_values(spelling) == ["PHASE2"], spelling
    assert phase_values("Phase 1/Phase 2") == ["PHASE1", "PHASE2"]
    assert phase_values("EARLY_PHASE1") == ["EARLY_PHASE1"]
    assert phase_values("N/A") == phase_values("not applicable") == ["NA"]
    for bad in ("", "5", "phase", "1/x"):
        with pytest.raises(FilterError):
            phase_values(bad)


def test_query_text_is_read_as_words_phrases_or_and_minus() -> None:
    query = parse_query('small "lung cancer" -pediatric cisplatin OR carboplatin')
    assert query is not None
    assert query.to_fts5() == (
        '("small" AND "lung cancer" AND ("cisplatin" OR "carboplatin")) NOT ("pediatric")'
    )
    assert query.to_websearch() == '"small" "lung cancer" "cisplatin" or "carboplatin" -"pediatric"'
    assert parse_query("NEAR/3 x*") is not None
    assert parse_query("NEAR/3 x*").to_fts5() == '"NEAR 3" AND "x"'  # type: ignore[union-attr]
    for nothing in (None, "", '"', "* - ()", "-lung"):
        assert parse_query(nothing) is None
    long = parse_query("word " * 1000)
    assert long is not None and len(long.required) == 64
