# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""The carriers' labels of many orders as one PDF, against the carrier sandbox (real HTTP,
a real migrated database): one page a label in the order of the list, read back with
poppler; the orders without a label named with why, the others in all the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from primedist.carriers.base import LabelDocument
from primedist.domain.enums import Module, Role
from primedist.errors import Cancelled, PermissionDenied
from primedist.jobs.progress import JobProgress
from primedist.sandbox.carriers import CarrierFault, CarrierSandbox
from primedist.services import shipping as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.shipping_labels import merged_labels
from tests.factories import make_orders, make_shop
from tests.printing.support import pdf_pages_mm, pdf_text
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import FAST, draft, fast_factory, ghn_id, sandbox  # noqa: F401


def ship(ctx: ServiceContext, account: int) -> int:
    """A phone order with its shipment queued (sent by `deliver_carrier_outbox`)."""
    order_id = order_to(ctx, ctx.engine, province="Hồ Chí Minh", ward="Phường Bến Nghé")
    svc.request_shipment(ctx, order_id, draft(ctx, order_id, account))
    return order_id


def number(ctx: ServiceContext, order_id: int) -> str:
    with ctx.engine.connect() as conn:
        return conn.execute(sa.text("SELECT external_id FROM orders WHERE id = :i"),
                            {"i": order_id}).scalar_one()  # fmt: skip


def code(ctx: ServiceContext, order_id: int) -> str:
    return svc.order_shipments(ctx, order_id)[0].carrier_order_code or ""


def test_one_pdf_in_the_lists_order_and_the_orders_left_out_named(
    owner_ctx, sandbox: CarrierSandbox, ghn_id, fast_factory, tmp_path
):
    ctx = owner_ctx
    a, b, c = (ship(ctx, ghn_id) for _ in range(3))
    svc.deliver_carrier_outbox(ctx, factory=fast_factory)
    waiting = ship(ctx, ghn_id)  # queued after the others were sent: not with the carrier yet
    not_shipped = order_to(ctx, ctx.engine, province="Hà Nội", ward="Phường Kim Mã")
    shop = make_shop(ctx.engine, "Shopee Mall", "shopee")
    (market,) = make_orders(ctx.engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                            step=timedelta(0))  # fmt: skip
    # a's and c's labels were fetched before (printed one by one); then the carrier fails.
    for order_id in (a, c):
        svc.label_file(ctx, svc.order_shipments(ctx, order_id)[0].id, factory=fast_factory)
    sandbox.inject(CarrierFault.HTTP_500, count=50, path="a5/gen-token")

    chosen = [c, not_shipped, a, b, market, waiting, 987_654]
    target = tmp_path / "nhan.pdf"
    result = merged_labels(ctx, chosen, target, factory=fast_factory)

    assert result.path == target and (result.labels, result.pages) == (2, 2)
    assert len(pdf_pages_mm(target)) == 2
    text = pdf_text(target)
    assert text.index(code(ctx, c)) < text.index(code(ctx, a))  # the list's order
    assert code(ctx, b) not in text
    left = [(item.order_id, item.number) for item in result.left_out]
    assert left == [(not_shipped, number(ctx, not_shipped)), (b, number(ctx, b)),
                    (market, number(ctx, market)), (waiting, number(ctx, waiting)),
                    (987_654, "987654")]  # fmt: skip
    reasons = [item.reason for item in result.left_out]
    assert reasons[0] == "It has no shipment with a carrier: ship it first."
    assert reasons[1].startswith("The carrier did not give its label: ") and "500" in reasons[1]
    assert reasons[2] == ("It ships with its marketplace's logistics: its label is printed "
                          "from the marketplace.")  # fmt: skip
    assert reasons[3].startswith("Its shipment is not with the carrier yet")
    assert reasons[4] == "The order no longer exists."

    # The carrier is back: b's label is fetched and printed with the others.
    sandbox.clear_faults()
    again = merged_labels(ctx, [a, b, c], target, factory=fast_factory)
    assert (again.labels, again.pages, again.left_out) == (3, 3, ())
    text = pdf_text(target)
    assert text.index(code(ctx, a)) < text.index(code(ctx, b)) < text.index(code(ctx, c))


def test_nothing_to_print_writes_nothing(owner_ctx, ghn_id, fast_factory, tmp_path):
    order_id = order_to(owner_ctx, owner_ctx.engine, province="Hà Nội", ward="Phường Kim Mã")
    target = tmp_path / "none.pdf"
    result = merged_labels(owner_ctx, [order_id], target, factory=fast_factory)
    assert result.path is None and result.labels == 0 and len(result.left_out) == 1
    assert not target.exists()


def test_a_label_the_carrier_gives_as_a_web_page_is_named(owner_ctx, ghn_id, fast_factory,
                                                          tmp_path):  # fmt: skip
    order_id = ship(owner_ctx, ghn_id)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)

    def html_pages(ctx: ServiceContext, account_id: int) -> svc.Carrier:
        client = svc.carrier_for(ctx, account_id, FAST)
        # Live GHN's print page is HTML (the sandbox serves a PDF).
        client.label = lambda _code: LabelDocument(b"<html>GHN</html>", "text/html")  # type: ignore[method-assign]
        return client

    result = merged_labels(owner_ctx, [order_id], tmp_path / "x.pdf", factory=html_pages)
    [left] = result.left_out
    assert left.reason.startswith("The carrier gives this label as a web page, not a PDF")


def test_cancel_writes_nothing(owner_ctx, ghn_id, fast_factory, tmp_path):
    order_id = ship(owner_ctx, ghn_id)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    progress = JobProgress()
    progress.cancel()
    target = tmp_path / "cancelled.pdf"
    with pytest.raises(Cancelled):
        merged_labels(owner_ctx, [order_id], target, factory=fast_factory, progress=progress)
    assert not target.exists()


def test_needs_orders_access(owner_ctx, tmp_path):
    staff = owner_ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                                       modules=frozenset({Module.PRODUCTS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        merged_labels(staff, [1], tmp_path / "x.pdf")
