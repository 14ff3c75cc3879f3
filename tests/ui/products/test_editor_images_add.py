"""Images refused when added, not at Save: past the 20 a product may have, the same picture
twice (a file already in the strip, or one the product already stores), and the service's
refusals are messages the UI translates (not English f-strings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from primedist.core.messages import Message
from primedist.errors import ValidationError
from primedist.services import catalogue as svc
from primedist.services.catalogue import ImageDraft, ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.product_images import prepare_image
from tests.ui.products.test_editor import Questions, open_editor

pytestmark = pytest.mark.usefixtures("quiet", "questions")


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """QMessageBox.question (closing a dialog with changes) answered without a box."""
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


def png(path: Path, shade: int) -> str:
    Image.new("RGB", (40, 30), (shade, 120, 200)).save(path)
    return str(path)


def test_the_editor_refuses_images_past_the_limit_when_they_are_added(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    files = [png(tmp_path / f"anh{i:02d}.png", i) for i in range(svc.MAX_IMAGES + 3)]
    problems = dialog.add_images(files)
    assert dialog.images.count() == svc.MAX_IMAGES
    assert problems == ["At most 20 images per product: anh20.png, anh21.png, anh22.png not added."]
    assert dialog.images_error.isVisible()


def test_the_same_picture_is_not_added_twice(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    first, second = png(tmp_path / "ao.png", 10), png(tmp_path / "quan.png", 20)
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Áo khoác", variants=[VariantDraft(sku="AK-1", price=300_000)],
        images=[ImageDraft(source=first)]))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    assert dialog.images.count() == 1
    copy = tmp_path / "ao-copy.png"
    copy.write_bytes(Path(first).read_bytes())
    problems = dialog.add_images([first, second, second, str(copy)])
    assert dialog.images.count() == 2  # the stored one and quan.png
    assert problems == [
        "ao.png is already among the images: not added again.",
        "quan.png is already among the images: not added again.",
        "ao-copy.png is already among the images: not added again.",
    ]


@pytest.mark.parametrize(
    ("content", "template"),
    [
        (None, "the file cannot be found."),
        (b"cut", "the image is damaged or cut short."),
        (b"", "the file is empty."),
    ],
)
def test_image_refusals_are_translatable_messages(
    tmp_path: Path, content: bytes | None, template: str
) -> None:
    path = tmp_path / "huge.png"
    if content == b"cut":  # a real PNG cut short
        Image.effect_noise((400, 400), 60).save(path)
        content = path.read_bytes()[:2000]
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        prepare_image(path)
    reason = caught.value.reason
    assert isinstance(reason, Message) and reason.template == "{file}: {why}"
    assert reason.values["file"] == "huge.png"
    assert isinstance(reason.values["why"], Message) and reason.values["why"].template == template
    assert reason == f"huge.png: {template}"


def test_a_tiff_and_a_huge_image_are_refused_with_translatable_messages(tmp_path: Path) -> None:
    tiff = tmp_path / "scan.tif"
    Image.new("RGB", (10, 10)).save(tiff)
    with pytest.raises(ValidationError) as caught:
        prepare_image(tiff)
    why = caught.value.reason.values["why"]
    assert (why.template, why.values) == (
        "{format} images are not supported; use JPEG, PNG, WebP, GIF or BMP.",
        {"format": "TIFF"},
    )
