"""io/tabular.py: a date alone in the forms Vietnam writes it (`parse_date`), and a
repeated header left to the caller who reads only some columns (`repeated_ok`,
`TabularFile.check_once`), named as written and by column letters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from primedist.errors import ValidationError
from primedist.io.tabular import column_letter, open_table, parse_date, parse_datetime


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15-03-1990", date(1990, 3, 15)),
        ("01.02.1985", date(1985, 2, 1)),  # day first: 1 February
        ("1990/03/15", date(1990, 3, 15)),
        ("1990-03-15", date(1990, 3, 15)),
        ("15/03/1990", date(1990, 3, 15)),
        ("1/2/1985", date(1985, 2, 1)),
        ("1-2-1985", date(1985, 2, 1)),
        (" 5.11.2001 ", date(2001, 11, 5)),
        ("15/03/1990 08:30", date(1990, 3, 15)),
        ("1990-03-15 08:30:00", date(1990, 3, 15)),
    ],
)
def test_parse_date_reads_the_forms_people_write(text: str, day: date) -> None:
    assert parse_date(text) == day


def test_parse_date_reads_excel_date_cells() -> None:
    assert parse_date(datetime(1990, 3, 15, 0, 0)) == date(1990, 3, 15)
    assert parse_date(date(1985, 2, 1)) == date(1985, 2, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31-02-1990", "'31-02-1990' is not a real date"),
        ("1990/13/01", "'1990/13/01' is not a real date"),
        ("29.02.1990", "'29.02.1990' is not a real date"),
        ("15-03/1990", "'15-03/1990' is not a date (use DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, "
         "YYYY-MM-DD)"),
        ("hôm qua", "'hôm qua' is not a date (use DD/MM/YYYY"),
        ("15-03-1890", "'15-03-1890' is not a possible date (the year must be 1900–2999)"),
        ("31/02/1990 08:00", "'31/02/1990 08:00' is not a real date and time"),
    ],
)  # fmt: skip
def test_parse_date_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert str(info.value.args[0]).startswith(reason)


def test_order_dates_keep_their_forms() -> None:
    """parse_datetime (order dates) is unchanged: the new forms are for dates alone."""
    with pytest.raises(ValueError, match="is not a date"):
        parse_datetime("15-03-1990")


def test_column_letters_as_a_spreadsheet_shows_them() -> None:
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "C", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_a_repeated_header_is_left_to_the_caller_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "dup2.csv"
    path.write_text("Họ tên,SĐT,Ghi chú,Ghi Chú\nA,0939921790,x,y\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:  # by default, refused at once
        open_table(path)
    assert (info.value.row, info.value.column) == (1, "Ghi chú")
    assert "(columns C and D)" in info.value.user_message
    with open_table(path, repeated_ok=True) as table:
        assert table.repeated == {"ghi_chú": [2, 3]}
        table.check_once(0)  # the columns read are there once
        table.check_once(1)
        with pytest.raises(ValidationError) as info:
            table.check_once(3)
        assert (info.value.row, info.value.column) == (1, "Ghi chú")
        assert info.value.user_message == (
            "row 1, column 'Ghi chú': appears twice in the header of dup2.csv (columns C and "
            "D); keep one"
        )
        assert [cells for _n, cells in table.rows()] == [["A", "0939921790", "x", "y"]]
