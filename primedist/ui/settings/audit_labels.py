"""What the audit log's codes mean, in the reader's language (context "audit").

The services write stable codes (`order.cancelled`, `stock.in`, entity `customer`): the
export and the CLI keep them as they are, and the Settings → Audit log shows these names.
A code without a name here is shown as it is (tests/ui/settings/test_audit_labels.py
fails for a code the services write without one).
"""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication

from primedist.core.messages import restored
from primedist.core.text import fold
from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.messages import localize

CONTEXT = "audit"

ACTIONS: dict[str, str] = {
    "audit.export": QT_TRANSLATE_NOOP("audit", "Audit log exported"),
    "backup.copy": QT_TRANSLATE_NOOP("audit", "Backup copied outside this PC"),
    "backup.create": QT_TRANSLATE_NOOP("audit", "Backup made"),
    "backup.restore": QT_TRANSLATE_NOOP("audit", "Backup restored"),
    "carrier.add": QT_TRANSLATE_NOOP("audit", "Carrier connected"),
    "carrier.remove": QT_TRANSLATE_NOOP("audit", "Carrier removed"),
    "carrier.update": QT_TRANSLATE_NOOP("audit", "Carrier token updated"),
    "customer.address.add": QT_TRANSLATE_NOOP("audit", "Customer address added"),
    "customer.address.default": QT_TRANSLATE_NOOP("audit", "Customer's default address set"),
    "customer.address.remove": QT_TRANSLATE_NOOP("audit", "Customer address removed"),
    "customer.assign": QT_TRANSLATE_NOOP("audit", "Staff member assigned to a customer"),
    "customer.avatar": QT_TRANSLATE_NOOP("audit", "Customer picture changed"),
    "customer.create": QT_TRANSLATE_NOOP("audit", "Customer added"),
    "customer.delete": QT_TRANSLATE_NOOP("audit", "Customers deleted"),
    "customer.merge": QT_TRANSLATE_NOOP("audit", "Customers merged"),
    "customer.note": QT_TRANSLATE_NOOP("audit", "Customer note changed"),
    "customer.not_duplicates": QT_TRANSLATE_NOOP("audit", "Customers marked as not duplicates"),
    "customer.pin": QT_TRANSLATE_NOOP("audit", "Customer rank pinned"),
    "customer.points_adjust": QT_TRANSLATE_NOOP("audit", "Points adjusted"),
    "customer.rank": QT_TRANSLATE_NOOP("audit", "Customer rank set by hand"),
    "customer.rebuild_stats": QT_TRANSLATE_NOOP("audit", "Customer statistics recomputed"),
    "customer.tags": QT_TRANSLATE_NOOP("audit", "Customer tags changed"),
    "customer.unpin": QT_TRANSLATE_NOOP("audit", "Customer rank unpinned"),
    "customer.update": QT_TRANSLATE_NOOP("audit", "Customer edited"),
    "customers.export": QT_TRANSLATE_NOOP("audit", "Customers exported"),
    "customers.import": QT_TRANSLATE_NOOP("audit", "Customers imported"),
    "demo.generate": QT_TRANSLATE_NOOP("audit", "Demo data created"),
    "level.assign": QT_TRANSLATE_NOOP("audit", "Customers put in a group by hand"),
    "level.create": QT_TRANSLATE_NOOP("audit", "Customer group created"),
    "level.delete": QT_TRANSLATE_NOOP("audit", "Customer group deleted"),
    "level.price": QT_TRANSLATE_NOOP("audit", "Group prices changed"),
    "level.update": QT_TRANSLATE_NOOP("audit", "Customer group edited"),
    "low_stock.shop_level": QT_TRANSLATE_NOOP("audit", "Shop's low-stock level set"),
    "low_stock.shop_level_reset": QT_TRANSLATE_NOOP("audit", "Shop's low-stock level removed"),
    "low_stock.variant_level": QT_TRANSLATE_NOOP("audit", "Variant's low-stock level set"),
    "order.address": QT_TRANSLATE_NOOP("audit", "Delivery address changed"),
    "order.cancelled": QT_TRANSLATE_NOOP("audit", "Order cancelled"),
    "order.completed": QT_TRANSLATE_NOOP("audit", "Order completed"),
    "order.confirmed": QT_TRANSLATE_NOOP("audit", "Order confirmed"),
    "order.create": QT_TRANSLATE_NOOP("audit", "Order created"),
    "order.edit": QT_TRANSLATE_NOOP("audit", "Order edited"),
    "order.flag": QT_TRANSLATE_NOOP("audit", "Order flagged"),
    "order.note": QT_TRANSLATE_NOOP("audit", "Order note changed"),
    "order.pending": QT_TRANSLATE_NOOP("audit", "Order back to pending"),
    "order.exchange": QT_TRANSLATE_NOOP("audit", "Items exchanged"),
    "order.return": QT_TRANSLATE_NOOP("audit", "Return recorded"),
    "order.return_refund": QT_TRANSLATE_NOOP("audit", "Return/refund requested"),
    "order.returned": QT_TRANSLATE_NOOP("audit", "Order returned"),
    "order.shipping": QT_TRANSLATE_NOOP("audit", "Order handed to the carrier"),
    "order.unflag": QT_TRANSLATE_NOOP("audit", "Order flag removed"),
    "orders.export": QT_TRANSLATE_NOOP("audit", "Orders exported"),
    "orders.import": QT_TRANSLATE_NOOP("audit", "Orders imported"),
    "orders.import_export": QT_TRANSLATE_NOOP("audit", "Seller Center orders imported"),
    "outbox.discard": QT_TRANSLATE_NOOP("audit", "Marketplace action discarded"),
    "outbox.retry": QT_TRANSLATE_NOOP("audit", "Marketplace action retried"),
    "product.create": QT_TRANSLATE_NOOP("audit", "Product added"),
    "product.delete": QT_TRANSLATE_NOOP("audit", "Product deleted"),
    "product.hide": QT_TRANSLATE_NOOP("audit", "Product hidden"),
    "product.price_change": QT_TRANSLATE_NOOP("audit", "Prices changed"),
    "product.unhide": QT_TRANSLATE_NOOP("audit", "Product shown again"),
    "product.update": QT_TRANSLATE_NOOP("audit", "Product edited"),
    "products.export": QT_TRANSLATE_NOOP("audit", "Products exported"),
    "products.import": QT_TRANSLATE_NOOP("audit", "Products imported"),
    "price_schedule.create": QT_TRANSLATE_NOOP("audit", "Price change scheduled"),
    "price_schedule.update": QT_TRANSLATE_NOOP("audit", "Scheduled price change edited"),
    "price_schedule.cancel": QT_TRANSLATE_NOOP("audit", "Scheduled price change cancelled"),
    "price_schedule.start": QT_TRANSLATE_NOOP("audit", "Scheduled price change started"),
    "price_schedule.end": QT_TRANSLATE_NOOP("audit", "Scheduled price change ended"),
    "price_schedule.fail": QT_TRANSLATE_NOOP("audit", "Scheduled price change failed"),
    "purchase_order.create": QT_TRANSLATE_NOOP("audit", "Purchase order placed"),
    "purchase_order.cancel": QT_TRANSLATE_NOOP("audit", "Purchase order cancelled"),
    "purchase_order.close": QT_TRANSLATE_NOOP("audit", "Purchase order closed"),
    "purchase_order.reopen": QT_TRANSLATE_NOOP("audit", "Purchase order reopened"),
    "purchase_order.update": QT_TRANSLATE_NOOP("audit", "Purchase order changed"),
    "ranks.recompute": QT_TRANSLATE_NOOP("audit", "Customer ranks recomputed"),
    "report.export": QT_TRANSLATE_NOOP("audit", "Report exported"),
    "report.end_of_day.export": QT_TRANSLATE_NOOP("audit", "End-of-day report exported"),
    "till.close": QT_TRANSLATE_NOOP("audit", "Till counted"),
    "goods_receipt.create": QT_TRANSLATE_NOOP("audit", "Goods received"),
    "goods_receipt.cancel": QT_TRANSLATE_NOOP("audit", "Goods receipt cancelled"),
    "goods_receipt.return": QT_TRANSLATE_NOOP("audit", "Goods sent back to the supplier"),
    "goods_receipt.return_cancel": QT_TRANSLATE_NOOP("audit", "Return to the supplier cancelled"),
    "goods_receipts.export": QT_TRANSLATE_NOOP("audit", "Goods receipts exported"),
    "purchase_orders.export": QT_TRANSLATE_NOOP("audit", "Purchase orders exported"),
    "supplier.create": QT_TRANSLATE_NOOP("audit", "Supplier added"),
    "supplier.update": QT_TRANSLATE_NOOP("audit", "Supplier edited"),
    "supplier.archive": QT_TRANSLATE_NOOP("audit", "Supplier archived"),
    "supplier.restore": QT_TRANSLATE_NOOP("audit", "Supplier restored"),
    "supplier.pay": QT_TRANSLATE_NOOP("audit", "Supplier paid"),
    "supplier.adjust": QT_TRANSLATE_NOOP("audit", "Supplier balance adjusted"),
    "supplier.payment_cancel": QT_TRANSLATE_NOOP("audit", "Supplier payment cancelled"),
    "customer.payment": QT_TRANSLATE_NOOP("audit", "Customer paid a debt"),
    "customer.payment_cancel": QT_TRANSLATE_NOOP("audit", "Customer payment cancelled"),
    "customer.adjust": QT_TRANSLATE_NOOP("audit", "Customer balance adjusted"),
    "suppliers.export": QT_TRANSLATE_NOOP("audit", "Suppliers exported"),
    "suppliers.import": QT_TRANSLATE_NOOP("audit", "Suppliers imported"),
    "report.rebuild": QT_TRANSLATE_NOOP("audit", "Report figures rebuilt"),
    "segment.add": QT_TRANSLATE_NOOP("audit", "Customers added to a segment"),
    "segment.create": QT_TRANSLATE_NOOP("audit", "Segment created"),
    "segment.delete": QT_TRANSLATE_NOOP("audit", "Segment deleted"),
    "segment.export": QT_TRANSLATE_NOOP("audit", "Segment exported"),
    "segment.remove": QT_TRANSLATE_NOOP("audit", "Customers removed from a segment"),
    "segment.rename": QT_TRANSLATE_NOOP("audit", "Segment renamed"),
    "settings.change": QT_TRANSLATE_NOOP("audit", "Setting changed"),
    "setup.complete": QT_TRANSLATE_NOOP("audit", "Shop set up"),
    "shipment.cancel": QT_TRANSLATE_NOOP("audit", "Shipment cancelled"),
    "shipment.request": QT_TRANSLATE_NOOP("audit", "Shipment created"),
    "shop.authorize": QT_TRANSLATE_NOOP("audit", "Shop authorised"),
    "shop.disconnect": QT_TRANSLATE_NOOP("audit", "Shop disconnected"),
    "shop.listings_pull": QT_TRANSLATE_NOOP("audit", "Marketplace listings fetched and linked"),
    "shop.needs_reauth": QT_TRANSLATE_NOOP("audit", "Shop needs re-authorisation"),
    "shop.set_partner": QT_TRANSLATE_NOOP("audit", "Marketplace app details saved"),
    "sku_group.add": QT_TRANSLATE_NOOP("audit", "SKU added to a group"),
    "sku_group.create": QT_TRANSLATE_NOOP("audit", "SKU group created"),
    "sku_group.delete": QT_TRANSLATE_NOOP("audit", "SKU group deleted"),
    "sku_group.remove": QT_TRANSLATE_NOOP("audit", "SKU removed from a group"),
    "sku_group.update": QT_TRANSLATE_NOOP("audit", "SKU group edited"),
    "sku_groups.export": QT_TRANSLATE_NOOP("audit", "SKU groups exported"),
    "staff.add": QT_TRANSLATE_NOOP("audit", "Staff member added"),
    "staff.disable": QT_TRANSLATE_NOOP("audit", "Staff account disabled"),
    "staff.enable": QT_TRANSLATE_NOOP("audit", "Staff account enabled"),
    "staff.password_reset": QT_TRANSLATE_NOOP("audit", "Staff password reset"),
    "staff.update": QT_TRANSLATE_NOOP("audit", "Staff member edited"),
    "stock.adjust": QT_TRANSLATE_NOOP("audit", "Stock adjusted"),
    "stock.in": QT_TRANSLATE_NOOP("audit", "Stock received"),
    "stock.out": QT_TRANSLATE_NOOP("audit", "Stock taken out"),
    "stock.stocktake": QT_TRANSLATE_NOOP("audit", "Stock-take applied"),
    "tag.add": QT_TRANSLATE_NOOP("audit", "Tag given to customers"),
    "tag.create": QT_TRANSLATE_NOOP("audit", "Tag created"),
    "tag.delete": QT_TRANSLATE_NOOP("audit", "Tag deleted"),
    "tag.remove": QT_TRANSLATE_NOOP("audit", "Tag taken from customers"),
    "tag.rename": QT_TRANSLATE_NOOP("audit", "Tag renamed"),
    "user.login": QT_TRANSLATE_NOOP("audit", "Signed in"),
    "user.password_change": QT_TRANSLATE_NOOP("audit", "Password changed"),
    "user.password_set": QT_TRANSLATE_NOOP("audit", "First password set"),
    "user.sign_in_failed": QT_TRANSLATE_NOOP("audit", "Sign-in failed"),
    "user.profile": QT_TRANSLATE_NOOP("audit", "Profile edited"),
    "voucher.activate": QT_TRANSLATE_NOOP("audit", "Voucher turned on"),
    "voucher.create": QT_TRANSLATE_NOOP("audit", "Voucher created"),
    "voucher.deactivate": QT_TRANSLATE_NOOP("audit", "Voucher turned off"),
    "voucher.delete": QT_TRANSLATE_NOOP("audit", "Voucher deleted"),
    "voucher.update": QT_TRANSLATE_NOOP("audit", "Voucher edited"),
}

# The filter's kinds: an action's part before the first dot. Kinds with one name
# (`order` and `orders`) are one choice.
KINDS: dict[str, str] = {
    "audit": QT_TRANSLATE_NOOP("audit", "Audit log"),
    "backup": QT_TRANSLATE_NOOP("audit", "Backups"),
    "carrier": QT_TRANSLATE_NOOP("audit", "Shipping"),
    "shipment": QT_TRANSLATE_NOOP("audit", "Shipping"),
    "customer": QT_TRANSLATE_NOOP("audit", "Customers"),
    "customers": QT_TRANSLATE_NOOP("audit", "Customers"),
    "demo": QT_TRANSLATE_NOOP("audit", "Demo data"),
    "goods_receipt": QT_TRANSLATE_NOOP("audit", "Goods receipts"),
    "goods_receipts": QT_TRANSLATE_NOOP("audit", "Goods receipts"),
    "purchase_orders": QT_TRANSLATE_NOOP("audit", "Purchase orders"),
    "level": QT_TRANSLATE_NOOP("audit", "Customer groups"),
    "low_stock": QT_TRANSLATE_NOOP("audit", "Low stock"),
    "order": QT_TRANSLATE_NOOP("audit", "Orders"),
    "orders": QT_TRANSLATE_NOOP("audit", "Orders"),
    "outbox": QT_TRANSLATE_NOOP("audit", "Marketplace actions"),
    "product": QT_TRANSLATE_NOOP("audit", "Products"),
    "products": QT_TRANSLATE_NOOP("audit", "Products"),
    "purchase_order": QT_TRANSLATE_NOOP("audit", "Purchase orders"),
    "price_schedule": QT_TRANSLATE_NOOP("audit", "Scheduled prices"),
    "ranks": QT_TRANSLATE_NOOP("audit", "Customer ranks"),
    "report": QT_TRANSLATE_NOOP("audit", "Reports"),
    "segment": QT_TRANSLATE_NOOP("audit", "Segments"),
    "settings": QT_TRANSLATE_NOOP("audit", "Settings"),
    "setup": QT_TRANSLATE_NOOP("audit", "Shop setup"),
    "shop": QT_TRANSLATE_NOOP("audit", "Sales channels"),
    "sku_group": QT_TRANSLATE_NOOP("audit", "SKU groups"),
    "sku_groups": QT_TRANSLATE_NOOP("audit", "SKU groups"),
    "staff": QT_TRANSLATE_NOOP("audit", "Staff"),
    "stock": QT_TRANSLATE_NOOP("audit", "Stock"),
    "supplier": QT_TRANSLATE_NOOP("audit", "Suppliers"),
    "suppliers": QT_TRANSLATE_NOOP("audit", "Suppliers"),
    "tag": QT_TRANSLATE_NOOP("audit", "Tags"),
    "till": QT_TRANSLATE_NOOP("audit", "Till"),
    "user": QT_TRANSLATE_NOOP("audit", "Accounts"),
    "voucher": QT_TRANSLATE_NOOP("audit", "Vouchers"),
}

# What a row is about (its entity type, before the record's id).
RECORDS: dict[str, str] = {
    "backup": QT_TRANSLATE_NOOP("audit", "backup"),
    "carrier_account": QT_TRANSLATE_NOOP("audit", "carrier"),
    "customer": QT_TRANSLATE_NOOP("audit", "customer"),
    "customer_level": QT_TRANSLATE_NOOP("audit", "customer group"),
    "file": QT_TRANSLATE_NOOP("audit", "file"),
    "goods_receipt": QT_TRANSLATE_NOOP("audit", "goods receipt"),
    "order": QT_TRANSLATE_NOOP("audit", "order"),
    "outbox": QT_TRANSLATE_NOOP("audit", "marketplace action"),
    "product": QT_TRANSLATE_NOOP("audit", "product"),
    "purchase_order": QT_TRANSLATE_NOOP("audit", "purchase order"),
    "price_schedule": QT_TRANSLATE_NOOP("audit", "scheduled price change"),
    "segment": QT_TRANSLATE_NOOP("audit", "segment"),
    "setting": QT_TRANSLATE_NOOP("audit", "setting"),
    "shop": QT_TRANSLATE_NOOP("audit", "shop"),
    "sku_group": QT_TRANSLATE_NOOP("audit", "SKU group"),
    "stocktake": QT_TRANSLATE_NOOP("audit", "stock-take"),
    "store": QT_TRANSLATE_NOOP("audit", "store"),
    "supplier": QT_TRANSLATE_NOOP("audit", "supplier"),
    "tag": QT_TRANSLATE_NOOP("audit", "tag"),
    "till": QT_TRANSLATE_NOOP("audit", "till of"),
    "user": QT_TRANSLATE_NOOP("audit", "user"),
    "variant": QT_TRANSLATE_NOOP("audit", "variant"),
    "voucher": QT_TRANSLATE_NOOP("audit", "voucher"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def action_label(code: str) -> str:
    """`order.cancelled` → "Order cancelled" ("Hủy đơn hàng"); an unknown code as it is."""
    return _tr(ACTIONS[code]) if code in ACTIONS else code


def kind_label(kind: str) -> str:
    return _tr(KINDS[kind]) if kind in KINDS else kind


def record_label(record: str) -> str:
    """`customer 12` → "customer 12" in the reader's words ("khách hàng 12"); a setting
    by its name (`setting backup.keep` → "setting: backups kept")."""
    entity, _sep, rest = record.partition(" ")
    if entity not in RECORDS:
        return record
    if entity == "setting" and rest:  # the setting by name, not by its key
        return f"{_tr(RECORDS[entity])}: {setting_label(rest)}"
    return f"{_tr(RECORDS[entity])} {rest}".rstrip()


def named_record_label(record: str, name: str) -> str:
    """`customer 12` named "Nguyễn Văn An (KH000012)" → "khách hàng: Nguyễn Văn An
    (KH000012)": the record by its name rather than an id the owner never sees."""
    entity = record.partition(" ")[0]
    return f"{_tr(RECORDS[entity])}: {name}" if entity in RECORDS else name


def kind_choices(kinds: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(name, the kinds it stands for) for the filter, by name; kinds of one name merged."""
    merged: dict[str, list[str]] = {}
    for kind in kinds:
        merged.setdefault(kind_label(kind), []).append(kind)
    return sorted(((name, tuple(ks)) for name, ks in merged.items()), key=lambda c: fold(c[0]))


# The fields of the Before/After columns (the keys of the stored JSON objects, at any
# depth); a field without a name here reads as its key with spaces ("dropped addresses").
FIELDS: dict[str, str] = {
    "name": QT_TRANSLATE_NOOP("audit", "name"),
    "email": QT_TRANSLATE_NOOP("audit", "email"),
    "role": QT_TRANSLATE_NOOP("audit", "role"),
    "modules": QT_TRANSLATE_NOOP("audit", "access to"),
    "can_refund": QT_TRANSLATE_NOOP("audit", "refunds and returns"),
    "can_export": QT_TRANSLATE_NOOP("audit", "export data"),
    "is_active": QT_TRANSLATE_NOOP("audit", "active"),
    "restored_by": QT_TRANSLATE_NOOP("audit", "restored by"),
    "code": QT_TRANSLATE_NOOP("audit", "code"),
    "phone": QT_TRANSLATE_NOOP("audit", "phone"),
    "phones": QT_TRANSLATE_NOOP("audit", "phones"),
    "actions_waiting": QT_TRANSLATE_NOOP("audit", "actions waiting to be sent"),
    "address": QT_TRANSLATE_NOOP("audit", "address"),
    "note": QT_TRANSLATE_NOOP("audit", "note"),
    "reason": QT_TRANSLATE_NOOP("audit", "reason"),
    "status": QT_TRANSLATE_NOOP("audit", "status"),
    "channel": QT_TRANSLATE_NOOP("audit", "channel"),
    "gender": QT_TRANSLATE_NOOP("audit", "gender"),
    "birthday": QT_TRANSLATE_NOOP("audit", "birthday"),
    "supplier": QT_TRANSLATE_NOOP("audit", "supplier"),
    "low_stock_level": QT_TRANSLATE_NOOP("audit", "low stock level"),
    "stock": QT_TRANSLATE_NOOP("audit", "stock"),
    "quantity": QT_TRANSLATE_NOOP("audit", "quantity"),
    "unit_cost": QT_TRANSLATE_NOOP("audit", "unit cost"),
    "cost": QT_TRANSLATE_NOOP("audit", "cost"),
    "amount": QT_TRANSLATE_NOOP("audit", "amount"),
    "total": QT_TRANSLATE_NOOP("audit", "total"),
    "total_cost": QT_TRANSLATE_NOOP("audit", "total cost"),
    "method": QT_TRANSLATE_NOOP("audit", "payment method"),
    "opening_float": QT_TRANSLATE_NOOP("audit", "opening float"),
    "expected": QT_TRANSLATE_NOOP("audit", "expected"),
    "counted": QT_TRANSLATE_NOOP("audit", "counted"),
    "difference": QT_TRANSLATE_NOOP("audit", "difference"),
    "file": QT_TRANSLATE_NOOP("audit", "file"),
    "rows": QT_TRANSLATE_NOOP("audit", "rows"),
    # tests/ui/settings/test_audit_fields.py reads the fields the services write from the
    # code and fails for one without a name here.
    "added": QT_TRANSLATE_NOOP("audit", "added"),
    "addresses": QT_TRANSLATE_NOOP("audit", "addresses"),
    "addresses_added": QT_TRANSLATE_NOOP("audit", "addresses added"),
    "addresses_dropped": QT_TRANSLATE_NOOP("audit", "addresses dropped"),
    "adjustment": QT_TRANSLATE_NOOP("audit", "adjustment"),
    "adjustments": QT_TRANSLATE_NOOP("audit", "adjustments"),
    "api_host": QT_TRANSLATE_NOOP("audit", "API address"),
    "archived": QT_TRANSLATE_NOOP("audit", "archived"),
    "asked": QT_TRANSLATE_NOOP("audit", "asked for"),
    "assigned_user_id": QT_TRANSLATE_NOOP("audit", "staff in charge"),
    "auth_expires_at": QT_TRANSLATE_NOOP("audit", "authorisation expires"),
    "basis": QT_TRANSLATE_NOOP("audit", "ranked by"),
    "baudrate": QT_TRANSLATE_NOOP("audit", "baud rate"),
    "birthday_this_month": QT_TRANSLATE_NOOP("audit", "birthday this month"),
    "category": QT_TRANSLATE_NOOP("audit", "category"),
    "changed": QT_TRANSLATE_NOOP("audit", "changed"),
    "changes": QT_TRANSLATE_NOOP("audit", "changes"),
    "close_reason": QT_TRANSLATE_NOOP("audit", "reason for closing"),
    "cod": QT_TRANSLATE_NOOP("audit", "cash on delivery"),
    "color": QT_TRANSLATE_NOOP("audit", "colour"),
    "columns": QT_TRANSLATE_NOOP("audit", "columns"),
    "created": QT_TRANSLATE_NOOP("audit", "created"),
    "created_from": QT_TRANSLATE_NOOP("audit", "created from"),
    "created_this_month": QT_TRANSLATE_NOOP("audit", "created this month"),
    "created_to": QT_TRANSLATE_NOOP("audit", "created until"),
    "customer": QT_TRANSLATE_NOOP("audit", "customer"),
    "customer_id": QT_TRANSLATE_NOOP("audit", "customer"),
    "customers": QT_TRANSLATE_NOOP("audit", "customers"),
    "customers_created": QT_TRANSLATE_NOOP("audit", "customers created"),
    "customers_linked": QT_TRANSLATE_NOOP("audit", "customers linked"),
    "cut": QT_TRANSLATE_NOOP("audit", "cut the paper"),
    "day": QT_TRANSLATE_NOOP("audit", "day"),
    "debts": QT_TRANSLATE_NOOP("audit", "debts"),
    "deleted": QT_TRANSLATE_NOOP("audit", "deleted"),
    "device": QT_TRANSLATE_NOOP("audit", "device"),
    "difference_qty": QT_TRANSLATE_NOOP("audit", "difference (units)"),
    "difference_value": QT_TRANSLATE_NOOP("audit", "difference (value)"),
    "discount_kind": QT_TRANSLATE_NOOP("audit", "discount type"),
    "discount_max": QT_TRANSLATE_NOOP("audit", "discount at most"),
    "discount_min": QT_TRANSLATE_NOOP("audit", "discount at least"),
    "doc_type": QT_TRANSLATE_NOOP("audit", "document"),
    "dropped_addresses": QT_TRANSLATE_NOOP("audit", "dropped addresses"),
    "duplicate_of": QT_TRANSLATE_NOOP("audit", "duplicate of"),
    "ends_at": QT_TRANSLATE_NOOP("audit", "ends at"),
    "expected_on": QT_TRANSLATE_NOOP("audit", "expected on"),
    "expenses": QT_TRANSLATE_NOOP("audit", "spending"),
    "expenses_max": QT_TRANSLATE_NOOP("audit", "spending at most"),
    "expenses_min": QT_TRANSLATE_NOOP("audit", "spending at least"),
    "external_shop_id": QT_TRANSLATE_NOOP("audit", "marketplace shop ID"),
    "facebook_id": QT_TRANSLATE_NOOP("audit", "Facebook"),
    "failures": QT_TRANSLATE_NOOP("audit", "wrong passwords in a row"),
    "female": QT_TRANSLATE_NOOP("audit", "women only"),
    "field": QT_TRANSLATE_NOOP("audit", "which price"),
    "filter": QT_TRANSLATE_NOOP("audit", "filter"),
    "filters": QT_TRANSLATE_NOOP("audit", "filters"),
    "five_plus_orders": QT_TRANSLATE_NOOP("audit", "five orders or more"),
    "footer": QT_TRANSLATE_NOOP("audit", "footer"),
    "format": QT_TRANSLATE_NOOP("audit", "format"),
    "free_shipping": QT_TRANSLATE_NOOP("audit", "free shipping"),
    "from": QT_TRANSLATE_NOOP("audit", "from"),
    "from_order": QT_TRANSLATE_NOOP("audit", "from order"),
    "genders": QT_TRANSLATE_NOOP("audit", "genders"),
    "gold_and_above": QT_TRANSLATE_NOOP("audit", "Gold and above"),
    "hide_anonymous": QT_TRANSLATE_NOOP("audit", "anonymous marketplace buyers hidden"),
    "host": QT_TRANSLATE_NOOP("audit", "host"),
    "identities": QT_TRANSLATE_NOOP("audit", "marketplace buyers"),
    "ids": QT_TRANSLATE_NOOP("audit", "IDs"),
    "ignored_columns": QT_TRANSLATE_NOOP("audit", "ignored columns"),
    "imported": QT_TRANSLATE_NOOP("audit", "imported"),
    "items": QT_TRANSLATE_NOOP("audit", "items"),
    "kept": QT_TRANSLATE_NOOP("audit", "kept"),
    "kept_owed_by_shop": QT_TRANSLATE_NOOP("audit", "kept: the shop owes them"),
    "kept_owing": QT_TRANSLATE_NOOP("audit", "kept (still owing)"),
    "kind": QT_TRANSLATE_NOOP("audit", "kind"),
    "kinds": QT_TRANSLATE_NOOP("audit", "kinds"),
    "lang": QT_TRANSLATE_NOOP("audit", "language"),
    "last_order_from": QT_TRANSLATE_NOOP("audit", "last order from"),
    "last_order_to": QT_TRANSLATE_NOOP("audit", "last order until"),
    "left_groups": QT_TRANSLATE_NOOP("audit", "left SKU groups"),
    "level_ids": QT_TRANSLATE_NOOP("audit", "customer groups"),
    "levels": QT_TRANSLATE_NOOP("audit", "customer groups"),
    "levels_created": QT_TRANSLATE_NOOP("audit", "customer groups created"),
    "lines": QT_TRANSLATE_NOOP("audit", "lines"),
    "listing_pushes": QT_TRANSLATE_NOOP("audit", "marketplace updates"),
    "listing_upserts": QT_TRANSLATE_NOOP("audit", "listings saved"),
    "listings_added": QT_TRANSLATE_NOOP("audit", "listings added"),
    "listings_linked": QT_TRANSLATE_NOOP("audit", "listings linked"),
    "logo_path": QT_TRANSLATE_NOOP("audit", "logo file"),
    "max_discount": QT_TRANSLATE_NOOP("audit", "discount at most"),
    "members": QT_TRANSLATE_NOOP("audit", "members"),
    "merged": QT_TRANSLATE_NOOP("audit", "merged"),
    "merged_ids": QT_TRANSLATE_NOOP("audit", "merged IDs"),
    "metric": QT_TRANSLATE_NOOP("audit", "figure"),
    "min_order_value": QT_TRANSLATE_NOOP("audit", "minimum order"),
    "mode": QT_TRANSLATE_NOOP("audit", "how"),
    "models_linked": QT_TRANSLATE_NOOP("audit", "variations linked"),
    "more": QT_TRANSLATE_NOOP("audit", "more not listed"),
    "moved": QT_TRANSLATE_NOOP("audit", "moved"),
    "movements_kept": QT_TRANSLATE_NOOP("audit", "stock movements kept"),
    "new_pairs": QT_TRANSLATE_NOOP("audit", "pairs newly marked"),
    "notes": QT_TRANSLATE_NOOP("audit", "notes"),
    "often_returns": QT_TRANSLATE_NOOP("audit", "often returns"),
    "on_duplicate": QT_TRANSLATE_NOOP("audit", "on a duplicate"),
    "open_drawer": QT_TRANSLATE_NOOP("audit", "open the cash drawer"),
    "opening_stock": QT_TRANSLATE_NOOP("audit", "opening stock"),
    "order_lines": QT_TRANSLATE_NOOP("audit", "order lines"),
    "orders": QT_TRANSLATE_NOOP("audit", "orders"),
    "orders_inserted": QT_TRANSLATE_NOOP("audit", "orders added"),
    "orders_rejected": QT_TRANSLATE_NOOP("audit", "orders rejected"),
    "orders_unchanged": QT_TRANSLATE_NOOP("audit", "orders unchanged"),
    "orders_updated": QT_TRANSLATE_NOOP("audit", "orders updated"),
    "owes_money": QT_TRANSLATE_NOOP("audit", "owes money"),
    "paid": QT_TRANSLATE_NOOP("audit", "paid"),
    "paused_seconds": QT_TRANSLATE_NOOP("audit", "sign-in paused for (seconds)"),
    "paper": QT_TRANSLATE_NOOP("audit", "paper"),
    "partner_id": QT_TRANSLATE_NOOP("audit", "partner ID"),
    "payment": QT_TRANSLATE_NOOP("audit", "payment"),
    "payment_method": QT_TRANSLATE_NOOP("audit", "payment method"),
    "payments": QT_TRANSLATE_NOOP("audit", "payments"),
    "per_customer_limit": QT_TRANSLATE_NOOP("audit", "uses per customer"),
    "phones_added": QT_TRANSLATE_NOOP("audit", "phones added"),
    "points_entries": QT_TRANSLATE_NOOP("audit", "points entries"),
    "points_used": QT_TRANSLATE_NOOP("audit", "points used"),
    "port": QT_TRANSLATE_NOOP("audit", "port"),
    "preview": QT_TRANSLATE_NOOP("audit", "show a preview first"),
    "price_max": QT_TRANSLATE_NOOP("audit", "price at most"),
    "price_min": QT_TRANSLATE_NOOP("audit", "price at least"),
    "printer": QT_TRANSLATE_NOOP("audit", "printer"),
    "products": QT_TRANSLATE_NOOP("audit", "products"),
    "products_created": QT_TRANSLATE_NOOP("audit", "products created"),
    "products_rejected": QT_TRANSLATE_NOOP("audit", "products rejected"),
    "products_unchanged": QT_TRANSLATE_NOOP("audit", "products unchanged"),
    "products_updated": QT_TRANSLATE_NOOP("audit", "products updated"),
    "purchase_order": QT_TRANSLATE_NOOP("audit", "purchase order"),
    "pushes": QT_TRANSLATE_NOOP("audit", "marketplace updates"),
    "ranks": QT_TRANSLATE_NOOP("audit", "ranks"),
    "receipt": QT_TRANSLATE_NOOP("audit", "goods receipt"),
    "received_units": QT_TRANSLATE_NOOP("audit", "units received"),
    "referred_customers": QT_TRANSLATE_NOOP("audit", "referred customers"),
    "referrer_id": QT_TRANSLATE_NOOP("audit", "referred by"),
    "refund": QT_TRANSLATE_NOOP("audit", "refund"),
    "removed": QT_TRANSLATE_NOOP("audit", "removed"),
    "removed_address": QT_TRANSLATE_NOOP("audit", "removed address"),
    "reserved": QT_TRANSLATE_NOOP("audit", "reserved"),
    "restored": QT_TRANSLATE_NOOP("audit", "prices restored"),
    "return": QT_TRANSLATE_NOOP("audit", "return"),
    "returned": QT_TRANSLATE_NOOP("audit", "returned"),
    "round_to": QT_TRANSLATE_NOOP("audit", "round to"),
    "rows_read": QT_TRANSLATE_NOOP("audit", "rows read"),
    "rows_rejected": QT_TRANSLATE_NOOP("audit", "rows rejected"),
    "rule": QT_TRANSLATE_NOOP("audit", "rule"),
    "sample": QT_TRANSLATE_NOOP("audit", "some of them"),
    "search": QT_TRANSLATE_NOOP("audit", "search"),
    "seconds": QT_TRANSLATE_NOOP("audit", "seconds"),
    "segment": QT_TRANSLATE_NOOP("audit", "segment"),
    "segment_id": QT_TRANSLATE_NOOP("audit", "segment ID"),
    "segment_ids": QT_TRANSLATE_NOOP("audit", "segments"),
    "segments": QT_TRANSLATE_NOOP("audit", "segments"),
    "selection": QT_TRANSLATE_NOOP("audit", "chosen rows only"),
    "ship_address": QT_TRANSLATE_NOOP("audit", "delivery address"),
    "ship_district": QT_TRANSLATE_NOOP("audit", "district"),
    "ship_name": QT_TRANSLATE_NOOP("audit", "recipient"),
    "ship_phone": QT_TRANSLATE_NOOP("audit", "recipient's phone"),
    "ship_province": QT_TRANSLATE_NOOP("audit", "province"),
    "ship_ward": QT_TRANSLATE_NOOP("audit", "ward"),
    "shop": QT_TRANSLATE_NOOP("audit", "shop"),
    "shop_created": QT_TRANSLATE_NOOP("audit", "shop created"),
    "shop_ids": QT_TRANSLATE_NOOP("audit", "shops"),
    "shops": QT_TRANSLATE_NOOP("audit", "shops"),
    "shops_created": QT_TRANSLATE_NOOP("audit", "shops created"),
    "show_price": QT_TRANSLATE_NOOP("audit", "show the price"),
    "show_shop": QT_TRANSLATE_NOOP("audit", "show the shop's name"),
    "skipped": QT_TRANSLATE_NOOP("audit", "skipped"),
    "sku": QT_TRANSLATE_NOOP("audit", "SKU"),
    "source": QT_TRANSLATE_NOOP("audit", "source"),
    "sources": QT_TRANSLATE_NOOP("audit", "sources"),
    "staff": QT_TRANSLATE_NOOP("audit", "staff"),
    "starts_at": QT_TRANSLATE_NOOP("audit", "starts at"),
    "state": QT_TRANSLATE_NOOP("audit", "state"),
    "statuses": QT_TRANSLATE_NOOP("audit", "statuses"),
    "stock_max": QT_TRANSLATE_NOOP("audit", "stock at most"),
    "stock_min": QT_TRANSLATE_NOOP("audit", "stock at least"),
    "stock_moves": QT_TRANSLATE_NOOP("audit", "stock movements"),
    "stock_pushes": QT_TRANSLATE_NOOP("audit", "stock updates to marketplaces"),
    "subtotal": QT_TRANSLATE_NOOP("audit", "subtotal"),
    "success_rate_max": QT_TRANSLATE_NOOP("audit", "success rate at most"),
    "success_rate_min": QT_TRANSLATE_NOOP("audit", "success rate at least"),
    "successful_max": QT_TRANSLATE_NOOP("audit", "successful orders at most"),
    "successful_min": QT_TRANSLATE_NOOP("audit", "successful orders at least"),
    "survivor": QT_TRANSLATE_NOOP("audit", "kept customer"),
    "tag_ids": QT_TRANSLATE_NOOP("audit", "tags"),
    "tags": QT_TRANSLATE_NOOP("audit", "tags"),
    "tags_created": QT_TRANSLATE_NOOP("audit", "tags created"),
    "target": QT_TRANSLATE_NOOP("audit", "printer"),
    "tax_code": QT_TRANSLATE_NOOP("audit", "tax code"),
    "template": QT_TRANSLATE_NOOP("audit", "template"),
    "to": QT_TRANSLATE_NOOP("audit", "to"),
    "unchanged": QT_TRANSLATE_NOOP("audit", "unchanged"),
    "units": QT_TRANSLATE_NOOP("audit", "units"),
    "unlinked": QT_TRANSLATE_NOOP("audit", "not linked"),
    "updated": QT_TRANSLATE_NOOP("audit", "updated"),
    "usage_limit": QT_TRANSLATE_NOOP("audit", "uses in total"),
    "usb_product": QT_TRANSLATE_NOOP("audit", "USB product ID"),
    "usb_vendor": QT_TRANSLATE_NOOP("audit", "USB vendor ID"),
    "user_id": QT_TRANSLATE_NOOP("audit", "user"),
    "value": QT_TRANSLATE_NOOP("audit", "value"),
    "variant_ids": QT_TRANSLATE_NOOP("audit", "variants"),
    "variants": QT_TRANSLATE_NOOP("audit", "variants"),
    "variants_created": QT_TRANSLATE_NOOP("audit", "variants created"),
    "variants_unchanged": QT_TRANSLATE_NOOP("audit", "variants unchanged"),
    "variants_updated": QT_TRANSLATE_NOOP("audit", "variants updated"),
    "voucher": QT_TRANSLATE_NOOP("audit", "voucher"),
    "voucher_id": QT_TRANSLATE_NOOP("audit", "voucher"),
    "vouchers_switched_off": QT_TRANSLATE_NOOP("audit", "vouchers switched off"),
    "weight_g": QT_TRANSLATE_NOOP("audit", "weight (g)"),
    "window": QT_TRANSLATE_NOOP("audit", "period"),
    "zalo_id": QT_TRANSLATE_NOOP("audit", "Zalo"),
    # printing/store.py save_options: a document's Options (each Yes/No, and the message)
    "show_logo": QT_TRANSLATE_NOOP("audit", "shop logo"),
    "show_address": QT_TRANSLATE_NOOP("audit", "shop address"),
    "show_phone": QT_TRANSLATE_NOOP("audit", "shop phone number"),
    "show_code": QT_TRANSLATE_NOOP("audit", "order barcode / QR code"),
    "show_points": QT_TRANSLATE_NOOP("audit", "customer's points balance"),
    "show_sku": QT_TRANSLATE_NOOP("audit", "SKU of each item"),
    "show_cashier": QT_TRANSLATE_NOOP("audit", "cashier"),
    "large_font": QT_TRANSLATE_NOOP("audit", "large text"),
    "message": QT_TRANSLATE_NOOP("audit", "thank-you message"),
    # services/backup.py: where a backup was copied outside this PC
    "folder": QT_TRANSLATE_NOOP("audit", "folder"),
    # services/loyalty/settings.py: the channels whose orders earn points (each Yes/No)
    "offline": QT_TRANSLATE_NOOP("audit", "counter, phone and chat"),
    "shopee": QT_TRANSLATE_NOOP("audit", "Shopee"),
    "lazada": QT_TRANSLATE_NOOP("audit", "Lazada"),
    "tiktok": QT_TRANSLATE_NOOP("audit", "TikTok Shop"),
    "tiki": QT_TRANSLATE_NOOP("audit", "Tiki"),
}

#: The printer profiles are stored by document type: named as the documents.
DOCUMENTS: dict[str, str] = {
    "receipt": QT_TRANSLATE_NOOP("audit", "Sales receipt"),
    "invoice": QT_TRANSLATE_NOOP("audit", "Invoice"),
    "packing_slip": QT_TRANSLATE_NOOP("audit", "Packing slip"),
}

#: Fields whose values are codes with a display name (ui/labels.ENUM_LABELS).
ENUM_FIELDS = frozenset({"role", "modules", "status", "channel", "method", "payment_method",
                         "gender"})  # fmt: skip

#: Fields whose codes mean something only in their own field (a price change's "amount"
#: is not a voucher's), named here: field → code → name.
FIELD_VALUES: dict[str, dict[str, str]] = {
    # services/price_change.py: the rule's price and how it changes
    "field": {
        "price": QT_TRANSLATE_NOOP("audit", "selling price"),
        "discount_price": QT_TRANSLATE_NOOP("audit", "discount price"),
        "cost": QT_TRANSLATE_NOOP("audit", "cost"),
    },
    "mode": {
        "set": QT_TRANSLATE_NOOP("audit", "set to a price"),
        "percent": QT_TRANSLATE_NOOP("audit", "by a percentage"),
        "amount": QT_TRANSLATE_NOOP("audit", "by an amount"),
        "percent_off": QT_TRANSLATE_NOOP("audit", "a percentage off the selling price"),
        "remove": QT_TRANSLATE_NOOP("audit", "discount price removed"),
    },
    # services/loyalty/vouchers.py
    "discount_kind": {
        "amount": QT_TRANSLATE_NOOP("audit", "amount (VND)"),
        "percent": QT_TRANSLATE_NOOP("audit", "percentage (%)"),
    },
}

YES = QT_TRANSLATE_NOOP("audit", "Yes")
NO = QT_TRANSLATE_NOOP("audit", "No")

# The settings (their keys in `app_settings`) a `settings.change` row is about; a key
# given as a prefix ("printing.template.") is followed by what it names.
SETTINGS: dict[str, str] = {
    "shop.profile": QT_TRANSLATE_NOOP("audit", "shop details"),
    "backup.keep": QT_TRANSLATE_NOOP("audit", "backups kept"),
    "backup.also_to": QT_TRANSLATE_NOOP("audit", "second backup folder"),
    "sync.interval_minutes": QT_TRANSLATE_NOOP("audit", "sync interval (minutes)"),
    "security.lock_minutes": QT_TRANSLATE_NOOP("audit", "lock after idle minutes"),
    "loyalty.ranking": QT_TRANSLATE_NOOP("audit", "customer ranking"),
    "loyalty.earn_per": QT_TRANSLATE_NOOP("audit", "VND per point earned"),
    "loyalty.point_value": QT_TRANSLATE_NOOP("audit", "value of one point (VND)"),
    "loyalty.earn_channels": QT_TRANSLATE_NOOP("audit", "orders that earn points"),
    "loyalty.redeem_cap_percent": QT_TRANSLATE_NOOP("audit", "points pay at most (%)"),
    "printing.labels": QT_TRANSLATE_NOOP("audit", "shipping labels"),
    "printing.profiles": QT_TRANSLATE_NOOP("audit", "printers"),
    "printing.options": QT_TRANSLATE_NOOP("audit", "print options"),
    "printing.template.": QT_TRANSLATE_NOOP("audit", "print template"),
    "channels.remote.": QT_TRANSLATE_NOOP("audit", "marketplace link of shop"),
    "demo.": QT_TRANSLATE_NOOP("audit", "demo data"),
}


def field_label(key: str) -> str:
    """`low_stock_level` → "low stock level" ("mức sắp hết hàng"); an unknown field as
    its key with spaces."""
    return _tr(FIELDS[key]) if key in FIELDS else key.replace("_", " ")


def field_value_label(field: str, value: object) -> str | None:
    """`mode` `percent` → "by a percentage" ("theo phần trăm"); None for a field or code
    without a name here."""
    label = FIELD_VALUES.get(field, {}).get(str(value))
    return None if label is None else _tr(label)


def stored_message_text(value: object) -> str | None:
    """A service's message kept in a before/after as its template and values (`{"t": …,
    "v": …}`, as `core.messages.stored_args` writes it: a product's changes) in the
    reader's words; None for any other value."""
    if not (isinstance(value, dict) and value.keys() == {"t", "v"}
            and isinstance(value["t"], str) and isinstance(value["v"], dict)):  # fmt: skip
        return None
    message = restored("", json.dumps(value))
    return localize(message) if message else None


def document_label(doc_type: str) -> str:
    """`packing_slip` → "Packing slip" ("Phiếu đóng gói"); an unknown one as it is."""
    return _tr(DOCUMENTS[doc_type]) if doc_type in DOCUMENTS else doc_type


def yes_no(value: bool) -> str:
    return _tr(YES if value else NO)


def setting_label(key: str) -> str:
    """`loyalty.earn_per` → "VND per point earned"; `printing.template.receipt` →
    "print template receipt"; an unknown key as it is."""
    if key in SETTINGS:
        return _tr(SETTINGS[key])
    for prefix, label in SETTINGS.items():
        if prefix.endswith(".") and key.startswith(prefix):
            return f"{_tr(label)} {key[len(prefix) :]}".rstrip()
    return key
