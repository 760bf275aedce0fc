"""Trial ranking on TREC Clinical Trials 2021: eligo's score beside a plain BM25 baseline.

    python bench/trec.py ../shared/data/trec2021 \\
        --archive ../shared/data/ctgov/all_records_xml.tar.gz

For every topic of ``queries.jsonl`` the judged trials whose record is in the archive
(``qrels-with-text.tsv``: 0 not relevant, 1 excluded, 2 eligible) are ranked twice, in the same
run:

- **eligo**: the topic text read as a note (``eligo.patients.read_note``) is the patient; the
  trials are read with ``eligo.ingest.read_trials``, cut with ``eligo.criteria.analyse`` and
  parsed with ``eligo.parse.parse_criteria``, prepared once as one ``TrialSet`` over all judged
  trials (so the text match has the whole pool's word statistics), and ``match(...)`` scores
  them; the judged trials of the topic are ranked by that score.
- **BM25**: ``bm25s`` (Lucene variant, k1 = 1.5, b = 0.75, English stop words) over each trial's
  full text (titles, conditions, keywords, summary, description, eligibility text), the topic
  text as the query, indexed over the same pool.

Figures, averaged over topics: NDCG@10 with graded gains 0/1/2, P@10 with relevance ≥ 1 and
with relevance 2 alone (a list shorter than 10 counts the missing ranks as misses, as trec_eval
does; the ceiling row shows the best any ranking can do), and the AUROC of eligible (2) against
excluded (1) trials, pooled over all topics' pairs and averaged per topic. Ties are broken by
trial id. Parsed trials are cached in a pickle (``--cache``) between runs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import pickle
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from common import auroc, bootstrap_interval, ndcg, precision_at, ranked

Scores = dict[str, float]  # trial id -> score, for one topic


@dataclass(frozen=True)
class Topic:
    topic_id: str
    text: str
    judged: dict[str, int]  # trial id -> relevance 0/1/2


def read_topics(folder: Path) -> list[Topic]:
    """The topics that have judged trials with text, with their judgments."""
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    qrels = folder / "qrels-with-text.tsv"
    with qrels.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            try:
                judged[row["query-id"]][row["corpus-id"]] = int(row["score"])
            except (KeyError, ValueError, TypeError):
                sys.exit(f"{qrels}: line {number}: expected query-id, corpus-id and a score")
    topics = []
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            query = json.loads(line)
            if query["_id"] in judged:
                topics.append(Topic(query["_id"], query["text"], judged[query["_id"]]))
    return topics


# -- trials ------------------------------------------------------------------------------------


def code_fingerprint() -> str:
    """A hash of the code and data that read and parse trials: a cache made by other code is
    not used."""
    import eligo

    root = Path(eligo.__file__).parent
    digest = hashlib.sha256()
    for part in ("ingest", "criteria", "parse", "vocab", "model"):
        for path in sorted((root / part).rglob("*")):
            if path.suffix in (".py", ".json", ".yaml") and path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def load_trials(archive: Path, wanted: set[str], cache: Path | None) -> list[tuple]:
    """(trial, parsed criteria) for the wanted ids found in the archive, from the cache when
    it holds exactly those ids and was made by the same code."""
    fingerprint = code_fingerprint()
    if cache and cache.exists():
        with cache.open("rb") as handle:
            stored = pickle.load(handle)
        if (stored.get("archive") == str(archive) and stored.get("wanted") == sorted(wanted)
                and stored.get("code") == fingerprint):
            print(f"trials from the cache {cache}", file=sys.stderr)
            return stored["pairs"]
    from eligo.criteria import analyse
    from eligo.errors import RecordError
    from eligo.ingest import read_trials
    from eligo.parse import parse_criteria

    started, pairs = time.perf_counter(), []
    for item in read_trials(archive):
        if isinstance(item, RecordError) or item.trial_id not in wanted:
            continue
        eligibility = analyse(item)
        trial = item.model_copy(update={"cohorts": eligibility.cohorts})
        pairs.append((trial, parse_criteria(eligibility.criteria)))
    print(f"read and parsed {len(pairs)} trials in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    if cache:
        with cache.open("wb") as handle:
            pickle.dump({"archive": str(archive), "wanted": sorted(wanted), "code": fingerprint,
                         "pairs": pairs}, handle)
    return pairs


def full_text(trial) -> str:  # noqa: ANN001 - an eligo.model.Trial
    parts = [trial.brief_title, trial.official_title, " ".join(trial.conditions),
             " ".join(trial.keywords), trial.brief_summary, trial.detailed_description,
             trial.eligibility_text]
    return "\n".join(p for p in parts if p)


# -- the two rankers ---------------------------------------------------------------------------


def bm25_scores(pairs: list[tuple], topics: list[Topic]) -> dict[str, Scores]:
    import bm25s

    ids = [trial.trial_id for trial, _ in pairs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([full_text(t) for t, _ in pairs], stopwords="en",
                                   show_progress=False), show_progress=False)
    out = {}
    for topic in topics:
        query = bm25s.tokenize([topic.text], stopwords="en", show_progress=False,
                               return_ids=False)[0]
        raw = retriever.get_scores(query)
        out[topic.topic_id] = {i: float(s) for i, s in zip(ids, raw, strict=True)
                               if i in topic.judged}
    return out


@dataclass
class EligoRun:
    score: dict[str, Scores]
    relevance: dict[str, Scores]
    eligibility: dict[str, Scores]  # the score's eligibility weight, relevance divided out
    verdicts: dict[str, dict[str, str]]
    seconds: float
    failing: list[str]  # lines: eligible-judged trials eligo calls ineligible, and why


def eligo_scores(pairs: list[tuple], topics: list[Topic], as_of: dt.date,
                 prefer_open: bool = False) -> EligoRun:
    from eligo.engine import TrialSet, match
    from eligo.patients import read_note

    trials = TrialSet(pairs)
    # the records are 2023 versions of 2021's trials: their status says nothing of 2021
    trials.prefer_open = prefer_open
    trials.index  # noqa: B018 - build the text index before timing
    run = EligoRun({}, {}, {}, {}, 0.0, [])
    for topic in topics:
        started = time.perf_counter()
        patient = read_note(topic.text, as_of=as_of).patient
        found = match(patient, trials, as_of=as_of, note=topic.text)
        results = [r for r in found if r.trial_id in topic.judged]
        run.seconds += time.perf_counter() - started
        key = topic.topic_id
        run.score[key] = {r.trial_id: r.score for r in results}
        run.relevance[key] = {r.trial_id: r.relevance for r in results}
        run.eligibility[key] = {r.trial_id: r.score / (0.3 + 0.7 * r.relevance)
                                for r in results}
        run.verdicts[key] = {r.trial_id: r.verdict for r in results}
        for r in results:
            if topic.judged[r.trial_id] == 2 and r.verdict == "ineligible":
                run.failing.append(f"[{key}] {r.trial_id} {r.title}")
                run.failing.extend(f"  {c.kind} {c.verdict}: {c.text[:300]}\n    eligo: {c.reason}"
                                   for c in r.failing)
    return run


# -- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    ndcg10: float
    p10: float
    p10_eligible: float
    auroc_pooled: float | None
    auroc_topics: float | None
    topics: int
    per_topic_ndcg: tuple[float, ...] = ()


def figures(scores: dict[str, Scores], topics: list[Topic]) -> Figures:
    ndcgs, p10s, p10e, per_topic = [], [], [], []
    positives, negatives = [], []
    for topic in topics:
        mine = scores.get(topic.topic_id, {})
        gains = [topic.judged[t] for t in ranked(list(mine.items()))]
        ndcgs.append(ndcg(gains, 10))
        p10s.append(precision_at(gains, 10, 1))
        p10e.append(precision_at(gains, 10, 2))
        pos = [s for t, s in mine.items() if topic.judged[t] == 2]
        neg = [s for t, s in mine.items() if topic.judged[t] == 1]
        positives += pos
        negatives += neg
        area = auroc(pos, neg)
        if area is not None:
            per_topic.append(area)
    return Figures(statistics.mean(ndcgs), statistics.mean(p10s), statistics.mean(p10e),
                   auroc(positives, negatives),
                   statistics.mean(per_topic) if per_topic else None, len(topics), tuple(ndcgs))


def ceiling(topics: list[Topic]) -> dict[str, Scores]:
    """The ideal ranking: the judgments themselves as scores."""
    return {t.topic_id: {i: float(r) for i, r in t.judged.items()} for t in topics}


def _row(name: str, f: Figures) -> str:
    def num(x: float | None) -> str:
        return "   -  " if x is None else f"{x:6.3f}"

    return (f"  {name:<28} {f.ndcg10:6.3f} {f.p10:6.3f} {f.p10_eligible:6.3f} "
            f"{num(f.auroc_pooled)} {num(f.auroc_topics)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trec_dir", type=Path, help="folder with queries.jsonl and "
                                                    "qrels-with-text.tsv")
    parser.add_argument("--archive", type=Path, required=True,
                        help="the trial records (all_records_xml.tar.gz, or a folder)")
    parser.add_argument("--as-of", default="2021-06-01",
                        help="as-of date for the topics (the track's year by default)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/eligo-trec-trials.pickle"))
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--runs", type=Path, help="write each topic's rankings (JSON lines)")
    parser.add_argument("--prefer-open", action="store_true",
                        help="rank trials not recruiting (by the 2023 record) a little lower, as "
                             "eligo match does for people; off by default")
    parser.add_argument("--failing", type=Path,
                        help="write the criteria that make eligible-judged trials ineligible")
    args = parser.parse_args()
    topics = read_topics(args.trec_dir)
    wanted = {t for topic in topics for t in topic.judged}
    pairs = load_trials(args.archive, wanted, None if args.no_cache else args.cache)
    found = {trial.trial_id for trial, _ in pairs}
    topics = [Topic(t.topic_id, t.text, {i: r for i, r in t.judged.items() if i in found})
              for t in topics]
    topics = [t for t in topics if t.judged]
    judged = sum(len(t.judged) for t in topics)
    print(f"{len(topics)} topics, {judged} judged pairs, {len(pairs)} trials in the pool; "
          f"{sum(any(r for r in t.judged.values()) for t in topics)} topics with a trial "
          f"judged 1 or 2")
    bm25 = bm25_scores(pairs, topics)
    run = eligo_scores(pairs, topics, dt.date.fromisoformat(args.as_of), args.prefer_open)
    print(f"eligo: {run.seconds / len(topics):.2f} s per topic (note reading and matching the "
          f"{len(pairs)}-trial pool)")
    rankings = (("eligo score", run.score), ("eligo relevance alone", run.relevance),
                ("eligo eligibility alone", run.eligibility), ("BM25 (full text)", bm25),
                ("ceiling (the judgments)", ceiling(topics)))
    with_relevant = [t for t in topics if any(t.judged.values())]
    for title, chosen in ((f"all {len(topics)} topics", topics),
                          (f"the {len(with_relevant)} topics with a trial judged 1 or 2",
                           with_relevant)):
        print(f"{title}:")
        print(f"  {'ranking':<28} {'NDCG10':>6} {'P@10':>6} {'P@10e':>6} {'AUROC':>6} "
              f"{'AUROCt':>6}")
        found = {name: figures(scores, chosen) for name, scores in rankings}
        for name, _ in rankings:
            print(_row(name, found[name]))
        diffs = [a - b for a, b in zip(found["eligo score"].per_topic_ndcg,
                                       found["BM25 (full text)"].per_topic_ndcg, strict=True)]
        low, high = bootstrap_interval(diffs)
        print(f"  eligo - BM25 NDCG@10: {statistics.mean(diffs):+.3f} (95 % bootstrap interval "
              f"{low:+.3f} to {high:+.3f}); eligo better on {sum(d > 0 for d in diffs)} topics, "
              f"worse on {sum(d < 0 for d in diffs)}")
    print("  P@10e: eligible (2) only; AUROC: eligible vs excluded pooled over topics; "
          "AUROCt: per topic, averaged")
    print(verdict_table(run, topics))
    if args.failing:
        args.failing.write_text("\n".join(run.failing) + "\n", encoding="utf-8")
    if args.runs:
        with args.runs.open("w", encoding="utf-8") as out:
            for topic in topics:
                out.write(json.dumps({
                    "topic": topic.topic_id, "judged": topic.judged,
                    "eligo": run.score[topic.topic_id], "verdicts": run.verdicts[topic.topic_id],
                    "relevance": run.relevance[topic.topic_id], "bm25": bm25[topic.topic_id],
                }) + "\n")


def verdict_table(run: EligoRun, topics: list[Topic]) -> str:
    """eligo's trial verdicts against the judgments."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for topic in topics:
        for trial, verdict in run.verdicts[topic.topic_id].items():
            counts[(topic.judged[trial], verdict)] += 1
    names = ("eligible", "possibly_eligible", "ineligible")
    lines = ["  judged \\ eligo verdict   " + " ".join(f"{n:>17}" for n in names)]
    for rel, label in ((2, "2 eligible"), (1, "1 excluded"), (0, "0 not relevant")):
        lines.append(f"  {label:<24} " + " ".join(f"{counts[(rel, n)]:>17}" for n in names))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
