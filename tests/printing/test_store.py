"""Stored printing settings: profiles, shop details and the logo on documents."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image

from primedist.errors import PermissionDenied, ValidationError
from primedist.printing.content import ShopDetails
from primedist.printing.documents import order_documents
from primedist.printing.model import DocumentType, Paper, PrintProfile, PrintTarget, TargetKind
from primedist.printing.store import (
    PROFILES_KEY,
    load_profile,
    load_shop_details,
    save_profile,
    save_shop_details,
)
from primedist.services.app_settings import get_setting, put_setting
from primedist.ui.printing import render
from tests.printing.support import run


def test_profile_roundtrip_and_defaults(shop_ctx):
    receipt = load_profile(shop_ctx, DocumentType.RECEIPT)
    assert (receipt.template, receipt.paper, receipt.target.name) == (
        "receipt_80",
        Paper.ROLL_80,
        "",
    )
    serial = PrintTarget(TargetKind.SERIAL, device="/dev/ttyUSB0", baudrate=19200)
    wanted = replace(receipt, template="receipt_58", paper=Paper.ROLL_58, target=serial,
                     open_drawer=True)  # fmt: skip
    save_profile(shop_ctx, wanted)
    assert load_profile(shop_ctx, DocumentType.RECEIPT) == wanted
    assert load_profile(shop_ctx, DocumentType.INVOICE).template == "invoice_a4"


def test_broken_stored_profile_falls_back(shop_ctx):
    with shop_ctx.uow() as session:
        put_setting(shop_ctx, session, PROFILES_KEY, {
            "receipt": {"template": "invoice_a4", "paper": "roll_99", "target": {"kind": "system",
                        "name": "P", "colour": "red"}},
        })  # fmt: skip
    profile = load_profile(shop_ctx, DocumentType.RECEIPT)
    assert (profile.template, profile.paper, profile.target.name) == (
        "receipt_80",
        Paper.ROLL_80,
        "P",
    )


def test_template_must_match_the_document(shop_ctx):
    with pytest.raises(ValidationError, match="not for receipt"):
        save_profile(shop_ctx, PrintProfile(DocumentType.RECEIPT, "invoice_a4", Paper.A4))


def test_staff_without_settings_cannot_change_printing(ctx, shop_ctx):
    with pytest.raises(PermissionDenied):
        save_shop_details(shop_ctx.with_actor(_staff(ctx)), ShopDetails(name="X"))


def _staff(ctx):
    """A staff account of the store with no module (permissions follow its stored row)."""
    from primedist.domain.enums import Role
    from primedist.services import auth, staff

    owner = ctx.with_actor(auth.owner_actor(ctx))
    issued = staff.add_staff(owner, name="Staff", email="s@x.vn", role=Role.STAFF)
    return auth.login(ctx, "s@x.vn", issued.one_time_password)


def test_shop_details_keep_the_rest_of_the_profile(shop_ctx):
    with shop_ctx.uow() as session:
        before = get_setting(session, "shop.profile")
    assert before["name"] == "Nến Thơm Sài Gòn"
    save_shop_details(shop_ctx, replace(load_shop_details(shop_ctx), footer=" Hẹn gặp lại! "))
    with shop_ctx.uow() as session:
        after = get_setting(session, "shop.profile")
    assert after == {**before, "footer": "Hẹn gặp lại!"}


def test_logo_prints_when_set(qapp, shop_ctx, sample_order, tmp_path):
    def images(pdf) -> int:
        return len(run("pdfimages", "-list", str(pdf)).splitlines()) - 2

    plain = render.print_to_pdf(order_documents(shop_ctx, [sample_order.id], "receipt_80"),
                                tmp_path / "plain.pdf")  # fmt: skip
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (900, 300), (200, 30, 30, 255)).save(logo)
    save_shop_details(shop_ctx, replace(load_shop_details(shop_ctx), logo_path=str(logo)))
    with_logo = render.print_to_pdf(order_documents(shop_ctx, [sample_order.id], "receipt_80"),
                                    tmp_path / "logo.pdf")  # fmt: skip
    assert images(with_logo) == images(plain) + 1
    # A logo file that is gone is left out, never an error (the copy kept in the data dir).
    (shop_ctx.settings.data_dir / load_shop_details(shop_ctx).logo_path).unlink()
    render.print_to_pdf(order_documents(shop_ctx, [sample_order.id], "receipt_80"),
                        tmp_path / "gone.pdf")  # fmt: skip
    assert images(tmp_path / "gone.pdf") == images(plain)
