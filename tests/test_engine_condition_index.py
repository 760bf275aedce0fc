"""The shortcut for condition leaves: "nothing in the record bears on this concept" must hold
exactly when the full walk over the patient's conditions finds nothing, for every condition
concept of the vocabulary."""

from __future__ import annotations

import datetime as dt

from eligo.engine import Evaluator
from eligo.model.patient import Condition, Histology, Patient
from eligo.vocab import vocabulary

AS_OF = dt.date(2026, 10, 1)


def test_the_shortcut_agrees_with_the_full_walk():
    patient = Patient(
        conditions=[
            Condition(concept_id="sclc", metastatic_sites=["liver"]),
            Condition(concept_id="hypertension"),
            Condition(concept_id="brain_metastases", negated=True),
            Condition(concept_id="hiv", negated=True),
            Condition(text="a tumour", histology=Histology(icdo3="8246/3",
                                                           concept_id="neuroendocrine_carcinoma")),
            Condition(concept_id="neoplasm"),  # broad: never a vaguer diagnosis
        ]
    )
    evaluator = Evaluator(patient, AS_OF)
    vocab = vocabulary()
    shortcuts = 0
    for concept in vocab.conditions:
        walked = bool(
            evaluator._candidates(concept)
            or patient.conditions_matching(concept, vocab, negated=True)
            or evaluator._less_specific(concept)
        )
        near = not evaluator._nothing_near(concept)
        assert near or not walked, concept
        shortcuts += not near
    # most concepts are answered by the shortcut; the ones near the record are not
    assert shortcuts > len(vocab.conditions) / 2
    assert not evaluator._nothing_near("lung_cancer")
    assert not evaluator._nothing_near("liver_metastases")
    assert not evaluator._nothing_near("hiv")
