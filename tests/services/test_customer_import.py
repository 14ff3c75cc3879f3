"""services/customer_import.py: header guessing, mapping, preview, the duplicate policy,
rejected rows, hostile files, the saved report, cancel."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.core.search_keys import search_text
from primedist.domain.base import table_of
from primedist.domain.customer import Address, Customer, CustomerPhone, CustomerTag, Tag
from primedist.domain.enums import Channel, Gender, Module, Role
from primedist.errors import Cancelled, PermissionDenied, ValidationError
from primedist.queries.customers import search_customers
from primedist.services.context import Actor, ServiceContext
from primedist.services.customer_import import (
    DuplicatePolicy,
    guess_mapping,
    import_customers,
    merge_mapping,
    read_preview,
)
from primedist.services.customers import resolve_customer
from tests.support import CancelAt

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
addresses_t = table_of(Address)
tags_t = table_of(Tag)
links_t = table_of(CustomerTag)

VI_HEADER = ["Họ tên", "SĐT", "Email", "Giới tính", "Ngày sinh", "Địa chỉ", "Tỉnh/Thành phố",
             "Thẻ", "Ghi chú", "Cột lạ"]  # fmt: skip


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def hoa(**over: Any) -> list[Any]:
    row = {"Họ tên": "Nguyễn Thị Hoa", "SĐT": "+84 939 921 717", "Email": "Hoa@Example.vn",
           "Giới tính": "Nữ", "Ngày sinh": "15/03/1990", "Địa chỉ": "12 Lê Lợi",
           "Tỉnh/Thành phố": "TP. Hồ Chí Minh", "Thẻ": "VIP; Potential", "Ghi chú": "Khách quen",
           "Cột lạ": "x"}  # fmt: skip
    row.update(over)
    return [row[h] for h in VI_HEADER]


def count(ctx: ServiceContext, table: sa.Table) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def customer(ctx: ServiceContext, name: str) -> sa.RowMapping:
    with ctx.engine.connect() as conn:
        return (
            conn.execute(sa.select(customers_t).where(customers_t.c.name == name)).mappings().one()
        )


def found(ctx: ServiceContext, text: str) -> list[str]:
    """The codes of the customers the list's folded search finds for `text`."""
    with ctx.engine.connect() as conn:
        rows = search_customers(conn, text)
        codes = conn.execute(sa.select(customers_t.c.code)).scalars().all()
    return [code for row in rows for code in codes if code in row]


def phones_of(ctx: ServiceContext, cid: int) -> list[tuple[str, bool]]:
    with ctx.engine.connect() as conn:
        stmt = sa.select(phones_t.c.phone, phones_t.c.is_primary).where(
            phones_t.c.customer_id == cid
        )
        return [tuple(r) for r in conn.execute(stmt.order_by(phones_t.c.id))]  # type: ignore[misc]


# Guessing and preview -----------------------------------------------------------------------


def test_headers_are_guessed_from_vietnamese_or_english_accents_optional() -> None:
    assert guess_mapping(VI_HEADER) == {
        "name": "Họ tên", "phone": "SĐT", "email": "Email", "gender": "Giới tính",
        "birthday": "Ngày sinh", "address": "Địa chỉ", "province": "Tỉnh/Thành phố",
        "tags": "Thẻ", "note": "Ghi chú",
    }  # fmt: skip
    assert guess_mapping(["Ten khach hang", "So dien thoai", "Ma KH"]) == {
        "name": "Ten khach hang", "phone": "So dien thoai", "code": "Ma KH",
    }  # fmt: skip
    assert guess_mapping(["Customer Name", "Phone number", "E-mail", "Date of birth"]) == {
        "name": "Customer Name", "phone": "Phone number", "email": "E-mail",
        "birthday": "Date of birth",
    }  # fmt: skip
    # The first header naming a field wins; unknown headers stay unmapped.
    assert guess_mapping(["Tên", "Họ tên", "Whatever"]) == {"name": "Tên"}


def test_merge_mapping_moves_a_header_to_the_overriding_field() -> None:
    guessed = {"name": "Họ tên", "note": "Ghi chú", "phone": "SĐT"}
    assert merge_mapping(guessed, {"address": "Ghi chú", "phone": ""}) == {
        "name": "Họ tên", "address": "Ghi chú",
    }  # fmt: skip


def test_preview_shows_the_headers_first_rows_and_guess(tmp_path: Path) -> None:
    rows = [hoa(**{"Họ tên": f"Khách {i}"}) for i in range(30)]
    preview = read_preview(write_csv(tmp_path / "k.csv", VI_HEADER, rows), rows=5)
    assert preview.file == "k.csv"
    assert preview.headers == VI_HEADER
    assert [r[0] for r in preview.rows] == [f"Khách {i}" for i in range(5)]
    assert preview.guessed_mapping["phone"] == "SĐT"


# Import -------------------------------------------------------------------------------------


def test_import_creates_customers_with_codes_phones_search_tags_and_address(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [hoa(), hoa(**{"Họ tên": "Trần Văn Nam", "SĐT": "0912 345 678 / 0283 822 1234",
                          "Email": "", "Giới tính": "nam", "Ngày sinh": "", "Thẻ": "",
                          "Địa chỉ": "", "Tỉnh/Thành phố": ""})]  # fmt: skip
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", VI_HEADER, rows),
                              on_duplicate=DuplicatePolicy.SKIP)  # fmt: skip
    assert (report.rows_read, report.imported, report.updated, report.skipped) == (2, 2, 0, 0)
    assert report.rejected == []
    c = customer(owner_ctx, "Nguyễn Thị Hoa")
    assert c["code"] == f"KH{c['id']:06d}"
    assert (c["email"], c["gender"], c["birthday"], c["source"], c["note"]) == (
        "hoa@example.vn", Gender.FEMALE, date(1990, 3, 15), "import", "Khách quen",
    )  # fmt: skip
    assert "nguyen thi hoa" in c["search_text"] and "0939921717" in c["search_text"]
    assert phones_of(owner_ctx, c["id"]) == [("0939921717", True)]
    nam = customer(owner_ctx, "Trần Văn Nam")
    assert phones_of(owner_ctx, nam["id"]) == [("0912345678", True), ("02838221234", False)]
    # The same search text every other writer stores (core.search_keys).
    for row, phones in ((c, ["0939921717"]), (nam, ["0912345678", "02838221234"])):
        assert row["search_text"] == search_text(row["name"], row["code"], row["email"],
                                                 phones=phones)  # fmt: skip
    with owner_ctx.engine.connect() as conn:
        # The FTS index has the new rows: folded name, any phone format, code, email.
        for text in ("nguyen hoa", "84939921717", c["code"], "hoa@example"):
            assert found(owner_ctx, text) == [c["code"]], text
        address = conn.execute(
            sa.select(addresses_t).where(addresses_t.c.customer_id == c["id"])
        ).mappings().one()  # fmt: skip
        tags = conn.execute(
            sa.select(tags_t.c.name)
            .join(links_t, links_t.c.tag_id == tags_t.c.id)
            .where(links_t.c.customer_id == c["id"])
        ).scalars()  # fmt: skip
        assert sorted(tags) == ["Potential", "VIP"]
    assert (address["street"], address["province"], address["is_default"]) == (
        "12 Lê Lợi", "TP. Hồ Chí Minh", True,
    )  # fmt: skip
    assert address["province_code"] is not None
    assert count(owner_ctx, addresses_t) == 1  # no address on Nam's row


def test_bad_values_reject_their_row_naming_the_column(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """A bad name or phone rejects the row; another bad value is left out with a note and
    the customer imported (tests/services/test_customer_import_values.py)."""
    rows = [
        hoa(),
        hoa(**{"Họ tên": "", "SĐT": "0900000001"}),
        hoa(**{"Họ tên": "B", "SĐT": "12345"}),
        hoa(**{"Họ tên": "C", "SĐT": "0900000003", "Email": "not-an-email"}),
        hoa(**{"Họ tên": "D", "SĐT": "0900000004", "Giới tính": "robot"}),
        hoa(**{"Họ tên": "E", "SĐT": "0900000005", "Ngày sinh": "31/02/1990"}),
        hoa(**{"Họ tên": "F" * 121, "SĐT": "0900000006"}),
    ]
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", VI_HEADER, rows),
                              on_duplicate="skip")  # fmt: skip
    assert report.imported == 4
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (3, "Họ tên", "is empty (a customer needs a name)"),
        (4, "SĐT", "'12345' is not a phone number"),
        (8, "Họ tên", "is 121 characters long: the limit is 120"),
    ]
    left_out = ": this value was not imported"
    assert [(r.row, r.column, r.reason) for r in report.notes] == [
        (5, "Email", "'not-an-email' is not an email address" + left_out),
        (6, "Giới tính", "unknown value 'robot' (use female/male/other or nữ/nam/khác)" + left_out),
        (7, "Ngày sinh", "'31/02/1990' is not a real date" + left_out),
    ]
    assert report.summary().startswith(
        "Imported k.csv: 7 rows; 4 new customers, 0 updated, 0 unchanged, 0 skipped; "
        "3 rows rejected"
    )


def test_masked_phone_is_not_kept_and_never_matches(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [hoa(**{"Họ tên": "A", "SĐT": "84*****89"}), hoa(**{"Họ tên": "B", "SĐT": "84*****89"})]
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", VI_HEADER, rows),
                              on_duplicate="skip")  # fmt: skip
    assert (report.imported, report.skipped) == (2, 0)
    assert count(owner_ctx, phones_t) == 0


# Duplicate policy ---------------------------------------------------------------------------


@pytest.fixture
def stored(owner_ctx: ServiceContext, tmp_path: Path) -> sa.RowMapping:
    """A stored customer with phone 0939921717, email, birthday and one address."""
    import_customers(owner_ctx, write_csv(tmp_path / "first.csv", VI_HEADER, [hoa()]),
                     on_duplicate="skip")  # fmt: skip
    return customer(owner_ctx, "Nguyễn Thị Hoa")


def second_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "second.csv", VI_HEADER, [
        hoa(**{"Họ tên": "Hoa Nguyễn", "SĐT": "0939.921.717; 0977 000 111", "Email": "",
               "Ngày sinh": "", "Thẻ": "Often returns", "Địa chỉ": "5 Hai Bà Trưng",
               "Ghi chú": ""}),
        hoa(**{"Họ tên": "Lê Mai", "SĐT": "0977000111", "Thẻ": "", "Địa chỉ": "",
               "Tỉnh/Thành phố": ""}),
    ])  # fmt: skip


def test_skip_keeps_the_stored_customer_and_says_whose_phone(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    report = import_customers(owner_ctx, second_file(tmp_path), on_duplicate="skip")
    # Row 2's phone is stored; row 3's second phone belongs to no one yet: imported.
    assert (report.imported, report.updated, report.skipped) == (1, 0, 1)
    skipped = report.skipped_rows
    assert [(r.row, r.customer_code, r.reason) for r in skipped] == [
        (2, stored["code"], f"phone 0939921717 already belongs to {stored['code']} "
                            "(Nguyễn Thị Hoa)"),
    ]  # fmt: skip
    assert customer(owner_ctx, "Nguyễn Thị Hoa")["updated_at"] == stored["updated_at"]
    assert report.to_json()["rows_skipped"][0]["row"] == 2


def test_update_fills_values_adds_phones_tags_address_never_blanks(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    report = import_customers(owner_ctx, second_file(tmp_path), on_duplicate="update")
    # Row 3 (0977000111) now finds Hoa through the phone row 2 added: nothing of it is new
    # but its name, and the stored name is kept (the report says so).
    assert (report.imported, report.updated, report.unchanged, report.skipped) == (0, 1, 1, 0)
    assert [r.reason for r in report.rows] == [
        "matched by phone; name kept: Nguyễn Thị Hoa (the file says Hoa Nguyễn)",
        "matched by phone; name kept: Nguyễn Thị Hoa (the file says Lê Mai)",
    ]
    c = customer(owner_ctx, "Nguyễn Thị Hoa")
    assert c["id"] == stored["id"]
    assert (c["email"], c["birthday"], c["note"]) == (
        "hoa@example.vn", date(1990, 3, 15), "Khách quen",
    )  # empty cells never blank anything out  # fmt: skip
    assert phones_of(owner_ctx, c["id"]) == [("0939921717", True), ("0977000111", False)]
    assert "0977000111" in c["search_text"]
    with owner_ctx.engine.connect() as conn:
        assert found(owner_ctx, "0977000111") == [c["code"]]
        streets = conn.execute(
            sa.select(addresses_t.c.street).where(addresses_t.c.customer_id == c["id"])
        ).scalars()  # fmt: skip
        assert sorted(streets) == ["12 Lê Lợi", "5 Hai Bà Trưng"]
    assert count(owner_ctx, links_t) == 3  # VIP, Potential + Often returns
    # The same file again: nothing new.
    again = import_customers(owner_ctx, second_file(tmp_path), on_duplicate="update")
    assert (again.imported, again.updated, again.phones_added, again.addresses_added) == (
        0, 0, 0, 0,
    )  # fmt: skip
    assert count(owner_ctx, links_t) == 3


def test_create_makes_a_new_customer_anyway(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    report = import_customers(owner_ctx, second_file(tmp_path), on_duplicate="create")
    assert (report.imported, report.updated, report.skipped) == (2, 0, 0)
    assert count(owner_ctx, customers_t) == 3
    assert report.rows[0].reason == "created anyway: phone 0939921717 is in use"


def test_duplicates_inside_the_file_follow_the_policy(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [hoa(), hoa(**{"Họ tên": "H**uj", "Email": "", "Thẻ": "Mới"})]
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    skip = import_customers(owner_ctx, path, on_duplicate="skip")
    assert (skip.imported, skip.skipped) == (1, 1)
    assert skip.skipped_rows[0].reason == (
        "phone 0939921717 is already used by the customer of row 2"
    )
    assert count(owner_ctx, customers_t) == 1


def test_update_keeps_the_stored_name_and_fills_a_masked_one(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    """An update imported "Chi Nguyen Test" over Nguyễn Khánh Chi: the file's name may be a
    nickname or unaccented, so the stored name stays (the row's report says so) while the
    contacts are updated; a marketplace's masked name is no name and is filled."""
    with owner_ctx.engine.begin() as conn:
        masked = resolve_customer(conn, channel=Channel.SHOPEE, buyer_id="b1",
                                  phone="0909111222", name="H**uj",
                                  now=owner_ctx.clock.now())  # fmt: skip
    path = write_csv(tmp_path / "k.csv", ["Tên khách hàng", "Số điện thoại", "Email"], [
        ["Hoa Test", "0939921717", "hoa.moi@example.vn"],
        ["Hoàng Huy", "0909111222", ""],
    ])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert report.updated == 2
    assert [r.reason for r in report.rows] == [
        "matched by phone; name kept: Nguyễn Thị Hoa (the file says Hoa Test)",
        "matched by phone",
    ]
    c = customer(owner_ctx, "Nguyễn Thị Hoa")
    assert (c["id"], c["email"]) == (stored["id"], "hoa.moi@example.vn")
    assert customer(owner_ctx, "Hoàng Huy")["id"] == masked


def test_masked_name_never_overwrites_a_real_one(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    path = write_csv(tmp_path / "k.csv", VI_HEADER, [hoa(**{"Họ tên": "H**uj"})])
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert report.unchanged == 1
    assert customer(owner_ctx, "Nguyễn Thị Hoa")["id"] == stored["id"]


def test_code_column_finds_the_customer(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    path = write_csv(tmp_path / "k.csv", ["Mã khách hàng", "Tên khách hàng", "Zalo"],
                     [[stored["code"].lower(), "Hoa (Zalo)", "hoa.zalo"]])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert report.updated == 1
    c = customer(owner_ctx, "Nguyễn Thị Hoa")  # the stored name kept
    assert (c["id"], c["zalo_id"]) == (stored["id"], "hoa.zalo")


# Mapping, xlsx ------------------------------------------------------------------------------


def test_a_chosen_mapping_wins_over_the_guess(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", ["Biệt danh", "Tên", "Liên lạc"],
                     [["Bé Na", "Nguyễn Na", "0901234567"]])  # fmt: skip
    report = import_customers(owner_ctx, path, mapping={"name": "Biệt danh", "phone": "Liên lạc"},
                              on_duplicate="skip")  # fmt: skip
    assert report.imported == 1
    assert phones_of(owner_ctx, customer(owner_ctx, "Bé Na")["id"]) == [("0901234567", True)]
    with pytest.raises(ValidationError, match="has no column 'Nope'"):
        import_customers(owner_ctx, path, mapping={"name": "Nope"}, on_duplicate="skip")
    with pytest.raises(ValidationError, match="mapped to both name and note"):
        import_customers(owner_ctx, path, mapping={"name": "Tên", "note": "Tên"},
                         on_duplicate="skip")  # fmt: skip
    with pytest.raises(ValidationError, match="Unknown customer field 'age'"):
        import_customers(owner_ctx, path, mapping={"name": "Tên", "age": "Liên lạc"},
                         on_duplicate="skip")  # fmt: skip


def test_xlsx_with_number_phones_and_date_cells(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "k.xlsx", ["Name", "Phone", "Birthday", "Gender"],
                      [["Phạm An", 939921717, date(1995, 1, 2), "male"]])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="skip")
    assert report.imported == 1
    c = customer(owner_ctx, "Phạm An")
    assert (c["birthday"], c["gender"]) == (date(1995, 1, 2), Gender.MALE)
    assert phones_of(owner_ctx, c["id"]) == [("0939921717", True)]


# Hostile files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.xlsx", b"Name,Phone\nA,0901234567\n", "is not a real Excel file"),
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n\n  \n", "is empty"),
        ("header.csv", b"Name,Phone\n", "has a header but no data rows"),
        ("noname.csv", "SĐT,Email\n0901234567,a@b.vn\n".encode(), "has no customer name column"),
        ("latin1.csv", "Tên\nNguy\xe9n\n".encode("latin-1"), "is not UTF-8"),
        ("data.pdf", b"Name\nA\n", "unsupported file type"),
    ],
)
def test_hostile_files_get_a_clear_message_and_change_nothing(
    owner_ctx: ServiceContext, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        import_customers(owner_ctx, path, on_duplicate="skip")
    assert count(owner_ctx, customers_t) == 0


def test_huge_files_are_refused(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("primedist.io.tabular.MAX_DATA_ROWS", 3)
    path = write_csv(tmp_path / "k.csv", ["Name"], [[f"K{i}"] for i in range(5)])
    with pytest.raises(ValidationError, match="more than 3 data rows"):
        import_customers(owner_ctx, path, on_duplicate="skip")
    assert count(owner_ctx, customers_t) == 0


def test_unknown_policy_and_no_permission(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", ["Name"], [["A"]])
    with pytest.raises(ValidationError, match="Unknown duplicate policy 'merge'"):
        import_customers(owner_ctx, path, on_duplicate="merge")
    clerk = Actor(id=None, name="Kho", email="kho@x.vn", role=Role.STAFF,
                  modules=frozenset({Module.PRODUCTS}))  # fmt: skip
    with pytest.raises(PermissionDenied):
        import_customers(owner_ctx.with_actor(clerk), path, on_duplicate="skip")
    assert count(owner_ctx, customers_t) == 0


def test_cancel_leaves_nothing(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    rows = [hoa(**{"Họ tên": f"K{i}", "SĐT": f"09{i:08d}"}) for i in range(50)]
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    with pytest.raises(Cancelled):
        import_customers(owner_ctx, path, on_duplicate="skip", progress=CancelAt(0.7))
    assert count(owner_ctx, customers_t) == 0
    assert count(owner_ctx, phones_t) == 0
    assert found(owner_ctx, "K1") == []


# Report -------------------------------------------------------------------------------------


def test_report_is_saved_as_csv_or_xlsx_and_audited(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    rows = [hoa(), hoa(**{"Họ tên": "Mới", "SĐT": "0901111222"}), hoa(**{"SĐT": "1"})]
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", VI_HEADER, rows),
                              on_duplicate="skip")  # fmt: skip
    report.save_report(tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["Row", "Outcome", "Customer code", "Column", "Reason"]
    assert [line[:2] for line in lines[1:]] == [["2", "Skipped"], ["3", "Imported"],
                                                 ["4", "Rejected"]]  # fmt: skip
    assert lines[3][3:] == ["SĐT", "'1' is not a phone number"]
    report.save_report(tmp_path / "r.xlsx", lang="vi")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["Dòng", "Kết quả", "Mã khách hàng", "Cột", "Lý do"]
    assert sheet.cell(3, 2).value == "Đã thêm"
    with pytest.raises(ValidationError, match="as .csv or .xlsx"):
        report.save_report(tmp_path / "r.pdf")
    with owner_ctx.engine.connect() as conn:
        actions = conn.exec_driver_sql(
            "SELECT action FROM audit_events WHERE action = 'customers.import'"
        ).scalars()  # fmt: skip
        assert len(list(actions)) == 2


def _customer_index_names(ctx: ServiceContext) -> set[str]:
    with ctx.engine.connect() as conn:
        inspector = sa.inspect(conn)
        return {ix["name"] for table in ("customers", "customer_phones", "addresses",
                                         "customer_tags")
                for ix in inspector.get_indexes(table)}  # fmt: skip


def test_a_big_import_builds_the_list_indexes_after_the_inserts(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From DEFER_INDEXES_FROM new customers the list's covering indexes are dropped while
    inserting and built again, and so are the other indexes of the customers and their
    phones, addresses and tags in a first big load; a cancel brings them back untouched."""
    import primedist.db.bulk as bulk
    import primedist.services.customer_import as module

    monkeypatch.setattr(module, "DEFER_INDEXES_FROM", 10)
    monkeypatch.setattr(bulk, "DEFER_MIN_ROWS", 10)
    before = _customer_index_names(owner_ctx)
    assert set(module.LIST_INDEXES) <= before
    assert {"ix_customer_phones_phone", "ix_customers_level_id"} <= before
    rows = [hoa(**{"Họ tên": f"K{i}", "SĐT": f"09{i:08d}"}) for i in range(50)]
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    with pytest.raises(Cancelled):
        import_customers(owner_ctx, path, on_duplicate="skip", progress=CancelAt(0.7))
    assert _customer_index_names(owner_ctx) == before
    report = import_customers(owner_ctx, path, on_duplicate="skip")
    assert report.imported == 50
    assert _customer_index_names(owner_ctx) == before
    assert len(found(owner_ctx, "K17")) == 1  # the search index holds the new rows
    again = import_customers(owner_ctx, path, on_duplicate="skip")  # phones found: skipped
    assert again.skipped == 50


# Fixed bugs ---------------------------------------------------------------------------------

CODE_HEADER = ["Mã khách hàng", "Tên khách hàng", "Số điện thoại", "Thẻ", "Địa chỉ",
               "Tỉnh/Thành phố", "Nhóm khách hàng"]  # fmt: skip


def by_code(ctx: ServiceContext, code: str) -> sa.RowMapping:
    with ctx.engine.connect() as conn:
        stmt = sa.select(customers_t).where(customers_t.c.code == code)
        return conn.execute(stmt).mappings().one()


def tags_of(ctx: ServiceContext, cid: int) -> list[str]:
    with ctx.engine.connect() as conn:
        stmt = (
            sa.select(tags_t.c.name)
            .join(links_t, links_t.c.tag_id == tags_t.c.id)
            .where(links_t.c.customer_id == cid)
        )
        return sorted(conn.execute(stmt).scalars())


def addresses_of(ctx: ServiceContext, cid: int) -> list[tuple[str, bool]]:
    with ctx.engine.connect() as conn:
        a = addresses_t.c
        stmt = sa.select(a.street, a.is_default).where(a.customer_id == cid).order_by(a.id)
        return [(street, bool(default)) for street, default in conn.execute(stmt)]


def two_customers(ctx: ServiceContext, tmp_path: Path) -> tuple[sa.RowMapping, sa.RowMapping]:
    """Khánh (0396753084) and Lan (0886456103), stored."""
    path = write_csv(tmp_path / "two.csv", ["Tên khách hàng", "Số điện thoại"],
                     [["Khánh", "0396753084"], ["Lan", "0886456103"]])  # fmt: skip
    import_customers(ctx, path, on_duplicate="skip")
    return customer(ctx, "Khánh"), customer(ctx, "Lan")


def test_update_leaves_another_customers_phone_to_them(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    khanh, lan = two_customers(owner_ctx, tmp_path)
    path = write_csv(tmp_path / "k.csv", ["Mã khách hàng", "Tên khách hàng", "Số điện thoại"],
                     [["", "Hoàng Đức Khánh", "0396753084; 0886456103"]])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="update")
    # Nothing new (the stored name is kept); the other customer's phone is not added but
    # named.
    assert (report.unchanged, report.phones_added) == (1, 0)
    assert report.rows[0].reason == (
        f"matched by phone; phone 0886456103 belongs to {lan['code']} (Lan): not added, "
        "name kept: Khánh (the file says Hoàng Đức Khánh)"
    )
    assert phones_of(owner_ctx, khanh["id"]) == [("0396753084", True)]
    assert phones_of(owner_ctx, lan["id"]) == [("0886456103", True)]
    assert customer(owner_ctx, "Khánh")["id"] == khanh["id"]
    # Only the other's phone and nothing else new: unchanged.
    path = write_csv(tmp_path / "k2.csv", ["Mã khách hàng", "Tên khách hàng", "Số điện thoại"],
                     [[khanh["code"], "Hoàng Đức Khánh", "0886456103"]])  # fmt: skip
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.updated, again.unchanged, again.phones_added) == (0, 1, 0)
    assert phones_of(owner_ctx, khanh["id"]) == [("0396753084", True)]


def test_update_leaves_the_phone_of_a_customer_the_file_creates_to_it(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    khanh, lan = two_customers(owner_ctx, tmp_path)
    path = write_xlsx(tmp_path / "k.xlsx", ["Tên khách hàng", "Số điện thoại"], [
        ["Mới", "0901000001"],
        # Matches Khánh; 0901000001 is the customer of row 2's.
        ["Khánh", "0396753084; 0901000001"],
        # Matches row 2's customer; 0886456103 is Lan's.
        ["Mới", "0901000001; 0886456103"],
    ])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert (report.imported, report.updated, report.unchanged) == (1, 1, 1)
    assert [r.reason for r in report.rows[1:]] == [
        "matched by phone; phone 0901000001 is used by the customer of row 2: not added",
        f"phone 0901000001: the customer of row 2; phone 0886456103 belongs to {lan['code']} "
        "(Lan): not added",
    ]
    assert phones_of(owner_ctx, khanh["id"]) == [("0396753084", True)]
    assert phones_of(owner_ctx, lan["id"]) == [("0886456103", True)]
    assert phones_of(owner_ctx, customer(owner_ctx, "Mới")["id"]) == [("0901000001", True)]


def test_tags_differing_only_by_case_are_one_tag(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", ["Tên khách hàng", "Số điện thoại", "Thẻ"],
                     [["Tag Test A", "0911000001", "VIP;vip"]])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="skip")
    assert (report.imported, report.tags_created) == (1, 1)
    assert tags_of(owner_ctx, customer(owner_ctx, "Tag Test A")["id"]) == ["VIP"]
    # Two rows of one new customer (update), then the stored customer again.
    rows = [["Sỉ B", "0911000002", "Sỉ"], ["Sỉ B", "0911000002", "sỉ; VIP"]]
    path = write_xlsx(tmp_path / "k.xlsx", ["Tên khách hàng", "Số điện thoại", "Thẻ"], rows)
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert (report.imported, report.updated, report.tags_created) == (1, 1, 1)
    assert tags_of(owner_ctx, customer(owner_ctx, "Sỉ B")["id"]) == ["Sỉ", "VIP"]
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.unchanged, again.tags_created) == (2, 0)
    assert count(owner_ctx, tags_t) == 4  # Potential, Often returns, VIP, Sỉ


def test_more_than_ten_addresses_keep_exactly_one_default(
    owner_ctx: ServiceContext, tmp_path: Path, stored: sa.RowMapping
) -> None:
    """As the app's add-address: when the default address goes, the newest becomes it."""
    rows = [hoa(**{"Địa chỉ": f"{i} Nguyễn Huệ", "Thẻ": ""}) for i in range(1, 11)]
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", VI_HEADER, rows),
                              on_duplicate="update")  # fmt: skip
    assert (report.updated, report.addresses_added) == (10, 10)
    assert addresses_of(owner_ctx, stored["id"]) == [
        (f"{i} Nguyễn Huệ", i == 10) for i in range(1, 11)
    ]
    # Fewer than the limit: the stored default stays the default.
    rows = [hoa(**{"Địa chỉ": f"{i} Lê Duẩn", "Thẻ": ""}) for i in (1, 2)]
    import_customers(owner_ctx, write_xlsx(tmp_path / "k.xlsx", VI_HEADER, rows),
                     on_duplicate="update")  # fmt: skip
    kept = addresses_of(owner_ctx, stored["id"])
    assert len(kept) == 10
    assert [street for street, default in kept if default] == ["10 Nguyễn Huệ"]


def test_a_code_leading_to_a_deleted_customer_matches_no_one(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """X merged into Y, Y deleted: X's code is treated as an unknown code (which matches no
    one, so the row makes a new customer with a code of its own)."""
    from primedist.services.customer_delete import delete_customers
    from primedist.services.customers import merge_customers

    x, y = two_customers(owner_ctx, tmp_path)
    merge_customers(owner_ctx, y["id"], [x["id"]])
    delete_customers(owner_ctx, [y["id"]])
    path = write_csv(tmp_path / "k.csv", ["Mã khách hàng", "Tên khách hàng"],
                     [[x["code"], "Back again"], ["KH999999", "Unknown code"]])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert (report.imported, report.updated) == (2, 0)
    assert by_code(owner_ctx, y["code"])["name"] == "Lan"
    assert customer(owner_ctx, "Back again")["code"] not in (x["code"], y["code"])


def _snapshot(ctx: ServiceContext) -> dict[str, list[Any]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key))]
            for t in (customers_t, phones_t, addresses_t, links_t, tags_t)
        }


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(
    owner_ctx: ServiceContext, tmp_path: Path, suffix: str
) -> None:
    from primedist.domain.loyalty import CustomerLevel
    from primedist.services.customer_export import export_customers

    levels_t = table_of(CustomerLevel)
    rows = [
        hoa(),
        hoa(**{"Họ tên": "Trần Nam", "SĐT": "0912345678; 0283 822 1234", "Email": "",
               "Giới tính": "", "Ngày sinh": "", "Địa chỉ": "", "Tỉnh/Thành phố": "",
               "Thẻ": "", "Ghi chú": "=1+1"}),
    ]  # fmt: skip
    import_customers(owner_ctx, write_csv(tmp_path / "k.csv", VI_HEADER, rows), on_duplicate="skip")
    hoa_id = customer(owner_ctx, "Nguyễn Thị Hoa")["id"]
    nam_id = customer(owner_ctx, "Trần Nam")["id"]
    with owner_ctx.engine.begin() as conn:
        # Two groups of the same name (the export writes the name); groups set
        # automatically (not pinned).
        ids = [
            conn.execute(levels_t.insert().values(name="Khách sỉ", code=code, position=i)
                         .returning(levels_t.c.id)).scalar_one()
            for i, code in enumerate(("WS", "SI"))
        ]  # fmt: skip
        for cid, lid in ((hoa_id, ids[0]), (nam_id, ids[1])):
            conn.execute(customers_t.update().where(customers_t.c.id == cid)
                         .values(level_id=lid, level_pinned=False))  # fmt: skip
        # The customer form keeps an email's capitals (the import lowercases), and text
        # as typed, even one that starts with ' before a formula sign.
        conn.execute(customers_t.update().where(customers_t.c.id == hoa_id)
                     .values(email="Hoa@Example.vn", note="'=giữ nguyên"))  # fmt: skip
    before = _snapshot(owner_ctx)
    path = tmp_path / f"export.{suffix}"
    export_customers(owner_ctx, path)
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert (report.unchanged, report.updated, report.imported, report.rejected) == (2, 0, 0, [])
    assert _snapshot(owner_ctx) == before
    # A changed group is still given by hand: pinned.
    path = write_csv(tmp_path / "g.csv", ["Mã khách hàng", "Tên khách hàng", "Nhóm khách hàng"],
                     [[f"KH{nam_id:06d}", "Trần Nam", "VIP 2"]])  # fmt: skip
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert (report.updated, report.levels_created) == (1, 1)
    nam = customer(owner_ctx, "Trần Nam")
    assert nam["level_pinned"] and nam["level_id"] not in ids


def test_a_birthday_that_is_no_real_day_is_refused_as_a_date(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """A birthday is a date alone: a day that does not exist is "not a real date" (no
    time was written, none is blamed); a time typed with it is still read."""
    rows = [
        hoa(**{"SĐT": "0900000001", "Ngày sinh": "29/02/1990"}),
        hoa(**{"SĐT": "0900000002", "Ngày sinh": "1990-13-01"}),
        hoa(**{"SĐT": "0900000003", "Ngày sinh": "29/02/1992"}),
        hoa(**{"SĐT": "0900000004", "Ngày sinh": "15/03/1990 08:00"}),
        hoa(**{"SĐT": "0900000005", "Ngày sinh": "15/03/1890"}),
    ]
    report = import_customers(owner_ctx, write_csv(tmp_path / "b.csv", VI_HEADER, rows),
                              on_duplicate="create")  # fmt: skip
    assert (report.imported, report.rejected) == (5, [])  # the birthday alone left out
    left_out = ": this value was not imported"
    assert [(r.row, r.reason) for r in report.notes] == [
        (2, "'29/02/1990' is not a real date" + left_out),
        (3, "'1990-13-01' is not a real date" + left_out),
        (6, "'15/03/1890' is not a possible date (the year must be 1900–2999)" + left_out),
    ]
