"""Units as criteria and records write them, read into UCUM and converted."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.errors import EligoError
from eligo.vocab import UnitError, normalise, parse_unit, vocabulary


@pytest.mark.parametrize(
    ("written", "ucum"),
    [
        ("/mm3", "/mm3"),
        ("/mm³", "/mm3"),
        ("/µL", "/uL"),
        ("/μL", "/uL"),
        ("cells/mm3", "/mm3"),
        ("cells/µL", "/uL"),
        ("× 10^9/L", "10*9/L"),
        ("x 10(9)/L", "10*9/L"),
        ("x109/L", "10*9/L"),
        ("× 109/L", "10*9/L"),
        ("x 10⁹/L", "10*9/L"),
        ("10^9/L", "10*9/L"),
        ("10E9/L", "10*9/L"),
        ("x10e9/l", "10*9/L"),
        ("G/L", "10*9/L"),
        ("x 1012/L", "10*12/L"),
        ("10^3/uL", "10*3/uL"),
        ("10³/µL", "10*3/uL"),
        ("K/uL", "10*3/uL"),
        ("K/µL", "10*3/uL"),
        ("x10^3/mm3", "10*3/mm3"),
        ("g/dL", "g/dL"),
        ("g/dl", "g/dL"),
        ("G/DL", "g/dL"),
        ("g/L", "g/L"),
        ("g/l", "g/L"),
        ("mg/dL", "mg/dL"),
        ("mg/dl", "mg/dL"),
        ("µmol/L", "umol/L"),
        ("umol/L", "umol/L"),
        ("μmol/l", "umol/L"),
        ("mmol/L", "mmol/L"),
        ("mL/min", "mL/min"),
        ("ml/min", "mL/min"),
        ("ml/min/1.73m2", "mL/min/{1.73_m2}"),
        ("mL/min/1.73 m²", "mL/min/{1.73_m2}"),
        ("IU/mL", "[IU]/mL"),
        ("IU/L", "[IU]/L"),
        ("U/L", "U/L"),
        ("UI/L", "[IU]/L"),
        ("ms", "ms"),
        ("msec", "ms"),
        ("%", "%"),
        ("mmHg", "mm[Hg]"),
        ("mm Hg", "mm[Hg]"),
        ("kg", "kg"),
        ("cm", "cm"),
        ("kg/m²", "kg/m2"),
        ("m²", "m2"),
        ("ng/mL", "ng/mL"),
        ("pg/ml", "pg/mL"),
        ("mcg/L", "ug/L"),
        ("mEq/L", "meq/L"),
        ("°C", "Cel"),
        ("°F", "[degF]"),
        ("bpm", "/min"),
        ("copies/mL", "{copies}/mL"),
        ("mIU/L", "m[IU]/L"),
        ("days", "d"),
        ("weeks", "wk"),
        ("month(s)", "mo"),
        ("years", "a"),
        ("mg/24h", "mg/(24.h)"),
        ("mg/m2", "mg/m2"),
        ("[iU]/L", "[IU]/L"),
        ("{INR}", "1"),
        ("{cells}/uL", "/uL"),
        ("10*3/uL", "10*3/uL"),
        ("mL/min/{1.73_m2}", "mL/min/{1.73_m2}"),
        ("u[IU]/mL", "u[IU]/mL"),
        ("(x10^9/L)", "10*9/L"),
    ],
)
def test_parse_unit(written: str, ucum: str) -> None:
    assert parse_unit(written) == ucum


@pytest.mark.parametrize(
    "nonsense",
    [
        "banana",
        "",
        "   ",
        "x",
        "mg/",
        "//",
        "/",
        "ULN",
        "x ULN",
        "N/A",
        "mg" * 40,
        "\x00",
        "{",
        "µ",
        "()",
        "10^^9/L",
        "per",
        "log10 IU/mL",
    ],
)
def test_nonsense_unit_is_a_unit_error(nonsense: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(nonsense)


def test_unit_error_is_an_eligo_error() -> None:
    assert issubclass(UnitError, EligoError) and issubclass(UnitError, ValueError)


def test_platelet_thresholds_in_both_unit_systems_are_equal() -> None:
    a = normalise(100_000, "/mm3", "platelets")
    b = normalise(100, "× 10^9/L", "platelets")
    c = normalise(100, "x 109/L", "platelets")
    d = normalise(100, "K/uL", "platelets")
    e = normalise(100, "G/L", "platelets")
    assert a == b == c == d == e == (100.0, "10*9/L")
    assert normalise(100_000, "/mm3") == (100.0, "10*9/L")  # without a measurement too


def test_neutrophils() -> None:
    assert normalise(1500, "/mm3", "anc") == (1.5, "10*9/L")
    assert normalise(1.5, "× 109/L", "anc") == (1.5, "10*9/L")
    assert normalise(1500, "cells/µL", "anc") == (1.5, "10*9/L")


def test_mass_to_molar_with_the_analytes_molar_mass() -> None:
    value, unit = normalise(1.2, "mg/dL", "creatinine")
    assert unit == "umol/L" and round(value, 1) == 106.1
    value, unit = normalise(1, "mg/dL", "total_bilirubin")
    assert unit == "umol/L" and round(value, 1) == 17.1
    value, unit = normalise(1.5, "mg/dL", "direct_bilirubin")
    assert round(value, 1) == 25.7
    value, unit = normalise(100, "mg/dL", "glucose")
    assert unit == "mmol/L" and round(value, 2) == 5.55
    value, unit = normalise(50, "ng/dL", "testosterone")
    assert unit == "nmol/L" and round(value, 2) == 1.73  # the castrate level
    assert normalise(106.1, "µmol/L", "creatinine") == (106.1, "umol/L")


def test_mass_concentrations() -> None:
    assert normalise(9, "g/dL", "hemoglobin") == (90.0, "g/L")
    assert normalise(9.0, "g/dl", "hemoglobin") == (90.0, "g/L")
    assert normalise(2.5, "g/dL", "albumin") == (25.0, "g/L")
    value, _ = normalise(5.6, "mmol/L", "hemoglobin")  # Dutch labs report haemoglobin in mmol/L
    assert round(value) == 90


def test_milliequivalents_use_the_valence() -> None:
    assert normalise(4.0, "mEq/L", "potassium") == (4.0, "mmol/L")
    assert normalise(4.5, "mEq/L", "calcium") == (2.25, "mmol/L")
    value, _ = normalise(10, "mg/dL", "calcium")
    assert round(value, 2) == 2.5


def test_enzyme_activity_written_in_international_units() -> None:
    assert normalise(40, "IU/L", "alt") == (40.0, "U/L")
    assert normalise(40, "U/L", "ast") == (40.0, "U/L")
    assert normalise(0.5, "µkat/L", "alt") == (30.0, "U/L")


def test_other_measurements() -> None:
    assert normalise(30, "mL/min", "creatinine_clearance") == (30.0, "mL/min")
    assert normalise(60, "ml/min/1.73m2", "egfr") == (60.0, "mL/min/{1.73_m2}")
    assert normalise(0.47, "s", "qtcf") == (470.0, "ms")
    assert normalise(470, "msec", "qtc") == (470.0, "ms")
    assert normalise(2000, "IU/mL", "hbv_dna") == (2000.0, "[IU]/mL")
    assert normalise(200, "cells/mm3", "cd4") == (200.0, "/uL")
    assert normalise(0.2, "x10^9/L", "cd4") == (200.0, "/uL")
    assert normalise(98.6, "°F", "temperature") == (37.0, "Cel")
    assert normalise(154, "lbs", "weight")[0] == pytest.approx(69.85, abs=0.01)
    assert normalise(90, "%", "spo2") == (90.0, "%")
    assert normalise(1.5, "ratio", "inr") == (1.5, "1")
    assert normalise(2, "uIU/mL", "tsh") == (2.0, "m[IU]/L")
    assert normalise(14, "days") == (14.0, "d")
    assert normalise(2, "weeks") == (14.0, "d")


def test_what_cannot_be_converted_is_a_unit_error() -> None:
    with pytest.raises(UnitError):
        normalise(1.2, "mg/dL", "platelets")  # a mass is not a count
    with pytest.raises(UnitError):
        normalise(10, "g/dL", "creatinine_clearance")
    with pytest.raises(UnitError):
        normalise(1, "mg/dL", "hbsag")  # read as present or absent
    with pytest.raises(UnitError):
        normalise(1, "mg/dL", "no_such_measurement")
    with pytest.raises(UnitError):
        normalise(float("nan"), "mg/dL", "creatinine")
    with pytest.raises(UnitError):
        normalise(1e308, "g/dL", "hemoglobin")  # overflows once converted
    with pytest.raises(UnitError):
        normalise(1, "banana", "creatinine")


def test_every_canonical_unit_reads_and_converts_to_itself() -> None:
    for measurement in vocabulary().measurements.values():
        if measurement.unit is not None:
            assert normalise(1.0, measurement.unit, measurement.id) == (1.0, measurement.unit)


_unit_alphabet = st.sampled_from(list("mgdLlµuμ/×x^*()[]{}%°0123456789 .-_eEKkGIUcsn³²⁹"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.text(_unit_alphabet, max_size=20)))
def test_parse_unit_raises_nothing_but_unit_error(text: str) -> None:
    try:
        result = parse_unit(text)
    except UnitError:
        return
    assert isinstance(result, str) and result


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**400), 10**400)
    ),
    unit=st.one_of(
        st.text(_unit_alphabet, max_size=12),
        st.sampled_from(["/mm3", "mg/dL", "g/dL", "x109/L", "%", "°C", "mEq/L", "IU/L"]),
    ),
    measurement=st.one_of(st.none(), st.sampled_from(sorted(vocabulary().measurements))),
)
def test_normalise_raises_nothing_but_unit_error(
    value: float, unit: str, measurement: str | None
) -> None:
    try:
        result, canonical = normalise(value, unit, measurement)
    except UnitError:
        return
    assert math.isfinite(result) and isinstance(canonical, str)
