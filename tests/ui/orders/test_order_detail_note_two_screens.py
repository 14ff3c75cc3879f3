# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""One order's detail open on two screens (two PCs on one database), the staff note typed
on both: A saves; B, which showed the note from before, is refused — its typed text stays
in the editor, the note A saved is shown under it, nothing is written — and B's merged
note then saves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from tests.services.test_order_edit_two_screens import pc_b  # noqa: F401  (fixture)
from tests.ui.orders.test_order_detail import (
    WAIT_MS,
    click,
    open_detail,
    order_of,
    phone_order,
    variants,  # noqa: F401  (fixture)
)


def test_the_later_note_is_refused_and_kept_beside_the_note_saved_meanwhile(
    qtbot: Any, owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine,
    variants: list[int],
) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, variants)
    on_a = open_detail(qtbot, owner_ctx, order_id)
    on_b = open_detail(qtbot, pc_b, order_id)
    assert not on_b.note_conflict.isVisible()
    qtbot.keyClicks(on_a.note_edit, "Goi truoc khi giao")
    qtbot.keyClicks(on_b.note_edit, "Khach hen lay chieu")
    owner_ctx.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    with qtbot.waitSignal(on_a.changed, timeout=WAIT_MS):
        click(qtbot, on_a.save_note_button)

    click(qtbot, on_b.save_note_button)
    qtbot.waitUntil(lambda: on_b.note_conflict.isVisible() and not on_b._busy, timeout=WAIT_MS)
    number = order_of(engine, order_id).external_id
    assert on_b.note_conflict.text() == (
        f"The staff note of order {number} was changed on another screen or PC since you "
        "opened it (by Chủ Thử at 20/11/2026 10:03): nothing was saved. Your text is kept "
        "beside the note as it is now: merge them and save again.\n"
        "The note now: Goi truoc khi giao"
    )
    assert on_b.note_edit.toPlainText() == "Khach hen lay chieu"
    assert on_b.save_note_button.isEnabled()
    assert order_of(engine, order_id).staff_note == "Goi truoc khi giao"

    # B merges both notes and saves over the one it was shown.
    on_b.note_edit.setPlainText("Goi truoc khi giao. Khach hen lay chieu")
    with qtbot.waitSignal(on_b.changed, timeout=WAIT_MS):
        click(qtbot, on_b.save_note_button)
    assert order_of(engine, order_id).staff_note == "Goi truoc khi giao. Khach hen lay chieu"
    assert not on_b.note_conflict.isVisible() and not on_b.save_note_button.isEnabled()


def test_a_status_change_meanwhile_does_not_refuse_the_note(
    qtbot: Any, owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine,
    variants: list[int],
) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, variants)
    on_b = open_detail(qtbot, pc_b, order_id)
    on_a = open_detail(qtbot, owner_ctx, order_id)
    with qtbot.waitSignal(on_a.changed, timeout=WAIT_MS):
        click(qtbot, on_a.flag_button)
    qtbot.keyClicks(on_b.note_edit, "Goi truoc khi giao")
    with qtbot.waitSignal(on_b.changed, timeout=WAIT_MS):
        click(qtbot, on_b.save_note_button)
    assert order_of(engine, order_id).staff_note == "Goi truoc khi giao"
    assert not on_b.note_conflict.isVisible()


def test_ones_own_note_saved_with_stray_spaces_is_no_clash_at_the_next_save(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, variants: list[int],
) -> None:  # fmt: skip
    """The note is stored cleaned (a space before a line break dropped): the next save on
    the same screen starts from that note, not from the one before (it was refused as
    changed elsewhere, naming oneself)."""
    order_id = phone_order(owner_ctx, variants)
    screen = open_detail(qtbot, owner_ctx, order_id)
    screen.note_edit.setPlainText("Goi lai \nsau 5 gio")
    with qtbot.waitSignal(screen.changed, timeout=WAIT_MS):
        click(qtbot, screen.save_note_button)
    assert order_of(engine, order_id).staff_note == "Goi lai\nsau 5 gio"
    qtbot.waitUntil(lambda: not screen._busy, timeout=WAIT_MS)
    screen.note_edit.setPlainText(screen.note_edit.toPlainText() + "\nDa goi")
    with qtbot.waitSignal(screen.changed, timeout=WAIT_MS):
        click(qtbot, screen.save_note_button)
    assert not screen.note_conflict.isVisible()
    assert order_of(engine, order_id).staff_note.endswith("Da goi")
    qtbot.waitUntil(lambda: not screen._busy, timeout=WAIT_MS)
    assert not screen.save_note_button.isEnabled()  # saved: closing asks nothing
