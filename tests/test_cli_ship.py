# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""`primedist ship ORDER… [--account] [--note] [--send] [--check] [--json]` against the
carrier sandbox on 127.0.0.1 (real HTTP, a real migrated database)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from primedist.carriers.ghn import CREATE_PATH
from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import Settings
from primedist.sandbox.carriers import (
    DEMO_GHN_SHOP_ID,
    DEMO_GHN_TOKEN,
    CarrierFault,
    CarrierSandbox,
)
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import ghn_id, sandbox  # noqa: F401  (fixtures)


def ship(cli: Any, settings: Settings, *argv: str) -> Any:
    return cli("--data-dir", str(settings.data_dir), "ship", *argv)


def number(ctx: ServiceContext, order_id: int) -> str:
    return order_svc.order_detail(ctx, order_id).order.external_id


def shipments(engine: sa.Engine) -> list[tuple[int, str, str | None]]:
    query = "SELECT order_id, required_note, carrier_order_code FROM shipments ORDER BY id"
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]


def test_ship_checks_then_queues_and_sends_naming_what_could_not_go(
    cli, settings, owner_ctx, engine, sandbox: CarrierSandbox, ghn_id
) -> None:
    good = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã")
    bad = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Không Có")
    numbers = [number(owner_ctx, good), number(owner_ctx, bad)]

    checked = ship(cli, settings, *numbers, "NOPE-1", "--check")
    assert checked.code == EXIT_ERROR, checked.err
    assert checked.out.splitlines() == [
        f"{numbers[0]}  ready — Phường Kim Mã, Quận Ba Đình, Hà Nội",
        f"{numbers[1]}  problem — Ward Phường Không Có is not in GHN's list for Hà Nội.",
        "NOPE-1  unknown — no such order",
    ]
    assert shipments(engine) == []  # --check ships nothing

    done = ship(cli, settings, numbers[0], "--note", "try", "--send", "--json")
    assert done.code == EXIT_OK, done.err
    data = done.json()
    assert data["account"] == "GHN main" and data["send"]["delivered"] == 1
    assert [(r["order"], r["state"], r["detail"]) for r in data["orders"]] == [
        (numbers[0], "sent", "GY000001VN")]  # fmt: skip
    assert shipments(engine) == [(good, "CHOTHUHANG", "GY000001VN")]

    again = ship(cli, settings, numbers[0])
    assert again.code == EXIT_ERROR
    assert "already has shipment GY000001VN" in again.out


def test_the_account_must_be_clear(cli, settings, owner_ctx, engine, sandbox, ghn_id) -> None:
    order = number(owner_ctx, order_to(owner_ctx, engine, province="Hà Nội", ward="P. Kim Mã"))
    svc.add_ghn_account(owner_ctx, "GHN kho 2", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID,
                        sandbox.ghn_url)  # fmt: skip
    several = ship(cli, settings, order)
    assert several.code == EXIT_ERROR
    assert "several carrier accounts: choose one with --account (GHN main, GHN kho 2)" in (
        several.err)  # fmt: skip
    wrong = ship(cli, settings, order, "--account", "GHN 3")
    assert wrong.code == EXIT_ERROR and "no active carrier account named 'GHN 3'" in wrong.err
    chosen = ship(cli, settings, order, "--account", "ghn KHO 2")
    assert chosen.code == EXIT_OK, chosen.err
    assert chosen.out.split()[:2] == [order, "queued"]


def test_a_create_answered_without_its_code_is_sent_once_and_recorded(
    cli, settings, owner_ctx, engine, sandbox: CarrierSandbox, ghn_id
) -> None:
    """GHN made the parcel but lost the order code in its answer: found by our client
    order code, recorded, not failed; shipping again names the live shipment."""
    order = number(owner_ctx, order_to(owner_ctx, engine, province="Hà Nội", ward="Kim Mã"))
    sandbox.inject(CarrierFault.CORRUPT, path=CREATE_PATH)
    sent = ship(cli, settings, order, "--send")
    assert sent.code == EXIT_OK, sent.out + sent.err
    assert sent.out.splitlines()[0] == f"{order}  sent — GY000001VN"
    again = ship(cli, settings, order, "--send")
    assert again.code == EXIT_ERROR and "already has shipment GY000001VN" in again.out
    assert len(sandbox.calls(CREATE_PATH)) == 1 and len(sandbox.shipments) == 1


def test_cash_on_delivery_past_the_limit_is_named_not_cut(
    cli, settings, owner_ctx, engine, sandbox: CarrierSandbox, ghn_id
) -> None:
    make_product(engine, "Tủ gỗ", [("TU-1", 5_980_000, 10)])  # two: 11,960,000 đ to collect
    order_id = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã", sku="TU-1",
                        qty=2)  # fmt: skip
    order = number(owner_ctx, order_id)
    done = ship(cli, settings, order, "--send")
    assert done.code == EXIT_ERROR
    assert done.out.splitlines() == [
        f"{order}  problem — The COD amount must be 0-10,000,000 đ (got 11,960,000 đ).",
    ]
    assert shipments(engine) == [] and sandbox.calls() == []


def test_help_says_each_item_weighs_its_variant_s_weight(cli) -> None:
    shown = cli("ship", "--help")
    assert shown.code == EXIT_OK
    text = " ".join(shown.out.split())
    assert "500 g per item" not in text
    assert "each item weighed at its variant's Weight (g), 500 g for an item with none" in text
    assert "30 kg, 10,000,000 đ cash on delivery" in text
