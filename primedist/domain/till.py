"""Closing the till: the cash counted at the end of a day against what the day's cash
sales, refunds, debts collected and supplier payments say should be there."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from primedist.domain.base import fk, money_field, utcnow

#: The largest float or count one closing takes (far above any till).
MAX_TILL_AMOUNT = 10_000_000_000


class TillClosing(SQLModel, table=True):
    """One count of the till (money in đồng): `expected` = opening float + the day's cash
    sales − cash refunds + cash debts collected − cash paid to suppliers (for the shops and
    staff member counted: the end-of-day report's cash in drawer), `difference` = counted −
    expected (negative = short). Several counts a day are kept, newest last."""

    __tablename__ = "till_closings"
    __table_args__ = (
        sa.Index(None, "day", "created_at"),
        sa.CheckConstraint(
            "opening_float >= 0 AND counted >= 0 AND difference = counted - expected",
            name="till_adds_up",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The day counted, in the shop's time zone.
    day: date
    #: The shops counted, as ",1,3," ("" = every shop).
    shop_ids: str = Field(default="", max_length=255)
    #: Whose sales were counted (None = everyone's).
    staff_id: int | None = fk("users.id", ondelete="SET NULL")
    opening_float: int = money_field()
    cash_sales: int = money_field()
    cash_refunds: int = money_field()
    #: Cash paid to suppliers out of the drawer that day.
    cash_paid_out: int = money_field()
    #: Cash customers paid that day towards what they owe (sales on account).
    cash_collected: int = money_field()
    expected: int = money_field()
    counted: int = money_field()
    difference: int = money_field()
    note: str | None = Field(default=None, max_length=255)
    #: Who counted.
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
