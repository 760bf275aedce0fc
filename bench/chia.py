"""eligo's reading of criteria against the Chia corpus, as far as the two map.

    python bench/chia.py ../shared/data/chia/chia_with_scope/
    python bench/chia.py CHIA_DIR --examples 5 --json figures.json

Chia (Kury et al. 2020) annotates the criteria of 1,000 trials in BRAT, one criterion a line,
inclusion and exclusion in separate files (``NCT…_inc.txt``, ``NCT…_exc.txt``). Each line is
parsed on its own with eligo.parse.parse_criterion. What is compared:

- Condition entities with eligo's ``condition`` leaves; Drug entities with ``prior_therapy``
  leaves naming a drug or a drug class; Procedure entities with ``procedure`` leaves; Measurement
  entities with ``measurement``, ``derived``, ``biomarker`` and ``performance_status`` leaves.
  A leaf matches an entity when their spans overlap. eligo places a measurement on its threshold
  ("≥100 000/mm3"), Chia on the name ("platelet count"): a leaf also matches the entity whose
  Value (``Has_value``) it overlaps, or the Value of a Scope holding the entity ("AST and ALT").
- Value entities holding a number with eligo's thresholds, and Temporal entities holding a number
  with eligo's time windows, as in the LCT benchmark (compare.py): spans overlap and the same
  number, operator for values, time unit for windows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import brat
from compare import (
    CATEGORIES,
    Found,
    Gold,
    OffsetMap,
    Score,
    Span,
    Tally,
    comparisons,
    fact_spans,
    overlaps,
    read_numbers,
    read_operator,
    score_document,
    time_unit_in,
    unit_after_number,
    unread_spans,
)

from eligo.model.expression import (
    Biomarker,
    Condition,
    Expression,
    Measurement,
    PerformanceStatus,
    PriorTherapy,
    Procedure,
)

#: Chia entity type → the eligo leaves it is compared with.
CONCEPTS = {
    "Condition": lambda n: isinstance(n, Condition),
    "Drug": lambda n: isinstance(n, PriorTherapy) and bool(n.drug or n.drug_class),
    "Procedure": lambda n: isinstance(n, Procedure),
    "Measurement": lambda n: isinstance(n, Measurement | Biomarker | PerformanceStatus),
}


@dataclass
class Lines:
    """eligo's reading of one file, line by line, in document offsets."""

    leaves: list[tuple[str, Span, str]] = field(default_factory=list)  # (type, span, label)
    found: list[Found] = field(default_factory=list)
    unread: list[Span] = field(default_factory=list)
    facts: list[tuple[str, Span]] = field(default_factory=list)
    context: dict[int, str] = field(default_factory=dict)
    count: int = 0


def read_lines(document: brat.Document) -> Lines:
    kind = "exclusion" if document.name.endswith("_exc") else "inclusion"
    result = Lines()
    start = 0
    for line in document.text.split("\n"):
        end = start + len(line)
        if line.strip():
            result.count += 1
            expression = parse_line(line, kind)
            offsets = OffsetMap(line, document.text, start)
            _collect(result, expression, offsets, (start, end), line)
        start = end + 1
    return result


def parse_line(line: str, kind: str) -> Expression:
    from eligo.parse import parse_criterion

    return parse_criterion(line.replace("\r", " "), kind)


def _collect(result: Lines, expression: Expression, offsets: OffsetMap, whole: Span,
             line: str) -> None:  # fmt: skip
    for node in expression.walk():
        if node.span is None:
            continue
        for type_, test in CONCEPTS.items():
            if test(node):
                label = next((str(v) for v in node.args.values() if isinstance(v, str)), "")
                result.leaves.append((type_, offsets.span(tuple(node.span)), label))  # type: ignore[arg-type]
    items = comparisons(expression, offsets, whole)
    for item in items:
        result.context[id(item)] = " ".join(line.split())
    result.found.extend(items)
    result.unread.extend(unread_spans(expression, offsets))
    result.facts.extend(fact_spans(expression, offsets))


def gold_values(document: brat.Document, skipped: Counter[str]) -> list[Gold]:
    """Value and Temporal entities that hold a number, as comparisons."""
    owners = {
        r.arguments[1][1]: r.arguments[0][1] for r in document.relations if r.type == "Has_value"
    }
    golds = []
    for entity in document.of_type("Value", "Temporal"):
        numbers = read_numbers(entity.text)
        if not numbers:
            skipped[f"{entity.type} without a number"] += 1
            continue
        owner = document.entities.get(owners.get(entity.id, ""))
        temporal = entity.type == "Temporal"
        golds.append(
            Gold(
                category="temporal" if temporal else "value",
                operator=None if temporal else read_operator(entity.text),
                values=numbers,
                unit=None if temporal else unit_after_number(entity.text),
                time_unit=time_unit_in(entity.text),
                span=(entity.start, entity.end),
                text=entity.text,
                group=owner.type if owner else entity.type,
                document=document.name,
                subject=" ".join(owner.text.lower().split()) if owner else "",
            )
        )
    return golds


@dataclass
class ConceptTally:
    scores: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in CONCEPTS})
    missed: Counter[tuple[str, str]] = field(default_factory=Counter)
    missed_words: Counter[tuple[str, str]] = field(default_factory=Counter)
    extra_words: Counter[tuple[str, str]] = field(default_factory=Counter)


def score_concepts(tally: ConceptTally, document: brat.Document, lines: Lines) -> None:
    values_of: dict[str, list[Span]] = {}
    for relation in document.relations:
        if relation.type == "Has_value":
            value = document.entities.get(relation.arguments[1][1])
            if value is not None:
                values_of.setdefault(relation.arguments[0][1], []).append((value.start, value.end))
    scopes = [(e.start, e.end, values_of.get(e.id, [])) for e in document.of_type("Scope")]
    for type_ in CONCEPTS:
        golds = document.of_type(type_)
        # A value of a scope ("AST and ALT < 2.5 × ULN") is the value of each entity inside it.
        spans = {
            g.id: [(g.start, g.end), *values_of.get(g.id, []),
                   *(v for a, b, vs in scopes if a <= g.start and g.end <= b for v in vs)]
            for g in golds
        }  # fmt: skip
        leaves = [(span, label) for t, span, label in lines.leaves if t == type_]
        score = tally.scores[type_]
        for span, label in leaves:
            hit = any(overlaps(span, s) for g in golds for s in spans[g.id])
            score.found += 1
            score.found_right += hit
            if not hit:
                tally.extra_words[(type_, label)] += 1
        for gold in golds:
            hit = any(overlaps(span, s) for span, _ in leaves for s in spans[gold.id])
            score.annotated += 1
            score.recalled += hit
            if not hit:
                tally.missed[(type_, _concept_miss(gold, lines))] += 1
                tally.missed_words[(type_, " ".join(gold.text.lower().split()))] += 1


def _concept_miss(gold: brat.Entity, lines: Lines) -> str:
    span = (gold.start, gold.end)
    if any(overlaps(span, s) for s in lines.unread):
        return "inside text not understood"
    kinds = [kind for kind, s in lines.facts if overlaps(span, s)]
    kinds += [t.lower() for t, s, _ in lines.leaves if overlaps(span, s)]
    if kinds:
        return f"read as {Counter(kinds).most_common(1)[0][0]}"
    return "nothing read there"


def report(concepts: ConceptTally, tally: Tally, skipped: Counter[str], examples: int) -> None:
    print("Concepts (spans overlap):")
    for type_, score in concepts.scores.items():
        print(score.line(type_))
    print("Values and time windows (strict: same number, operator, time unit):")
    for category in CATEGORIES:
        label = "values/thresholds" if category == "value" else "temporal windows"
        print(tally.strict[category].line(label))
    print(tally.overall.line("overall"))
    print("Loose (spans overlap, same category):")
    for category in CATEGORIES:
        label = "values/thresholds" if category == "value" else "temporal windows"
        print(tally.loose[category].line(label))
    print("Spans of eligo's comparisons taken from:", dict(tally.span_sources))
    print("Annotations left out:", dict(skipped))
    print("\nMissed concepts, by reason:")
    for (type_, reason), count in concepts.missed.most_common(16):
        print(f"  {type_:<12} {reason:<30} {count:>5}")
    for type_ in CONCEPTS:
        common = [(w, n) for (t, w), n in concepts.missed_words.most_common() if t == type_][:12]
        print(f"  most missed {type_}: " + ", ".join(f"{w} {n}" for w, n in common))
        extra = [(w, n) for (t, w), n in concepts.extra_words.most_common() if t == type_][:8]
        listed = ", ".join(f"{w} {n}" for w, n in extra)
        print(f"  eligo {type_} leaves on no annotation: {listed}")
    print("\nMissed values and windows, by reason:")
    by_reason: Counter[tuple[str, str]] = Counter()
    for (category, reason, _group), count in tally.missed.items():
        by_reason[(category, reason)] += count
    for (category, reason), count in by_reason.most_common():
        print(f"  {category:<8} {reason:<30} {count:>5}")
    for (category, reason), count in tally.wrong.most_common():
        print(f"  eligo {category} {reason}: {count}")
    if examples:
        print("\nExamples:")
        for (category, kind), texts in sorted(tally.examples.items()):
            print(f"  [{category}] {kind}")
            for text in texts[:examples]:
                print(f"      {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the Chia folder of .ann/.txt pairs")
    parser.add_argument("--examples", type=int, default=3, help="examples per kind of miss")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    conf = args.path / "annotation.conf"
    if conf.is_file() and "Condition" not in brat.read_conf(conf).get("[entities]", []):
        sys.exit(f"{conf}: no Condition entities: not the Chia annotation scheme")
    concepts, tally, skipped = ConceptTally(), Tally(), Counter[str]()
    documents = criteria = 0
    started = time.perf_counter()
    for document in brat.read_corpus(args.path):
        for problem in document.problems:
            print(problem, file=sys.stderr)
        lines = read_lines(document)
        score_concepts(concepts, document, lines)
        score_document(tally, gold_values(document, skipped), lines.found, lines.unread,
                       lines.facts, lines.context)  # fmt: skip
        documents += 1
        criteria += lines.count
    if not documents:
        sys.exit(f"{args.path}: no .ann files with their .txt")
    elapsed = time.perf_counter() - started
    print(f"Chia: {documents} files, {criteria} criteria parsed in {elapsed:.1f} s\n")
    report(concepts, tally, skipped, args.examples)
    if args.json:
        data = {
            "files": documents,
            "criteria": criteria,
            "concepts": {t: vars(s) | {"precision": s.precision, "recall": s.recall}
                         for t, s in concepts.scores.items()},  # fmt: skip
            "values": {c: vars(tally.strict[c]) for c in CATEGORIES},
            "overall": vars(tally.overall),
        }
        args.json.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
