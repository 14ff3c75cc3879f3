"""The staff right "Export data" on the pages' Export buttons: a staff member without it
finds them greyed out, the tooltip saying who may (the services refuse the export too:
`ServiceContext.require_export`). The right taken away signs the person out
(`main_window.rights_lost`); given while they are signed in, the main window puts every
Export button back as its page wants it (`regate_exports`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QWidget

from primedist.services.context import ServiceContext

#: Kept on each gated button: whether its page wants it enabled, and the page's own tooltip
#: (the gate's tooltip hides it): a right given later puts them back without the page.
WISH = "exportWish"
PAGE_TIP = "exportPageTip"


def may_export(ctx: ServiceContext) -> bool:
    """Whether the signed-in user may export the shop's data (`Actor.may_export`)."""
    return ctx.actor.may_export


def export_right_tip() -> str:
    return QCoreApplication.translate(
        "exports",
        "Only the owner, a manager or staff with the right “Export data” may export the "
        "shop's data to a file.",
    )


def gate_export(button: QAbstractButton, ctx: ServiceContext, enabled: bool | None = None) -> None:
    """Enable `button` as `enabled` says (None: leave it) when the user may export; without
    the right it stays disabled and its tooltip says who may. Call it after the page sets
    the button's state or tooltip."""
    allowed = may_export(ctx)
    right_tip = export_right_tip()
    tip = button.toolTip()
    if tip != right_tip:
        button.setProperty(PAGE_TIP, tip)
    if enabled is not None:
        button.setProperty(WISH, enabled)
    elif allowed or button.isEnabled() or button.property(WISH) is None:
        # (Disabled here by the gate before: the page's wish stays as it was.)
        button.setProperty(WISH, button.isEnabled())
    if enabled is not None:
        button.setEnabled(enabled and allowed)
    elif not allowed:
        button.setEnabled(False)
    if not allowed:
        button.setToolTip(right_tip)
    elif tip == right_tip:  # the right was given since: the page's tooltip again
        button.setToolTip(str(button.property(PAGE_TIP) or ""))


def regate_exports(root: QWidget, ctx: ServiceContext) -> None:
    """Every Export button under `root` gated again for `ctx`'s rights (given since the
    page gated it: enabled as its page last wanted, with the page's tooltip)."""
    for button in root.findChildren(QAbstractButton):
        wish = button.property(WISH)
        if wish is not None:
            gate_export(button, ctx, bool(wish))
