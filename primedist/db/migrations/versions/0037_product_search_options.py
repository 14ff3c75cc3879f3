"""products.search_text holds the variants' option values too

A product's search text held its name, SKUs and barcodes: "ao so mi xanh reu" found
nothing though "Áo sơ mi linen nữ" has a "Xanh rêu / M" variant. Every writer now adds the
option values (`core.search_keys.product_search_text`); this recomputes the text of the
products already stored, by the same function, a few thousand products a round (one read
of the products and one of their variants, one executemany of the texts that change). On
SQLite the FTS index is rebuilt once after the updates (its triggers suspended): cheaper
than the trigger's delete and insert for each of 100k products. The downgrade keeps the
texts (a longer text finds more, nothing breaks).

Revision ID: 0037_product_search_options
Revises: 0036_audit_pc
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from primedist.core.search_keys import product_search_text
from primedist.db.search import triggers_suspended

revision: str = "0037_product_search_options"
down_revision: str | None = "0036_audit_pc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Products a round: their rows and variants in memory at once, not the whole catalogue.
_CHUNK = 5_000

_PRODUCTS = sa.text(
    "SELECT id, name, search_text FROM products WHERE id > :after ORDER BY id LIMIT :n"
)
_VARIANTS = sa.text(
    "SELECT product_id, is_active, sku, barcode, option1, option2 FROM variants "
    "WHERE product_id >= :first AND product_id <= :last ORDER BY product_id, id"
)
_UPDATE = sa.text("UPDATE products SET search_text = :text WHERE id = :id")


def upgrade() -> None:
    conn = op.get_bind()
    with triggers_suspended(conn, ["products"]):
        after = 0
        while True:
            products = conn.execute(_PRODUCTS, {"after": after, "n": _CHUNK}).all()
            if not products:
                break
            after = products[-1][0]
            active: dict[int, list[tuple[str, ...]]] = {}
            every: dict[int, list[tuple[str, ...]]] = {}
            variants = conn.execute(_VARIANTS, {"first": products[0][0], "last": after})
            for pid, is_active, *words in variants:
                every.setdefault(pid, []).append(tuple(words))
                if is_active:
                    active.setdefault(pid, []).append(tuple(words))
            changed = []
            for pid, name, old in products:
                # The active variants, as the app writes it; an archived product (none
                # active) keeps being found by its old SKUs.
                text = product_search_text(name, active.get(pid) or every.get(pid, []))
                if text != old:
                    changed.append({"id": pid, "text": text})
            if changed:
                conn.execute(_UPDATE, changed)


def downgrade() -> None:
    pass
