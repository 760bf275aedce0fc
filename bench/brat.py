"""Reading BRAT standoff annotations (``.ann`` beside ``.txt``) and ``annotation.conf``.

The two corpora eligo is measured against (Leaf Clinical Trials, Chia) are written in it:

    T12  Observation 235 250	life expectancy        text-bound: type, spans, covered text
    T23  Value 751 763;770 771	greater than 1         discontinuous spans joined by ";"
    E8   Observation:T42 Name:T43 Numeric-Filter:E20   event: trigger, then role:argument
    R7   AND Arg1:T21 Arg2:T22                         relation
    *    OR T1 T2                                      equivalence (a group of ids)
    A3   Eq-Operator-Value T19 GTEQ                    attribute of an annotation
    #1   AnnotatorNotes T3	a note                    notes (kept out), N normalisations

An entity whose text holds a line break goes on over the next line (a line that starts with
no id). A line that cannot be read is reported with its file and line number and skipped; the
other lines of the file are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_SPAN = re.compile(r"^(\d+) (\d+)$")
_ID = re.compile(r"^(?:[TERAMN]\d+|\*|#\d*)$")


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    spans: tuple[tuple[int, int], ...]
    text: str

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    trigger: str
    arguments: tuple[tuple[str, str], ...]  # (role, annotation id); "Value2" keeps its number

    def role(self, name: str) -> list[str]:
        """Ids filling ``name``, numbered repeats included (Value, Value2, …)."""
        return [arg for role, arg in self.arguments if re.sub(r"\d+$", "", role) == name]


@dataclass(frozen=True)
class Relation:
    id: str
    type: str
    arguments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Attribute:
    id: str
    type: str
    target: str
    value: str | None


@dataclass
class Document:
    """One annotated text: its ``.txt`` and what its ``.ann`` says about it."""

    name: str
    text: str
    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    equivalences: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def of_type(self, *types: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.type in types]

    def attribute(self, target: str, type_: str) -> str | None:
        for attribute in self.attributes:
            if attribute.target == target and attribute.type == type_:
                return attribute.value
        return None

    def event_of(self, trigger: str) -> Event | None:
        for event in self.events.values():
            if event.trigger == trigger:
                return event
        return None

    def entity(self, ident: str) -> Entity | None:
        """The entity ``ident`` names: itself, or the trigger of the event it names."""
        if ident in self.entities:
            return self.entities[ident]
        event = self.events.get(ident)
        return self.entities.get(event.trigger) if event is not None else None


def parse_ann(name: str, text: str, ann: str) -> Document:
    """The annotations ``ann`` of ``text``; unreadable lines land in ``problems``."""
    document = Document(name, text)
    last: Entity | None = None
    for number, line in enumerate(ann.split("\n"), start=1):
        if not line.strip():
            continue
        ident = line.partition("\t")[0]
        if last is not None and not _ID.match(ident):
            last = _continued(document, last, line)
            continue
        try:
            _read_line(document, line)
        except (ValueError, IndexError) as error:
            document.problems.append(f"{name}.ann line {number}: {error}: {line[:80]!r}")
        last = document.entities.get(ident) if ident.startswith("T") else None
    return document


def _continued(document: Document, entity: Entity, line: str) -> Entity:
    longer = Entity(entity.id, entity.type, entity.spans, f"{entity.text}\n{line}")
    document.entities[entity.id] = longer
    return longer


def _read_line(document: Document, line: str) -> None:
    ident, _, rest = line.partition("\t")
    head = ident[:1]
    if head == "T":
        document.entities[ident] = _entity(ident, rest, document.text)
    elif head == "E":
        trigger_part, *parts = rest.split()
        type_, trigger = trigger_part.split(":", 1)
        arguments = tuple(tuple(part.split(":", 1)) for part in parts)
        if any(len(arg) != 2 for arg in arguments):
            raise ValueError("an event argument is not role:id")
        document.events[ident] = Event(ident, type_, trigger, arguments)  # type: ignore[arg-type]
    elif head == "R":
        type_, *parts = rest.split()
        pairs = tuple(tuple(part.split(":", 1)) for part in parts)
        if len(pairs) != 2 or any(len(pair) != 2 for pair in pairs):
            raise ValueError("a relation needs Arg1:id Arg2:id")
        document.relations.append(Relation(ident, type_, pairs))  # type: ignore[arg-type]
    elif head == "*":
        type_, *members = rest.split()
        document.equivalences.append((type_, tuple(members)))
    elif head in ("A", "M"):
        type_, target, *value = rest.split()
        document.attributes.append(Attribute(ident, type_, target, value[0] if value else None))
    elif head in ("#", "N"):
        return  # notes and normalisations: nothing the benchmarks use
    else:
        raise ValueError(f"unknown annotation id {ident!r}")


def _entity(ident: str, rest: str, text: str) -> Entity:
    header, _, covered = rest.partition("\t")
    type_, _, span_text = header.partition(" ")
    spans = []
    for piece in span_text.split(";"):
        match = _SPAN.match(piece.strip())
        if match is None:
            raise ValueError(f"bad span {piece!r}")
        start, end = int(match.group(1)), int(match.group(2))
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"span {start}-{end} outside the text ({len(text)} characters)")
        spans.append((start, end))
    if not spans:
        raise ValueError("an entity without a span")
    return Entity(ident, type_, tuple(spans), covered)


def read_document(ann_path: Path) -> Document:
    """``x.ann`` with the text of ``x.txt`` beside it (read as UTF-8, newlines kept)."""
    text_path = ann_path.with_suffix(".txt")
    with text_path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    return parse_ann(ann_path.stem, text, ann_path.read_text(encoding="utf-8"))


def read_corpus(root: Path) -> Iterator[Document]:
    """Every ``.ann`` under ``root`` that has its ``.txt``, in sorted order."""
    for ann_path in sorted(root.rglob("*.ann")):
        if ann_path.with_suffix(".txt").is_file():
            yield read_document(ann_path)


def read_conf(path: Path) -> dict[str, list[str]]:
    """``annotation.conf``: section name → the first word of each line (the types declared,
    ``!`` group headings left out); an attribute's values under its own name:
    ``{"[attributes]": ["Eq-Operator-Value", …], "Eq-Operator-Value": ["EQ", "LT", …]}``."""
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line
            sections.setdefault(current, [])
            continue
        name = line.split()[0]
        if name.startswith("!"):
            continue  # a group heading, not a type
        sections.setdefault(current, []).append(name)
        values = re.search(r"Value:(\S+)", line)
        if current == "[attributes]" and values:
            sections[name] = values.group(1).split("|")
    return sections
