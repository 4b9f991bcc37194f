"""Dates as staff type them, Excel serial numbers, and the partial dates sources give.

Sources often state a day without a year ('26 October') or only a weekday
('on Monday'). `PartialDate` keeps exactly what was stated, so nothing is invented.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, model_validator

#: Dates outside these years are taken to be typing mistakes.
MIN_YEAR = 1980
MAX_YEAR = 2100

_MONTH_SPELLINGS = [
    ("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"), ("May",),
    ("June", "Jun"), ("July", "Jul"), ("August", "Aug"), ("September", "Sep", "Sept"),
    ("October", "Oct"), ("November", "Nov"), ("December", "Dec"),
]
#: The months' full names, January first.
MONTH_NAMES = tuple(names[0] for names in _MONTH_SPELLINGS)
_MONTHS = {m.casefold(): i for i, names in enumerate(_MONTH_SPELLINGS, start=1) for m in names}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"

_PATTERNS = [
    # 2024-05-24, 2024/5/24, 2024.5.24, 2024年5月24日
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?"),
    # 20240524
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    # 24 May 2024, 24-May-2024, 24 May, 2024
    re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/]+{_MONTH}[\s\-/,]+(?P<y>\d{{4}})"),
    # May 24, 2024 / May 24 2024
    re.compile(rf"{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"),
    # 24/05/2024 or 05/24/2024 (day-first or month-first decided below)
    re.compile(r"(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4})"),
]
_TIME_TAIL = re.compile(r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)?\s*$")


class DateError(ValueError):
    """Text or a number that is not a usable date; `code` is the problem code."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def parse_date_text(text: str) -> dt.date:
    """A date typed as text, in the common forms; raises DateError with a fix."""
    s = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    for pattern in _PATTERNS:
        m = pattern.match(s)
        if not m or not _TIME_TAIL.fullmatch(s, m.end()):
            continue
        groups = m.groupdict()
        year = int(groups["y"])
        if "a" in groups:
            a, b = int(groups["a"]), int(groups["b"])
            if a > 12 >= b:
                day, month = a, b
            elif b > 12 >= a:
                day, month = b, a
            elif a == b:
                day = month = a
            else:
                raise DateError(
                    "ambiguous-date",
                    f"{text!r} could be {_safe_iso(year, b, a)} or {_safe_iso(year, a, b)}; "
                    "type it as year-month-day, e.g. 2024-05-24",
                )
        else:
            day = int(groups["d"])
            month = _MONTHS.get(groups["mon"].casefold(), 0) if "mon" in groups else int(groups["m"])
            if not month:
                break
        try:
            return check_year(dt.date(year, month, day), text)
        except ValueError as exc:
            if isinstance(exc, DateError):
                raise
            raise DateError("not-a-date", f"{text!r} is not a real day ({exc}); check it") from None
    raise DateError(
        "not-a-date",
        f"{text!r} is not a date reporter can read; type it as a date (2024-05-24) "
        "or leave the cell blank",
    )


def _safe_iso(y: int, m: int, d: int) -> str:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return f"{y}-{m:02d}-{d:02d}"


def from_excel_serial(serial: float, *, date1904: bool = False) -> dt.date:
    """The day an Excel serial number stands for (as typed in a General-format cell)."""
    if serial != serial or serial in (float("inf"), float("-inf")):
        raise DateError("not-a-date", f"{serial!r} is not a date")
    whole = int(serial)
    if date1904:
        base = dt.date(1904, 1, 1)
    else:
        # Excel counts 1900-02-29, which never was; serials after it are one day ahead.
        base = dt.date(1899, 12, 31) if whole < 60 else dt.date(1899, 12, 30)
    if whole < 1 or whole > 2958465:
        raise DateError(
            "date-out-of-range",
            f"{serial!r} is not a date Excel can show; type the date (2024-05-24) instead",
        )
    return check_year(base + dt.timedelta(days=whole), serial)


def check_year(day: dt.date, typed: object) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateError(
            "date-out-of-range",
            f"{day.isoformat()} (from {typed!r}) is outside {MIN_YEAR}-{MAX_YEAR}; "
            "check the year",
        )
    return day


class PartialDate(BaseModel):
    """A date as far as a source states it: any of year, month, day, weekday."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PartialDate:
        if self.year is not None and not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year {self.year} is not {MIN_YEAR}-{MAX_YEAR}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError(f"day {self.day} is not 1-31")
        if self.weekday is not None and self.weekday not in WEEKDAYS:
            raise ValueError(f"weekday must be one of {', '.join(WEEKDAYS)}")
        if self.is_complete():
            full = dt.date(self.year, self.month, self.day)  # type: ignore[arg-type]
            if self.weekday and WEEKDAYS[full.weekday()] != self.weekday:
                raise ValueError(f"{full} is not a {self.weekday}")
        return self

    def is_complete(self) -> bool:
        return None not in (self.year, self.month, self.day)

    def is_empty(self) -> bool:
        return self.year is None and self.month is None and self.day is None and not self.weekday

    def as_date(self) -> dt.date | None:
        if self.is_complete():
            return dt.date(self.year, self.month, self.day)  # type: ignore[arg-type]
        return None

    def agrees_with(self, day: dt.date) -> bool:
        """Whether a full date is consistent with everything this one states."""
        return (
            (self.year is None or self.year == day.year)
            and (self.month is None or self.month == day.month)
            and (self.day is None or self.day == day.day)
            and (self.weekday is None or WEEKDAYS[day.weekday()] == self.weekday)
        )

    def describe(self) -> str:
        """'24 May 2024', '26 October (year not stated)', 'a Monday (date not stated)'."""
        if self.is_empty():
            return "not stated"
        month = dt.date(2000, self.month, 1).strftime("%B") if self.month else None
        parts = [str(self.day)] if self.day else []
        if month:
            parts.append(month)
        if self.year:
            parts.append(str(self.year))
        text = " ".join(parts)
        if self.weekday:
            text = f"{self.weekday} {text}".strip() if text else f"a {self.weekday}"
        if not self.is_complete():
            missing = "year" if (self.month and self.day) else "date"
            text += f" ({missing} not stated)"
        return text
