"""A staff member without the right "Refunds and returns": the order detail greys out
Return…, Exchange… and the Cancel of a paid order, each saying who may; the sale screen's
Exchange… (F8) too, and F8 does nothing; the Cancel of an unpaid order stays. With the
right (given while the window is open) Return… is back. Taking the right away signs the
person out, as taking a module does. Real widgets on a real migrated store."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.config import Settings
from primedist.domain.enums import Module, OrderSource, PaymentMethod, Role
from primedist.domain.user import User
from primedist.services import auth, staff
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.app import GuiSession
from primedist.ui.main_window import rights_lost
from primedist.ui.orders.sale import SaleDialog
from tests.factories import make_product
from tests.ui.orders.test_order_detail import open_detail
from tests.ui.test_access_changed_signs_out import CHANGED, back_at_sign_in

pytestmark = pytest.mark.usefixtures("quiet")

WHO = "Only the owner, a manager or staff with the right “Refunds and returns” may"


def cashier(owner_ctx: ServiceContext, *, refunds: bool = False) -> ServiceContext:
    """Lan, a staff member with Orders, as signed in."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=[Module.ORDERS], can_refund=refunds)  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        return owner_ctx.with_actor(auth.actor_for(session, user))


@pytest.fixture
def shirt(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_product(engine, "Áo thun", [("AO-1", 150_000, 20)])[0]


def phone_order(ctx: ServiceContext, variant: int, method: PaymentMethod) -> int:
    draft = OrderDraft(lines=(DraftLine(variant, 1),), source=OrderSource.PHONE,
                       payment_method=method)  # fmt: skip
    return svc.create_order(ctx, draft).id


def test_the_detail_greys_out_returns_and_a_paid_cancel_saying_who_may(
    qtbot: Any, owner_ctx: ServiceContext, shirt: int
) -> None:
    lan = cashier(owner_ctx)
    sale = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(shirt, 2),))).id
    done = open_detail(qtbot, lan, sale)  # a completed counter sale: returnable
    for button in (done.return_button, done.exchange_button):
        assert button.isVisible() and not button.isEnabled()
        assert button.toolTip().startswith(WHO), button.toolTip()
    paid = open_detail(qtbot, lan, phone_order(owner_ctx, shirt, PaymentMethod.CASH))
    assert not paid.cancel_button.isEnabled()
    assert paid.cancel_button.toolTip().startswith(f"{WHO} cancel a paid order")
    unpaid = open_detail(qtbot, lan, phone_order(owner_ctx, shirt, PaymentMethod.COD))
    assert unpaid.cancel_button.isEnabled() and unpaid.cancel_button.toolTip() == ""

    # The owner gives her the right: the next detail offers Return… and Exchange….
    staff.update_staff(owner_ctx, lan.actor.id or 0, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS], can_refund=True)  # fmt: skip
    given = open_detail(qtbot, lan, sale)
    assert given.return_button.isEnabled() and given.exchange_button.isEnabled()
    assert not given.return_button.toolTip().startswith(WHO)
    assert open_detail(qtbot, lan, phone_order(owner_ctx, shirt, PaymentMethod.CASH)
                       ).cancel_button.isEnabled()  # fmt: skip


@pytest.mark.parametrize("refunds", [False, True])
def test_the_sale_screen_offers_the_exchange_only_with_the_right(
    qtbot: Any, owner_ctx: ServiceContext, refunds: bool
) -> None:
    form = SaleDialog(cashier(owner_ctx, refunds=refunds))
    qtbot.addWidget(form)
    form.resize(1366, 768)
    form.show()
    qtbot.waitExposed(form)
    assert form.exchange_button.isVisible()
    assert form.exchange_button.isEnabled() is refunds
    assert form.exchange_button.toolTip().startswith(WHO) is not refunds
    assert ("F8  Exchange items of a receipt" in form.hints.text()) is refunds
    form.start_exchange()  # F8
    assert (getattr(form, "exchange_prompt", None) is not None) is refunds


def test_the_right_taken_away_signs_out_and_given_does_not(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    without = cashier(owner_ctx).actor
    assert not rights_lost(without, replace(without, can_refund=True))  # given: work on
    issued = staff.add_staff(owner_ctx, name="Mai", email="mai@shop.vn", role=Role.STAFF,
                             modules=[Module.ORDERS], can_refund=True)  # fmt: skip
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(auth.login(ctx, "mai@shop.vn", issued.one_time_password))
    assert main.ctx.actor.may_refund and main.check_access()
    staff.update_staff(owner_ctx, issued.member.id, name="Mai", role=Role.STAFF,
                       modules=[Module.ORDERS], can_refund=False)  # fmt: skip
    assert not main.check_access()  # her windows offered returns: signed out
    back_at_sign_in(qtbot, session, CHANGED)


def test_the_right_given_lets_the_open_till_exchange_at_once(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    issued = staff.add_staff(owner_ctx, name="Mai", email="mai@shop.vn", role=Role.STAFF,
                             modules=[Module.ORDERS])  # fmt: skip
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(auth.login(ctx, "mai@shop.vn", issued.one_time_password))
    qtbot.addWidget(main)
    form = SaleDialog(main.ctx, main)
    form.resize(1366, 768)
    form.show()
    qtbot.waitExposed(form)
    assert not form.exchange_button.isEnabled() and "F8" not in form.hints.text()
    staff.update_staff(owner_ctx, issued.member.id, name="Mai", role=Role.STAFF,
                       modules=[Module.ORDERS], can_refund=True)  # fmt: skip
    assert main.check_access()  # the window's usual look at the account: still signed in
    assert session.main is main and main.ctx.actor.may_refund
    assert form.exchange_button.isEnabled() and not form.exchange_button.toolTip().startswith(WHO)
    assert "F8  Exchange items of a receipt" in form.hints.text()
    form.start_exchange()  # F8
    assert getattr(form, "exchange_prompt", None) is not None
    form.reject()
    main.close()
