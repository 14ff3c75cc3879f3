"""Customer groups (levels): a name that differs from another only in capitals or accents
is refused, a level price of 0 đ is refused, and a price above the list price is warned
about (a sale never charges a member more than the list price)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.loyalty import LevelPrice
from primedist.errors import Conflict, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from tests.factories import make_product

prices_t = table_of(LevelPrice)


def _prices(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(p) for p in conn.execute(sa.select(prices_t.c.price)).scalars()]


@pytest.mark.parametrize("twin", ["vip", " Vip ", "VÍP"])
def test_a_name_equal_to_another_but_for_case_or_accents_is_refused(
    owner_ctx: ServiceContext, twin: str
) -> None:
    levels.save_level(owner_ctx, name="VIP", code="VIP")
    with pytest.raises(Conflict) as err:
        levels.save_level(owner_ctx, name=twin, code="V3")
    assert str(err.value) == "A level named VIP already exists."
    assert [lv.name for lv in levels.list_levels(owner_ctx)] == ["VIP"]


def test_a_level_keeps_its_own_name_and_accented_names_are_compared_folded(
    owner_ctx: ServiceContext,
) -> None:
    si = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    levels.save_level(owner_ctx, name="khach si", code="SI", level_id=si)  # itself: fine
    with pytest.raises(Conflict, match="A level named khach si already exists."):
        levels.save_level(owner_ctx, name="KHÁCH SỈ", code="SI2")
    levels.save_level(owner_ctx, name="Khách sỉ lớn", code="SI2")  # another name


def test_a_level_price_of_zero_is_refused(engine: Engine, owner_ctx: ServiceContext) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 5)])
    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    with pytest.raises(ValidationError) as err:
        levels.set_level_price(owner_ctx, wholesale, "AO-S", 0)
    assert err.value.field == "price" and "0 đ would give the goods away" in str(err.value)
    with pytest.raises(ValidationError, match="between 1 and"):
        levels.set_level_price(owner_ctx, wholesale, "AO-S", -5)
    assert _prices(engine) == []
    levels.set_level_price(owner_ctx, wholesale, "AO-S", 1)  # the lowest price there is
    assert _prices(engine) == [1]


def test_a_price_above_the_list_price_is_warned_about(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 5)])
    assert levels.level_price_warning(owner_ctx, "ao-s", 80_000) is None
    assert levels.level_price_warning(owner_ctx, "AO-S", 99_000) is None
    assert levels.level_price_warning(owner_ctx, "NOPE", 990_000) is None  # the save says
    assert levels.level_price_warning(owner_ctx, "AO-S", None) is None  # a removal
    warning = levels.level_price_warning(owner_ctx, " ao-s ", 990_000)
    assert warning == (
        "990,000 đ is above the list price of ao-s (99,000 đ): members pay the list price "
        "while it is lower."
    )
    assert warning is not None and warning.values["list_price"] == 99_000
