"""The Customers list driven like a user: search, filter chips, quick filters, sort, cells,
"select all N matching" with bulk tag / segment actions, and the signals to other dialogs,
on a real migrated database."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz
from primedist.core.search_keys import search_text
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerTag, Segment, SegmentMember, Tag
from primedist.domain.enums import Gender, Rank
from primedist.queries.customers import CustomerFilter
from primedist.services.context import ServiceContext
from primedist.services.segments import BulkResult
from primedist.ui.customers.list_page import CustomerListPage, FilterDialog
from tests.factories import make_customers, make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")
customers_t = table_of(Customer)
tags_t = table_of(Tag)
segments_t = table_of(Segment)
NOW = datetime.now(UTC)

#: name: (rank, gender, total orders, successful, expenses, channels, created days ago)
PEOPLE: dict[str, tuple[Any, ...]] = {
    "Nguyễn Thị Hoa": (Rank.GOLD, Gender.FEMALE, 8, 6, 4_000_000, "shopee", 0),
    "Đặng Văn Đạt": (Rank.COPPER, Gender.MALE, 2, 1, 300_000, "lazada", 400),
    "Trần Minh Khoa": (Rank.DIAMOND, Gender.MALE, 12, 12, 9_500_000, "shopee,tiki", 500),
    "Lê Thu Hà": (Rank.SILVER, Gender.FEMALE, 5, 2, 1_200_000, "offline", 600),
    "Phạm Lan": (Rank.COPPER, Gender.UNKNOWN, 0, 0, 0, "", 700),
}


#: Hoa's birthday is in this (shop-local) month; Khoa's in another.
THIS_MONTH = NOW.astimezone(shop_tz()).month
BIRTHDAYS = {"Nguyễn Thị Hoa": date(1990, THIS_MONTH, 1),
             "Trần Minh Khoa": date(1988, THIS_MONTH % 12 + 1, 1)}  # fmt: skip


@dataclass
class Data:
    engine: Engine
    ids: dict[str, int]
    shopee: int
    often: int
    potential: int
    vip: int

    def name_of(self, key: int) -> str:
        return {v: k for k, v in self.ids.items()}[key]

    def tags_of(self, name: str) -> set[int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table_of(CustomerTag).c.tag_id).where(
                    table_of(CustomerTag).c.customer_id == self.ids[name]
                )
            )
            return {int(r[0]) for r in rows}


def _tag(conn: sa.Connection, name: str) -> int:
    """The id of a tag (the default tags may be seeded already)."""
    found = conn.execute(sa.select(tags_t.c.id).where(tags_t.c.name == name)).scalar()
    if found is None:
        found = conn.execute(
            sa.insert(tags_t).values(name=name, created_at=NOW)
        ).inserted_primary_key[0]
    return int(found)


@pytest.fixture
def data(owner_ctx: ServiceContext) -> Data:
    engine = owner_ctx.engine
    shopee = make_shop(engine, "Prime Shopee", "shopee")
    names = list(PEOPLE)
    ids = dict(zip(names, make_customers(engine, len(names), names=names), strict=True))
    with engine.begin() as conn:
        for i, (name, row) in enumerate(PEOPLE.items()):
            rank, gender, total, ok, spent, channels, days = row
            code, phone = f"KH{ids[name]:06d}", f"09{i}1234567"
            conn.execute(
                sa.update(customers_t)
                .where(customers_t.c.id == ids[name])
                .values(
                    rank=rank, gender=gender, total_orders=total, successful_orders=ok,
                    cancelled_orders=total - ok, total_expenses=spent, channels=channels,
                    points_balance=i * 100, birthday=BIRTHDAYS.get(name),
                    points_earned=i * 150, created_at=NOW - timedelta(days=days, minutes=i),
                    last_order_at=NOW - timedelta(days=days + 1) if total else None,
                    email=f"p{i}@mail.vn",
                    search_text=search_text(name, code, f"p{i}@mail.vn", phones=[phone]),
                )
            )  # fmt: skip
            conn.execute(
                sa.text("UPDATE customer_phones SET phone = :p WHERE customer_id = :c"),
                {"p": phone, "c": ids[name]},
            )
        often, potential = (_tag(conn, n) for n in ("Often returns", "Potential"))
        vip = conn.execute(
            sa.insert(segments_t).values(name="VIP", created_at=NOW)
        ).inserted_primary_key[0]
        conn.execute(
            sa.insert(table_of(CustomerTag)),
            [{"customer_id": ids["Lê Thu Hà"], "tag_id": often}],
        )
        conn.execute(
            sa.insert(table_of(SegmentMember)),
            [{"customer_id": ids["Trần Minh Khoa"], "segment_id": vip, "added_at": NOW}],
        )
    make_orders(engine, shopee, 1, start=NOW, step=timedelta(hours=1),
                customer_ids=[ids["Nguyễn Thị Hoa"]])  # fmt: skip
    return Data(engine, ids, shopee, int(often), int(potential), int(vip))


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, data: Data) -> Iterator[CustomerListPage]:
    p = show_widget(qtbot, CustomerListPage(owner_ctx))
    yield p
    close_page(qtbot, p)


def names(page: CustomerListPage) -> list[str]:
    page.model.load_all_keys()
    col = page.model.col["name"]
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


def cell(page: CustomerListPage, name: str, key: str, role: int = Qt.ItemDataRole.DisplayRole):
    row = names(page).index(name)
    return page.model.data(page.model.index(row, page.model.col[key]), role)


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


ALL = set(PEOPLE)


def test_lists_everyone_latest_buyers_first_with_the_count(page: CustomerListPage) -> None:
    # The latest purchase first, those who never bought last (Lan).
    assert names(page) == list(PEOPLE)
    header = page.view.horizontalHeader()
    assert header.sortIndicatorSection() == page.model.col["last_order_at"]
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert page.count.text() == "5 customers"
    assert not page.chips.isVisible()


def test_cells(page: CustomerListPage) -> None:
    assert cell(page, "Nguyễn Thị Hoa", "success_rate") == "75%"
    # Figures line up on the right, the rate too (it sat on the left of its column).
    for key in ("success_rate", "total_orders", "total_expenses"):
        align = cell(page, "Nguyễn Thị Hoa", key, Qt.ItemDataRole.TextAlignmentRole)
        assert align & int(Qt.AlignmentFlag.AlignRight), key
    assert cell(page, "Phạm Lan", "success_rate") == ""
    header_tip = page.model.headerData(
        page.model.col["success_rate"], Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "finished orders" in header_tip
    assert cell(page, "Đặng Văn Đạt", "points") == "100 / 150"
    assert cell(page, "Nguyễn Thị Hoa", "birthday") == f"01/{THIS_MONTH:02d}/1990"
    assert cell(page, "Đặng Văn Đạt", "birthday") == ""
    assert cell(page, "Đặng Văn Đạt", "phone") == "0911 234 567"
    assert cell(page, "Lê Thu Hà", "tags") == "Often returns"
    assert cell(page, "Trần Minh Khoa", "segments") == "VIP"
    assert cell(page, "Trần Minh Khoa", "rank") == "Diamond"
    assert cell(page, "Trần Minh Khoa", "channels") == ""
    icon = cell(page, "Trần Minh Khoa", "channels", Qt.ItemDataRole.DecorationRole)
    assert icon is not None and not icon.isNull()
    assert cell(page, "Trần Minh Khoa", "channels", Qt.ItemDataRole.ToolTipRole) == "Shopee, Tiki"
    assert cell(page, "Phạm Lan", "channels", Qt.ItemDataRole.DecorationRole) is None


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("dang van dat", "Đặng Văn Đạt"),
        ("HOA", "Nguyễn Thị Hoa"),
        ("+84 911 234 567", "Đặng Văn Đạt"),
        ("0911234567", "Đặng Văn Đạt"),
        ("p3@mail.vn", "Lê Thu Hà"),
    ],
)
def test_search(qtbot, page: CustomerListPage, text: str, who: str) -> None:
    page.search_for(text)
    qtbot.waitUntil(lambda: not page.model.busy, timeout=WAIT)
    assert names(page) == [who]
    assert page.search_text() == text
    assert page.count.text() == "1 customer"


def test_search_by_code_typed_in_the_box(qtbot, page: CustomerListPage, data: Data) -> None:
    code = f"kh{data.ids['Phạm Lan']:06d}"
    qtbot.keyClicks(page.search, code)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: names(page) == ["Phạm Lan"], timeout=WAIT)


def _apply(qtbot, dialog: FilterDialog) -> None:
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))


def test_chip_add_edit_remove_and_clear_all(qtbot, page: CustomerListPage) -> None:
    page.filter_actions["expenses"].trigger()
    dialog = page.filter_dialog
    assert dialog is not None and dialog.objectName() == "customerFilter_expenses"
    dialog.min_edit.setText("1000000")
    _apply(qtbot, dialog)
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa", "Lê Thu Hà"}
    chip = page.chip("expenses")
    assert chip is not None and chip.text.text().startswith("Total spent: from 1,000,000")
    # Edit: click the chip, narrow it.
    click(qtbot, chip.text)
    dialog = page.filter_dialog
    assert dialog.min_edit.text().startswith("1,000,000")
    dialog.max_edit.setText("5000000")
    _apply(qtbot, dialog)
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Lê Thu Hà"}
    # A second chip: rank.
    page.filter_actions["rank"].trigger()
    dialog = page.filter_dialog
    for i in range(dialog.list.count()):
        item = dialog.list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == Rank.GOLD:
            item.setCheckState(Qt.CheckState.Checked)
    _apply(qtbot, dialog)
    assert names(page) == ["Nguyễn Thị Hoa"]
    assert page.chip("rank").text.text() == "Rank: Gold"
    # × on the expenses chip.
    click(qtbot, page.chip("expenses").remove)
    assert page.chip("expenses") is None
    assert names(page) == ["Nguyễn Thị Hoa"]
    assert page.current_filter() == CustomerFilter(ranks=(Rank.GOLD,))
    click(qtbot, page.clear_filters)
    assert page.current_filter() == CustomerFilter()
    assert set(names(page)) == ALL and not page.chips.isVisible()


def test_bad_range_says_why_and_keeps_the_dialog(qtbot, page: CustomerListPage) -> None:
    page.filter_actions["success_rate"].trigger()
    dialog = page.filter_dialog
    dialog.min_edit.setText("150")
    _apply(qtbot, dialog)
    assert dialog.isVisible() and "0 to 100" in dialog.error.text()
    dialog.min_edit.setText("70")
    _apply(qtbot, dialog)
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa"}
    assert page.chip("success_rate").text.text() == "Success rate: from 70%"


def test_tag_segment_shop_and_date_chips(qtbot, page: CustomerListPage, data: Data) -> None:
    assert [label for _g, label in page._choices("gender")] == [
        "Not given", "Female", "Male", "Other"]  # words, not the stored values
    page.set_filter(CustomerFilter(genders=(Gender.FEMALE, Gender.UNKNOWN)))
    assert page.chip("gender").text.text() == "Gender: Female, Not given"
    page.set_filter(CustomerFilter(tag_ids=(data.often,)))
    assert names(page) == ["Lê Thu Hà"]
    assert page.chip("tag").text.text() == "Tag: Often returns"
    page.set_filter(CustomerFilter(segment_ids=(data.vip,)))
    assert names(page) == ["Trần Minh Khoa"] and page.chip("segment").text.text() == "Segment: VIP"
    page.set_filter(CustomerFilter(shop_ids=(data.shopee,)))
    assert names(page) == ["Nguyễn Thị Hoa"] and page.chip("shop").text.text() == (
        "Shop: Prime Shopee"
    )
    page.set_filter(CustomerFilter())
    page.filter_actions["created"].trigger()
    dialog = page.filter_dialog
    dialog.date_checks[0].setChecked(True)
    dialog.date_edits[0].setDate(QDate.currentDate().addDays(-450))
    _apply(qtbot, dialog)
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Đặng Văn Đạt"}
    assert page.chip("created").text.text().startswith("Created: from ")


def test_quick_filters(qtbot, page: CustomerListPage) -> None:
    five = page.quick_buttons["five_plus_orders"]
    click(qtbot, five)
    assert five.isChecked() and page.current_filter().five_plus_orders
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa", "Lê Thu Hà"}
    click(qtbot, page.quick_buttons["female"])
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Lê Thu Hà"}
    click(qtbot, page.quick_buttons["often_returns"])
    assert names(page) == ["Lê Thu Hà"]
    click(qtbot, page.quick_buttons["often_returns"])
    click(qtbot, page.quick_buttons["female"])
    click(qtbot, page.quick_buttons["gold_and_above"])
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa"}
    click(qtbot, five)
    click(qtbot, page.quick_buttons["gold_and_above"])
    click(qtbot, page.quick_buttons["created_this_month"])
    assert names(page) == ["Nguyễn Thị Hoa"]
    click(qtbot, page.quick_buttons["created_this_month"])
    birthdays = page.quick_buttons["birthday_this_month"]
    assert birthdays.text() == "Birthday this month"
    click(qtbot, birthdays)
    assert names(page) == ["Nguyễn Thị Hoa"] and page.current_filter().birthday_this_month
    click(qtbot, birthdays)
    click(qtbot, page.quick_buttons["created_this_month"])
    # "Clear all" (shown with a chip) turns the quick filters off too.
    page.set_filter(CustomerFilter(created_this_month=True, genders=(Gender.FEMALE,)))
    click(qtbot, page.clear_filters)
    assert not page.quick_buttons["created_this_month"].isChecked()
    assert set(names(page)) == ALL


def test_sort_by_header(qtbot, page: CustomerListPage) -> None:
    header = page.view.horizontalHeader()
    column = page.model.col["total_expenses"]
    header.setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    assert names(page)[:2] == ["Trần Minh Khoa", "Nguyễn Thị Hoa"]
    header.setSortIndicator(column, Qt.SortOrder.AscendingOrder)
    assert names(page)[0] == "Phạm Lan"
    # A filter keeps the sort.
    page.set_filter(CustomerFilter(female=True))
    assert names(page) == ["Lê Thu Hà", "Nguyễn Thị Hoa"]


@pytest.fixture
def pickers(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """ui.customers.segments' pickers replaced: they answer `answer[...]` and count calls."""
    answer: dict[str, Any] = {"segment": None, "tag": None, "calls": 0}

    def pick(kind: str):
        def fn(_parent, _ctx) -> int | None:
            answer["calls"] += 1
            return answer[kind]

        return fn

    import primedist.ui.customers as pkg

    module = sys.modules.get("primedist.ui.customers.segments")
    if module is None:
        module = types.ModuleType("primedist.ui.customers.segments")
        monkeypatch.setitem(sys.modules, "primedist.ui.customers.segments", module)
        monkeypatch.setattr(pkg, "segments", module, raising=False)
    monkeypatch.setattr(module, "pick_segment", pick("segment"), raising=False)
    monkeypatch.setattr(module, "pick_tag", pick("tag"), raising=False)
    return answer


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch, data: Data) -> list[tuple[str, int, list[int]]]:
    """The segment and tag services (C4's) recorded, and applied with plain SQL when they
    are not there yet."""
    import importlib

    calls: list[tuple[str, int, list[int]]] = []

    def recorder(name: str, table: Any, column: str, add: bool):
        def fn(_ctx, target: int, ids: list[int]) -> BulkResult:
            calls.append((name, target, list(ids)))
            with data.engine.begin() as conn:
                had = conn.execute(
                    sa.delete(table).where(
                        table.c[column] == target, table.c.customer_id.in_(list(ids))
                    )
                ).rowcount
                if add:
                    extra = {"added_at": NOW} if "added_at" in table.c else {}
                    conn.execute(
                        sa.insert(table),
                        [{column: target, "customer_id": i, **extra} for i in ids],
                    )
            return BulkResult(len(ids) - had, had) if add else BulkResult(had, len(ids) - had)

        return fn

    ct, sm = table_of(CustomerTag), table_of(SegmentMember)
    for mod_name, fns in (
        ("primedist.services.tags", {
            "tag_customers": recorder("tag", ct, "tag_id", True),
            "untag_customers": recorder("untag", ct, "tag_id", False),
        }),
        ("primedist.services.segments", {
            "add_to_segment": recorder("add", sm, "segment_id", True),
            "remove_from_segment": recorder("remove", sm, "segment_id", False),
        }),
    ):  # fmt: skip
        try:
            module = importlib.import_module(mod_name)
        except ImportError:
            module = types.ModuleType(mod_name)
            monkeypatch.setitem(sys.modules, mod_name, module)
            import primedist.services as services_pkg

            monkeypatch.setattr(services_pkg, mod_name.rsplit(".", 1)[1], module, raising=False)
        for fn_name, fn in fns.items():
            monkeypatch.setattr(module, fn_name, fn, raising=False)
    return calls


def test_select_all_matching_then_bulk_tag(
    qtbot, page: CustomerListPage, data: Data, pickers, services
) -> None:
    page.model.FIRST_CHUNK = 2  # the keys of a page alone are loaded at first
    page.set_filter(CustomerFilter(genders=(Gender.MALE, Gender.FEMALE)))
    assert page.model.rowCount() == 4
    assert not page.tag_button.isEnabled()
    page.view.selectRow(0)
    assert page.selection_label.text() == "1 selected"
    assert page.select_all_button.isVisible()
    assert page.select_all_button.text() == "Select all 4 matching"
    assert not page.all_matching_selected()
    click(qtbot, page.select_all_button)
    assert page.all_matching_selected()
    assert page.selection_label.text() == "All 4 matching customers are selected."
    assert not page.select_all_button.isVisible()
    matching = page.matching_ids()
    assert {data.name_of(k) for k in matching} == ALL - {"Phạm Lan"}
    # Tag… with the picker answering "Potential".
    pickers["tag"] = data.potential
    click(qtbot, page.tag_button)
    qtbot.waitUntil(lambda: page.message_bar.isVisible(), timeout=WAIT)
    assert services == [("tag", data.potential, matching)]
    assert page.message.text() == "4 customers tagged"
    assert data.potential in data.tags_of("Đặng Văn Đạt")
    assert data.potential not in data.tags_of("Phạm Lan")
    qtbot.waitUntil(lambda: cell(page, "Đặng Văn Đạt", "tags") == "Potential", timeout=WAIT)
    # Export of "all matching" = the current filter (None), not a list of ids.
    with qtbot.waitSignal(page.exportRequested) as sig:
        click(qtbot, page.export_button)
    assert sig.args == [None]


def test_bulk_segment_on_the_selected_rows(
    qtbot, page: CustomerListPage, data: Data, pickers, services
) -> None:
    rows = [names(page).index(n) for n in ("Nguyễn Thị Hoa", "Phạm Lan")]
    for r in rows:
        page.view.selectionModel().select(
            page.model.index(r, 0),
            page.view.selectionModel().SelectionFlag.Select
            | page.view.selectionModel().SelectionFlag.Rows,
        )
    assert page.selection_label.text() == "2 selected"
    # The picker cancelled: nothing happens.
    click(qtbot, page.add_segment_button)
    assert pickers["calls"] == 1 and services == []
    pickers["segment"] = data.vip
    click(qtbot, page.add_segment_button)
    qtbot.waitUntil(lambda: page.message_bar.isVisible(), timeout=WAIT)
    assert page.message.text() == "2 customers added to the segment"
    ids = [data.ids["Nguyễn Thị Hoa"], data.ids["Phạm Lan"]]
    assert services == [("add", data.vip, ids)]
    page.set_filter(CustomerFilter(segment_ids=(data.vip,)))
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Phạm Lan", "Trần Minh Khoa"}
    # Remove one of them again.
    page.view.selectRow(names(page).index("Phạm Lan"))
    click(qtbot, page.remove_segment_button)
    qtbot.waitUntil(lambda: "removed" in page.message.text(), timeout=WAIT)
    assert services[-1] == ("remove", data.vip, [data.ids["Phạm Lan"]])
    assert set(names(page)) == {"Nguyễn Thị Hoa", "Trần Minh Khoa"}
    # Export of a selection = the selected ids.
    page.view.selectRow(names(page).index("Trần Minh Khoa"))
    with qtbot.waitSignal(page.exportRequested) as sig:
        click(qtbot, page.export_button)
    assert sig.args == [[data.ids["Trần Minh Khoa"]]]


def test_bulk_reports_count_every_customer_chosen(
    qtbot, page: CustomerListPage, data: Data, pickers
) -> None:
    """The real services: the message adds up to the customers chosen, also when some had
    the tag or membership already (it said "4 customers tagged" of 5 chosen)."""
    page.view.selectAll()  # the five; Lê Thu Hà has "Often returns", Khoa is in VIP
    pickers["tag"] = data.often
    click(qtbot, page.tag_button)
    qtbot.waitUntil(lambda: "tagged" in page.message.text(), timeout=WAIT)
    assert page.message.text() == "5 customers tagged (1 already had the tag)"
    assert all(data.often in data.tags_of(n) for n in data.ids)
    pickers["segment"] = data.vip
    click(qtbot, page.remove_segment_button)
    qtbot.waitUntil(lambda: "removed" in page.message.text(), timeout=WAIT)
    assert page.message.text() == "1 customer removed from the segment (4 were not in it)"
    page.view.selectRow(names(page).index("Phạm Lan"))
    click(qtbot, page.add_segment_button)
    qtbot.waitUntil(lambda: "added" in page.message.text(), timeout=WAIT)
    assert page.message.text() == "1 customer added to the segment"
    page.view.selectAll()
    click(qtbot, page.add_segment_button)
    qtbot.waitUntil(lambda: "5 customers added" in page.message.text(), timeout=WAIT)
    assert page.message.text() == "5 customers added to the segment (1 was in it already)"
    page.view.selectRow(names(page).index("Đặng Văn Đạt"))
    click(qtbot, page.untag_button)
    qtbot.waitUntil(lambda: "untagged" in page.message.text(), timeout=WAIT)
    assert page.message.text() == "1 customer untagged"


def test_signals(qtbot, page: CustomerListPage, data: Data) -> None:
    row = names(page).index("Lê Thu Hà")
    index = page.model.index(row, page.model.col["name"])
    rect = page.view.visualRect(index)
    with qtbot.waitSignal(page.openRequested) as sig:
        qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [data.ids["Lê Thu Hà"]]
    menu = page.build_context_menu(data.ids["Lê Thu Hà"])
    with qtbot.waitSignal(page.createOrderRequested) as sig:
        menu.actions()[1].trigger()
    assert sig.args == [data.ids["Lê Thu Hà"]]
    with qtbot.waitSignal(page.addRequested):
        click(qtbot, page.add_button)
    with qtbot.waitSignal(page.importRequested):
        click(qtbot, page.import_button)
    page.view.clearSelection()
    with qtbot.waitSignal(page.exportRequested) as sig:
        click(qtbot, page.export_button)
    assert sig.args == [None]


@pytest.mark.usefixtures("app_style")
def test_every_column_title_shows_whole(qtbot, owner_ctx: ServiceContext, data: Data) -> None:
    from primedist.ui.i18n import install_language

    page = show_widget(qtbot, CustomerListPage(owner_ctx))
    view, header = page.view, page.view.horizontalHeader()

    def clipped() -> list[int]:
        return [i for i in range(header.count()) if not header.isSectionHidden(i)
                and view.columnWidth(i) < header.sectionSizeHint(i)]  # fmt: skip

    try:
        for lang in ("en", "vi"):
            install_language(lang)  # the (posted) LanguageChange event retitles the columns
            qtbot.waitUntil(lambda: clipped() == [], timeout=2000)
    finally:
        install_language("en")
        close_page(qtbot, page)


def test_bulk_set_group_with_the_group_picker(
    qtbot, monkeypatch: pytest.MonkeyPatch, page: CustomerListPage, data: Data,
    owner_ctx: ServiceContext,
) -> None:  # fmt: skip
    from primedist.services.loyalty import levels
    from primedist.ui.customers.loyalty_panel import LevelPickDialog

    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    levels.save_level(owner_ctx, name="VIP", code="VIP", upgrade_threshold=5_000_000)
    seen: list[list[str]] = []

    def answer(wanted: str | None):
        def exec_(dialog: LevelPickDialog) -> int:
            from PySide6.QtWidgets import QLabel

            box = dialog.box
            seen.append([dialog.findChildren(QLabel)[0].text(),
                         *(box.itemText(i) for i in range(box.count()))])  # fmt: skip
            if wanted is None:
                return 0  # Cancel
            box.setCurrentIndex(box.findText(wanted))
            return 1

        return exec_

    chosen = ("Nguyễn Thị Hoa", "Lê Thu Hà")
    for name in chosen:
        page.view.selectionModel().select(
            page.model.index(names(page).index(name), 0),
            page.view.selectionModel().SelectionFlag.Select
            | page.view.selectionModel().SelectionFlag.Rows,
        )
    assert page.level_button.isEnabled() and page.level_button.text() == "Set group…"
    monkeypatch.setattr(LevelPickDialog, "exec", answer(None))
    click(qtbot, page.level_button)
    assert seen == [["Put the 2 chosen customers in the group:", "No group", "Khách sỉ (SI)",
                     "VIP"]]  # fmt: skip
    monkeypatch.setattr(LevelPickDialog, "exec", answer("Khách sỉ (SI)"))
    click(qtbot, page.level_button)
    qtbot.waitUntil(lambda: page.message_bar.isVisible(), timeout=WAIT)
    assert page.message.text() == "2 customers moved to that group"

    def level_of(name: str) -> tuple[int | None, bool]:
        with data.engine.connect() as conn:
            row = conn.execute(
                sa.select(customers_t.c.level_id, customers_t.c.level_pinned)
                .where(customers_t.c.id == data.ids[name])
            ).one()  # fmt: skip
        return row[0], bool(row[1])

    assert [level_of(n) for n in chosen] == [(wholesale, True)] * 2
    assert level_of("Phạm Lan") == (None, False)
    # The group column shows it, and the group filter finds them (or those in no group).
    qtbot.waitUntil(lambda: cell(page, "Lê Thu Hà", "level") == "Khách sỉ", timeout=WAIT)
    assert cell(page, "Phạm Lan", "level") in ("", None)
    page.view.clearSelection()
    page.filter_actions["level"].trigger()
    dialog = page.filter_dialog
    lst = dialog.list
    shown = [lst.item(i).text() for i in range(lst.count())]
    assert shown == ["No group", "Khách sỉ (SI)", "VIP"]  # the code only when it says more
    lst.item(1).setCheckState(Qt.CheckState.Checked)
    _apply(qtbot, dialog)
    assert set(names(page)) == set(chosen)
    assert page.chip("level").text.text() == "Group: Khách sỉ (SI)"
    page.set_filter(CustomerFilter(level_ids=(0,)))
    assert set(names(page)) == ALL - set(chosen)
    assert page.chip("level").text.text() == "Group: No group"


def test_delete_asks_then_deletes_and_keeps_a_debtor(
    qtbot, monkeypatch: pytest.MonkeyPatch, page: CustomerListPage, data: Data,
    owner_ctx: ServiceContext,
) -> None:  # fmt: skip
    from PySide6.QtWidgets import QMessageBox

    from primedist.services.customer_account import adjust_balance

    adjust_balance(owner_ctx, data.ids["Lê Thu Hà"], 120_000, "nợ cũ")
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(_parent, _title, text, *_a):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    for name in ("Lê Thu Hà", "Phạm Lan"):
        page.view.selectionModel().select(
            page.model.index(names(page).index(name), 0),
            page.view.selectionModel().SelectionFlag.Select
            | page.view.selectionModel().SelectionFlag.Rows,
        )
    assert page.delete_button.isVisible() and page.delete_button.isEnabled()
    click(qtbot, page.delete_button)  # "No": nothing happens
    assert asked[0].startswith("Delete 2 customers?") and set(names(page)) == ALL
    answer[0] = QMessageBox.StandardButton.Yes
    click(qtbot, page.delete_button)
    qtbot.waitUntil(lambda: page.message_bar.isVisible(), timeout=WAIT)
    code = f"KH{data.ids['Lê Thu Hà']:06d}"
    assert page.message.text() == (
        f"1 customer deleted; kept because they still owe money: {code} Lê Thu Hà."
    )
    assert set(names(page)) == ALL - {"Phạm Lan"}
    # The row menu deletes one customer too.
    menu = page.build_context_menu(data.ids["Đặng Văn Đạt"])
    menu.actions()[-1].trigger()
    qtbot.waitUntil(lambda: page.message.text() == "1 customer deleted.", timeout=WAIT)
    assert set(names(page)) == ALL - {"Phạm Lan", "Đặng Văn Đạt"}


def test_staff_cannot_delete_customers(qtbot, owner_ctx: ServiceContext, data: Data) -> None:
    from primedist.domain.enums import Module, Role
    from primedist.services.context import Actor

    staff = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.CUSTOMERS}))
    )
    page = show_widget(qtbot, CustomerListPage(staff))
    try:
        assert not page.delete_button.isVisible()
        menu = page.build_context_menu(data.ids["Phạm Lan"])
        assert [a.text() for a in menu.actions()] == ["Open…", "Create order…"]
    finally:
        close_page(qtbot, page)
