"""The staff right "Export data" on the pages' Export buttons: a staff member without it
finds them greyed out, the tooltip saying who may (the services refuse the export too:
`ServiceContext.require_export`). The sign-in's rights decide, as for the tabs: the right
taken away signs the person out (`main_window.rights_lost`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton

from primedist.services.context import ServiceContext


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
    if enabled is not None:
        button.setEnabled(enabled and allowed)
    elif not allowed:
        button.setEnabled(False)
    if not allowed:
        button.setToolTip(export_right_tip())
