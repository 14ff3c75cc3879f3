"""Deleting customers (the Customers list's *Delete…*, `primedist customers delete`).

A deleted customer leaves every list, search, filter, segment and tag, and the shop
forgets how to recognise them: their marketplace buyer ids go, so the next order from the
same buyer (or phone) makes a new customer instead of finding a hidden one. Their orders
stay as they were (each keeps its buyer's name and phone), as do the points ledger and the
rank history behind the figures. A customer whose account is not settled is not deleted:
what they still owe for sales on account, or what the shop owes them (a deposit, an
overpayment), would vanish from the shop's books (settle or adjust it first). Only the
owner or a manager may delete; one audit row names who went.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerIdentity, CustomerTag, SegmentMember
from primedist.domain.enums import Module
from primedist.queries.customers import OWED
from primedist.services.context import ServiceContext

customers_t = table_of(Customer)
identities_t = table_of(CustomerIdentity)
customer_tags_t = table_of(CustomerTag)
members_t = table_of(SegmentMember)
#: How many deleted customers the audit row names.
AUDIT_SAMPLE = 20


@dataclass(frozen=True)
class Debtor:
    """A customer kept because their account is not settled."""

    id: int
    code: str
    name: str
    #: What they owe; below 0, what the shop owes them (a deposit, an overpayment).
    owed: int


@dataclass
class DeleteReport:
    deleted: int = 0
    #: Asked for but still owing money: not deleted.
    owing: list[Debtor] = field(default_factory=list)
    #: Asked for but the shop owes them money (a deposit, an overpayment): not deleted.
    owed_by_shop: list[Debtor] = field(default_factory=list)

    @property
    def kept(self) -> list[Debtor]:
        """Every customer kept, their account not settled."""
        return self.owing + self.owed_by_shop

    def summary(self) -> str:
        text = self._deleted_and_owing()
        if not self.owed_by_shop:
            return text
        who: list[str] = [msg("{customer} (the shop owes them {amount} đ)",
                              customer=f"{d.code} {d.name}", amount=-d.owed)
                          for d in self.owed_by_shop[:5]]  # fmt: skip
        if len(self.owed_by_shop) > 5:
            who.append("…")
        return msg("{deleted} Kept until their account is settled: {who}.", deleted=text,
                   who=who)  # fmt: skip

    def _deleted_and_owing(self) -> str:
        one = self.deleted == 1
        if not self.owing:
            if one:
                return msg("1 customer deleted.")
            return msg("{deleted} customers deleted.", deleted=self.deleted)
        who = ", ".join(f"{d.code} {d.name}" for d in self.owing[:5])
        if len(self.owing) > 5:
            who += ", …"
        if one:
            return msg("1 customer deleted; kept because they still owe money: {who}.", who=who)
        return msg("{deleted} customers deleted; kept because they still owe money: {who}.",
                   deleted=self.deleted, who=who)  # fmt: skip


def delete_customers(ctx: ServiceContext, customer_ids: Iterable[int]) -> DeleteReport:
    """Delete these customers (those deleted or merged already are ignored; those who owe
    money, or whom the shop owes money, are kept and listed). One transaction, one audit
    row."""
    ctx.require(Module.CUSTOMERS)
    ctx.require_manager()
    ids = list(dict.fromkeys(int(i) for i in customer_ids))
    report = DeleteReport()
    c = customers_t.c
    now = ctx.clock.now()
    with ctx.uow() as session:
        conn = session.connection()
        gone: list[tuple[int, str, str]] = []
        for chunk in chunks(ids):
            rows = conn.execute(
                sa.select(c.id, c.code, c.name, OWED)
                .where(c.id.in_(chunk), c.deleted_at.is_(None), c.merged_into_id.is_(None))
                .order_by(c.id)
            ).all()  # fmt: skip
            unsettled = [Debtor(int(r[0]), r[1], r[2], int(r[3])) for r in rows if int(r[3])]
            report.owing += [d for d in unsettled if d.owed > 0]
            report.owed_by_shop += [d for d in unsettled if d.owed < 0]
            kept = {d.id for d in unsettled}
            gone += [(int(r[0]), r[1], r[2]) for r in rows if int(r[0]) not in kept]
        for chunk in chunks([cid for cid, _code, _name in gone]):
            conn.execute(identities_t.delete().where(identities_t.c.customer_id.in_(chunk)))
            conn.execute(customer_tags_t.delete().where(customer_tags_t.c.customer_id.in_(chunk)))
            conn.execute(members_t.delete().where(members_t.c.customer_id.in_(chunk)))
            conn.execute(
                customers_t.update().where(c.id.in_(chunk)).values(deleted_at=now, updated_at=now)
            )
            # Those they referred lose the link (as a merge moves it): a referrer who is
            # gone made every later edit of them fail ("The referrer no longer exists").
            conn.execute(
                customers_t.update().where(c.referrer_id.in_(chunk)).values(referrer_id=None)
            )
        report.deleted = len(gone)
        if gone:
            who = ", ".join(f"{code} {name}" for _cid, code, name in gone[:AUDIT_SAMPLE])
            more = len(gone) - AUDIT_SAMPLE
            ctx.audit(session, "customer.delete", entity_type="customer",
                      entity_id=gone[0][0] if len(gone) == 1 else None,
                      summary=msg("{count} customers deleted: {who}", count=len(gone),
                                  who=who + (f" (+{more})" if more > 0 else "")),
                      after={"customers": [code for _cid, code, _n in gone[:1000]],
                             "kept_owing": [d.code for d in report.owing],
                             "kept_owed_by_shop": [d.code
                                                   for d in report.owed_by_shop]})  # fmt: skip
    return report
