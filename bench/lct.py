"""eligo's numeric and temporal comparisons against the Leaf Clinical Trials corpus.

    python bench/lct.py ../shared/data/lct/            # the folder with annotation.conf
    python bench/lct.py LCT_DIR --examples 5 --json figures.json

LCT (Dobbins et al. 2022) annotates every comparison in eligibility text as an
``Eq-Comparison`` event: an operator (EQ, LT, LTEQ, GT, GTEQ, BETWEEN, PLUS-MINUS), one or two
values, a unit, a time unit, a temporal period; and says what it qualifies (the
``Numeric-Filter`` of an observation or an age, the ``Temporality`` or ``Duration`` of a
condition, drug or procedure, a ``Stage``, a ``Minimum-Count``, a ``Dose`` …).

An annotated comparison with a number is a *temporal window* when it is the Temporality or
Duration of something (or, qualifying nothing, has a time unit or counts half-lives), and a
*value/threshold* otherwise. A time unit without a number counts one unit ("within the last
year"); comparisons without a number or time unit ("previously", "current") are left out and
counted. Each document is segmented with eligo.criteria.segment and each criterion
parsed on its own with eligo.parse.parse_criterion; see compare.py for the matching.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import brat
from compare import (
    CATEGORIES,
    Found,
    Gold,
    OffsetMap,
    Span,
    Tally,
    comparisons,
    fact_spans,
    read_number,
    score_document,
    time_unit,
    unread_spans,
    words,
)

from eligo.criteria import segment
from eligo.parse import parse_criterion

TEMPORAL_ROLES = ("Temporality", "Duration")


def check_conf(root: Path) -> None:
    conf_path = root / "annotation.conf"
    if not conf_path.is_file():
        sys.exit(f"{root}: no annotation.conf: give the LCT folder (the one holding nic/)")
    conf = brat.read_conf(conf_path)
    if "Eq-Comparison" not in conf.get("[events]", []) or "Eq-Operator-Value" not in conf:
        sys.exit(f"{conf_path}: no Eq-Comparison events: not the LCT annotation scheme")


def _qualified(document: brat.Document) -> dict[str, tuple[str, str, str]]:
    """Eq-Comparison event id → (type of what it qualifies, role, its words)."""
    found: dict[str, tuple[str, str, str]] = {}
    for event in document.events.values():
        for role, argument in event.arguments:
            target = document.events.get(argument)
            if target is not None and target.type == "Eq-Comparison":
                names = [document.entity(i) for i in event.role("Name")]
                subject = names[0] if names and names[0] else document.entities.get(event.trigger)
                words_ = " ".join(subject.text.lower().split()) if subject else ""
                found.setdefault(argument, (event.type, role.rstrip("0123456789"), words_))
    return found


def gold_comparisons(document: brat.Document, skipped: Counter[str]) -> list[Gold]:
    table = words()
    qualified = _qualified(document)
    golds = []
    for event in document.events.values():
        if event.type != "Eq-Comparison":
            continue
        trigger = document.entities[event.trigger]
        values = [document.entity(i) for i in event.role("Value")]
        numbers = tuple(n for n in (read_number(v.text) for v in values if v) if n is not None)
        if not values and event.role("Temporal-Unit"):
            numbers = (1.0,)  # "within the last year", "in the past week": one unit
        if not numbers:
            skipped["no number (a period such as 'previously')" if not values
                    else "a value that is no number (a date, 'moderate')"] += 1  # fmt: skip
            continue
        operator = None
        for ident in event.role("Operator"):
            code = document.attribute(ident, "Eq-Operator-Value")
            operator = table["operators"].get(code or "", operator)
        unit = _unit(document, event, values, trigger)
        timed = None
        for ident in event.role("Temporal-Unit"):
            code = document.attribute(ident, "Eq-Temporal-Unit-Value")
            entity = document.entity(ident)
            timed = table["time_units"].get(code or "") or time_unit(entity.text if entity else "")
        if timed is None and time_unit(unit) == "half_lives":
            timed = "half_lives"
        parent, role, subject = qualified.get(event.id, ("nothing", "", ""))
        temporal = role in TEMPORAL_ROLES or (parent == "nothing" and timed is not None)
        if len(numbers) > 1 and operator in (None, "="):
            operator = "between"  # "= 18.5-29.9 kg/m2"
        golds.append(
            Gold(
                category="temporal" if temporal else "value",
                operator=operator,
                values=numbers,
                unit=unit,
                time_unit=timed,
                span=(trigger.start, trigger.end),
                text=trigger.text,
                group=f"{parent} {role}".strip(),
                document=document.name,
                subject=subject,
            )
        )
    return golds


def _unit(
    document: brat.Document,
    event: brat.Event,
    values: list[brat.Entity | None],
    trigger: brat.Entity,
) -> str | None:
    """The unit as written after the last value ("< 50,000/mm3" → "/mm3", where the annotation
    marks only "mm3"), else the annotated unit and per ("mg" + "dL" → "mg/dL")."""
    last = max((v.end for v in values if v), default=trigger.end)
    written = document.text[last : trigger.end].strip()
    if written and not time_unit(written) and any(c.isalpha() for c in written):
        return written
    units = [e.text for e in map(document.entity, event.role("Unit")) if e]
    per = [e.text for e in map(document.entity, event.role("Per")) if e]
    text = " ".join(units) + "".join(f"/{p}" for p in per)
    return text or None


def eligo_comparisons(
    document: brat.Document,
) -> tuple[list[Found], list[Span], list[tuple[str, Span]], dict[int, str], int]:
    found: list[Found] = []
    unread: list[Span] = []
    facts: list[tuple[str, Span]] = []
    context: dict[int, str] = {}
    count = 0
    for top in segment(document.text):
        for criterion in top.walk():
            if criterion.span is None:
                continue
            count += 1
            topic = criterion.section.split("/")[-1].strip() if criterion.section else None
            expression = parse_criterion(criterion.text, criterion.kind, topic=topic)
            offsets = OffsetMap(criterion.text, document.text, criterion.span[0])
            items = comparisons(expression, offsets, criterion.span)
            for item in items:
                context[id(item)] = " ".join(criterion.text.split())
            found.extend(items)
            unread.extend(unread_spans(expression, offsets))
            facts.extend(fact_spans(expression, offsets))
    return found, unread, facts, context, count


def report(tally: Tally, skipped: Counter[str], examples: int) -> None:
    print("Strict (spans overlap, same number, operator for values, time unit for windows):")
    for category in CATEGORIES:
        label = "values/thresholds" if category == "value" else "temporal windows"
        print(tally.strict[category].line(label))
    print(tally.overall.line("overall"))
    print("Loose (spans overlap, same category):")
    for category in CATEGORIES:
        label = "values/thresholds" if category == "value" else "temporal windows"
        print(tally.loose[category].line(label))
    print("Spans of eligo's comparisons taken from:", dict(tally.span_sources))
    print("Annotated comparisons left out:", dict(skipped))
    print("\nMissed annotated comparisons, by reason and by what they qualify:")
    by_reason: Counter[tuple[str, str]] = Counter()
    for (category, reason, _group), count in tally.missed.items():
        by_reason[(category, reason)] += count
    for (category, reason), count in by_reason.most_common():
        groups = Counter(
            {g: n for (c, r, g), n in tally.missed.items() if (c, r) == (category, reason)}
        )
        top = ", ".join(f"{g} {n}" for g, n in groups.most_common(4))
        print(f"  {category:<8} {reason:<28} {count:>5}   ({top})")
    for category in CATEGORIES:
        subjects = Counter({s: n for (c, s), n in tally.missed_subjects.items() if c == category})
        top = ", ".join(f"{s} {n}" for s, n in subjects.most_common(15))
        print(f"  most missed {category} subjects: {top}")
    print("\neligo comparisons matching no annotation:")
    for (category, reason), count in tally.wrong.most_common():
        print(f"  {category:<8} {reason:<30} {count:>5}")
    if examples:
        print("\nExamples:")
        for (category, kind), texts in sorted(tally.examples.items()):
            print(f"  [{category}] {kind}")
            for text in texts[:examples]:
                print(f"      {text}")


def figures(tally: Tally, skipped: Counter[str], documents: int, criteria: int) -> dict:
    def score(s: object) -> dict:
        return {k: getattr(s, k) for k in ("found", "found_right", "annotated", "recalled",
                                           "precision", "recall", "f1")}  # fmt: skip

    return {
        "documents": documents,
        "criteria": criteria,
        "strict": {c: score(tally.strict[c]) for c in CATEGORIES},
        "overall": score(tally.overall),
        "loose": {c: score(tally.loose[c]) for c in CATEGORIES},
        "left_out": dict(skipped),
        "missed": [
            {"category": c, "reason": r, "qualifies": g, "count": n}
            for (c, r, g), n in tally.missed.most_common()
        ],
        "extra": [{"category": c, "reason": r, "count": n} for (c, r), n in tally.wrong.items()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the LCT folder (annotation.conf, nic/)")
    parser.add_argument("--examples", type=int, default=3, help="examples per kind of miss")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    check_conf(args.path)
    tally, skipped = Tally(), Counter[str]()
    documents = criteria = 0
    started = time.perf_counter()
    for document in brat.read_corpus(args.path):
        for problem in document.problems:
            print(problem, file=sys.stderr)
        golds = gold_comparisons(document, skipped)
        found, unread, facts, context, count = eligo_comparisons(document)
        score_document(tally, golds, found, unread, facts, context)
        documents += 1
        criteria += count
    elapsed = time.perf_counter() - started
    print(f"LCT: {documents} documents, {criteria} criteria parsed in {elapsed:.1f} s\n")
    report(tally, skipped, args.examples)
    if args.json:
        args.json.write_text(json.dumps(figures(tally, skipped, documents, criteria), indent=2))


if __name__ == "__main__":
    main()
