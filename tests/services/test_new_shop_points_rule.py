"""A shop set up from now on earns 1 point per 100,000 đ (1% back at 1,000 đ a point: the
old default, 10%, read as "a lot" on Settings → Loyalty points before anyone changed
it); a shop set up before keeps 1 per 10,000 đ, the built-in default it never saved."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.settings import AppSetting
from primedist.services import auth
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    DEFAULT_EARN_PER,
    EARN_SETTING,
    NEW_SHOP_EARN_PER,
    read_points_settings,
)
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.factories import make_product
from tests.services.loyalty.conftest import customer, customers_with
from tests.services.loyalty.test_points import complete, phone_order

settings_t = table_of(AppSetting)


def set_up(ctx: ServiceContext) -> ServiceContext:
    owner = auth.setup_shop(ctx, shop_name="Tạp hóa Mới", owner_name="Chủ Mới",
                            owner_email=OWNER_EMAIL, owner_password=OWNER_PASSWORD)  # fmt: skip
    return ctx.with_actor(owner)


def test_a_new_shop_gives_one_percent_back(engine: Engine, ctx: ServiceContext) -> None:
    owner_ctx = set_up(ctx)
    rule = read_points_settings(owner_ctx)
    assert (rule.earn_per, rule.point_value) == (NEW_SHOP_EARN_PER, 1_000) == (100_000, 1_000)
    assert rule.percent_back == 1.0
    with engine.connect() as conn:  # nobody changed a setting: nothing in the audit log
        audited = conn.execute(sa.text("SELECT count(*) FROM audit_events WHERE entity_id = :k"),
                               {"k": EARN_SETTING}).scalar_one()  # fmt: skip
    assert audited == 0
    shirt = make_product(engine, "Áo thun", [("AO-1", 125_000, 50)])[0]
    (cid,) = customers_with(engine, [{}])
    complete(owner_ctx, phone_order(owner_ctx, shirt, cid, qty=8))  # 1,000,000 đ
    assert customer(engine, cid).points_balance == 10  # was 100 at 1 per 10,000 đ


def test_a_shop_set_up_before_keeps_its_rate(engine: Engine, ctx: ServiceContext) -> None:
    owner_ctx = set_up(ctx)
    with engine.begin() as conn:  # as set up before: the rule never stored
        conn.execute(settings_t.delete().where(settings_t.c.key == EARN_SETTING))
    assert read_points_settings(owner_ctx).earn_per == DEFAULT_EARN_PER == 10_000
