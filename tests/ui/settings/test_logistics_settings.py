"""Settings → Logistics with real widgets against the carrier sandbox on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from primedist.sandbox.carriers import DEMO_GHN_SHOP_ID, DEMO_GHN_TOKEN, CarrierSandbox
from primedist.services import shipping as svc
from primedist.ui.settings.logistics import LogisticsSettings

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sandbox() -> Iterator[CarrierSandbox]:
    with CarrierSandbox() as sb:
        yield sb


def fill_ghn(page: LogisticsSettings, url: str, token: str) -> None:
    page.carrier.setCurrentIndex(0)
    page.name.setText("GHN Quận 1")
    page.token.setText(token)
    page.shop_id.setText(str(DEMO_GHN_SHOP_ID))
    page.host.setText(url)


def test_add_check_refresh_and_remove(qtbot, owner_ctx, sandbox):
    page = LogisticsSettings(owner_ctx)
    qtbot.addWidget(page)
    assert page.table.rowCount() == 0
    fill_ghn(page, sandbox.ghn_url, "wrong-token")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=WAIT_MS)
    assert "refused" in page.message.text()
    assert svc.list_accounts(owner_ctx) == []

    fill_ghn(page, sandbox.ghn_url, DEMO_GHN_TOKEN)
    page.add_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    assert page.table.item(0, 1).text() == "GHN Quận 1"
    assert page.token.text() == ""  # the secret does not stay on screen

    page.refresh_button.click()
    qtbot.waitUntil(lambda: "province" in page.message.text(), timeout=WAIT_MS)
    assert "3 province" in page.message.text()

    page.table.selectRow(0)
    assert page.remove_button.isEnabled()
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=WAIT_MS)
    assert svc.list_accounts(owner_ctx) == []


def test_jnt_shows_its_own_fields(qtbot, owner_ctx):
    page = LogisticsSettings(owner_ctx)
    qtbot.addWidget(page)
    assert not page._form.isRowVisible(4)
    page.carrier.setCurrentIndex(1)
    assert page._form.isRowVisible(4) and page._form.isRowVisible(5)
    assert page.captions[2].text() == "API account"
