"""Quantities as people write them: '32.3 billion yuan', 'about 25,000', '323亿元', '1/15'.

One parser serves the fact base and workbook cells. A `Quantity` keeps its value
in base units (yuan, US dollars, counts, percent, ratio, years) as an exact
fraction, with the qualifier and the precision the text was written to, so that
'32.3 billion' is known to cover 32.25 to 32.35 billion.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

EXACT = "exact"
ABOUT = "about"
MORE_THAN = "more than"
AT_LEAST = "at least"
AT_MOST = "at most"
LESS_THAN = "less than"
QUALIFIERS = (EXACT, ABOUT, MORE_THAN, AT_LEAST, AT_MOST, LESS_THAN)

#: 'about X' covers X plus or minus this share of X.
ABOUT_TOLERANCE = Fraction(5, 100)

BASE_UNITS = ("count", "CNY", "USD", "percent", "ratio", "years")

# Longest first, so 'more than' wins over 'more'. English ones need a word boundary.
_QUALIFIER_WORDS: dict[str, str] = {
    "approximately": ABOUT, "around": ABOUT, "roughly": ABOUT, "about": ABOUT, "nearly": ABOUT,
    "almost": ABOUT, "close to": ABOUT, "some": ABOUT, "approx.": ABOUT, "approx": ABOUT,
    "more than": MORE_THAN, "over": MORE_THAN, "above": MORE_THAN, "exceeding": MORE_THAN,
    "upwards of": MORE_THAN, "in excess of": MORE_THAN,
    "at least": AT_LEAST, "no less than": AT_LEAST, "not less than": AT_LEAST,
    "no fewer than": AT_LEAST, "a minimum of": AT_LEAST,
    "at most": AT_MOST, "up to": AT_MOST, "no more than": AT_MOST, "not more than": AT_MOST,
    "a maximum of": AT_MOST,
    "less than": LESS_THAN, "fewer than": LESS_THAN, "under": LESS_THAN, "below": LESS_THAN,
    "exactly": EXACT, "exact": EXACT,
}
_QUALIFIER_CJK_PREFIX: dict[str, str] = {
    "大约": ABOUT, "约": ABOUT, "将近": ABOUT, "接近": ABOUT, "近": ABOUT,
    "超过": MORE_THAN, "逾": MORE_THAN, "超": MORE_THAN, "多于": MORE_THAN,
    "至少": AT_LEAST, "不少于": AT_LEAST, "不低于": AT_LEAST,
    "最多": AT_MOST, "不超过": AT_MOST, "不到": LESS_THAN, "少于": LESS_THAN,
}
_QUALIFIER_CJK_SUFFIX: dict[str, str] = {
    "左右": ABOUT, "多": MORE_THAN, "余": MORE_THAN, "以上": AT_LEAST,
    "以下": AT_MOST, "以内": AT_MOST,
}
_MAGNITUDES: dict[str, int] = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "mn": 10**6, "mln": 10**6, "bn": 10**9, "tn": 10**12,
}
_MAGNITUDES_CJK: dict[str, int] = {
    "万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8, "千万": 10**7,
    "百万": 10**6, "十万": 10**5, "万": 10**4, "千": 10**3,
}
_CURRENCY_PREFIX: dict[str, str] = {
    "us$": "USD", "usd": "USD", "$": "USD", "¥": "CNY", "rmb": "CNY", "cny": "CNY",
}
_UNIT_WORDS: dict[str, str] = {
    "%": "percent", "percent": "percent", "per cent": "percent", "pct": "percent",
    "percentage points": "percent",
    "yuan": "CNY", "rmb": "CNY", "cny": "CNY", "元": "CNY", "人民币": "CNY", "元人民币": "CNY",
    "usd": "USD", "us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD", "美元": "USD",
    "years": "years", "year": "years", "年": "years",
}
_NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
}
# Ways of writing a unit in a Unit cell, beyond the unit words above.
_UNIT_ALIASES: dict[str, str] = {
    **_UNIT_WORDS,
    "count": "count", "number": "count", "items": "count", "#": "count", "个": "count",
    "ratio": "ratio", "share": "ratio", "fraction": "ratio", "proportion": "ratio",
    "us$": "USD", "¥": "CNY", "renminbi": "CNY", "percentage": "percent",
}

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NUMBER_CHARS = re.compile(r"[\d,' ./+-]*")
_GROUPING = re.compile(r"[,' ]")
_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")
# 1,234,567.89 | 1 234 567 | 1234.5 | .5 ; the separator must group by threes.
_DECIMAL = re.compile(r"([+-]?)(\d{1,3}(?:[,' ]\d{3})+|\d+)?(?:\.(\d+))?")
_WORD_NUMBER = re.compile(
    r"(a hundred|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|"
    r"three|four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    r"hundred)\b"
)


class QuantityError(ValueError):
    """Text that is not a quantity reporter can read; the message says what to type."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value in base units, with its qualifier and the precision it was written to."""

    value: Fraction
    unit: str | None = None
    qualifier: str = EXACT
    #: Half the width of the rounding interval, in base units (0 for exact counts).
    precision: Fraction = Fraction(0)
    text: str = ""

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"unknown qualifier {self.qualifier!r}")

    def with_unit(self, unit: str | None) -> Quantity:
        return Quantity(self.value, unit, self.qualifier, self.precision, self.text)

    def with_qualifier(self, qualifier: str) -> Quantity:
        return Quantity(self.value, self.unit, qualifier, self.precision, self.text)

    def as_number(self) -> int | float:
        """The value for JSON: an int when whole, ratios to four decimal places."""
        if self.value.denominator == 1:
            return int(self.value)
        if self.unit == "ratio":
            return round(float(self.value), 4)
        return float(self.value)

    def interval(self) -> Interval:
        """The set of true values this statement allows."""
        v, p = self.value, self.precision
        match self.qualifier:
            case "exact":
                return Interval(v - p, v + p)
            case "about":
                spread = abs(v) * ABOUT_TOLERANCE + p
                return Interval(v - spread, v + spread)
            case "more than":
                return Interval(v, None, lo_open=True)
            case "at least":
                return Interval(v, None)
            case "at most":
                return Interval(None, v)
            case _:  # less than
                return Interval(None, v, hi_open=True)


@dataclass(frozen=True, slots=True)
class Interval:
    lo: Fraction | None
    hi: Fraction | None
    lo_open: bool = False
    hi_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        return _below(self.lo, self.lo_open, other.hi, other.hi_open) and _below(
            other.lo, other.lo_open, self.hi, self.hi_open
        )

    def within(self, other: Interval) -> bool:
        """True when every value in self is also in other."""
        lo_ok = other.lo is None or (
            self.lo is not None
            and (self.lo > other.lo or (self.lo == other.lo and (self.lo_open or not other.lo_open)))
        )
        hi_ok = other.hi is None or (
            self.hi is not None
            and (self.hi < other.hi or (self.hi == other.hi and (self.hi_open or not other.hi_open)))
        )
        return lo_ok and hi_ok


def _below(lo: Fraction | None, lo_open: bool, hi: Fraction | None, hi_open: bool) -> bool:
    """Whether a lower bound lies below an upper bound, so the two leave room for a value."""
    if lo is None or hi is None:
        return True
    return lo < hi or (lo == hi and not lo_open and not hi_open)


def normalise_text(text: str) -> str:
    """Full-width digits and signs to ASCII, every kind of space to one space."""
    if not text.isascii():  # ASCII text is its own NFKC form
        text = unicodedata.normalize("NFKC", text).replace("\u00a5", "¥").replace("\uffe5", "¥")
    return _SPACES.sub(" ", text).strip()


def normalise_unit(text: str | None) -> str | None:
    """The base unit for a Unit cell ('yuan' -> 'CNY'); unknown units come back unchanged."""
    if text is None:
        return None
    key = normalise_text(str(text)).casefold()
    if not key:
        return None
    for unit in BASE_UNITS:
        if key == unit.casefold():
            return unit
    return _UNIT_ALIASES.get(key, normalise_text(str(text)))


def normalise_qualifier(text: str | None) -> str | None:
    """The qualifier for a Qualifier cell ('over' -> 'more than'); None if unknown."""
    if text is None:
        return None
    key = normalise_text(str(text)).casefold()
    if not key:
        return EXACT
    if key in QUALIFIERS:
        return key
    return _QUALIFIER_WORDS.get(key) or _QUALIFIER_CJK_PREFIX.get(key) or _QUALIFIER_CJK_SUFFIX.get(
        key
    )


def unit_aliases() -> dict[str, str]:
    """Other ways of writing each unit ('yuan' -> 'CNY'), for 'did you mean' hints."""
    return {k: v for k, v in _UNIT_ALIASES.items() if k != v.casefold()}


def qualifier_aliases() -> dict[str, str]:
    """Other ways of writing each qualifier ('over' -> 'more than')."""
    return {**_QUALIFIER_WORDS, **_QUALIFIER_CJK_PREFIX, **_QUALIFIER_CJK_SUFFIX}


def parse_quantity(text: str, *, allow_trailing_words: bool = False) -> Quantity:
    """Read a quantity from text.

    With `allow_trailing_words`, words after the quantity ('nine cities',
    '32.3 billion yuan (US$4.6 billion)') are ignored; the fact base uses this
    to read figures as the sources write them.
    """
    original = text
    s = normalise_text(str(text))
    if not s:
        raise QuantityError("the cell is empty")
    low = s.casefold()
    pos = 0
    qualifier = EXACT
    unit: str | None = None

    pos, qualifier = _take_prefix_qualifier(low, pos, qualifier)
    pos = _skip_spaces(low, pos)
    if not low[pos:pos + 1].isdigit():  # no currency sign starts with a digit
        for word, cur in _CURRENCY_LONGEST_FIRST:
            if low.startswith(word, pos):
                unit, pos = cur, _skip_spaces(low, pos + len(word))
                break

    value, precision, pos, is_fraction = _take_number(low, pos, original)

    # magnitude: 'billion', '亿', '万亿'
    pos = _skip_spaces(low, pos)
    magnitude, pos = _take_magnitude(low, pos)
    if magnitude > 1:
        if not precision and not is_fraction:
            precision = Fraction(1, 2)  # '323亿' is written to the nearest 亿
        value *= magnitude
        precision *= magnitude
    if is_fraction:
        unit = unit or "ratio"

    pos, qualifier, unit = _take_suffixes(low, pos, qualifier, unit, original)

    rest = low[pos:].strip()
    if rest and not allow_trailing_words:
        raise QuantityError(
            f"{_shorten(original)} is not a quantity reporter can read (it stops at "
            f"{rest[:20]!r}). "
            "Type a number such as 12280 or 32.3 billion, optionally with a qualifier "
            "(about, more than), a unit (yuan, US$, %), or a fraction such as 1/15"
        )
    if is_fraction and unit == "percent":
        raise QuantityError(f"{original!r} mixes a fraction and a percentage; write one of them")
    _check_size(value, original)
    return Quantity(value, unit, qualifier, precision, original)


def _take_magnitude(low: str, pos: int) -> tuple[int, int]:
    """'billion', '亿', '万亿' at pos: (the multiplier, the position after it)."""
    if pos >= len(low):
        return 1, pos
    for word, mult in _MAGNITUDES_LONGEST_FIRST:
        if low.startswith(word, pos) and _word_ends(low, pos + len(word)):
            return mult, pos + len(word)
    for word, mult in _MAGNITUDES_CJK.items():  # longest first by construction
        if low.startswith(word, pos):
            return mult, pos + len(word)
    return 1, pos


def _take_suffixes(low: str, pos: int, qualifier: str, unit: str | None, original: str
                   ) -> tuple[int, str, str | None]:
    """Suffixes: a qualifier (多, 余, 以上), a unit (yuan, %, 元), a qualifier again (左右)."""
    for _ in range(3):
        pos = _skip_spaces(low, pos)
        if pos >= len(low):
            break
        hit = False
        for word, qual in _QUALIFIER_CJK_SUFFIX.items():
            if low.startswith(word, pos) and qualifier == EXACT:
                qualifier, pos, hit = qual, pos + len(word), True
                break
        for word, u in _UNIT_WORDS_LONGEST_FIRST:
            if low.startswith(word, pos) and (not word[0].isalpha() or _word_ends(low, pos + len(word))):
                if unit is not None and unit != u:
                    raise QuantityError(
                        f"{_shorten(original)} names two units ({unit} and {u}); keep one"
                    )
                unit, pos, hit = u, pos + len(word), True
                break
        if not hit:
            break
    return pos, qualifier, unit


def _longest_first(words: dict[str, str] | dict[str, int]) -> list[tuple[str, Any]]:
    return sorted(words.items(), key=lambda kv: -len(kv[0]))


_CURRENCY_LONGEST_FIRST = _longest_first(_CURRENCY_PREFIX)
_MAGNITUDES_LONGEST_FIRST = _longest_first(_MAGNITUDES)
_UNIT_WORDS_LONGEST_FIRST = _longest_first(_UNIT_WORDS)
_QUALIFIERS_LONGEST_FIRST = _longest_first(_QUALIFIER_WORDS)
_QUALIFIERS_CJK_LONGEST_FIRST = _longest_first(_QUALIFIER_CJK_PREFIX)


def _take_prefix_qualifier(low: str, pos: int, qualifier: str) -> tuple[int, str]:
    if low[pos:pos + 1].isdigit():  # the usual case: a number, no qualifier
        return pos, qualifier
    for word, qual in _QUALIFIERS_LONGEST_FIRST:
        if low.startswith(word, pos) and _word_ends(low, pos + len(word)):
            return pos + len(word), qual
    for word, qual in _QUALIFIERS_CJK_LONGEST_FIRST:
        if low.startswith(word, pos):
            return pos + len(word), qual
    return pos, qualifier


#: Digits a number may have: more can only be a mistake (a float holds about 17), and
#: Python refuses to convert integers of over 4,300 digits.
MAX_DIGITS = 40
#: The largest magnitude a float holds; anything larger would become infinity.
_LARGEST = Fraction(sys.float_info.max)
_LARGEST_WHOLE = int(sys.float_info.max)  # a value whose numerator is no larger is no larger


def _check_size(value: Fraction, original: str) -> None:
    """Refuse a value that cannot be held as a finite number (every output needs one)."""
    if abs(value.numerator) > _LARGEST_WHOLE and abs(value) > _LARGEST:
        raise QuantityError(f"{_shorten(original)} is too large to be a number (it would "
                            "become infinity); check the figure")


def _shorten(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:30] + "...")


def _take_number(low: str, pos: int, original: str) -> tuple[Fraction, Fraction, int, bool]:
    digits = _NUMBER_CHARS.match(low, pos, pos + 4 * MAX_DIGITS + 1)
    if (digits is not None and digits.end() - pos > MAX_DIGITS
            and sum(ch.isdigit() for ch in digits.group(0)) > MAX_DIGITS):
        raise QuantityError(f"{_shorten(original)} has more than {MAX_DIGITS} digits, which no "
                            "figure needs; check the figure")
    m = _FRACTION.match(low, pos)
    if m:
        den = int(m.group(2))
        if den == 0:
            raise QuantityError(f"{original!r} divides by zero")
        return Fraction(int(m.group(1)), den), Fraction(0), m.end(), True
    m = _DECIMAL.match(low, pos)
    if m and (m.group(2) or m.group(3)):
        sign = -1 if m.group(1) == "-" else 1
        whole = _GROUPING.sub("", m.group(2) or "0")
        decimals = m.group(3) or ""
        value = Fraction(sign * int(whole + decimals), 10 ** len(decimals))
        precision = Fraction(1, 2 * 10 ** len(decimals)) if decimals else Fraction(0)
        end = m.end()
        # '1,234' must not swallow the start of '1,2345'; the regex guarantees groups of three.
        return value, precision, end, False
    m = _WORD_NUMBER.match(low, pos)
    if m:
        words = m.group(1).replace("-", " ").split(" ")
        if m.group(1) in _NUMBER_WORDS:
            n = _NUMBER_WORDS[m.group(1)]
        else:
            n = sum(_NUMBER_WORDS[w] for w in words)
        return Fraction(n), Fraction(0), m.end(), False
    raise QuantityError(
        f"{original!r} has no number reporter can read. Type a number such as 12280, "
        "32.3 billion, 323亿, 60% or 1/15"
    )


def _skip_spaces(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] == " ":
        pos += 1
    return pos


def _word_ends(s: str, pos: int) -> bool:
    return pos >= len(s) or not (s[pos].isalnum() or s[pos] == "_")


def quantity_from_number(
    number: int | float | Fraction | Decimal,
    unit: str | None = None,
    qualifier: str = EXACT,
) -> Quantity:
    """A quantity from a number cell; its precision is the last decimal it shows."""
    if isinstance(number, float):
        if not math.isfinite(number):
            raise QuantityError(f"{number!r} is not a finite number")
    elif isinstance(number, int | Decimal | Fraction) and abs(number) > _LARGEST:
        raise QuantityError(f"{_shorten(str(number))} is too large to be a number")
    if isinstance(number, float):
        # A whole float (what a number cell holds) is exact: 193.0 means 193.
        dec = Decimal(int(number)) if number.is_integer() else Decimal(repr(number))
    elif isinstance(number, Fraction):
        return Quantity(number, unit, qualifier, Fraction(0), str(number))
    else:
        dec = Decimal(number)
    exponent = dec.as_tuple().exponent
    assert isinstance(exponent, int)
    precision = Fraction(1, 2 * 10 ** (-exponent)) if exponent < 0 else Fraction(0)
    text = format(dec, "f")
    return Quantity(Fraction(dec), unit, qualifier, precision, text)


def convert(q: Quantity, unit: str | None) -> Quantity | None:
    """The same quantity in another unit, or None when the units do not convert."""
    if q.unit == unit or unit is None or q.unit is None:
        return q.with_unit(unit or q.unit)
    if {q.unit, unit} == {"percent", "ratio"}:
        factor = Fraction(100) if unit == "percent" else Fraction(1, 100)
        return Quantity(q.value * factor, unit, q.qualifier, q.precision * factor, q.text)
    return None


# --- writing quantities for readers -------------------------------------------------------

_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def format_quantity(q: Quantity) -> str:
    """A quantity as a reader expects it: '32.3 billion yuan', 'more than 10', '1/15'."""
    prefix = "" if q.qualifier == EXACT else f"{q.qualifier} "
    return prefix + format_amount(q.value, q.unit, q.precision)


def format_amount(value: Fraction, unit: str | None, precision: Fraction = Fraction(0)) -> str:
    if unit == "percent":
        return f"{_plain(value, precision)}%"
    if unit == "ratio":
        small = value.limit_denominator(100)
        if small == value and small.denominator != 1:
            return f"{small.numerator}/{small.denominator}"
        return _plain(value, precision or Fraction(1, 20000))
    if unit == "years":
        text = _plain(value, precision)
        return f"{text} year" if value == 1 else f"{text} years"
    if unit in ("CNY", "USD"):
        amount = _scaled(value, precision)
        return f"US${amount}" if unit == "USD" else f"{amount} yuan"
    text = _scaled(value, precision) if abs(value) >= 10**6 else _plain(value, precision)
    if unit in (None, "count"):
        return text
    return f"{text} {unit}"


def _scaled(value: Fraction, precision: Fraction) -> str:
    """In millions, billions or trillions when that needs at most three decimals."""
    for scale, word in _SCALES:
        if abs(value) >= scale:
            places = _places(value / scale, precision / scale)
            if places <= 3:
                return f"{_plain(value / scale, precision / scale, places)} {word}"
    return _plain(value, precision)


def _places(value: Fraction, precision: Fraction, limit: int = 12) -> int:
    """Decimals needed to show value to its precision (or exactly, when it has none)."""
    places = 0
    if precision:
        while Fraction(1, 2 * 10**places) > precision and places < limit:
            places += 1
    else:
        while (value * 10**places).denominator != 1 and places < limit:
            places += 1
    return places


def _plain(value: Fraction, precision: Fraction, places: int | None = None) -> str:
    """Thousands separators and as many decimals as the precision needs (at most four)."""
    if places is None:
        places = min(4, _places(value, precision))
    rounded = round(value, places)
    if not places:
        return f"{int(rounded):,}"
    sign = "-" if rounded < 0 else ""
    whole, frac = divmod(abs(rounded) * 10**places, 10**places)
    text = f"{sign}{int(whole):,}.{int(frac):0{places}d}"
    if not precision:
        text = text.rstrip("0").rstrip(".")
    return text
