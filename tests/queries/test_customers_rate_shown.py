"""The Customers list's success-rate filter takes the rate as the list shows it (a whole
percent): 57 of 62 finished orders is shown "92%" and is in "at least 92", not in "at most
91". On a real migrated database (PostgreSQL too with PRIMEDIST_TEST_DATABASE_URL)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.queries.customers import CUSTOMERS_SPEC, CustomerFilter, list_state
from primedist.queries.spec import count_rows, fetch_keys, fetch_rows
from primedist.ui.formatting import format_success_rate
from tests.factories import make_customers

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
customers_t = table_of(Customer)
#: (successful, cancelled, returned): 57 of 62 = 91.94%; halves (62.5%, 87.5%, 12.5%,
#: 99.5%, 0.5%) the list rounds to the even percent; a returned order is a failure too.
RECORDS = [(57, 5, 0), (5, 3, 0), (7, 1, 0), (1, 1, 0), (2, 0, 1), (1, 2, 0), (0, 3, 0),
           (3, 0, 0), (1, 7, 0), (199, 1, 0), (1, 199, 0), (45, 3, 2)]  # fmt: skip


@pytest.fixture
def customers(engine: Engine) -> dict[int, tuple[int, int, int]]:
    ids = make_customers(engine, len(RECORDS) + 1)  # the last one has no orders
    with engine.begin() as conn:
        for cid, (ok, cancelled, returned) in zip(ids, RECORDS, strict=False):
            conn.execute(
                sa.update(customers_t)
                .where(customers_t.c.id == cid)
                .values(successful_orders=ok, cancelled_orders=cancelled,
                        returned_orders=returned, total_orders=ok + cancelled + returned)
            )  # fmt: skip
    return dict(zip(ids, RECORDS, strict=False))


def _found(engine: Engine, flt: CustomerFilter) -> set[int]:
    state = list_state(flt, TZ)
    with engine.connect() as conn:
        keys = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=1000).keys
        assert count_rows(conn, CUSTOMERS_SPEC, state) == len(keys)
    return set(keys)


def _shown(engine: Engine, ids: list[int]) -> dict[int, int]:
    """The success rate of each customer as the list's column shows it (a whole percent)."""
    column = [c.key for c in CUSTOMERS_SPEC.columns].index("success_rate")
    with engine.connect() as conn:
        rows = fetch_rows(conn, CUSTOMERS_SPEC, ids)
    return {k: int(format_success_rate(float(rows[k][column]), "en").rstrip("%")) for k in ids}


def test_a_customer_shown_at_92_percent_is_in_at_least_92(engine: Engine, customers) -> None:
    (trinh,) = [k for k, v in customers.items() if v == (57, 5, 0)]
    assert _shown(engine, [trinh]) == {trinh: 92}
    assert trinh in _found(engine, CustomerFilter(success_rate_min=92))
    assert trinh in _found(engine, CustomerFilter(success_rate_min=92, success_rate_max=92))
    assert trinh not in _found(engine, CustomerFilter(success_rate_max=91))
    assert trinh not in _found(engine, CustomerFilter(success_rate_min=93))
    # A bound with a decimal: shown 92% is at least 91.5 and not at most 91.5.
    assert trinh in _found(engine, CustomerFilter(success_rate_min=91.5))
    assert trinh not in _found(engine, CustomerFilter(success_rate_max=91.5))


def test_every_bound_finds_the_customers_shown_in_range(engine: Engine, customers) -> None:
    shown = _shown(engine, list(customers))
    assert shown[next(k for k, v in customers.items() if v == (5, 3, 0))] == 62  # 62.5%
    assert shown[next(k for k, v in customers.items() if v == (7, 1, 0))] == 88  # 87.5%
    for n in range(101):
        at_least = {k for k, rate in shown.items() if rate >= n}
        at_most = {k for k, rate in shown.items() if rate <= n}
        assert _found(engine, CustomerFilter(success_rate_min=n)) == at_least, n
        assert _found(engine, CustomerFilter(success_rate_max=n)) == at_most, n
