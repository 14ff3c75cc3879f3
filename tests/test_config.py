"""Where the data lives: resolve_settings precedence, the database URL, the sub-folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from primedist import config
from primedist.config import DB_FILENAME, Settings, resolve_settings


@pytest.fixture
def platform_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform's user data dir, redirected into tmp_path; no env overrides."""
    folder = tmp_path / "platform"
    monkeypatch.setattr(config, "default_data_dir", lambda: folder)
    monkeypatch.delenv("PRIMEDIST_DATA_DIR", raising=False)
    monkeypatch.delenv("PRIMEDIST_DATABASE_URL", raising=False)
    return folder


# Data dir precedence -------------------------------------------------------------------
def test_default_is_the_platform_dir(platform_dir: Path) -> None:
    s = resolve_settings()
    assert s.data_dir == platform_dir.resolve()
    assert s.database_url == f"sqlite:///{platform_dir.resolve() / DB_FILENAME}"


def test_demo_without_a_dir_uses_a_demo_subfolder(platform_dir: Path) -> None:
    s = resolve_settings(demo=True)
    assert s.data_dir == (platform_dir / "demo").resolve()
    assert s.db_path == (platform_dir / "demo" / DB_FILENAME).resolve()


def test_env_beats_the_platform_but_not_the_demo_folder(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", str(tmp_path / "from-env"))
    assert resolve_settings().data_dir == (tmp_path / "from-env").resolve()
    # The environment names the real shop: the demo keeps its own folder.
    assert resolve_settings(demo=True).data_dir == (platform_dir / "demo").resolve()


def test_env_database_url_is_not_the_demos(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = "postgresql+psycopg://shop@server/primedist"
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", real)
    assert resolve_settings().database_url == real
    demo = resolve_settings(demo=True)
    assert demo.database_url == f"sqlite:///{(platform_dir / 'demo').resolve() / DB_FILENAME}"
    # An explicit --data-dir for the demo resolves as any data dir does.
    assert resolve_settings(tmp_path / "mine", demo=True).database_url == real


def test_explicit_dir_beats_env_and_demo(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", str(tmp_path / "from-env"))
    explicit = tmp_path / "explicit"
    assert resolve_settings(explicit).data_dir == explicit.resolve()
    assert resolve_settings(str(explicit), demo=True).data_dir == explicit.resolve()


def test_empty_env_dir_is_ignored(platform_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", "")
    assert resolve_settings().data_dir == platform_dir.resolve()


def test_dirs_are_made_absolute_and_user_expanded(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_settings("relative").data_dir == tmp_path.resolve() / "relative"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_settings("~/shop").data_dir == (tmp_path / "home" / "shop").resolve()
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", "~/env-shop")
    assert resolve_settings().data_dir == (tmp_path / "home" / "env-shop").resolve()


def test_real_default_data_dir_is_per_user() -> None:
    path = config.default_data_dir()
    assert path.is_absolute()
    assert config.APP_NAME in path.parts


# Database URL --------------------------------------------------------------------------
def test_database_url_env_overrides_sqlite(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg://shop:pw@db.local:5432/primedist"
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", url)
    s = resolve_settings(tmp_path / "data")
    assert s.database_url == url
    assert not s.is_sqlite
    assert s.db_path is None
    assert s.data_dir == (tmp_path / "data").resolve()  # backups/logs still live here


def test_explicit_database_url_beats_env(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", "postgresql+psycopg://x@y/z")
    other = tmp_path / "other.db"
    s = resolve_settings(tmp_path / "data", f"sqlite:///{other}")
    assert s.is_sqlite
    assert s.db_path == other


def test_env_sqlite_url_points_db_path_elsewhere(
    platform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "shared" / "shop.db"
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", f"sqlite:///{elsewhere}")
    s = resolve_settings(tmp_path / "data")
    assert s.is_sqlite
    assert s.db_path == elsewhere
    assert s.backup_dir == (tmp_path / "data").resolve() / "backups"


def test_empty_database_url_env_is_ignored(
    platform_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", "")
    s = resolve_settings()
    assert s.db_path == platform_dir.resolve() / DB_FILENAME


def test_sqlite_default_url_and_db_path(tmp_path: Path, platform_dir: Path) -> None:
    s = resolve_settings(tmp_path / "data")
    root = (tmp_path / "data").resolve()
    assert s.is_sqlite
    assert s.database_url == f"sqlite:///{root / DB_FILENAME}"
    assert s.db_path == root / DB_FILENAME


def test_db_path_of_other_sqlite_url_forms(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert Settings(tmp_path, f"sqlite+pysqlite:///{db}").db_path == db
    assert Settings(tmp_path, f"sqlite:///{db}?timeout=5").db_path == db
    assert Settings(tmp_path, "sqlite://").db_path is None  # in memory: no file
    assert Settings(tmp_path, "sqlite:///:memory:").db_path is None
    assert Settings(tmp_path, "postgresql://u@h/db").db_path is None


# Folders -------------------------------------------------------------------------------
def test_folders_and_ensure_dirs(tmp_path: Path, platform_dir: Path) -> None:
    s = resolve_settings(tmp_path / "new" / "data")
    root = (tmp_path / "new" / "data").resolve()
    assert s.backup_dir == root / "backups"
    assert s.log_dir == root / "logs"
    assert s.export_dir == root / "exports"
    assert s.secret_key_path == root / "secret.key"
    assert not root.exists()

    s.ensure_dirs()
    for folder in (root, s.backup_dir, s.log_dir, s.export_dir):
        assert folder.is_dir()
    (s.backup_dir / "keep.db").write_bytes(b"x")
    s.ensure_dirs()  # idempotent, leaves contents alone
    assert (s.backup_dir / "keep.db").read_bytes() == b"x"
    assert not platform_dir.exists()


def test_settings_are_immutable(tmp_path: Path) -> None:
    s = resolve_settings(tmp_path)
    with pytest.raises(AttributeError):
        s.data_dir = tmp_path / "other"  # type: ignore[misc]
