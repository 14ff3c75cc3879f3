"""Fetching a shop's listings links them to the catalogue by SKU (services.listing_pull).

These tests hand the service a scripted connector so every rule can be set up exactly;
tests/services/test_listing_pull_sandbox.py does the same over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import Action, AuthError, RemoteItem, RemoteModel
from primedist.domain.enums import Channel, Module, Role
from primedist.errors import Cancelled, PermissionDenied, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import Actor, ServiceContext
from primedist.services.listing_pull import pull_listings
from primedist.services.sync import sync_log
from tests.factories import make_shop


class Listed:
    """A connector that lists `items` (and nothing else)."""

    def __init__(self, items: list[RemoteItem], *, can_list: bool = True,
                 fail: Exception | None = None) -> None:  # fmt: skip
        self.items = items
        self.capabilities = frozenset({Action.LIST_ITEMS} if can_list else set())
        self.fail = fail
        self.closed = False

    def listed_items(self) -> Iterator[RemoteItem]:
        if self.fail is not None:
            raise self.fail
        yield from self.items

    def close(self) -> None:
        self.closed = True


def model(model_id: str | None, sku: str | None, *options: str, price: int = 150_000,
          stock: int | None = 7) -> RemoteModel:  # fmt: skip
    return RemoteModel(model_id, sku, tuple(options), price, stock)


def item(item_id: str, name: str, *models: RemoteModel, option_names: tuple[str, ...] = (),
         status: str = "NORMAL") -> RemoteItem:  # fmt: skip
    return RemoteItem(item_id, name, None, status, option_names, tuple(models))


def product(ctx: ServiceContext, name: str, *skus: str, shop_ids: list[int] | None = None,
            stock: int = 0) -> int:  # fmt: skip
    several = len(skus) > 1
    variants = [VariantDraft(sku=s, price=100_000, stock=stock, option1=s if several else None)
                for s in skus]  # fmt: skip
    return create_product(
        ctx,
        ProductDraft(
            name=name,
            option1_name="Loại" if several else None,
            variants=variants,
            shop_ids=shop_ids or [],
        ),
    )


def links(engine: Engine, shop_id: int) -> dict[str, tuple[str | None, str | None, bool]]:
    """{sku: (item id, model id, listing active)} of the shop's variant listings."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT v.sku, pl.external_id, vl.external_id, pl.is_active FROM variant_listings vl"
            " JOIN product_listings pl ON pl.id = vl.listing_id"
            " JOIN variants v ON v.id = vl.variant_id WHERE pl.shop_id = :s"
        ), {"s": shop_id}).all()  # fmt: skip
    return {sku: (item_id, model_id, bool(active)) for sku, item_id, model_id, active in rows}


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def outbox_after(engine: Engine, last_id: int) -> list[tuple[int, str, str]]:
    """(shop id, kind, payload) of the outbox messages written after message `last_id`."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT shop_id, kind, payload_json FROM outbox_messages WHERE id > :i"
                    " ORDER BY id"), {"i": last_id}
        ).all()  # fmt: skip
    return [(s, k, p) for s, k, p in rows]


def last_outbox_id(engine: Engine) -> int:
    return int(str(scalar(engine, "SELECT coalesce(max(id), 0) FROM outbox_messages")))


@pytest.fixture
def shop(engine: Engine) -> int:
    shop_id = make_shop(engine, "Shopee Nến Thơm", Channel.SHOPEE)
    make_shop(engine, "Lazada Nến Thơm", Channel.LAZADA)
    return shop_id


AO = item("9001", "Áo thun cotton", model("91", "AO-DO", "Đỏ"), model("92", "AO-XANH", "Xanh"),
          option_names=("Màu",))  # fmt: skip
NEN = item("9002", "Nến thơm oải hương", model(None, "NEN-OH", stock=3))


def test_products_are_linked_by_sku_and_a_second_pull_changes_nothing(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    published = product(owner_ctx, "Áo thun", "AO-DO", "AO-XANH", "AO-VANG", shop_ids=[shop])
    product(owner_ctx, "Nến oải hương", "NEN-OH", stock=3)  # not ticked for the shop yet
    before = links(engine, shop)
    assert before["AO-DO"] == (None, None, True)
    unlinked = "SELECT count(*) FROM products WHERE listed_shops LIKE '%u%'"
    assert scalar(engine, unlinked) == 1  # the Products list's "Not linked" chip
    last = last_outbox_id(engine)

    report = pull_listings(owner_ctx, shop, connector=Listed([AO, NEN]))

    assert (report.items, report.models) == (2, 3)
    assert report.listings_linked == 2 and report.models_linked == 3
    assert report.unlinked == [] and report.products_created == 0
    after = links(engine, shop)
    assert after["AO-DO"] == ("9001", "91", True)
    assert after["AO-XANH"] == ("9001", "92", True)
    assert after["AO-VANG"] == ("9001", None, True)  # not on Shopee: stays without a model
    assert after["NEN-OH"] == ("9002", None, True)  # a listing made for the product
    assert scalar(engine, unlinked) == 0
    assert scalar(engine, "SELECT count(*) FROM product_listings WHERE product_id = :p",
                  p=published) == 1  # fmt: skip
    # NEN-OH: 3 in the app and on Shopee; AO-DO/AO-XANH: 0 in the app, 7 on Shopee.
    assert report.stock_differs == 2 and report.stock_pushes == 0
    assert outbox_after(engine, last) == []
    assert (
        scalar(engine, "SELECT count(*) FROM audit_events WHERE action = 'shop.listings_pull'") == 1
    )

    (line,) = sync_log(owner_ctx, shop)  # the shop's log says what the fetch found
    assert line.level == "info" and "2 listings read; 2 linked now" in line.message

    again = pull_listings(owner_ctx, shop, connector=Listed([AO, NEN]))
    assert (again.listings_linked, again.models_linked, again.already_linked) == (0, 0, 2)
    assert links(engine, shop) == after
    assert (
        scalar(engine, "SELECT count(*) FROM audit_events WHERE action = 'shop.listings_pull'") == 1
    )


def test_what_cannot_be_linked_is_named_with_its_reason(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    product(owner_ctx, "Áo thun", "AO-DO")
    product(owner_ctx, "Áo xanh", "AO-XANH")
    linked_elsewhere = product(owner_ctx, "Ly sứ", "LY-1", shop_ids=[shop])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE product_listings SET external_id = '7777' WHERE product_id"
                             " = :p"), {"p": linked_elsewhere})  # fmt: skip
    items = [
        AO,  # its SKUs are on two products
        item("9003", "Không mã", model(None, None)),
        item("9004", "Chưa có", model(None, "NEW-1")),
        item("9005", "Ly sứ trắng", model(None, "LY-1")),  # the product has item 7777
        item("9006", "Trùng A", model(None, "DUP")),
        item("9007", "Trùng B", model(None, "DUP")),
    ]
    report = pull_listings(owner_ctx, shop, connector=Listed(items))

    reasons = {u.item_id: u.reason for u in report.unlinked}
    assert set(reasons) == {"9001", "9003", "9004", "9005", "9006", "9007"}
    assert "2 different products" in reasons["9001"]
    assert "no SKU" in reasons["9003"]
    assert "no product in the app has its SKUs" in reasons["9004"]
    assert "7777" in reasons["9005"]
    assert report.listings_linked == 0 and not report.changed
    assert links(engine, shop)["LY-1"] == ("7777", None, True)
    assert (
        scalar(engine, "SELECT count(*) FROM audit_events WHERE action = 'shop.listings_pull'") == 0
    )


def test_an_item_held_by_another_product_is_left_alone(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    holder = product(owner_ctx, "Nến cũ", "NEN-CU", shop_ids=[shop])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE product_listings SET external_id = '9002' WHERE product_id"
                             " = :p"), {"p": holder})  # fmt: skip
    product(owner_ctx, "Nến oải hương", "NEN-OH")
    report = pull_listings(owner_ctx, shop, connector=Listed([NEN]))
    assert [u.reason for u in report.unlinked] == ["another product is linked to this item already"]
    assert "NEN-OH" not in links(engine, shop)


def test_create_missing_makes_products_with_options_price_and_opening_stock(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    product(owner_ctx, "Nến thơm oải hương", "OTHER-SKU")  # same name, other SKUs
    last = last_outbox_id(engine)
    dress = item("9010", "Váy hoa  nhí", model("101", "VAY-S", "Hoa", "S", price=250_000,
                 stock=4), model("102", "VAY-M", "Hoa", "M", price=260_000, stock=0),
                 option_names=("Mẫu", "Size"))  # fmt: skip
    report = pull_listings(owner_ctx, shop, create_missing=True,
                           connector=Listed([dress, NEN]))  # fmt: skip

    assert (report.products_created, report.variants_created) == (1, 2)
    assert [u.item_id for u in report.unlinked] == ["9002"]
    assert "with this name" in report.unlinked[0].reason
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.name, v.sku, v.option1_name, v.option1, v.option2_name, v.option2,"
            " v.price, v.stock FROM variants v JOIN products p ON p.id = v.product_id"
            " WHERE v.sku LIKE 'VAY-%' ORDER BY v.sku"
        )).all()  # fmt: skip
        moves = conn.execute(sa.text(
            "SELECT v.sku, m.kind, m.quantity FROM stock_movements m"
            " JOIN variants v ON v.id = m.variant_id WHERE v.sku LIKE 'VAY-%'"
        )).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        ("Váy hoa nhí", "VAY-M", "Mẫu", "Hoa", "Size", "M", 260_000, 0),
        ("Váy hoa nhí", "VAY-S", "Mẫu", "Hoa", "Size", "S", 250_000, 4),
    ]
    assert [tuple(m) for m in moves] == [("VAY-S", "stock_in", 4)]
    assert links(engine, shop)["VAY-S"] == ("9010", "101", True)
    assert report.stock_differs == 0  # the opening stock is the platform's
    # The items are on the platform already: nothing is sent to create or update them.
    assert outbox_after(engine, last) == []

    again = pull_listings(owner_ctx, shop, create_missing=True, connector=Listed([dress]))
    assert (again.products_created, again.already_linked) == (0, 1)


def test_push_stock_sends_the_app_stock_to_this_shop_only(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    lazada = int(str(scalar(engine, "SELECT id FROM shops WHERE channel = 'lazada'")))
    product(owner_ctx, "Nến oải hương", "NEN-OH", shop_ids=[shop, lazada], stock=12)
    # The stock-in queued nothing: neither listing is linked to its item yet.
    assert [k for _s, k, _p in outbox_after(engine, 0) if k == "stock.push"] == []
    report = pull_listings(owner_ctx, shop, push_stock=True, connector=Listed([NEN]))
    assert report.stock_differs == 1 and report.stock_pushes == 1
    pushes = {s: p for s, k, p in outbox_after(engine, 0) if k == "stock.push"}
    # This shop's listing, linked by the pull, gets the app's 12; Lazada's, still not
    # linked, nothing.
    assert '"available": 12' in pushes[shop] and links(engine, shop)["NEN-OH"][0] == "9002"
    assert set(pushes) == {shop}


def test_permission_unsupported_platform_auth_and_cancel_write_nothing(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    product(owner_ctx, "Nến oải hương", "NEN-OH")
    cashier = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.ORDERS}))
    )
    with pytest.raises(PermissionDenied):
        pull_listings(cashier, shop, connector=Listed([NEN]))
    with pytest.raises(ValidationError, match="not available yet"):
        pull_listings(owner_ctx, shop, connector=Listed([NEN], can_list=False))
    connector = Listed([], fail=AuthError("Invalid access_token."))
    with pytest.raises(AuthError):
        pull_listings(owner_ctx, shop, connector=connector)
    assert scalar(engine, "SELECT status FROM shops WHERE id = :s", s=shop) == "needs_reauth"
    assert not connector.closed  # the caller's connector is the caller's to close
    progress = JobProgress()
    progress.cancel()
    with pytest.raises(Cancelled):
        pull_listings(owner_ctx, shop, connector=Listed([NEN] * 40), progress=progress)
    assert "NEN-OH" not in links(engine, shop)


def test_a_grouped_variant_sends_its_sku_groups_stock(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    from primedist.services.sku_groups import create_group

    product(owner_ctx, "Nến oải hương", "NEN-OH", stock=4)
    product(owner_ctx, "Nến oải hương (hộp quà)", "NEN-OH-QUA", stock=6)
    ids = [int(str(scalar(engine, "SELECT id FROM variants WHERE sku = :s", s=sku)))
           for sku in ("NEN-OH", "NEN-OH-QUA")]  # fmt: skip
    create_group(owner_ctx, "NEN", "Nến oải hương", variant_ids=ids)  # one stock of 10
    report = pull_listings(owner_ctx, shop, push_stock=True, connector=Listed([NEN]))
    assert report.listings_linked == 1 and report.stock_differs == 1  # 10 here, 3 there
    pushes = [p for s, k, p in outbox_after(engine, 0) if s == shop and k == "stock.push"]
    assert len(pushes) == 1 and '"available": 10' in pushes[0]


def test_two_items_of_one_product_link_the_first_and_an_item_read_twice_once(
    owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    product(owner_ctx, "Áo thun", "AO-DO", "AO-XANH")
    red = item("9101", "Áo đỏ", model(None, "AO-DO"))
    blue = item("9102", "Áo xanh", model(None, "AO-XANH"))
    report = pull_listings(owner_ctx, shop, connector=Listed([red, blue, red]))
    assert report.listings_linked == 1
    assert [(u.item_id, u.reason) for u in report.unlinked] == [
        ("9102", "its product is linked to item 9101 of this shop already")
    ]
    assert links(engine, shop)["AO-DO"] == ("9101", None, True)
