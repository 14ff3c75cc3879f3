"""Settings → Shop details: a section of its own (right after My account, in both
languages) with the shop details' form, the same form Printers & templates shows on its
Shop details tab; saving there keeps the details and the window's header follows."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.printing.content import ShopDetails
from primedist.printing.store import load_shop_details, save_shop_details
from primedist.services.context import ServiceContext
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import PrintersSettings
from primedist.ui.settings.shop import ShopDetailsForm, ShopSettings
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def titles(page: SettingsPage) -> list[str]:
    return [page.sections.item(i).text() for i in range(page.sections.count())]


@pytest.mark.parametrize(
    ("lang", "account", "shop"),
    [("en", "My account", "Shop details"), ("vi", "Tài khoản của tôi", "Thông tin cửa hàng")],
)
def test_the_section_is_listed_after_my_account(
    qtbot: Any, owner_ctx: ServiceContext, lang: str, account: str, shop: str
) -> None:
    from primedist.ui.i18n import install_language

    install_language(lang)
    try:
        page = show_widget(qtbot, SettingsPage(owner_ctx))
        listed = titles(page)
        assert listed[listed.index(account) + 1] == shop
        section = page.select_section("shop")
        assert isinstance(section, ShopSettings)
        assert page.sections.currentItem().text() == shop
    finally:
        install_language("en")


@pytest.mark.usefixtures("english")
def test_the_section_shows_and_saves_the_shop_details(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    save_shop_details(owner_ctx, ShopDetails(name="Tạp hóa Cô Ba", address="12 Lê Lợi, Q1"))
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    shop = page.select_section("shop")
    assert isinstance(shop, ShopSettings)
    form = shop.form
    assert form.fields["name"].text() == "Tạp hóa Cô Ba"
    assert form.fields["address"].text() == "12 Lê Lợi, Q1"
    assert form.title() == "Shop details on documents"
    form.fields["name"].setText("  ")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert shop.message.text() == "The shop name is required."
    form.fields["name"].setText("Tạp hóa Cô Ba 2")
    form.fields["phone"].setText("028 3822 1234")
    with qtbot.waitSignal(page.shopNameChanged) as named:  # the window's header follows
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert named.args == ["Tạp hóa Cô Ba 2"]
    assert shop.message.text() == "Shop details saved."
    kept = load_shop_details(owner_ctx)
    assert (kept.name, kept.phone, kept.address) == ("Tạp hóa Cô Ba 2", "028 3822 1234",
                                                     "12 Lê Lợi, Q1")  # fmt: skip


@pytest.mark.usefixtures("english")
def test_printers_shows_the_same_form_with_what_was_saved(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    """Printers & templates built first, the details saved in Shop details afterwards: its
    tab shows them when it shows again (an unchanged form reads them again)."""
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    printers = page.select_section("printers")
    assert isinstance(printers, PrintersSettings)
    assert isinstance(printers.shop_box, ShopDetailsForm)  # one form, not a copy
    printers.pages.setCurrentWidget(printers.shop_box)
    shop = page.select_section("shop")
    assert isinstance(shop, ShopSettings)
    shop.form.fields["phone"].setText("0909 123 456")
    assert shop.form.save()
    page.select_section("printers")
    qtbot.waitUntil(lambda: printers.shop_fields["phone"].text() == "0909 123 456")
