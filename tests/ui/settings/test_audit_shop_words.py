"""The audit log's shop rows in the reader's words (visual hunt, Vietnamese log): a shop's
link status read "active" as stored, and the summary of a marketplace app's credentials
kept the English "partner id"."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from primedist.core.messages import Message, restored
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ShopStatus
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui import messages
from primedist.ui.labels import ENUM_LABELS, enum_label

PARTNER_KEY = "shpk" + "5e" * 30
LAZADA_SECRET = "lzd0Secret0Of0The0App00000000000"

#: A stand-in Vietnamese catalogue (context "service") for the templates of these rows.
VIETNAMESE = {
    "{shop} ({channel}, {id_label} {app_id})": "{shop} ({channel}, {id_label}: {app_id})",
    "{shop}: {id_label} {app_id}": "{shop}: {id_label} là {app_id}",
    "partner id": "Partner ID",
    "app key": "App Key",
}


class Catalogue:
    """QCoreApplication.translate over VIETNAMESE (the rest as it is)."""

    @staticmethod
    def translate(context: str, text: str, *_args: Any) -> str:
        return VIETNAMESE.get(text, text) if context == "service" else text


@pytest.mark.usefixtures("english")
def test_every_shop_status_has_a_display_name() -> None:
    for status in ShopStatus:
        assert status.value in ENUM_LABELS, status
        assert enum_label(status.value) != status.value  # not the stored code
    assert enum_label("active") == "Active"
    assert enum_label("needs_reauth") == "Needs re-authorisation"


def summaries(ctx: ServiceContext) -> list[str]:
    """The shop rows' summaries as the audit log words them (stored text and values)."""
    table = table_of(AuditEvent)
    with ctx.engine.connect() as conn:
        query = sa.select(table.c.summary, table.c.summary_args)
        rows = conn.execute(query.where(table.c.entity_type == "shop").order_by(table.c.id))
    return [messages.localize(restored(text, args)) for text, args in rows]


@pytest.mark.usefixtures("english")
def test_the_app_id_of_a_shop_reads_in_the_readers_language(
    owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    shopee = channels.add_shop(owner_ctx, Channel.SHOPEE, name="Kho Shopee", app_id="2001887",
                               app_secret=PARTNER_KEY)  # fmt: skip
    channels.add_shop(owner_ctx, Channel.LAZADA, name="Kho Lazada", app_id="123456",
                      app_secret=LAZADA_SECRET)  # fmt: skip
    channels.set_partner(owner_ctx, shopee, partner_id="2001888", partner_key=PARTNER_KEY)
    english = [
        "Kho Shopee (Shopee, partner id 2001887)",
        "Kho Lazada (Lazada, app key 123456)",
        "Kho Shopee: partner id 2001888",
    ]
    assert summaries(owner_ctx) == english  # the English as before
    monkeypatch.setattr(messages, "QCoreApplication", Catalogue)
    assert summaries(owner_ctx) == [
        "Kho Shopee (Shopee, Partner ID: 2001887)",
        "Kho Lazada (Lazada, App Key: 123456)",
        "Kho Shopee: Partner ID là 2001888",
    ]
    app = channels.channel_app(Channel.SHOPEE)
    assert isinstance(app.id_label, Message) and app.id_label == "partner id"
