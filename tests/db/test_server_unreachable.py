"""A PostgreSQL server out of reach (down, restarted, the network cut) is a StoreError
naming the server (never its password) and saying what to do, from a unit of work or any
query, and in the CLI: never a traceback. Writers clashing on PostgreSQL (a deadlock, a
serialization failure) are `Busy`; a duplicate key is not. Needs psycopg, not a server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.cli import EXIT_ERROR
from primedist.db import engine as engine_module
from primedist.db.engine import make_engine, server_name, session_scope, store_problem
from primedist.errors import Busy, StoreError

psycopg = pytest.importorskip("psycopg")

BUSY = ("Another task is writing to the shop's data (a sync, an import or another window); "
        "nothing was saved. Try again in a moment.")  # fmt: skip


def closed_port() -> int:
    """A local port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def gone() -> Iterator[tuple[Engine, str]]:
    """An engine on a server that is not there, and the server's name."""
    port = closed_port()
    engine = make_engine(f"postgresql+psycopg://shop:s3cret-pw@127.0.0.1:{port}/shopdata")
    yield engine, f"127.0.0.1:{port}/shopdata"
    engine.dispose()


def unreachable_message(server: str) -> str:
    return (f"Cannot reach the database server {server}. Check the network and that the "
            "server is running, then try again.")  # fmt: skip


def test_server_name_has_no_user_or_password() -> None:
    url = "postgresql+psycopg://shop:s3cret@db.local:5433/shopdata"
    assert server_name(url) == "db.local:5433/shopdata"
    assert server_name("postgresql+psycopg://shop@10.0.0.5/shop") == "10.0.0.5/shop"


def test_a_unit_of_work_on_a_server_out_of_reach_is_a_store_error(gone: tuple[Engine, str]) -> None:
    engine, server = gone
    with pytest.raises(StoreError) as caught:
        with session_scope(engine) as session:
            session.execute(sa.text("SELECT 1"))
    assert caught.value.user_message == unreachable_message(server)
    assert "s3cret" not in str(caught.value)


def test_any_query_on_a_server_out_of_reach_says_so(gone: tuple[Engine, str]) -> None:
    engine, server = gone
    with pytest.raises(sa.exc.OperationalError) as caught:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    problem = store_problem(caught.value)
    assert isinstance(problem, StoreError)
    assert problem.user_message == unreachable_message(server)


def test_the_server_closing_the_connection_is_out_of_reach_too() -> None:
    closed = sa.exc.OperationalError(
        "SELECT …", {}, psycopg.OperationalError("server closed the connection unexpectedly")
    )
    assert isinstance(store_problem(closed), StoreError)
    admin = sa.exc.OperationalError("SELECT …", {}, psycopg.errors.AdminShutdown("shutdown"))
    assert isinstance(store_problem(admin), StoreError)


@pytest.mark.parametrize("error", ["DeadlockDetected", "SerializationFailure",
                                   "LockNotAvailable"])  # fmt: skip
def test_writers_clashing_on_postgresql_are_busy(error: str) -> None:
    clash = sa.exc.OperationalError("INSERT …", {}, getattr(psycopg.errors, error)("clash"))
    problem = store_problem(clash)
    assert isinstance(problem, Busy) and problem.user_message == BUSY


def test_other_postgresql_errors_stay_bugs() -> None:
    """A duplicate key is a real duplicate its caller names (writers that create keys take
    the writer lock), never "try again"."""
    duplicate = sa.exc.IntegrityError("INSERT …", {}, psycopg.errors.UniqueViolation("dup"))
    assert store_problem(duplicate) is None
    check = sa.exc.IntegrityError("INSERT …", {}, psycopg.errors.CheckViolation("total"))
    assert store_problem(check) is None
    syntax = sa.exc.ProgrammingError("SELEC", {}, psycopg.errors.SyntaxError("syntax"))
    assert store_problem(syntax) is None


def _failing_dashboard(error: BaseException) -> Any:
    def dashboard(*_args: Any, **_kwargs: Any) -> Any:
        raise error

    return dashboard


def test_the_cli_says_the_server_is_out_of_reach_in_one_line(
    cli: Any, data_dir: Path, gone: tuple[Engine, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server going away while a command runs (its store was opened)."""
    engine, server = gone
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        error = exc
    monkeypatch.setattr("primedist.services.reports.dashboard", _failing_dashboard(error))
    run = cli("--data-dir", str(data_dir), "report", "dashboard")
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {unreachable_message(server)}"


def test_the_cli_says_busy_for_a_clash_with_another_pcs_writer(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clash = sa.exc.OperationalError("UPDATE …", {}, psycopg.errors.DeadlockDetected("dl"))
    monkeypatch.setattr("primedist.services.reports.dashboard", _failing_dashboard(clash))
    run = cli("--data-dir", str(data_dir), "report", "dashboard")
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {BUSY}"


# A server that answers nothing ---------------------------------------------------------------
@pytest.fixture
def silent_port() -> Iterator[int]:
    """A local port whose listener takes connections (the kernel completes them) and never
    says a word: a server hung, or a PC gone behind a half-open connection."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def connect_in_background(engine: Engine) -> tuple[threading.Thread, list[BaseException]]:
    """Start a connection off the test's thread (so a hang fails the test, not the run)."""
    errors: list[BaseException] = []

    def connect() -> None:
        try:
            with session_scope(engine) as session:
                session.execute(sa.text("SELECT 1"))
        except BaseException as error:  # noqa: BLE001 - handed to the test
            errors.append(error)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    return thread, errors


def test_a_server_that_never_answers_is_given_up_after_the_connect_timeout(
    silent_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PG_CONNECT_TIMEOUT_S", 2)
    engine = make_engine(f"postgresql+psycopg://shop:pw@127.0.0.1:{silent_port}/shopdata")
    started = time.monotonic()
    thread, errors = connect_in_background(engine)
    thread.join(20)
    assert not thread.is_alive(), "the connection still waits for a server that never answers"
    assert time.monotonic() - started < 15
    (error,) = errors
    assert isinstance(error, StoreError)
    assert error.user_message == unreachable_message(f"127.0.0.1:{silent_port}/shopdata")
    engine.dispose()


def test_the_urls_own_connect_timeout_wins(silent_port: int) -> None:
    engine = make_engine(
        f"postgresql+psycopg://shop:pw@127.0.0.1:{silent_port}/shopdata?connect_timeout=2"
    )
    started = time.monotonic()
    thread, errors = connect_in_background(engine)
    thread.join(20)
    assert not thread.is_alive()
    assert time.monotonic() - started < engine_module.PG_CONNECT_TIMEOUT_S
    assert isinstance(errors[0], StoreError)
    engine.dispose()
