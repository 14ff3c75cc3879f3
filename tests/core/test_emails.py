"""One email rule for staff sign-in, customers and suppliers."""

from __future__ import annotations

import pytest

from primedist.core.emails import is_email


@pytest.mark.parametrize(
    "text",
    ["lan@shop.vn", "hoa.nguyen+don@gmail.com", "a@b.co", "ke-toan@cong-ty.com.vn",
     "chu@cửahàng.vn", "o'brien@x.io", "x_1@mail.example.org"],
)  # fmt: skip
def test_addresses_one_can_write_to(text: str) -> None:
    assert is_email(text)


@pytest.mark.parametrize(
    "text",
    ["", "notanemail", "a@b", "user@@x.vn", "a@.vn", "a@x..vn", "x@y.vn.", ".a@x.vn",
     "a.@x.vn", "a..b@x.vn", "tab\there@x.vn", "a b@x.vn", "a@x y.vn", "@x.vn", "a@x.v",
     "a@-x.vn", "a@x-.vn", "a@x.123", "a@x_y.vn", "<a>@x.vn", "a@" + "x" * 260 + ".vn"],
)  # fmt: skip
def test_not_addresses(text: str) -> None:
    assert not is_email(text)
