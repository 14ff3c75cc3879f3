"""`primedist staff ...` and `primedist audit`: accounts and the audit log from the shell.

    primedist staff list
    primedist staff add --name NAME --email EMAIL [--role staff|manager] [--module M ...]
                        [--refunds] [--exports]
    primedist staff disable EMAIL | enable EMAIL | reset-password EMAIL
    primedist staff allow-refunds EMAIL | disallow-refunds EMAIL
    primedist staff allow-exports EMAIL | disallow-exports EMAIL
    primedist audit [--by EMAIL|system] [--kind K ...] [--from DAY] [--to DAY]
                    [--limit N] [--export FILE.xlsx]

A new account's (or a reset) one-time password is printed once. Every command acts as the
global `--user` (else the owner) and takes --json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from primedist.cli import (
    EXIT_OK,
    Parser,
    UsageError,
    as_owner,
    counted,
    emit,
    local_date,
    open_context,
    positive_int,
)
from primedist.config import Settings

MODULES = ("products", "orders", "customers", "settings", "analytics")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("staff", help="staff accounts: list, add, disable, enable, reset password")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    p = actions.add_parser("list", help="every account with its role, modules and state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_staff_list)
    p = actions.add_parser("add", help="add an account; prints its one-time password once")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--role", choices=("staff", "manager"), default="staff")
    p.add_argument("--module", action="append", choices=MODULES, default=[],
                   help="a module a staff member may use; repeat for several")  # fmt: skip
    p.add_argument("--refunds", action="store_true",
                   help="the right \"Refunds and returns\": returns, refunds, exchanges, "
                        "cancelling a paid order (off unless given)")  # fmt: skip
    p.add_argument("--exports", action="store_true",
                   help="the right \"Export data\": exporting the lists and reports of their "
                        "modules to files (off unless given)")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_staff_add)
    for name, text in (("disable", "stop an account from signing in"),
                       ("enable", "let a disabled account sign in again"),
                       ("reset-password", "give an account a new one-time password"),
                       ("allow-refunds", "give a staff member the right \"Refunds and returns\""),
                       ("disallow-refunds",
                        "take the right \"Refunds and returns\" from a staff member"),
                       ("allow-exports", "give a staff member the right \"Export data\""),
                       ("disallow-exports",
                        "take the right \"Export data\" from a staff member")):  # fmt: skip
        p = actions.add_parser(name, help=text)
        p.add_argument("email", metavar="EMAIL")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_staff_change)

    p = sub.add_parser("audit", help="the audit log (who did what), newest first, or to .xlsx")
    p.add_argument("--by", metavar="EMAIL", help="only this user's rows ('system' for jobs)")
    p.add_argument("--kind", action="append", default=[], metavar="K",
                   help="only this kind (order, stock, staff, backup, ...; singular or "
                        "plural); repeat")  # fmt: skip
    p.add_argument("--from", dest="date_from", type=local_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=local_date, metavar="YYYY-MM-DD")
    p.add_argument("--limit", type=positive_int, default=50, help="rows printed (default 50)")
    p.add_argument("--export", metavar="FILE", help="write every matching row to this .xlsx")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)


def _member_json(m: Any) -> dict[str, Any]:
    # refunds, exports: the rights "Refunds and returns" and "Export data" (the owner and
    # managers always have them)
    return {"id": m.id, "name": m.name, "email": m.email, "role": m.role.value,
            "modules": sorted(x.value for x in m.modules),
            "refunds": m.can_refund or m.role.value != "staff",
            "exports": m.can_export or m.role.value != "staff", "active": m.is_active,
            "must_change_password": m.must_change_password}  # fmt: skip


def cmd_staff_list(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import staff

    members = staff.list_staff(as_owner(open_context(settings)))
    # A staff member's refund and export rights read as more of their rights ("orders,
    # refunds, exports").
    rights = {m.id: [*sorted(x.value for x in m.modules), *(["refunds"] if m.can_refund else []),
                     *(["exports"] if m.can_export else [])]
              for m in members}  # fmt: skip
    lines = [
        f"{m.email:<32} {m.role.value:<8} {'active' if m.is_active else 'disabled':<8} "
        f"{', '.join(rights[m.id]) or '-'}  {m.name}"
        for m in members
    ]
    emit(args, {"staff": [_member_json(m) for m in members]}, "\n".join(lines))
    return EXIT_OK


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.domain.enums import Module, Role
    from primedist.services import staff

    if args.module and args.role != "staff":
        # Managers use every module (README: Staff): a --module would be dropped unseen.
        raise UsageError(
            f"--module is for staff accounts: a {args.role} uses every module. "
            "Leave --module out, or add the account with --role staff."
        )
    if args.refunds and args.role != "staff":
        raise UsageError(
            f"--refunds is for staff accounts: a {args.role} always may give refunds. "
            "Leave --refunds out, or add the account with --role staff."
        )
    if args.exports and args.role != "staff":
        raise UsageError(
            f"--exports is for staff accounts: a {args.role} always may export data. "
            "Leave --exports out, or add the account with --role staff."
        )
    ctx = as_owner(open_context(settings))
    modules = [Module(m) for m in args.module]
    issued = staff.add_staff(ctx, name=args.name, email=args.email, role=Role(args.role),
                             modules=modules, can_refund=args.refunds,
                             can_export=args.exports)  # fmt: skip
    data = {**_member_json(issued.member), "one_time_password": issued.one_time_password}
    emit(args, data, f"Added {issued.member.email} ({args.role}). One-time password "
                     f"(shown once): {issued.one_time_password}")  # fmt: skip
    return EXIT_OK


def cmd_staff_change(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.domain.enums import Role
    from primedist.errors import NotFound
    from primedist.services import staff
    from primedist.services.auth import normalize_email

    ctx = as_owner(open_context(settings))
    email = normalize_email(args.email)
    member = next((m for m in staff.list_staff(ctx) if m.email == email), None)
    if member is None:
        raise NotFound(f"No account has the email {email}.")
    if args.action == "reset-password":
        # The owner who forgot their password gets one here, on the shop's own computer.
        own = member.id == ctx.actor.id and member.role is Role.OWNER
        issued = staff.recover_owner_password(ctx) if own else staff.reset_password(ctx, member.id)
        data = {**_member_json(issued.member), "one_time_password": issued.one_time_password}
        emit(args, data, f"New one-time password for {email} (shown once): "
                         f"{issued.one_time_password}")  # fmt: skip
        return EXIT_OK
    if args.action.removeprefix("dis").removeprefix("allow-") in _RIGHTS:
        return _set_right(args, ctx, member)
    changed = staff.set_active(ctx, member.id, args.action == "enable")
    emit(
        args, _member_json(changed), f"{email} is {'enabled' if changed.is_active else 'disabled'}."
    )
    return EXIT_OK


#: A staff right's `update_staff` keyword, what the owner and managers always may, and what
#: the staff member may (not) do once it is given (taken).
_RIGHTS = {
    "refunds": ("can_refund", "give refunds", "take returns and give refunds"),
    "exports": ("can_export", "export data", "export the shop's data to files"),
}


def _set_right(args: argparse.Namespace, ctx: Any, member: Any) -> int:
    """Give or take a staff right, "Refunds and returns" or "Export data" (audited as a
    staff change)."""
    from primedist.domain.enums import Role
    from primedist.services import staff

    allow, right = args.action.startswith("allow-"), args.action.split("-", 1)[1]
    keyword, always, may = _RIGHTS[right]
    if member.role is not Role.STAFF:
        who = "the owner" if member.role is Role.OWNER else "a manager"
        raise UsageError(f"{member.email} is {who}: the owner and managers always may {always}.")
    changed = staff.update_staff(ctx, member.id, name=member.name, role=member.role,
                                 modules=member.modules, **{keyword: allow})  # fmt: skip
    text = f"{changed.email} may {'now' if allow else 'no longer'} {may}."
    if right == "refunds" and allow and not any(m.value == "orders" for m in changed.modules):
        text += " (They need Orders too: they have no access to Orders.)"
    emit(args, _member_json(changed), text)
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.core.clock import as_utc, shop_tz, to_local
    from primedist.errors import NotFound
    from primedist.services import audit_log
    from primedist.services.audit_log import AuditFilter
    from primedist.services.auth import normalize_email

    ctx = as_owner(open_context(settings))
    user_id = None
    if args.by:
        if args.by.strip().lower() == audit_log.SYSTEM_NAME:
            user_id = audit_log.SYSTEM_USER
        else:
            from primedist.services import staff

            email = normalize_email(args.by)
            found = [m.id for m in staff.list_staff(ctx) if m.email == email]
            if not found:
                raise NotFound(f"No account has the email {email}.")
            user_id = found[0]
    kinds = _log_kinds(audit_log.audit_kinds(ctx), args.kind)
    flt = AuditFilter(user_id=user_id, kinds=kinds, date_from=args.date_from,
                      date_to=args.date_to)  # fmt: skip
    if args.export:
        report = audit_log.export_audit(ctx, Path(args.export), flt)
        emit(args, {"file": str(report.path), "rows": report.rows},
             f"Exported {counted(report.rows, 'audit row')} to {report.path}")  # fmt: skip
        return EXIT_OK
    rows = audit_log.list_events(ctx, flt, limit=args.limit)
    # Shop time, as --from/--to and the other commands (--json keeps the UTC moment).
    tz = shop_tz()
    # The PC beside the user when the rows name more than one (a row from before: "-").
    several = len({r["pc"] for r in rows if r["pc"]}) > 1
    lines = [f"{to_local(as_utc(r['created_at']), tz):%Y-%m-%d %H:%M:%S}  {r['user']:<16} "
             + (f"{r['pc'] or '-':<16} " if several else "")
             + f"{r['action']:<24} {r['entity']:<16} {_row_text(r)}" for r in rows]  # fmt: skip
    emit(args, {"events": rows}, "\n".join(lines) or "No audit rows match.")
    return EXIT_OK


def _log_kinds(present: list[str], asked: list[str]) -> tuple[str, ...]:
    """The kinds the --kind options stand for, grouped as the app's filter groups them
    (`customer` is also `customers.export`/`.import`, `orders` also every `order.*` row);
    singular or plural alike. A kind neither the app nor the log knows is refused, naming
    the known ones."""
    from primedist.cli import UsageError
    from primedist.ui.settings.audit_labels import KINDS, kind_choices  # Qt core only

    groups = [kinds for _name, kinds in kind_choices(sorted(set(KINDS) | set(present)))]
    chosen: list[str] = []
    for kind in asked:
        group = next((g for g in groups if _kind_stem(kind) in map(_kind_stem, g)), None)
        if group is None:
            shown: dict[str, str] = {}  # one name a kind: the singular where both are
            for k in sorted(k for g in groups for k in g):
                shown.setdefault(_kind_stem(k), k)
            raise UsageError(
                f"--kind {kind} is not a kind of the audit log: {', '.join(shown.values())}"
            )
        chosen.extend(group)
    return tuple(dict.fromkeys(chosen))


def _kind_stem(kind: str) -> str:
    """`orders` and `order` → `order`: the kind without a plural s."""
    kind = kind.strip().lower()
    return kind[:-1] if kind.endswith("s") else kind


def _row_text(row: dict[str, Any]) -> str:
    """The summary; a row without one (a setting changed) says what changed: before → after."""
    if row["summary"] or not (row["before"] or row["after"]):
        return str(row["summary"])
    return f"{_stored_text(row['before'])} → {_stored_text(row['after'])}"


def _stored_text(stored: str) -> str:
    """A stored before/after value as it reads: a number or text as it is, an object as
    compact JSON, nothing as "-"."""
    if not stored:
        return "-"
    try:
        value = json.loads(stored)
    except ValueError:
        return stored
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
