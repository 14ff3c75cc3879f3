"""Settings → Logistics: a regenerated GHN token entered on the same account (Update
token…), with real widgets against the carrier sandbox on 127.0.0.1; Home's feed words the
tracking job's notice of a refused token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from primedist.carriers.base import HttpSettings, RequiredNote
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.jobs import shipping as jobs
from primedist.sandbox.carriers import DEMO_GHN_SHOP_ID, DEMO_GHN_TOKEN, CarrierSandbox
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.reports import events
from primedist.ui.home.activity_text import describe
from primedist.ui.settings.logistics import LogisticsSettings
from tests.factories import make_product

WAIT_MS = 10_000
NEW_TOKEN = "ghn-regenerated-token"
FAST = HttpSettings(timeout=0.5, max_attempts=2, backoff_base=0.01, backoff_max=0.02)
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sandbox() -> Iterator[CarrierSandbox]:
    with CarrierSandbox() as sb:
        yield sb


def test_update_token_fills_the_form_checks_and_saves_on_the_same_account(
    qtbot, owner_ctx, sandbox
):
    account = svc.add_ghn_account(owner_ctx, "GHN Quận 1", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID,
                                  sandbox.ghn_url)  # fmt: skip
    sandbox.ghn_token = NEW_TOKEN  # regenerated on GHN: the stored one is refused
    page = LogisticsSettings(owner_ctx)
    qtbot.addWidget(page)
    assert not page.update_button.isEnabled()  # nothing chosen yet
    page.table.selectRow(0)
    page.update_button.click()
    assert page.form_title.text() == "Update the token of GHN Quận 1"
    assert page.add_button.text() == "Check and save"
    assert not page.carrier.isEnabled() and page.carrier.currentData() == "ghn"
    assert (page.name.text(), page.token.text(), page.shop_id.text(), page.host.text()) == (
        "GHN Quận 1", "", str(DEMO_GHN_SHOP_ID), sandbox.ghn_url)  # fmt: skip

    page.token.setText("typo")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=WAIT_MS)
    assert "refused" in page.message.text()
    qtbot.waitUntil(page.add_button.isEnabled, timeout=WAIT_MS)
    assert page.editing is not None  # still updating: the user types it again

    page.token.setText(NEW_TOKEN)
    page.add_button.click()
    qtbot.waitUntil(lambda: "new token works" in page.message.text(), timeout=WAIT_MS)
    assert page.editing is None and page.carrier.isEnabled()
    assert page.form_title.text() == "Add a delivery provider"
    assert page.token.text() == ""  # the secret does not stay on screen
    assert [(a.id, a.name) for a in svc.list_accounts(owner_ctx)] == [(account.id, "GHN Quận 1")]
    assert svc.carrier_for(owner_ctx, account.id).check_account()  # the new token is stored


def test_cancel_goes_back_to_adding(qtbot, owner_ctx, sandbox):
    svc.add_ghn_account(owner_ctx, "GHN", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID, sandbox.ghn_url)
    page = LogisticsSettings(owner_ctx)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.update_button.click()
    assert page.cancel_button.isVisibleTo(page)
    page.cancel_button.click()
    assert page.editing is None and not page.cancel_button.isVisibleTo(page)
    assert (page.name.text(), page.shop_id.text(), page.host.text()) == ("", "", "")
    assert page.add_button.text() == "Check and add"


def test_home_words_a_refused_token(owner_ctx, engine, sandbox):
    account = svc.add_ghn_account(owner_ctx, "GHN Quận 1", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID,
                                  sandbox.ghn_url)  # fmt: skip
    variant = make_product(engine, "Mũ", [("MU-1", 90_000, 5)])[0]
    order_id = order_svc.create_order(owner_ctx, order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Lan", ship_phone="0901234567",
        ship_address="1 Hai Bà Trưng")).id  # fmt: skip
    draft = svc.draft_for_order(owner_ctx, order_id, account.id)
    draft = replace(draft, to=replace(draft.to, ward_code="20101", district_id=1442),
                    service_id=53320, required_note=RequiredNote.NO_VIEW)  # fmt: skip
    svc.request_shipment(owner_ctx, order_id, draft)

    def fast(ctx, account_id):
        return svc.carrier_for(ctx, account_id, FAST)

    svc.deliver_carrier_outbox(owner_ctx, factory=fast)
    sandbox.ghn_token = NEW_TOKEN
    jobs.poll(owner_ctx, fast)
    [event] = [e for e in events(owner_ctx) if e.args.get("problem") == "token"]
    text = describe(event, "en")
    assert text.startswith("GHN account GHN Quận 1 can no longer track parcels: GHN: ")
    assert text.endswith("Update its token in Settings → Logistics.")
