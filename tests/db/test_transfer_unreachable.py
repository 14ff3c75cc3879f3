"""`primedist migrate --to URL` with the server out of reach says so on one line, naming
the server (never its password) and what to do: not psycopg's two-line text. Needs
psycopg, not a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.db.test_server_unreachable import closed_port, unreachable_message

pytest.importorskip("psycopg")


def test_migrate_to_a_server_out_of_reach_is_one_line(cli: Any, data_dir: Path) -> None:
    port = closed_port()
    url = f"postgresql+psycopg://shop:s3cret-pw@127.0.0.1:{port}/shopdata?connect_timeout=2"
    run = cli("--data-dir", str(data_dir), "migrate", "--to", url)
    shown = f"postgresql+psycopg://shop:***@127.0.0.1:{port}/shopdata?connect_timeout=2"
    assert run.error_line() == (
        f"primedist: error: The database at {shown} cannot be opened: "
        + unreachable_message(f"127.0.0.1:{port}/shopdata")
    )
