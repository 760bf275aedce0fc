"""Per-person aggregates of verdict codes, packed into bits.

A leaf over a patient table is ``MAX`` of a verdict code (2 met, 1 unknown, 0 not met, NULL
when the row is no candidate) over the person's rows. A trial has hundreds of them, and a
``GROUP BY person`` with one ``MAX`` per leaf costs the rows times the leaves. The same maximum
is kept in three bits, one for each code a row may give; ``BIT_OR`` over the rows keeps every
code seen, and the best is read back once per person. Twenty codes share one BIGINT (sixty
bits: the sign bit stays clear), so the aggregate does one update per twenty leaves.
"""

from __future__ import annotations

from sqlglot import exp

from eligo.screen.compile.frame import case, num

#: codes per BIGINT word, three bits each
PER_WORD = 20
BITS = 3 * PER_WORD


def _bit(slot: int, code: int) -> int:
    return 1 << (3 * slot + code)


def _bigint(node: exp.Expression) -> exp.Expression:
    return exp.cast(node, exp.DataType.build("BIGINT"))


def packed_row(values: list[exp.Expression]) -> exp.Expression:
    """One row's codes for up to :data:`PER_WORD` leaves as one BIGINT (0 when none)."""
    terms = []
    for slot, value in enumerate(values):
        ifs = [exp.If(this=num(code), true=num(_bit(slot, code))) for code in (2, 1, 0)]
        terms.append(exp.Case(this=value, ifs=ifs, default=num(0)))
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return _bigint(total)


def unpacked(word: exp.Expression, slot: int) -> exp.Expression:
    """The best code of one leaf from a word ``BIT_OR`` kept: NULL when no row gave one."""
    whens = []
    for code in (2, 1, 0):
        seen = exp.BitwiseAnd(this=word.copy(), expression=num(_bit(slot, code)))
        whens.append((exp.NEQ(this=exp.Paren(this=seen), expression=num(0)), num(code)))
    return case(whens)


def packed_aggregate(
    columns: dict[str, exp.Expression],
) -> tuple[list[exp.Expression], list[exp.Expression]]:
    """The ``BIT_OR`` words of a table's leaves (``columns``: name → a row's code) and, for
    the select above them, each leaf's column unpacked, under its name."""
    names = list(columns)
    words, reads = [], []
    for start in range(0, len(names), PER_WORD):
        chunk = names[start : start + PER_WORD]
        word = f"w{start // PER_WORD}"
        total = exp.BitwiseOrAgg(this=packed_row([columns[n] for n in chunk]))
        words.append(exp.alias_(total, word, copy=False))
        for slot, name in enumerate(chunk):
            reads.append(exp.alias_(unpacked(exp.column(word), slot), name, copy=False))
    return words, reads


def bit_or_by_max(node: exp.Expression) -> exp.Expression:
    """``BIT_OR(x)`` for a dialect without it (SQLite): the sum, bit by bit, of ``MAX(x & b)``
    (each is 0 or ``b``), over the bits a packed word uses."""
    if not isinstance(node, exp.BitwiseOrAgg):
        return node
    total: exp.Expression | None = None
    for bit in range(BITS):
        part = exp.Max(this=exp.BitwiseAnd(this=node.this.copy(), expression=num(1 << bit)))
        total = part if total is None else exp.Add(this=total, expression=part)
    assert total is not None
    return total
