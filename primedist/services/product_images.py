"""Product images: checked, copied into the data dir, with a 96 × 96 thumbnail.

An image is read once (at most 10 MB) and decoded with Pillow before anything is written:
a file that is not an image, is cut short or is too big is refused with a message naming
it. The copy goes to `<data dir>/images/products/<product id>/<content hash>.<ext>` (the
same picture added twice is one file) and its thumbnail, fitted into 96 × 96 with the
aspect kept, next to it as `<hash>.thumb.jpg` (JPEG sources) or `.thumb.png`. The database
stores both paths relative to the data dir, with `/` separators.

`ImageFiles` tracks what one unit of work wrote: the service writes the files before its
commit and calls `discard()` when the transaction fails (nothing half-done), or
`finish()` after the commit to delete the files of images the edit removed.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from primedist.core.messages import Message, msg
from primedist.errors import ValidationError

MAX_BYTES = 10 * 1024 * 1024
THUMB_SIZE = 96
#: Decoding more pixels than this is refused (a tiny file can unpack to gigabytes).
MAX_PIXELS = 50_000_000
#: Pillow format -> file extension of the stored copy.
FORMATS: dict[str, str] = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "GIF": ".gif",
    "BMP": ".bmp",
}
IMAGES_DIR = "images/products"


@dataclass(frozen=True)
class PreparedImage:
    """A checked image in memory: its bytes, what it is, and its thumbnail."""

    source: Path
    data: bytes
    digest: str
    ext: str
    thumb: Image.Image
    thumb_ext: str


def _refuse(source: Path, why: Message) -> ValidationError:
    # A msg(): the editor shows it in the UI's language.
    return ValidationError(msg("{file}: {why}", file=source.name, why=why), field="images")


def prepare_image(source: str | os.PathLike[str]) -> PreparedImage:
    """Read and decode `source` and build its thumbnail; ValidationError (field "images")
    when it is missing, unreadable, larger than 10 MB or not a JPEG/PNG/WebP/GIF/BMP."""
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError:
        raise _refuse(path, msg("the file cannot be found.")) from None
    if not path.is_file():
        raise _refuse(path, msg("this is not a file."))
    if size > MAX_BYTES:
        mb = f"{size / (1024 * 1024):.1f}"
        raise _refuse(path, msg("the image is {size} MB; the limit is 10 MB.", size=mb))
    if size == 0:
        raise _refuse(path, msg("the file is empty."))
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = str(exc.strerror or exc)
        raise _refuse(path, msg("the file cannot be read ({reason}).", reason=reason)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                if fmt not in FORMATS:
                    raise _refuse(path, msg("{format} images are not supported; use JPEG, "
                                            "PNG, WebP, GIF or BMP.", format=fmt)
                                  if fmt else msg("this image format is not supported; use "
                                                  "JPEG, PNG, WebP, GIF or BMP."))  # fmt: skip
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise _refuse(path, msg("the image is {width} × {height} pixels; too "
                                            "large.", width=width, height=height))  # fmt: skip
                if fmt == "JPEG":
                    img.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))
                img.load()
                thumb = ImageOps.exif_transpose(img)
                thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(path, msg("this is not an image Primedist can read.")) from None
    except (OSError, SyntaxError, ValueError):  # truncated or corrupt data
        raise _refuse(path, msg("the image is damaged or cut short.")) from None
    if fmt == "JPEG":
        thumb_ext = ".jpg"
        if thumb.mode != "RGB":
            thumb = thumb.convert("RGB")
    else:
        thumb_ext = ".png"
        if thumb.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            thumb = thumb.convert("RGBA")
    digest = hashlib.sha256(data).hexdigest()[:32]
    return PreparedImage(path, data, digest, FORMATS[fmt], thumb, thumb_ext)


def check_image(source: str | os.PathLike[str]) -> None:
    """Raise ValidationError unless `source` is an image the catalogue accepts."""
    prepare_image(source)


def product_dir(data_dir: Path, product_id: int) -> Path:
    return data_dir / IMAGES_DIR / str(product_id)


def absolute(data_dir: Path, relative: str) -> Path:
    """The file of a stored (data-dir relative) image path."""
    return data_dir.joinpath(*relative.split("/"))


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass
class ImageFiles:
    """The files one unit of work writes or gives up (see the module docstring)."""

    data_dir: Path
    created: list[Path] = field(default_factory=list)
    obsolete: list[Path] = field(default_factory=list)

    def store(self, product_id: int, image: PreparedImage) -> tuple[str, str]:
        """Copy the image and write its thumbnail; returns (path, thumb path) relative to
        the data dir. A file already there (same content) is kept as it is."""
        folder = product_dir(self.data_dir, product_id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{image.digest}{image.ext}"
            thumb = folder / f"{image.digest}.thumb{image.thumb_ext}"
            if not target.exists():
                _write(target, image.data)
                self.created.append(target)
            if not thumb.exists():
                buffer = io.BytesIO()
                if image.thumb_ext == ".jpg":
                    image.thumb.save(buffer, "JPEG", quality=85)
                else:
                    image.thumb.save(buffer, "PNG", optimize=True)
                _write(thumb, buffer.getvalue())
                self.created.append(thumb)
        except OSError as exc:
            raise ValidationError(
                msg(
                    "{file}: cannot be saved in the data folder ({reason}).",
                    file=image.source.name,
                    reason=str(exc.strerror or exc),
                ),
                field="images",
            ) from None
        base = f"{IMAGES_DIR}/{product_id}"
        return f"{base}/{target.name}", f"{base}/{thumb.name}"

    def remove_later(self, *relative: str | None) -> None:
        """Delete these files in `finish()` (after the commit)."""
        self.obsolete += [absolute(self.data_dir, r) for r in relative if r]

    def discard(self) -> None:
        """The transaction failed: remove every file this unit of work wrote."""
        self._remove(self.created)
        self.created.clear()
        self.obsolete.clear()

    def finish(self) -> None:
        """The transaction committed: remove the files of images no longer used."""
        self._remove([p for p in self.obsolete if p not in self.created])
        self.created.clear()
        self.obsolete.clear()

    @staticmethod
    def _remove(paths: list[Path]) -> None:
        folders = set()
        for path in paths:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                continue  # best effort: a left-over file does no harm
            folders.add(path.parent)
        for folder in folders:
            try:
                folder.rmdir()  # only when empty
            except OSError:
                pass
