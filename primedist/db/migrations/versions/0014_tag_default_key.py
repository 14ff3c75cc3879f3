"""tags.default_key: which default tag a tag is, whatever it is called

The default tags are named in the language the shop was set up in, and the owner may
rename them; the "Often returns" quick filter found its tag by the English name. Existing
defaults get their key from their name, else (renamed) in the order they were created.

Revision ID: 0014_tag_default_key
Revises: 0013_activity_args
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_tag_default_key"
down_revision: str | None = "0013_activity_args"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The default tags' keys and English names, as services/tags.py had them then.
_DEFAULTS = (("potential", "potential"), ("often_returns", "often returns"))


def upgrade() -> None:
    with op.batch_alter_table("tags") as batch_op:
        batch_op.add_column(sa.Column("default_key", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint("uq_tags_default_key", ["default_key"])
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, name FROM tags WHERE is_default ORDER BY id")
    ).all()
    by_name = {str(name).casefold(): int(tid) for tid, name in rows}
    keyed: dict[str, int] = {}
    for key, english in _DEFAULTS:
        if english in by_name:
            keyed[key] = by_name[english]
    others = iter(tid for tid, _name in rows if tid not in keyed.values())
    for key, _english in _DEFAULTS:
        if key not in keyed:
            tid = next(others, None)
            if tid is not None:
                keyed[key] = tid
    for key, tid in keyed.items():
        conn.execute(
            sa.text("UPDATE tags SET default_key = :key WHERE id = :id"), {"key": key, "id": tid}
        )


def downgrade() -> None:
    with op.batch_alter_table("tags") as batch_op:
        batch_op.drop_constraint("uq_tags_default_key", type_="unique")
        batch_op.drop_column("default_key")
