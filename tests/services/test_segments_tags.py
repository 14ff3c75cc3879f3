"""Segments and tags services against a real migrated store: each operation, name rules,
bulk membership with 10,000 ids, the per-segment figures, the default tags, the segment
export read back from the file, permissions and audit rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import (
    Customer,
    CustomerPhone,
    CustomerTag,
    Segment,
    SegmentMember,
    Tag,
)
from primedist.domain.enums import Module, Role
from primedist.errors import Cancelled, Conflict, NotFound, PermissionDenied, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.queries.customers import CustomerFilter, customer_filter_clauses
from primedist.services import segments as sg
from primedist.services import tags as tg
from primedist.services.context import Actor, ServiceContext
from primedist.services.segments import BulkResult
from tests.factories import make_customers

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
members_t = table_of(SegmentMember)
segments_t = table_of(Segment)
tags_t = table_of(Tag)
customer_tags_t = table_of(CustomerTag)
audit_t = table_of(AuditEvent)


def scalar(engine: Engine, stmt: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def member_ids(engine: Engine, segment_id: int) -> set[int]:
    with engine.connect() as conn:
        stmt = sa.select(members_t.c.customer_id).where(members_t.c.segment_id == segment_id)
        return set(conn.execute(stmt).scalars())


def tagged_ids(engine: Engine, tag_id: int) -> set[int]:
    with engine.connect() as conn:
        stmt = sa.select(customer_tags_t.c.customer_id).where(customer_tags_t.c.tag_id == tag_id)
        return set(conn.execute(stmt).scalars())


def audits(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        stmt = sa.select(audit_t).where(audit_t.c.action == action).order_by(audit_t.c.id)
        return list(conn.execute(stmt))


def set_stats(engine: Engine, customer_id: int, successful: int, total: int, spent: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(customers_t)
            .where(customers_t.c.id == customer_id)
            .values(successful_orders=successful, total_orders=total, total_expenses=spent,
                    channels="shopee,offline")
        )  # fmt: skip


def staff(ctx: ServiceContext, *modules: Module) -> ServiceContext:
    return ctx.with_actor(Actor(None, "Lan", "lan@example.com", Role.STAFF, frozenset(modules)))


# --------------------------------------------------------------------------- segments


def test_create_rename_delete_segment(ctx: ServiceContext, engine: Engine) -> None:
    sid = sg.create_segment(ctx, "  Khách   sỉ ")
    assert [(r.id, r.name, r.count) for r in sg.list_segments(ctx)] == [(sid, "Khách sỉ", 0)]
    with pytest.raises(Conflict, match="Khách sỉ"):
        sg.create_segment(ctx, "KHÁCH SỈ")  # Vietnamese capitals fold too
    other = sg.create_segment(ctx, "VIP")
    with pytest.raises(Conflict):
        sg.rename_segment(ctx, other, "khách sỉ")
    sg.rename_segment(ctx, other, "Khách VIP")
    sg.rename_segment(ctx, sid, "khách sỉ")  # its own name in other letters: allowed
    assert [r.name for r in sg.list_segments(ctx)] == ["khách sỉ", "Khách VIP"]
    ids = make_customers(engine, 3)
    assert sg.add_to_segment(ctx, sid, ids) == BulkResult(3, 0)
    assert sg.delete_segment(ctx, sid) == 3
    assert [r.name for r in sg.list_segments(ctx)] == ["Khách VIP"]
    assert member_ids(engine, sid) == set()
    assert scalar(engine, sa.select(sa.func.count()).select_from(customers_t)) == 3
    with pytest.raises(NotFound):
        sg.rename_segment(ctx, sid, "Gone")
    with pytest.raises(NotFound):
        sg.add_to_segment(ctx, sid, ids)
    actions = [a.action for a in audits(engine, "segment.create")]
    assert actions == ["segment.create", "segment.create"]
    (deleted,) = audits(engine, "segment.delete")
    assert deleted.entity_id == str(sid) and "3 members" in deleted.summary
    assert [a.summary for a in audits(engine, "segment.rename")][0] == "VIP → Khách VIP"


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_segment_name_rules(ctx: ServiceContext, name: str) -> None:
    with pytest.raises(ValidationError) as err:
        sg.create_segment(ctx, name)
    assert err.value.field == "name"


def test_add_and_remove_members_skip_what_does_not_apply(
    ctx: ServiceContext, engine: Engine
) -> None:
    ids = make_customers(engine, 6)
    sid = sg.create_segment(ctx, "Đợt Tết")
    with engine.begin() as conn:  # one deleted, one merged into another
        conn.execute(sa.update(customers_t).where(customers_t.c.id == ids[4])
                     .values(deleted_at=ctx.clock.now()))  # fmt: skip
        conn.execute(sa.update(customers_t).where(customers_t.c.id == ids[5])
                     .values(merged_into_id=ids[0]))  # fmt: skip
    # The unknown, deleted and merged ids count in neither number.
    joined = sg.add_to_segment(ctx, sid, [ids[0], ids[1], ids[0], 999_999, ids[4], ids[5]])
    assert joined == BulkResult(2, 0)
    again = sg.add_to_segment(ctx, sid, ids[:3])  # two are members already
    assert (again, again.total) == (BulkResult(1, 2), 3)
    assert member_ids(engine, sid) == set(ids[:3])
    assert sg.remove_from_segment(ctx, sid, [ids[1], ids[3], 999_999]) == BulkResult(1, 1)
    assert member_ids(engine, sid) == {ids[0], ids[2]}
    assert sg.segment_member_ids(ctx, sid) == [ids[0], ids[2]]
    added = audits(engine, "segment.add")
    assert [a.summary for a in added] == ["Đợt Tết: added 2 of 5 customers",
                                          "Đợt Tết: added 1 of 3 customers"]  # fmt: skip
    (removed,) = audits(engine, "segment.remove")
    assert removed.summary == "Đợt Tết: removed 1 of 3 customers"


def test_bulk_membership_with_ten_thousand_ids(ctx: ServiceContext, engine: Engine) -> None:
    ids = make_customers(engine, 10_000)
    sid = sg.create_segment(ctx, "Tất cả")
    assert sg.add_to_segment(ctx, sid, ids[:4_000]) == BulkResult(4_000, 0)
    # The first 4,000 are members already: all 10,000 are now.
    assert sg.add_to_segment(ctx, sid, ids) == BulkResult(6_000, 4_000)
    assert len(member_ids(engine, sid)) == 10_000
    assert sg.list_segments(ctx)[0].count == 10_000
    assert sg.remove_from_segment(ctx, sid, ids[::2]) == BulkResult(5_000, 0)
    assert member_ids(engine, sid) == set(ids[1::2])
    # Tags take the same path.
    tid = tg.create_tag(ctx, "Khách quen")
    assert tg.tag_customers(ctx, tid, ids) == BulkResult(10_000, 0)
    assert tg.tag_customers(ctx, tid, ids[:100]) == BulkResult(0, 100)
    assert tg.untag_customers(ctx, tid, ids[:2_500]) == BulkResult(2_500, 0)
    assert tg.untag_customers(ctx, tid, ids[:3_000]) == BulkResult(500, 2_500)
    assert tagged_ids(engine, tid) == set(ids[3_000:])


def test_segment_figures_sum_their_live_members(ctx: ServiceContext, engine: Engine) -> None:
    a, b, c, d = make_customers(engine, 4)
    set_stats(engine, a, 3, 4, 1_200_000)
    set_stats(engine, b, 1, 1, 300_000)
    set_stats(engine, c, 5, 9, 2_000_000)
    set_stats(engine, d, 7, 7, 9_000_000)
    vip = sg.create_segment(ctx, "VIP")
    new = sg.create_segment(ctx, "Mới")
    empty = sg.create_segment(ctx, "Trống")
    sg.add_to_segment(ctx, vip, [a, c, d])
    sg.add_to_segment(ctx, new, [b, c])
    with engine.begin() as conn:  # a deleted customer no longer counts
        conn.execute(sa.update(customers_t).where(customers_t.c.id == d)
                     .values(deleted_at=ctx.clock.now()))  # fmt: skip
    figures = {r.id: (r.count, r.successful_orders, r.total_expenses)
               for r in sg.list_segments(ctx)}  # fmt: skip
    assert figures == {vip: (2, 8, 3_200_000), new: (2, 6, 2_300_000), empty: (0, 0, 0)}
    one = sg.segment_stats(ctx, new)
    assert (one.name, one.count, one.total_expenses) == ("Mới", 2, 2_300_000)
    assert one.created_at == ctx.clock.now()


def test_export_segment_reads_back(ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    a, b, c = make_customers(engine, 3, names=["Nguyễn Thị Hoa", '=HYPERLINK("x")', "Lê Văn"])
    set_stats(engine, a, 2, 3, 450_000)
    with engine.begin() as conn:  # a second, primary phone with a leading 0
        conn.execute(sa.update(phones_t).where(phones_t.c.customer_id == a)
                     .values(is_primary=False))  # fmt: skip
        now = ctx.clock.now()
        conn.execute(sa.insert(phones_t).values(customer_id=a, phone="0912000111",
                                                is_primary=True, created_at=now))  # fmt: skip
    sid = sg.create_segment(ctx, "Xuất: thử/1")
    sg.add_to_segment(ctx, sid, [a, b])
    potential = next(t.id for t in tg.list_tags(ctx) if t.name == "Potential")
    extra = tg.create_tag(ctx, "Hay mua")
    tg.tag_customers(ctx, potential, [a])
    tg.tag_customers(ctx, extra, [a])
    report = sg.export_segment(ctx, sid, tmp_path / "seg.xlsx", "vi")
    assert report.rows == 2
    book = openpyxl.load_workbook(report.path)
    sheet = book.active
    assert sheet.title == "Phân khúc Xuất thử1"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Mã khách hàng", "Tên khách hàng", "Số điện thoại", "Kênh mua hàng",
                       "Tổng chi tiêu", "Đơn thành công", "Tổng số đơn", "Thẻ")  # fmt: skip
    first, second = rows[1], rows[2]
    assert first == (f"KH{a:06d}", "Nguyễn Thị Hoa", "0912000111", "Shopee, Bán trực tiếp",
                     450_000, 2, 3, "Hay mua; Potential")  # fmt: skip
    assert second[0] == f"KH{b:06d}" and second[4:7] == (0, 0, 0)
    assert not str(second[1]).startswith("=")  # formula-like text neutralised
    assert isinstance(second[2], str) and second[2].startswith("0")
    assert c not in {int(str(r[0])[2:]) for r in rows[1:]}
    english = sg.export_segment(ctx, sid, tmp_path / "seg-en.xlsx", "en")
    sheet = openpyxl.load_workbook(english.path).active
    assert sheet.title == "Segment Xuất thử1"
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Customer code", "Name", "Phone")
    assert sheet.cell(2, 4).value == "Shopee, In store"
    assert [a.summary for a in audits(engine, "segment.export")] == ["Xuất: thử/1: 2 customers"] * 2


def test_export_checks_and_cancel(ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    sid = sg.create_segment(ctx, "Hủy")
    sg.add_to_segment(ctx, sid, make_customers(engine, 5))
    with pytest.raises(ValidationError, match=".xlsx"):
        sg.export_segment(ctx, sid, tmp_path / "seg.csv")
    with pytest.raises(ValidationError):
        sg.export_segment(ctx, sid, tmp_path / "seg.xlsx", "fr")
    with pytest.raises(NotFound):
        sg.export_segment(ctx, 12345, tmp_path / "seg.xlsx")
    prog = JobProgress()
    prog.cancel()
    with pytest.raises(Cancelled):
        sg.export_segment(ctx, sid, tmp_path / "seg.xlsx", progress=prog)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


# --------------------------------------------------------------------------- tags


def test_default_tags_seeded_once_even_renamed(ctx: ServiceContext, engine: Engine) -> None:
    assert scalar(engine, sa.select(sa.func.count()).select_from(tags_t)) == 0
    rows = tg.list_tags(ctx)
    assert [(r.name, r.is_default) for r in rows] == [("Potential", True), ("Often returns", True)]
    with engine.begin() as conn:
        assert tg.ensure_default_tags(conn) == 0
    tg.rename_tag(ctx, rows[0].id, "Tiềm năng")
    with engine.begin() as conn:
        assert tg.ensure_default_tags(conn) == 0  # the renamed default is not re-created
    assert [r.name for r in tg.list_tags(ctx)] == ["Tiềm năng", "Often returns"]


def test_seeding_adopts_a_tag_of_the_same_name(ctx: ServiceContext, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(tags_t).values(name="often returns", is_default=False,
                                              created_at=ctx.clock.now()))  # fmt: skip
        assert tg.ensure_default_tags(conn) == 2
    rows = tg.list_tags(ctx)
    assert {(r.name, r.is_default) for r in rows} == {("Potential", True),
                                                      ("often returns", True)}  # fmt: skip


def test_default_tags_named_at_set_up_keep_their_keys(ctx: ServiceContext,
                                                     engine: Engine) -> None:  # fmt: skip
    names = {"potential": "Tiềm năng", "often_returns": "Hay hoàn hàng"}
    with engine.begin() as conn:
        assert tg.ensure_default_tags(conn, names) == 2
        keys = dict(conn.execute(sa.select(tags_t.c.name, tags_t.c.default_key)).all())
        assert tg.ensure_default_tags(conn, names) == 0
        assert tg.ensure_default_tags(conn) == 0  # not again in English either
    assert keys == {"Tiềm năng": "potential", "Hay hoàn hàng": "often_returns"}
    assert [(r.name, r.is_default) for r in tg.list_tags(ctx)] == [
        ("Tiềm năng", True), ("Hay hoàn hàng", True)]  # fmt: skip
    # A renamed default keeps its key: the "Often returns" quick filter still finds it.
    often = next(r.id for r in tg.list_tags(ctx) if r.name == "Hay hoàn hàng")
    ids = make_customers(engine, 2)
    tg.tag_customers(ctx, often, ids[:1])
    tg.rename_tag(ctx, often, "Trả hàng nhiều")
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(customers_t.c.id).where(*customer_filter_clauses(
                CustomerFilter(often_returns=True), ZoneInfo("UTC")))
        ).scalars().all()  # fmt: skip
    assert found == ids[:1]


def test_create_rename_delete_tags(ctx: ServiceContext, engine: Engine) -> None:
    ids = make_customers(engine, 4)
    tid = tg.create_tag(ctx, "Khách  sỉ", color="#FF0000")
    with pytest.raises(Conflict):
        tg.create_tag(ctx, "POTENTIAL")
    with pytest.raises(Conflict):
        tg.rename_tag(ctx, tid, "often Returns")
    with pytest.raises(ValidationError):
        tg.create_tag(ctx, "x" * 61)
    tg.rename_tag(ctx, tid, "Khách sỉ lớn")
    assert tg.tag_customers(ctx, tid, ids[:3]) == BulkResult(3, 0)
    row = next(r for r in tg.list_tags(ctx) if r.id == tid)
    assert (row.name, row.color, row.is_default, row.count) == ("Khách sỉ lớn", "#FF0000", False, 3)
    defaults = [r for r in tg.list_tags(ctx) if r.is_default]
    with pytest.raises(Conflict, match="default tag"):
        tg.delete_tag(ctx, defaults[0].id)
    assert tg.delete_tag(ctx, tid) == 3
    assert tagged_ids(engine, tid) == set()
    assert [r.name for r in tg.list_tags(ctx)] == ["Potential", "Often returns"]
    assert scalar(engine, sa.select(sa.func.count()).select_from(customers_t)) == 4
    with pytest.raises(NotFound):
        tg.tag_customers(ctx, tid, ids)
    for action in ("tag.create", "tag.rename", "tag.add", "tag.delete"):
        assert audits(engine, action), action


def test_untag_and_counts_skip_dead_customers(ctx: ServiceContext, engine: Engine) -> None:
    ids = make_customers(engine, 3)
    often = next(r.id for r in tg.list_tags(ctx) if r.name == "Often returns")
    assert tg.tag_customers(ctx, often, ids) == BulkResult(3, 0)
    with engine.begin() as conn:
        conn.execute(sa.update(customers_t).where(customers_t.c.id == ids[2])
                     .values(merged_into_id=ids[0]))  # fmt: skip
    assert next(r.count for r in tg.list_tags(ctx) if r.id == often) == 2
    assert tg.untag_customers(ctx, often, [ids[0], 424242]) == BulkResult(1, 0)
    assert tagged_ids(engine, often) == {ids[1], ids[2]}


def test_services_need_the_customers_permission(ctx: ServiceContext, engine: Engine) -> None:
    sid = sg.create_segment(ctx, "VIP")
    denied = staff(ctx, Module.ORDERS)
    for call in (
        lambda: sg.list_segments(denied),
        lambda: sg.create_segment(denied, "X"),
        lambda: sg.add_to_segment(denied, sid, [1]),
        lambda: sg.delete_segment(denied, sid),
        lambda: tg.list_tags(denied),
        lambda: tg.create_tag(denied, "X"),
        lambda: tg.tag_customers(denied, 1, [1]),
    ):
        with pytest.raises(PermissionDenied):
            call()
    allowed = staff(ctx, Module.CUSTOMERS)
    assert sg.create_segment(allowed, "Staff list") > sid
