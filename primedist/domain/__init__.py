"""SQLModel tables, enums and lifecycle rules: no session, no I/O, no Qt.

Importing this package registers every table on `SQLModel.metadata`.
"""

from primedist.domain import (  # noqa: F401  (import for table registration)
    audit,
    carrier,
    customer,
    goods_receipt,
    job_lock,
    loyalty,
    order,
    price_schedule,
    product,
    purchase_order,
    report,
    settings,
    shop,
    supplier,
    sync,
    till,
    user,
)
from primedist.domain.base import metadata

__all__ = ["metadata"]
