"""The quantity parser: forms people write, base units, precision, qualifiers, round trips."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporter.quantities import (
    Quantity,
    QuantityError,
    convert,
    format_quantity,
    normalise_qualifier,
    normalise_unit,
    parse_quantity,
    quantity_from_number,
)


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("32.3 billion yuan", 32_300_000_000, "CNY", "exact"),
        ("323亿元", 32_300_000_000, "CNY", "exact"),
        ("3.23万亿元", 3_230_000_000_000, "CNY", "exact"),
        ("5万", 50_000, None, "exact"),
        ("32,300,000,000", 32_300_000_000, None, "exact"),
        ("12,280", 12_280, None, "exact"),
        ("1 234 567", 1_234_567, None, "exact"),
        ("1\u00a0234", 1_234, None, "exact"),
        ("１２３", 123, None, "exact"),
        ("about 25,000", 25_000, None, "about"),
        ("约2.5万", 25_000, None, "about"),
        ("nearly 100", 100, None, "about"),
        ("more than 10", 10, None, "more than"),
        ("over 10", 10, None, "more than"),
        ("逾10", 10, None, "more than"),
        ("超过2.9万亿元", 2_900_000_000_000, "CNY", "more than"),
        ("10多", 10, None, "more than"),
        ("at least 5", 5, None, "at least"),
        ("at most 5", 5, None, "at most"),
        ("less than 5", 5, None, "less than"),
        ("more than 2.9 trillion yuan", 2_900_000_000_000, "CNY", "more than"),
        ("US$4.6 billion", 4_600_000_000, "USD", "exact"),
        ("4.6 billion USD", 4_600_000_000, "USD", "exact"),
        ("¥1,234", 1_234, "CNY", "exact"),
        ("RMB 5 million", 5_000_000, "CNY", "exact"),
        ("60 percent", 60, "percent", "exact"),
        ("60%", 60, "percent", "exact"),
        ("60％", 60, "percent", "exact"),
        ("1/15", Fraction(1, 15), "ratio", "exact"),
        ("more than 1/5", Fraction(1, 5), "ratio", "more than"),
        ("8 years", 8, "years", "exact"),
        ("-3.5", Fraction(-7, 2), None, "exact"),
    ],
)
def test_parse(text: str, value, unit, qualifier) -> None:
    q = parse_quantity(text)
    assert q.value == value
    assert q.unit == unit
    assert q.qualifier == qualifier


@pytest.mark.parametrize("text", ["", "abc", "12 apples", "1,23", "1/0", "60% of 1/15",
                                  "US$5 yuan", "1,2345"])
def test_parse_rejects_with_a_fix(text: str) -> None:
    with pytest.raises(QuantityError) as exc:
        parse_quantity(text)
    assert str(exc.value)


def test_trailing_words_only_when_allowed() -> None:
    assert parse_quantity("nine cities", allow_trailing_words=True).value == 9
    assert parse_quantity("More than 10 cities", allow_trailing_words=True).qualifier == \
        "more than"
    with pytest.raises(QuantityError):
        parse_quantity("nine cities")


def test_the_three_spellings_of_one_figure_compare_equal() -> None:
    a = parse_quantity("32.3 billion yuan")
    b = parse_quantity("323亿元")
    c = quantity_from_number(32_300_000_000, "CNY")
    assert a.value == b.value == c.value
    assert a.interval().overlaps(c.interval()) and b.interval().overlaps(c.interval())


def test_precision_is_the_sources_own() -> None:
    q = parse_quantity("32.3 billion")
    iv = q.interval()
    assert iv.lo == Fraction(32_250_000_000) and iv.hi == Fraction(32_350_000_000)
    assert parse_quantity("12,280").precision == 0
    assert parse_quantity("323亿").precision == 50_000_000


def test_more_than_excludes_its_bound() -> None:
    fact = parse_quantity("more than 10").interval()
    assert not quantity_from_number(10).interval().overlaps(fact)
    assert quantity_from_number(10.5).interval().overlaps(fact)
    assert quantity_from_number(11).interval().within(fact)


def test_about_is_five_percent() -> None:
    fact = parse_quantity("about 25,000").interval()
    assert quantity_from_number(26_000).interval().within(fact)
    assert not quantity_from_number(27_000).interval().overlaps(fact)


def test_whole_floats_are_exact_and_decimals_carry_precision() -> None:
    assert quantity_from_number(193.0).precision == 0
    q = quantity_from_number(0.0667, "ratio")
    assert q.interval().overlaps(Quantity(Fraction(1, 15), "ratio").interval())
    assert not quantity_from_number(0.07, "ratio").interval().within(q.interval())


def test_percent_and_ratio_convert() -> None:
    q = convert(parse_quantity("1/15"), "percent")
    assert q is not None and q.value == Fraction(100, 15)
    assert convert(parse_quantity("5 yuan"), "USD") is None


@pytest.mark.parametrize(("q", "text"), [
    (parse_quantity("32.3 billion yuan"), "32.3 billion yuan"),
    (parse_quantity("12,280"), "12,280"),
    (parse_quantity("more than 2.9 trillion yuan"), "more than 2.9 trillion yuan"),
    (parse_quantity("about 25,000"), "about 25,000"),
    (parse_quantity("US$4.6 billion"), "US$4.6 billion"),
    (parse_quantity("1/15"), "1/15"),
    (parse_quantity("60 percent"), "60%"),
    (quantity_from_number(8, "years"), "8 years"),
    (quantity_from_number(32_300_000_000, "CNY"), "32.3 billion yuan"),
])
def test_format_for_readers(q: Quantity, text: str) -> None:
    assert format_quantity(q) == text


def test_units_and_qualifiers_from_cells() -> None:
    assert normalise_unit("yuan") == "CNY" and normalise_unit("cny") == "CNY"
    assert normalise_unit("%") == "percent" and normalise_unit("hectares") == "hectares"
    assert normalise_qualifier("over") == "more than" and normalise_qualifier("约") == "about"
    assert normalise_qualifier("") == "exact" and normalise_qualifier("perhaps") is None


# --- round trips --------------------------------------------------------------------------------

MAGNITUDES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
CJK = {"万": 10**4, "亿": 10**8, "万亿": 10**12}


@given(st.integers(min_value=0, max_value=10**15))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_quantity(f"{n:,}").value == n
    assert parse_quantity(str(n)).value == n


@given(st.sampled_from(["", "-", "+"]), st.integers(min_value=0, max_value=10**15),
       st.sampled_from([",", " ", "'", ""]), st.text("0123456789", max_size=8))
def test_decimals_read_exactly_with_their_precision(sign: str, whole: int, grouping: str,
                                                   decimals: str) -> None:
    """The value is the exact decimal written (never through a float), its precision half
    its last place, whatever separator groups the thousands."""
    from decimal import Decimal

    text = sign + f"{whole:,}".replace(",", grouping) + (f".{decimals}" if decimals else "")
    q = parse_quantity(text)
    assert q.value == Fraction(Decimal(text.replace(grouping, "") if grouping else text))
    assert q.precision == (Fraction(1, 2 * 10 ** len(decimals)) if decimals else 0)


@given(st.text(st.characters(max_codepoint=127), max_size=30))
def test_ascii_text_skips_unicode_normalisation_safely(text: str) -> None:
    """ASCII text is left as NFKC would leave it: the same as when one non-ASCII space
    (which NFKC makes a space, then stripped) sends it through NFKC."""
    from reporter.quantities import normalise_text

    assert normalise_text(text) == normalise_text(text + "\u3000")


@given(st.integers(min_value=1, max_value=99_999), st.integers(min_value=0, max_value=2),
       st.sampled_from(list(MAGNITUDES)), st.sampled_from(["", " yuan", " RMB"]))
def test_magnitude_words_round_trip(digits: int, places: int, word: str, unit: str) -> None:
    value = Fraction(digits, 10**places)
    text = f"{float(value):.{places}f} {word}{unit}"
    q = parse_quantity(text)
    assert q.value == value * MAGNITUDES[word]
    assert q.unit == ("CNY" if unit else None)
    # and back: what we print for a reader reads as the same value
    back = parse_quantity(format_quantity(q))
    assert back.value == q.value


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(list(CJK)))
def test_chinese_magnitudes_round_trip(n: int, word: str) -> None:
    q = parse_quantity(f"{n}{word}元")
    assert q.value == n * CJK[word] and q.unit == "CNY"
    assert parse_quantity(format_quantity(q)).value == q.value


@given(st.integers(min_value=1, max_value=100), st.integers(min_value=1, max_value=100))
def test_fractions_round_trip(a: int, b: int) -> None:
    q = parse_quantity(f"{a}/{b}")
    assert q.value == Fraction(a, b) and q.unit == "ratio"


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False))
def test_number_cells_round_trip(d) -> None:
    q = quantity_from_number(float(d))
    assert q.interval().overlaps(Quantity(Fraction(d)).interval())


@given(st.sampled_from(["about", "more than", "at least", "at most", "less than", "over",
                        "约", "逾", "超过"]), st.integers(min_value=0, max_value=10**9))
def test_qualifiers_round_trip(word: str, n: int) -> None:
    q = parse_quantity(f"{word} {n:,}" if word.isascii() else f"{word}{n}")
    assert q.value == n
    assert q.qualifier == normalise_qualifier(word)
    assert parse_quantity(format_quantity(q)).qualifier == q.qualifier


@pytest.mark.parametrize("text", ["1" * 400, "1" * 41, "9" * 60 + " billion", "0." + "5" * 50,
                                  "1" * 5000, "1" * 30 + "/" + "7" * 30])
def test_numbers_that_cannot_be_held_are_not_quantities(text: str) -> None:
    """More digits than any figure needs (and than a float, or Python's int conversion,
    takes) is a QuantityError naming the text, shortened; never an overflow elsewhere."""
    with pytest.raises(QuantityError) as exc:
        parse_quantity(text)
    assert "digits" in str(exc.value) and len(str(exc.value)) < 200


def test_the_largest_numbers_that_can_be_held_still_read() -> None:
    q = parse_quantity("9" * 40 + " trillion")
    assert q.value == int("9" * 40) * 10**12 and float(q.value) < float("inf")


@pytest.mark.parametrize("number", [10**400, Fraction(10**400, 3)])
def test_numbers_too_large_for_a_float_are_refused_from_cells_too(number) -> None:
    from reporter.quantities import quantity_from_number

    with pytest.raises(QuantityError):
        quantity_from_number(number)
