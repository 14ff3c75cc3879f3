"""A file named .xlsx that cannot be read is refused in words the UI translates, naming
the file and what to do, never the reader's English internals; a password-protected
workbook (or an old .xls renamed), an OLE2/CFB container, gets its own message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.messages import Message
from primedist.errors import ValidationError
from primedist.io.seller_center import open_export
from primedist.io.tabular import open_table
from primedist.services.context import ServiceContext
from primedist.services.order_import import import_orders
from primedist.services.seller_center_import import detect_file_format
from tests.io.test_tabular import write_xlsx

NOT_EXCEL = (
    "{file} cannot be read as an Excel file: it is damaged or not a workbook. Open it in "
    "Excel and save it again as .xlsx, or save it as CSV UTF-8"
)
ENCRYPTED = (
    "{file} is password-protected or an old Excel (.xls) file: open it in Excel, remove the "
    "password and save it as .xlsx (or CSV UTF-8)"
)
#: What Excel writes for a workbook with a password (an OLE2 compound file), and an .xls.
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def cfb_file(path: Path) -> Path:
    path.write_bytes(CFB_SIGNATURE + b"\0" * 4_000)
    return path


def zip_not_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "hello")
    return path


def refusal(path: Path) -> Message:
    with pytest.raises(ValidationError) as info:
        open_table(path).close()
    message = info.value.user_message
    assert isinstance(message, Message)  # translated by the UI (context "service")
    return message


def test_a_zip_that_is_not_a_workbook_says_what_to_do_not_the_readers_words(
    tmp_path: Path,
) -> None:
    path = zip_not_workbook(tmp_path / "realzip.xlsx")
    with pytest.raises(ValidationError) as info:
        open_table(path)
    message = info.value.user_message
    assert isinstance(message, Message)
    assert (message.template, message.values) == (NOT_EXCEL, {"file": "realzip.xlsx"})
    assert "_rels" not in message and "not found" not in message.lower()
    assert "_rels/.rels" in (info.value.detail or "")  # kept for the log


def test_a_workbook_cut_short_says_the_same(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [["order_id"], ["A1"]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:2_000])
    message = refusal(cut)
    assert (message.template, message.values) == (NOT_EXCEL, {"file": "cut.xlsx"})


@pytest.mark.parametrize("name", ["pw.xlsx", "macros.xlsm", "Đơn hàng.XLSX"])
def test_a_password_protected_workbook_or_a_renamed_xls(tmp_path: Path, name: str) -> None:
    message = refusal(cfb_file(tmp_path / name))
    assert (message.template, message.values) == (ENCRYPTED, {"file": name})


def test_an_xls_is_still_read_as_an_xls(tmp_path: Path) -> None:
    """The .xls reader is tried (a damaged one is damaged, not password-protected)."""
    message = refusal(cfb_file(tmp_path / "old.xls"))
    assert message.template == NOT_EXCEL


def test_a_seller_center_export_with_a_password(tmp_path: Path) -> None:
    path = cfb_file(tmp_path / "Order.all.20261101_20261130.xlsx")
    for read in (open_export, detect_file_format):
        with pytest.raises(ValidationError) as info:
            read(path)
        assert getattr(info.value.user_message, "template", None) == ENCRYPTED


def test_an_order_import_of_a_password_protected_file_writes_nothing(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    def orders() -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one())

    before = orders()
    with pytest.raises(ValidationError) as info:
        import_orders(owner_ctx, cfb_file(tmp_path / "don-hang.xlsx"))
    assert str(info.value) == (
        "don-hang.xlsx is password-protected or an old Excel (.xls) file: open it in Excel, "
        "remove the password and save it as .xlsx (or CSV UTF-8)"
    )
    assert orders() == before
