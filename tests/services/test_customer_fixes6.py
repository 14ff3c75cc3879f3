"""Customer fixes: a disabled staff member stays assigned, merging takes a manager, the
export writes foreign phones without the formula guard and genders as the app shows them."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Gender, Module, Role
from primedist.domain.user import User
from primedist.errors import NotFound, PermissionDenied
from primedist.services import auth, staff
from primedist.services import customer_detail as detail
from primedist.services.context import ServiceContext
from primedist.services.customer_export import export_customers
from primedist.services.customer_import import import_customers
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePolicy,
    add_customer,
    merge_customers,
)

customers_t = table_of(Customer)


def signed_in(owner_ctx: ServiceContext, email: str, role: Role) -> ServiceContext:
    staff.add_staff(owner_ctx, name=email.split("@")[0], email=email, role=role,
                    modules=[Module.CUSTOMERS])  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return owner_ctx.with_actor(auth.actor_for(session, user))


def add(ctx: ServiceContext, name: str, *phones: str, **fields: object) -> int:
    draft = CustomerDraft(name=name, phones=list(phones), **fields)  # type: ignore[arg-type]
    return add_customer(ctx, draft, on_duplicate=DuplicatePolicy.CREATE).customer_id


# --------------------------------------------------------------------------- staff


def test_the_profile_keeps_a_disabled_assigned_staff_member(owner_ctx: ServiceContext) -> None:
    lan = signed_in(owner_ctx, "lan@shop.vn", Role.STAFF).actor.id
    binh = signed_in(owner_ctx, "binh@shop.vn", Role.STAFF).actor.id
    assert lan is not None and binh is not None
    cid = add(owner_ctx, "Nguyễn Thị Hoa")
    detail.assign_staff(owner_ctx, cid, lan)
    staff.set_active(owner_ctx, lan, False)
    staff.set_active(owner_ctx, binh, False)

    profile = detail.customer_profile(owner_ctx, cid)
    assert profile.assigned_user_id == lan
    shown = {s.id: s.active for s in profile.staff}
    assert shown[lan] is False  # listed so a form keeps the assignment
    assert binh not in shown  # another disabled account is not offered
    assert lan not in {s.id for s in detail.list_staff(owner_ctx)}  # nor for new assignments

    detail.assign_staff(owner_ctx, cid, lan)  # the assignment as it is: no change, no error
    with pytest.raises(NotFound):
        detail.assign_staff(owner_ctx, add(owner_ctx, "Trần Văn Nam"), lan)


# --------------------------------------------------------------------------- merging


def test_staff_cannot_merge_customers_a_manager_can(owner_ctx: ServiceContext) -> None:
    keep = add(owner_ctx, "Nguyễn Văn An", "0901000001")
    other = add(owner_ctx, "An Nguyễn", "0901000001")
    clerk = signed_in(owner_ctx, "thu.ngan@shop.vn", Role.STAFF)
    with pytest.raises(PermissionDenied, match="Only the owner or a manager"):
        merge_customers(clerk, keep, [other])
    with owner_ctx.engine.connect() as conn:
        merged = conn.execute(
            sa.select(customers_t.c.merged_into_id, customers_t.c.deleted_at)
            .where(customers_t.c.id == other)
        ).one()  # fmt: skip
    assert tuple(merged) == (None, None)  # nothing happened
    manager = signed_in(owner_ctx, "quan.ly@shop.vn", Role.MANAGER)
    assert merge_customers(manager, keep, [other]).merged_ids == (other,)


# --------------------------------------------------------------------------- export


@pytest.fixture
def foreign(owner_ctx: ServiceContext) -> dict[str, int]:
    """A customer with a Singapore phone, one whose note is a formula, by name."""
    return {
        "Tan Wei Ling": add(owner_ctx, "Tan Wei Ling", "+6581234567", gender=Gender.FEMALE),
        "Lê Văn Nam": add(owner_ctx, "Lê Văn Nam", "0912345678", gender=Gender.MALE,
                          note="=HYPERLINK(\"http://x\")"),
    }  # fmt: skip


def _rows(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        return [[c.value for c in row] for row in sheet.iter_rows()]
    with path.open(encoding="utf-8-sig") as f:
        return [list(r) for r in csv.reader(f, delimiter="\t" if path.suffix == ".txt" else ",")]


@pytest.mark.parametrize("name", ["k.xlsx", "k.csv", "k.txt"])
def test_a_foreign_phone_is_written_as_stored_free_text_stays_guarded(
    owner_ctx: ServiceContext, foreign: dict[str, int], tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    export_customers(owner_ctx, path, columns=["name", "phone", "note"])
    by_name = {r[0]: r for r in _rows(path)[1:]}
    assert by_name["Tan Wei Ling"][1] == "+6581234567"  # no visible ' in front
    assert by_name["Lê Văn Nam"][1] == "0912345678"
    assert by_name["Lê Văn Nam"][2] == '\'=HYPERLINK("http://x")'  # a note still guarded
    if name.endswith(".xlsx"):  # a string cell, never a formula
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        assert {sheet.cell(r, 2).data_type for r in (2, 3)} == {"s"}
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert (again.unchanged, again.updated, again.rejected) == (2, 0, [])


@pytest.mark.parametrize(("name", "lang", "words"), [
    ("k.csv", "en", ("Female", "Male")), ("k.xlsx", "en", ("Female", "Male")),
    ("k.txt", "vi", ("Nữ", "Nam")),
])  # fmt: skip
def test_genders_are_the_words_the_app_shows_and_import_back(
    owner_ctx: ServiceContext, foreign: dict[str, int], tmp_path: Path, name: str, lang: str,
    words: tuple[str, str],
) -> None:  # fmt: skip
    path = tmp_path / name
    export_customers(owner_ctx, path, lang=lang, columns=["code", "name", "phone", "gender"])
    by_name = {r[1]: r[3] for r in _rows(path)[1:]}
    assert (by_name["Tan Wei Ling"], by_name["Lê Văn Nam"]) == words
    with owner_ctx.engine.begin() as conn:  # the import must set them back from the file
        conn.execute(sa.update(customers_t).values(gender=Gender.UNKNOWN.value))
    again = import_customers(owner_ctx, path, on_duplicate="update")
    assert again.rejected == []
    with owner_ctx.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(customers_t.c.name, customers_t.c.gender)).all())
    assert (stored["Tan Wei Ling"], stored["Lê Văn Nam"]) == ("female", "male")
