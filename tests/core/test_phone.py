"""Tests for primedist.core.phone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primedist.core.phone import (
    is_masked_phone,
    looks_like_phone_query,
    normalize_phone,
    phone_search_variants,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0939 921 717", "0939921717"),
        ("0939921717", "0939921717"),
        ("84939921717", "0939921717"),
        ("84 939 921 717", "0939921717"),
        ("+84 939 921 717", "0939921717"),
        ("(+84) 939.921.717", "0939921717"),
        ("0084939921717", "0939921717"),
        ("+84 (0) 939-921-717", "0939921717"),
        ("\u00a0+84\u00a0939 921 717 ", "0939921717"),
        ("939921717", "0939921717"),  # leading 0 lost in a spreadsheet
        ("028 3822 1234", "02838221234"),
        ("+84 28 3822 1234", "02838221234"),
        ("01689 921 717", "0389921717"),  # pre-2018 11-digit Viettel number
        ("0120 392 1717", "0703921717"),  # pre-2018 MobiFone
        ("+65 8123 4567", "+6581234567"),
        ("0065 8123 4567", "+6581234567"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("1900 1234", "19001234"),
        ("1800 123 456", "1800123456"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "1234567",  # fewer than 8 digits
        "0939 921",
        "abc",
        "0939 921 71a",
        "Zalo 0939921717",
        "84*****89",
        "0939***717",
        "++84939921717",
        "84+939921717",
        "+0123456789",
        "+1234567890123456",  # longer than E.164 allows
        "0939921717 / 0909123456",
        "0939921717 0909123456",
        "0139921717",  # no such prefix
        "8412345678",
        "٠٩٣٩٩٢١٧١٧",  # non-ASCII digits
    ],
)
def test_normalize_phone_rejects(raw: str | None) -> None:
    assert normalize_phone(raw) is None


phone_like = st.text(alphabet=st.sampled_from("0123456789+ ().-"), max_size=20)


@given(phone_like)
def test_normalize_phone_is_idempotent(raw: str) -> None:
    norm = normalize_phone(raw)
    if norm is not None:
        assert normalize_phone(norm) == norm
        assert norm.startswith(("0", "+", "1"))
        assert norm.lstrip("+").isdigit()


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_every_vietnamese_mobile_survives_all_spellings(national: str) -> None:
    nsn = national[1:]
    spaced = f"{national[:4]} {national[4:7]} {national[7:]}"
    for raw in (national, spaced, "84" + nsn, "+84 " + nsn, "0084" + nsn, nsn):
        assert normalize_phone(raw) == national


@given(st.text(max_size=20))
def test_normalize_phone_never_raises(raw: str) -> None:
    normalize_phone(raw)


@pytest.mark.parametrize(
    "raw", ["84*****89", "(+84)93*****17", "******717", "0939***717", "0939 xxx 717"]
)
def test_is_masked_phone(raw: str) -> None:
    assert is_masked_phone(raw)


@pytest.mark.parametrize("raw", ["0939921717", "+84 939 921 717", "", "***", "abc*def", "x"])
def test_is_not_masked_phone(raw: str) -> None:
    assert not is_masked_phone(raw)


def test_phone_search_variants() -> None:
    assert phone_search_variants("0939921717") == ["0939921717", "84939921717"]
    assert phone_search_variants("02838221234") == ["02838221234", "842838221234"]
    assert phone_search_variants("+6581234567") == ["+6581234567", "6581234567"]
    assert phone_search_variants("19001234") == ["19001234"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("0939", True),
        ("921 717", True),
        ("+84 939-921", True),
        ("(028) 3822.1234", True),
        ("09", False),
        ("abc123", False),
        ("SP12345", False),
        ("Nguyễn", False),
        ("", False),
    ],
)
def test_looks_like_phone_query(query: str, expected: bool) -> None:
    assert looks_like_phone_query(query) is expected
