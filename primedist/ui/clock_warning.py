"""The status bar's warning that this PC's clock is off from the database server's.

Each PC stamps its sales, payments, stock movements and audit rows with its own clock: a
counter PC whose clock is minutes (or a day, or a time zone) off files them at the wrong
time, silently. The main window compares the clocks (`clock_check.clock_skew`, one
`SELECT clock_timestamp()`) off the UI thread at sign-in and then every `CHECK_MS`, and
says so while they differ by more than `SKEW_LIMIT`; fixed, it goes at the next check.
On SQLite (one PC, one clock) there is nothing to compare: it never shows."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from primedist.services import clock_check
from primedist.services.context import ServiceContext
from primedist.ui.list_tools import count_text
from primedist.ui.ops import Op

log = logging.getLogger(__name__)

#: How often the clocks are compared after sign-in (a clock fixed shows within this).
CHECK_MS = 10 * 60_000


class ClockWarning(QLabel):
    """ "⚠ This PC's clock is 7 min behind the server's" (hours or days when that far
    off; "ahead of" the other way), with what goes wrong and how to fix it as its tooltip;
    hidden while the clocks agree or could not be compared."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clockWarning")
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Never cut short on a narrow screen: the user's and data labels beside it give way.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.ctx = ctx
        #: The server's clock minus this PC's at the last check (None: not compared).
        self.skew: timedelta | None = None
        #: A check not answered yet (tests wait on False).
        self.checking = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.hide()

    def start(self) -> None:
        """Compare now (at sign-in), then every `CHECK_MS`."""
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        """Compare the clocks off the UI thread (one check at a time)."""
        if self.checking:
            return
        self.checking = True
        ctx = self.ctx
        Op(self, lambda _job: clock_check.clock_skew(ctx)).success(self._measured).failure(
            self._failed
        ).finally_(self._done).run()

    def _measured(self, skew: timedelta | None) -> None:
        was, now = clock_check.skew_matters(self.skew), clock_check.skew_matters(skew)
        self.skew = skew
        if now and not was:  # once, not at every check
            log.warning("this PC's clock is %+.0f s off the database server's (server minus "
                        "this PC): what it writes is stamped with the wrong time",
                        skew.total_seconds() if skew else 0)  # fmt: skip
        elif was and not now:
            log.info("this PC's clock agrees with the database server's again")
        self.refresh()

    @staticmethod
    def _failed(exc: BaseException) -> None:
        # The server away: the status bar's sync read says so; the next check tries again.
        log.info("could not compare this PC's clock with the server's: %s", exc)

    def _done(self) -> None:
        self.checking = False

    def refresh(self) -> None:
        skew = self.skew
        if skew is None or not clock_check.skew_matters(skew):
            self.clear()
            self.setToolTip("")
            self.hide()
            return
        amount = self.amount_text(abs(skew))
        if skew > timedelta(0):  # the server's clock is later: this PC is behind
            text = self.tr("This PC's clock is %s behind the server's") % amount
        else:
            text = self.tr("This PC's clock is %s ahead of the server's") % amount
        self.setText("⚠ " + text)
        tip = self.tr(
            "Sales, payments, stock movements and audit log entries made on this PC are "
            "stamped with its wrong time, so the end-of-day report, today's figures on Home "
            "and the order list's order go wrong.\nTo fix it in Windows: Settings → Time & "
            "language → Date & time, turn on “Set time automatically” (and check the time "
            "zone), then click “Sync now”. This warning goes away at the next check, within "
            "10 minutes.\n"
            "If this PC's time is right, the server's clock is wrong: ask whoever looks "
            "after the server."
        )
        # Rich text: Qt wraps it to the screen (a plain tooltip is one long line).
        self.setToolTip("<p>" + html.escape(tip).replace("\n", "</p><p>") + "</p>")
        self.show()

    def amount_text(self, off: timedelta) -> str:
        """Minutes; hours from 90 minutes; days from 24 hours (rounded)."""
        minutes = round(off.total_seconds() / 60)
        if minutes < 90:
            return count_text(minutes, self.tr("%n min"), self.tr("%n min"))
        hours = round(off.total_seconds() / 3600)
        if hours < 24:
            return count_text(hours, self.tr("%n hour"), self.tr("%n hours"))
        days = round(off.total_seconds() / 86400)
        return count_text(days, self.tr("%n day"), self.tr("%n days"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()  # the same skew, said in the new language
        super().changeEvent(event)
