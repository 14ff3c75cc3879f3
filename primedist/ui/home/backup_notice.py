"""Home's advice when the shop's backups have all stayed on this PC for a week or more
(`services.backup.outside_notice`): a dead disk, a theft or ransomware would take them
with the data. For the owner and managers, with a link to Settings → Backup & restore;
it goes once a backup is copied outside again (read at each refresh, never a pop-up)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from primedist.services.backup import OutsideNotice
from primedist.ui.formatting import short_path
from primedist.ui.messages import localize
from primedist.ui.widgets import button_text


class BackupNotice(QFrame):
    """The notice: what is wrong, why it matters or why the last copy failed, a link."""

    #: The link was clicked: open Settings → Backup & restore.
    openBackup = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupNotice")
        self.notice: OutsideNotice | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 14, 6)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.title = QLabel()
        self.title.setObjectName("backupNoticeTitle")
        self.detail = QLabel()
        self.detail.setObjectName("backupNoticeDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # a folder, the system's words
        texts.addWidget(self.title)
        texts.addWidget(self.detail)
        row.addLayout(texts, 1)
        self.link = QPushButton()
        self.link.setObjectName("linkButton")
        self.link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.link.clicked.connect(self.openBackup)
        row.addWidget(self.link, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_notice(self, notice: OutsideNotice | None) -> None:
        self.notice = notice
        self.retranslate()
        self.setVisible(notice is not None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        notice = self.notice
        if notice is None:
            return
        if notice.days is not None:
            self.title.setText(self.tr("No backup outside this PC for %1 days")
                               .replace("%1", str(notice.days)))  # fmt: skip
        elif notice.folder_set:
            self.title.setText(self.tr("No backup outside this PC yet"))
        else:
            self.title.setText(self.tr("The shop's backups are only on this PC"))
        failure = notice.failure
        if failure is not None and failure.folder:
            text = self.tr("The copy to “%1” was not made: %2")
            detail = text.replace("%2", localize(failure.reason)).replace(
                "%1", short_path(failure.folder)
            )
        elif notice.folder_set:
            detail = self.tr("Check that the backup folder's USB stick or drive is connected.")
        else:
            detail = self.tr(
                "A dead disk, a theft or ransomware would take them with the data: have "
                "the daily backup copied to a USB stick or a synced Google Drive/OneDrive "
                "folder."
            )
        self.detail.setText(detail)
        # The standing advice is one line (its why in the tooltip): Home's cards stay in
        # view; a failed copy shows its reason, what the owner has to act on.
        advice = failure is None and not notice.folder_set
        self.detail.setVisible(not advice)
        self.setToolTip(detail if advice else "")
        link = self.tr("Open Backup & restore") if notice.folder_set else self.tr(
            "Set up a second copy")  # fmt: skip
        self.link.setText(button_text(link))  # "Backup & restore" whole
