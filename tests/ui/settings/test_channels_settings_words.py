"""Settings → Sales channels says what is true: an empty list explains how a shop gets
connected (or its orders imported instead), the banner says per channel what the app sends
back by itself, and the message under the buttons follows the language and goes once it
is no longer true."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.domain.enums import Channel
from primedist.errors import ValidationError
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.messages import error_text
from primedist.ui.settings.channels import ChannelsSettings
from tests.factories import make_shop
from tests.ui.settings.test_channels_settings import add, link

pytestmark = pytest.mark.usefixtures("quiet", "english")


def settings(qtbot: Any, ctx: ServiceContext) -> ChannelsSettings:
    widget = ChannelsSettings(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_an_empty_list_says_how_to_connect_a_shop_or_import_instead(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    widget = settings(qtbot, owner_ctx)
    assert widget.table.rowCount() == 0
    hint = widget.empty_hint
    assert hint.isVisible()
    text = hint.text()
    assert text.startswith("No marketplace shop yet.")
    assert "app's ID and key" in text and "open platform" in text
    for console in ("Shopee: Shopee Open Platform → App list",
                    "Lazada: Lazada Open Platform → App Console",
                    "TikTok Shop: TikTok Shop Partner Center → App & Service",
                    "Tiki: Tiki Open API (open.tiki.vn) → My apps"):  # fmt: skip
        assert console in text
    # The place the app really has for a Seller Center file.
    assert "Orders → Import" in text and "Seller Center" in text
    add(owner_ctx, "Prime Shopee")
    widget.reload()
    assert widget.table.rowCount() == 1 and not hint.isVisible()


def test_the_banner_says_per_channel_what_goes_back_by_itself(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    widget = settings(qtbot, owner_ctx)
    text = widget.explanation.text()
    assert "go back by themselves" not in text  # not true of every channel
    lines = text.splitlines()
    assert lines[1:] == [
        "• Shopee: the app sends order confirmations, cancellations and stock by itself.",
        "• Lazada, TikTok Shop: the app sends stock by itself; handle order confirmations "
        "and cancellations in Seller Center.",
        "• Tiki: the app sends nothing back; handle order confirmations, cancellations and "
        "stock in Seller Center.",
    ]


def test_the_connected_message_follows_the_language_and_goes_when_untrue(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    shop_id = add(owner_ctx, "LZ Sandbox")
    link(owner_ctx, shop_id, "200000600")
    widget = settings(qtbot, owner_ctx)
    install_language("vi")
    qtbot.waitUntil(lambda: widget.title.text() != "Sales channels")
    widget._linked(channels.channel_shop(owner_ctx, shop_id))
    vietnamese = widget.message.text()
    assert vietnamese.startswith("Đã kết nối LZ Sandbox")
    install_language("en")
    english = (
        "LZ Sandbox is connected (marketplace shop 200000600). Fetch listings to link its "
        "items to your products."
    )
    qtbot.waitUntil(lambda: widget.title.text() == "Sales channels")  # retranslated
    assert widget.message.text() == english
    # Disconnected elsewhere (the CLI, another PC): the next refresh no longer says it.
    channels.disconnect_shop(owner_ctx, shop_id)
    widget.reload()
    assert widget.message.text() == ""


def test_a_shop_never_authorised_stays_not_linked_and_the_list_is_not_empty(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    make_shop(owner_ctx.engine, "Prime Store - Lazada", Channel.LAZADA)
    widget = settings(qtbot, owner_ctx)
    assert widget.table.rowCount() == 1 and not widget.empty_hint.isVisible()
    assert widget.status_text(widget.shops[0]) == "Not linked"


def test_an_empty_partner_id_reads_in_vietnamese_with_its_label(qapp: Any) -> None:
    """The label is translated too ("Partner ID"), not left as the English "partner id"."""
    with pytest.raises(ValidationError) as err:
        channels.clean_partner("", "k" * 16, Channel.SHOPEE)
    install_language("vi")
    try:
        assert error_text(err.value) == "Partner ID đang trống."
    finally:
        install_language("en")
