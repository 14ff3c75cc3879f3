"""What Settings refuses to save, so the till never meets it: a list's item names where
there is no item, a list inside itself, an empty template, an image that cannot print, and
a thermal printer on sheet paper."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image

from primedist.errors import ValidationError
from primedist.printing import store
from primedist.printing.documents import order_documents
from primedist.printing.errors import TemplateError
from primedist.printing.model import DocumentType, Paper, PrintTarget, TargetKind
from primedist.printing.store import (
    check_template,
    default_template,
    is_customised,
    load_profile,
    load_template,
    save_profile,
    save_template,
)

NO_FEES = "{{^adjustments}}<p>{{amount}}</p>{{/adjustments}}"


def with_part(part: str, name: str = "receipt_80") -> str:
    """The shipped template with `part` just before its adjustments."""
    base = default_template(name)
    return base.replace("{{#adjustments}}", part + "{{#adjustments}}", 1)


def test_an_inverted_list_has_no_item_names(shop_ctx, sample_order):
    """`{{^adjustments}}` prints when there are none: `{{amount}}` has no value there. It
    was saved, then every order without fees failed at the till."""
    with pytest.raises(TemplateError) as err:
        save_template(shop_ctx, "receipt_80", with_part(NO_FEES))
    assert "{{amount}} can only be used inside" in err.value.user_message
    assert not is_customised(shop_ctx, "receipt_80")
    # Inside a list the outer list's item names are there; a plain text prints as asked.
    check_template("{{#lines}}{{^adjustments}}{{amount}}{{/adjustments}}{{/lines}}")
    save_template(shop_ctx, "receipt_80", with_part("{{^adjustments}}<p>Không phụ phí</p>"
                                                    "{{/adjustments}}"))  # fmt: skip
    (document,) = order_documents(shop_ctx, [sample_order.id], "receipt_80")
    assert "Không phụ phí" in document.html


def test_saving_fills_the_template_as_printing_will(shop_ctx, monkeypatch):
    """Whatever the check lets through, a template that cannot be filled (with values and
    lists, and with none) is not saved."""
    monkeypatch.setattr(store, "check", lambda *_args: None)  # only the trial fill is left
    with pytest.raises(TemplateError, match=r"\{\{amount\}\}"):
        save_template(shop_ctx, "receipt_80", with_part(NO_FEES))
    assert not is_customised(shop_ctx, "receipt_80")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<p>\n{{quantity}}</p>", "Line 2: {{quantity}} can only be used inside "
                                  "{{#lines}}…{{/lines}}."),
        ("{{#label}}x{{/label}}", "Line 1: {{#label}} can only be used inside "
                                  "{{#adjustments}}…{{/adjustments}}."),
        ("{{amount}}", "Line 1: {{amount}} can only be used inside one of these lists: "
                       "{{#lines}}…{{/lines}}, {{#adjustments}}…{{/adjustments}}."),
        ("{{#adjustments}}{{quantity}}{{/adjustments}}",
         "Line 1: {{quantity}} can only be used inside {{#lines}}…{{/lines}}."),
        ("{{staff_note}}", "Line 1: {{staff_note}} is not a known placeholder."),
    ],
)  # fmt: skip
def test_an_item_name_outside_its_list_says_where_it_belongs(template, message):
    with pytest.raises(TemplateError) as err:
        check_template(template)
    assert err.value.user_message == message


def test_a_list_inside_itself_is_refused(shop_ctx):
    """`{{#lines}}{{#lines}}{{#lines}}` printed every line for every line (512 rows)."""
    base = default_template("receipt_80")
    nested = base.replace("{{#lines}}", "{{#lines}}\n{{#lines}}", 1).replace(
        "{{/lines}}", "{{/lines}}{{/lines}}", 1
    )
    line = base[: base.index("{{#lines}}")].count("\n") + 2
    with pytest.raises(TemplateError) as err:
        save_template(shop_ctx, "receipt_80", nested)
    assert err.value.user_message == (
        f"Line {line}: {{{{#lines}}}} is inside {{{{#lines}}}} itself: a list cannot repeat "
        "inside itself."
    )
    assert not is_customised(shop_ctx, "receipt_80")
    check_template("{{#lines}}{{^lines}}never{{/lines}}{{#adjustments}}x{{/adjustments}}"
                   "{{/lines}}")  # fmt: skip


@pytest.mark.parametrize("text", ["", "  \n\t "])
def test_an_empty_template_is_refused(shop_ctx, text):
    """Saved, it said "saved" while printing used the shipped template."""
    with pytest.raises(ValidationError, match="The template is empty") as err:
        save_template(shop_ctx, "receipt_80", text)
    assert err.value.field == "template"
    assert not is_customised(shop_ctx, "receipt_80")
    assert load_template(shop_ctx, "receipt_80") == default_template("receipt_80")


@pytest.mark.parametrize(
    "source",
    ["https://example.com/logo.png", "logo.png", "/nope/logo.png", "{{shop_name}}",
     "{{shop_logo}}.png", ""],
)  # fmt: skip
def test_an_image_must_be_a_local_file_or_an_image_placeholder(shop_ctx, source):
    template = with_part(f'<p>\n<img src="{source}" width="60"></p>')
    line = template[: template.index(f'<img src="{source}"')].count("\n") + 1
    with pytest.raises(TemplateError) as err:
        save_template(shop_ctx, "receipt_80", template)
    assert err.value.user_message.startswith(f"Line {line}: the image {source} cannot be printed")
    assert "{{shop_logo}}" in err.value.user_message
    assert not is_customised(shop_ctx, "receipt_80")


def test_local_images_and_image_placeholders_are_kept(shop_ctx, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (30, 10), (200, 30, 30)).save(logo)
    images = (
        f"<img src=\"{logo}\"><img src='{logo.as_uri()}'><img src={{{{order_qr}}}}>"
        '<img width="9" src="{{ order_barcode }}"><img src="data:image/png;base64,AAAA">'
    )
    save_template(shop_ctx, "receipt_80", with_part(images))
    assert load_template(shop_ctx, "receipt_80") == with_part(images)


def test_a_thermal_printer_needs_a_roll(shop_ctx):
    """A network, USB or serial ESC/POS printer with A4/A5 was saved and failed only at the
    till; the refusal names the paper field."""
    receipt = load_profile(shop_ctx, DocumentType.RECEIPT)
    thermal = PrintTarget(TargetKind.NETWORK, host="192.168.1.50", port=9100)
    for paper in (Paper.A4, Paper.A5):
        with pytest.raises(ValidationError, match="Thermal") as err:
            save_profile(shop_ctx, replace(receipt, target=thermal, paper=paper))
        assert err.value.field == "paper"
    assert load_profile(shop_ctx, DocumentType.RECEIPT) == receipt  # nothing saved
    usb = PrintTarget(TargetKind.USB, usb_vendor=0x04B8, usb_product=0x0202)
    with pytest.raises(ValidationError):
        save_profile(shop_ctx, replace(receipt, target=usb, paper=Paper.A4))
    # A roll on the thermal printer, A4 on a system printer: both fine.
    save_profile(shop_ctx, replace(receipt, target=thermal, paper=Paper.ROLL_58))
    assert load_profile(shop_ctx, DocumentType.RECEIPT).paper == Paper.ROLL_58
    system = PrintTarget(TargetKind.SYSTEM, name="Laser")
    save_profile(shop_ctx, replace(receipt, target=system, paper=Paper.A4))
    assert load_profile(shop_ctx, DocumentType.RECEIPT).paper == Paper.A4
