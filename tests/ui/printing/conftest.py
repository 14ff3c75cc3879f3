"""The printing tests' CUPS and sample order, for the UI tests too."""

from tests.printing.conftest import cups, sample_order, shop_ctx  # noqa: F401
