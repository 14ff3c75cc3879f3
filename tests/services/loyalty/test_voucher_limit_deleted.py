"""Deleting a customer group or a tag that limits a voucher: the limit rows go with it
(ON DELETE CASCADE) and a voucher without limits is for everyone, so the vouchers that were
only for it, on or paused, are switched off and ended in the same transaction (and the audit
says so): switching one on again is refused until its dates are changed in the editor. One
with other limits left stays on, for those only."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import as_utc
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import CustomerTag
from primedist.domain.enums import DiscountKind
from primedist.domain.loyalty import Voucher
from primedist.errors import Conflict
from primedist.services import orders as svc
from primedist.services import tags
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.vouchers import (
    VoucherDraft,
    list_vouchers,
    save_voucher,
    set_voucher_active,
)
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product
from tests.services.loyalty.conftest import customers_with

audit_t = table_of(AuditEvent)
vouchers_t = table_of(Voucher)


@pytest.fixture
def coat(engine: Engine) -> int:
    return make_product(engine, "Áo khoác", [("AK-1", 500_000, 50)])[0]


def offered(ctx: ServiceContext, variant: int, code: str, cid: int | None = None) -> int:
    """What the code takes off one coat for this customer (None: a walk-in buyer); 0 with
    the reason among the problems when refused."""
    quote = svc.quote_order(ctx, OrderDraft(lines=(DraftLine(variant, 1),), customer_id=cid,
                                            voucher_code=code))  # fmt: skip
    assert quote.voucher_discount or quote.problems
    return quote.voucher_discount


def active(engine: Engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(vouchers_t.c.code, vouchers_t.c.is_active)).all())


def audited(engine: Engine, action: str) -> list[tuple[str, str, str | None]]:
    a = audit_t.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(a.entity_id, a.summary, a.after_json)
                            .where(a.action == action).order_by(a.id)).all()  # fmt: skip
    return [(str(r[0]), str(r[1]), r[2]) for r in rows]


def test_deleting_a_group_switches_off_the_vouchers_only_for_it(
    engine: Engine, owner_ctx: ServiceContext, coat: int
) -> None:
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    gold = levels.save_level(owner_ctx, name="Vàng", code="GOLD")
    only_vip = save_voucher(owner_ctx, VoucherDraft("VIP15", kind=DiscountKind.PERCENT, value=15,
                                                    level_ids=(vip,)))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("THANTHIET", value=30_000, level_ids=(vip, gold)))
    save_voucher(owner_ctx, VoucherDraft("MOIGNUOI", value=10_000))  # for everyone already
    resting = save_voucher(owner_ctx, VoucherDraft("VIPCU", value=5_000, level_ids=(vip,)))
    set_voucher_active(owner_ctx, resting, False)  # paused: named and ended too
    (golden,) = customers_with(engine, [{"level_id": gold}])
    assert offered(owner_ctx, coat, "VIP15") == 0  # a walk-in buyer
    assert levels.vouchers_only_for_level(owner_ctx, vip) == ["VIP15", "VIPCU"]
    assert levels.vouchers_only_for_level(owner_ctx, gold) == []

    levels.delete_level(owner_ctx, vip)

    # Refused to a walk-in buyer still (it was 75,000 đ off for anyone).
    assert offered(owner_ctx, coat, "VIP15") == 0
    assert active(engine) == {"VIP15": False, "THANTHIET": True, "MOIGNUOI": True,
                              "VIPCU": False}  # fmt: skip
    # The voucher with another group left stays on, for that group only.
    assert offered(owner_ctx, coat, "THANTHIET") == 0
    assert offered(owner_ctx, coat, "THANTHIET", golden) == 30_000
    ((_id, summary, after),) = audited(engine, "level.delete")
    assert summary.endswith("vouchers switched off and ended, as they were only for it: "
                            "VIP15, VIPCU")  # fmt: skip
    assert json.loads(after or "{}") == {"vouchers_switched_off": ["VIP15", "VIPCU"]}
    # Each switched off with a row of its own, as by hand (VIPCU was, before the delete:
    # the delete only ended it).
    assert [row[:2] for row in audited(engine, "voucher.deactivate")] == [
        (str(resting), "VIPCU"), (str(only_vip), "VIP15")]  # fmt: skip
    assert [row[:2] for row in audited(engine, "voucher.update")] == [(str(resting), "VIPCU")]


def test_deleting_a_tag_switches_off_the_vouchers_only_for_it(
    engine: Engine, owner_ctx: ServiceContext, coat: int
) -> None:
    wholesale = tags.create_tag(owner_ctx, "Khách sỉ")
    loyal = tags.create_tag(owner_ctx, "Thân thiết")
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    save_voucher(owner_ctx, VoucherDraft("SI20", kind=DiscountKind.PERCENT, value=20,
                                         tag_ids=(wholesale,)))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("SIVIP", value=40_000, tag_ids=(wholesale,),
                                         level_ids=(vip,)))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("SITHAN", value=20_000, tag_ids=(wholesale, loyal)))
    buyer, member = customers_with(engine, [{}, {"level_id": vip}])
    with engine.begin() as conn:
        conn.execute(sa.insert(CustomerTag).values(customer_id=buyer, tag_id=wholesale))
    assert offered(owner_ctx, coat, "SI20") == 0
    assert offered(owner_ctx, coat, "SI20", buyer) == 100_000
    assert tags.vouchers_only_for_tag(owner_ctx, wholesale) == ["SI20"]

    assert tags.delete_tag(owner_ctx, wholesale) == 1

    assert offered(owner_ctx, coat, "SI20") == 0  # not 100,000 đ for anyone
    assert active(engine) == {"SI20": False, "SIVIP": True, "SITHAN": True}
    assert offered(owner_ctx, coat, "SIVIP") == 0
    assert offered(owner_ctx, coat, "SIVIP", member) == 40_000
    assert offered(owner_ctx, coat, "SITHAN") == 0
    ((_id, summary, after),) = audited(engine, "tag.delete")
    assert re.search(r"Khách sỉ \(1 customers\); vouchers switched off and ended.*: SI20$",
                     summary)  # fmt: skip
    assert json.loads(after or "{}") == {"vouchers_switched_off": ["SI20"]}


def test_a_group_without_such_vouchers_is_deleted_as_before(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    reg = levels.save_level(owner_ctx, name="Thường", code="REG")
    assert levels.vouchers_only_for_level(owner_ctx, reg) == []
    levels.delete_level(owner_ctx, reg)
    ((_id, summary, after),) = audited(engine, "level.delete")
    assert summary == "REG Thường: 0 members fell back to no level"
    assert json.loads(after or "{}") == {"vouchers_switched_off": []}
    assert audited(engine, "voucher.deactivate") == []


def ends_at(engine: Engine, code: str) -> datetime:
    with engine.connect() as conn:
        return as_utc(conn.execute(sa.select(vouchers_t.c.ends_at)
                                   .where(vouchers_t.c.code == code)).scalar_one())  # fmt: skip


@pytest.mark.parametrize("limit", ["tag", "group"])
def test_a_paused_voucher_only_for_it_is_named_ended_and_cannot_come_back_for_everyone(
    engine: Engine, owner_ctx: ServiceContext, coat: int, limit: str
) -> None:
    if limit == "tag":
        target = tags.create_tag(owner_ctx, "VIP khách sỉ")
        limits: dict[str, Any] = {"tag_ids": (target,)}
    else:
        target = levels.save_level(owner_ctx, name="VIP", code="VIP")
        limits = {"level_ids": (target,)}
    vid = save_voucher(owner_ctx, VoucherDraft("VIPONLY50", value=50_000, is_active=False,
                                               **limits))  # fmt: skip
    later = owner_ctx.clock.now() + timedelta(days=30)
    save_voucher(owner_ctx, VoucherDraft("VIPTET", value=20_000, ends_at=later, **limits))
    only_for = tags.vouchers_only_for_tag if limit == "tag" else levels.vouchers_only_for_level
    # The delete question names the paused one too.
    assert only_for(owner_ctx, target) == ["VIPONLY50", "VIPTET"]

    if limit == "tag":
        tags.delete_tag(owner_ctx, target)
    else:
        levels.delete_level(owner_ctx, target)

    assert active(engine) == {"VIPONLY50": False, "VIPTET": False}
    now = owner_ctx.clock.now()
    assert ends_at(engine, "VIPONLY50") == ends_at(engine, "VIPTET") == now  # ended now
    # Switched on again, it would be 50,000 đ off for every customer: refused, named.
    with pytest.raises(Conflict, match=r"Voucher VIPONLY50 was valid to .* and has ended: "
                                       r"change its end date"):  # fmt: skip
        set_voucher_active(owner_ctx, vid, True)
    assert active(engine)["VIPONLY50"] is False
    assert offered(owner_ctx, coat, "VIPONLY50") == 0
    (row,) = [r for r in list_vouchers(owner_ctx) if r.id == vid]
    assert (row.tags, row.levels) == ((), ())  # the editor shows "everyone"
    # The owner's own edit of its dates (seeing it is for everyone) is theirs to make.
    save_voucher(owner_ctx, replace(row.draft, ends_at=None), vid)
    set_voucher_active(owner_ctx, vid, True)
    assert offered(owner_ctx, coat, "VIPONLY50") == 50_000


def test_switching_on_an_ended_voucher_is_refused_and_an_edit_brings_it_back(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    past = owner_ctx.clock.now() - timedelta(days=1)
    vid = save_voucher(owner_ctx, VoucherDraft("HE2025", value=10_000, ends_at=past,
                                               is_active=False))  # fmt: skip
    with pytest.raises(Conflict):
        set_voucher_active(owner_ctx, vid, True)
    set_voucher_active(owner_ctx, vid, False)  # switching off is always allowed
    assert active(engine) == {"HE2025": False}
