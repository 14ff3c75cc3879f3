"""The loyalty settings' checks: a rank threshold message names the ranks and the unit in
the user's words, points never pay back what was spent to earn them, and a carrier
account's missing field is named as the form labels it."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.core.messages import Message
from primedist.domain.enums import RankBasis
from primedist.errors import ValidationError
from primedist.services import shipping
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    DEFAULT_CAP_PERCENT,
    DEFAULT_EARN_PER,
    DEFAULT_POINT_VALUE,
    PointsSettings,
    check_thresholds,
    read_points_settings,
    save_points_settings,
)


def refusal(fn: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        fn()
    return caught.value


def templates(value: Any) -> list[str]:
    """The templates of a message and of the messages inside it."""
    if not isinstance(value, Message):
        return []
    inner = [t for v in value.values.values() for t in templates(v)]
    return [value.template, *inner]


def test_a_threshold_message_carries_the_ranks_and_the_unit_as_messages() -> None:
    error = refusal(lambda: check_thresholds(RankBasis.ORDERS, (50, 60, 10, 0)))
    # English stays as it read: the CLI and the logs show it.
    assert error.reason == (
        "The Diamond threshold (50 orders) must be above the Gold threshold (60 orders)."
    )
    # Every word the user reads is a template the UI translates (no "orders", "Diamond"
    # left as plain text inside a Vietnamese sentence).
    assert isinstance(error.reason, Message)
    assert all(isinstance(v, Message) for v in error.reason.values.values())
    assert {"Diamond", "Gold", "{count} orders"} <= set(templates(error.reason))
    money = refusal(lambda: check_thresholds(RankBasis.EXPENSES, (10**13, 2, 1, 0)))
    assert money.reason == ("The Diamond threshold must be between 0 and 1,000,000,000,000 đ.")
    assert "{amount} đ" in templates(money.reason)


def test_points_cannot_give_back_what_was_spent_to_earn_them(owner_ctx: ServiceContext) -> None:
    before = read_points_settings(owner_ctx)
    assert before == PointsSettings(DEFAULT_EARN_PER, DEFAULT_POINT_VALUE, DEFAULT_CAP_PERCENT)
    for earn_per, point_value in ((1, 10_000_000), (10_000, 10_000), (10_000, 50_000)):
        error = refusal(
            lambda e=earn_per, v=point_value: save_points_settings(
                owner_ctx, PointsSettings(e, v, 100)
            )
        )
        assert error.field == "point_value"
        assert "worth less than the" in error.reason
        assert read_points_settings(owner_ctx) == before  # nothing stored
    # Just under 100% back is the shop's choice; with earning off a point may be worth more.
    assert save_points_settings(owner_ctx, PointsSettings(10_000, 9_999, 100)).point_value == 9_999
    save_points_settings(owner_ctx, PointsSettings(0, 10_000_000, 100))
    assert read_points_settings(owner_ctx) == PointsSettings(0, 10_000_000, 100)


@pytest.mark.parametrize(
    ("add", "template"),
    [
        (lambda c: shipping.add_ghn_account(c, "GHN", "", "123"), "GHN token"),
        (lambda c: shipping.add_ghn_account(c, "GHN", "tok", "12a"), "GHN ShopId"),
        (lambda c: shipping.add_jnt_account(c, "JT", "", "key", "C1"), "J&T API account"),
        (lambda c: shipping.add_jnt_account(c, "JT", "acc", "", "C1"), "J&T private key"),
        (lambda c: shipping.add_jnt_account(c, "JT", "a c", "k", "C1"), "J&T API account"),
        (lambda c: shipping.add_jnt_account(c, "JT", "acc", "k", " "), "J&T customer code"),
    ],
)
def test_a_carrier_field_is_named_by_a_translatable_message(
    owner_ctx: ServiceContext, add: Any, template: str
) -> None:
    error = refusal(lambda: add(owner_ctx))
    assert isinstance(error.reason, Message)
    what = error.reason.values["what"]
    assert isinstance(what, Message) and what.template == template
    assert template in error.reason  # the English as before
