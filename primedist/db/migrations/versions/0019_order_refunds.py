"""order_refunds: each refund of a return, with its amount, items, who and when;
till_closings: the cash counted at the end of a day

The end-of-day report counts the money given back during its day. Until now a return only
added to `orders.refunded_amount` (a running sum, no date); its audit row
(`order.return`, with `{"refund": …, "lines": {line: qty}}`) is the record of when and by
whom, so the existing returns are copied from there. A till closing records the cash
counted against what the day's cash sales and refunds say should be in the drawer.

Revision ID: 0019_order_refunds
Revises: 0018_variant_weights
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_order_refunds"
down_revision: str | None = "0018_variant_weights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "amount >= 0 AND items >= 0", name=op.f("ck_order_refunds_refund_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_refunds_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_order_refunds_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_refunds")),
    )
    op.create_index(op.f("ix_order_refunds_created_at"), "order_refunds", ["created_at"])
    op.create_index(op.f("ix_order_refunds_order_id"), "order_refunds", ["order_id"])
    _copy_from_audit()
    _create_till_closings()


def _create_till_closings() -> None:
    money = ("opening_float", "cash_sales", "cash_refunds", "expected", "counted", "difference")
    op.create_table(
        "till_closings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shop_ids", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in money),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "opening_float >= 0 AND counted >= 0 AND difference = counted - expected",
            name=op.f("ck_till_closings_till_adds_up"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["users.id"],
            name=op.f("fk_till_closings_staff_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_till_closings_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_till_closings")),
    )
    op.create_index(op.f("ix_till_closings_day_created_at"), "till_closings", ["day", "created_at"])


def _copy_from_audit() -> None:
    """One refund row per `order.return` audit row whose order still exists."""
    conn = op.get_bind()
    audit = sa.table(
        "audit_events", sa.column("entity_id", sa.String), sa.column("user_id", sa.Integer),
        sa.column("after_json", sa.Text), sa.column("created_at", sa.String),
        sa.column("action", sa.String), sa.column("id", sa.Integer),
    )  # fmt: skip
    select = (
        sa.select(audit.c.entity_id, audit.c.user_id, audit.c.after_json, audit.c.created_at)
        .where(audit.c.action == "order.return")
        .order_by(audit.c.id)
    )
    rows = []
    for entity_id, user_id, after_json, created_at in conn.execute(select):
        try:
            after = json.loads(after_json or "{}")
            order_id = int(entity_id)
            amount = int(after.get("refund") or 0)
            items = sum(int(q) for q in (after.get("lines") or {}).values())
        except (TypeError, ValueError, AttributeError):
            continue  # not written by return_order: nothing to copy
        if amount >= 0 and items >= 0:
            rows.append({"order_id": order_id, "amount": amount, "items": items,
                         "user_id": user_id, "created_at": created_at})  # fmt: skip
    live = _existing_orders(conn, {r["order_id"] for r in rows})
    rows = [r for r in rows if r["order_id"] in live]
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO order_refunds (order_id, amount, items, user_id, created_at) "
                "VALUES (:order_id, :amount, :items, :user_id, :created_at)"
            ),
            rows,
        )


def _existing_orders(conn: sa.Connection, ids: set[int]) -> set[int]:
    """Those of `ids` whose order was not deleted since."""
    found: set[int] = set()
    wanted = sorted(ids)
    orders = sa.table("orders", sa.column("id", sa.Integer))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(conn.execute(sa.select(orders.c.id).where(orders.c.id.in_(chunk))).scalars())
    return found


def downgrade() -> None:
    op.drop_index(op.f("ix_till_closings_day_created_at"), table_name="till_closings")
    op.drop_table("till_closings")
    op.drop_index(op.f("ix_order_refunds_order_id"), table_name="order_refunds")
    op.drop_index(op.f("ix_order_refunds_created_at"), table_name="order_refunds")
    op.drop_table("order_refunds")
