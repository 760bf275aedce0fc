"""The working objects of one parse: the criterion being read and the units of meaning in it.

A :class:`Unit` is one head item (a measurement, a condition, a treatment …) with what stands
around it: context triggers and qualifiers before it, numbers, windows and results after it.
Leaf builders (:mod:`eligo.parse.leaves`, :mod:`eligo.parse.facts`) turn a unit into a node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eligo.model.expression import Expression
from eligo.parse.mentions import Item
from eligo.parse.quantities import Quantity
from eligo.parse.text import Text
from eligo.parse.windows import TimeWindow


@dataclass(slots=True)
class Reading:
    """One criterion text with everything found in it, and what it inherits."""

    text: Text
    items: list[Item]
    quantities: list[Quantity]
    windows: list[TimeWindow]
    kind: str = "inclusion"
    reference: str | None = None  # the date windows without one count from
    topic: str | None = None  # a heading the text sits under ("Age", "Hepatic")
    used: set[tuple[int, int]] = field(default_factory=set)  # spans a rule read
    # brackets read on their own: their numbers and windows are not the clause's
    set_aside: list[tuple[int, int]] = field(default_factory=list)
    # phrases that say nothing ("whatever the grade", "including but not limited to")
    quiet: list[tuple[int, int]] = field(default_factory=list)

    def aside(self, position: int) -> bool:
        return any(a <= position < b for a, b in self.set_aside)

    def use(self, start: int, end: int) -> None:
        if end > start:
            self.used.add((start, end))

    def words(self, start: int, end: int) -> str:
        return self.text.folded[start:end]

    def gap(self, start: int, end: int) -> str:
        """The words between two positions, bracketed asides and phrases that say nothing left
        out: "(AST)/" is "/"."""
        out: list[str] = []
        depth = 0
        for offset, char in enumerate(self.text.folded[start:end], start):
            if self.quiet and any(a <= offset < b for a, b in self.quiet):
                continue
            if char in "([":
                depth += 1
            elif char in ")]" and depth > 0:
                depth -= 1
            elif depth == 0:
                out.append(char)
        return " ".join("".join(out).split())


@dataclass(slots=True)
class Unit:
    """A head item and its surroundings inside one clause."""

    head: Item
    before: list[Item] = field(default_factory=list)
    clause_before: list[Item] = field(default_factory=list)  # status words earlier in the clause
    after: list[Item] = field(default_factory=list)
    pre_quantities: list[Quantity] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    windows: list[TimeWindow] = field(default_factory=list)
    durations: list[TimeWindow] = field(default_factory=list)  # "for more than 4 weeks"
    start: int = 0
    end: int = 0
    shared: bool = False  # took its numbers or window from the next unit in a list
    negated: bool = False
    run: int = 0  # units of one run share a negation
    guards: dict[int, Expression] = field(default_factory=dict)  # quantity index -> guard

    def kinds_before(self) -> set[str]:
        return {item.kind for item in self.before}

    def values(self, kind: str, where: str = "both") -> list[str]:
        pool = (self.before if where in ("both", "before") else []) + (
            self.after if where in ("both", "after") else []
        )
        return [item.value for item in pool if item.kind == kind]

    def first(self, kind: str) -> Item | None:
        for item in (*self.before, *self.after):
            if item.kind == kind:
                return item
        return None
