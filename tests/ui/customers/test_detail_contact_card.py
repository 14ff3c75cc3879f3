"""The customer detail's contact card: a long email breaks onto more lines after its "@"
or a "." (cut with "…", whole in its tooltip, only past three lines) instead of widening
the card's grid past the card, so a value that wraps (the points, "còn … / đã tích …")
gets the height of its two lines."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.services.context import ServiceContext
from primedist.ui.customers.detail import CustomerDetailDialog
from tests.factories import make_customers
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "app_style")
customers_t = table_of(Customer)
EMAIL = "trinh.hoang.thi.nguyen986@gmail.com"


@pytest.fixture
def customer_id(engine: Engine) -> int:
    (cid,) = make_customers(engine, 1, names=["Hoàng Thị Trinh"])
    with engine.begin() as conn:
        conn.execute(
            customers_t.update()
            .where(customers_t.c.id == cid)
            .values(email=EMAIL, points_balance=1_234_711, points_earned=12_345_711)
        )
    return cid


def test_every_contact_value_is_readable_in_vietnamese(
    qtbot, owner_ctx: ServiceContext, customer_id: int, vietnamese
) -> None:
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, customer_id), 1040, 720)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    card = dialog.contact_values["points"].parentWidget()
    points = dialog.contact_values["points"]
    assert points.text() == "còn 1.234.711 / đã tích 12.345.711"
    # Too wide for one line beside its caption: it wraps, and the grid gives it the
    # height of all its lines (the earned figure was cut off below the first).
    assert points.heightForWidth(points.width()) > points.fontMetrics().height() * 3 // 2
    qtbot.waitUntil(lambda: points.height() >= points.heightForWidth(points.width()), timeout=1000)
    email = dialog.contact_values["email"]
    # Whole, on three lines: "hoa.tran379@icloud.c…" was all there was of an email.
    assert email.text().replace("\n", "") == EMAIL == email.full_text()
    assert email.text().count("\n") == 2 and email.toolTip() == ""
    assert email.height() >= 3 * email.fontMetrics().lineSpacing()
    # Every value ends inside the card (the email ran past its edge, cut mid-letter).
    right = card.contentsRect().right()
    for key, value in dialog.contact_values.items():
        assert value.mapTo(card, QPoint(value.width(), 0)).x() <= right, key


def test_a_short_email_is_shown_whole(
    qtbot, owner_ctx: ServiceContext, customer_id: int, engine: Engine
) -> None:
    with engine.begin() as conn:
        conn.execute(
            customers_t.update().where(customers_t.c.id == customer_id).values(email="lan@a.vn")
        )
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, customer_id), 1040, 720)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    email = dialog.contact_values["email"]
    assert email.text() == "lan@a.vn"
    assert email.toolTip() == ""


def test_an_email_breaks_after_its_at_and_only_an_endless_one_is_cut(
    qtbot, owner_ctx: ServiceContext, customer_id: int, engine: Engine, vietnamese
) -> None:
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, customer_id), 1040, 720)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    email = dialog.contact_values["email"]
    email.setText("hoa.tran379@icloud.com")  # too long by a few letters, as in the demo
    assert email.text() == "hoa.tran379@\nicloud.com" and email.toolTip() == ""
    endless = "x" * 30 + "@" + "y" * 60 + ".com"
    email.setText(endless)
    assert email.text().endswith("…") and email.toolTip() == endless
