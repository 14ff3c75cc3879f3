"""customers: `rank` in one list index instead of seven (issue 8, rank recompute)

A rank recompute that moves tens of thousands of customers rewrote each one's entry in the
six wide covering sort indexes of the Customers list and in (rank, total_expenses). The
sort indexes are rebuilt without `rank`, and the narrow `ix_customers_rank_live` (rank,
deleted_at, merged_into_id, rank_pinned) replaces (rank, total_expenses): the list's rank
filter pages through it as a set of ids and counts by seeking it (queries/customers.py),
the recompute counts customers per rank from it.

Revision ID: 0011_customer_list_rank
Revises: 0010_job_locks
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_customer_list_rank"
down_revision: str | None = "0010_job_locks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: domain/customer.py LIST_FILTER_COLUMNS and LIST_SORT_COLUMNS as of this revision
#: (frozen here); 0004's sort indexes had `rank` after total_orders.
_FILTER_COLUMNS = (
    "deleted_at", "merged_into_id", "total_expenses", "successful_orders", "total_orders",
    "gender", "source", "referrer_id", "last_order_at", "created_at", "channels",
)  # fmt: skip
_OLD_FILTER_COLUMNS = (*_FILTER_COLUMNS[:5], "rank", *_FILTER_COLUMNS[5:])
_SORTS = (
    "created_at", "name", "total_expenses", "successful_orders", "total_orders", "points_balance",
)  # fmt: skip
_RANK_INDEX = ("ix_customers_rank_live", ["rank", "deleted_at", "merged_into_id", "rank_pinned"])
_OLD_RANK_INDEX = ("ix_customers_rank_total_expenses", ["rank", "total_expenses"])


def _sort_indexes(filters: tuple[str, ...]) -> dict[str, list[str]]:
    return {f"ix_customers_{sort}_id": [sort, "id", *(c for c in filters if c != sort)]
            for sort in _SORTS}  # fmt: skip


def _rebuild(filters: tuple[str, ...], rank_index: tuple[str, list[str]],
             old_rank_index: tuple[str, list[str]]) -> None:  # fmt: skip
    op.create_index(rank_index[0], "customers", rank_index[1])
    op.drop_index(old_rank_index[0], table_name="customers")
    for index, columns in _sort_indexes(filters).items():
        op.drop_index(index, table_name="customers")
        op.create_index(index, "customers", columns)


def upgrade() -> None:
    _rebuild(_FILTER_COLUMNS, _RANK_INDEX, _OLD_RANK_INDEX)


def downgrade() -> None:
    _rebuild(_OLD_FILTER_COLUMNS, _OLD_RANK_INDEX, _RANK_INDEX)
