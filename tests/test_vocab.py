"""The vocabulary data holds together: ids, hierarchy, codes, units, synonyms."""

from __future__ import annotations

import re
import time

import pytest
import simple_icd_10_cm as icd10cm

from eligo.vocab import vocabulary
from eligo.vocab.units import _unit
from eligo.vocab.vocabulary import Vocabulary

# Terms that name two concepts on purpose; the finder reports both and the reader decides.
DELIBERATE_SHARED_TERMS: set[tuple[str, ...]] = set()

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_valid(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def loinc_valid(code: str) -> bool:
    """LOINC's check digit is the Luhn (mod 10) digit of the number before the hyphen."""
    match = re.fullmatch(r"(\d{1,7})-(\d)", code)
    if not match:
        return False
    total = 0
    for position, char in enumerate(reversed(match.group(1))):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(match.group(2))


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return vocabulary()


def test_check_digit_helpers_reject_typos() -> None:
    assert verhoeff_valid("254632001") and not verhoeff_valid("254632002")
    assert loinc_valid("777-3") and loinc_valid("26515-7") and not loinc_valid("777-4")


def test_vocabulary_is_loaded_once_and_quickly() -> None:
    timings = []
    for _ in range(3):  # the best of three: other processes share the machine
        vocabulary.cache_clear()
        start = time.perf_counter()
        first = vocabulary()
        timings.append(time.perf_counter() - start)
    assert vocabulary() is first
    assert min(timings) < 0.5, f"loading took {min(timings):.2f} s"


def test_sizes(vocab: Vocabulary) -> None:
    assert len(vocab.conditions) >= 150
    assert len(vocab.drug_classes) >= 40
    assert len(vocab.drugs) >= 100
    assert len(vocab.measurements) >= 50


def test_ids_are_unique_across_vocabularies(vocab: Vocabulary) -> None:
    tables = (vocab.conditions, vocab.drug_classes, vocab.drugs, vocab.measurements)
    seen: dict[str, int] = {}
    for number, table in enumerate(tables):
        for concept_id in table:
            assert concept_id not in seen, f"{concept_id} in two vocabularies"
            seen[concept_id] = number


def test_parents_exist_and_hierarchy_is_acyclic(vocab: Vocabulary) -> None:
    for condition in vocab.conditions.values():
        for parent in condition.parents:
            assert parent in vocab.conditions, f"{condition.id}: unknown parent {parent}"
    for drug_class in vocab.drug_classes.values():
        for parent in drug_class.parents:
            assert parent in vocab.drug_classes, f"{drug_class.id}: unknown parent {parent}"
    for drug in vocab.drugs.values():
        assert drug.classes, f"{drug.id} has no class"
        for drug_class in drug.classes:
            assert drug_class in vocab.drug_classes, f"{drug.id}: unknown class {drug_class}"
    for concept_id in [*vocab.conditions, *vocab.drug_classes, *vocab.drugs]:
        assert concept_id not in vocab.ancestors(concept_id), f"cycle through {concept_id}"


def test_measurement_members_exist(vocab: Vocabulary) -> None:
    for measurement in vocab.measurements.values():
        for member in measurement.members:
            assert member in vocab.measurements, f"{measurement.id}: unknown member {member}"


def test_every_icd10cm_code_exists(vocab: Vocabulary) -> None:
    codes = [(c.id, code) for c in vocab.conditions.values() for code in c.icd10cm]
    assert len(codes) > 150
    bad = [(cid, code) for cid, code in codes if not icd10cm.is_valid_item(code)]
    assert not bad


def test_snomed_ids_have_valid_check_digits(vocab: Vocabulary) -> None:
    codes = [(c.id, code) for c in vocab.conditions.values() for code in c.snomed]
    assert len(codes) > 80
    for concept_id, code in codes:
        assert re.fullmatch(r"[1-9]\d{5,17}", code), (concept_id, code)
        # the partition identifier of a concept id is 00 (short format) or 10 (long format)
        assert code[-3:-1] in ("00", "10"), (concept_id, code)
        assert verhoeff_valid(code), (concept_id, code)


def test_icdo3_codes_are_morphology_codes(vocab: Vocabulary) -> None:
    for condition in vocab.conditions.values():
        for code in condition.icdo3:
            assert re.fullmatch(r"[89]\d{3}/[012369]", code), (condition.id, code)


def test_drug_codes_have_the_right_shape(vocab: Vocabulary) -> None:
    for drug in vocab.drugs.values():
        for code in drug.rxnorm:
            assert re.fullmatch(r"[1-9]\d{1,7}", code), (drug.id, code)
        for code in drug.atc:
            assert re.fullmatch(r"[A-Z]\d\d[A-Z][A-Z]\d\d", code), (drug.id, code)
    for drug_class in vocab.drug_classes.values():
        for code in drug_class.atc:
            assert re.fullmatch(r"[A-Z](\d\d([A-Z]([A-Z])?)?)?", code), (drug_class.id, code)


# ATC files a drug under one main use; eligo also files these under a class of another ATC group
# (abiraterone is an androgen-signalling inhibitor but ATC L02BX; ritonavir a CYP3A4 inhibitor).
CROSS_LISTED = {
    "abiraterone", "degarelix", "ritonavir", "efavirenz", "aspirin", "rifampin", "clarithromycin",
    "phenytoin", "carbamazepine", "phenobarbital", "methotrexate", "everolimus", "ketoconazole",
    "itraconazole", "voriconazole", "posaconazole", "cabozantinib", "vandetanib", "fondaparinux",
    "tenofovir", "lamivudine", "lenalidomide", "thalidomide", "dapsone", "methadone", "midazolam",
    "digoxin",
}  # fmt: skip


def test_drug_atc_codes_sit_under_their_class_codes(vocab: Vocabulary) -> None:
    for drug in vocab.drugs.values():
        class_codes = [
            code for cls in vocab.classes_of(drug.id) for code in vocab.drug_classes[cls].atc
        ]
        if drug.atc and class_codes and drug.id not in CROSS_LISTED:
            assert any(code.startswith(prefix) for code in drug.atc for prefix in class_codes), (
                drug.id
            )
    for drug_id in CROSS_LISTED:
        assert drug_id in vocab.drugs


def test_loinc_codes_have_valid_check_digits(vocab: Vocabulary) -> None:
    codes = [(m.id, code) for m in vocab.measurements.values() for code in m.loinc]
    assert len(codes) > 60
    for measurement_id, code in codes:
        assert loinc_valid(code), (measurement_id, code)


def test_measurement_units_are_ucum(vocab: Vocabulary) -> None:
    for measurement in vocab.measurements.values():
        if measurement.unit is not None:
            _unit(measurement.unit)  # raises UnitError when not UCUM
        for source, target in measurement.equivalent_units.items():
            _unit(source)
            _unit(target)


def test_reference_ranges_are_ordered(vocab: Vocabulary) -> None:
    for measurement in vocab.measurements.values():
        reference = measurement.reference_range
        if reference and reference.low is not None and reference.high is not None:
            assert reference.low < reference.high, measurement.id


def test_molar_masses_where_molar_units_are_common(vocab: Vocabulary) -> None:
    for analyte in (
        "creatinine",
        "total_bilirubin",
        "glucose",
        "calcium",
        "magnesium",
        "potassium",
        "sodium",
        "cortisol",
        "testosterone",
        "free_t4",
        "uric_acid",
    ):
        assert vocab.measurements[analyte].molar_mass, analyte
    assert vocab.measurements["creatinine"].molar_mass == pytest.approx(113.12)
    assert vocab.measurements["total_bilirubin"].molar_mass == pytest.approx(584.66)


def test_no_term_names_two_unrelated_concepts(vocab: Vocabulary) -> None:
    shared = []
    for matcher in (vocab.condition_matcher, vocab.drug_matcher, vocab.measurement_matcher):
        for (keys, _exact), owners in matcher.owners.items():
            if len(owners) < 2 or keys in DELIBERATE_SHARED_TERMS:
                continue
            related = all(
                vocab.is_a(a, b) or vocab.is_a(b, a) for a in owners for b in owners if a != b
            )
            if not related:
                shared.append((" ".join(keys), sorted(owners)))
    assert not shared


def test_is_a_follows_parents_transitively(vocab: Vocabulary) -> None:
    assert vocab.is_a("sclc", "lung_cancer")
    assert vocab.is_a("sclc", "neuroendocrine_carcinoma")
    assert vocab.is_a("sclc", "malignant_neoplasm")
    assert vocab.is_a("extensive_stage_sclc", "sclc")
    assert vocab.is_a("nsclc", "lung_cancer")
    assert not vocab.is_a("nsclc", "neuroendocrine_carcinoma")
    assert vocab.is_a("lcnec", "neuroendocrine_carcinoma")
    assert vocab.is_a("nepc", "prostate_cancer") and vocab.is_a("nepc", "extrapulmonary_nec")
    assert vocab.is_a("mtc", "thyroid_cancer") and vocab.is_a("mtc", "neuroendocrine_neoplasm")
    assert not vocab.is_a("mtc", "neuroendocrine_carcinoma")
    assert vocab.is_a("carcinoid", "net") and not vocab.is_a("net", "neuroendocrine_carcinoma")
    assert vocab.is_a("brain_metastases", "metastatic_disease")
    assert vocab.is_a("crohns_disease", "autoimmune_disease")
    assert vocab.is_a("stroke", "arterial_thrombosis") and vocab.is_a("tia", "arterial_thrombosis")
    assert vocab.is_a("gilbert_syndrome", "unconjugated_hyperbilirubinemia")
    assert vocab.is_a("sclc", "sclc")
    assert not vocab.is_a("lung_cancer", "sclc")


def test_drug_classes(vocab: Vocabulary) -> None:
    assert vocab.classes_of("cisplatin")[:2] == ["platinum", "chemotherapy"]
    assert vocab.classes_of("cisplatin")[-1] == "anticancer_therapy"
    assert "chemotherapy" in vocab.classes_of("cisplatin")
    assert {
        "pd1_inhibitor",
        "pd1_pdl1_inhibitor",
        "immune_checkpoint_inhibitor",
        "immuno_oncology_agent",
    } <= set(vocab.classes_of("pembrolizumab"))
    assert vocab.is_a("durvalumab", "pd1_pdl1_inhibitor")
    assert vocab.is_a("ipilimumab", "immune_checkpoint_inhibitor")
    assert not vocab.is_a("ipilimumab", "pd1_pdl1_inhibitor")
    assert vocab.is_a("tarlatamab", "dll3_targeted_agent")
    assert vocab.is_a("warfarin", "vitamin_k_antagonist") and vocab.is_a(
        "warfarin", "anticoagulant"
    )
    assert vocab.is_a("enzalutamide", "androgen_signaling_inhibitor")
    assert vocab.is_a("selpercatinib", "ret_inhibitor")
    assert vocab.is_a("etoposide", "topoisomerase_inhibitor")
    assert vocab.is_a("dexamethasone", "immunosuppressant")
    assert not vocab.is_a("carboplatin", "taxane")
    assert "cisplatin" in vocab.descendants("platinum")
    assert "pembrolizumab" in vocab.descendants("immuno_oncology_agent")


def test_lookup_by_code(vocab: Vocabulary) -> None:
    assert vocab.condition_for_code("http://snomed.info/sct", "254632001") == "sclc"
    assert vocab.condition_for_code("ICD-10-CM", "C34.90") == "lung_cancer"
    assert vocab.condition_for_code("icd10cm", "C3490") == "lung_cancer"
    assert vocab.condition_for_code("icd10cm", "C7A.1") == "neuroendocrine_carcinoma"
    assert vocab.condition_for_code("icd10cm", "C79.31") == "brain_metastases"
    assert vocab.condition_for_code("icd10cm", "E80.4") == "gilbert_syndrome"
    assert vocab.condition_for_code("icd10cm", "I50.22") == "heart_failure"
    assert vocab.condition_for_code("icd-o-3", "8041/3") == "small_cell_carcinoma"
    assert vocab.condition_for_code("icdo3", "80133") == "lcnec"
    assert vocab.condition_for_code("icd10cm", "Z99.99") is None
    assert vocab.condition_for_code("made-up system", "C34") is None
    assert vocab.drug_for_code("http://www.nlm.nih.gov/research/umls/rxnorm", "2555") == "cisplatin"
    assert vocab.drug_for_code("atc", "L01XA02") == "carboplatin"
    assert vocab.drug_for_code("atc", "L01XA05") == "platinum"  # an ATC code eligo does not list
    assert vocab.drug_for_code("atc", "L01FF02") == "pembrolizumab"
    assert vocab.drug_for_code("rxnorm", "0") is None
    assert vocab.measurement_for_loinc("777-3") == "platelets"
    assert vocab.measurement_for_loinc("1975-2") == "total_bilirubin"
    assert vocab.measurement_for_loinc("0000-0") is None


def test_codes_of_a_concept_set(vocab: Vocabulary) -> None:
    lung = vocab.codes("lung_cancer", "icd10cm")
    assert "C34" in lung
    assert vocab.codes("sclc", "snomed", with_descendants=False) == ["254632001"]
    assert "254632001" in vocab.codes("lung_cancer", "snomed")  # SCLC lies below lung cancer
    assert "2555" in vocab.codes("platinum", "rxnorm")
    assert "L01XA01" in vocab.codes("platinum", "atc")


def test_concept_and_label_across_vocabularies(vocab: Vocabulary) -> None:
    assert vocab.label("sclc") == "Small cell lung cancer"
    assert vocab.label("platinum") == "Platinum agents"
    assert vocab.label("cisplatin") == "Cisplatin"
    assert vocab.label("platelets") == "Platelet count"
    assert vocab.label("no_such_concept") == "no_such_concept"
    assert vocab.concept("no_such_concept") is None
    assert vocab.concept("anc") is vocab.measurements["anc"]
