"""eligo's vocabularies, loaded once from the data files: conditions, drugs and drug classes,
measurements; with look-ups by code, the is-a hierarchy, and term finding in free text."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from eligo.errors import EligoError
from eligo.vocab.concepts import Condition, Drug, DrugClass, Measurement, Mention
from eligo.vocab.matching import TermMatcher


class VocabularyError(EligoError):
    """A vocabulary data file that cannot be read or does not hold together."""


def _read(name: str) -> dict[str, Any]:
    try:
        text = resources.files("eligo.vocab").joinpath("data", name).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, ValueError) as error:
        raise VocabularyError(f"vocab/data/{name}: {error}") from error


def _load(model: type, items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    concepts: dict[str, Any] = {}
    for position, item in enumerate(items):
        try:
            concept = model.model_validate(item)
        except ValueError as error:
            raise VocabularyError(f"vocab/data/{name}: entry {position}: {error}") from error
        if concept.id in concepts:
            raise VocabularyError(f"vocab/data/{name}: duplicate id {concept.id!r}")
        concepts[concept.id] = concept
    return concepts


class Vocabulary:
    """All of eligo's vocabularies. Build it with :func:`vocabulary` (loaded once, cached)."""

    def __init__(
        self,
        conditions: dict[str, Condition],
        drug_classes: dict[str, DrugClass],
        drugs: dict[str, Drug],
        measurements: dict[str, Measurement],
        spelling: dict[str, str],
        code_systems: dict[str, str],
    ) -> None:
        self.conditions = conditions
        self.drug_classes = drug_classes
        self.drugs = drugs
        self.measurements = measurements
        self._systems = {alias.casefold(): system for alias, system in code_systems.items()}
        self._parents = self._parent_map()
        self._ancestors: dict[str, frozenset[str]] = {}
        self._children: dict[str, set[str]] = {}
        for child, parents in self._parents.items():
            for parent in parents:
                self._children.setdefault(parent, set()).add(child)
        self.condition_matcher = TermMatcher(spelling)
        self.drug_matcher = TermMatcher(spelling)
        self.measurement_matcher = TermMatcher(spelling)
        self._index_terms()
        self._codes = self._index_codes()

    def concept(self, concept_id: str) -> Condition | DrugClass | Drug | Measurement | None:
        """The concept with this id, whichever vocabulary holds it (ids are unique across them)."""
        for table in (self.conditions, self.drug_classes, self.drugs, self.measurements):
            found = table.get(concept_id)
            if found is not None:
                return found
        return None

    def label(self, concept_id: str) -> str:
        """The concept's label, or the id itself when eligo does not know it."""
        found = self.concept(concept_id)
        return found.label if found is not None else concept_id

    # -- hierarchy -------------------------------------------------------------------------

    def _parent_map(self) -> dict[str, tuple[str, ...]]:
        parents: dict[str, tuple[str, ...]] = {}
        for condition in self.conditions.values():
            parents[condition.id] = condition.parents
        for drug_class in self.drug_classes.values():
            parents[drug_class.id] = drug_class.parents
        for drug in self.drugs.values():
            parents[drug.id] = drug.classes
        return parents

    def parents_of(self, concept_id: str) -> tuple[str, ...]:
        return self._parents.get(concept_id, ())

    def ancestors(self, concept_id: str) -> frozenset[str]:
        """Every concept above ``concept_id`` (parents, their parents, ...), not itself."""
        cached = self._ancestors.get(concept_id)
        if cached is not None:
            return cached
        found: set[str] = set()
        stack = list(self._parents.get(concept_id, ()))
        while stack:
            parent = stack.pop()
            if parent not in found:
                found.add(parent)
                stack.extend(self._parents.get(parent, ()))
        result = frozenset(found)
        self._ancestors[concept_id] = result
        return result

    def descendants(self, concept_id: str) -> frozenset[str]:
        """Every concept below ``concept_id`` (for a drug class: its sub-classes and drugs)."""
        found: set[str] = set()
        stack = list(self._children.get(concept_id, ()))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(self._children.get(child, ()))
        return frozenset(found)

    def is_a(self, concept_id: str, ancestor_id: str) -> bool:
        """True when ``concept_id`` is ``ancestor_id`` or lies below it."""
        return concept_id == ancestor_id or ancestor_id in self.ancestors(concept_id)

    def classes_of(self, drug_id: str) -> list[str]:
        """The classes a drug belongs to, nearest first: its own classes, then their parents."""
        ordered: list[str] = []
        level = list(self._parents.get(drug_id, ()))
        while level:
            fresh = [c for c in dict.fromkeys(level) if c not in ordered]
            ordered.extend(fresh)
            level = [p for c in fresh for p in self._parents.get(c, ())]
        return ordered

    # -- finding terms ---------------------------------------------------------------------

    def _index_terms(self) -> None:
        for condition in self.conditions.values():
            for term in (condition.label.casefold(), *condition.synonyms):
                self.condition_matcher.add(term, condition.id, "condition")
        for drug_class in self.drug_classes.values():
            for term in (drug_class.label.casefold(), *drug_class.synonyms):
                self.drug_matcher.add(term, drug_class.id, "drug_class")
        for drug in self.drugs.values():
            for term in (drug.label.casefold(), *drug.synonyms):
                self.drug_matcher.add(term, drug.id, "drug")
        for measurement in self.measurements.values():
            for term in (measurement.label.casefold(), *measurement.synonyms):
                self.measurement_matcher.add(term, measurement.id, "measurement")

    def find_conditions(self, text: str) -> list[Mention]:
        return self.condition_matcher.find(text)

    def find_drugs(self, text: str) -> list[Mention]:
        """Drugs (kind "drug") and drug classes (kind "drug_class") named in ``text``."""
        return self.drug_matcher.find(text)

    def find_measurements(self, text: str) -> list[Mention]:
        return self.measurement_matcher.find(text)

    # -- codes -----------------------------------------------------------------------------

    def _index_codes(self) -> dict[str, dict[str, str]]:
        codes: dict[str, dict[str, str]] = {}

        def put(system: str, code: str, concept_id: str) -> None:
            table = codes.setdefault(system, {})
            held = table.get(code)
            # the most specific concept owns a code two concepts share
            if held is None or self.is_a(concept_id, held):
                table[code] = concept_id

        for condition in self.conditions.values():
            for system in ("snomed", "icd10cm", "icdo3"):
                for code in getattr(condition, system):
                    put(system, _normal_code(system, code), condition.id)
        for drug_class in self.drug_classes.values():
            for code in drug_class.atc:
                put("atc", code, drug_class.id)
        for drug in self.drugs.values():
            for code in drug.rxnorm:
                put("rxnorm", code, drug.id)
            for code in drug.atc:
                put("atc", code, drug.id)
        for measurement in self.measurements.values():
            for code in measurement.loinc:
                put("loinc", code, measurement.id)
        return codes

    def code_system(self, system: str) -> str | None:
        """eligo's name for a code system written as a name or a FHIR system URI."""
        return self._systems.get(system.strip().casefold())

    def _lookup(self, system: str, code: str) -> str | None:
        name = self.code_system(system)
        if name is None:
            return None
        table = self._codes.get(name, {})
        code = _normal_code(name, code)
        if name == "icd10cm":
            return _by_prefix(table, code, keep=3, dot=True)
        if name == "atc":
            return _by_prefix(table, code, keep=1, dot=False)
        if name == "icdo3" and code not in table and code.endswith("/6"):
            return table.get(code[:-1] + "3")  # metastatic site of a malignant morphology
        return table.get(code)

    def condition_for_code(self, system: str, code: str) -> str | None:
        """The condition a SNOMED CT, ICD-10-CM or ICD-O-3 morphology code names; an ICD-10-CM
        code more specific than any listed falls back to its nearest listed ancestor."""
        found = self._lookup(system, code)
        return found if found in self.conditions else None

    def drug_for_code(self, system: str, code: str) -> str | None:
        """The drug (RxNorm ingredient or ATC code) or drug class (ATC group) a code names."""
        found = self._lookup(system, code)
        return found if found in self.drugs or found in self.drug_classes else None

    def measurement_for_loinc(self, code: str) -> str | None:
        return self._codes.get("loinc", {}).get(code.strip())

    def codes(self, concept_id: str, system: str, *, with_descendants: bool = True) -> list[str]:
        """The codes of ``system`` for a concept (and, by default, everything below it):
        what a database query for the concept set should look for."""
        name = self.code_system(system) or system
        ids = {concept_id} | (set(self.descendants(concept_id)) if with_descendants else set())
        found: set[str] = set()
        for table in (self.conditions, self.drug_classes, self.drugs, self.measurements):
            for one in ids & table.keys():
                found.update(getattr(table[one], name, ()) or ())
        return sorted(found)


def _normal_code(system: str, code: str) -> str:
    code = code.strip().upper()
    if system == "icd10cm":
        code = code.replace(".", "")
        return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
    if system == "icdo3" and "/" not in code and len(code) == 5:
        return f"{code[:4]}/{code[4]}"
    return code


def _by_prefix(table: dict[str, str], code: str, *, keep: int, dot: bool) -> str | None:
    while len(code) >= keep:
        if code in table:
            return table[code]
        code = code[:-1]
        if dot and code.endswith("."):
            code = code[:-1]
    return None


@cache
def vocabulary() -> Vocabulary:
    """eligo's vocabularies, read from the package data on the first call and kept."""
    conditions = _read("conditions.json")
    drugs = _read("drugs.json")
    measurements = _read("measurements.json")
    lexicon = _read("lexicon.json")
    return Vocabulary(
        conditions=_load(Condition, conditions.get("concepts", []), "conditions.json"),
        drug_classes=_load(DrugClass, drugs.get("classes", []), "drugs.json"),
        drugs=_load(Drug, drugs.get("drugs", []), "drugs.json"),
        measurements=_load(Measurement, measurements.get("measurements", []), "measurements.json"),
        spelling=lexicon.get("spelling", {}),
        code_systems=lexicon.get("code_systems", {}),
    )
