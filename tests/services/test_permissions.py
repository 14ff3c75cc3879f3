"""Permissions are enforced in the services, not only by hiding tabs.

For each module, a Staff user without it is refused every listing, reading, changing and
exporting call of that module (and writes nothing, not even an audit row); the same calls
made by a Staff user WITH the module get past the check, so the refusal is the check and
not some other error. A static audit keeps every public service function checked.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, OrderStatus, Role
from primedist.errors import PermissionDenied, PrimedistError
from primedist.services import (
    catalogue,
    customer_detail,
    customer_export,
    customers,
    import_templates,
    low_stock,
    order_export,
    orders,
    product_export,
    product_status,
    reports,
    schedule_settings,
    segments,
    sku_groups,
    stock,
    tags,
)
from primedist.services.context import Actor, ServiceContext
from tests.conftest import FIXED_NOW
from tests.factories import make_customers, make_orders, make_product, make_shop

Call = Callable[[ServiceContext], Any]


def staff(ctx: ServiceContext, *modules: Module) -> ServiceContext:
    """Lan with `modules` and the right "Export data": only the modules make the difference
    (tests/services/test_export_right.py covers the right)."""
    lan = Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                modules=frozenset(modules), can_export=True)  # fmt: skip
    return ctx.with_actor(lan)


def audit_count(ctx: ServiceContext) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


@pytest.fixture
def data(owner_ctx: ServiceContext) -> dict[str, int]:
    shop = make_shop(owner_ctx.engine, "Shopee Lan")
    (variant,) = make_product(owner_ctx.engine, "Áo thun", [("AO-1", 150_000, 10)])
    (customer,) = make_customers(owner_ctx.engine, 1)
    (order,) = make_orders(owner_ctx.engine, shop, 1, start=FIXED_NOW - timedelta(days=1),
                           step=timedelta(minutes=1), customer_ids=[customer])  # fmt: skip
    with Session(owner_ctx.engine) as session:
        from primedist.domain.product import Variant

        v = session.get(Variant, variant)
        assert v is not None and v.product_id is not None
        product = v.product_id
    return {"shop": shop, "variant": variant, "product": product, "customer": customer,
            "order": order}  # fmt: skip


def calls(module: Module, d: dict[str, int], out: Path) -> list[tuple[str, Call]]:
    """(what, call) pairs: list, read, change and export of one module."""
    v, p, c, o, s = d["variant"], d["product"], d["customer"], d["order"], d["shop"]
    table: dict[Module, list[tuple[str, Call]]] = {
        Module.PRODUCTS: [
            ("list categories", catalogue.list_categories),
            ("read product", lambda x: catalogue.get_product(x, p)),
            ("read stock history", lambda x: stock.stock_history(x, v)),
            ("list Home's products without revenue", lambda x: reports.no_revenue_products(
                x, date(2026, 1, 1), date(2026, 1, 31))),
            ("change stock", lambda x: stock.stock_in(x, v, 5, reason="nhập")),
            ("hide product", lambda x: product_status.hide_products(x, [p])),
            ("create SKU group", lambda x: sku_groups.create_group(x, "G1", "Nhóm")),
            ("export products", lambda x: product_export.export_products(x, out / "p.xlsx")),
            (
                "save the products template",
                lambda x: import_templates.write_import_template(x, "products", out / "tp.xlsx"),
            ),
        ],
        Module.ORDERS: [
            ("find orders by number", lambda x: orders.order_ids_by_number(x, "X")),
            ("read order", lambda x: orders.order_detail(x, o)),
            ("confirm orders", lambda x: orders.confirm_orders(x, [o])),
            (
                "change status",
                lambda x: orders.change_status(x, o, OrderStatus.CANCELLED, reason="khách hủy"),
            ),
            ("flag orders", lambda x: orders.set_flag(x, [o], True)),
            ("export orders", lambda x: order_export.export_orders(x, out / "o.xlsx")),
            (
                "save the orders template",
                lambda x: import_templates.write_import_template(x, "orders", out / "to.xlsx"),
            ),
        ],  # fmt: skip
        Module.CUSTOMERS: [
            ("list segments", segments.list_segments),
            ("list tags", tags.list_tags),
            ("list duplicates", customers.find_duplicates),
            ("read customer", lambda x: customer_detail.customer_profile(x, c)),
            ("read customer orders", lambda x: customer_detail.customer_orders(x, c)),
            ("change note", lambda x: customer_detail.set_note(x, c, "VIP")),
            ("create tag", lambda x: tags.create_tag(x, "Sỉ")),
            ("export customers", lambda x: customer_export.export_customers(x, out / "c.xlsx")),
            (
                "save the customers template",
                lambda x: import_templates.write_import_template(x, "customers", out / "tc.xlsx"),
            ),
        ],
        Module.SETTINGS: [
            ("read shop levels", low_stock.shop_levels),
            ("change shop level", lambda x: low_stock.set_shop_level(x, [s], 3)),
            ("read sync interval", schedule_settings.get_sync_interval),
            ("change sync interval", lambda x: schedule_settings.set_sync_interval(x, 15)),
            ("read Home's first steps", reports.first_steps),
        ],
        Module.ANALYTICS: analytics_calls(out),
    }
    return table[module]


def analytics_calls(out: Path) -> list[tuple[str, Call]]:
    """The Analytics services (issue 9): figures, rankings, series and their exports."""
    day_to = FIXED_NOW.date()
    day_from = day_to - timedelta(days=30)
    return [
        ("read analytics", lambda x: reports.analytics(x, day_from, day_to)),
        ("list a ranking", lambda x: reports.ranking(x, "product", day_from, day_to)),
        ("read a series", lambda x: reports.series(x, "revenue", day_from, day_to)),
        ("export a ranking", lambda x: reports.export_ranking(
            x, out / "r.xlsx", [], title="Top", headers=["a", "b", "c", "d", "e"])),
    ]  # fmt: skip


OTHER = {m: next(o for o in Module if o is not m) for m in Module}


@pytest.mark.parametrize("module", list(Module), ids=lambda m: m.value)
def test_staff_without_the_module_is_refused_everything(
    owner_ctx: ServiceContext, data: dict[str, int], tmp_path: Path, module: Module
) -> None:
    table = calls(module, data, tmp_path)
    # Staff with every OTHER module: only the missing one makes the difference.
    without = staff(owner_ctx, *(m for m in Module if m is not module))
    before = audit_count(owner_ctx)
    for what, call in table:
        with pytest.raises(PermissionDenied, match=f"Lan has no access to {module.value}"):
            call(without)
        assert audit_count(owner_ctx) == before, what
    assert not list(tmp_path.glob("*.xlsx")), "an export was written"

    # With the module, the same calls get past the check (they may still fail otherwise).
    granted = staff(owner_ctx, module)
    for what, call in table:
        try:
            call(granted)
        except PermissionDenied as exc:  # pragma: no cover - this is the failure
            pytest.fail(f"{what}: refused with the module granted: {exc}")
        except PrimedistError:
            pass
    if any(w.startswith("export") for w, _ in table):
        assert list(tmp_path.glob("*.xlsx"))


# The static audit ----------------------------------------------------------------------
SERVICES = Path(__file__).resolve().parents[2] / "primedist" / "services"
CHECKS = ("require", "require_manager", "require_owner", "require_refunds", "require_export")
#: Public functions taking a ServiceContext that check nothing on purpose, and why.
UNCHECKED_BY_DESIGN = {
    "auth.setup_shop": "first run: there is no user yet (refused once set up)",
    "orders.with_costs_for": "hides the costs of a quote its checked caller priced",
    "auth.login": "signing in",
    "auth.check_login": "the CLI's --user: signing in without recording it",
    "auth.failures_counted": "around a sign-in's password check: no one is signed in yet",
    "backup.stop_running_backups": "the app closing stops its own backups, whoever signed in",
    "auth.change_password": "one's own password, current one required",
    "auth.owner_actor": "the CLI's and jobs' acting user",
    "auth.shop_profile": "the shop name in every window title",
    "staff.update_profile": "one's own account",
    "staff.choose_password": "one's own first password",
    "staff.unlock": "the lock screen checks one's own password",
    "changes.change_stamp": "a few ids: only whether the data changed, for any signed-in window",
    "staff.lock_minutes": "the idle lock applies to everyone",
    "shops.list_shops": "shop names label every list",
    "order_export.shop_ids_by_name": "a name lookup for a checked export",
    "app_settings.put_setting": "called inside a checked service's unit of work",
    "suppliers.add_supplier": "called inside a checked service's unit of work",
    "suppliers.supplier_for_receipt": "called inside receive_goods' checked unit of work",
    "stock.receive": "called inside a checked service's unit of work (stock in, goods receipt)",
    "stock.move_stock": "called inside checked services' units of work (orders move stock)",
    "sku_groups.leave_groups": "inside checked units of work (deleting products, the form)",
    "export_support.audit_export": "called by checked exports",
    "import_support.record_import": "called by checked imports",
    "demo.ensure_demo_owner": "demo start (sets the demo shop up)",
    "demo.is_filled": "demo start",
    "demo.shop_data": "demo start and `primedist demo`: is the store a real shop's",
    "demo.refuse_a_shop_with_data": "demo start and `primedist demo` (the owner's, checked)",
    "demo.demo_owner": "demo start (sets the demo shop up, refuses a real shop's store)",
    "backup.backup_keep": "read by the scheduler's daily backup",
    "backup.daily_backup": "the scheduler's job, as the system",
    "backup.daily_backup_due": "the scheduler's job, as the system",
    "backup.daily_backup_not_here": "the scheduler's job, as the system (no pg_dump here)",
    "low_stock.post_low_stock_news": "the scheduler's job, as the system (Home's news)",
    "price_schedule.run_due": "the scheduler's job, as the system (what a Products user "
    "scheduled starts and ends on time)",
    "reports.dashboard": "Home is for everyone: it leaves out what their modules do not show",
    "reports.events": "Home's activity feed: each user gets the kinds of their modules",
    "reports.today": "the shop's current day",
    "outbox_delivery.waiting_count": "the status bar's sync state, shown to everyone",
    "outbox_delivery.failed_count": "the status bar's sync state, shown to everyone",
    "outbox_delivery.held_count": "the status bar's sync state, shown to everyone",
    "sync.shared_sync_status": "the status bar's sync state, shown to everyone",
    "clock_check.clock_skew": "the server's time reveals nothing: the status bar's clock "
    "warning, shown to everyone",
    "channels.mark_needs_reauth": "inside the sync's unit of work, after an auth error",
    "channels.shop_connector": "the sync/outbox jobs' connector, as the system",
    "channels.shop_secret_box": "the encryption key for checked services and the jobs",
    "demo_sync.demo_shopee_shop": "demo start: which shop the sandbox serves (checked caller)",
}


def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _takes_ctx(fn: ast.FunctionDef) -> bool:
    args = fn.args.args
    return bool(args) and args[0].arg == "ctx"


def _checks_directly(fn: ast.FunctionDef) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Attribute) and node.attr in CHECKS:
            return True
    return False


def _called_names(fn: ast.FunctionDef) -> set[str]:
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                names.add(f"{node.func.value.id}.{node.func.attr}")
    return names


def _resolves_checked(
    called: str, module: str, local: dict[str, ast.FunctionDef], checked: set[str]
) -> bool:
    """`f` is this module's f, else an imported service function f; `mod.f` is mod's f."""
    if "." in called:
        return called in checked
    if called in local:
        return f"{module}.{called}" in checked
    return any(key.endswith(f".{called}") for key in checked)


def unchecked_service_functions() -> list[str]:
    """`module.function` of public ctx-taking service functions with no permission check,
    directly or through a function they call (same module or another service module)."""
    modules = {p.stem: _functions(p) for p in SERVICES.glob("*.py")}
    checked = {f"{m}.{n}" for m, fns in modules.items() for n, f in fns.items()
               if _checks_directly(f)}  # fmt: skip
    changed = True
    while changed:  # a function calling a checked one is checked
        changed = False
        for m, fns in modules.items():
            for n, f in fns.items():
                key = f"{m}.{n}"
                if key in checked:
                    continue
                if any(_resolves_checked(c, m, fns, checked) for c in _called_names(f)):
                    checked.add(key)
                    changed = True
    return sorted(
        f"{m}.{n}" for m, fns in modules.items() for n, f in fns.items()
        if not n.startswith("_") and _takes_ctx(f) and f"{m}.{n}" not in checked
    )  # fmt: skip


def test_every_public_service_function_checks_permissions() -> None:
    unchecked = unchecked_service_functions()
    stale = sorted(set(UNCHECKED_BY_DESIGN) - set(unchecked))
    assert stale == [], f"checked now (or gone): drop them from UNCHECKED_BY_DESIGN: {stale}"
    missing = [f for f in unchecked if f not in UNCHECKED_BY_DESIGN]
    assert missing == [], (
        "public service functions with no ctx.require/require_manager (add the check, or "
        f"list the function with the reason in UNCHECKED_BY_DESIGN): {missing}"
    )


def test_the_static_audit_sees_a_missing_check(tmp_path: Path) -> None:
    fn = ast.parse("def leak(ctx):\n    with ctx.uow() as s:\n        return 1\n").body[0]
    ok = ast.parse("def fine(ctx):\n    ctx.require(Module.ORDERS)\n").body[0]
    assert isinstance(fn, ast.FunctionDef) and isinstance(ok, ast.FunctionDef)
    assert not _checks_directly(fn)
    assert _checks_directly(ok)
