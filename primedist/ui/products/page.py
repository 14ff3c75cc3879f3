"""The Products tab: the product list, SKU groups, stock-take, purchase orders, goods
receipts and suppliers, and the dialogs they open.

`ProductListPage` only says what the user asked for (signals); this page opens the
editor, the stock dialogs, import and export, and refreshes the list after a change.
The other sub-pages are built the first time they are shown; a goods receipt saved (or
cancelled) refreshes the other pages built already (stock, what is owed and what orders
await changed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QDialog,
    QWidget,
)

from primedist.core.clock import shop_tz, to_local
from primedist.core.money import format_number
from primedist.services.context import ServiceContext
from primedist.ui.file_dialogs import PRODUCT_FILES, ask_open_file
from primedist.ui.i18n import current_language
from primedist.ui.import_report import ImportReportDialog
from primedist.ui.list_tools import ask_save_path, export_done_box
from primedist.ui.messages import localize
from primedist.ui.ops import Op
from primedist.ui.products.list_page import ProductListPage
from primedist.ui.sub_tabs import SubTabsPage

if TYPE_CHECKING:
    from primedist.ui.products.purchase_orders import PurchaseOrdersPage
    from primedist.ui.products.suppliers import SuppliersPage


def import_summary(report: Any) -> str:
    """The products import's one-line summary, in the UI language."""
    lang = current_language()
    text = QCoreApplication.translate(
        "ProductsPage",
        "Products in %1: %2 new, %3 updated, %4 unchanged, %5 rejected. "
        "Variants: %6 new, %7 updated. Stock changes: %8.",
    ).replace("%1", str(report.file))
    figures = (report.products_created, report.products_updated, report.products_unchanged,
               report.products_rejected, report.variants_created, report.variants_updated,
               report.stock_moves)  # fmt: skip
    for i, value in enumerate(figures, start=2):
        text = text.replace(f"%{i}", format_number(value, lang))
    return text


def ignored_columns_note(report: Any) -> str:
    """The columns of the file the import did not recognise (their cells were not read),
    in the UI language; "" when there are none."""
    ignored = getattr(report, "ignored_columns", None)
    if not ignored:
        return ""
    return QCoreApplication.translate(
        "ProductsPage", "Columns not recognised, ignored: %1"
    ).replace("%1", ", ".join(ignored))


def column_names() -> dict[str, str]:
    """The product file's columns by their header in the app's language (the report names
    a column its file headed by the template's key, as `discount_price`, by it too)."""
    from primedist.services.product_import import HEADERS

    vietnamese = current_language() == "vi"
    return {key: vi if vietnamese else en for key, (vi, en) in HEADERS.items()}


def import_notes(report: Any) -> str:
    """The columns not recognised, then the rows imported with a note (a product still
    listed on shops its `shops` cell left out), in the UI language; "" when none."""
    lines = [ignored_columns_note(report)] if getattr(report, "ignored_columns", None) else []
    for note in getattr(report, "notes", ()):
        text = QCoreApplication.translate("ProductsPage", "Row %1: %2")
        lines.append(text.replace("%1", str(note.row)).replace("%2", localize(note.reason)))
    return "\n".join(lines)


class ProductsPage(SubTabsPage):
    """Products | SKU groups | Stock-take | Purchase orders | Goods receipts | Suppliers."""

    #: The Purchase orders, Goods receipts and Suppliers sub-tabs.
    ORDERS, RECEIPTS, SUPPLIERS = 3, 4, 5

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__("products", ProductListPage(ctx), parent)
        self.ctx = ctx
        self.groups: QWidget | None = None
        self.stocktake: QWidget | None = None
        self.orders: PurchaseOrdersPage | None = None
        self.receipts: QWidget | None = None
        self.suppliers: SuppliersPage | None = None
        #: The goods receipt "Receive goods…" opened last.
        self.receipt_dialog: QDialog | None = None
        self.add_lazy(self._build_groups)
        self.add_lazy(self._build_stocktake)
        self.add_lazy(self._build_orders)
        self.add_lazy(self._build_receipts)
        self.add_lazy(self._build_suppliers)
        self.list.addRequested.connect(lambda: self.open_editor(None))
        self.list.editRequested.connect(self.open_editor)
        self.list.stockRequested.connect(self.open_stock)
        self.list.stockVariantRequested.connect(self.open_stock)
        self.list.receiveRequested.connect(self.receive_products)
        self.list.historyRequested.connect(self.open_history)
        self.list.labelsRequested.connect(self.open_labels)
        self.list.orderRequested.connect(self.order_products)
        self.list.pricesRequested.connect(self.open_prices)
        self.list.schedulesRequested.connect(self.open_schedules)
        self.list.exportRequested.connect(self.export)
        self.list.importRequested.connect(self.import_file)
        self.retranslate()

    # Sub-pages ----------------------------------------------------------------------------
    def _build_groups(self) -> QWidget:
        from primedist.ui.products.groups import SkuGroupsPage

        self.groups = SkuGroupsPage(self.ctx)
        return self.groups

    def _build_stocktake(self) -> QWidget:
        from primedist.ui.products.stocktake import StocktakePage

        self.stocktake = StocktakePage(self.ctx)
        return self.stocktake

    def _build_orders(self) -> QWidget:
        from primedist.ui.products.purchase_orders import PurchaseOrdersPage

        page = self.orders = PurchaseOrdersPage(self.ctx)
        page.labelsRequested.connect(lambda copies: self.open_labels([], copies, only=True))
        page.stockChanged.connect(self._stock_changed)
        return page

    def _build_receipts(self) -> QWidget:
        from primedist.ui.products.receipts import GoodsReceiptsPage

        page = GoodsReceiptsPage(self.ctx)
        page.labelsRequested.connect(lambda copies: self.open_labels([], copies, only=True))
        page.stockChanged.connect(self._stock_changed)
        page.orderRequested.connect(self.show_order)
        self.receipts = page
        return page

    def _build_suppliers(self) -> QWidget:
        from primedist.ui.products.suppliers import SuppliersPage

        self.suppliers = SuppliersPage(self.ctx)
        self.suppliers.receiveRequested.connect(self.receive_from)
        self.suppliers.orderRequested.connect(self.order_from)
        # A payment or a return cancelled there: owed, receipts, stock change elsewhere.
        self.suppliers.changed.connect(self._stock_changed)
        return self.suppliers

    def receive_from(self, supplier: str) -> QDialog:
        """The Goods receipts page, with a new receipt from `supplier` open."""
        from primedist.ui.products.receipts import GoodsReceiptsPage

        page = self.show_tab(self.RECEIPTS)
        assert isinstance(page, GoodsReceiptsPage)
        return page.new_receipt(supplier)

    def order_from(self, supplier: str) -> QDialog:
        """The Purchase orders page, with a new order to `supplier` open."""
        from primedist.ui.products.purchase_orders import PurchaseOrdersPage

        page = self.show_tab(self.ORDERS)
        assert isinstance(page, PurchaseOrdersPage)
        return page.new_order(supplier)

    def show_order(self, order_id: int, code: str) -> PurchaseOrdersPage:
        """The Purchase orders page, with the order `order_id` (`code`) found and selected."""
        from primedist.ui.products.purchase_orders import PurchaseOrdersPage

        page = self.show_tab(self.ORDERS)
        assert isinstance(page, PurchaseOrdersPage)
        page.show_order(order_id, code)
        return page

    def order_products(self, product_ids: list[int]) -> None:
        """The Purchase orders page, with a new order of those products opening."""
        from primedist.ui.products.purchase_orders import PurchaseOrdersPage

        page = self.show_tab(self.ORDERS)
        assert isinstance(page, PurchaseOrdersPage)
        page.order_products(product_ids)

    def receive_products(self, product_ids: list[int]) -> None:
        """The Goods receipts page with a new receipt of what of these products is low
        (as "Order…" suggests it: from the supplier that delivered them last, each up to
        twice its level); the owner types what really came."""
        from primedist.services.purchase_orders import products_to_order

        ctx = self.ctx
        Op(self, lambda _job: products_to_order(ctx, product_ids)).success(
            self._open_receipt).run()  # fmt: skip

    def _open_receipt(self, got: Any) -> None:
        from primedist.ui.products.receipts import GoodsReceiptsPage

        if not shiboken6.isValid(self):
            return
        page = self.show_tab(self.RECEIPTS)
        assert isinstance(page, GoodsReceiptsPage)
        dialog = self.receipt_dialog = page.new_receipt(got.supplier)
        dialog.prefill([(s.hit, s.quantity, s.unit_cost) for s in got.lines])

    def _stock_changed(self) -> None:
        """Goods came in (or went back, or a receipt was cancelled): the products' stock,
        what is owed to suppliers, the receipts and what orders still await changed; the
        pages built already read again."""
        self.list.refresh()
        for page in (self.orders, self.receipts, self.suppliers):
            if page is not None and shiboken6.isValid(page) and page is not self.sender():
                page.refresh()  # type: ignore[attr-defined]

    # Dialogs ------------------------------------------------------------------------------
    def open_editor(self, product_id: int | None) -> QDialog:
        from primedist.ui.products.editor import ProductEditor

        return self.open_dialog(ProductEditor(self.ctx, product_id, parent=self))

    def open_stock(self, product_id: int, variant_id: int | None = None) -> QDialog:
        """Stock in/out of a product, on `variant_id` (else its first variant)."""
        from primedist.ui.products.stock_dialogs import StockMoveDialog

        dialog = StockMoveDialog(self.ctx, product_id, parent=self, variant_id=variant_id)
        dialog.labelsRequested.connect(
            lambda pid, vid, copies: self.open_labels([pid], {vid: copies})
        )
        return self.open_dialog(dialog)

    def open_prices(self, product_ids: list[int]) -> QDialog:
        """Change the prices of these products' variants (the list refreshes after)."""
        from primedist.ui.products.price_dialog import PriceChangeDialog

        return self.open_dialog(PriceChangeDialog(self.ctx, product_ids, parent=self))

    def open_schedules(self) -> QDialog:
        """The scheduled price changes (waiting, running; finished on demand)."""
        from primedist.ui.products.price_schedules import PriceSchedulesDialog

        # Its New schedule… changes the products selected in the list.
        return self.open_dialog(PriceSchedulesDialog(self.ctx, parent=self,
                                                     product_ids=self.list.selected_ids()))

    def open_history(self, product_id: int) -> QDialog:
        from primedist.ui.products.stock_dialogs import StockHistoryDialog

        return self.open_dialog(StockHistoryDialog(self.ctx, product_id, parent=self))

    def open_labels(
        self, product_ids: list[int], copies: dict[int, int] | None = None, *, only: bool = False
    ) -> QDialog:
        """Print labels for the products' variants; with `copies` (variant id → copies)
        those at those copies, the others at 0 (or, `only`, left out)."""
        from primedist.ui.products.labels import LabelsDialog

        dialog = LabelsDialog(self.ctx, product_ids, parent=self, copies=copies, variants_only=only)
        return self.open_dialog(dialog)

    # Export and import --------------------------------------------------------------------
    def default_export_path(self) -> Path:
        """The export's folder and file name, in the UI's language as the template's."""
        name = "san-pham" if current_language() == "vi" else "products"
        day = to_local(self.ctx.clock.now(), shop_tz())
        return self.export_folder() / f"{name}-{day:%Y%m%d}.xlsx"

    def export_folder(self) -> Path:
        return self.ctx.settings.export_dir if self.ctx.settings else Path.home()

    def ask_export_path(self) -> Path | None:
        suggested = self.default_export_path()
        return ask_save_path(
            self, QCoreApplication.translate("ProductsPage", "Export products"),
            suggested.parent, suggested.name, self.ctx, purpose=PRODUCT_FILES,
        )  # fmt: skip

    def export(self, ids: object, target: Path | None = None) -> None:
        """Export the selected products (`ids`), or the list's filter and search (None)."""
        target = target or self.ask_export_path()
        if target is None:
            return
        from primedist.services.product_export import export_products

        ctx, lang = self.ctx, current_language()
        flt, search = self.list.current_filter(), self.list.search_text()
        keys = list(ids) if isinstance(ids, list | tuple) else None
        Op(
            self,
            lambda job: export_products(ctx, target, flt=flt, search=search, ids=keys,
                                        lang=lang, progress=job.progress),
            title=QCoreApplication.translate("ProductsPage", "Exporting products"),
        ).with_progress(beside=True).success(self._export_done).run()  # fmt: skip

    def _export_done(self, report: Any) -> None:
        if not shiboken6.isValid(self):
            return
        n = format_number(report.rows, current_language())
        text = (
            QCoreApplication.translate("ProductsPage", "%1 rows exported to %2.")
            .replace("%1", n)
            .replace("%2", str(report.path))
        )
        box = export_done_box(
            self,
            QCoreApplication.translate("ProductsPage", "Export finished"),
            text,
            QCoreApplication.translate("ProductsPage", "Open folder"),
            report.path,
        )
        self.last_dialog = box
        box.open()

    def import_file(self, source: Path | None = None) -> None:
        """Import products from an .xlsx/.csv file, then show what was imported/rejected."""
        if source is None:
            # Where the template or the export was saved (or the last import taken from).
            source = ask_open_file(
                self, self.ctx, PRODUCT_FILES,
                QCoreApplication.translate("ProductsPage", "Import products"),
                QCoreApplication.translate("ProductsPage", "Products file (*.xlsx *.csv *.txt)"),
                self.export_folder(),
            )  # fmt: skip
            if source is None:
                return
        from primedist.services.product_import import import_products

        ctx, file = self.ctx, source
        Op(
            self, lambda job: import_products(ctx, file, progress=job.progress),
            title=QCoreApplication.translate("ProductsPage", "Importing products"),
        ).with_progress().success(self._import_done).run()  # fmt: skip

    def _import_done(self, report: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.list.refresh()
        self.open_dialog(
            ImportReportDialog(import_summary(report), report.rejected, parent=self,
                               warning=import_notes(report), column_names=column_names())
        )  # fmt: skip

    # Language and shutdown ----------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        for i, text in enumerate(
            (
                QCoreApplication.translate("ProductsPage", "Products"),
                QCoreApplication.translate("ProductsPage", "SKU groups"),
                QCoreApplication.translate("ProductsPage", "Stock-take"),
                QCoreApplication.translate("ProductsPage", "Purchase orders"),
                QCoreApplication.translate("ProductsPage", "Goods receipts"),
                QCoreApplication.translate("ProductsPage", "Suppliers"),
            )
        ):
            self.tabs.setTabText(i, text)
