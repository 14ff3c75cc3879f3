"""Editing a customer another PC (or window) changed since the form opened: refused, not
overwritten (`update_customer(seen=...)`). Merging keeps every staff note; the merge's and
the duplicate phone's refusals are messages the UI translates."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.messages import Message
from primedist.domain.enums import Gender
from primedist.errors import Conflict, NotFound
from primedist.services.context import ServiceContext
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePhone,
    add_customer,
    merge_customers,
    update_customer,
)

CHANGED = re.escape(
    "This customer was changed on another computer (or window) since you "
    "opened it: close and open it again."
)


def _stored(engine: Engine, cid: int) -> tuple[str | None, list[str]]:
    with engine.connect() as conn:
        note = conn.execute(sa.text("SELECT note FROM customers WHERE id = :i"),
                            {"i": cid}).scalar_one()  # fmt: skip
        phones = list(
            conn.execute(
                sa.text("SELECT phone FROM customer_phones WHERE customer_id = :i ORDER BY id"),
                {"i": cid},
            ).scalars()
        )
    return note, phones  # fmt: skip


@pytest.fixture
def shown(owner_ctx: ServiceContext) -> tuple[int, CustomerDraft]:
    """A customer, and the form as both PCs show it (stored values: no note is "")."""
    draft = CustomerDraft(
        name="Chị Mai",
        phones=["0912111222"],
        email="mai@example.vn",
        gender=Gender.FEMALE,
        birthday=date(1990, 5, 1),
        source="manual",
    )
    cid = add_customer(owner_ctx, draft).customer_id
    return cid, replace(draft, note=None)


def test_a_change_saved_elsewhere_meanwhile_is_not_undone(
    owner_ctx: ServiceContext, engine: Engine, shown: tuple[int, CustomerDraft]
) -> None:
    cid, seen = shown
    # PC A adds a phone; PC B, its form opened before, changes only the note.
    update_customer(owner_ctx, cid, replace(seen, phones=[*seen.phones, "0987654321"]),
                    seen=seen)  # fmt: skip
    with pytest.raises(Conflict, match=CHANGED) as refused:
        update_customer(owner_ctx, cid, replace(seen, note="Giao giờ hành chính"), seen=seen)
    assert isinstance(refused.value.user_message, Message)
    assert _stored(engine, cid) == (None, ["0912111222", "0987654321"])


def test_a_form_showing_the_customer_as_stored_saves(
    owner_ctx: ServiceContext, engine: Engine, shown: tuple[int, CustomerDraft]
) -> None:
    cid, seen = shown
    update_customer(owner_ctx, cid, replace(seen, note="Giao giờ hành chính"), seen=seen)
    assert _stored(engine, cid) == ("Giao giờ hành chính", ["0912111222"])
    # The form opened again shows the note: saving it again goes through.
    again = replace(seen, note="Giao giờ hành chính")
    update_customer(owner_ctx, cid, replace(again, email=None), seen=again)
    with engine.connect() as conn:
        email = conn.execute(sa.text("SELECT email FROM customers WHERE id = :i"), {"i": cid})
        assert email.scalar_one() is None


def test_merging_into_a_customer_without_a_note_keeps_the_other_ones(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    keep = add_customer(owner_ctx, CustomerDraft(name="Keep", phones=["0931000111"]))
    other = add_customer(owner_ctx, CustomerDraft(name="Other", phones=["0931000222"],
                                                  note="Gọi trước 30 phút"))  # fmt: skip
    merge_customers(owner_ctx, keep.customer_id, [other.customer_id])
    assert _stored(engine, keep.customer_id)[0] == "Gọi trước 30 phút"


def test_merging_joins_every_note_once(owner_ctx: ServiceContext, engine: Engine) -> None:
    keep = add_customer(owner_ctx, CustomerDraft(name="Keep", phones=["0931000111"]))
    notes = ["Gọi trước", "Giao chiều", "Gọi trước"]
    others = [add_customer(owner_ctx, CustomerDraft(name=f"Other {i}", phones=[f"093100022{i}"],
                                                    note=n)).customer_id
              for i, n in enumerate(notes)]  # fmt: skip
    merge_customers(owner_ctx, keep.customer_id, others)
    assert _stored(engine, keep.customer_id)[0] == "Gọi trước\n\nGiao chiều"


def test_merging_customers_already_merged_is_refused_in_the_users_words(
    owner_ctx: ServiceContext,
) -> None:
    a = add_customer(owner_ctx, CustomerDraft(name="A", phones=["0931000111"])).customer_id
    b = add_customer(owner_ctx, CustomerDraft(name="B", phones=["0931000222"])).customer_id
    merge_customers(owner_ctx, a, [b])
    with pytest.raises(NotFound) as refused:
        merge_customers(owner_ctx, a, [b])
    said = refused.value.user_message
    assert isinstance(said, Message)
    assert said.template == "These customers no longer exist or were already merged: {customers}"
    assert said.endswith(f"already merged: KH{b:06d}")


def test_a_duplicate_phone_is_said_in_the_users_words(owner_ctx: ServiceContext) -> None:
    add_customer(owner_ctx, CustomerDraft(name="Lan", phones=["0931000111"]))
    with pytest.raises(DuplicatePhone) as refused:
        add_customer(owner_ctx, CustomerDraft(name="Lan 2", phones=["0931000111"]))
    said = refused.value.user_message
    assert isinstance(said, Message)
    assert said.startswith("0931000111 already belongs to Lan (KH")
