"""Render the app icon from resources/icons/logo.svg: primedist.png (256 px, Linux
.desktop file and window managers) and primedist.ico (16-256 px, Windows installer and
executable). Run when the logo changes: `.venv/bin/python packaging/make_icons.py`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "logo.svg"))
    if not renderer.isValid():
        print(f"cannot read {ICONS / 'logo.svg'}", file=sys.stderr)  # noqa: T201
        return 1
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    png = ICONS / "primedist.png"
    image.save(str(png))
    Image.open(png).save(ICONS / "primedist.ico", sizes=ICO_SIZES)
    print(f"wrote {png} and {ICONS / 'primedist.ico'}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
