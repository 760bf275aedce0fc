"""The benchmark scripts' own logic, on hand-worked examples: agreement figures, ranking figures,
the mapping of eligo's verdicts to the expert labels, and reading the benchmark files."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import common  # noqa: E402
import criteria as bench_criteria  # noqa: E402
import trec  # noqa: E402

# -- agreement --------------------------------------------------------------------------------


def test_agreement_counts_precision_recall_and_macro_f1() -> None:
    gold = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "c", "c"]
    result = common.agreement(gold, predicted, ["a", "b", "c"])
    assert result.correct == 4 and result.accuracy == pytest.approx(4 / 6)
    a, b, c = result.per_label
    assert (a.precision, a.recall) == (1.0, pytest.approx(2 / 3))
    assert (b.precision, b.recall) == (0.5, 0.5)
    assert (c.precision, c.recall) == (0.5, 1.0)
    f1s = [0.8, 0.5, 2 / 3]
    assert [s.f1 for s in result.per_label] == pytest.approx(f1s)
    assert result.macro_f1 == pytest.approx(sum(f1s) / 3)
    assert result.confusion[("a", "b")] == 1 and result.confusion[("b", "c")] == 1


def test_macro_f1_counts_unpredicted_gold_labels_zero_and_skips_prediction_only_labels() -> None:
    result = common.agreement(["a", "b"], ["a", "z"], ["a", "b"])
    assert result.labels == ("a", "b", "z")
    # a: F1 1; b: never predicted, F1 0; z: no gold support, left out of the mean
    assert result.macro_f1 == pytest.approx(0.5)


def test_agreement_refuses_sequences_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        common.agreement(["a", "b"], ["a"])


def test_confusion_table_rows_are_gold_and_columns_predicted() -> None:
    result = common.agreement(["x", "x", "y"], ["y", "x", "y"], ["x", "y"])
    rows = common.confusion_table(result).splitlines()[1:]
    assert rows[0].split()[1:] == ["1", "1"]
    assert rows[1].split()[1:] == ["0", "1"]


# -- ranking ----------------------------------------------------------------------------------


def test_ndcg_with_graded_gains_worked_by_hand() -> None:
    # DCG = 2/log2(2) + 0 + 1/log2(4) = 2.5; ideal 2 + 1/log2(3)
    assert common.ndcg([2, 0, 1], 10) == pytest.approx(2.5 / (2 + 1 / math.log2(3)))
    assert common.ndcg([2, 1, 0], 10) == pytest.approx(1.0)
    assert common.ndcg([0, 0], 10) == 0.0


def test_ndcg_cut_off_counts_only_the_first_k_ranks() -> None:
    assert common.ndcg([0, 2], 1) == 0.0
    assert common.ndcg([2, 0], 1) == pytest.approx(1.0)


def test_precision_at_k_counts_missing_ranks_as_misses() -> None:
    assert common.precision_at([2, 1, 0], 10, 1) == pytest.approx(0.2)
    assert common.precision_at([2, 1, 0], 10, 2) == pytest.approx(0.1)
    assert common.precision_at([1, 1], 1, 1) == 1.0


def test_auroc_counts_ties_half_and_needs_both_classes() -> None:
    assert common.auroc([3, 2], [1, 2]) == pytest.approx(3.5 / 4)
    assert common.auroc([1], [2]) == 0.0
    assert common.auroc([], [1]) is None


def test_bootstrap_interval_is_repeatable_and_brackets_the_mean() -> None:
    values = [0.1, -0.2, 0.3, 0.05, 0.0, 0.2]
    low, high = common.bootstrap_interval(values, rounds=2000)
    assert (low, high) == common.bootstrap_interval(values, rounds=2000)
    assert low < sum(values) / len(values) < high
    assert common.bootstrap_interval([0.5, 0.5], rounds=100) == (0.5, 0.5)


def test_ranked_breaks_ties_by_id() -> None:
    assert common.ranked([("b", 1.0), ("a", 1.0), ("c", 2.0)]) == ["c", "a", "b"]


# -- criteria: label mapping and the annotations file -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "verdict", "label"),
    [
        ("inclusion", "met", "included"),
        ("inclusion", "not_met", "not included"),
        ("inclusion", "unknown", "not enough information"),
        ("inclusion", "not_applicable", "not applicable"),
        ("exclusion", "met", "excluded"),
        ("exclusion", "not_met", "not excluded"),
        ("exclusion", "unknown", "not enough information"),
        ("exclusion", "not_applicable", "not applicable"),
        ("inclusion", "team", "not enough information"),
        ("exclusion", "team", "not enough information"),
    ],
)
def test_expert_label_maps_each_verdict(kind: str, verdict: str, label: str) -> None:
    assert bench_criteria.expert_label(kind, verdict) == label


def test_team_verdicts_can_count_in_the_patients_favour() -> None:
    assert bench_criteria.expert_label("inclusion", "team", "favourable") == "included"
    assert bench_criteria.expert_label("exclusion", "team", "favourable") == "not excluded"


def test_expert_label_refuses_unknown_kinds_and_verdicts() -> None:
    with pytest.raises(ValueError, match="kind"):
        bench_criteria.expert_label("cohort", "met")
    with pytest.raises(ValueError, match="verdict"):
        bench_criteria.expert_label("inclusion", "maybe")


def _item(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "annotation_id": 7, "patient_id": "p1", "trial_id": "NCT1",
        "note": "0. A 60-year-old man.\n1. He smokes.", "criterion_type": "Exclusion",
        "criterion_text": "Current smokers", "expert_eligibility": "excluded",
        "gpt4_eligibility": "excluded", "expert_sentences": "[1]", "training": True,
    }
    row.update(changes)
    return row


def test_read_items_keeps_good_items_and_reports_bad_ones(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    bad = _item(expert_eligibility="maybe")
    missing = _item()
    del missing["note"]
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps([_item(), bad, missing]), encoding="utf-8")
    items = bench_criteria.read_items(path)
    assert len(items) == 1
    assert items[0].kind == "exclusion" and items[0].expert_sentences == (1,)
    err = capsys.readouterr().err
    assert "item 1" in err and "item 2" in err


def test_note_sentence_finds_a_numbered_sentence() -> None:
    note = "0. A 60-year-old man.\n1. He smokes."
    assert bench_criteria.note_sentence(note, 1) == "He smokes."
    assert "not found" in bench_criteria.note_sentence(note, 5)


def _judged(verdict: str, leaves: tuple[tuple[str, str], ...] = (),
            unparsed: bool = False) -> bench_criteria.Judged:
    item = bench_criteria.Item(1, "p", "t", "note", "exclusion", "text", "not excluded", "", (),
                               None)
    return bench_criteria.Judged(item, verdict, "", "", "", leaves, unparsed)


def test_cause_sorts_wrong_items_by_what_made_the_verdict() -> None:
    absent = ("condition", "HIV: not known (the record has no complete problem list)")
    unread = ("unparsed", "not understood by eligo: rheumatic")
    missing = ("measurement", "no Platelet count in the record")
    assert _judged("team").cause == bench_criteria.CAUSES[0]
    assert _judged("unknown", (unread,), unparsed=True).cause == bench_criteria.CAUSES[1]
    assert _judged("unknown", (absent,)).cause == bench_criteria.CAUSES[2]
    assert _judged("unknown", (absent, unread)).cause == bench_criteria.CAUSES[3]
    assert _judged("unknown", (unread,)).cause == bench_criteria.CAUSES[4]
    assert _judged("unknown", (missing, absent)).cause == bench_criteria.CAUSES[5]
    assert _judged("met").cause == bench_criteria.CAUSES[7]


# -- TREC: topics and figures ------------------------------------------------------------------


def _trec_folder(tmp_path: Path) -> Path:
    (tmp_path / "queries.jsonl").write_text(
        json.dumps({"_id": "t1", "text": "man with lung cancer"}) + "\n"
        + json.dumps({"_id": "t2", "text": "no judged trials"}) + "\n", encoding="utf-8")
    (tmp_path / "qrels-with-text.tsv").write_text(
        "query-id\tcorpus-id\tscore\nt1\tN1\t2\nt1\tN2\t1\nt1\tN3\t0\n", encoding="utf-8")
    return tmp_path


def test_read_topics_joins_queries_and_judgments(tmp_path: Path) -> None:
    topics = trec.read_topics(_trec_folder(tmp_path))
    assert [t.topic_id for t in topics] == ["t1"]
    assert topics[0].judged == {"N1": 2, "N2": 1, "N3": 0}


def test_figures_for_one_topic_worked_by_hand(tmp_path: Path) -> None:
    topics = trec.read_topics(_trec_folder(tmp_path))
    # ranking N2 (1), N1 (2), N3 (0)
    found = trec.figures({"t1": {"N1": 0.5, "N2": 0.9, "N3": 0.1}}, topics)
    ideal = 2 + 1 / math.log2(3)
    assert found.ndcg10 == pytest.approx((1 + 2 / math.log2(3)) / ideal)
    assert found.p10 == pytest.approx(0.2) and found.p10_eligible == pytest.approx(0.1)
    assert found.auroc_pooled == 0.0 and found.auroc_topics == 0.0
    assert trec.figures(trec.ceiling(topics), topics).ndcg10 == pytest.approx(1.0)
