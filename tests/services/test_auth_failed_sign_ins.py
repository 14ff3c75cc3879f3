"""Wrong passwords at the sign-in, the lock screen and the CLI's `--user` (auth.check_login):
each one is audited (the email typed, never the password); five in a row for one email
pause its sign-ins for 30 s, doubling, at most 5 minutes, with a message saying how long;
the right password ends the count. Real migrated store, the context's clock."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Role
from primedist.domain.user import SignInFailure
from primedist.errors import AuthenticationError
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD

WRONG = "not-the-password"


def failed_rows(ctx: ServiceContext) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(
            AuditEvent.action == "user.sign_in_failed").order_by(AuditEvent.id)).all())  # type: ignore[arg-type]  # fmt: skip


def wrong_logins(ctx: ServiceContext, email: str, times: int) -> list[str]:
    messages = []
    for _ in range(times):
        with pytest.raises(AuthenticationError) as refused:
            auth.login(ctx, email, WRONG)
        messages.append(str(refused.value.user_message))
    return messages


def test_each_wrong_password_is_audited_without_the_password(
    owner_ctx: ServiceContext,
) -> None:
    wrong_logins(owner_ctx, " Owner@Example.vn ", 1)
    wrong_logins(owner_ctx, "ghost@shop.vn", 1)
    known, unknown = failed_rows(owner_ctx)
    assert (known.user_id, known.entity_type, known.entity_id) == (
        owner_ctx.actor.id,
        "user",
        str(owner_ctx.actor.id),
    )
    assert known.summary == f"{OWNER_EMAIL}: wrong password"
    assert json.loads(known.after_json or "") == {"failures": 1}
    assert (unknown.user_id, unknown.entity_id) == (None, None)
    assert unknown.summary == "ghost@shop.vn: no account has this email"
    for row in (known, unknown):
        stored = " ".join(str(v) for v in (row.summary, row.summary_args, row.before_json,
                                           row.after_json))  # fmt: skip
        assert WRONG not in stored


def test_five_in_a_row_pause_the_email_doubling_up_to_five_minutes(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    messages = wrong_logins(owner_ctx, OWNER_EMAIL, 5)
    assert messages[:4] == [auth.WRONG_LOGIN] * 4
    assert messages[4] == (f"Too many wrong passwords for {OWNER_EMAIL}: sign-in is paused. "
                           "Try again in 30 seconds.")  # fmt: skip
    # Paused: even the right password is refused, and nothing more is counted.
    clock.advance(timedelta(seconds=20))
    with pytest.raises(AuthenticationError, match="Try again in 10 seconds"):
        auth.login(owner_ctx, OWNER_EMAIL, OWNER_PASSWORD)
    assert len(failed_rows(owner_ctx)) == 5
    # Another email is not paused by these.
    assert wrong_logins(owner_ctx, "ghost@shop.vn", 1) == [auth.WRONG_LOGIN]

    waits = []
    for _ in range(5):
        clock.advance(timedelta(minutes=10))
        (message,) = wrong_logins(owner_ctx, OWNER_EMAIL, 1)
        waits.append(message.rsplit("in ", 1)[1])
    assert waits == ["60 seconds.", "120 seconds.", "240 seconds.", "300 seconds.",
                     "300 seconds."]  # fmt: skip
    assert json.loads(failed_rows(owner_ctx)[-1].after_json or "") == {
        "failures": 10, "paused_seconds": 300}  # fmt: skip

    clock.advance(timedelta(seconds=300))
    assert auth.login(owner_ctx, OWNER_EMAIL, OWNER_PASSWORD).email == OWNER_EMAIL
    # The right password ended the count: four wrong ones again before any pause.
    assert wrong_logins(owner_ctx, OWNER_EMAIL, 4) == [auth.WRONG_LOGIN] * 4


def test_the_lock_screen_and_the_cli_count_for_the_same_account(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    lan = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    staff.choose_password(lan, "lan-own-pass")
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="Wrong password"):
            staff.unlock(lan, WRONG)
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="Wrong email or password"):
            auth.check_login(owner_ctx, "lan@shop.vn", WRONG)
    with pytest.raises(AuthenticationError, match="paused. Try again in 30 seconds"):
        staff.unlock(lan, WRONG)
    with pytest.raises(AuthenticationError, match="paused"):
        auth.login(owner_ctx, "lan@shop.vn", "lan-own-pass")
    rows = failed_rows(owner_ctx)
    assert len(rows) == 5 and {r.user_id for r in rows} == {lan.actor.id}

    clock.advance(timedelta(seconds=30))
    assert staff.unlock(lan, "lan-own-pass").email == "lan@shop.vn"
    with Session(owner_ctx.engine) as session:
        assert session.exec(select(SignInFailure)).all() == []


def test_a_password_reset_ends_the_pause(owner_ctx: ServiceContext) -> None:
    uid = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF).member.id
    wrong_logins(owner_ctx, "lan@shop.vn", 5)
    issued = staff.reset_password(owner_ctx, uid)
    assert auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password).id == uid


def test_a_pause_set_by_a_clock_ahead_does_not_keep_the_owner_out(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    """Five wrong passwords on a PC whose clock was a day ahead (or this PC's, put right
    since): the pause they set ends "tomorrow", longer than any pause can be, so it is not
    honoured: the right password signs in (and ends the count)."""
    real_now = clock.now()
    clock.set(real_now + timedelta(days=1))
    wrong_logins(owner_ctx, OWNER_EMAIL, auth.FAILURES_BEFORE_PAUSE)
    with pytest.raises(AuthenticationError, match="paused"):
        auth.login(owner_ctx, OWNER_EMAIL, OWNER_PASSWORD)  # on that PC: paused
    clock.set(real_now)
    assert auth.login(owner_ctx, OWNER_EMAIL, OWNER_PASSWORD).email == OWNER_EMAIL
    with Session(owner_ctx.engine) as session:
        assert session.get(SignInFailure, OWNER_EMAIL) is None


def test_wrong_current_passwords_when_changing_it_count_too(owner_ctx: ServiceContext) -> None:
    """My account → Change password in an open session: its wrong current passwords are
    audited and pause as the sign-in's do (no guessing at full speed from an unlocked PC)."""
    new = "An-0ther-passw0rd!"
    for _ in range(auth.FAILURES_BEFORE_PAUSE - 1):
        with pytest.raises(AuthenticationError, match="current password is wrong"):
            auth.change_password(owner_ctx, WRONG, new)
    with pytest.raises(AuthenticationError, match="paused"):
        auth.change_password(owner_ctx, WRONG, new)
    with pytest.raises(AuthenticationError, match="paused"):
        auth.change_password(owner_ctx, OWNER_PASSWORD, new)  # even the right one, for now
    assert len(failed_rows(owner_ctx)) == auth.FAILURES_BEFORE_PAUSE
    with pytest.raises(AuthenticationError, match="paused"):
        auth.login(owner_ctx, OWNER_EMAIL, OWNER_PASSWORD)  # the same account's pause
