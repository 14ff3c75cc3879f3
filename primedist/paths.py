"""Where the app's bundled resources live (icons, stylesheet, translations)."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """`resources/` beside the package (source checkout) or inside a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


RESOURCES = resources_dir()
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"
