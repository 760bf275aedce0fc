"""Parse the eligibility criteria of a folder of trial records and report speed and coverage.

    python bench/parse.py ../shared/data/ctgov/sclc_nec/            # legacy CT.gov XML
    python bench/parse.py records/ --show unparsed                  # print what was not read
    python bench/parse.py ../shared/data/ctgov/sclc_nec/ --sample 100 --seed 3 --out FILE
                                         # draw criteria to judge (tests/data/parse/)

Criteria are cut with eligo.criteria.segment and parsed with eligo.parse. Each criterion (and
sub-criterion) is counted once, by what its expression holds:

    computable  facts a record can answer (study-team leaves may sit beside them), nothing unread
    team        only leaves the study team judges
    allowed     only permissions ("prior radiotherapy allowed")
    partial     facts read, and words no rule read beside them
    unparsed    nothing read

Speed is criteria per second of CPU time on one core, parsing only (segmentation excluded),
after warm-up.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from lxml import etree

from eligo.criteria import segment
from eligo.model import Criterion
from eligo.model.expression import Allowed, Expression, Fact, Team, Unparsed, render
from eligo.parse import parse_criteria, parse_criterion


def eligibility_texts(path: Path) -> list[tuple[str, str]]:
    files = sorted(path.glob("*.xml")) if path.is_dir() else [path]
    texts = []
    for file in files:
        try:
            root = etree.parse(str(file))
        except etree.XMLSyntaxError as error:
            print(f"{file}: not readable XML ({error})", file=sys.stderr)
            continue
        text = root.findtext(".//eligibility/criteria/textblock")
        if text and text.strip():
            texts.append((file.stem, text))
    return texts


def category(node: Expression) -> str:
    permitted = {id(n) for a in node.find_all(Allowed) for n in a.walk()}
    leaves = [leaf for leaf in node.leaves() if id(leaf) not in permitted]
    if not leaves and permitted:
        return "allowed"
    unparsed = [leaf for leaf in leaves if isinstance(leaf, Unparsed)]
    facts = [leaf for leaf in leaves if isinstance(leaf, Fact)]
    if unparsed:
        return "partial" if len(unparsed) < len(leaves) else "unparsed"
    if facts:
        return "computable"
    if any(isinstance(leaf, Team) for leaf in leaves):
        return "team"
    return "computable"


def draw_sample(trials: list[tuple[str, list[Criterion]]], size: int, seed: int,
                out: Path) -> None:
    """Write ``size`` criteria drawn at random (``random.Random(seed)``) among those read
    completely into fact or study-team leaves (classes computable and team), one JSON object a
    line: the trial, the criterion id, kind and text, its class, its rendered expression, empty
    judgement fields, and the top-level criterion it belongs to (its sub-criteria included, no
    expressions) so a test can parse it again as it was parsed here."""
    candidates: list[tuple[str, Criterion, Criterion]] = []
    for name, criteria in sorted(trials, key=lambda pair: pair[0]):
        for top in parse_criteria(criteria):
            for criterion in top.walk():
                assert criterion.expression is not None
                if category(criterion.expression) in ("computable", "team"):
                    candidates.append((name, top, criterion))
    drawn = random.Random(seed).sample(candidates, min(size, len(candidates)))
    with out.open("w", encoding="utf-8") as handle:
        for name, top, criterion in drawn:
            assert criterion.expression is not None
            item = {
                "trial": name,
                "criterion": criterion.id,
                "kind": criterion.kind,
                "text": criterion.text,
                "class": category(criterion.expression),
                "rendered": render(criterion.expression),
                "judgment": "",
                "why": "",
                "top": _without_expressions(top.model_dump(mode="json")),
            }
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(drawn)} of {len(candidates)} fully read criteria written to {out}")


def _without_expressions(data: dict) -> dict:
    data.pop("expression", None)
    data["children"] = [_without_expressions(child) for child in data.get("children", [])]
    return data


def _pattern(text: str) -> str:
    text = re.sub(r"\d+(?:[.,]\d+)?", "#", text.lower())
    return " ".join(text.split())[:60]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--show", choices=["unparsed", "partial", "all"], default=None)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sample", type=int, default=0, help="draw N criteria to judge")
    parser.add_argument("--seed", type=int, default=3, help="seed of the draw")
    parser.add_argument("--out", type=Path, help="where --sample writes (JSON lines)")
    args = parser.parse_args()

    records = eligibility_texts(args.path)
    trials: list[tuple[str, list[Criterion]]] = [(name, segment(text)) for name, text in records]
    if args.sample:
        if args.out is None:
            sys.exit("--sample needs --out")
        draw_sample(trials, args.sample, args.seed, args.out)
        return
    flat = [c for _, criteria in trials for top in criteria for c in top.walk()]
    if not flat:
        sys.exit("no criteria found")
    def topic(criterion: Criterion) -> str | None:
        return criterion.section.split("/")[-1].strip() if criterion.section else None

    for criterion in flat[:50]:
        parse_criterion(criterion.text, criterion.kind, topic=topic(criterion))  # warm-up
    started = time.process_time()  # CPU time of this one thread: other load does not count
    for criterion in flat:
        parse_criterion(criterion.text, criterion.kind, topic=topic(criterion))
    elapsed = time.process_time() - started

    counts: Counter[str] = Counter()
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    for name, criteria in trials:
        for top in parse_criteria(criteria):
            for criterion in top.walk():
                assert criterion.expression is not None
                kind = category(criterion.expression)
                counts[kind] += 1
                for leaf in criterion.expression.find_all(Unparsed):
                    for piece in leaf.text.split(" … "):
                        phrases[_pattern(piece)] += 1
                        words.update(w for w in re.findall(r"[a-z]{3,}", piece.lower()))
                if args.show in (kind, "all"):
                    print(f"--- {name} {criterion.id} [{kind}]\n{criterion.text}")
                    print(render(criterion.expression))
    total = sum(counts.values())
    print(f"records: {len(records)}  criteria: {total}")
    print(f"speed: {len(flat) / elapsed:,.0f} criteria/s (one core, parsing only)")
    for kind in ("computable", "team", "allowed", "partial", "unparsed"):
        print(f"  {kind:<11} {counts[kind]:>5}  {counts[kind] / total:6.1%}")
    understood = counts["computable"] + counts["team"]
    print(f"fact or team leaves, nothing unread: {understood / total:.1%}"
          f"  (with permissions: {(understood + counts['allowed']) / total:.1%})")
    some = understood + counts["partial"]
    print(f"fact or team leaves, words unread beside them allowed: {some / total:.1%}"
          f"  (unparsed only: {counts['unparsed'] / total:.1%})")
    print(f"\nmost frequent unread words (top {args.top}):")
    print("  " + ", ".join(f"{w} {n}" for w, n in words.most_common(args.top)))
    print(f"\nmost frequent unread phrases (top {args.top}):")
    for phrase, n in phrases.most_common(args.top):
        print(f"  {n:>4}  {phrase}")


if __name__ == "__main__":
    main()
