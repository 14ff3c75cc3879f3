"""A password of spaces only is refused (eight spaces passed the length check); spaces
around a real password are kept, as the sign-in compares the password as typed."""

from __future__ import annotations

import pytest

from primedist.core.security import check_password_strength
from primedist.errors import ValidationError
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.conftest import OWNER_EMAIL


@pytest.mark.parametrize("password", [" " * 8, " " * 20, "\t" * 8, " \u00a0 \u3000    "])
def test_a_password_of_spaces_only_is_refused(password: str) -> None:
    with pytest.raises(ValueError, match="The password cannot be only spaces."):
        check_password_strength(password)


def test_spaces_around_a_password_count_as_typed() -> None:
    check_password_strength("  mật khẩu  ")
    check_password_strength(" abcdefg")  # 8 characters as typed, like the sign-in reads it
    with pytest.raises(ValueError, match="at least 8"):
        check_password_strength(" " * 7)


def test_setup_and_a_new_password_refuse_spaces(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="only spaces") as refused:
        auth.setup_shop(ctx, shop_name="Shop", owner_name="Owner", owner_email=OWNER_EMAIL,
                        owner_password=" " * 8)  # fmt: skip
    assert refused.value.field == "owner_password"
    assert auth.needs_setup(ctx.engine)


def test_a_password_with_spaces_around_signs_in_as_typed(ctx: ServiceContext) -> None:
    owner = auth.setup_shop(ctx, shop_name="Shop", owner_name="Owner",
                            owner_email=OWNER_EMAIL, owner_password=" pass word ")  # fmt: skip
    assert auth.login(ctx, OWNER_EMAIL, " pass word ").id == owner.id
    owner_ctx = ctx.with_actor(owner)
    with pytest.raises(ValidationError, match="only spaces"):
        auth.change_password(owner_ctx, " pass word ", " " * 10)
    with pytest.raises(ValidationError, match="only spaces"):
        staff.choose_password(owner_ctx, " " * 10)
