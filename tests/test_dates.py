"""Dates typed as text, Excel serial numbers, and the partial dates sources give."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporter.dates import DateError, PartialDate, from_excel_serial, parse_date_text

DAY = dt.date(2024, 5, 24)


@pytest.mark.parametrize("text", [
    "2024-05-24", "2024/5/24", "2024.05.24", "2024年5月24日", "20240524", "24 May 2024",
    "24-May-2024", "May 24, 2024", "May 24 2024", "24/05/2024", "05/24/2024",
    "2024-05-24 09:30", " 24\u00a0May\u00a02024 ", "24th May 2024",
])
def test_common_forms(text: str) -> None:
    assert parse_date_text(text) == DAY


@pytest.mark.parametrize(("text", "code"), [
    ("05/06/2024", "ambiguous-date"), ("next spring", "not-a-date"), ("2024-02-30", "not-a-date"),
    ("1899-12-31", "date-out-of-range"), ("31 Foo 2024", "not-a-date"),
])
def test_bad_text_dates(text: str, code: str) -> None:
    with pytest.raises(DateError) as exc:
        parse_date_text(text)
    assert exc.value.code == code


def test_excel_serials() -> None:
    assert from_excel_serial(45436) == DAY
    assert from_excel_serial(45436 - 1462, date1904=True) == DAY
    with pytest.raises(DateError) as exc:
        from_excel_serial(99_999_999)
    assert exc.value.code == "date-out-of-range"
    with pytest.raises(DateError):
        from_excel_serial(5)  # 1900-01-05: a real serial, an absurd meeting date


@given(st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_iso_and_serial_round_trip(day: dt.date) -> None:
    assert parse_date_text(day.isoformat()) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert from_excel_serial(serial) == day


def test_partial_dates_keep_only_what_was_stated() -> None:
    october = PartialDate(month=10, day=26)
    assert october.describe() == "26 October (year not stated)"
    assert october.agrees_with(dt.date(2019, 10, 26)) and not october.agrees_with(DAY)
    monday = PartialDate(weekday="Monday")
    assert monday.describe() == "a Monday (date not stated)"
    assert monday.agrees_with(dt.date(2024, 5, 20)) and not monday.agrees_with(DAY)
    assert PartialDate(year=2024, month=5, day=24).describe() == "24 May 2024"
    assert PartialDate().describe() == "not stated"
    with pytest.raises(ValueError):
        PartialDate(year=2024, month=5, day=24, weekday="Monday")  # it was a Friday
