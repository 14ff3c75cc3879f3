"""Only primedist.ui may use Qt: services, queries, the CLI and the store stay headless."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "primedist"
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")
# Alembic's env script and revision files run only inside a migration context.
NOT_IMPORTABLE = ("primedist.db.migrations.env", "primedist.__main__")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_ui(path: Path) -> bool:
    return path.relative_to(PACKAGE).parts[0] == "ui"


def qt_imports(path: Path) -> list[str]:
    """Every Qt module a file imports (top-level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n.split(".")[0] in QT_PACKAGES]
    return found


def headless_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not is_ui(p))


def test_no_qt_import_outside_ui():
    files = headless_files()
    assert len(files) > 30
    offenders = {str(p.relative_to(ROOT)): qt_imports(p) for p in files if qt_imports(p)}
    assert offenders == {}, f"Qt imported outside primedist/ui: {offenders}"
    # The scan does see Qt where it is.
    assert qt_imports(PACKAGE / "ui" / "table_model.py")


def test_headless_modules_import_without_qt():
    modules = [
        m
        for m in map(module_name, headless_files())
        if "migrations.versions" not in m and m not in NOT_IMPORTABLE
    ]
    for expected in (
        "primedist.services.auth",
        "primedist.queries.orders",
        "primedist.cli",
        "primedist.db.store",
    ):
        assert expected in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{QT_PACKAGES!r})\n"
        "assert not qt, qt\n"
        "print(len(sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
