"""The audit log's Before/After read in the reader's words: every field the services write
into a row's before/after has a name (context "audit"), times read as the shop's local
date-time and objects inside objects as "name: value" pairs, not JSON."""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from primedist.domain.enums import RankBasis
from primedist.printing.content import DocOptions, ShopDetails
from primedist.printing.model import DocumentType, default_profile
from primedist.queries.customers import CustomerFilter
from primedist.queries.products import ProductFilter
from primedist.services.loyalty.settings import EARN_CHANNELS
from primedist.ui.settings import audit_labels
from primedist.ui.settings.audit import changes_text

SOURCES = Path(__file__).resolve().parents[3] / "primedist"


def _json_keys(value: Any) -> Iterator[str]:
    """Every key of a JSON value, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_keys(item)


def _import_counts() -> Iterator[str]:
    from primedist.services import (  # noqa: F401  (the reports register as subclasses)
        customer_import,
        order_import,
        product_import,
        seller_center_import,
    )
    from primedist.services.import_support import ImportReportBase

    for report in ImportReportBase.__subclasses__():
        yield from report().counts()


def _customer_snapshot() -> Iterator[str]:
    from primedist.services.customers import CustomerDraft, _draft_values

    yield from _draft_values(CustomerDraft(name=""))


def _order_address() -> Iterator[str]:
    from primedist.services.delivery import COLUMNS

    yield from (column for column, _limit in COLUMNS.values())


def _stocktake() -> Iterator[str]:
    from primedist.services.stock import StocktakeResult

    return _fields(StocktakeResult)


def _label_settings() -> Iterator[str]:
    from primedist.services.labels import LabelSettings

    yield from LabelSettings().to_json()


def _print_profiles() -> Iterator[str]:
    # The profiles are stored by document type (named by audit_labels.DOCUMENTS).
    for doc_type in DocumentType:
        yield from _json_keys(default_profile(doc_type).to_json())


def _fields(cls: type) -> Iterator[str]:
    yield from (f.name for f in dataclasses.fields(cls))


def _merge_moves() -> Iterator[str]:
    """What a merge counts as moved: the names given to its `move(name, …)` and to its
    loop over the keyed link tables (`for name, table, key in (("tags", …), …)`)."""
    tree = ast.parse((SOURCES / "services" / "customers.py").read_text(encoding="utf-8"))
    merge = next(n for n in ast.walk(tree)
                 if isinstance(n, ast.FunctionDef) and n.name == "merge_customers")  # fmt: skip
    for node in ast.walk(merge):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "move":
            yield str(ast.literal_eval(node.args[0]))
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            yield from (str(ast.literal_eval(t.elts[0])) for t in node.iter.elts
                        if isinstance(t, ast.Tuple))  # fmt: skip


def _demo_summary() -> Iterator[str]:
    from primedist.services.demo import DemoSummary

    yield from (f.name for f in dataclasses.fields(DemoSummary) if f.name != "seconds")


def _staff_snapshot() -> Iterator[str]:
    from datetime import UTC, datetime

    from primedist.domain.enums import Role
    from primedist.services.staff import StaffMember, _snapshot

    member = StaffMember(id=1, name="", email="", role=Role.STAFF, modules=frozenset(),
                         is_active=True, must_change_password=False,
                         created_at=datetime.now(UTC), last_login_at=None)  # fmt: skip
    yield from _snapshot(member)


NOTHING: Callable[[], Iterable[str]] = tuple

#: Before/after values the reader below cannot follow, by (file, function, expression):
#: what they write, read from the code that makes them (or nothing: a plain value, or a
#: parameter whose callers are read instead).
OPAQUE: dict[tuple[str, str, str], Callable[[], Iterable[str]]] = {
    ("services/app_settings.py", "put_setting", "json.loads(row.value_json)"): NOTHING,
    ("services/app_settings.py", "put_setting", "value"): NOTHING,  # its callers are read
    ("services/app_settings.py", "put_setting", "default"): NOTHING,  # its callers' values
    ("services/export_support.py", "audit_export", "after"): NOTHING,  # its callers are read
    ("services/import_support.py", "record_import", "report.counts()"): _import_counts,
    ("services/customers.py", "_snapshot", "row._asdict()"): _customer_snapshot,
    ("services/delivery.py", "change_delivery_address",
     "{column: getattr(order, column) for column in values}"): _order_address,
    ("services/delivery.py", "clean_address", "text or None"): _order_address,
    ("services/stock.py", "apply_stocktake", "result.__dict__"): _stocktake,
    ("services/labels.py", "save_settings", "settings.to_json()"): _label_settings,
    ("services/loyalty/settings.py", "_ranking_json",
     "{b.value: list(v) for b, v in thresholds.items()}"): lambda: (b.value for b in RankBasis),
    ("printing/store.py", "save_profile", "profile.to_json()"): _print_profiles,
    ("printing/store.py", "save_template", "html"): NOTHING,
    ("printing/store.py", "save_options", "kept.to_json()"): lambda: _fields(DocOptions),
    ("printing/store.py", "save_shop_details", "{}"): lambda: _fields(ShopDetails),
    ("services/demo.py", "_write_audit",
     "{k: v for k, v in asdict(summary).items() if k != 'seconds'}"): _demo_summary,
    ("services/customer_export.py", "_describe", "value"): lambda: _fields(CustomerFilter),
    ("services/product_export.py", "_describe",
     "{k: v for k, v in vars(flt).items() if v not in (None, ())}"): (
        lambda: _fields(ProductFilter)),
    ("services/customers.py", "merge_customers",
     "{customer_code(i): _snapshot(conn, i) for i in others}"): _customer_snapshot,
    ("services/customers.py", "merge_customers", "int(result.rowcount or 0)"): _merge_moves,
    ("services/customers.py", "merge_customers", "len(new)"): _merge_moves,
    # Objects keyed by data (SKUs: quantities), not by field names.
    ("services/orders.py", "_by_sku", "named.get(key, 0) + qty"): NOTHING,
    # An edit's changed fields of a voucher: the fields of its `after=new` (read there).
    ("services/loyalty/vouchers.py", "_changed",
     "{k: v for k, v in these.items() if other.get(k) != v}"): NOTHING,
    # An edit's changed fields of a staff account: those of its `_snapshot`.
    ("services/staff.py", "_changed",
     "{k: v for k, v in these.items() if other.get(k) != v}"): _staff_snapshot,
    # Plain values.
    ("services/backup.py", "set_backup_keep", "keep"): NOTHING,
    ("services/customer_detail.py", "assign_staff", "user_id"): NOTHING,
    ("services/loyalty/settings.py", "save_points_settings", "value"): NOTHING,
    ("services/loyalty/settings.py", "_channels_json",
     "{c.value: c in channels for c in EARN_CHANNELS}"): lambda: (c.value for c in EARN_CHANNELS),
    ("services/schedule_settings.py", "set_sync_interval", "minutes"): NOTHING,
    ("services/staff.py", "set_lock_minutes", "minutes"): NOTHING,
}  # fmt: skip


#: Calls that store a before/after value: (keywords, or the position of the value).
WRITERS: dict[str, tuple[str, ...] | int] = {
    "audit": ("before", "after"),
    "audit_export": 4,
    "put_setting": 3,
}
#: Calls whose result is a plain value (no keys).
PLAIN_CALLS = {"str", "int", "len", "sorted", "round", "list", "bool", "min", "max"}
PLAIN_METHODS = {"isoformat", "one_line", "strip", "rstrip", "lower"}


class _Reader:
    """The keys of the objects a module's before/after values make, following names
    assigned in the function, functions of the module and subscript assignments."""

    def __init__(self, path: Path) -> None:
        self.where = path.relative_to(SOURCES).as_posix()
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.functions = {n.name: n for n in ast.walk(self.tree) if isinstance(n, ast.FunctionDef)}
        self.function_of: dict[ast.AST, ast.FunctionDef] = {}
        for fn in self.functions.values():
            for node in ast.walk(fn):
                self.function_of.setdefault(node, fn)
        self.keys: set[str] = set()
        self.opaque: list[tuple[str, str, str]] = []

    def stored_values(self) -> Iterator[ast.expr]:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            how = WRITERS.get(name)
            if isinstance(how, tuple):
                yield from (kw.value for kw in node.keywords if kw.arg in how)
            elif isinstance(how, int) and len(node.args) > how:
                yield node.args[how]
        if self.where == "services/demo.py":  # the demo writes its row with a bulk insert
            fn = self.functions["_write_audit"]
            yield next(
                n.value for n in ast.walk(fn)
                if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "counts"
            )  # fmt: skip

    def read(self, node: ast.expr, depth: int = 0) -> None:
        """The keys `node` makes; an object made some other way is noted as opaque."""
        if depth > 8:
            raise AssertionError(f"{self.where}: too deep at {ast.unparse(node)}")
        fn = self.function_of.get(node)
        if isinstance(node, ast.Dict) and node.keys:
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:  # {**other}
                    self.read(value, depth + 1)
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    self.keys.add(key.value)
                    self._read_inside(value, depth + 1)
                else:
                    self._note(node)
            self._subscripts(node, fn, depth)
        elif isinstance(node, ast.Dict):  # {} filled in by `name[key] = …`
            if not self._subscripts(node, fn, depth):
                self._note(node)
        elif isinstance(node, ast.IfExp):
            self.read(node.body, depth + 1)
            self.read(node.orelse, depth + 1)
        elif isinstance(node, ast.Name) and fn is not None:
            values = self._assigned(node)
            if not values:  # a parameter: OPAQUE says where its keys come from
                self._note(node)
            for value in values:
                self.read(value, depth + 1)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in PLAIN_CALLS:
                return
            if node.func.id == "dict":
                self.keys.update(kw.arg for kw in node.keywords if kw.arg)
                for arg in node.args:
                    self.read(arg, depth + 1)
            elif node.func.id in self.functions:
                for ret in ast.walk(self.functions[node.func.id]):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        self.read(ret.value, depth + 1)
            else:
                self._note(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr not in PLAIN_METHODS:
                self._note(node)
        elif isinstance(node, ast.Attribute) and node.attr == "__dict__":
            self._note(node)
        elif not isinstance(node, ast.DictComp):  # an attribute, a sum, `a or b`: values
            return
        else:
            self._note(node)

    def _assigned(self, name: ast.Name) -> list[ast.expr]:
        """The values `name` is given in its function."""
        fn = self.function_of.get(name)
        if fn is None:
            return []
        return [
            n.value for n in ast.walk(fn)
            if isinstance(n, ast.Assign | ast.AnnAssign) and n.value is not None
            and name.id in {ast.unparse(t) for t in
                            (n.targets if isinstance(n, ast.Assign) else [n.target])}
        ]  # fmt: skip

    def _read_inside(self, value: ast.expr, depth: int) -> None:
        """A value inside an object: only objects written out have keys to name."""
        if isinstance(value, ast.Dict) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id in self.functions
        ):  # fmt: skip
            self.read(value, depth)
        elif isinstance(value, ast.IfExp):
            self._read_inside(value.body, depth)
            self._read_inside(value.orelse, depth)
        elif isinstance(value, ast.Name) and depth < 8:  # an object made before: read it
            for made in self._assigned(value):
                if isinstance(made, ast.Dict | ast.DictComp):
                    self.read(made, depth + 1)

    def _subscripts(self, node: ast.Dict, fn: ast.FunctionDef | None, depth: int) -> bool:
        """The keys set by `name[...] = …` on the name `node` is assigned to."""
        if fn is None:
            return False
        assign = next((n for n in ast.walk(fn) if isinstance(n, ast.Assign | ast.AnnAssign)
                       and n.value is not None and node in ast.walk(n.value)), None)  # fmt: skip
        if assign is None:
            return False
        target = ast.unparse(assign.targets[0] if isinstance(assign, ast.Assign)
                             else assign.target)  # fmt: skip
        found = False
        for n in ast.walk(fn):
            if (
                isinstance(n, ast.Assign)
                and isinstance(n.targets[0], ast.Subscript)
                and (ast.unparse(n.targets[0].value) == target)
            ):
                found = True
                if isinstance(n.targets[0].slice, ast.Constant):
                    self.keys.add(str(n.targets[0].slice.value))
                    self._read_inside(n.value, depth + 1)
                else:  # a key made at run time: OPAQUE says which
                    self._note(n.value)
        return found

    def _note(self, node: ast.expr) -> None:
        fn = self.function_of.get(node)
        self.opaque.append((self.where, fn.name if fn else "", ast.unparse(node)))


def written_fields() -> set[str]:
    """Every key a before/after of an audit row can hold (ui/ does not write the log)."""
    keys: set[str] = set()
    unread: list[tuple[str, str, str]] = []
    for path in sorted(SOURCES.rglob("*.py")):
        if path.relative_to(SOURCES).parts[0] == "ui":
            continue
        reader = _Reader(path)
        for value in reader.stored_values():
            reader.read(value)
        keys |= reader.keys
        unread += reader.opaque
    unknown = sorted(set(unread) - OPAQUE.keys())
    assert unknown == [], f"before/after values the test cannot read: add them to OPAQUE: {unknown}"
    for where in unread:
        keys.update(OPAQUE[where]())
    return keys


def test_every_field_the_services_write_has_a_name() -> None:
    fields = written_fields()
    assert {
        "starts_at",
        "refund",
        "return",
        "survivor",
        "tax_code",
        "logo_path",
        "auth_expires_at",
        "external_shop_id",
        "partner_id",
        "open_drawer",
    } <= fields
    assert sorted(fields - audit_labels.FIELDS.keys()) == []
    # The printer profiles are stored by document type: named as documents.
    assert sorted({d.value for d in DocumentType} - audit_labels.DOCUMENTS.keys()) == []


def test_times_and_dates_read_as_the_shops_local_day_and_time() -> None:
    shown = changes_text(json.dumps({
        "starts_at": "2026-12-12T00:00:00+07:00",
        "auth_expires_at": "2027-12-06T08:00:52+00:00",
        "expected_on": "2026-12-20",
        "code": "2026",
        "note": "12-12 sale",
    }))  # fmt: skip
    assert shown == (
        "starts at: 12/12/2026 00:00; authorisation expires: 06/12/2027 15:00; "
        "expected on: 20/12/2026; code: 2026; note: 12-12 sale"
    )


def test_objects_inside_objects_read_as_names_and_values_not_json() -> None:
    stored = {"receipt": default_profile(DocumentType.RECEIPT).to_json()}
    shown = changes_text(json.dumps(stored))
    assert "{" not in shown and '"' not in shown, shown
    assert shown.startswith("Sales receipt: document: Sales receipt, template: receipt_80, ")
    assert "printer: (kind: system, name: —, host: —, port: 9100, " in shown
    assert shown.endswith("show a preview first: No, open the cash drawer: No, cut the paper: Yes")
    # An order's returned quantities stay by variant id; a purchase order's receipt is a
    # goods receipt.
    assert changes_text('{"return": 4, "lines": {"46006": 2}}') == "return: 4; lines: 46006: 2"
    assert changes_text('{"receipt": "PN000003"}') == "goods receipt: PN000003"
