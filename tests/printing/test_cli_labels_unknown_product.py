"""`primedist print labels --product ID` with an id no product has: refused, the id named,
nothing printed — as an unknown SKU is (not one label fewer, silently)."""

from __future__ import annotations

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.errors import NotFound
from primedist.services import labels as svc
from tests.factories import make_product
from tests.printing.test_cli_labels import shop  # noqa: F401
from tests.services.test_labels import product_of


def test_unknown_product_ids_are_named(owner_ctx):
    (cup,) = make_product(owner_ctx.engine, "Cốc sứ", [("COC-1", 45_000, 2)])
    known = product_of(owner_ctx.engine, cup)
    with pytest.raises(NotFound, match=r"^There is no product 99999, 99998\.$"):
        svc.items_for_products(owner_ctx, [known, 99999, 99998, 99999])
    assert [i.sku for i in svc.items_for_products(owner_ctx, [known])] == ["COC-1"]


def test_an_unknown_product_prints_nothing(qapp, cli, shop, tmp_path):  # noqa: F811
    data, product = shop
    out = tmp_path / "labels.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "--product", str(product),
              "--product", "99999", "--pdf", str(out))  # fmt: skip
    assert run.code == EXIT_ERROR
    assert run.error_line() == "primedist: error: There is no product 99999."
    assert not out.exists()
    alone = cli("--data-dir", str(data), "print", "labels", "--product", "99999", "--pdf",
                str(out))  # fmt: skip
    assert alone.error_line() == "primedist: error: There is no product 99999."
    fine = cli("--data-dir", str(data), "print", "labels", "--product", str(product), "--pdf",
               str(out))  # fmt: skip
    assert fine.code == EXIT_OK, fine.err
