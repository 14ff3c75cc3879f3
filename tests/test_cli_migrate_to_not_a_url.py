"""`primedist migrate --to` with something that is not a database URL (a file path, a
Windows path, a bare word, an in-memory SQLite, nothing at all) is refused on one line
naming the forms to give: not SQLAlchemy's traceback, and not a plain migrate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR

URLS = "postgresql+psycopg://USER:PASSWORD@HOST/DB (or sqlite:///FILE)."


@pytest.mark.parametrize(
    "target", ["/tmp/shop-copy.db", "C:/shop.db", "notaurl", "postgres", "sqlite:foo", "sqlite://"]
)
def test_a_target_that_is_no_database_url_is_one_line(
    cli: Any, data_dir: Path, target: str
) -> None:
    run = cli("--data-dir", str(data_dir), "migrate", "--to", target)
    assert run.code == EXIT_ERROR
    assert run.error_line() == (
        f"primedist: error: {target} is not a database this app can use: give {URLS}"
    )


def test_unreadable_text_that_may_hold_a_password_is_not_shown(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "migrate", "--to", "shop:s3cret@host/db")
    assert "s3cret" not in run.error_line()
    assert "is not a database this app can use" in run.error_line()


def test_an_empty_target_is_refused_not_a_plain_migrate(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "migrate", "--to", "")
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: Give the database to copy into: {URLS}"
    assert "Database at" not in run.out
