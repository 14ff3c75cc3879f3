"""The ⓘ texts of the dashboards' figures, marked for lupdate (context "MetricDefinitions").

The same definitions as `services.reports.DEFINITIONS` (the CLI and README wording), but
as literals here so `pyside6-lupdate` extracts them; a test keeps both sets of keys equal.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from primedist.ui.labels import QT_TRANSLATE_NOOP

CONTEXT = "MetricDefinitions"

TEXTS: dict[str, str] = {
    "revenue": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Revenue = sum of the order totals of orders placed in the range (shop time zone), "
        "excluding cancelled orders and orders in return/refund or returned.",
    ),
    "new_orders": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "New orders = every order placed in the range, whatever its status (cancelled and "
        "returned ones included).",
    ),
    "orders": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Total orders = orders placed in the range, excluding cancelled orders and orders in "
        "return/refund or returned (the orders whose totals make the revenue).",
    ),
    "units": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Products sold = units in the lines of the orders counted in revenue, minus units "
        "returned from them.",
    ),
    "profit": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Gross profit = what the units sold brought in (in the orders counted in revenue, each "
        "line's subtotal for the units not returned) − what those units cost the shop (each "
        "line's unit cost when it was sold: the product's average cost then; a product "
        "without a cost counts 0). Order discounts, shipping fees and channel commissions are "
        "not taken off.",
    ),
    "repeat_rate": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Repeat purchase customer rate = customers with 2 or more non-cancelled orders in the "
        "range ÷ customers with at least 1 non-cancelled order in the range (orders without a "
        "customer are left out).",
    ),
    "province": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Top locations = the provinces/cities the orders counted in revenue were shipped to, "
        "by number of orders and by revenue (orders with no province, such as counter sales, "
        "are left out; See detail counts them as unknown).",
    ),
    "carrier": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Top shipping providers = the carriers of the orders counted in revenue, by number of "
        "orders (with their revenue; orders with no carrier are left out, See detail counts "
        "them as unknown).",
    ),
    "product": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Product rank = per product: units sold (as Products sold), revenue = its line "
        "subtotals (quantity × price − line discount) in the orders counted in revenue, for "
        "the units kept (returned units left out), and gross profit (as Gross profit); change "
        "against the previous period.",
    ),
    "todo": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Waiting now, whatever the range: orders pending, confirmed and waiting to be packed, "
        "shipping, in return/refund; products low on stock. For the range: orders placed in "
        "it and cancelled; active products with no order counted in revenue in it.",
    ),
    "previous": QT_TRANSLATE_NOOP(
        "MetricDefinitions",
        "Each figure is compared with the previous period: for This week, Last week, This "
        "month, Last month and This year, the same days of the week, month or year before (a "
        "month's last day against the last day of the month before); for the other ranges, "
        "the same number of days just before the range. A range ending today is compared up "
        "to the same time of day.",
    ),
}


def definition(key: str) -> str:
    """The ⓘ text of a figure in the UI's language ("" for a figure without one)."""
    text = TEXTS.get(key)
    return QCoreApplication.translate(CONTEXT, text) if text else ""
