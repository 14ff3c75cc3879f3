"""The exports' shared file handling: a file that cannot be written is one clear error."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from primedist.errors import PrimedistError
from primedist.services.export_support import replaced_when_done


def test_a_read_only_folder_is_one_clear_error_not_the_cleanups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a read-only file system even removing the (never written) temporary file fails:
    the owner must still read why the export failed, not a traceback of the clean-up."""
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> Any:
        if self.name.startswith(".out."):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(PrimedistError, match="Cannot write out.xlsx: Read-only file system"):
        with replaced_when_done(tmp_path / "out.xlsx"):
            raise OSError(errno.EROFS, "Read-only file system")
    assert not (tmp_path / "out.xlsx").exists()


def test_a_finished_file_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_text("old", encoding="utf-8")
    with replaced_when_done(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
