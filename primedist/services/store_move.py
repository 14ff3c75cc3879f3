"""Moving the shop's data to another database: `primedist migrate --to URL`.

For a shop that grows from one PC (SQLite) to several PCs sharing a PostgreSQL server.
The owner copies everything into an empty database (db.transfer does the copy); the app's
database is only read. Marketplace tokens and app secrets stay encrypted with the data
dir's key, which never goes into a database: the other PCs need a copy of it, so the
move says where it is, or writes a copy (`key_out`) when it lives in this PC's keyring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from primedist.config import Settings
from primedist.core.messages import msg
from primedist.core.security import FileKeyStore, default_key_stores
from primedist.db.engine import masked_url
from primedist.db.transfer import TableCopied, TransferReport, copy_database
from primedist.errors import StoreError
from primedist.services.context import ServiceContext

#: app_settings keys holding an encrypted app secret (one per shop).
_PARTNER_KEYS = "channels.partner.%"


@dataclass(frozen=True)
class SecretKey:
    """Where the key of the shop's encrypted secrets is, and how many secrets use it."""

    secrets: int
    #: "file", "keyring", or None (no key yet: no secret was ever stored).
    store: str | None
    #: The file the other PCs need as `<data dir>/secret.key` (None: keyring, not exported).
    file: Path | None


@dataclass(frozen=True)
class MoveReport:
    copied: TransferReport
    key: SecretKey
    #: What every PC sets to use the new database (password hidden).
    switch: str


def move_to(
    ctx: ServiceContext,
    target_url: str,
    *,
    key_out: Path | None = None,
    on_table: Callable[[TableCopied], None] | None = None,
) -> MoveReport:
    """Copy all data into the empty database at `target_url` (owner only).

    `key_out`: also write the secrets' key to this new file (0600), for the other PCs.
    Refused before anything is copied when secrets are encrypted with a key that only
    this PC's keyring holds and no `key_out` is given: the other PCs could not read them.
    """
    ctx.require_owner(msg("Only the owner may move the shop's data to another database."))
    if ctx.settings is None:
        raise StoreError(msg("No data dir is open."))
    settings = ctx.settings
    secrets = _count_encrypted_secrets(ctx)
    found = _key_in_use(settings)
    if key_out is not None and key_out.exists():
        raise StoreError(
            msg("{path} already exists: give a new file for the key.", path=str(key_out))
        )
    if secrets and found is not None and found[0] != "file" and key_out is None:
        raise StoreError(
            msg(
                "{count} shop secrets are encrypted with a key kept in this PC's keyring; the "
                "other PCs need a copy: add --key-out FILE (then put FILE as secret.key in "
                "their data dirs). Nothing was copied.",
                count=secrets,
            )
        )
    copied = copy_database(settings.database_url, target_url, on_table=on_table)
    key = SecretKey(secrets, found[0] if found else None, _key_file(settings, found, key_out))
    return MoveReport(copied, key, f"PRIMEDIST_DATABASE_URL={masked_url(target_url)}")


def _count_encrypted_secrets(ctx: ServiceContext) -> int:
    """Shop tokens, shops' app secrets and carrier credentials stored encrypted."""
    with ctx.engine.connect() as conn:
        count = 0
        for sql in (
            "SELECT count(*) FROM shop_credentials WHERE refresh_token_enc IS NOT NULL "
            "OR access_token_enc IS NOT NULL",
            "SELECT count(*) FROM carrier_accounts WHERE credentials_enc IS NOT NULL",
        ):
            count += int(conn.exec_driver_sql(sql).scalar_one())
        partner = sa.text("SELECT count(*) FROM app_settings WHERE key LIKE :k")
        count += int(conn.execute(partner, {"k": _PARTNER_KEYS}).scalar_one())
        return count


def _key_in_use(settings: Settings) -> tuple[str, bytes] | None:
    """(store name, key) of the place the app reads the key from, as `secret_box` does."""
    for store in default_key_stores(settings.secret_key_path.resolve()):
        try:
            key = store.load()
        except Exception:  # noqa: BLE001 - a locked keyring: the app tries the next place too
            continue
        if key:
            return store.name, key
    return None


def _key_file(
    settings: Settings, found: tuple[str, bytes] | None, key_out: Path | None
) -> Path | None:
    if found is None:
        return None
    if key_out is not None:
        try:
            FileKeyStore(key_out).save(found[1])
        except OSError as exc:
            raise StoreError(
                msg(
                    "The data was copied, but the key could not be written to {path}: {error}",
                    path=str(key_out),
                    error=str(exc),
                )
            ) from exc
        return key_out
    return settings.secret_key_path if found[0] == "file" else None
