"""How much of the criteria eligo reads: per criterion, per leaf, by category, with the most
frequent kinds of text no rule understood (``eligo coverage``).

    from eligo.coverage import measure
    figures = measure("all_records_xml.tar.gz", jobs=2).as_dict(top=20)

See ``docs/coverage.md`` for the definitions and the figures on the project's corpora.
"""

from eligo.coverage.corpus import (
    ParsedTrial,
    corpus_size,
    is_database,
    measure,
    parse_missing,
    parsed_trials,
    stored_trial,
)
from eligo.coverage.patterns import signature
from eligo.coverage.stats import Coverage, Outcome, Pattern, classify, deciding_leaves

__all__ = [
    "Coverage",
    "Outcome",
    "ParsedTrial",
    "Pattern",
    "classify",
    "corpus_size",
    "deciding_leaves",
    "is_database",
    "measure",
    "parse_missing",
    "parsed_trials",
    "signature",
    "stored_trial",
]
