"""Look-ups of the sale screen: scanned codes, product and customer search, quick create."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.customer import Address, Customer, CustomerPhone
from primedist.domain.enums import Module, ProductStatus, Rank, Role
from primedist.domain.product import Product, SkuGroup, Variant
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.services import sale_lookup as svc
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_customers, make_product


@pytest.fixture
def shirts(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S (99,000 đ, 10) and AO-M (120,000 đ, 3) of "Áo thun cotton", with barcodes."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                        barcodes=["8930000000011", "8930000000028"])  # fmt: skip


def update(engine: Engine, model: type, where: object, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(model).where(where).values(**values))  # type: ignore[arg-type]


def staff(ctx: ServiceContext, *modules: Module) -> ServiceContext:
    return ctx.with_actor(Actor(id=None, name="Lan", email="lan@example.vn", role=Role.STAFF,
                                modules=frozenset(modules)))  # fmt: skip


# --------------------------------------------------------------------------- codes


def test_barcode_finds_the_variant_with_price_and_stock(
    owner_ctx: ServiceContext, shirts: list[int]
) -> None:
    hit = svc.find_variant_by_code(owner_ctx, " 8930000000028 ")
    assert hit == svc.VariantHit(shirts[1], "Áo thun cotton", "V2", "AO-M", "8930000000028",
                                 120_000, 3)  # fmt: skip
    assert svc.find_variant_by_code(owner_ctx, "893000000002") is None  # exact only
    assert svc.find_variant_by_code(owner_ctx, "") is None


def test_sku_matches_in_any_case(
    owner_ctx: ServiceContext, shirts: list[int], engine: Engine
) -> None:
    for code in ("AO-S", "ao-s", "Ao-S"):
        hit = svc.find_variant_by_code(owner_ctx, code)
        assert hit is not None and hit.variant_id == shirts[0], code
    assert svc.find_variant_by_code(owner_ctx, "AO") is None
    (mixed,) = make_product(engine, "Tất", [("Tat-Mix", 15_000, 5)])
    hit = svc.find_variant_by_code(owner_ctx, "tAT-mIX")
    assert hit is not None and hit.variant_id == mixed


def test_the_sku_as_typed_wins_over_one_that_differs_only_in_case(
    owner_ctx: ServiceContext, shirts: list[int], engine: Engine
) -> None:
    (lower,) = make_product(engine, "Áo lót", [("ao-s", 90_000, 1)])  # a newer "AO-S"
    hit = svc.find_variant_by_code(owner_ctx, "ao-s")
    assert hit is not None and hit.variant_id == lower
    hit = svc.find_variant_by_code(owner_ctx, "AO-S")
    assert hit is not None and hit.variant_id == shirts[0]


def test_codes_find_only_sellable_variants(
    engine: Engine, owner_ctx: ServiceContext, shirts: list[int]
) -> None:
    update(engine, Variant, Variant.id == shirts[0], is_active=False)
    assert svc.find_variant_by_code(owner_ctx, "8930000000011") is None
    assert [h.sku for h in svc.search_variants(owner_ctx, "ao-")] == ["AO-M"]
    update(engine, Product, sa.true(), status=ProductStatus.ARCHIVED)
    assert svc.find_variant_by_code(owner_ctx, "AO-M") is None


def test_price_is_the_discount_price_and_stock_the_groups(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    with engine.begin() as conn:
        group = conn.execute(
            sa.insert(SkuGroup).values(
                code="PS1",
                name="Bình nước",
                stock=7,
                reserved=2,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )  # fmt: skip
        ).inserted_primary_key[0]  # type: ignore[index]
    (vid,) = make_product(engine, "Bình nước", [("BN-1", 50_000, 99)], sku_group_id=group)
    update(engine, Variant, Variant.id == vid, discount_price=45_000, reserved=1)
    hit = svc.find_variant_by_code(owner_ctx, "BN-1")
    assert hit is not None and hit.price == 45_000 and hit.available == 5
    assert hit.variant_name is None


# --------------------------------------------------------------------------- product search


def test_search_folds_names(owner_ctx: ServiceContext, shirts: list[int], engine: Engine) -> None:
    make_product(engine, "Đèn bàn học", [("DEN-01", 250_000, 4)])
    assert [h.sku for h in svc.search_variants(owner_ctx, "ao thun")] == ["AO-S", "AO-M"]
    assert [h.sku for h in svc.search_variants(owner_ctx, "den ban")] == ["DEN-01"]
    assert [h.sku for h in svc.search_variants(owner_ctx, "ĐÈN")] == ["DEN-01"]
    assert svc.search_variants(owner_ctx, "bút") == []
    assert svc.search_variants(owner_ctx, "  ") == []


def test_search_by_sku_prefix_and_barcode(
    owner_ctx: ServiceContext, shirts: list[int], engine: Engine
) -> None:
    make_product(engine, "Áo khoác", [("AOK-1", 300_000, 2)])
    # SKU-prefix hits first (by SKU), then the other name matches.
    assert [h.sku for h in svc.search_variants(owner_ctx, "AO-")] == ["AO-M", "AO-S", "AOK-1"]
    assert [h.sku for h in svc.search_variants(owner_ctx, "ao-m")][0] == "AO-M"
    assert [h.sku for h in svc.search_variants(owner_ctx, "aok")] == ["AOK-1"]
    assert [h.sku for h in svc.search_variants(owner_ctx, "89300000000")] == ["AO-S", "AO-M"]
    # Each variant once, though it matches both by SKU and by name.
    assert [h.sku for h in svc.search_variants(owner_ctx, "ao")] == ["AO-M", "AO-S", "AOK-1"]
    assert [h.sku for h in svc.search_variants(owner_ctx, "khoac")] == ["AOK-1"]


def test_search_limit(owner_ctx: ServiceContext, engine: Engine) -> None:
    make_product(engine, "Tất cổ ngắn", [(f"TAT-{i:02d}", 15_000, 5) for i in range(30)])
    assert len(svc.search_variants(owner_ctx, "tat")) == 20
    assert len(svc.search_variants(owner_ctx, "tat co", limit=7)) == 7
    assert len(svc.search_variants(owner_ctx, "TAT-1", limit=5)) == 5
    assert svc.search_variants(owner_ctx, "tat", limit=0) == []


# --------------------------------------------------------------------------- customers


@pytest.fixture
def people(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    return make_customers(engine, 3, names=["Nguyễn Thị Hòa", "Đặng Văn Đạt", "Trần Minh Khoa"])


def test_customer_search_folds_names(owner_ctx: ServiceContext, people: list[int]) -> None:
    assert [h.id for h in svc.search_customers(owner_ctx, "hoa")] == [people[0]]
    assert [h.id for h in svc.search_customers(owner_ctx, "dang")] == [people[1]]
    assert [h.id for h in svc.search_customers(owner_ctx, "DANG VAN dat")] == [people[1]]
    hit = svc.search_customers(owner_ctx, "khoa")[0]
    assert (hit.name, hit.code, hit.points_balance) == ("Trần Minh Khoa", f"KH{people[2]:06d}", 0)
    assert isinstance(hit.rank, Rank) and hit.phone is not None
    assert svc.search_customers(owner_ctx, "") == []


def test_customer_search_by_phone_in_any_format_and_code(
    engine: Engine, owner_ctx: ServiceContext, people: list[int]
) -> None:
    update(engine, CustomerPhone, CustomerPhone.customer_id == people[0], phone="0939921717")
    update(engine, Customer, Customer.id == people[0],
           search_text="nguyen thi hoa kh000001 0939921717 84939921717")  # fmt: skip
    for query in ("0939 921 717", "+84939921717", "84 939 921 717", "0939921"):
        assert [h.id for h in svc.search_customers(owner_ctx, query)] == [people[0]], query
    assert svc.search_customers(owner_ctx, "hoa")[0].phone == "0939921717"
    code = f"KH{people[1]:06d}"
    assert [h.id for h in svc.search_customers(owner_ctx, code.lower())] == [people[1]]


def test_customer_search_skips_deleted_and_limits(
    engine: Engine, owner_ctx: ServiceContext, people: list[int]
) -> None:
    update(engine, Customer, Customer.id == people[0], deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert svc.search_customers(owner_ctx, "hoa") == []
    assert svc.get_customer(owner_ctx, people[0]) is None
    ids = make_customers(engine, 30, names=["Lê Thị Lan"])
    found = svc.search_customers(owner_ctx, "le thi lan", limit=5)
    assert [h.id for h in found] == ids[::-1][:5]  # newest first


def test_default_address(engine: Engine, owner_ctx: ServiceContext, people: list[int]) -> None:
    assert svc.default_address(owner_ctx, people[0]) is None
    with engine.begin() as conn:
        conn.execute(sa.insert(Address), [
            {"customer_id": people[0], "recipient": None, "phone": None, "street": "1 Lê Lợi",
             "ward": None, "province": "Huế", "is_default": False,
             "created_at": datetime(2026, 1, 1, tzinfo=UTC)},
            {"customer_id": people[0], "recipient": "Hòa", "phone": "0939921717",
             "street": "12 Lý Tự Trọng", "ward": "Phường Bến Thành", "province": "TP. Hồ Chí Minh",
             "is_default": True, "created_at": datetime(2026, 1, 1, tzinfo=UTC)},
        ])  # fmt: skip
    address = svc.default_address(owner_ctx, people[0])
    assert address == svc.DeliveryAddress("Hòa", "0939921717", "12 Lý Tự Trọng",
                                          "TP. Hồ Chí Minh", "Phường Bến Thành")  # fmt: skip


# --------------------------------------------------------------------------- quick create


def test_quick_create_with_only_a_name(engine: Engine, owner_ctx: ServiceContext) -> None:
    hit = svc.quick_create_customer(owner_ctx, "  Phạm   Thu Hà ")
    assert hit.name == "Phạm Thu Hà" and hit.code == f"KH{hit.id:06d}" and hit.phone is None
    assert (hit.rank, hit.points_balance) == (Rank.COPPER, 0)
    assert [h.id for h in svc.search_customers(owner_ctx, "pham thu ha")] == [hit.id]
    assert [h.id for h in svc.search_customers(owner_ctx, hit.code)] == [hit.id]
    with engine.connect() as conn:
        source = conn.execute(sa.select(Customer.source).where(Customer.id == hit.id)).scalar()
        audit = conn.execute(sa.select(AuditEvent.action, AuditEvent.entity_id)
                             .where(AuditEvent.action == "customer.create")).one()  # fmt: skip
    assert source == "counter" and tuple(audit) == ("customer.create", str(hit.id))


def test_quick_create_normalises_the_phone(engine: Engine, owner_ctx: ServiceContext) -> None:
    hit = svc.quick_create_customer(owner_ctx, "Võ Gia Bình", "+84 939 921 717")
    assert hit.phone == "0939921717"
    with engine.connect() as conn:
        rows = conn.execute(sa.select(CustomerPhone.phone, CustomerPhone.is_primary)
                            .where(CustomerPhone.customer_id == hit.id)).all()  # fmt: skip
        after = conn.execute(sa.select(AuditEvent.after_json)
                             .where(AuditEvent.action == "customer.create")).scalar()  # fmt: skip
    assert [tuple(r) for r in rows] == [("0939921717", True)]
    assert json.loads(str(after)) == {"phone": "0939921717"}
    assert [h.id for h in svc.search_customers(owner_ctx, "0939 921 717")] == [hit.id]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_quick_create_needs_a_name(owner_ctx: ServiceContext, name: str) -> None:
    with pytest.raises(ValidationError) as err:
        svc.quick_create_customer(owner_ctx, name, "0939921717")
    assert err.value.field == "name"


def test_quick_create_refuses_a_bad_phone(engine: Engine, owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="12345 is not a valid phone") as err:
        svc.quick_create_customer(owner_ctx, "Bùi Lan", "12345")
    assert err.value.field == "phone"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Customer)).scalar() == 0


def test_quick_create_refuses_a_phone_in_use(engine: Engine, owner_ctx: ServiceContext) -> None:
    first = svc.quick_create_customer(owner_ctx, "Đỗ Ngọc Lan", "0939921717")
    with pytest.raises(Conflict, match=f"Đỗ Ngọc Lan \\({first.code}\\)"):
        svc.quick_create_customer(owner_ctx, "Someone Else", "84939921717")
    second = svc.quick_create_customer(owner_ctx, "Đỗ Ngọc Lan")  # same name: fine
    assert second.id != first.id


def test_orders_access_is_enough(owner_ctx: ServiceContext, shirts: list[int]) -> None:
    seller = staff(owner_ctx, Module.ORDERS)
    assert seller.actor.can(Module.CUSTOMERS) is False
    assert svc.find_variant_by_code(seller, "AO-S") is not None
    assert svc.search_variants(seller, "ao")
    hit = svc.quick_create_customer(seller, "Ngô Hải")
    assert svc.search_customers(seller, "ngo hai")[0].id == hit.id
    stocker = staff(owner_ctx, Module.PRODUCTS, Module.CUSTOMERS)
    calls = [
        lambda: svc.find_variant_by_code(stocker, "AO-S"),
        lambda: svc.search_variants(stocker, "ao"),
        lambda: svc.search_customers(stocker, "ngo"),
        lambda: svc.quick_create_customer(stocker, "Ngô Hải"),
        lambda: svc.get_customer(stocker, hit.id),
        lambda: svc.default_address(stocker, hit.id),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
