"""A customer's picture (the avatar of the customer detail; initials when there is none).

The picture is checked like a product image (`product_images.prepare_image`: a real JPEG,
PNG, WebP, GIF or BMP of at most 10 MB, else a message naming the file), cropped to a
square around its centre and scaled to 256 × 256, and written to
`<data dir>/images/customers/<customer id>/<content hash>.<jpg|png>`; the database keeps
that path relative to the data dir. The file is written before the commit and removed
again if the transaction fails; a replaced or removed picture's file goes after the
commit (unless another customer, e.g. one merged into this one, still shows it).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageOps

from primedist.core.messages import msg
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Module
from primedist.errors import NotFound, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.product_images import PreparedImage, absolute, prepare_image

customers_t = table_of(Customer)
AVATAR_SIZE = 256
AVATARS_DIR = "images/customers"


def _data_dir(ctx: ServiceContext) -> Path:
    if ctx.settings is None or ctx.settings.data_dir is None:
        raise ValidationError(msg("Pictures need the shop's data folder."), field="avatar")
    return Path(ctx.settings.data_dir)


def avatar_file(data_dir: Path | None, relative: str | None) -> str | None:
    """The file of a stored avatar path (None when there is none or no data folder)."""
    if not relative or data_dir is None:
        return None
    return str(absolute(Path(data_dir), relative))


def _square(image: PreparedImage) -> tuple[bytes, str]:
    """The picture cropped to a centred square of AVATAR_SIZE: (bytes, extension)."""
    with Image.open(io.BytesIO(image.data)) as img:
        img.load()
        picture = ImageOps.fit(ImageOps.exif_transpose(img), (AVATAR_SIZE, AVATAR_SIZE))
    buffer = io.BytesIO()
    if image.ext == ".jpg":
        picture.convert("RGB").save(buffer, "JPEG", quality=88)
        return buffer.getvalue(), ".jpg"
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), ".png"


def _remove(path: Path) -> None:
    """Delete a picture file, and its customer's folder once empty (best effort: a
    left-over file does no harm)."""
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:
        pass


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def set_avatar(
    ctx: ServiceContext, customer_id: int, source: str | os.PathLike[str] | None
) -> str | None:
    """Give the customer this picture (None: take the picture off). Returns the stored
    relative path (None when removed). ValidationError names a file that is not a usable
    picture; nothing changes then."""
    ctx.require(Module.CUSTOMERS)
    data_dir = _data_dir(ctx)
    written: Path | None = None
    relative: str | None = None
    if source is not None:
        prepared = prepare_image(source)
        data, ext = _square(prepared)
        relative = f"{AVATARS_DIR}/{customer_id}/{prepared.digest}{ext}"
        target = absolute(data_dir, relative)
        if not target.exists():
            try:
                _write(target, data)
            except OSError as exc:
                raise ValidationError(
                    msg("{file}: cannot be saved in the data folder ({reason}).",
                        file=prepared.source.name, reason=str(exc.strerror or exc)),
                    field="avatar",
                ) from None  # fmt: skip
            written = target
    c = customers_t.c
    try:
        with ctx.uow() as session:
            conn = session.connection()
            row = conn.execute(
                sa.select(c.code, c.avatar_path).where(c.id == customer_id, c.deleted_at.is_(None))
            ).first()
            if row is None:
                raise NotFound(msg("Customer {customer_id} no longer exists.",
                                   customer_id=str(customer_id)))  # fmt: skip
            old = row.avatar_path
            conn.execute(customers_t.update().where(c.id == customer_id)
                         .values(avatar_path=relative, updated_at=ctx.clock.now()))  # fmt: skip
            still_used = old is not None and old != relative and conn.execute(
                sa.select(sa.func.count()).where(c.avatar_path == old, c.id != customer_id)
            ).scalar_one() > 0  # fmt: skip
            summary = (msg("{customer}: picture changed", customer=row.code) if relative
                       else msg("{customer}: picture removed", customer=row.code))  # fmt: skip
            ctx.audit(session, "customer.avatar", entity_type="customer",
                      entity_id=customer_id, summary=summary)  # fmt: skip
    except BaseException:
        if written is not None:
            _remove(written)
        raise
    if old and old != relative and not still_used:
        _remove(absolute(data_dir, old))
    return relative
