"""Figures shared by the benchmarks: label agreement (accuracy, per-label precision, recall and
F1, macro-F1, confusion matrix), ranking (graded NDCG@k, precision@k, AUROC) and memory.

Plain Python on purpose: each function is a few lines, tested on hand-worked examples in
``tests/test_bench_match_metrics.py``, so a figure in ``docs/benchmarks.md`` can be checked by hand.
"""

from __future__ import annotations

import math
import random
import resource
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScores:
    """Precision, recall and F1 of one label, with its support (how many gold items carry it)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True)
class Agreement:
    """How far predicted labels agree with gold labels on the same items."""

    labels: tuple[str, ...]
    total: int
    correct: int
    per_label: tuple[LabelScores, ...]
    confusion: dict[tuple[str, str], int]  # (gold, predicted) -> count

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def macro_f1(self) -> float:
        """Unweighted mean F1 over the labels the gold standard uses (a label nobody predicted
        counts 0, a label only the predictions use does not count)."""
        scored = [s.f1 for s in self.per_label if s.support]
        return sum(scored) / len(scored) if scored else 0.0


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def agreement(gold: Sequence[str], predicted: Sequence[str],
              labels: Sequence[str] | None = None) -> Agreement:
    """Compare two label sequences item by item; ``labels`` fixes the order of the report."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    confusion = Counter(zip(gold, predicted, strict=True))
    order = list(labels or [])
    for label in [*gold, *predicted]:
        if label not in order:
            order.append(label)
    per_label = []
    for label in order:
        hits = confusion[(label, label)]
        support = sum(1 for g in gold if g == label)
        guessed = sum(1 for p in predicted if p == label)
        precision, recall = _ratio(hits, guessed), _ratio(hits, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label.append(LabelScores(label, precision, recall, f1, support, guessed))
    correct = sum(confusion[(label, label)] for label in order)
    return Agreement(tuple(order), len(gold), correct, tuple(per_label), dict(confusion))


def agreement_table(result: Agreement, name: str) -> str:
    """The per-label table and headline figures, as printed text."""
    lines = [f"{name}: accuracy {result.accuracy:.1%} ({result.correct}/{result.total}), "
             f"macro-F1 {result.macro_f1:.3f}",
             f"  {'label':<24} {'prec':>6} {'recall':>6} {'F1':>6} {'gold':>5} {'pred':>5}"]
    for s in result.per_label:
        lines.append(f"  {s.label:<24} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} "
                     f"{s.support:>5} {s.predicted:>5}")
    return "\n".join(lines)


def confusion_table(result: Agreement, short: dict[str, str] | None = None) -> str:
    """Rows gold, columns predicted; ``short`` abbreviates the column heads."""
    short = short or {}
    heads = [short.get(label, label) for label in result.labels]
    width = max(6, *(len(h) for h in heads))
    corner = "gold \\ predicted"
    lines = [f"  {corner:<24} " + " ".join(f"{h:>{width}}" for h in heads)]
    for gold in result.labels:
        row = [result.confusion.get((gold, p), 0) for p in result.labels]
        lines.append(f"  {gold:<24} " + " ".join(f"{n:>{width}}" for n in row))
    return "\n".join(lines)


# -- ranking ------------------------------------------------------------------------------------


def dcg(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first k gains, log2 discount (trec_eval's form:
    gain / log2(rank + 1), linear gains)."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains[:k]))


def ndcg(ranked_gains: Sequence[float], k: int) -> float:
    """NDCG@k of a ranking given as its items' gains in ranked order; the ideal ranking is the
    same gains sorted. 0 when no item has a gain (trec_eval's convention)."""
    ideal = dcg(sorted(ranked_gains, reverse=True), k)
    return dcg(ranked_gains, k) / ideal if ideal > 0 else 0.0


def precision_at(ranked_gains: Sequence[float], k: int, minimum: float) -> float:
    """Share of the first k ranks holding an item of gain ≥ minimum; a list shorter than k
    counts its missing ranks as misses (as trec_eval does)."""
    return sum(1 for g in ranked_gains[:k] if g >= minimum) / k


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative, ties counting half
    (the Mann-Whitney form of the area under the ROC curve); None without both classes."""
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def bootstrap_interval(values: Sequence[float], *, rounds: int = 10_000, seed: int = 0,
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (resampled with replacement,
    fixed seed so that a run is repeatable): used for per-topic differences between rankers."""
    if not values:
        raise ValueError("no values")
    draw = random.Random(seed)
    size = len(values)
    means = sorted(sum(draw.choices(values, k=size)) / size for _ in range(rounds))
    tail = (1 - level) / 2
    return means[int(tail * rounds)], means[min(rounds - 1, int((1 - tail) * rounds))]


def ranked(items: Sequence[tuple[str, float]]) -> list[str]:
    """Item ids by score, best first; ties by id so that a run is repeatable."""
    return [key for key, _ in sorted(items, key=lambda pair: (-pair[1], pair[0]))]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
