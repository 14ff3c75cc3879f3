"""services/customer_export.py: columns, xlsx typing, csv with BOM, filter/search/selection,
formula neutralising, round trip through the import, errors and cancel."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.core.clock import shop_tz
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Gender
from primedist.errors import Cancelled, ValidationError
from primedist.queries.customers import CustomerFilter
from primedist.services.context import ServiceContext
from primedist.services.customer_export import DEFAULT_COLUMNS, column_choices, export_customers
from primedist.services.customer_import import import_customers
from tests.services.test_customer_import import VI_HEADER, hoa, write_csv
from tests.support import CancelAt

customers_t = table_of(Customer)


@pytest.fixture
def shop(owner_ctx: ServiceContext, tmp_path: Path) -> dict[str, int]:
    """Three customers (Hoa with two phones, tags, address; Nam; a formula-named one) and
    a fourth that is merged away; {name: id}."""
    rows = [
        hoa(**{"SĐT": "0939921717; 0977000111"}),
        hoa(**{"Họ tên": "Trần Văn Nam", "SĐT": "0912345678", "Giới tính": "nam",
               "Email": "", "Thẻ": "", "Ngày sinh": ""}),
        hoa(**{"Họ tên": "=HYPERLINK(\"http://x\")", "SĐT": "0900000009", "Email": ""}),
        hoa(**{"Họ tên": "Gộp", "SĐT": "0900000010", "Email": ""}),
    ]  # fmt: skip
    path = write_csv(tmp_path / "in.csv", VI_HEADER, rows)
    assert import_customers(owner_ctx, path, on_duplicate="skip").imported == 4
    with owner_ctx.engine.begin() as conn:
        ids: dict[str, int] = dict(
            conn.execute(sa.select(customers_t.c.name, customers_t.c.id)).all()
        )
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == ids["Gộp"])
            .values(
                merged_into_id=ids["Trần Văn Nam"],
                deleted_at=owner_ctx.clock.now(),
                total_expenses=0,
            )  # fmt: skip
        )
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == ids["Nguyễn Thị Hoa"])
            .values(
                total_expenses=1_250_000, total_orders=5, successful_orders=3, returned_orders=1
            )  # a fifth order on its way: 3 of 4 finished
        )
    return ids


def read_xlsx(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_xlsx_has_every_default_column_typed_and_safe(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path
) -> None:
    report = export_customers(owner_ctx, tmp_path / "k.xlsx")
    assert report.rows == 3  # the merged-away customer is not exported
    rows = read_xlsx(tmp_path / "k.xlsx")
    assert rows[0] == [h for _k, h in column_choices("vi")]
    assert len(rows[0]) == len(DEFAULT_COLUMNS)
    by_name = {r[1]: dict(zip(DEFAULT_COLUMNS, r, strict=True)) for r in rows[1:]}
    hoa_row = by_name["Nguyễn Thị Hoa"]
    assert hoa_row["phone"] == "0939921717; 0977000111"  # text: the leading 0 stays
    assert hoa_row["code"] == f"KH{shop['Nguyễn Thị Hoa']:06d}"
    assert (hoa_row["gender"], hoa_row["tags"], hoa_row["province"]) == (
        "Nữ", "Potential; VIP", "TP. Hồ Chí Minh",
    )  # fmt: skip
    assert (hoa_row["total_expenses"], hoa_row["success_rate"], hoa_row["rank"]) == (
        1_250_000, 75, "Đồng",
    )  # fmt: skip
    assert hoa_row["birthday"].date().isoformat() == "1990-03-15"  # an Excel date
    assert '\'=HYPERLINK("http://x")' in by_name  # neutralised, shown as typed


def test_csv_has_a_bom_english_headers_and_imports_back_unchanged(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path
) -> None:
    path = tmp_path / "k.csv"
    report = export_customers(owner_ctx, path, lang="en", search="nguyen hoa")
    assert report.rows == 1
    assert path.read_bytes().startswith(b"\xef\xbb\xbfCustomer code,Name,Phone,")
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["Phone"] == "0939921717; 0977000111"
    assert rows[0]["Birthday"] == "15/03/1990"
    assert rows[0]["Gender"] == "Female"  # as the app shows it
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.unchanged, again.imported, again.updated, again.rejected) == (1, 0, 0, [])


def test_txt_is_tab_separated_and_imports_back_unchanged(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path
) -> None:
    path = tmp_path / "k.txt"
    report = export_customers(owner_ctx, path, search="nguyen hoa")
    assert report.rows == 1
    assert path.read_bytes().startswith("\ufeffMã khách hàng\tTên khách hàng\t".encode())
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert rows[0]["Tên khách hàng"] == "Nguyễn Thị Hoa"
    assert rows[0]["Số điện thoại"] == "0939921717; 0977000111"
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.unchanged, again.imported, again.updated, again.rejected) == (1, 0, 0, [])


def test_filter_selection_and_chosen_columns(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path
) -> None:
    male = export_customers(owner_ctx, tmp_path / "m.xlsx", flt=CustomerFilter(
        genders=(Gender.MALE,)), columns=["name", "phone"])  # fmt: skip
    assert male.rows == 1
    assert read_xlsx(tmp_path / "m.xlsx") == [["Tên khách hàng", "Số điện thoại"],
                                             ["Trần Văn Nam", "0912345678"]]  # fmt: skip
    ids = [shop["Trần Văn Nam"], shop["Nguyễn Thị Hoa"], shop["Gộp"]]
    picked = export_customers(owner_ctx, tmp_path / "s.xlsx", ids=ids, columns=["name"])
    # The given order; the merged-away customer is left out.
    assert read_xlsx(tmp_path / "s.xlsx")[1:] == [["Trần Văn Nam"], ["Nguyễn Thị Hoa"]]
    assert picked.rows == 2
    with owner_ctx.engine.connect() as conn:
        after = conn.exec_driver_sql(
            "SELECT after_json FROM audit_events WHERE action = 'customers.export' ORDER BY id"
        ).scalars().all()  # fmt: skip
    assert len(after) == 2 and '"genders"' in str(after[0])


def test_birthday_this_month_on_every_database(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path
) -> None:
    """The quick filter reads the month of a stored date (substr on SQLite, to_char on
    PostgreSQL): Hoa is born this month (shop time), the formula-named one next month."""
    this_month = owner_ctx.clock.now().astimezone(shop_tz()).month
    with owner_ctx.engine.begin() as conn:
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == shop["Nguyễn Thị Hoa"])
            .values(birthday=date(1991, this_month, 28))
        )
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == shop['=HYPERLINK("http://x")'])
            .values(birthday=date(1990, this_month % 12 + 1, 1))
        )
    report = export_customers(owner_ctx, tmp_path / "b.xlsx", columns=["name"],
                              flt=CustomerFilter(birthday_this_month=True))  # fmt: skip
    assert report.rows == 1
    assert read_xlsx(tmp_path / "b.xlsx")[1:] == [["Nguyễn Thị Hoa"]]


def test_bad_requests_are_refused_and_cancel_leaves_no_file(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="Unknown export column 'age'"):
        export_customers(owner_ctx, tmp_path / "k.xlsx", columns=["name", "age"])
    with pytest.raises(ValidationError, match=r"an \.xlsx, \.csv or \.txt file"):
        export_customers(owner_ctx, tmp_path / "k.pdf")
    with pytest.raises(ValidationError, match=r"does not end in \.csv"):
        export_customers(owner_ctx, tmp_path / "k.xlsx", fmt="csv")
    with pytest.raises(ValidationError, match="does not exist"):
        export_customers(owner_ctx, tmp_path / "nope" / "k.xlsx")
    with pytest.raises(Cancelled):
        export_customers(owner_ctx, tmp_path / "k.xlsx", progress=CancelAt(0.0))
    assert list(tmp_path.glob("k*")) == []
    assert not any(p.name.startswith(".k.") for p in tmp_path.iterdir())


@pytest.mark.parametrize(("name", "lang"), [("k.csv", "vi"), ("k.xlsx", "en"), ("k.txt", "vi")])
def test_source_and_channels_are_words_and_the_sources_import_back(
    owner_ctx: ServiceContext, shop: dict[str, int], tmp_path: Path, name: str, lang: str
) -> None:
    """The source and the purchase channels are written as the app shows them (not the
    stored keys `walk_in`, `tiki,offline`); the import reads the source's words back as
    the key, so an export imports back unchanged. A source typed by hand stays as typed."""
    sources = {"Nguyễn Thị Hoa": "walk_in", "Trần Văn Nam": "shopee",
               '=HYPERLINK("http://x")': "=Hội chợ"}  # fmt: skip
    with owner_ctx.engine.begin() as conn:
        for who, source in sources.items():
            conn.execute(sa.update(customers_t).where(customers_t.c.id == shop[who])
                         .values(source=source, channels="tiki,offline"))  # fmt: skip
    path = tmp_path / name
    export_customers(owner_ctx, path, lang=lang, columns=["code", "name", "source", "channels"])
    if name.endswith(".xlsx"):
        rows = read_xlsx(path)
    else:
        with path.open(encoding="utf-8-sig") as f:
            rows = list(csv.reader(f, delimiter="," if name.endswith(".csv") else "\t"))
    words = {r[1]: (r[2], r[3]) for r in rows[1:]}
    if lang == "vi":
        assert words["Nguyễn Thị Hoa"] == ("Khách lẻ", "Tiki, Bán trực tiếp")
        assert words['\'=HYPERLINK("http://x")'] == ("'=Hội chợ", "Tiki, Bán trực tiếp")
    else:
        assert words["Nguyễn Thị Hoa"] == ("Walk-in", "Tiki, In store")
    assert words["Trần Văn Nam"][0] == "Shopee"
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.unchanged, again.updated, again.rejected) == (3, 0, [])
    with owner_ctx.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(customers_t.c.id, customers_t.c.source)).all())
    assert {who: stored[shop[who]] for who in sources} == sources


def test_the_import_reads_a_source_in_words_as_its_key(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [["Hoa", "0939921717", "Nhập tệp"], ["Nam", "0912345678", "khach le"],
            ["Lan", "0908000111", "Referral"], ["Hà", "0908000222", "Hội chợ Tết"],
            # The counter's channel in English now, and as exports before it was renamed.
            ["Tú", "0908000333", "In store"], ["Minh", "0908000444", "Offline"]]  # fmt: skip
    path = write_csv(tmp_path / "s.csv", ["Họ tên", "SĐT", "Nguồn"], rows)
    assert import_customers(owner_ctx, path).imported == 6
    with owner_ctx.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(customers_t.c.name, customers_t.c.source)).all())
    assert stored == {"Hoa": "import", "Nam": "walk_in", "Lan": "referral", "Hà": "Hội chợ Tết",
                      "Tú": "offline", "Minh": "offline"}  # fmt: skip
