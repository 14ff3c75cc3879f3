"""Language switching through Qt translators (Vietnamese catalogue; English is the source)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from primedist.paths import TRANSLATIONS

LANGUAGES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"

_installed: list[QTranslator] = []
_current = "en"


def current_language() -> str:
    return _current


def install_language(lang: str) -> None:
    """Swap the app's translators; widgets retranslate on the LanguageChange event, and
    number boxes show the language's separators at once (`_follow_locale`)."""
    global _current
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    app = QCoreApplication.instance()
    assert app is not None, "create the QApplication first"
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang != "en":
        ours = QTranslator(app)
        if not ours.load(str(TRANSLATIONS / f"primedist_{lang}.qm")):
            raise FileNotFoundError(f"translation catalogue for {lang!r} is missing")
        qt_base = QTranslator(app)
        # Qt's own strings (standard buttons, dialogs); absent in some bundles: optional.
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_base.load(f"qtbase_{lang}", qt_dir):
            app.installTranslator(qt_base)
            _installed.append(qt_base)
        app.installTranslator(ours)
        _installed.append(ours)
    QLocale.setDefault(
        QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English)
    )
    _current = lang
    _follow_locale(app)


def _follow_locale(app: QCoreApplication) -> None:
    """Give the live windows the new default locale. A widget keeps the locale it got when
    made (setDefault reaches only widgets made later), so the spin boxes kept showing
    "10.000" in English; re-resolving each window's locale passes it to the widgets in it
    with a LocaleChange, on which a spin box redraws its value with the new separators."""
    if not isinstance(app, QApplication):
        return
    for window in app.topLevelWidgets():
        if not window.testAttribute(Qt.WidgetAttribute.WA_SetLocale):  # one set on purpose
            window.unsetLocale()
