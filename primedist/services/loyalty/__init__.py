"""Loyalty (issue 8): customer ranks, customer levels and level prices, points, vouchers.

- `settings`: the rank conditions and the points rules (app settings, audited).
- `ranks`: the set-based rank recompute (and level auto-upgrade), its dry run, pinning,
  rank history.
- `levels`: customer levels and their prices per SKU.
- `points`: the points ledger, kept in step with orders by `reconcile_order_points`
  (called from `services.order_effects.orders_changed`), and manual adjustments.
- `vouchers`: vouchers, their uses and what they gave.

The sale itself asks `services.pricing` for level prices, voucher and points discounts.
"""
