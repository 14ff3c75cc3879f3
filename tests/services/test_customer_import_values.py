"""services/customer_import.py on a real migrated store: Vietnamese date forms and
placeholders in optional cells; a bad optional value left out with a note (the customer
imported); a repeated header refused only when it is mapped (quoted as written, columns
by letter); default tags found by their names in either language; the preview's sheet
row numbers."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerPhone, CustomerTag, Tag
from primedist.domain.enums import Gender
from primedist.errors import ValidationError
from primedist.queries.customers import CustomerFilter, customer_filter_clauses
from primedist.services import tags as tg
from primedist.services.context import ServiceContext
from primedist.services.customer_import import import_customers, read_preview
from tests.services.test_customer_import import customer, write_csv

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
tags_t = table_of(Tag)
links_t = table_of(CustomerTag)

LEFT_OUT = ": this value was not imported"


def birthdays(ctx: ServiceContext) -> dict[str, date | None]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.select(customers_t.c.name, customers_t.c.birthday))
        return {row.name: row.birthday for row in rows}


# Dates and placeholders ---------------------------------------------------------------------


def test_vietnamese_date_forms_are_birthdays_day_first(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """15-03-1990, 01.02.1985 and 1990/03/15 (the tester's t5.csv) as well as the ISO and
    d/m/yyyy forms; 01.02 is the 1st of February, as Vietnam writes it."""
    rows = [
        ["Khách Một", "0939921770", "15-03-1990"],
        ["Khách Hai", "0939921771", "01.02.1985"],
        ["Khách Ba", "0939921772", "1990/03/15"],
        ["Khách Bốn", "0939921773", "1990-03-15"],
        ["Khách Năm", "0939921774", "1/2/1985"],
        ["Khách Sáu", "0939921775", "15/03/1990 08:00"],
    ]
    path = write_csv(tmp_path / "t5.csv", ["Họ tên", "SĐT", "Ngày sinh"], rows)
    report = import_customers(owner_ctx, path, on_duplicate="skip")
    assert (report.imported, report.rejected, report.notes) == (6, [], [])
    assert birthdays(owner_ctx) == {
        "Khách Một": date(1990, 3, 15), "Khách Hai": date(1985, 2, 1),
        "Khách Ba": date(1990, 3, 15), "Khách Bốn": date(1990, 3, 15),
        "Khách Năm": date(1985, 2, 1), "Khách Sáu": date(1990, 3, 15),
    }  # fmt: skip


def test_a_placeholder_in_an_optional_cell_is_an_empty_cell(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    header = ["Họ tên", "SĐT", "Email", "Giới tính", "Ngày sinh", "Thẻ", "Ghi chú"]
    rows = [
        ["Khách gạch", "-", "—", "x", "-", "–", "N/A"],
        ["Khách hai số", "0939921780; -", "", "", "", "VIP; -", ""],
    ]
    report = import_customers(owner_ctx, write_csv(tmp_path / "t6.csv", header, rows))
    assert (report.imported, report.rejected, report.notes) == (2, [], [])
    gach = customer(owner_ctx, "Khách gạch")
    assert (gach["email"], gach["gender"], gach["birthday"], gach["note"]) == (
        None, Gender.UNKNOWN.value, None, None,
    )  # fmt: skip
    with owner_ctx.engine.connect() as conn:
        phones = conn.execute(sa.select(phones_t.c.phone)).scalars().all()
        tag_names = set(conn.execute(sa.select(tags_t.c.name)).scalars())
    assert phones == ["0939921780"]
    assert not tag_names & {"-", "–"}


# A bad optional value: left out with a note -----------------------------------------------------


def test_a_bad_optional_value_keeps_the_customer_and_is_noted(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    header = ["Họ tên", "SĐT", "Email", "Giới tính", "Ngày sinh", "Thẻ", "Ghi chú"]
    rows = [
        ["Hoa", "0939921717", "hoa@x.vn", "nữ", "32/13/1990", "VIP", "quen"],
        ["Mai", "0939921718", "not-an-email", "robot", "hôm qua", "T" * 61 + "; Sỉ", ""],
        ["Lan", "12", "", "", "abc", "", ""],  # a phone that is none still rejects
    ]
    path = write_csv(tmp_path / "k.csv", header, rows)
    report = import_customers(owner_ctx, path, on_duplicate="skip")
    assert (report.imported, [r.row for r in report.rejected]) == (2, [4])
    assert [(n.row, n.column, n.reason) for n in report.notes] == [
        (2, "Ngày sinh", "'32/13/1990' is not a real date" + LEFT_OUT),
        (3, "Email", "'not-an-email' is not an email address" + LEFT_OUT),
        (3, "Giới tính", "unknown value 'robot' (use female/male/other or nữ/nam/khác)"
         + LEFT_OUT),
        (3, "Ngày sinh", "'hôm qua' is not a date (use DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, "
         "YYYY-MM-DD)" + LEFT_OUT),
        (3, "Thẻ", "is 61 characters long: the limit is 60" + LEFT_OUT),
    ]  # fmt: skip
    hoa, mai = customer(owner_ctx, "Hoa"), customer(owner_ctx, "Mai")
    assert (hoa["birthday"], hoa["gender"], hoa["email"]) == (None, "female", "hoa@x.vn")
    assert (mai["email"], mai["gender"]) == (None, Gender.UNKNOWN.value)
    # The row's outcome names the columns and why; --json lists the notes.
    by_row = {r.row: r for r in report.rows}
    assert (by_row[2].outcome, by_row[2].column) == ("imported", "Ngày sinh")
    assert by_row[3].column == "Email, Giới tính, Ngày sinh, Thẻ"
    assert by_row[3].reason.startswith("'not-an-email' is not an email address" + LEFT_OUT + "; ")
    data = json.loads(json.dumps(report.to_json()))
    assert data["notes"][0] == {
        "row": 2, "column": "Ngày sinh", "reason": "'32/13/1990' is not a real date" + LEFT_OUT,
    }  # fmt: skip
    assert report.counts()["notes"] == 5
    report.save_report(tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[1][:4] == ["2", "Imported", hoa["code"], "Ngày sinh"]
    # Imported again as an update: the stored birthday stays; a skipped row notes nothing.
    fixed = write_csv(tmp_path / "k2.csv", header, [
        ["Hoa", "0939921717", "", "", "15.03.1990", "", ""],
    ])  # fmt: skip
    import_customers(owner_ctx, fixed, on_duplicate="update")
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert customer(owner_ctx, "Hoa")["birthday"] == date(1990, 3, 15)
    assert {n.row for n in again.notes} == {2, 3}
    skipped = import_customers(owner_ctx, path, on_duplicate="skip")
    assert (skipped.skipped, skipped.notes) == (2, [])


# A repeated header --------------------------------------------------------------------------


def dup_header_xlsx(path: Path) -> Path:
    """The tester's dup_header.xlsx: `Ghi chú` twice."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ tên", "SĐT", "Ghi chú", "Ghi chú"])
    sheet.append(["A", "0939921740", "x", "y"])
    book.save(path)
    return path


def test_a_repeated_header_is_refused_only_when_it_is_mapped(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "dup2.csv", ["Họ tên", "SĐT", "Ghi chú", "Ghi Chú"],
                     [["A", "0939921790", "x", "y"]])  # fmt: skip
    # Mapped (guessed from the header): refused, quoted as written, columns by letter.
    with pytest.raises(ValidationError) as info:
        import_customers(owner_ctx, path)
    assert (info.value.row, info.value.column) == (1, "Ghi chú")
    assert "appears twice in the header of dup2.csv (columns C and D); keep one" in str(
        info.value.reason
    )
    # Not read (`--map note=`): the file imports.
    report = import_customers(owner_ctx, path, mapping={"name": "Họ tên", "phone": "SĐT"})
    assert report.imported == 1
    # The preview opens and tells the wizard which headers are repeated.
    preview = read_preview(dup_header_xlsx(tmp_path / "dup_header.xlsx"))
    assert preview.repeated == {"Ghi chú": ["C", "D"]}
    assert preview.guessed_mapping["note"] == "Ghi chú"


def test_order_and_product_imports_still_refuse_a_repeated_column(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    from primedist.services.order_import import import_orders
    from primedist.services.product_import import import_products

    orders = tmp_path / "o.csv"
    orders.write_text("order_id,order_date,shop,status,sku,quantity,unit_price,SKU\n"
                      "A1,2026-01-31,Shop,completed,S1,1,1000,S2\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ValidationError, match=r"columns E and H"):
        import_orders(owner_ctx, orders)
    products = tmp_path / "p.csv"
    products.write_text("product_name,sku,price,Price\nMug,M1,1000,2000\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"columns C and D"):
        import_products(owner_ctx, products)


# Default tags -------------------------------------------------------------------------------


def test_default_tags_are_found_by_their_names_in_either_language(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """A shop set up in Vietnamese: "Potential" tags "Tiềm năng" (no twin), and "Often
    returns" puts the customer in the quick filter."""
    defaults = {r.name: r.id for r in tg.list_tags(owner_ctx) if r.is_default}
    tg.rename_tag(owner_ctx, defaults["Potential"], "Tiềm năng")
    tg.rename_tag(owner_ctx, defaults["Often returns"], "Hay hoàn hàng")
    header = ["Họ tên", "SĐT", "Thẻ"]
    rows = [
        ["Hoa", "0939921717", "Potential; VIP"],
        ["Mai", "0939921718", "often returns; Hay hoan hang"],
        ["Lan", "0939921719", "tiềm năng"],
    ]
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", header, rows))
    assert (report.imported, report.tags_created) == (3, 1)  # VIP alone
    with owner_ctx.engine.connect() as conn:
        names = sorted(conn.execute(sa.select(tags_t.c.name)).scalars())
        tagged = conn.execute(
            sa.select(customers_t.c.name, tags_t.c.name)
            .select_from(customers_t.join(links_t).join(tags_t))
            .order_by(customers_t.c.name, tags_t.c.name)
        ).all()
        often = conn.execute(
            sa.select(customers_t.c.name).where(
                *customer_filter_clauses(CustomerFilter(often_returns=True), ZoneInfo("UTC"))
            )
        ).scalars().all()  # fmt: skip
    assert names == ["Hay hoàn hàng", "Tiềm năng", "VIP"]
    assert [tuple(t) for t in tagged] == [
        ("Hoa", "Tiềm năng"), ("Hoa", "VIP"), ("Lan", "Tiềm năng"), ("Mai", "Hay hoàn hàng"),
    ]  # fmt: skip
    assert often == ["Mai"]
    # A customer who has the tag, named in the other language: nothing changes.
    again = write_csv(tmp_path / "k2.csv", header, [["Lan", "0939921719", "Potential"]])
    assert import_customers(owner_ctx, again, on_duplicate="update").unchanged == 1


# The preview --------------------------------------------------------------------------------


def test_the_preview_numbers_rows_as_the_sheet_does(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A2"], sheet["B2"] = "Họ tên", "SĐT"  # row 1 left blank
    sheet.append(["A", "0939921740"])
    sheet.append([None, None])  # a blank row is skipped
    sheet.append(["B", "0939921741"])
    book.save(tmp_path / "k.xlsx")
    preview = read_preview(tmp_path / "k.xlsx")
    assert [r[0] for r in preview.rows] == ["A", "B"]
    assert preview.numbers == [3, 5]
