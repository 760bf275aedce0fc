"""Units: the many ways criteria and records write them, turned into UCUM, and values converted
to each measurement's canonical unit.

``parse_unit`` reads a written unit ("/mm³", "x 10(9)/L", "x109/L", "K/uL", "g/dl",
"ml/min/1.73m2") into a UCUM string, through the surface-form table in ``data/units.json``, a
pattern for powers of ten (a superscript lost in copying leaves "109/L", read as 10^9/L), a table
of unit atoms, and finally the UCUM grammar itself. ``normalise`` converts a value through UCUM
(ucumvert on pint), with the analyte's molar mass for mass <-> molar and its valence for mEq.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from eligo.errors import EligoError

_MAX_UNIT_LENGTH = 64
_POWER_OF_TEN = re.compile(
    r"^(?:x|\*)?10(?:\^|\*\*|\*|e)?\(?(\d{1,2})\)?(?:cells)?/(l|ul|mm3|mcl|dl|ml|cumm|cmm)$"
)
_E_NOTATION = re.compile(r"^(?:x|\*)?e(\d{1,2})/(l|ul|mm3|mcl)$")
_MICRO = re.compile(r"[μµ](?=[A-Za-z])")
_ANNOTATION = re.compile(r"^\{[^{}]*\}$")


class UnitError(EligoError, ValueError):
    """A unit that cannot be read, or a value that cannot be converted to the unit wanted."""


@cache
def _table() -> dict[str, Any]:
    text = resources.files("eligo.vocab").joinpath("data", "units.json").read_text("utf-8")
    return json.loads(text)


def _clean(text: str) -> str:
    # NFKC folds "³" to "3", "⁹" to "9" (so "10⁹/L" reads like "109/L"), "µ" to "μ".
    text = unicodedata.normalize("NFKC", text)
    text = _MICRO.sub("u", text).replace("×", "x").replace("·", ".").replace("°", "deg")
    return "".join(text.split())


def _unwrap(text: str) -> str:
    """ "(x10^9/L)" -> "x10^9/L": a unit written in brackets after a value."""
    if len(text) > 2 and text[0] + text[-1] in ("()", "[]") and text[0] not in text[1:-1]:
        return text[1:-1]
    return text


def parse_unit(text: str) -> str:
    """The UCUM code for a unit as people write it; raises :class:`UnitError` on nonsense."""
    if not isinstance(text, str):
        raise UnitError(f"a unit must be text, not {type(text).__name__}")
    if len(text) > _MAX_UNIT_LENGTH:
        raise UnitError(f"not a unit (longer than {_MAX_UNIT_LENGTH} characters): {text[:40]!r}…")
    table = _table()
    compact = _clean(text)
    if compact in _known_codes():
        return compact
    compact = _unwrap(compact)
    if not compact:
        raise UnitError("empty unit")
    if compact in table["case_sensitive"]:
        return table["case_sensitive"][compact]
    key = compact.casefold().replace("(s)", "s")
    if key in table["not_units"]:
        raise UnitError(f"not a unit: {text!r}")
    if _ANNOTATION.match(key):
        return "1"  # "{INR}", "{score}": UCUM counts an annotation alone as the number 1
    for found in (table["forms"].get(key), _power_of_ten(key), _from_atoms(key, table)):
        if found is not None:
            return found
    if _is_ucum(compact):
        return compact
    raise UnitError(f"not a unit eligo knows: {text!r}")


@cache
def _known_codes() -> frozenset[str]:
    table = _table()
    return frozenset(
        [*table["forms"].values(), *table["case_sensitive"].values(), *table["default_units"]]
    )


def _power_of_ten(key: str) -> str | None:
    denominators = {
        "l": "L",
        "ul": "uL",
        "mcl": "uL",
        "mm3": "mm3",
        "cumm": "mm3",
        "cmm": "mm3",
        "dl": "dL",
        "ml": "mL",
    }
    match = _POWER_OF_TEN.match(key) or _E_NOTATION.match(key)
    if match is None:
        return None
    exponent = int(match.group(1))
    if exponent not in (3, 6, 9, 12):
        return None
    return f"10*{exponent}/{denominators[match.group(2)]}"


def _from_atoms(key: str, table: dict[str, Any]) -> str | None:
    """Units built from known atoms: "mg/dl" -> "mg/dL", "ml/min/1.73m2"."""
    atoms: dict[str, str] = table["atoms"]
    parts = key.split("/")
    if len(parts) > 4 or any(not part for part in parts[1:]):
        return None
    numerator = parts[0]
    if numerator in ("", "1"):
        written = ""
    elif numerator in atoms:
        written = atoms[numerator]
    else:
        return None
    for part in parts[1:]:
        if part not in atoms:
            return None
        written += "/" + atoms[part]
    return written or None


def _is_ucum(code: str) -> bool:
    try:
        _unit(code)
    except UnitError:
        return False
    return True


@cache
def _registry() -> Any:
    from ucumvert import PintUcumRegistry  # 0.3 s to build: only when a conversion needs it

    return PintUcumRegistry()


@lru_cache(maxsize=4096)
def _unit(code: str) -> Any:
    registry = _registry()
    try:
        found = registry.from_ucum(code)
        # a Quantity with a magnitude ("10*9/L" is 1 x _10**9/L); plain Units are wrapped
        return found if hasattr(found, "magnitude") else registry.Quantity(1, found)
    except Exception as error:  # lark, pint and plain errors alike (pint even asserts)
        raise UnitError(f"not a UCUM unit: {code!r}") from error


@lru_cache(maxsize=4096)
def _line(source: str, target: str) -> tuple[float, float]:
    """Offset and slope taking values in ``source`` to ``target`` (an offset only for
    temperatures), found once per pair of units: pint is slow, a multiplication is not."""
    registry = _registry()
    source_unit, target_unit = _unit(source), _unit(target)
    try:
        points = [
            registry.Quantity(x * source_unit.magnitude, source_unit.units).to(target_unit.units)
            for x in (0.0, 1.0)
        ]
    except Exception as error:  # pint's DimensionalityError, OffsetUnitCalculusError, ...
        raise UnitError(f"cannot convert {source} to {target}") from error
    zero, one = (float(point.magnitude) / target_unit.magnitude for point in points)
    return zero, one - zero


def _convert(value: float, source: str, target: str) -> float:
    offset, slope = _line(source, target)
    return offset + value * slope


def _dimension(code: str) -> str:
    return str(_unit(code).dimensionality)


def normalise(value: float, unit: str, measurement_id: str | None = None) -> tuple[float, str]:
    """``value`` in ``unit`` expressed in the canonical unit of ``measurement_id`` (or, without
    one, in eligo's usual unit for that dimension). Raises :class:`UnitError` when it cannot."""
    number = _finite(value)
    source = parse_unit(unit)
    molar_mass, valence = None, None
    if measurement_id is None:
        target = _default_unit(source)
    else:
        from eligo.vocab.vocabulary import vocabulary

        measurement = vocabulary().measurements.get(measurement_id)
        if measurement is None:
            raise UnitError(f"unknown measurement: {measurement_id!r}")
        if measurement.unit is None:
            raise UnitError(f"{measurement_id} is read as present or absent, not in a unit")
        target = measurement.unit
        source = measurement.equivalent_units.get(source, source)
        molar_mass, valence = measurement.molar_mass, measurement.valence
    if source == target:  # already canonical: no need to build the UCUM registry
        return float(f"{number:.12g}"), target
    result = _convert_with_substance(number, source, target, molar_mass, valence)
    if not math.isfinite(result):
        raise UnitError(f"{value!r} {unit} is out of range once converted to {target}")
    return float(f"{result:.12g}"), target


def _finite(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnitError(f"not a number: {value!r}")
    try:
        number = float(value)
    except OverflowError as error:
        raise UnitError("number too large") from error
    if not math.isfinite(number):
        raise UnitError(f"not a finite number: {value!r}")
    return number


def _convert_with_substance(
    value: float, source: str, target: str, molar_mass: float | None, valence: int | None
) -> float:
    if "eq" in source and valence:
        # UCUM's eq is a mole of charge: mEq of a divalent ion is half a mmol
        value, source = value / valence, source.replace("eq", "mol")
    if "eq" in target and valence:
        return (
            _convert_with_substance(value, source, target.replace("eq", "mol"), molar_mass, None)
            * valence
        )
    source_dim, target_dim = _dimension(source), _dimension(target)
    if source_dim == target_dim or molar_mass is None:
        return _convert(value, source, target)
    if "[mass]" in source_dim and "[substance]" in target_dim:
        grams = _convert(value, source, _base_unit(source_dim, "g"))
        return _convert(grams / molar_mass, _base_unit(source_dim, "mol"), target)
    if "[substance]" in source_dim and "[mass]" in target_dim:
        moles = _convert(value, source, _base_unit(source_dim, "mol"))
        return _convert(moles * molar_mass, _base_unit(source_dim, "g"), target)
    return _convert(value, source, target)


def _base_unit(dimension: str, base: str) -> str:
    """The SI unit of ``base`` (g or mol) per volume or alone, for the dimension given."""
    if "[length]" in dimension:
        return f"{base}/L"
    return base


def _default_unit(source: str) -> str:
    kind = _kind(source)
    for candidate in _table()["default_units"]:
        if _kind(candidate) == kind:
            return candidate
    return source


def _kind(code: str) -> tuple[str, bool, bool]:
    # pint counts international units and copies as plain numbers: keep them apart from cells
    return _dimension(code), "[IU]" in code, "{copies}" in code
