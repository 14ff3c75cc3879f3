"""Refresh the Qt translation catalogues after UI text changes.

    .venv/bin/python packaging/update_translations.py

1. `pyside6-lupdate` collects every tr()/translate()/QT_TRANSLATE_NOOP string of
   primedist/ui into resources/translations/primedist_vi.ts (existing translations kept,
   strings no longer in the code dropped). Translate new entries with `pyside6-linguist`.
2. `pyside6-lrelease` compiles it, together with qt_extra_vi.ts (Qt's own standard button
   texts, which PySide6-Essentials ships no Vietnamese catalogue for), into the .qm the app
   loads. tests/ui/test_translations.py fails when either step was forgotten.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "resources" / "translations"
LANGS = ("vi",)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def ui_sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "primedist" / "ui").rglob("*.py"))


def lupdate(ts: Path) -> None:
    cmd = [_tool("lupdate"), "-no-obsolete", "-locations", "none", *ui_sources(), "-ts", str(ts)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)


def lrelease(lang: str, qm: Path) -> None:
    sources = [TRANSLATIONS / f"primedist_{lang}.ts", TRANSLATIONS / f"qt_extra_{lang}.ts"]
    existing = [str(p) for p in sources if p.is_file()]
    subprocess.run([_tool("lrelease"), *existing, "-qm", str(qm)], check=True, capture_output=True)


def main() -> int:
    for lang in LANGS:
        lupdate(TRANSLATIONS / f"primedist_{lang}.ts")
        lrelease(lang, TRANSLATIONS / f"primedist_{lang}.qm")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
