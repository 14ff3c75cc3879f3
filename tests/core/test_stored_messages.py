"""A message kept in the database (an audit summary, a sync log line) comes back as the same
message: its English text, and its template and values for the reader's language."""

from __future__ import annotations

import json

from primedist.core.messages import Label, Message, msg, reread, restored, stored_args
from primedist.domain.enums import Channel, OrderStatus


def test_a_stored_message_comes_back_with_its_template_and_values() -> None:
    reason = msg("Sync failed: {reason}", reason="HTTP 500")
    text = msg(
        "Order {order}: {before} → {after} ({count} lines, {skus}; {why})",
        order="2611AB", before=OrderStatus.PENDING, after=OrderStatus.CANCELLED,
        count=1204, skus=["AT-01", "AT-02"], why=reason,
    )  # fmt: skip
    args = stored_args(text)
    assert args is not None and json.loads(args)["t"] == text.template

    again = restored(str(text), args)
    assert isinstance(again, Message)
    assert (
        again
        == text
        == ("Order 2611AB: pending → cancelled (1,204 lines, AT-01, AT-02; Sync failed: HTTP 500)")
    )
    assert again.template == text.template
    assert again.values["count"] == 1204  # still a number, for the reader's separators
    before = again.values["before"]
    assert isinstance(before, Label) and before.value == "pending"  # shown by its label
    nested = again.values["why"]
    assert isinstance(nested, Message) and nested.template == "Sync failed: {reason}"
    assert again.values["skus"] == ["AT-01", "AT-02"]


def test_plain_text_keeps_no_args_and_a_row_without_them_reads_as_written() -> None:
    assert stored_args("Prime Official - Shopee") is None
    assert stored_args(None) is None
    assert restored("written before args existed", None) == "written before args existed"
    assert not isinstance(restored("plain", None), Message)
    assert restored(None, None) == ""


def test_damaged_args_fall_back_to_the_english_text() -> None:
    for damaged in ('{"t": "x"', '{"v": {}}', "[1, 2]", '"text"', '{"t": "{a}", "v": {}}'):
        back = restored("the English text", damaged)
        assert back == "the English text" and not isinstance(back, Message), damaged


def test_a_value_that_is_not_text_number_or_list_is_kept_as_its_text() -> None:
    text = msg("{shop} on {channel}: {flag}", shop="A", channel=Channel.SHOPEE, flag=True)
    again = restored(str(text), stored_args(text))
    assert again == "A on shopee: True" and again.values["flag"] == "True"


RETURN_NOTE = "Returned {items} item(s), refund {refund} đ: {reason}"


def test_a_plain_english_note_is_read_back_as_its_message() -> None:
    written = msg(RETURN_NOTE, items=2, refund=1_299_000, reason="Lỗi: {size} sai, 3,5 cm")
    again = reread(str(written), RETURN_NOTE)
    assert again is not None and again.template == RETURN_NOTE
    assert again.values == {"items": 2, "refund": 1_299_000, "reason": "Lỗi: {size} sai, 3,5 cm"}
    assert again == written


def test_a_note_of_another_shape_is_not_read_as_the_template() -> None:
    for text in ("Counter sale", "Returned 2 item(s)", "Returned x item(s), refund 5 đ"):
        assert reread(text, RETURN_NOTE) is None
