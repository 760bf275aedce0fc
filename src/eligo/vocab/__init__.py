"""eligo's vocabularies and units.

from eligo.vocab import vocabulary, parse_unit, normalise

vocab = vocabulary()                       # loaded once, cached
vocab.find_conditions("SCLC with brain metastases")
vocab.is_a("sclc", "lung_cancer")          # True
normalise(100_000, "/mm3", "platelets")    # (100.0, "10*9/L")
"""

from eligo.vocab.concepts import (
    Condition,
    Drug,
    DrugClass,
    Measurement,
    MeasurementKind,
    Mention,
    MentionKind,
    ReferenceRange,
)
from eligo.vocab.units import UnitError, normalise, parse_unit
from eligo.vocab.vocabulary import Vocabulary, VocabularyError, vocabulary

__all__ = [
    "Condition",
    "Drug",
    "DrugClass",
    "Measurement",
    "MeasurementKind",
    "Mention",
    "MentionKind",
    "ReferenceRange",
    "UnitError",
    "Vocabulary",
    "VocabularyError",
    "normalise",
    "parse_unit",
    "vocabulary",
]
