"""A customer's picture: checked, cropped to a 256 px square in the data folder, replaced
and removed with its file; a bad file is refused by name and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Module, Role
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services.context import Actor, ServiceContext
from primedist.services.customer_avatar import set_avatar
from primedist.services.customer_detail import customer_profile
from primedist.services.customers import CustomerDraft, add_customer

customers_t = table_of(Customer)
audit_t = table_of(AuditEvent)


def picture(path: Path, size: tuple[int, int], colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def stored(ctx: ServiceContext, cid: int) -> str | None:
    with ctx.engine.connect() as conn:
        return conn.execute(
            sa.select(customers_t.c.avatar_path).where(customers_t.c.id == cid)
        ).scalar_one()  # fmt: skip


def test_a_picture_is_squared_stored_replaced_and_removed(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    assert owner_ctx.settings is not None
    data_dir = Path(owner_ctx.settings.data_dir)
    cid = add_customer(owner_ctx, CustomerDraft(name="Nguyễn Thị Hoa")).customer_id
    wide = picture(tmp_path / "hoa.jpg", (800, 400))
    relative = set_avatar(owner_ctx, cid, wide)
    assert relative is not None and relative.startswith(f"images/customers/{cid}/")
    assert relative.endswith(".jpg") and stored(owner_ctx, cid) == relative
    first = data_dir / relative
    with Image.open(first) as img:
        assert img.size == (256, 256)
    profile = customer_profile(owner_ctx, cid)
    assert profile.avatar_path == str(first)  # the detail gets the file itself
    # Replaced: the old file goes; a PNG stays a PNG.
    second = set_avatar(owner_ctx, cid, picture(tmp_path / "new.png", (300, 500), "blue"))
    assert second is not None and second.endswith(".png")
    assert not first.exists() and (data_dir / second).exists()
    # Removed.
    assert set_avatar(owner_ctx, cid, None) is None
    assert stored(owner_ctx, cid) is None and not (data_dir / second).exists()
    with owner_ctx.engine.connect() as conn:
        stmt = sa.select(audit_t.c.summary).where(audit_t.c.action == "customer.avatar")
        summaries = conn.execute(stmt.order_by(audit_t.c.id)).scalars().all()
    code = f"KH{cid:06d}"
    assert summaries == [f"{code}: picture changed"] * 2 + [f"{code}: picture removed"]


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_changes(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    cid = add_customer(owner_ctx, CustomerDraft(name="Trần Nam")).customer_id
    fake = tmp_path / "photo.jpg"
    fake.write_text("not a picture")
    with pytest.raises(ValidationError, match="photo.jpg: this is not an image"):
        set_avatar(owner_ctx, cid, fake)
    with pytest.raises(ValidationError, match="missing.png: the file cannot be found"):
        set_avatar(owner_ctx, cid, tmp_path / "missing.png")
    assert stored(owner_ctx, cid) is None
    with pytest.raises(NotFound):
        set_avatar(owner_ctx, 999, picture(tmp_path / "x.png", (10, 10)))
    assert owner_ctx.settings is not None
    assert not (Path(owner_ctx.settings.data_dir) / "images/customers/999").exists()
    cashier = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.ORDERS}))
    )
    with pytest.raises(PermissionDenied):
        set_avatar(cashier, cid, picture(tmp_path / "y.png", (10, 10)))
