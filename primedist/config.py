"""Where the installation keeps its data, and which database it talks to.

Resolved once at start-up from (highest first) the command line, the environment
(`PRIMEDIST_DATA_DIR`, `PRIMEDIST_DATABASE_URL`) and the platform's user data dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "primedist"
DB_FILENAME = "primedist.db"


def default_data_dir() -> Path:
    """The per-user data dir of this platform (imported lazily: platformdirs is cheap)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Resolved environment settings for one run of the app."""

    data_dir: Path
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def db_path(self) -> Path | None:
        """The SQLite file, or None for a server (or in-memory) database."""
        if not self.is_sqlite:
            return None
        from sqlalchemy.engine import make_url

        # Parsed, not split: a query string (`?timeout=5`) is not part of the file name.
        database = make_url(self.database_url).database
        return Path(database) if database and database != ":memory:" else None

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def export_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def secret_key_path(self) -> Path:
        return self.data_dir / "secret.key"

    def ensure_dirs(self) -> None:
        """Create the data dir and its sub-folders."""
        for path in (self.data_dir, self.backup_dir, self.log_dir, self.export_dir):
            path.mkdir(parents=True, exist_ok=True)


def resolve_settings(
    data_dir: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    *,
    demo: bool = False,
) -> Settings:
    """Build Settings from explicit values, then the environment, then defaults.

    `demo` without an explicit data dir uses a separate `demo` folder so the demo shop
    never mixes with the real one: the environment is not read then, since
    PRIMEDIST_DATA_DIR and PRIMEDIST_DATABASE_URL name the real shop's store.
    """
    use_env = data_dir is not None or not demo
    env_dir = os.environ.get("PRIMEDIST_DATA_DIR") if use_env else None
    if data_dir is not None:
        root = Path(data_dir)
    elif env_dir:
        root = Path(env_dir)
    elif demo:
        root = default_data_dir() / "demo"
    else:
        root = default_data_dir()
    root = root.expanduser().resolve()
    env_url = os.environ.get("PRIMEDIST_DATABASE_URL") if use_env else None
    url = database_url or env_url or ""
    if not url:
        url = f"sqlite:///{root / DB_FILENAME}"
    return Settings(data_dir=root, database_url=url)
