"""Settings → Language: the app's language (Tiếng Việt / English), switched at once and
remembered for the next start (the same preference as the header's language box)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.widgets import LanguageCombo, add_narrow


class LanguageSettings(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("languageSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        form = QFormLayout()
        self.caption = QLabel()
        self.combo = LanguageCombo()
        self.combo.setObjectName("settingsLanguage")
        self.combo.languageChosen.connect(self.choose)
        form.addRow(self.caption, self.combo)
        add_narrow(layout, form)
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.retranslate()

    def choose(self, lang: str) -> None:
        install_language(lang)
        if self.ctx.settings is not None:  # the file ui/app.py reads at start
            prefs = QSettings(
                str(self.ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat
            )
            prefs.setValue("language", lang)
            prefs.sync()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Language"))
        self.caption.setText(self.tr("Language of the app"))
        self.note.setText(
            self.tr("Exports and imports keep their own header language (Vietnamese or English).")
        )
