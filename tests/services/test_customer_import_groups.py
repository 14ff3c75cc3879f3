"""Customer groups (levels) through the customer import and export: a `Nhóm khách hàng`
column finds a group by code or name (any case, accents optional), creates the groups it
does not know (when the user may make groups; else refuses their rows), gives them by hand
(pinned), and an export imports back unchanged."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Module, Role
from primedist.domain.loyalty import CustomerLevel
from primedist.errors import PermissionDenied
from primedist.services.context import Actor, ServiceContext
from primedist.services.customer_export import export_customers
from primedist.services.customer_import import guess_mapping, import_customers, level_code_for
from primedist.services.loyalty import levels, ranks
from primedist.services.orders import DraftLine, OrderDraft, quote_order
from tests.factories import make_product
from tests.services.test_customer_import import write_csv, write_xlsx

customers_t = table_of(Customer)
levels_t = table_of(CustomerLevel)
HEADER = ["Họ tên", "SĐT", "Nhóm khách hàng"]


def groups(ctx: ServiceContext) -> dict[str, tuple[str | None, bool]]:
    """{customer name: (its group's code, pinned)}."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(customers_t.c.name, levels_t.c.code, customers_t.c.level_pinned)
            .select_from(customers_t.outerjoin(levels_t, levels_t.c.id == customers_t.c.level_id))
        ).all()  # fmt: skip
    return {name: (code, bool(pinned)) for name, code, pinned in rows}


def test_the_group_column_is_guessed_from_its_usual_headers() -> None:
    for header in ("Nhóm khách hàng", "Nhom khach hang", "Customer group", "Nhóm KH", "level"):
        assert guess_mapping(["Tên", header]) == {"name": "Tên", "level": header}, header


def test_groups_found_by_code_or_name_new_ones_created_and_their_prices_apply(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    vip = levels.save_level(owner_ctx, name="Khách VIP", code="VIP", upgrade_threshold=10**6)
    rows = [
        ["Nguyễn Thị Hoa", "0939921717", "vip"],  # the code, any case
        ["Trần Văn Nam", "0912345678", "khach vip"],  # the name, accents optional
        ["Lê Thu Hà", "0908000111", "Khách sỉ"],  # unknown: created
        ["Phạm Lan", "0908000222", "KHÁCH SỈ"],  # the same new group
        ["Đỗ Minh", "0908000333", ""],  # no group
    ]
    report = import_customers(owner_ctx, write_xlsx(tmp_path / "k.xlsx", HEADER, rows))
    assert (report.imported, report.levels_created, report.rejected) == (5, 1, [])
    assert report.counts()["levels_created"] == 1
    assert groups(owner_ctx) == {
        "Nguyễn Thị Hoa": ("VIP", True), "Trần Văn Nam": ("VIP", True),
        "Lê Thu Hà": ("KHACH-SI", True), "Phạm Lan": ("KHACH-SI", True),
        "Đỗ Minh": (None, False),
    }  # fmt: skip
    made = next(r for r in levels.list_levels(owner_ctx) if r.code == "KHACH-SI")
    assert (made.name, made.upgrade_threshold, made.members) == ("Khách sỉ", None, 2)
    # The new group's prices apply to its customers at once.
    (shirt,) = make_product(owner_ctx.engine, "Áo thun", [("AO-S", 99_000, 50)])
    levels.set_level_price(owner_ctx, made.id, "AO-S", 70_000)
    with owner_ctx.engine.connect() as conn:
        ha = conn.execute(
            sa.select(customers_t.c.id).where(customers_t.c.name == "Lê Thu Hà")
        ).scalar_one()  # fmt: skip
    quoted = quote_order(owner_ctx, OrderDraft((DraftLine(shirt, 5),), customer_id=ha)).lines[0]
    assert quoted.unit_price == 70_000
    ranks.recompute_ranks(owner_ctx)  # pinned: the upgrade by purchases leaves them alone
    assert groups(owner_ctx)["Lê Thu Hà"] == ("KHACH-SI", True)
    assert vip in {r.id for r in levels.list_levels(owner_ctx)}


def test_update_moves_a_stored_customer_to_the_files_group_and_twice_changes_nothing(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    import_customers(owner_ctx, write_csv(tmp_path / "a.csv", HEADER[:2],
                                          [["Nguyễn Thị Hoa", "0939921717"]]))  # fmt: skip
    path = write_csv(tmp_path / "b.csv", HEADER, [["Nguyễn Thị Hoa", "0939921717", "Sỉ"]])
    first = import_customers(owner_ctx, path, on_duplicate="update")
    assert (first.updated, first.levels_created) == (1, 1)
    assert groups(owner_ctx) == {"Nguyễn Thị Hoa": ("SI", True)}
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.unchanged, again.updated, again.levels_created) == (1, 0, 0)
    # An empty group cell never takes the group off.
    blank = write_csv(tmp_path / "c.csv", HEADER, [["Nguyễn Thị Hoa", "0939921717", ""]])
    assert import_customers(owner_ctx, blank, on_duplicate="update").unchanged == 1
    assert groups(owner_ctx) == {"Nguyễn Thị Hoa": ("SI", True)}


def test_a_too_long_group_name_rejects_its_row_and_creates_nothing(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [["Nguyễn Thị Hoa", "0939921717", "x" * 61], ["Trần Văn Nam", "0912345678", ""]]
    report = import_customers(owner_ctx, write_csv(tmp_path / "k.csv", HEADER, rows))
    assert [(r.row, r.column) for r in report.rejected] == [(2, "Nhóm khách hàng")]
    assert "61" in report.rejected[0].reason and "60" in report.rejected[0].reason
    assert (report.imported, report.levels_created) == (1, 0)
    assert levels.list_levels(owner_ctx) == []


@pytest.mark.parametrize("modules", [{Module.CUSTOMERS}, {Module.CUSTOMERS, Module.SETTINGS}])
def test_a_clerk_imports_into_the_shops_groups_but_cannot_make_new_ones(
    owner_ctx: ServiceContext, tmp_path: Path, modules: set[Module]
) -> None:
    """Groups are made by the owner or a manager (Settings → Customer groups): a clerk's
    import finds the groups there are, and a row naming another one is refused (the row,
    the column, the group and the shop's groups said) instead of creating it."""
    levels.save_level(owner_ctx, name="Khách VIP", code="VIP")
    levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    clerk = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset(modules)))
    with pytest.raises(PermissionDenied):
        levels.save_level(clerk, name="Đại lý cấp 1", code="DL1")
    rows = [
        ["Nguyễn Thị Hoa", "0939921717", "vip"],
        ["Khách Sỉ Mới", "0911000111", "Đại lý cấp 1"],
        ["Phạm Đạt", "0939921721", "Không có"],
        ["Đỗ Minh", "0908000333", ""],
    ]
    report = import_customers(clerk, write_csv(tmp_path / "lvl.csv", HEADER, rows))
    assert (report.imported, report.levels_created) == (2, 0)
    assert [(r.row, r.column) for r in report.rejected] == [
        (3, "Nhóm khách hàng"), (4, "Nhóm khách hàng")]  # fmt: skip
    assert "'Đại lý cấp 1'" in report.rejected[0].reason
    assert "owner or a manager" in report.rejected[0].reason
    assert "Khách VIP, Khách sỉ" in report.rejected[0].reason
    assert "'Không có'" in report.rejected[1].reason
    assert [o.outcome for o in report.rows] == ["imported", "rejected", "rejected", "imported"]
    assert sorted(r.code for r in levels.list_levels(owner_ctx)) == ["SI", "VIP"]
    assert groups(owner_ctx) == {"Nguyễn Thị Hoa": ("VIP", True), "Đỗ Minh": (None, False)}


def test_the_export_writes_the_group_name_and_imports_back_unchanged(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [["Nguyễn Thị Hoa", "0939921717", "Khách sỉ"], ["Trần Văn Nam", "0912345678", ""]]
    import_customers(owner_ctx, write_csv(tmp_path / "k.csv", HEADER, rows))
    out = tmp_path / "out.xlsx"
    export_customers(owner_ctx, out, columns=["name", "phone", "level"], lang="en")
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["Name", "Phone", "Customer group"]
    assert sorted(values[1:], key=str) == [["Nguyễn Thị Hoa", "0939921717", "Khách sỉ"],
                                           ["Trần Văn Nam", "0912345678", None]]  # fmt: skip
    again = import_customers(owner_ctx, out, on_duplicate="update")
    assert (again.unchanged, again.updated, again.levels_created) == (2, 0, 0)


def test_a_group_code_is_made_free_from_its_name() -> None:
    assert level_code_for("Khách sỉ", set()) == "KHACH-SI"
    assert level_code_for("Khách sỉ", {"KHACH-SI"}) == "KHACH-SI-2"
    assert level_code_for("Đại lý cấp 1 khu vực miền Nam", set()) == "DAI-LY-CAP-1-KHU"
    assert level_code_for("***", set()) == "NHOM"
