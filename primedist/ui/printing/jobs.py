"""Printing orders end to end: documents from the orders, rendered by Qt, delivered to the
document type's printer (system queue, ESC/POS device) or to a PDF file.

`print_orders` is what the order detail, the orders list, the sale screen and the CLI
call (the UI runs it on a worker through `Op`). It takes a Progress: bulk printing
reports each order and stops between orders when cancelled. It opens the cash drawer only
when asked (the sale just made in cash): never for a reprint, a bulk print or the CLI.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from primedist.core.money import format_number
from primedist.domain.enums import Module
from primedist.jobs.progress import NullProgress, Progress
from primedist.printing import escpos, store
from primedist.printing.content import DocOptions, Payment, ShopDetails
from primedist.printing.documents import (
    SAMPLE_SHOP,
    Document,
    fill_order,
    order_documents,
    sample_detail,
)
from primedist.printing.end_of_day import end_of_day_document
from primedist.printing.errors import PrinterNotFound, PrintError
from primedist.printing.model import (
    DocumentType,
    Paper,
    PrintProfile,
    PrintTarget,
    TargetKind,
    template_for,
)
from primedist.services.context import ServiceContext
from primedist.services.end_of_day import EndOfDay
from primedist.services.till import TillCount
from primedist.ui.i18n import current_language
from primedist.ui.messages import localize
from primedist.ui.printing import render


class PartlyPrinted(PrintError):
    """Bulk printing, one job per order, stopped part way: the first orders were sent to
    the printer, `remaining` were not (Retry prints only those: no duplicate slips)."""

    def __init__(self, cause: PrintError, printed: int, remaining: Sequence[int]) -> None:
        lang = current_language()
        text = render.fill(
            render.translate("printing", "%1 of %2 printed. %3"),
            format_number(printed, lang), format_number(printed + len(remaining), lang),
            localize(cause.user_message),  # a printer's own words are a service message
        )  # fmt: skip
        super().__init__(text, printer=cause.printer, detail=cause.detail)
        self.printed = printed
        self.remaining = list(remaining)


@dataclass(frozen=True)
class PrintResult:
    """What was printed and where (for the status message)."""

    documents: int
    jobs: int
    where: str


def ensure_app() -> QGuiApplication:
    """A Qt application for headless rendering (the CLI, benchmarks): offscreen when no
    display is set up, and the running one when there is one."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["primedist"])
    assert isinstance(app, QGuiApplication)
    return app


def deliver(
    documents: Sequence[Document],
    target: PrintTarget,
    *,
    cut: bool = True,
    open_drawer: bool = False,
    job_name: str = "",
    since: float | None = None,
) -> str:
    """Send documents as one job; returns where they went. `since`: when a run of jobs
    began (see `render.check_printer`)."""
    if target.kind == TargetKind.SYSTEM:
        render.print_to_printer(documents, target.name, job_name=job_name, since=since)
        return target.name
    images = [escpos.to_1bit(render.qimage_to_pil(render.to_image(d))) for d in documents]
    escpos.send(target, escpos.raster_job(images, cut=cut, open_drawer=open_drawer))
    return target.describe()


def print_orders(
    ctx: ServiceContext,
    order_ids: Sequence[int],
    doc_type: DocumentType,
    *,
    template: str | None = None,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    lang: str = "vi",
    payment: Payment | None = None,
    one_job: bool = True,
    progress: Progress | None = None,
    open_drawer: bool = False,
) -> PrintResult:
    """Print orders with the document type's profile (template, paper, printer), or with
    the template/target/PDF given. One job for all, or one job per order: then a printer
    that stops part way raises PartlyPrinted (how many went, which did not).

    The cash drawer opens (with the first job) only when `open_drawer` is asked for and
    the profile kicks it: a reprint of an old bank-transfer or COD order must not open
    the till."""
    progress = progress or NullProgress()
    profile = resolve_profile(ctx, doc_type, template=template, target=target)
    profile = replace(profile, open_drawer=profile.open_drawer and open_drawer)
    started = time.time()  # this run's own jobs are not "waiting from earlier"
    total = len(order_ids)
    documents: list[Document] = []
    jobs = 0
    where = str(pdf) if pdf else profile.target.describe()
    for i, order_id in enumerate(order_ids):
        progress.check()
        documents += order_documents(
            ctx, [order_id], profile.template, lang=lang, paper=profile.paper, payment=payment
        )
        if not one_job and pdf is None:
            try:
                _deliver_profile(ctx, documents, profile, None, since=started)
            except PrintError as exc:
                if jobs == 0:
                    raise
                raise PartlyPrinted(exc, jobs, order_ids[i:]) from exc
            documents, jobs = [], jobs + 1
            profile = replace(profile, open_drawer=False)  # one kick, with the first
        progress.update((i + 1) / max(total, 1), f"{i + 1}/{total}")
    if documents:
        _deliver_profile(ctx, documents, profile, pdf, since=started)
        jobs += 1
    return PrintResult(total, jobs, where)


def _deliver_profile(ctx: ServiceContext, documents: list[Document], profile: PrintProfile,
                     pdf: Path | None, *, since: float | None = None) -> None:  # fmt: skip
    if pdf is not None:
        render.print_to_pdf(documents, pdf)
        return
    try:
        deliver(documents, profile.target, cut=profile.cut, open_drawer=profile.open_drawer,
                since=since)  # fmt: skip
    except PrinterNotFound as exc:
        if exc.printer or ctx.actor.can(Module.SETTINGS):
            raise
        # A cashier cannot open Settings: sent to the shop owner instead.
        raise PrinterNotFound(render.no_printer_text(may_choose=False)) from exc


def resolve_profile(
    ctx: ServiceContext,
    doc_type: DocumentType,
    *,
    template: str | None = None,
    target: PrintTarget | None = None,
) -> PrintProfile:
    """The stored profile, with a template of its document type (and its paper) or a
    target given instead."""
    profile = store.load_profile(ctx, doc_type)
    if template is not None and template != profile.template:
        spec = template_for(doc_type, template)
        profile = replace(profile, template=spec.name, paper=spec.paper)
    if target is not None:
        profile = replace(profile, target=target)
    return profile


def sample_document(
    template_html: str,
    doc_type: DocumentType,
    paper: Paper,
    lang: str = "vi",
    ctx: ServiceContext | None = None,
    *,
    shop: ShopDetails | None = None,
    options: DocOptions | None = None,
) -> Document:
    """The template filled with the sample order (previews and test pages): with `shop`,
    else the shop's stored details, else a sample shop; with `options` (the Options tab as
    shown), else the document type's stored ones."""
    if shop is None:
        shop = store.load_shop_details(ctx) if ctx is not None else SAMPLE_SHOP
    if not shop.name:
        shop = replace(shop, name=SAMPLE_SHOP.name)
    if options is None and ctx is not None:
        options = store.load_options(ctx, doc_type)
    return fill_order(
        sample_detail(lang), template_html, doc_type, shop=shop, lang=lang, paper=paper,
        payment=Payment(cash_received=200_000), ctx=ctx, options=options,
    )  # fmt: skip


def print_end_of_day(
    ctx: ServiceContext,
    report: EndOfDay,
    *,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    paper: Paper | None = None,
    lang: str = "vi",
    till: TillCount | None = None,
) -> PrintResult:
    """Print the end-of-day report (and a cash count) on the receipt's printer and paper
    (the till's), or on the target / into the PDF given."""
    document, profile = end_of_day_print(ctx, report, target=target, paper=paper, lang=lang,
                                         till=till)  # fmt: skip
    # The receipt's printer, never its cash drawer kick: this is not a sale.
    _deliver_profile(
        ctx, [document], replace(profile, paper=document.paper, open_drawer=False), pdf
    )
    return PrintResult(1, 1, str(pdf) if pdf else profile.target.describe())


def end_of_day_print(
    ctx: ServiceContext,
    report: EndOfDay,
    *,
    target: PrintTarget | None = None,
    paper: Paper | None = None,
    lang: str = "vi",
    till: TillCount | None = None,
) -> tuple[Document, PrintProfile]:
    """The end-of-day report as printed (its preview shows the same), and the receipt's
    profile it prints with."""
    profile = resolve_profile(ctx, DocumentType.RECEIPT, target=target)
    shop = store.load_shop_details(ctx)
    document = end_of_day_document(report, shop, lang=lang, paper=paper or profile.paper,
                                   till=till)  # fmt: skip
    return document, profile


def print_customer_payment(
    ctx: ServiceContext,
    payment_id: int,
    *,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    lang: str = "vi",
    open_drawer: bool = True,
) -> PrintResult:
    """Print a customer's payment receipt (phiếu thu) on the receipt's printer and paper
    (the till's), or on the target / into the PDF given; a cash payment opens the drawer
    when the receipt's printer does for a sale (never with `open_drawer=False`: the CLI's
    reprint)."""
    from primedist.domain.enums import PaymentMethod
    from primedist.printing.customer_payment import customer_payment_document
    from primedist.services import customer_account

    payment = customer_account.get_payment(ctx, payment_id)
    owed = customer_account.balance_after_payment(ctx, payment)  # a reprint: then, not now
    profile = resolve_profile(ctx, DocumentType.RECEIPT, target=target)
    document = customer_payment_document(
        payment, owed, store.load_shop_details(ctx), lang=lang, paper=profile.paper,
        printed_at=ctx.clock.now(),
    )  # fmt: skip
    drawer = open_drawer and profile.open_drawer and payment.method == PaymentMethod.CASH
    _deliver_profile(ctx, [document], replace(profile, open_drawer=drawer), pdf)
    return PrintResult(1, 1, str(pdf) if pdf else profile.target.describe())


def print_supplier_payment(
    ctx: ServiceContext,
    payment_id: int,
    *,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    lang: str = "vi",
    open_drawer: bool = False,
) -> PrintResult:
    """Print a payment to a supplier (phiếu chi) as a customer's payment receipt prints: on
    the receipt's printer and paper (the till's), or on the target / into the PDF given.
    The drawer stays shut unless asked (`open_drawer`) for a cash payment and the
    receipt's printer kicks it for a sale: a voucher is most often printed again later."""
    from primedist.domain.enums import PaymentMethod
    from primedist.printing.supplier_payment import supplier_payment_document
    from primedist.services import suppliers

    payment = suppliers.get_payment(ctx, payment_id)
    owed = suppliers.balance_after_payment(ctx, payment)  # a reprint: then, not now
    profile = resolve_profile(ctx, DocumentType.RECEIPT, target=target)
    document = supplier_payment_document(
        payment, owed, store.load_shop_details(ctx), lang=lang, paper=profile.paper,
        printed_at=ctx.clock.now(),
    )  # fmt: skip
    drawer = open_drawer and profile.open_drawer and payment.method == PaymentMethod.CASH
    _deliver_profile(ctx, [document], replace(profile, open_drawer=drawer), pdf)
    return PrintResult(1, 1, str(pdf) if pdf else profile.target.describe())


def print_goods_receipt(
    ctx: ServiceContext,
    receipt_id: int,
    *,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    lang: str = "vi",
) -> PrintResult:
    """Print a goods receipt (phiếu nhập kho) on the invoice's printer and paper (A4 or A5;
    A4 when the invoice is set to a roll), or on the target / into the PDF given."""
    from primedist.printing.goods_receipt import goods_receipt_document
    from primedist.services import goods_receipts

    receipt = goods_receipts.get_receipt(ctx, receipt_id)
    lines = goods_receipts.receipt_lines(ctx, receipt_id)
    return _print_goods_document(
        ctx, lambda paper: goods_receipt_document(receipt, lines, store.load_shop_details(ctx),
                                                  lang=lang, paper=paper),
        target, pdf,
    )  # fmt: skip


def print_supplier_return(
    ctx: ServiceContext,
    return_id: int,
    *,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    lang: str = "vi",
) -> PrintResult:
    """Print goods sent back to a supplier (phiếu trả hàng) as a goods receipt is printed."""
    from primedist.printing.supplier_return import supplier_return_document
    from primedist.services import supplier_returns

    back = supplier_returns.get_return(ctx, return_id)
    lines = supplier_returns.return_lines(ctx, return_id)
    return _print_goods_document(
        ctx, lambda paper: supplier_return_document(back, lines, store.load_shop_details(ctx),
                                                    lang=lang, paper=paper),
        target, pdf,
    )  # fmt: skip


def print_purchase_order(
    ctx: ServiceContext,
    order_id: int,
    *,
    target: PrintTarget | None = None,
    pdf: Path | None = None,
    lang: str = "vi",
) -> PrintResult:
    """Print a purchase order (đơn đặt hàng) for its supplier as a goods receipt is printed."""
    from primedist.printing.purchase_order import purchase_order_document
    from primedist.services import purchase_orders, suppliers

    order = purchase_orders.get_order(ctx, order_id)
    lines = purchase_orders.order_lines(ctx, order_id)
    s = suppliers.get_supplier(ctx, order.supplier_id)
    contact = " · ".join(part for part in (s.phone, s.address) if part)
    return _print_goods_document(
        ctx, lambda paper: purchase_order_document(order, lines, store.load_shop_details(ctx),
                                                   lang=lang, paper=paper, contact=contact),
        target, pdf,
    )  # fmt: skip


def _print_goods_document(
    ctx: ServiceContext, make: Callable[[Paper], Document], target: PrintTarget | None,
    pdf: Path | None,
) -> PrintResult:  # fmt: skip
    """On the invoice's printer and paper (A4 or A5; A4 when the invoice is set to a roll),
    or on the target / into the PDF given. Never on a thermal roll: their tables of goods
    and signatures are office paperwork, unreadable 72 mm wide."""
    profile = resolve_profile(ctx, DocumentType.INVOICE, target=target)
    if pdf is None and profile.target.kind != TargetKind.SYSTEM:
        if ctx.actor.can(Module.SETTINGS):
            why = render.translate(
                "printing",
                "Goods receipts, purchase orders and supplier returns print on A4 or A5 "
                "paper, and the invoice's printer is a thermal (ESC/POS) printer: choose a "
                "system printer for the invoice in Settings → Printers & templates, or use "
                "Save as PDF.",
            )
        else:  # Settings is not theirs to open
            why = render.translate(
                "printing",
                "Goods receipts, purchase orders and supplier returns print on A4 or A5 "
                "paper, and the invoice's printer is a thermal (ESC/POS) printer: ask the "
                "shop owner to choose a system printer for the invoice (Settings → Printers "
                "& templates), or use Save as PDF.",
            )
        raise PrintError(why, printer=profile.target.describe())
    paper = profile.paper if profile.paper in (Paper.A4, Paper.A5) else Paper.A4
    _deliver_profile(ctx, [make(paper)], replace(profile, paper=paper, open_drawer=False), pdf)
    return PrintResult(1, 1, str(pdf) if pdf else profile.target.describe())
