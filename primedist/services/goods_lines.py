"""The lines of goods a receipt or a purchase order holds, checked alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from primedist.core.messages import msg
from primedist.domain.goods_receipt import MAX_RECEIPT_LINES, MAX_RECEIPT_QUANTITY, MAX_UNIT_COST
from primedist.errors import ValidationError


class GoodsLine(Protocol):
    """A line of goods to receive or to order."""

    @property
    def variant_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_cost(self) -> int | None: ...


def check_lines(lines: Sequence[GoodsLine], empty: str, too_many: str,
                twice: Callable[[int], str]) -> None:  # fmt: skip
    """Refuse no lines (`empty`), more than a receipt takes (`too_many`), a variant twice
    (`twice(line number)`), a quantity or unit cost out of bounds (naming the line)."""
    if not lines:
        raise ValidationError(empty, field="lines")
    if len(lines) > MAX_RECEIPT_LINES:
        raise ValidationError(too_many, field="lines")
    seen: set[int] = set()
    for n, line in enumerate(lines, 1):
        if line.variant_id in seen:
            raise ValidationError(twice(n), field="lines")
        seen.add(line.variant_id)
        if not 0 < line.quantity <= MAX_RECEIPT_QUANTITY:
            raise ValidationError(msg("Line {line}: the quantity must be 1 to {max}.",
                                      line=str(n), max=MAX_RECEIPT_QUANTITY),
                                  field="quantity")  # fmt: skip
        if line.unit_cost is not None and not 0 <= line.unit_cost <= MAX_UNIT_COST:
            raise ValidationError(msg("Line {line}: the unit cost must be 0 to {max}.",
                                      line=str(n), max=MAX_UNIT_COST),
                                  field="unit_cost")  # fmt: skip
