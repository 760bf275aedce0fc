"""One criterion text: sentences, conditional subjects, clauses, and what no rule read.

- Sentences are read one by one and joined with ``all``. A sentence that only permits ("Patients
  with treated brain metastases may be included") is an exception to the others.
- "Females of childbearing potential must …", "Patients with NEPC are required to …", "For
  patients with X, …": a subject that names facts makes the sentence conditional,
  ``any(not(subject), rest)``; a plain "Patients must …" does not.
- Clauses split at ";" and at "and"/"or"/"but" before a new verb, so a negation stays in its
  clause.
- Every word is accounted for: words no rule read (other than the filler words in
  ``data/fillers.json``) are kept in an ``unparsed`` leaf beside what was read, never dropped.
"""

from __future__ import annotations

import re
from functools import cache

from eligo.model.expression import All, Allowed, Cohort, Expression, Not, Team, Unparsed
from eligo.parse.clauses import ClauseResult, read_clause
from eligo.parse.exceptions import excepted
from eligo.parse.leaves import all_of, any_of, shares_concept
from eligo.parse.lexicon import data
from eligo.parse.mentions import HEAD_KINDS
from eligo.parse.partial import read_inside
from eligo.parse.reading import Reading
from eligo.parse.text import MAX_LENGTH, Piece, depth_map, sentences, trim

_LEAD_GUARD = re.compile(
    r"^(?:for|in)\s(?:patients|subjects|participants|those|women|men|"
    r"females|males)\s(?:with|who|on|receiving|treated)\b|^if\s"
)
_HARD_SPLIT = re.compile(r";\s*(?:(or|and)\b)?")
_SPLIT = re.compile(
    r",?\s(?:and\s)?(?=recovered\b)|,?\s(?=with\sa\srequirement\b)|,?\s(?=based\son\s(?:the\s)?(?:most\srecent|local|central))"
    r"|,\s(?=(?:have|has|had|must|should|and must|and should)\s(?!elapsed|passed))"
    r"|,\s(?:but|however)\s(?!no\smore|not\smore|less|within)|\sbut\s(?!no\smore|not\smore|less|within)"
    r"|,?\s(and|or)\s(?=(?:must|should|shall|will|may|cannot|can|have|has|had|be|is|are|was|"
    r"were|need|needs|agree|agrees|patients?|subjects?|no|not(?!\sotherwise)|if|who|intends?|plans?|planning|wish(?:es)?)\b)"
)
_COHORT_SUBJECT = re.compile(r"\b(?:cohort|arm|part)\s?([0-9]{1,2}|[a-d])\b")
_WORD = re.compile(r"[a-z0-9µ]+(?:['-][a-z0-9]+)*")
_MODAL_NEGATION = re.compile(r"^(?:must|should|may|can|cannot|shall|will)")


#: Concepts every patient of a cancer trial has: in a subject they restrict nothing.
_GENERIC = frozenset({"neoplasm", "malignant_neoplasm", "solid_tumor"})


@cache
def filler_words() -> frozenset[str]:
    return frozenset(data("fillers")["words"])


def read_criterion(reading: Reading) -> Expression:
    folded = reading.text.folded.strip()
    if _LABELLED_NOTHING.match(folded):
        # "Biologic therapy: Not specified": a heading that asks nothing
        whole = trim(reading.text, 0, len(reading.text.raw))
        reading.use(whole.start, whole.end)
        return Allowed(text=whole.raw(reading.text), span=(whole.start, whole.end),
                       rule="allowed.not_specified")
    conjuncts: list[Expression] = []
    exceptions: list[tuple[Expression, Piece]] = []
    guard: Expression | None = None
    for piece in sentences(reading.text):
        result = _read_sentence(reading, piece)
        if result.node is None:
            continue
        if result.guard is not None or result.permissive:
            guard = result.guard or guard
        elif guard is not None and _CONTINUED.match(reading.words(piece.start, piece.end)):
            # "For patients with NEC, … In addition, the tumor must have …": still about them
            result.node = any_of([Not(guard.copy(), rule="subject"), result.node],
                                 rule="subject.continued")
        else:
            guard = None
        if result.exception and conjuncts:
            conjuncts = [excepted(reading, all_of(conjuncts), _same_time(all_of(conjuncts),
                                                                         result.node),
                                  unless=result.unless, span=(piece.start, piece.end))]
            continue
        if result.permissive or result.exception:
            # "With the exception of local treatment for Kaposi's sarcoma.": alone, an
            # exception permits (to the criterion above it, when there is one)
            exceptions.append((result.node, piece))
        else:
            conjuncts.append(result.node)
    main = all_of(conjuncts) if conjuncts else None
    for permission, piece in exceptions:
        permitted = permission.this if isinstance(permission, Allowed) else permission
        if main is not None and permitted is not None and _forbids(reading, main, permitted):
            main = _exception(main, permitted)
            continue
        if not isinstance(permission, Allowed):
            # what is permitted never becomes a requirement
            permission = Allowed(permission, text=piece.raw(reading.text), span=(
                piece.start, piece.end), rule="allowed")
        main = all_of([main, permission]) if main is not None else permission
    node = main if main is not None else _permission_only(reading)
    return _account(reading, node)


_CONDITIONAL = re.compile(r"\b(?:if|unless|provided|only|when|except)\b")


_LABELLED_NOTHING = re.compile(r"^[^:;.]{1,60}:\s*(?:not\sspecified|no\srestrictions?|none|"
                               r"not\sapplicable|n/a|no\slimit|no\slimits)\.?$")
_CONTINUED = re.compile(r"^(?:in\saddition|additionally|furthermore|moreover|also)\b")
_NOT_SPECIFIED = re.compile(
    r"(?:^|:\s*)(?:not\sspecified|no\srestrictions?|none|any|any\s(?:age|sex|gender)|"
    r"all\sages|both\s(?:sexes|genders)|male\sor\sfemale|not\sapplicable|n/a)\.?\s*$")


def _permission_only(reading: Reading) -> Expression | None:
    """"Prior cytodifferentiating agents allowed": a plain permission permits, whatever it
    names, so it is kept as a permission even when the rules cannot read what it names. A
    conditional one ("allowed if …") also forbids, and is not."""
    folded = reading.text.folded
    if _NOT_SPECIFIED.search(folded.strip()):
        # "Life expectancy: Not specified": nothing is asked
        whole = trim(reading.text, 0, len(folded))
        reading.use(whole.start, whole.end)
        return Allowed(text=whole.raw(reading.text), span=(whole.start, whole.end),
                       rule="allowed.not_specified")
    allowing = [i for i in reading.items if i.kind == "allowed_post"]
    if not allowing or _CONDITIONAL.search(folded) or any(
            i.kind in ("negation", "negation_post") for i in reading.items):
        return None
    whole = trim(reading.text, 0, len(folded))
    reading.use(whole.start, whole.end)
    return Allowed(text=whole.raw(reading.text), span=(whole.start, whole.end),
                   rule="allowed.text")


_TOPIC_MARK = re.compile(r"\s[-–]\s|:\s")


def _topic_end(reading: Reading, piece: Piece) -> tuple[int, int] | None:
    """(start, end) of the " - " or ": " after a leading disease that heads a requirement of
    another kind ("Kidney cancer - no prior therapy"), or None."""
    mark = _TOPIC_MARK.search(reading.text.folded, piece.start, piece.end)
    if mark is None or mark.start() - piece.start > 60:
        return None
    before = [i for i in reading.items if piece.start <= i.start and i.end <= mark.start()]
    after = [i for i in reading.items if mark.end() <= i.start < piece.end]
    heads = [i for i in before if i.kind in HEAD_KINDS]
    if not heads or any(h.kind != "condition" for h in heads):
        return None
    if any(i.kind in ("negation", "modal", "team") for i in before):
        return None
    words = reading.text.folded[piece.start:mark.start()]
    for item in before:
        words = words.replace(reading.text.folded[item.start:item.end], " ")
    if not all(w in filler_words() for w in _WORD.findall(words)):
        return None
    kinds = {i.kind for i in after if i.kind in HEAD_KINDS}
    if not kinds or kinds == {"condition"}:
        return None
    return mark.start(), mark.end()


def _label_end(reading: Reading, piece: Piece) -> int | None:
    """The colon after a short label that says nothing the rest does not ("Specific cases:",
    "Creatinine clearance (CrCl): Creatinine clearance ≥ 30 mL/min"), or None. A label that
    names the subject ("Age: 18 and over") is read with the rest."""
    colon = reading.text.folded.find(":", piece.start, piece.end)
    if colon < 0 or len(reading.words(piece.start, colon).split()) > 6:
        return None
    if depth_map(reading.text.folded, piece.start, colon + 1)[-1] != 0:
        return None
    inside = [i for i in reading.items if piece.start <= i.start < colon]
    after = {i.value for i in reading.items if colon < i.start < piece.end}
    heads = [i for i in inside if i.kind in HEAD_KINDS]
    if any(q.start < colon for q in reading.quantities if piece.start <= q.start):
        return None
    if not inside or (heads and all(h.value in after for h in heads)):
        return colon
    return None


def _forbids(reading: Reading, main: Expression, permitted: Expression) -> bool:
    """Whether ``main`` forbids what a later sentence permits, so the permission is an
    exception to it: an exclusion, or a prohibition in an inclusion ("No brain metastases.
    Treated brain metastases are allowed."). A requirement is not narrowed by a permission
    ("… NECs. Large cell, small cell or not otherwise specified are eligible.")."""
    if not shares_concept(main, permitted):
        return False
    if reading.kind == "exclusion" or isinstance(main, Not):
        return True
    return isinstance(main, All) and any(
        isinstance(item, Not) and shares_concept(item, permitted) for item in main.items)


def _exception(main: Expression, exc: Expression) -> Expression:
    exc = _same_time(main, exc)
    if isinstance(main, Not):
        return Not(all_of([main.this, Not(exc)]), rule="exception")
    return all_of([main, Not(exc)], rule="exception")


def _same_time(main: Expression, exc: Expression) -> Expression:
    """"Anticancer drugs < 30 days before the first dose. Conventional chemotherapy eligible if
    at least 14 days have elapsed": the exception is about a treatment inside the main
    window, so its undated treatments take that window."""
    from eligo.model.expression import PriorTherapy

    windows = [leaf.window for leaf in main.find_all(PriorTherapy) if leaf.window is not None]
    if not windows:
        return exc

    def dated(node: Expression) -> Expression:
        if isinstance(node, PriorTherapy) and node.window is None and node.comparator is None:
            copy = node.copy()
            copy.set("window", windows[0].copy())
            return copy
        return node

    return exc.transform(dated)


def _read_sentence(reading: Reading, piece: Piece) -> ClauseResult:
    """A sentence: its parts between semicolons, each read on its own."""
    depths = depth_map(reading.text.folded, piece.start, piece.end)
    parts: list[tuple[ClauseResult, str]] = []
    low, link = piece.start, "and"
    for match in _HARD_SPLIT.finditer(reading.text.folded, piece.start, piece.end):
        if depths[match.start() - piece.start] != 0:
            continue
        part = trim(reading.text, low, match.start())
        if part.end > part.start:
            parts.append((_read_part(reading, part), link))
        reading.use(match.start(), match.end())
        link, low = match.group(1) or "and", match.end()
    part = trim(reading.text, low, piece.end)
    if part.end > part.start:
        parts.append((_read_part(reading, part), link))
    joined = _join_clauses(reading, parts)
    if len(parts) == 1:
        joined.guard = parts[0][0].guard
    return joined


def _read_part(reading: Reading, piece: Piece) -> ClauseResult:
    topic = _topic_end(reading, piece)
    if topic is not None:
        # "Bladder cancer - no more than 1 prior therapy": what is asked of those with it
        guard = read_clause(reading, piece.start, topic[0]).node
        body = _read_clauses(reading, topic[1], piece.end)
        if guard is not None and body.node is not None:
            reading.use(topic[0], topic[1])
            return _implication(reading, guard, body, piece.start, piece.start,
                                (topic[1], piece.end))
    label = _label_end(reading, piece)
    if label is not None:
        reading.use(piece.start, label + 1)
        piece = trim(reading.text, label + 1, piece.end)
        if piece.end <= piece.start:
            return ClauseResult(None)
    words = reading.words(piece.start, piece.end)
    lead = _LEAD_GUARD.match(words)
    if lead is not None:
        comma = _top_level_comma(reading, piece.start + lead.end(), piece.end)
        if comma is not None:
            guard = _read_clauses(reading, piece.start, comma)
            body = _read_clauses(reading, comma + 1, piece.end)
            return _implication(reading, guard.node, body, piece.start, piece.start + lead.end(),
                                (comma + 1, piece.end))
    modal = _modal(reading, piece)
    if modal is not None and _treatment_subject(reading, piece.start, modal):
        # "Previous CSFs must have been discontinued > 14 days prior to registration": a
        # treatment is the subject, what follows says when it may have been given
        modal = None
    if modal is not None:
        subject = _subject(reading, piece.start, modal)
        if subject is not None:
            body = _read_clauses(reading, modal, piece.end)
            return _implication(reading, subject, body, piece.start, piece.start,
                                (modal, piece.end))
        if _generic_subject(reading, piece.start, modal):
            # "the tumor must have a Ki67 > 20 %": the patient's own cancer, no new fact
            return _read_clauses(reading, modal, piece.end)
    return _read_clauses(reading, piece.start, piece.end)


def _implication(
    reading: Reading, guard: Expression | None, body: ClauseResult, start: int, lead_end: int,
    body_span: tuple[int, int],
) -> ClauseResult:
    reading.use(start, lead_end)
    if guard is None:
        return body
    if body.node is None and _has_unread(reading, body_span):
        # "Patients on corticosteroids must be on a stable dose": what is asked of them is not
        # read, but the subject stays a condition, never a requirement of everyone
        return ClauseResult(any_of([Not(guard, rule="subject"), _unread_body(reading, body_span)],
                                   rule="subject"), guard=guard)
    if body.node is None:
        return ClauseResult(guard)
    node = body.node.this if body.permissive and body.node.kind == "allowed" else body.node
    if body.permissive and node is not None:
        return ClauseResult(all_of([guard, node]), permissive=True)
    return ClauseResult(any_of([Not(guard, rule="subject"), node], rule="subject"),
                        guard=guard)


def _has_unread(reading: Reading, span: tuple[int, int]) -> bool:
    covered = _covered(reading)
    fillers = filler_words()
    return any(not covered[m.start()] and m.group() not in fillers and
               not any(i.start <= m.start() < i.end for i in reading.items
                       if i.kind in ("modal", "allowed_post"))
               for m in _WORD.finditer(reading.text.folded, *span))


def _unread_body(reading: Reading, span: tuple[int, int]) -> Expression:
    """What a conditional subject asks, kept as an ``unparsed`` leaf where no rule read it."""
    body = trim(reading.text, *span)
    covered = _covered(reading)
    read = read_inside(reading, covered, [(body.start, body.end)])
    reading.use(body.start, body.end)
    return Unparsed(text=body.raw(reading.text), reason="no rule recognised what is asked",
                    read=read or None, span=(body.start, body.end), rule="unparsed.subject")


def _modal(reading: Reading, piece: Piece) -> int | None:
    for item in reading.items:
        if not piece.start <= item.start < piece.end:
            continue
        if item.kind == "exceptions":
            return None  # a modal after "except …" belongs to the exception
        words = reading.words(item.start, item.end)
        if re.search(r"\b(?:who|which|that)\s$", reading.words(max(0, item.start - 7), item.start)):
            continue
        if item.kind == "modal" or (item.kind in ("negation", "history", "current")
                                    and _MODAL_NEGATION.match(words)):
            # "must have completed radiotherapy" (a history trigger) starts the requirement too
            depths = depth_map(reading.text.folded, piece.start, item.start + 1)
            if depths[-1] == 0:
                return item.start
    return None


def _subject(reading: Reading, start: int, end: int) -> Expression | None:
    """The facts a subject names ("Females of childbearing potential"), or None."""
    heads = [
        i
        for i in reading.items
        if start <= i.start and i.end <= end and i.kind in HEAD_KINDS and i.value not in _GENERIC
    ]
    for generic in reading.items:
        if start <= generic.start and generic.end <= end and generic.value in _GENERIC:
            reading.use(generic.start, generic.end)
    cohort = _COHORT_SUBJECT.search(reading.words(start, end))
    if not heads and cohort is None:
        return None
    parts: list[Expression] = []
    if heads:
        node = read_clause(reading, start, end).node
        if node is not None:
            parts.append(node)
    if cohort is not None:
        reading.use(start + cohort.start(), start + cohort.end())
        parts.append(
            Cohort(
                name=cohort.group(1),
                span=(start + cohort.start(), start + cohort.end()),
                rule="cohort",
            )
        )
    return all_of(parts) if parts else None


def _treatment_subject(reading: Reading, start: int, end: int) -> bool:
    heads = [i for i in reading.items
             if start <= i.start and i.end <= end and i.kind in HEAD_KINDS]
    return bool(heads) and all(h.kind in ("drug", "drug_class", "therapy") for h in heads) \
        and not _COHORT_SUBJECT.search(reading.words(start, end)) and not re.search(
            r"\b(?:patients?|subjects?|participants?|women|men|those)\b",
            reading.words(start, end))


def _generic_subject(reading: Reading, start: int, end: int) -> bool:
    inside = [i for i in reading.items if start <= i.start and i.end <= end]
    return any(i.value in _GENERIC for i in inside) and not any(
        i.kind in HEAD_KINDS and i.value not in _GENERIC for i in inside)


def _top_level_comma(reading: Reading, start: int, end: int) -> int | None:
    folded = reading.text.folded
    depths = depth_map(folded, start, end)
    for offset, char in enumerate(folded[start:end]):
        if char == "," and depths[offset] == 0:
            return start + offset
    return None


def _read_clauses(reading: Reading, start: int, end: int) -> ClauseResult:
    pieces: list[tuple[int, int, str]] = []
    depths = depth_map(reading.text.folded, start, end)
    low, link = start, "and"
    for match in _SPLIT.finditer(reading.text.folded, start, end):
        if depths[match.start() - start] != 0:
            continue
        pieces.append((low, match.start(), link))
        reading.use(match.start(), match.end())
        link = match.group(1) or "and"
        low = match.end()
    pieces.append((low, end, link))
    results: list[tuple[ClauseResult, str]] = []
    for low, high, link in pieces:
        piece = trim(reading.text, low, high)
        if piece.end <= piece.start:
            continue
        lead = re.match(r"(?:only\s)?if\s", reading.words(piece.start, piece.end))
        previous = next((r for r, _ in reversed(results) if r.node is not None), None)
        if lead is not None and previous is not None and previous.permissive:
            # "… eligible if A and if B": B is one more condition of the permission
            more = read_clause(reading, piece.start + lead.end(), piece.end)
            if more.node is not None and previous.node is not None:
                reading.use(piece.start, piece.start + lead.end())
                index = max(i for i, (r, _) in enumerate(results) if r is previous)
                results[index] = (_permit_also(previous.node, more.node), results[index][1])
                continue
        results.append((read_clause(reading, piece.start, piece.end), link))
    return _join_clauses(reading, results)


def _permit_also(permission: Expression, condition: Expression) -> ClauseResult:
    from eligo.model.expression import Allowed

    if isinstance(permission, Allowed):
        inner = all_of([permission.this, condition]) if permission.this else condition
        return ClauseResult(Allowed(inner, text=permission.text, span=permission.span,
                                    rule=permission.rule), permissive=True)
    return ClauseResult(all_of([permission, condition]), permissive=True)


def _join_clauses(reading: Reading, results: list[tuple[ClauseResult, str]]) -> ClauseResult:
    kept = [(r, link) for r, link in results if r.node is not None]
    if not kept:
        return ClauseResult(None)
    if len(kept) == 1 and kept[0][0].exception:
        return kept[0][0]  # an exception alone: to what an earlier sentence or parent says
    if all(r.permissive for r, _ in kept):
        return ClauseResult(all_of([r.node for r, _ in kept]), permissive=True)  # type: ignore
    node: Expression | None = None
    kept = _team_conditions(kept)
    if all(r.permissive for r, _ in kept):
        return ClauseResult(all_of([r.node for r, _ in kept]), permissive=True)  # type: ignore
    for result, link in kept:
        current = result.node
        assert current is not None
        if node is None:
            node = current
        elif result.exception:
            node = excepted(reading, node, _same_time(node, current), unless=result.unless)
        elif result.permissive:
            allowed = current.this if current.kind == "allowed" and current.this else current
            node = _exception(node, allowed)
        elif link == "or":
            node = any_of([node, current])
        else:
            node = all_of([node, current])
    return ClauseResult(node)


def _team_conditions(kept: list[tuple[ClauseResult, str]]) -> list[tuple[ClauseResult, str]]:
    """"… are allowed, with a requirement for regular monitoring …": a study-team matter after
    a permission is one more condition of it."""
    out: list[tuple[ClauseResult, str]] = []
    for result, link in kept:
        previous = out[-1][0] if out else None
        if previous is not None and previous.permissive and isinstance(result.node, Team) \
                and isinstance(previous.node, Allowed) and previous.node.this is not None:
            merged = _permit_also(previous.node, result.node)
            out[-1] = (merged, out[-1][1])
            continue
        out.append((result, link))
    return out


def _account(reading: Reading, node: Expression | None) -> Expression:
    """Add an ``unparsed`` leaf for the words no rule read, with what was read inside them."""
    covered = _covered(reading)
    gaps = _unread(reading, covered)
    text = reading.text.raw
    if node is None:
        whole = trim(reading.text, 0, len(text))
        return Unparsed(
            text=text.strip() or text,
            reason="no rule recognised a fact",
            read=read_inside(reading, covered, [(whole.start, whole.end)]) or None,
            span=(whole.start, whole.end),
            rule="unparsed",
        )
    if gaps:
        node, gaps = _permitted_unread(node, gaps)
    if not gaps:
        return node
    words = " … ".join(text[a:b] for a, b in gaps)
    leftover = Unparsed(
        text=words,
        reason="words no rule read",
        read=read_inside(reading, covered, gaps) or None,
        span=(gaps[0][0], gaps[-1][1]),
        rule="unparsed.rest",
    )
    if isinstance(node, All):
        return All(*node.items, leftover, span=node.span, rule=node.rule)
    return All(node, leftover, rule="unparsed.rest")


def _permitted_unread(node: Expression, gaps: list[tuple[int, int]]
                      ) -> tuple[Expression, list[tuple[int, int]]]:
    """"Bronchoalveolar cell lung cancer allowed": words unread inside a permission change
    nothing a permission decides (nothing), but what it permits is then not fully known: the
    permission keeps its text and what was read (``allowed.unread``), and is never taken for
    an exception to anything."""
    items = list(node.items) if isinstance(node, All) else [node]
    left = list(gaps)
    for index, item in enumerate(items):
        if not isinstance(item, Allowed) or item.span is None:
            continue
        low, high = item.span
        inside = [g for g in left if low <= g[0] and g[1] <= high]
        if not inside:
            continue
        items[index] = Allowed(item.this, text=item.text, span=item.span, rule="allowed.unread")
        left = [g for g in left if g not in inside]
    if len(left) == len(gaps):
        return node, gaps
    if isinstance(node, All):
        return All(*items, span=node.span, rule=node.rule), left
    return items[0], left


def _covered(reading: Reading) -> bytearray:
    """1 for every character a rule read."""
    covered = bytearray(len(reading.text.folded) + 1)
    for a, b in reading.used:
        covered[a:b] = b"\x01" * (b - a)
    return covered


def _unread(reading: Reading, covered: bytearray) -> list[tuple[int, int]]:
    folded = reading.text.folded
    fillers = filler_words()
    gaps: list[tuple[int, int]] = []
    for match in _WORD.finditer(folded):
        if covered[match.start()] or match.group() in fillers:
            continue
        if gaps and _only_fillers(folded, gaps[-1][1], match.start(), fillers):
            gaps[-1] = (gaps[-1][0], match.end())
        else:
            gaps.append((match.start(), match.end()))
    if len(reading.text.raw) >= MAX_LENGTH:
        gaps.append((MAX_LENGTH - 1, MAX_LENGTH))
    return gaps


def _only_fillers(folded: str, start: int, end: int, fillers: frozenset[str]) -> bool:
    between = folded[start:end]
    if len(between) > 40:
        return False
    return all(w in fillers for w in _WORD.findall(between))
