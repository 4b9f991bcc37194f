"""Reading one cell value as the type its column expects.

Two paths give the same result. The fast path is a pydantic schema per column,
run in pydantic-core over every cell of the column at once; it accepts cells that
are already the right type. Cells it rejects come here, to `convert`, which accepts
what staff commonly type instead (dates and numbers as text, numbers in text
columns) and otherwise says what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from functools import lru_cache
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import AfterValidator, AllowInfNan, GetCoreSchemaHandler, Strict, StringConstraints, TypeAdapter
from pydantic_core import core_schema

from ..dates import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_NAMES,
    DateError,
    check_year,
    from_excel_serial,
    parse_date_text,
)
from ..quantities import EXACT, Quantity, QuantityError, parse_quantity
from ..schema import LIMITS, TEXT_KINDS, Kind
from ..text import clean_text

INVALID = object()  # a cell that could not be read; its problem says why

# --- the fast path ------------------------------------------------------------------------

_CONTROL = r"\x00-\x08\x0b-\x1f\x7f-\x9f"  # \r too: the slow path makes it \n
# Text the fast path takes as it is: no space at either end (and no control characters).
_TRIMMED_NO_CONTROL = rf"^(?:[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?)?$"


def _text_type(required: bool, control: bool) -> Any:
    """Text. Where a sheet can hold control characters (the reader tells), text with any,
    or with space at either end, is left to the slow path, which removes both.

    Where it cannot, pydantic-core strips the spaces itself, before it counts the
    characters, as the slow path does: Rust's idea of a space differs from Python's only
    in four control characters (U+001C to U+001F), which such a sheet does not hold.
    (Checking `large-independent`'s cells, 30,000 of them notes with a space at an end,
    took about 0.15 s less so.)
    """
    limits = {"min_length": 1 if required else None, "max_length": LIMITS["text_chars"]}
    if control:
        return Annotated[str, Strict(), StringConstraints(**limits, pattern=_TRIMMED_NO_CONTROL)]
    return Annotated[str, Strict(), StringConstraints(**limits, strip_whitespace=True)]


_Date = Annotated[dt.date, Strict(), Ge(dt.date(MIN_YEAR, 1, 1)), Le(dt.date(MAX_YEAR, 12, 31))]
# A date typed as text in one of three common forms (2024-05-24, 2024年5月24日, 24 May 2024),
# read here as the slow path reads it (parse_date_text); a day that does not exist, or a year
# out of range (check_year's DateError is a ValueError), is refused, and the slow path says
# why.
_DATE_TEXT = (r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日"
              rf"|[0-9]{{1,2}} (?:{'|'.join(MONTH_NAMES)}) [0-9]{{4}})$")


def _date_text(text: str) -> dt.date:
    if text[4] == "-":
        day = dt.date.fromisoformat(text)
    elif text[4] == "年":
        month, _, rest = text[5:].partition("月")
        day = dt.date(int(text[:4]), int(month), int(rest[:-1]))
    else:
        number, month, year = text.split(" ")
        day = dt.date(int(year), MONTH_NAMES.index(month) + 1, int(number))
    return check_year(day, text)


_DateText = Annotated[str, Strict(), StringConstraints(pattern=_DATE_TEXT),
                      AfterValidator(_date_text)]
_Number = Annotated[float, Strict(), AllowInfNan(False)]
# An amount in yuan is never below zero: a negative one takes the slow path, which says so.
_Amount = Annotated[float, Strict(), AllowInfNan(False), Ge(0)]
_Empty = Literal[""]
# An amount typed as text the plain way ('115,689,654', '2500000.5'): read as its digits,
# here, instead of one cell at a time by the slow path (with the dates above: about 0.13 s
# less for `large-independent`'s 12,000 amounts and 10,500 dates), which reads these to the same
# float. Anything else (units, words, a sign, more digits
# than a float holds exactly) takes the slow path, which explains what it refuses.
_AMOUNT_TEXT = r"^(?:[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4}|0|[1-9][0-9]{0,14})(?:\.[0-9]{1,9})?$"


def _digits(text: str) -> float:
    return float(text.replace(",", ""))


_AmountText = Annotated[str, Strict(), StringConstraints(pattern=_AMOUNT_TEXT),
                        AfterValidator(_digits)]


def fast_type(kind: Kind, required: bool, control: bool = True) -> Any:
    # Optional cells are mostly empty: trying "" first spares pydantic a failed attempt.
    if kind in TEXT_KINDS:
        return _text_type(required, control)
    if kind is Kind.DATE:
        return _Date | _DateText if required else _Empty | _Date | _DateText
    # MONEY and QUANTITY: a number cell, or (MONEY) an amount typed plainly as text; other
    # text takes the slow path.
    number = _Amount | _AmountText if kind is Kind.MONEY else _Number
    return number if required else _Empty | number


#: What the fast path gives for a cell it does not take (which the slow path then reads).
REFUSED = object()

_refused = [0]  # cells the fast path has refused in this process, so far


def refusals() -> int:
    """How many cells the fast path has refused in this process so far: a column that did
    not move the count holds none, and need not be searched for them."""
    return _refused[0]


def _refuse() -> object:
    _refused[0] += 1
    return REFUSED


class _RefusedOnError:
    """A cell the fast type refuses becomes REFUSED, in pydantic-core: no error is raised,
    so a column with many such cells is not validated twice (once to find them, once
    without them), and their errors are never made into Python objects."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        return core_schema.with_default_schema(handler(source), default_factory=_refuse,
                                               on_error="default")


@lru_cache(maxsize=64)
def column_adapter(kind: Kind, required: bool, control: bool = True) -> TypeAdapter[Any]:
    """A validator for a whole column: a list of cells of one kind, each typed or REFUSED."""
    cell = Annotated[fast_type(kind, required, control), _RefusedOnError]  # type: ignore[misc]
    return TypeAdapter(list[cell])  # type: ignore[valid-type]


# --- the slow path ------------------------------------------------------------------------

Finding = tuple[str, str]  # (problem code, message)


def convert(kind: Kind, required: bool, value: Any, *, date1904: bool = False,
            header: str = "") -> tuple[Any, list[Finding]]:
    """A cell's value as its column's type, and what was wrong with it.

    Returns INVALID as the value when the cell has an error; '' for an empty
    optional cell (as the fast path does).
    """
    if value is None:
        value = ""
    if kind in TEXT_KINDS:
        return _text(value, required, header)
    if kind is Kind.DATE:
        return _date(value, required, date1904, header)
    if kind is Kind.MONEY:
        return _money(value, required, header)
    return _quantity(value, required, header)


def _empty(required: bool, header: str) -> tuple[Any, list[Finding]]:
    if required:
        return INVALID, [("required", f"{header} is required; fill in this cell")]
    return "", []


def _text(value: Any, required: bool, header: str) -> tuple[Any, list[Finding]]:
    findings: list[Finding] = []
    if isinstance(value, bool):
        return INVALID, [("not-text", f"{header} holds TRUE/FALSE; type the text instead")]
    if isinstance(value, float):
        if not math.isfinite(value):
            return INVALID, [("not-finite", f"{header} holds {value!r}; type the text instead")]
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, dt.timedelta):
        text = str(value)
    else:
        text = str(value)
    text, changed = clean_text(text)
    if changed:
        findings.append(("control-characters",
                         f"{header} had invisible control characters; reporter removed them"))
    text = text.strip()
    if len(text) > LIMITS["text_chars"]:
        return INVALID, [("text-too-long", f"{header} has {len(text):,} characters; a cell "
                          f"holds at most {LIMITS['text_chars']:,}. Shorten it")]
    if not text:
        return _empty(required, header)
    return text, findings


def _date(value: Any, required: bool, date1904: bool, header: str) -> tuple[Any, list[Finding]]:
    if isinstance(value, str) and not value.strip():
        return _empty(required, header)
    if isinstance(value, bool):
        return INVALID, [("not-a-date", f"{header} holds TRUE/FALSE; type a date (2024-05-24)")]
    try:
        if isinstance(value, dt.datetime):
            day = check_year(value.date(), value)
            if value.time() != dt.time():
                return day, [("time-dropped", f"{header} has a time of day "
                              f"({value.time():%H:%M}); reporter uses the date only")]
            return day, []
        if isinstance(value, dt.date):
            return check_year(value, value), []
        if isinstance(value, int | float):
            day = from_excel_serial(float(value), date1904=date1904)
            if isinstance(value, float) and not value.is_integer():
                return day, [("time-dropped", f"{header} has a time of day; reporter uses the "
                              "date only")]
            return day, []
        if isinstance(value, str):
            return parse_date_text(value), []
    except DateError as exc:
        return INVALID, [(exc.code, f"{header}: {exc}")]
    return INVALID, [("not-a-date", f"{header} holds {value!r}, which is not a date; type it as "
                      "2024-05-24")]


def _number(value: Any, header: str, what: str) -> tuple[Any, list[Finding]] | None:
    """Shared handling of number-like cells; None when value is text to parse."""
    if isinstance(value, bool):
        return INVALID, [("not-a-number", f"{header} holds TRUE/FALSE; type {what}")]
    if isinstance(value, int | float):
        if isinstance(value, int) and abs(value) > sys.float_info.max:
            return INVALID, [("not-finite", f"{header} holds a number too large to be one; "
                              f"type {what}")]
        if not math.isfinite(value):
            return INVALID, [("not-finite", f"{header} holds {value!r}; type {what}")]
        return float(value), []
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return INVALID, [("not-a-number", f"{header} holds a date or time ({value}); Excel may "
                          "have turned what you typed into a date. Format the cell as Text and "
                          f"type {what} again")]
    return None


def _money(value: Any, required: bool, header: str) -> tuple[Any, list[Finding]]:
    if isinstance(value, str) and not value.strip():
        return _empty(required, header)
    done = _number(value, header, "an amount in yuan")
    if done is None:
        try:
            q = parse_quantity(str(value))
        except QuantityError as exc:
            return INVALID, [("not-a-number", f"{header}: {exc}")]
        if q.unit not in (None, "CNY") or q.qualifier != EXACT:
            return INVALID, [("not-a-number", f"{header} must be an amount in yuan, such as "
                              f"32.3 billion or 1,200,000; {value!r} is not")]
        done = float(q.value), []
    finding = negative(done[0], "CNY", header)
    return (INVALID, [finding]) if finding else done


#: Units whose values are never below zero: money, counts, durations. (Percentages and
#: ratios can be: a growth of -3%.)
NON_NEGATIVE_UNITS = frozenset({"CNY", "USD", "count", "years"})


def negative(value: Any, unit: str | None, header: str) -> Finding | None:
    """The finding for a value below zero in a unit that cannot be (None when fine)."""
    if value is INVALID or unit not in NON_NEGATIVE_UNITS:
        return None
    number = value.value if isinstance(value, Quantity) else value
    if number >= 0:
        return None
    what = {"CNY": "an amount in yuan", "USD": "an amount in US dollars", "count": "a count",
            "years": "a number of years"}[unit]
    shown = value.text if isinstance(value, Quantity) else (
        f"{int(value):,}" if float(value).is_integer() else f"{value:,}")
    return ("negative-amount", f"{header} is {shown}, below zero; {what} cannot be negative. "
            "Type it without the minus sign (a change over time is a percent or a ratio)")


def _quantity(value: Any, required: bool, header: str) -> tuple[Any, list[Finding]]:
    if isinstance(value, str) and not value.strip():
        return _empty(required, header)
    done = _number(value, header, "the figure (or text such as '32.3 billion' or '1/15')")
    if done is not None:
        return done
    try:
        return parse_quantity(str(value)), []
    except QuantityError as exc:
        return INVALID, [("not-a-quantity", f"{header}: {exc}")]


def as_quantity(value: float | Quantity, unit: str | None, qualifier: str) -> Quantity:
    from ..quantities import quantity_from_number

    if isinstance(value, Quantity):
        return value
    return quantity_from_number(value, unit, qualifier)
