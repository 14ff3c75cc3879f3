# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The staff note of one order edited on two screens or PCs, on a real migrated store: the
later save, typed over the note as it was before the first save, is refused with nothing
written, saying who changed the note and when and handing back the note as it is now —
it never silently drops the first one's text. A status change meanwhile is no clash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Module, OrderStatus
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from tests.services.test_order_edit import phone_order
from tests.services.test_order_edit_two_screens import pc_b  # noqa: F401  (fixture)
from tests.services.test_orders import variants  # noqa: F401  (fixture)
from tests.services.test_permissions import audit_count, staff
from tests.ui.orders.test_order_detail import order_of


def test_the_later_note_save_is_refused_and_keeps_the_first(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    # Both screens show the order without a note; A saves first, three minutes later.
    owner_ctx.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    svc.set_staff_note(owner_ctx, order_id, "Gọi trước khi giao", loaded="")
    audited = audit_count(owner_ctx)

    with pytest.raises(svc.NoteChanged) as refused:
        svc.set_staff_note(pc_b, order_id, "Khách hẹn lấy chiều", loaded="")
    assert refused.value.current == "Gọi trước khi giao"
    assert refused.value.user_message == (
        f"The staff note of order {order_of(engine, order_id).external_id} was changed on "
        "another screen or PC since you opened it (by Chủ Thử at 20/11/2026 10:03): nothing "
        "was saved. Your text is kept beside the note as it is now: merge them and save again."
    )
    assert order_of(engine, order_id).staff_note == "Gọi trước khi giao"
    assert audit_count(owner_ctx) == audited

    # B merges both and saves over the note it was shown.
    merged = "Gọi trước khi giao\nKhách hẹn lấy chiều"
    svc.set_staff_note(pc_b, order_id, merged, loaded=refused.value.current)
    assert order_of(engine, order_id).staff_note == merged


def test_a_note_cleared_by_someone_without_an_account_is_named_by_its_time(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    svc.set_staff_note(owner_ctx, order_id, "Gói kỹ")
    owner_ctx.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    svc.set_staff_note(staff(owner_ctx, Module.ORDERS), order_id, "", loaded="Gói kỹ")
    with pytest.raises(svc.NoteChanged) as refused:
        svc.set_staff_note(pc_b, order_id, "Gói kỹ, thêm túi", loaded="Gói kỹ")
    assert refused.value.current == ""
    assert "since you opened it (at 20/11/2026 10:01): nothing was saved." in (
        refused.value.user_message
    )
    assert order_of(engine, order_id).staff_note is None


def test_other_changes_of_the_order_meanwhile_are_no_clash(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    svc.set_staff_note(owner_ctx, order_id, "Gói kỹ")
    owner_ctx.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    svc.change_status(owner_ctx, order_id, OrderStatus.SHIPPING)
    svc.set_flag(owner_ctx, [order_id], True)
    svc.set_staff_note(pc_b, order_id, "Gói kỹ, thêm túi", loaded="Gói kỹ")
    assert order_of(engine, order_id).staff_note == "Gói kỹ, thêm túi"
    # The same text typed on both screens: nothing to lose, saved.
    svc.set_staff_note(owner_ctx, order_id, "Gói kỹ, thêm túi", loaded="Gói kỹ")
    assert order_of(engine, order_id).staff_note == "Gói kỹ, thêm túi"
