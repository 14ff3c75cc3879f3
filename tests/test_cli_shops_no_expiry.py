"""`primedist shop authorize | list` for a platform that names no end to the
authorisation (Tiki's refresh tokens do not expire)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK
from primedist.sandbox.tiki import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    TikiSandbox,
    TikiSandboxConfig,
)


def test_a_tiki_shop_without_an_expiry_says_so(cli: Any, data_dir: Path) -> None:
    d = ("--data-dir", str(data_dir))
    with TikiSandbox(TikiSandboxConfig(orders=1)) as box:
        run = cli(*d, "shop", "add", "--channel", "tiki", "--name", "Tiki VN",
                  "--client-id", DEMO_CLIENT_ID, "--client-secret", DEMO_CLIENT_SECRET,
                  "--api-host", box.url)  # fmt: skip
        assert run.code == EXIT_OK, run.err
        linked = cli(*d, "shop", "authorize", "Tiki VN", "--code", box.authorize())
    assert linked.code == EXIT_OK, linked.err
    # No "authorised until - UTC": the clause is left out.
    assert f"Tiki VN is connected to Tiki shop {DEMO_SELLER_ID}" in linked.out
    assert linked.out.strip().endswith(".")
    assert "authorised until" not in linked.out and "- UTC" not in linked.out
    listed = cli(*d, "shop", "list")
    row = next(line for line in listed.out.splitlines() if line.startswith("Tiki VN"))
    assert " connected " in row
    assert row.endswith("no expiry given")
    # The JSON keeps its null: scripts read "no end" from it.
    shop = cli(*d, "shop", "list", "--json").json()["shops"][0]
    assert shop["authorised_until"] is None and shop["status"] == "connected"
    # A shop not linked yet still shows "-".
    cli(*d, "shop", "add", "--channel", "tiki", "--name", "Tiki 2", "--client-id", "x",
        "--client-secret", DEMO_CLIENT_SECRET)  # fmt: skip
    rows = cli(*d, "shop", "list").out.splitlines()
    assert next(r for r in rows if r.startswith("Tiki 2")).rstrip().endswith("-")
