"""products.listed_shops marks the marketplace listings not linked to their item yet

The Products list's *Not linked* chip finds the products with a marketplace listing that
has no item id yet (their stock is not sent there): `listed_shops` (",1,3,") gains a "u3,"
token per such shop (",1,3,u3,"), kept by the product summaries like the rest of the
column, so the chip is a LIKE on the list's indexed columns. No schema change: the
tokens of the products stored so far are written here.

Revision ID: 0029_unlinked_listings
Revises: 0028_gross_profit
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_unlinked_listings"
down_revision: str | None = "0028_gross_profit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Channel values with item ids (domain.enums.Channel.is_marketplace), frozen here.
_MARKETPLACES = ("shopee", "lazada", "tiki", "tiktok")
_UNLINKED = sa.text(
    "SELECT pl.product_id, pl.shop_id FROM product_listings pl"
    " JOIN shops s ON s.id = pl.shop_id"
    " WHERE pl.is_active = :yes AND pl.external_id IS NULL AND s.channel IN :channels"
    " ORDER BY pl.product_id, pl.shop_id"
).bindparams(sa.bindparam("channels", expanding=True))


def _set_marks(strip: bool) -> None:
    conn = op.get_bind()
    marks: dict[int, list[int]] = {}
    if not strip:
        for product_id, shop_id in conn.execute(
            _UNLINKED, {"yes": True, "channels": list(_MARKETPLACES)}
        ):
            marks.setdefault(int(product_id), []).append(int(shop_id))
    rows = []
    for product_id, listed in conn.execute(sa.text("SELECT id, listed_shops FROM products")):
        base = ",".join(t for t in (listed or "").split(",") if t and not t.startswith("u"))
        key = f",{base}," if base else ""
        if key and product_id in marks:
            key += "".join(f"u{sid}," for sid in marks[product_id])
        if key != (listed or ""):
            rows.append({"b_id": product_id, "b_key": key})
    if rows:
        conn.execute(sa.text("UPDATE products SET listed_shops = :b_key WHERE id = :b_id"), rows)


def upgrade() -> None:
    _set_marks(strip=False)


def downgrade() -> None:
    _set_marks(strip=True)
