"""PyInstaller runtime hook: let fontconfig (Linux) find the bundled Noto Sans.

Qt on Linux takes its fonts from fontconfig, which reads FONTCONFIG_FILE; the bundle's
file includes the system configuration and adds resources/fonts. A FONTCONFIG_FILE set
by the user wins. Windows fonts (Segoe UI, Arial) draw Vietnamese already.
"""

import os
import sys
from pathlib import Path

_conf = Path(getattr(sys, "_MEIPASS", "")) / "resources" / "fonts" / "fonts.conf"
if sys.platform.startswith("linux") and _conf.is_file():
    os.environ.setdefault("FONTCONFIG_FILE", str(_conf))
