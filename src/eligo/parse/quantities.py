"""The threshold grammar: comparators, numbers, ranges, units and multiples of normal limits.

Every number in a stretch of text is read with what surrounds it:

    [comparator] number [(- | to | and) number] [unit | × ULN | × LLN | time unit] [or more …]

Comparators come in symbols and words, before the number ("≥", "at least", "no more than",
"between") or after it ("18 and over", "2 or higher"); numbers with thousands separators
("100 000", "1,500") or a lost leading digit (".5"); units through
:func:`eligo.vocab.units.parse_unit`; "× ULN", "x ULN", "times the upper limit of normal",
"ULN" alone (1 × ULN). The patterns have bounded repetition only: the work per character is
constant whatever the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from eligo.parse.lexicon import alternation, data
from eligo.parse.text import Text

MAX_DIGITS = 12

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "twice": 2,
    "thrice": 3,
}
NUMBER = (
    r"(?<![\w.])(?:\d{1,3}(?:[, ]\d{3}){1,4}(?![\d,])(?:\.\d{1,6})?"
    r"|\d{1,12}(?:\.\d{1,6})?(?!\d)|\.\d{1,6}|(?:" + "|".join(_NUMBER_WORDS) + r")(?![\w])"
    r"|(?:iv|v|i{1,3})(?![a-z\d]))"
)
# A roman numeral is a number only on a scale that uses them: "class III", "ASA I-III".
_ROMAN_CONTEXT = re.compile(r"\b(?:class|classes|grade|grades|asa|nyha|status|score|functional)"
                            r"\b[\s\w/,-]{0,12}$")
_NUMBER = re.compile(NUMBER)
_RANGE_TAIL = re.compile(r"\s{0,2}(?:-|~|to|and|through)\s{0,2}(" + NUMBER + ")")

ULN_WORDS = (
    r"(?:the\s)?(?:institutional\s|upper\s)?(?:uln|iuln|upper\slimits?\sof\s(?:the\s)?"
    r"(?:institutional\s|institution's\s|lab\s|laboratory\s)?normal(?:\srange|\slimits?|\svalues?)?"
    r"(?:\s\(uln\))?|upper\snormal\slimits?(?:\s\(uln\))?|upper\slimit\snormal"
    r"|(?:maximum|max\.?|upper|highest)\s(?:of\s)?(?:the\s)?normal\s(?:values?|limits?|range|level)"
    r"|normal\supper\slimits?|upper\s(?:value|range|level)\sof\s(?:the\s)?normal(?:\srange)?"
    r"|normal\s(?:range|values?|limits?)(?:\s\(uln\))?)"
)
LLN_WORDS = (
    r"(?:the\s)?(?:institutional\s)?(?:lln|lower\slimits?\sof\s(?:the\s)?(?:institutional\s)?"
    r"normal(?:\srange|\slimits?)?(?:\s\(lln\))?)"
)
_TIMES = r"(?:\s{0,2}(?:x|\*|times|time|fold|-fold)\s{0,2}|\s)"
_ULN = re.compile(_TIMES + r"\(?\s?(?:" + ULN_WORDS + r"|normal(?!\s(?:range|limit)))\)?(?!\w)")
_LLN = re.compile(_TIMES + r"\(?\s?" + LLN_WORDS + r"\)?(?!\w)")

TIME_UNITS = {
    "hours": ("hours", "hour", "hrs", "hr", "h"),
    "days": ("days", "day", "d"),
    "weeks": ("weeks", "week", "wks", "wk"),
    "months": ("months", "month", "mos", "mo", "mths"),
    "years": ("years", "year", "yrs", "yr", "y", "years of age", "years old", "year old",
              "years-old", "year-old", "yo", "y/o", "y.o."),
    "half_lives": (
        "half-lives",
        "half lives",
        "half-life",
        "half life",
        "halflives",
        "elimination half-lives",
        "t1/2",
    ),
}
_TIME_LOOKUP = {form: unit for unit, forms in TIME_UNITS.items() for form in forms}
# Units may touch the number or hang on a hyphen: "48h", "3months", "30-day", "18-year-old".
_TIME = re.compile(r"\s{0,2}-?(" + "|".join(
    r"\s{1,3}".join(re.escape(word) for word in form.split())
    for form in sorted(_TIME_LOOKUP, key=lambda f: (-len(f), f))) + r")(?![a-z])")
# What makes a number of years (or months) an age: "18 years of age", "years old", "or older",
# "younger than 18", "aged 18".
_AGE_AFTER = re.compile(r"\s{0,2}-?(?:of\sage|old|of\slife)(?![a-z])")
_AGE_WORDS = re.compile(r"\b(?:of\sage|old|older|younger)\b")
_AGE_BEFORE = re.compile(
    r"\b(?:age[ds]?|aged)\b[^0-9;.]{0,25}$"
    r"|\b(?:patients?|subjects?|participants?|persons?|people|individuals?|women|men|males?|"
    r"females?|children|adults?|volunteers?|infants?|adolescents?)\s(?:who\sare\s|are\s|is\s|"
    r"of\s)?$")
_AGE_JOINT = re.compile(r"^\s{0,2}(?:,\s?)?(?:or|and|but|to)?\s{0,2}$")

# Written units: powers of ten per volume, "/mm3", "g/dL", "mL/min/1.73 m2", "%", "ms", "mmHg".
_UNIT = re.compile(
    r"\s{0,2}("
    r"(?:x|\*)\s{0,2}10\s{0,2}(?:\^|\*\*|\*|e)?\s{0,1}\(?\d{1,2}\)?\s{0,2}(?:cells\s?)?/\s{0,1}"
    r"(?:l|ul|mm3|mm\^3|mcl|dl|ml|cumm|cmm)(?![a-z])"
    r"|10\s?(?:\^|\*\*|\*)\s?\(?\d{1,2}\)?\s?/\s?(?:l|ul|mm3|mcl)(?![a-z])"
    r"|(?:cells\s?)?(?:/|per\s)\s?(?:mm\^?3|ul|mcl|l|cumm|cmm|cu\.?\s?mm|microliter|mm\s3)"
    r"(?![a-z])"
    r"|(?:ml|cc)\s?/\s?min(?:ute)?(?:\s?/\s?1[.,]73\s?(?:m2|m\^2|sqm|m\s2))?"
    r"|[a-z]{1,5}\s?/\s?[a-z]{1,5}(?:\^?\d)?(?:\s?/\s?[a-z0-9.^]{1,8})?(?![a-z])"
    r"|%|percent(?:age)?(?![a-z])|msecs?(?![a-z])|ms(?![a-z])|mm\s?hg(?![a-z])"
    r"|(?:mg|g|kg|mcg|ug|ng|iu|u|mmol|umol|l|liters?|litres?)(?![\w/])"
    r")"
)


@dataclass(frozen=True, slots=True)
class Bound:
    comparator: str
    value: float


@dataclass(slots=True)
class Quantity:
    """One number read with its surroundings. ``bounds`` is empty when no comparator was
    written (a bare "14 days"), two for a range."""

    start: int
    end: int
    value: float
    bounds: tuple[Bound, ...] = ()
    scale: str = "value"  # value, uln, lln
    unit_text: str | None = None  # as written
    time_unit: str | None = None  # hours … half_lives
    leading_dot: bool = False  # ".5": a digit may have been lost
    age: bool = False  # an age ("18 years of age", "younger than 18"), never a time window
    gestational: bool = False  # "< 36 weeks of gestation": an age of pregnancy, not a window
    comparator_start: int | None = None
    number_text: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def comparator(self) -> str | None:
        return self.bounds[0].comparator if len(self.bounds) == 1 else None


@cache
def _comparators() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], dict[str, str]]:
    table = data("comparators")
    prefix = {" ".join(p.split()): c for c, ps in table["prefix"].items() for p in ps}
    postfix = {" ".join(p.split()): c for c, ps in table["postfix"].items() for p in ps}
    before = re.compile(r"(" + alternation(prefix) + r")\s{0,3}(?:\(\s?)?(?:class\s|grade\s)?$")
    after = re.compile(r"\s{0,2}(" + alternation(postfix) + r")")
    return before, prefix, after, postfix


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


_YEAR = re.compile(r"(?:19|20)\d\d")
_DECIMAL_TAIL = re.compile(r",(\d{1,2})(?![\d,])")


def number_value(text: str) -> float | None:
    """ "100 000" → 100000.0, "1,500" → 1500.0, ".5" → 0.5, "two" → 2.0, "ii" → 2.0."""
    word = _NUMBER_WORDS.get(text) or _ROMAN.get(text)
    if word is not None:
        return float(word)
    digits = text.replace(",", "").replace(" ", "")
    if len(digits.replace(".", "")) > MAX_DIGITS:
        return None
    try:
        return float(digits)
    except ValueError:
        return None


_PERCENTILE = re.compile(r"(?:st|nd|rd|th)?\s{0,2}-?\s{0,2}(?:percentiles?|centiles?|%ile)\b")
_ORDINAL = re.compile(r"(?:st|nd|rd|th)\b")
_PERCENTILE_WORD = re.compile(r"\b(?:percentiles?|centiles?)\b|%ile")


def find_quantities(text: Text, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every number in ``text[start:end]`` with its comparator, range, unit or limit."""
    end = len(text.folded) if end is None else end
    folded = text.folded
    found: list[Quantity] = []
    position = start
    while True:
        match = _NUMBER.search(folded, position, end)
        if match is None:
            break
        quantity = _read(text, match, start, end)
        position = match.end()
        if quantity is not None:
            found.append(quantity)
            position = max(position, quantity.end)
    _spread_age(folded, found)
    return found + _limits_without_number(text, start, end, found)


def _spread_age(folded: str, found: list[Quantity]) -> None:
    """"Under 18 years or over 70 years old": a limit joined to an age is an age too."""
    for _ in range(2):
        for one, other in zip(found, found[1:], strict=False):
            if one.age == other.age or not one.bounds or not other.bounds:
                continue
            first = other.start if other.comparator_start is None else other.comparator_start
            if not _AGE_JOINT.match(folded[one.end:first]):
                continue
            unit = one.time_unit or other.time_unit
            for quantity in (one, other):
                if quantity.time_unit in (None, "years", "months") and quantity.unit_text is None \
                        and quantity.scale == "value":
                    quantity.age = True
                    quantity.time_unit = quantity.time_unit or unit


def _read(text: Text, match: re.Match[str], start: int, end: int) -> Quantity | None:
    folded = text.folded
    value = number_value(match.group())
    if value is None:
        return None
    if match.group() in _ROMAN and not _ROMAN_CONTEXT.search(
            folded, max(start, match.start() - 30), match.start()):
        return None
    if _YEAR.fullmatch(match.group()) and not _UNIT.match(folded, match.end(), end):
        return None  # "between 2008 and 2017": calendar years
    if _PERCENTILE.match(folded, match.end(), end) or (
            _ORDINAL.match(folded, match.end(), end)
            and _PERCENTILE_WORD.search(folded, match.end(), min(end, match.end() + 30))):
        return None  # "> 95th percentile for age": a rank in a reference population, no value
    quantity = Quantity(
        match.start(),
        match.end(),
        value,
        number_text=match.group(),
        leading_dot=match.group().startswith("."),
    )
    comparator = _comparator_before(folded, start, match.start())
    decimal = _DECIMAL_TAIL.match(folded, match.end(), end)
    if decimal is not None and match.group().isdigit() and (
            comparator is not None or _UNIT.match(folded, decimal.end(), end)):
        # "7,8 mmol/l", "≥18,5": a decimal comma; "ECOG 0,1" lists two grades
        value = float(f"{match.group()}.{decimal.group(1)}")
        quantity.value, quantity.end = value, decimal.end()
        quantity.number_text = folded[match.start():decimal.end()]
    tail = _RANGE_TAIL.match(folded, quantity.end, end)
    high = number_value(tail.group(1)) if tail else None
    tail_end = tail.end() if tail else 0
    if tail is not None and high is not None and decimal is not None:
        more = _DECIMAL_TAIL.match(folded, tail_end, end)  # "18,5-27,5"
        if more is not None:
            high, tail_end = float(f"{tail.group(1)}.{more.group(1)}"), more.end()
    if tail is not None and high is not None and high > value:
        quantity.end = tail_end
        quantity.bounds = (Bound(">=", value), Bound("<=", high))
        if comparator is not None:
            quantity.comparator_start = comparator[1]
    elif comparator is not None and comparator[0] != "range":
        quantity.bounds = (Bound(comparator[0], value),)
        quantity.comparator_start = comparator[1]
    _read_unit(text, quantity, end)
    if len(quantity.bounds) < 2 and (comparator is None or comparator[0] == "range"):
        _unit_range(text, quantity, end, comparator)
    post = _comparators()[2].match(folded, quantity.end, end)
    if post is not None and (not quantity.bounds or quantity.comparator == "="):
        # "18 or older"; "CRAFFT = 2 or higher" is a lower limit too
        quantity.bounds = (Bound(_comparators()[3][" ".join(post.group(1).split())], value),)
        quantity.comparator_start = quantity.comparator_start or quantity.start
        quantity.end = post.end()
    _mark_age(folded, quantity, start, end)
    return quantity


def _unit_range(text: Text, quantity: Quantity, end: int,
                comparator: tuple[str, int] | None) -> None:
    """"40 years to 85 years", "2 cm to 5 cm": a range with its unit written twice."""
    if quantity.unit_text is None and quantity.time_unit is None:
        return
    tail = _RANGE_TAIL.match(text.folded, quantity.end, end)
    if tail is None or re.match(r"\s{0,2}and", text.folded[quantity.end:tail.start(1)]) \
            and comparator is None:
        return  # "2 cm and 5 mm" lists two values; "between 2 cm and 5 cm" is a range
    high = number_value(tail.group(1))
    if high is None or high <= quantity.value:
        return
    second = Quantity(tail.start(1), tail.end(1), high)
    _read_unit(text, second, end)
    if (second.unit_text, second.time_unit) != (quantity.unit_text, quantity.time_unit) or \
            second.scale != quantity.scale:
        return
    quantity.bounds = (Bound(">=", quantity.value), Bound("<=", high))
    quantity.end = second.end
    if comparator is not None:
        quantity.comparator_start = comparator[1]


_GESTATION = re.compile(r"\bgestation|\bamenorrh|\bpregnan[a-z]*\s(?:of|at)\b")
_BARE_YEARS = re.compile(r"\s{0,2}(?:,|;|\)|\.|$|and\b|or\b|who\b|with\b|at\b|are\b)")


def _mark_age(folded: str, quantity: Quantity, start: int, end: int) -> None:
    if quantity.time_unit not in (None, "years", "months", "weeks", "days", "hours") \
            or quantity.unit_text is not None or quantity.scale != "value":
        return
    if quantity.time_unit in ("weeks", "days") and _GESTATION.search(
            folded, max(start, quantity.start - 30), min(end, quantity.end + 30)):
        quantity.gestational = True
        return
    after = _AGE_AFTER.match(folded, quantity.end, end)
    if after is not None and quantity.time_unit is not None:
        quantity.end = after.end()
    first = quantity.start if quantity.comparator_start is None else quantity.comparator_start
    written = folded[first:quantity.end]
    if after is not None or _AGE_WORDS.search(written):
        quantity.age = quantity.time_unit is not None or "older" in written or \
            "younger" in written
    elif _AGE_BEFORE.search(folded, max(start, first - 30), first) is not None:
        quantity.age = quantity.value <= 120 and quantity.time_unit in (None, "years", "months")
    elif quantity.time_unit == "years" and quantity.bounds and all(
            16 <= b.value <= 100 for b in quantity.bounds) and (
            len(quantity.bounds) == 2 or quantity.comparator in (">", ">=")) and \
            _BARE_YEARS.match(folded, quantity.end) is not None and not re.search(
            r"\b(?:for|since|within|past|last|after|than|least)\s*$",
            folded[max(start, first - 12):first]):
        # "≥ 18 years", "18-65 years" with nothing more: ages (durations of many years read
        # "for", "since", "of …")
        quantity.age = True


def _comparator_before(folded: str, start: int, position: int) -> tuple[str, int] | None:
    window_start = max(start, position - 45)
    match = _comparators()[0].search(folded, window_start, position)
    if match is None:
        return None
    phrase = " ".join(match.group(1).split())
    return _comparators()[1][phrase], match.start()


_MG_PERCENT = re.compile(r"\s{0,2}mg\s?%")


def _read_unit(text: Text, quantity: Quantity, end: int) -> None:
    folded = text.folded
    for scale, pattern in (("uln", _ULN), ("lln", _LLN)):
        limit = pattern.match(folded, quantity.end, end)
        if limit is not None and _limit_is_meant(limit.group()):
            quantity.scale = scale
            quantity.end = limit.end()
            return
    percent = _MG_PERCENT.match(folded, quantity.end, end)
    if percent is not None:
        # "mg %" (milligrams per 100 mL), an old way of writing mg/dL
        quantity.unit_text = "mg/dL"
        quantity.end = percent.end()
        return
    unit = _UNIT.match(folded, quantity.end, end)
    if unit is not None:
        written = text.raw[unit.start(1) : unit.end(1)]
        if parse_unit_or_none(written) is not None:
            quantity.unit_text = written
            quantity.end = unit.end()
            return
    time = _TIME.match(folded, quantity.end, end)
    if time is not None:
        quantity.time_unit = _TIME_LOOKUP[" ".join(time.group(1).split())]
        quantity.end = time.end()


def _limit_is_meant(written: str) -> bool:
    # "1.5 normal" is not a limit; "1.5 x normal", "1.5 times normal", "1.5 ULN" are.
    words = written.split()
    return not (
        words and words[-1].strip("()") == "normal" and not re.search(r"x|\*|times|fold", written)
    )


@lru_cache(maxsize=2048)
def parse_unit_or_none(written: str) -> str | None:
    from eligo.vocab.units import UnitError, parse_unit

    try:
        return parse_unit(written)
    except UnitError:
        return None


_NORMAL = re.compile(
    r"within\s(?:the\s)?(?:institutional\s)?normal(?:\sinstitutional)?\s(?:limits|range)|\bwnl\b"
    r"|(?<![\w-])(?:ab)?normal(?![\w-])"
)
_INSTITUTION = re.compile(r"(?<![\w-])[a-z]{2,8}\s$")
_LIMIT_ALONE = re.compile(r"(?:\(\s?)?(" + ULN_WORDS + r"|" + LLN_WORDS + r")\)?(?!\w)")


def _limits_without_number(
    text: Text, start: int, end: int, found: list[Quantity]
) -> list[Quantity]:
    """ "≤ ULN", "no greater than the upper limit of normal", "within normal limits": 1 × limit."""
    folded = text.folded
    taken = [(q.start if q.comparator_start is None else q.comparator_start, q.end) for q in found]
    extra: list[Quantity] = []
    before, lookup = _comparators()[0], _comparators()[1]
    for match in _LIMIT_ALONE.finditer(folded, start, end):
        if any(a <= match.start() < b for a, b in taken):
            continue
        comparator = before.search(folded, max(start, match.start() - 45), match.start())
        if comparator is None:
            # "greater than OSU lower limit of normal": the institution named between
            named = _INSTITUTION.search(folded, max(start, match.start() - 12), match.start())
            if named is not None:
                comparator = before.search(folded, max(start, named.start() - 45),
                                           named.start())
        if comparator is None:
            continue
        symbol = lookup[" ".join(comparator.group(1).split())]
        if symbol == "range":
            continue
        scale = "lln" if "lln" in match.group(1) or "lower" in match.group(1) else "uln"
        extra.append(
            Quantity(
                match.start(),
                match.end(),
                1.0,
                bounds=(Bound(symbol, 1.0),),
                scale=scale,
                comparator_start=comparator.start(),
            )
        )
        taken.append((comparator.start(), match.end()))
    for match in _NORMAL.finditer(folded, start, end):
        if any(a <= match.start() < b for a, b in taken):
            continue
        # "normal": within the reference range; "abnormal": outside it
        if match.group().startswith("ab"):
            bounds, scale = (Bound("<", 1.0), Bound(">", 1.0)), "abnormal"
        else:
            bounds, scale = (Bound(">=", 1.0), Bound("<=", 1.0)), "normal"
        extra.append(Quantity(match.start(), match.end(), 1.0, bounds=bounds, scale=scale))
    return extra
