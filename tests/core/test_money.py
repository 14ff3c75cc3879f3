"""Tests for primedist.core.money."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primedist.core.money import (
    MAX_AMOUNT,
    format_money,
    format_money_range,
    format_number,
    money_number_format,
    money_text,
    parse_money,
)

amounts = st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT)
langs = st.sampled_from(["vi", "en"])


@pytest.mark.parametrize(
    ("amount", "lang", "expected"),
    [
        (180_392_199, "vi", "180.392.199 ₫"),
        (180_392_199, "en", "180,392,199 VND"),
        (-5_000, "vi", "-5.000 ₫"),
        (-5_000, "en", "-5,000 VND"),
        (0, "vi", "0 ₫"),
        (999, "vi", "999 ₫"),
        (1_000, "en", "1,000 VND"),
        (1_000, "vi_VN", "1.000 ₫"),
        (1_000, "en-US", "1,000 VND"),
    ],
)
def test_format_money_vnd(amount: int, lang: str, expected: str) -> None:
    assert format_money(amount, lang) == expected


def test_format_money_uses_plain_space_before_symbol() -> None:
    assert "\u00a0" not in format_money(5_000)
    assert format_money(5_000).endswith(" ₫")


def test_format_money_other_currency_has_minor_units() -> None:
    assert format_money(123_456, "en", "USD") == "1,234.56 USD"
    assert format_money(-5, "vi", "usd") == "-0,05 USD"
    assert format_money(1_500, "en", "JPY") == "1,500 JPY"


def test_format_money_rejects_unknown_currency_and_language() -> None:
    with pytest.raises(ValueError, match="XYZ"):
        format_money(1, "vi", "XYZ")
    with pytest.raises(ValueError, match="fr"):
        format_money(1, "fr")


@pytest.mark.parametrize(
    ("n", "lang", "expected"),
    [(1_234_567, "vi", "1.234.567"), (1_234_567, "en", "1,234,567"), (-12, "vi", "-12")],
)
def test_format_number(n: int, lang: str, expected: str) -> None:
    assert format_number(n, lang) == expected


def test_format_money_range() -> None:
    assert format_money_range(29_000, 49_000) == "29.000 ₫ - 49.000 ₫"
    assert format_money_range(29_000, 49_000, "en") == "29,000 VND - 49,000 VND"
    assert format_money_range(29_000, 29_000) == "29.000 ₫"
    with pytest.raises(ValueError):
        format_money_range(2, 1)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("180.392.199 ₫", "vi", 180_392_199),
        ("180,392,199 VND", "en", 180_392_199),
        ("180,392,199 VND", "vi", 180_392_199),
        ("180392199", "vi", 180_392_199),
        ("180392199", "en", 180_392_199),
        ("1.000.000đ", "vi", 1_000_000),
        ("1.000.000 VNĐ", "vi", 1_000_000),
        (" 5 000 ", "vi", 5_000),
        ("5\u00a0000", "en", 5_000),
        ("-5.000", "vi", -5_000),
        ("-5,000 VND", "en", -5_000),
        ("- 5.000 ₫", "vi", -5_000),
        ("\u22125.000", "vi", -5_000),
        ("+5.000", "vi", 5_000),
        ("VND 5,000", "en", 5_000),
        ("₫-5.000", "vi", -5_000),
        ("12,00", "vi", 12),
        ("12.00", "en", 12),
        ("1.000,00 ₫", "vi", 1_000),
        ("1,000.00", "vi", 1_000),
        ("1.000", "en", 1_000),  # VND has no cents: a 3-digit group is thousands
        ("0", "vi", 0),
        ("-0", "vi", 0),
        # Thousands, as shop owners type prices: a short decimal in either notation.
        ("150k", "vi", 150_000),
        ("150K", "en", 150_000),
        ("150 k", "vi", 150_000),
        ("150k đ", "vi", 150_000),
        ("-20k", "vi", -20_000),
        ("1,5k", "vi", 1_500),
        ("1.5k", "vi", 1_500),
        ("1.5k", "en", 1_500),
        ("1,25k", "en", 1_250),
        ("1.500k", "vi", 1_500_000),  # three digits group thousands, as without the k
        ("1,500k", "en", 1_500_000),
        ("1.500,5k", "vi", 1_500_500),
        # Millions ("tr", "triệu"), as the thousands; "1tr5" as said aloud.
        ("1.5tr", "en", 1_500_000),
        ("1,5tr", "vi", 1_500_000),
        ("1,5 TR", "en", 1_500_000),
        ("2 triệu", "vi", 2_000_000),
        ("2 trieu", "en", 2_000_000),
        ("1,25tr đ", "vi", 1_250_000),
        ("-2tr", "vi", -2_000_000),
        ("1.500tr", "vi", 1_500_000_000),  # three digits group thousands, as with the k
        ("1tr5", "vi", 1_500_000),
        ("1tr250", "vi", 1_250_000),
        ("1tr05", "vi", 1_050_000),
        ("1k5", "en", 1_500),
    ],
)
def test_parse_money_accepts(text: str, lang: str, expected: int) -> None:
    assert parse_money(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "message"),
    [
        ("abc", "vi", "'abc' is not an amount of money"),
        ("12.5", "en", "not a whole number"),
        ("12,5", "vi", "not a whole number"),
        ("0.500", "en", "not a whole number"),
        ("1.000,50", "vi", "not a whole number"),
        ("", "vi", "required"),
        ("   ", "en", "required"),
        ("12.5", "vi", "not an amount"),  # "." groups thousands in vi
        ("12,5", "en", "not an amount"),
        ("1..000", "vi", "not an amount"),
        ("1,00,000", "en", "not an amount"),
        ("0.500", "vi", "not an amount"),
        ("12 5", "vi", "not an amount"),
        ("--5", "vi", "not an amount"),
        ("-5-", "vi", "not an amount"),
        ("₫5.000₫", "vi", "not an amount"),
        ("5.000 $", "vi", "not an amount"),
        ("1e5", "vi", "not an amount"),
        ("1.000.", "vi", "not an amount"),
        ("٣", "vi", "not an amount"),  # non-ASCII digits
        ("99999999999999999999", "vi", "too large"),
        ("99999999999999999k", "vi", "too large"),
        ("1.2345k", "vi", "not an amount"),  # a fraction of a đồng
        ("k", "vi", "not an amount"),
        ("150kk", "vi", "not an amount"),
        ("k150", "vi", "not an amount"),
        ("tr", "vi", "not an amount"),
        ("1trtr", "vi", "not an amount"),
        ("1.5tr5", "vi", "not an amount"),  # a decimal and a tail
        ("1tr2345", "vi", "not an amount"),
        ("1.2345678tr", "vi", "not an amount"),  # a fraction of a đồng
        ("1,5 tỷ", "vi", "not an amount"),
    ],
)
def test_parse_money_rejects(text: str, lang: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_money(text, lang)


@given(amounts, langs)
def test_money_round_trip(amount: int, lang: str) -> None:
    assert parse_money(format_money(amount, lang), lang) == amount


@given(amounts, langs)
def test_number_round_trip(amount: int, lang: str) -> None:
    assert parse_money(format_number(amount, lang), lang) == amount


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_unformatted_digits_parse_in_both_languages(amount: int) -> None:
    assert parse_money(str(amount), "vi") == parse_money(str(amount), "en") == amount


@given(st.text(max_size=20), langs)
def test_parse_money_only_raises_value_error(text: str, lang: str) -> None:
    try:
        value = parse_money(text, lang)
    except ValueError:
        return
    assert abs(value) <= MAX_AMOUNT


@pytest.mark.parametrize(
    ("amount", "lang", "shown"),
    [
        (-50_000, "vi", "\u221250.000 ₫"),
        (50_000, "vi", "50.000 ₫"),
        (0, "vi", "0 ₫"),
        (-1_250_000, "en", "\u22121,250,000 VND"),
    ],
)
def test_money_text_has_the_minus_sign_and_the_currency(amount, lang, shown):
    assert money_text(amount, lang) == shown


@given(amounts, langs)
def test_money_text_reads_back(amount, lang):
    assert parse_money(money_text(amount, lang), lang) == amount


def test_the_spreadsheet_format_shows_what_money_text_shows():
    assert money_number_format("vi") == '#,##0 "₫";"\u2212"#,##0 "₫"'
    assert money_number_format("en") == '#,##0 "VND";"\u2212"#,##0 "VND"'
