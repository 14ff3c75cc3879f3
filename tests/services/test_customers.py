"""Customer identity (orders), add by hand with the duplicate policy, duplicates, merge."""

from __future__ import annotations

import csv
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import (
    Address,
    Customer,
    CustomerIdentity,
    CustomerPhone,
    CustomerTag,
    Segment,
    SegmentMember,
    Tag,
)
from primedist.domain.enums import Channel, Gender, PointsKind, Rank, Role
from primedist.domain.loyalty import PointsEntry, RankHistory
from primedist.domain.order import Order
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.queries.search import search_filter
from primedist.services.context import Actor, ServiceContext
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePhone,
    DuplicatePolicy,
    add_customer,
    find_duplicates,
    find_phone_owner,
    is_masked_name,
    merge_customers,
    resolve_customer,
    update_customer,
)
from tests.factories import make_orders, make_product, make_shop

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
identities_t = table_of(CustomerIdentity)
addresses_t = table_of(Address)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _resolve(engine: Engine, **kw: object) -> int | None:
    args: dict[str, object] = {"channel": Channel.SHOPEE, "buyer_id": None, "phone": None,
                               "name": None, "now": NOW, "actor_id": None}  # fmt: skip
    args.update(kw)
    with engine.begin() as conn:
        return resolve_customer(conn, **args)  # type: ignore[arg-type]


def _customer(engine: Engine, cid: int) -> sa.Row:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return conn.execute(sa.select(customers_t).where(customers_t.c.id == cid)).one()


def _phones(engine: Engine, cid: int) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                sa.select(phones_t.c.phone)
                .where(phones_t.c.customer_id == cid)
                .order_by(phones_t.c.is_primary.desc(), phones_t.c.id)
            )
        )


def _count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _found(engine: Engine, text: str) -> set[int]:
    with engine.connect() as conn:
        where = search_filter(customers_t, text, conn.dialect.name)
        assert where is not None
        live = customers_t.c.deleted_at.is_(None)
        return set(conn.scalars(sa.select(customers_t.c.id).where(where, live)))


# --------------------------------------------------------------------------- identity


def test_buyer_id_then_phone_then_new(engine: Engine) -> None:
    first = _resolve(engine, buyer_id="b1", phone="0939 921 717", name="Nguyễn Thị Hoa")
    assert first is not None
    row = _customer(engine, first)
    assert (row.name, row.code, row.source) == ("Nguyễn Thị Hoa", f"KH{first:06d}", "shopee")
    assert _phones(engine, first) == ["0939921717"]
    assert _found(engine, "nguyen hoa") == {first}
    assert _found(engine, "84939921717") == {first}
    # Same buyer id, another phone and name: the same customer, nothing overwritten.
    assert _resolve(engine, buyer_id="b1", phone="0911111111", name="Someone Else") == first
    assert _customer(engine, first).name == "Nguyễn Thị Hoa"
    assert _phones(engine, first) == ["0939921717"]
    # The phone alone (other format, another channel): same customer, the id is linked.
    assert _resolve(engine, channel=Channel.LAZADA, buyer_id="lz9", phone="+84939921717") == first
    assert _resolve(engine, channel=Channel.LAZADA, buyer_id="lz9") == first
    # The same buyer id on another channel is another buyer.
    other = _resolve(engine, channel=Channel.TIKTOK, buyer_id="b1", name="Trần Văn Bình")
    assert other not in (None, first)
    assert _count(engine, customers_t) == 2
    assert _count(engine, identities_t) == 3


def test_masked_phone_never_matches_nor_is_stored(engine: Engine) -> None:
    real = _resolve(engine, phone="0849999989", name="Lê Văn Cường")
    masked = _resolve(engine, buyer_id="s1", phone="84*****89", name="L**g")
    assert masked is not None and masked != real
    assert _phones(engine, masked) == []
    assert _customer(engine, masked).name == "L**g"
    # Later the real data arrives for that buyer: the masked name is replaced, the phone
    # added (it belongs to nobody else).
    assert _resolve(engine, buyer_id="s1", phone="0912345678", name="Lê Thị Giang") == masked
    assert _customer(engine, masked).name == "Lê Thị Giang"
    assert _phones(engine, masked) == ["0912345678"]
    assert _found(engine, "giang") == {masked}
    # A masked name never replaces a real one; a masked phone never replaces a real one.
    assert _resolve(engine, buyer_id="s1", phone="09*****678", name="L**g") == masked
    assert _customer(engine, masked).name == "Lê Thị Giang"
    assert _phones(engine, masked) == ["0912345678"]
    # A real phone is not added to a customer who has one, nor taken from another.
    assert _resolve(engine, buyer_id="s1", phone="0849999989") == masked
    assert _phones(engine, masked) == ["0912345678"]
    assert _phones(engine, real) == ["0849999989"]


def test_no_buyer_data_no_customer(engine: Engine) -> None:
    assert _resolve(engine, phone="84*****89") is None
    assert _count(engine, customers_t) == 0


def test_is_masked_name() -> None:
    assert is_masked_name("H**uj") and is_masked_name("N•••n")
    assert not is_masked_name("Hoàng Huy") and not is_masked_name("")


def test_resolve_follows_merges(owner_ctx: ServiceContext, engine: Engine) -> None:
    a = _resolve(engine, buyer_id="x", name="An")
    b = _resolve(engine, phone="0912000111", name="An N.")
    assert a is not None and b is not None
    merge_customers(owner_ctx, b, [a])
    assert _resolve(engine, buyer_id="x") == b


# --------------------------------------------------------------------------- add / update


def test_add_only_name_required(owner_ctx: ServiceContext, engine: Engine) -> None:
    with pytest.raises(ValidationError) as err:
        add_customer(owner_ctx, CustomerDraft(name="   "))
    assert err.value.field == "name"
    res = add_customer(owner_ctx, CustomerDraft(name="  Đặng   Văn  Lâm "))
    assert res.outcome == "created"
    row = _customer(engine, res.customer_id)
    assert row.name == "Đặng Văn Lâm" and row.code == f"KH{res.customer_id:06d}"
    assert _found(engine, "dang lam") == {res.customer_id}


@pytest.mark.parametrize(("phones", "field"), [(["12ab"], "phones"), (["09*****717"], "phones")])
def test_add_refuses_bad_phones(owner_ctx: ServiceContext, phones: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        add_customer(owner_ctx, CustomerDraft(name="A", phones=phones))
    assert err.value.field == field


def test_add_refuses_bad_email(owner_ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as err:
        add_customer(owner_ctx, CustomerDraft(name="A", email="not-an-email"))
    assert err.value.field == "email"


def test_staff_without_customers_module_cannot_add(ctx: ServiceContext) -> None:
    staff = ctx.with_actor(Actor(id=None, name="Nhân viên", email="", role=Role.STAFF))
    with pytest.raises(PermissionDenied):
        add_customer(staff, CustomerDraft(name="A"))


def test_duplicate_phone_each_policy(owner_ctx: ServiceContext, engine: Engine) -> None:
    first = add_customer(
        owner_ctx,
        CustomerDraft(name="Phạm Hải", phones=["0939921717"], email="hai@example.vn",
                      note="khách quen"),
    ).customer_id  # fmt: skip
    draft = CustomerDraft(name="Phạm Văn Hải", phones=["+84 939 921 717", "0988000111"],
                          gender=Gender.MALE, birthday=date(1990, 5, 1))  # fmt: skip
    with pytest.raises(DuplicatePhone) as err:
        add_customer(owner_ctx, draft)
    assert err.value.existing.id == first
    assert err.value.existing.phone == "0939921717"
    assert "Phạm Hải" in err.value.user_message
    owner = find_phone_owner(owner_ctx, "84939921717")
    assert owner is not None and owner.id == first
    assert find_phone_owner(owner_ctx, "09*****717") is None
    assert _count(engine, customers_t) == 1

    skipped = add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.SKIP)
    assert (skipped.customer_id, skipped.outcome) == (first, "skipped")
    assert _phones(engine, first) == ["0939921717"]

    updated = add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.UPDATE)
    assert (updated.customer_id, updated.outcome) == (first, "updated")
    row = _customer(engine, first)
    # The stored name stays unless asked to be replaced (`replace_name`).
    assert (row.name, row.gender, row.birthday) == ("Phạm Hải", Gender.MALE, date(1990, 5, 1))
    assert (row.email, row.note) == ("hai@example.vn", "khách quen")  # never blanked out
    assert _phones(engine, first) == ["0939921717", "0988000111"]
    assert _found(engine, "0988000111") == {first}
    assert _count(engine, customers_t) == 1

    created = add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.CREATE)
    assert created.outcome == "created" and created.customer_id != first
    assert _phones(engine, created.customer_id) == ["0939921717", "0988000111"]
    assert _count(engine, customers_t) == 2
    with engine.connect() as conn:
        actions = list(conn.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("customer.create") == 2 and actions.count("customer.update") == 1


def test_update_keeps_the_stored_name_unless_asked_and_says_what_it_changes(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """"Update the existing customer" renamed Nguyễn Khánh Chi "Chi Nguyen Test" (typed
    with her phone). The question lists what an update changes, old → new; the name is
    replaced only when asked."""
    staff_id = owner_ctx.actor.id
    referrer = add_customer(owner_ctx, CustomerDraft(name="Bà Tư", phones=["0911222333"]))
    chi = add_customer(owner_ctx, CustomerDraft(
        name="Nguyễn Khánh Chi", phones=["0970603869"], email="chi@example.vn",
        note="khách quen"),
    ).customer_id  # fmt: skip
    draft = CustomerDraft(name="Chi Nguyen Test", phones=["+84 970 603 869", "0364817192"],
                          email="chi.test@example.com", gender=Gender.FEMALE,
                          referrer_id=referrer.customer_id, assigned_user_id=staff_id,
                          note="khách quen")  # fmt: skip
    with pytest.raises(DuplicatePhone) as err:
        add_customer(owner_ctx, draft)
    assert [(c.field, c.old, c.new) for c in err.value.changes] == [
        ("name", "Nguyễn Khánh Chi", "Chi Nguyen Test"),
        ("email", "chi@example.vn", "chi.test@example.com"),
        ("gender", Gender.UNKNOWN, Gender.FEMALE),
        ("referrer_id", None, referrer_code := _customer(engine, referrer.customer_id).code),
        ("assigned_user_id", None, "Chủ Thử"),
        ("phones", ["0970603869"], ["0970603869", "0364817192"]),
    ]  # the note is the same: not listed
    assert referrer_code.startswith("KH")

    add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.UPDATE)
    row = _customer(engine, chi)
    assert (row.name, row.email, row.gender) == (
        "Nguyễn Khánh Chi", "chi.test@example.com", Gender.FEMALE)  # fmt: skip
    assert _phones(engine, chi) == ["0970603869", "0364817192"]
    with pytest.raises(DuplicatePhone) as err:
        add_customer(owner_ctx, draft)
    assert [c.field for c in err.value.changes] == ["name"]  # all else done

    add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.UPDATE, replace_name=True)
    assert _customer(engine, chi).name == "Chi Nguyen Test"


def test_update_fills_a_masked_name_without_being_asked(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """A marketplace's masked name ("H**uj") is no name: it is filled like an empty field."""
    with engine.begin() as conn:
        cid = resolve_customer(conn, channel=Channel.SHOPEE, buyer_id="b1", phone="0909111222",
                               name="H**uj", now=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    assert cid is not None
    draft = CustomerDraft(name="Hoàng Huy", phones=["0909111222"])
    with pytest.raises(DuplicatePhone) as err:
        add_customer(owner_ctx, draft)
    assert [(c.field, c.old, c.new) for c in err.value.changes] == [
        ("name", "H**uj", "Hoàng Huy")]  # fmt: skip
    add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.UPDATE)
    assert _customer(engine, cid).name == "Hoàng Huy"


def test_update_policy_refuses_making_the_phone_owner_refer_themselves(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """Adding again with the phone owner as referrer and "update the existing customer":
    the owner would refer themselves, refused as when editing them."""
    owner = add_customer(owner_ctx, CustomerDraft(name="Lê Hoa", phones=["0939000111"]))
    draft = CustomerDraft(name="Khách mới", phones=["0939000111"], note="giới thiệu",
                          referrer_id=owner.customer_id)  # fmt: skip
    with pytest.raises(ValidationError) as err:
        add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.UPDATE)
    assert err.value.field == "referrer_id"
    assert "cannot refer themselves" in str(err.value)
    row = _customer(engine, owner.customer_id)
    assert (row.name, row.referrer_id, row.note) == ("Lê Hoa", None, None)  # nothing written
    # The other policies leave the owner alone, so the referrer stands.
    created = add_customer(owner_ctx, draft, on_duplicate=DuplicatePolicy.CREATE)
    assert _customer(engine, created.customer_id).referrer_id == owner.customer_id


def test_update_customer_replaces_fields_and_phones(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    cid = add_customer(
        owner_ctx, CustomerDraft(name="Võ Lan", phones=["0911000001", "0911000002"],
                                 email="lan@example.vn"),
    ).customer_id  # fmt: skip
    other = add_customer(owner_ctx, CustomerDraft(name="B", phones=["0911000009"])).customer_id
    update_customer(
        owner_ctx, cid, CustomerDraft(name="Võ Thị Lan", phones=["0911000003", "0911000001"])
    )
    row = _customer(engine, cid)
    assert (row.name, row.email) == ("Võ Thị Lan", None)
    assert _phones(engine, cid) == ["0911000003", "0911000001"]
    assert _found(engine, "0911000002") == set()
    with pytest.raises(DuplicatePhone) as err:
        update_customer(owner_ctx, cid, CustomerDraft(name="X", phones=["0911000009"]))
    assert err.value.existing.id == other
    with pytest.raises(NotFound):
        update_customer(owner_ctx, 9999, CustomerDraft(name="X"))


# --------------------------------------------------------------------------- duplicates


def _address(engine: Engine, cid: int, province: str, *, default: bool = False,
             created: datetime = NOW, street: str = "1 Lê Lợi") -> int:  # fmt: skip
    with engine.begin() as conn:
        return int(
            conn.execute(
                addresses_t.insert().values(customer_id=cid, street=street, province=province,
                                            is_default=default, created_at=created)
            ).inserted_primary_key[0]  # type: ignore[index]
        )  # fmt: skip


def test_find_duplicates(owner_ctx: ServiceContext, engine: Engine) -> None:
    add = lambda name, *phones: add_customer(  # noqa: E731
        owner_ctx, CustomerDraft(name=name, phones=list(phones)),
        on_duplicate=DuplicatePolicy.CREATE,
    ).customer_id  # fmt: skip
    a = add("Nguyễn Văn An", "0901000001")
    b = add("An Nguyen", "0901000001")
    c = add("Đỗ Thị Hà")
    d = add("do thi ha")  # typed without accents: could be her
    e = add("Đỗ Thị Hà")  # another province
    f = add("Lone", "0901000002")
    _address(engine, c, "Hà Nội", default=True)
    _address(engine, d, "Ha Noi")
    _address(engine, e, "Hồ Chí Minh")
    groups = find_duplicates(owner_ctx)
    assert [(g.reason, g.ids) for g in groups] == [
        ("phone", [a, b]),
        ("name_province", [c, d]),
    ]
    assert groups[0].key == "0901000001"
    assert groups[1].members[0].province == "Hà Nội"
    merge_customers(owner_ctx, a, [b])
    assert [g.ids for g in find_duplicates(owner_ctx)] == [[c, d]]
    assert f not in {i for g in groups for i in g.ids}


def test_find_duplicates_keeps_the_accents_of_names(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """Lê Anh Hưng and Lê Anh Hùng are two people (folded, both were "le anh hung"); a name
    pasted with separate accent marks (NFD), in another case and spacing, is the same name;
    one typed without accents could be either, so it is offered with each. Phones still
    match however they are written."""
    add = lambda name, *phones: add_customer(  # noqa: E731
        owner_ctx, CustomerDraft(name=name, phones=list(phones)),
        on_duplicate=DuplicatePolicy.CREATE,
    ).customer_id  # fmt: skip
    hung = add("Lê Anh Hưng")
    hung2 = add(unicodedata.normalize("NFD", "LÊ  ANH HƯNG"))
    hung3 = add("Lê Anh Hùng")
    plain = add("Le Anh Hung")
    a = add("Trần Bình", "0903 111 222")
    b = add("Tran Binh", "+84903111222")
    for cid in (hung, hung2, hung3, plain):
        _address(engine, cid, "Hà Nội", default=True)
    groups = find_duplicates(owner_ctx)
    assert [(g.reason, g.ids) for g in groups] == [
        ("phone", [a, b]),
        ("name_province", [hung3, plain]),
        ("name_province", [hung, hung2, plain]),
    ]


# --------------------------------------------------------------------------- merge


def _rows(engine: Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> list[dict]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [r._asdict() for r in conn.execute(sa.select(table).where(*where))]


def test_merge_moves_everything_row_by_row(owner_ctx: ServiceContext, engine: Engine) -> None:
    keep = add_customer(owner_ctx, CustomerDraft(name="H**uj", phones=["0902000001"],
                                                 note="ghi chú 1")).customer_id  # fmt: skip
    o1 = add_customer(owner_ctx, CustomerDraft(name="Hoàng Huy", phones=["0902000002"],
                                               email="huy@example.vn", note="ghi chú 2",
                                               gender=Gender.MALE),
                      ).customer_id  # fmt: skip
    o2 = add_customer(
        owner_ctx, CustomerDraft(name="Huy", phones=["0902000001", "0902000003"]),
        on_duplicate=DuplicatePolicy.CREATE,
    ).customer_id  # fmt: skip
    referred = add_customer(owner_ctx, CustomerDraft(name="Bạn", referrer_id=o1)).customer_id
    shop = make_shop(engine, "Shop A", Channel.SHOPEE)
    start = NOW - timedelta(days=30)
    order_ids = make_orders(engine, shop, 6, start=start, step=timedelta(days=1),
                            customer_ids=[keep, o1, o2])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(identities_t.insert(), [
            {"customer_id": o1, "channel": Channel.SHOPEE, "buyer_id": "sp1"},
            {"customer_id": o2, "channel": Channel.LAZADA, "buyer_id": "lz1"},
        ])  # fmt: skip
        tags = [
            int(conn.execute(sa.insert(table_of(Tag)).values(name=n, created_at=NOW))
                .inserted_primary_key[0])  # type: ignore[index]
            for n in ("T1", "T2")
        ]  # fmt: skip
        conn.execute(sa.insert(table_of(CustomerTag)), [
            {"customer_id": keep, "tag_id": tags[0]}, {"customer_id": o1, "tag_id": tags[0]},
            {"customer_id": o2, "tag_id": tags[1]},
        ])  # fmt: skip
        seg = int(conn.execute(sa.insert(table_of(Segment)).values(name="S", created_at=NOW))
                  .inserted_primary_key[0])  # type: ignore[index]  # fmt: skip
        conn.execute(sa.insert(table_of(SegmentMember)),
                     [{"segment_id": seg, "customer_id": o2, "added_at": NOW}])  # fmt: skip
        conn.execute(sa.insert(table_of(PointsEntry)), [
            {"customer_id": o1, "kind": PointsKind.ADJUST, "delta": 50, "balance_after": 50,
             "reason": "tặng", "created_at": NOW},
        ])  # fmt: skip
        conn.execute(customers_t.update().where(customers_t.c.id == o1)
                     .values(points_balance=50, points_earned=50))  # fmt: skip
    # Addresses: keep 4 + o1 5 + o2 3 = 12 -> the newest 10 stay, 2 oldest dropped.
    addr = {}
    for i, cid in enumerate([keep] * 4 + [o1] * 5 + [o2] * 3):
        addr[_address(engine, cid, "Huế", default=(i == 0), street=f"{i} đường",
                      created=start + timedelta(hours=i * 7 % 12))] = i  # fmt: skip
    oldest = sorted(addr, key=lambda k: (addr[k] * 7 % 12, k))[:2]

    report = merge_customers(owner_ctx, keep, [o1, o2])

    assert report.merged_ids == (o1, o2)
    assert _rows(engine, table_of(Order), table_of(Order).c.id.in_(order_ids)) and all(
        r["customer_id"] == keep
        for r in _rows(engine, table_of(Order), table_of(Order).c.id.in_(order_ids))
    )
    assert {(r["channel"], r["buyer_id"]) for r in _rows(
        engine, identities_t, identities_t.c.customer_id == keep)} == {
        (Channel.SHOPEE, "sp1"), (Channel.LAZADA, "lz1")}  # fmt: skip
    assert sorted(_phones(engine, keep)) == ["0902000001", "0902000002", "0902000003"]
    assert _phones(engine, keep)[0] == "0902000001"
    tag_rows = _rows(engine, table_of(CustomerTag))
    assert sorted((r["customer_id"], r["tag_id"]) for r in tag_rows) == [
        (keep, tags[0]), (keep, tags[1])]  # fmt: skip
    assert [(r["customer_id"], r["segment_id"]) for r in _rows(engine, table_of(SegmentMember))] \
        == [(keep, seg)]  # fmt: skip
    points = _rows(engine, table_of(PointsEntry))
    assert [(r["customer_id"], r["delta"], r["reason"]) for r in points] == [(keep, 50, "tặng")]
    kept_addr = _rows(engine, addresses_t)
    assert len(kept_addr) == 10 and {r["customer_id"] for r in kept_addr} == {keep}
    assert {r["id"] for r in kept_addr} == set(addr) - set(oldest)
    assert _customer(engine, referred).referrer_id == keep
    row = _customer(engine, keep)
    assert row.name == "Hoàng Huy"  # the masked name gave way
    assert (row.email, row.gender, row.points_balance) == ("huy@example.vn", Gender.MALE, 50)
    assert row.note == "ghi chú 1\n\nghi chú 2"
    assert row.total_orders == 6
    for gone in (o1, o2):
        g = _customer(engine, gone)
        assert (g.merged_into_id, g.deleted_at is not None, g.total_orders) == (keep, True, 0)
    assert _found(engine, "0902000003") == {keep}
    with engine.connect() as conn:
        audit = conn.execute(
            sa.select(AuditEvent.entity_id, AuditEvent.before_json, AuditEvent.after_json).where(
                AuditEvent.action == "customer.merge"
            )
        ).one()
    assert audit.entity_id == str(keep)
    assert '"orders": 4' in (audit.after_json or "")
    # The dropped addresses are kept in the audit row.
    for aid in oldest:
        assert f'"id": {aid}' in (audit.before_json or "")
    with pytest.raises(NotFound):
        merge_customers(owner_ctx, keep, [o1])
    with pytest.raises(ValidationError):
        merge_customers(owner_ctx, keep, [keep])


def test_merge_moves_voucher_uses_so_the_per_customer_limit_holds(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    from primedist.domain.enums import OrderSource, PaymentMethod
    from primedist.domain.loyalty import VoucherUse
    from primedist.services import orders as order_svc
    from primedist.services.loyalty import levels
    from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher

    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    save_voucher(owner_ctx, VoucherDraft("GIAM50", value=50_000, per_customer_limit=1,
                                         level_ids=(vip,)))  # fmt: skip
    a, b = (add_customer(owner_ctx, CustomerDraft(name=n)).customer_id for n in ("An", "Bình"))

    def sale(cid: int) -> order_svc.OrderDraft:
        return order_svc.OrderDraft(lines=(order_svc.DraftLine(shirt, 1),), customer_id=cid,
                                    voucher_code="GIAM50", source=OrderSource.PHONE,
                                    payment_method=PaymentMethod.COD)  # fmt: skip

    with engine.begin() as conn:
        conn.execute(customers_t.update().where(customers_t.c.id.in_([a, b])).values(level_id=vip))
    order_svc.create_order(owner_ctx, sale(a))

    merge_customers(owner_ctx, b, [a])

    with pytest.raises(ValidationError, match="was already used by"):
        order_svc.create_order(owner_ctx, sale(b))  # A's use is now B's
    assert [r["customer_id"] for r in _rows(engine, table_of(VoucherUse))] == [b]


# --------------------------------------------------------------------------- one rule set

#: (channel, buyer id, phone, name) of successive orders, and the customer (by final name)
#: each must land on. Both order paths must give exactly this.
ORDERS_SEEN = [
    (Channel.SHOPEE, "s1", "84*****89", "L**g", "Lê Thị Giang"),  # new, masked
    (Channel.SHOPEE, "s1", "0912345678", "Lê Thị Giang", "Lê Thị Giang"),  # fills both
    (Channel.SHOPEE, "", "0912 345 678", "G**g", "Lê Thị Giang"),  # phone; name stays
    (Channel.SHOPEE, "s2", "0849999989", "Cường", "Lê Văn Cường"),  # phone; id linked
    (Channel.SHOPEE, "s2", "0900000001", "X", "Lê Văn Cường"),  # id; has a phone: no add
    (Channel.SHOPEE, "m1", "0900000002", "Trần Văn Tân", "Trần Văn Tân"),  # fills existing
    (Channel.SHOPEE, "", "0900000002", "Other", "Trần Văn Tân"),  # the added phone matches
    (Channel.SHOPEE, "", "", "Walk In", "Walk In"),  # nothing matches: new
    (Channel.LAZADA, "s1", "0912345678", "Giang L.", "Lê Thị Giang"),  # other channel: phone
    (Channel.SHOPEE, "", "84*****89", "Cường", "Cường"),  # masked phone never matches
]
EXPECTED_CUSTOMERS = {
    "Lê Thị Giang": (("0912345678",), {("lazada", "s1"), ("shopee", "s1")}),
    "Lê Văn Cường": (("0849999989",), {("shopee", "s2")}),
    "Trần Văn Tân": (("0900000002",), {("shopee", "m1")}),
    "Walk In": ((), set()),
    "Cường": ((), set()),
}


def _prepare(owner_ctx: ServiceContext, engine: Engine) -> None:
    add_customer(owner_ctx, CustomerDraft(name="Lê Văn Cường", phones=["0849999989"]))
    masked = add_customer(owner_ctx, CustomerDraft(name="T**n")).customer_id
    with engine.begin() as conn:
        conn.execute(identities_t.insert().values(customer_id=masked, channel=Channel.SHOPEE,
                                                  buyer_id="m1"))  # fmt: skip


def _by_import(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> list[int | None]:
    from primedist.services.order_import import COLUMNS, import_orders

    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, COLUMNS)
        out.writeheader()
        for i, (channel, buyer, phone, name, _want) in enumerate(ORDERS_SEEN):
            out.writerow({
                "order_id": f"X{i:03d}", "order_date": f"2026-01-{i + 1:02d} 10:00",
                "shop": f"Shop {channel.value}", "channel": channel.value,
                "status": "completed", "customer_name": name, "customer_phone": phone,
                "buyer_id": buyer, "sku": "SKU-1", "product_name": "Áo", "quantity": "1",
                "unit_price": "100000", "payment_method": "", "province": "",
                "shipping_provider": "", "shipping_fee": "0", "discount": "0",
            })  # fmt: skip
    report = import_orders(owner_ctx, path)
    assert report.orders_inserted == len(ORDERS_SEEN), report.rejected
    o = table_of(Order).c
    with engine.connect() as conn:
        got = dict(conn.execute(sa.select(o.external_id, o.customer_id)).all())
    return [got[f"X{i:03d}"] for i in range(len(ORDERS_SEEN))]


def _by_resolve(engine: Engine) -> list[int | None]:
    return [
        _resolve(engine, channel=channel, buyer_id=buyer, phone=phone, name=name)
        for channel, buyer, phone, name, _want in ORDERS_SEEN
    ]


@pytest.mark.parametrize("path", ["resolve_customer", "order import"])
def test_both_order_paths_follow_the_same_identity_rules(
    path: str, owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    _prepare(owner_ctx, engine)
    ids = _by_import(owner_ctx, engine, tmp_path) if path == "order import" else _by_resolve(engine)
    names = {cid: _customer(engine, cid).name for cid in ids if cid is not None}
    assert [names[cid] if cid else None for cid in ids] == [row[4] for row in ORDERS_SEEN]
    with engine.connect() as conn:
        live = conn.execute(
            sa.select(customers_t.c.id, customers_t.c.name).where(
                customers_t.c.deleted_at.is_(None)
            )
        ).all()
        idents = conn.execute(sa.select(identities_t.c.customer_id, identities_t.c.channel,
                                        identities_t.c.buyer_id)).all()  # fmt: skip
    got = {
        name: (tuple(_phones(engine, cid)),
               {(Channel(ch).value, b) for c, ch, b in idents if c == cid})
        for cid, name in live
    }  # fmt: skip
    assert got == EXPECTED_CUSTOMERS
    for cid, name in live:
        assert _found(engine, name) >= {cid}


def test_order_import_follows_merges(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    from primedist.services.order_import import COLUMNS, import_orders

    def run(order_id: str) -> int:
        path = tmp_path / f"{order_id}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.DictWriter(f, COLUMNS, restval="")
            out.writeheader()
            out.writerow({"order_id": order_id, "order_date": "2026-01-01 10:00",
                          "shop": "Shop", "channel": "shopee", "status": "completed",
                          "customer_name": "N**a", "buyer_id": "buyer-9", "sku": "S",
                          "quantity": "1", "unit_price": "1000"})  # fmt: skip
        import_orders(owner_ctx, path)
        with engine.connect() as conn:
            o = table_of(Order).c
            return int(conn.scalar(sa.select(o.customer_id).where(o.external_id == order_id)))

    first = run("A1")
    survivor = add_customer(owner_ctx, CustomerDraft(name="Nga")).customer_id
    merge_customers(owner_ctx, survivor, [first])
    assert run("A2") == survivor
    assert _count(engine, customers_t) == 2


def test_merge_counts_only_the_customers_whose_referrer_moved(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    b = add_customer(owner_ctx, CustomerDraft(name="Bình", phones=["0903000002"])).customer_id
    a = add_customer(owner_ctx, CustomerDraft(name="An", phones=["0903000001"],
                                              referrer_id=b)).customer_id  # fmt: skip
    friend = add_customer(owner_ctx, CustomerDraft(name="Bạn", referrer_id=b)).customer_id
    assert a is not None and b is not None and friend is not None
    result = merge_customers(owner_ctx, a, [b])
    assert result.moved["referred_customers"] == 1  # the friend; not An's own link
    assert _customer(engine, friend).referrer_id == a
    assert _customer(engine, a).referrer_id is None  # nobody refers themselves


def test_merge_restates_the_points_ledger_as_one_running_balance(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """The merged customer's entries join the survivor's ledger between its own (by time):
    each entry's balance after is then the one before plus its points, and the last one is
    the customer's balance (not the merged customer's old running balance: 400, +59 → 59)."""
    from primedist.services.customer_detail import points_ledger
    from primedist.services.loyalty.points import adjust_points

    clock = owner_ctx.clock
    assert isinstance(clock, FixedClock)
    keep = add_customer(owner_ctx, CustomerDraft(name="Hoa", phones=["0904000001"])).customer_id
    other = add_customer(owner_ctx, CustomerDraft(name="Hoa", phones=["0904000002"])).customer_id
    adjust_points(owner_ctx, keep, 500, "quà")
    clock.advance(timedelta(days=1))
    adjust_points(owner_ctx, other, 59, "quà")
    clock.advance(timedelta(days=1))
    adjust_points(owner_ctx, keep, -100, "đổi quà")
    clock.advance(timedelta(days=1))

    merge_customers(owner_ctx, keep, [other])
    adjust_points(owner_ctx, keep, -19, "sửa")

    ledger = list(reversed(points_ledger(owner_ctx, keep)))  # oldest first
    assert [(e.delta, e.balance_after) for e in ledger] == [
        (500, 500), (59, 559), (-100, 459), (-19, 440)]  # fmt: skip
    assert _customer(engine, keep).points_balance == ledger[-1].balance_after == 440
    assert sum(e.delta for e in ledger) == 440


def test_merge_leaves_the_merged_customers_rank_history_with_them(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """The survivor keeps its rank: its history must lead to it, not show the merged
    customer's own changes (Copper → Gold while the survivor is Silver)."""
    from primedist.services.loyalty.ranks import rank_status, set_rank

    clock = owner_ctx.clock
    assert isinstance(clock, FixedClock)
    keep = add_customer(owner_ctx, CustomerDraft(name="Hoa", phones=["0904000001"])).customer_id
    other = add_customer(owner_ctx, CustomerDraft(name="Hoa", phones=["0904000002"])).customer_id
    set_rank(owner_ctx, keep, Rank.SILVER)
    clock.advance(timedelta(days=1))
    set_rank(owner_ctx, other, Rank.GOLD)

    report = merge_customers(owner_ctx, keep, [other])

    status = rank_status(owner_ctx, keep)
    assert status.rank == Rank.SILVER
    assert [(h.from_rank, h.to_rank) for h in status.history] == [(Rank.COPPER, Rank.SILVER)]
    assert "rank_history" not in report.moved
    kept = _rows(engine, table_of(RankHistory), table_of(RankHistory).c.customer_id == other)
    assert [r["to_rank"] for r in kept] == [Rank.GOLD]  # still recorded, on the merged one
