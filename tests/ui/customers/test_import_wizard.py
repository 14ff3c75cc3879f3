"""The customers import wizard driven like a user: file → guessed, changed mapping with the
preview → duplicate policy → run → report saved; a broken file; cancel; on a real
migrated database."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.services.context import ServiceContext
from primedist.services.customer_import import import_customers
from primedist.ui import file_dialogs
from primedist.ui.customers import import_wizard
from primedist.ui.customers.import_wizard import FILE, MAPPING, POLICY, REPORT, ImportWizard
from tests.services.test_customer_import import VI_HEADER, hoa, write_csv
from tests.ui.support import WAIT, assert_db_worker_idle, show_widget

pytestmark = pytest.mark.usefixtures("english")
customers_t = table_of(Customer)


def names(ctx: ServiceContext) -> list[str]:
    with ctx.engine.connect() as conn:
        return sorted(conn.execute(sa.select(customers_t.c.name)).scalars())


def open_wizard(qtbot: Any, ctx: ServiceContext) -> ImportWizard:
    wizard = show_widget(qtbot, ImportWizard(ctx), 900, 640)
    assert wizard.step() == FILE
    assert not wizard.next_button.isEnabled()
    return wizard


def test_guessed_mapping_changed_then_update_policy_and_saved_report(
    qtbot: Any,
    owner_ctx: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_crash: Any,
) -> None:
    import_customers(owner_ctx, write_csv(tmp_path / "old.csv", VI_HEADER, [hoa()]),
                     on_duplicate="skip")  # fmt: skip
    rows = [hoa(**{"Họ tên": "Hoa Mới", "Ghi chú": "Bé Hoa"}),
            hoa(**{"Họ tên": "Lê Mai", "SĐT": "0977000111", "Ghi chú": "Mai"}),
            hoa(**{"Họ tên": "Sai số", "SĐT": "123"})]  # fmt: skip
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    wizard = open_wizard(qtbot, owner_ctx)
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(path)], ""))
    wizard.browse_button.click()
    qtbot.waitUntil(lambda: wizard.step() == MAPPING, timeout=WAIT)
    # Guessed from the Vietnamese headers; the preview shows the first rows.
    assert wizard.mapping()["name"] == "Họ tên"
    assert wizard.mapping()["phone"] == "SĐT"
    assert wizard.combos["code"].currentIndex() == 0  # not imported
    assert wizard.preview_table.rowCount() == 3
    assert wizard.preview_table.item(1, 0).text() == "Lê Mai"
    # Unmapping the name blocks the next step; two fields on one column too.
    wizard.set_mapping("name", None)
    assert not wizard.next_button.isEnabled()
    assert wizard.mapping_error.text() == "Choose the column that holds the customer's name."
    wizard.set_mapping("name", "Ghi chú")
    assert "is chosen for both" in wizard.mapping_error.text()
    wizard.set_mapping("note", None)  # the note column now gives the name
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()
    assert wizard.step() == POLICY
    wizard.policy_buttons[import_wizard.DuplicatePolicy.UPDATE].click()
    wizard.next_button.click()  # "Import"
    qtbot.waitUntil(lambda: wizard.step() == REPORT, timeout=WAIT)
    report = wizard.report
    assert report is not None
    # The stored customer keeps its name (the report says so): nothing else is new.
    assert (report.imported, report.updated, report.unchanged, len(report.rejected)) == (
        1, 0, 1, 1)  # fmt: skip
    assert wizard.summary_label.text() == (
        "3 rows read: 1 new customers, 0 updated, 1 unchanged, 0 skipped, 1 rejected."
    )
    assert wizard.report_table.item(0, 1).text() == "Rejected"  # problems first
    assert wizard.report_table.item(0, 4).text() == "'123' is not a phone number"
    kept = [wizard.report_table.item(r, 4).text() for r in range(3)
            if wizard.report_table.item(r, 1).text() == "Unchanged"]  # fmt: skip
    assert kept == ["matched by phone; name kept: Nguyễn Thị Hoa (the file says Bé Hoa)"]
    assert names(owner_ctx) == ["Mai", "Nguyễn Thị Hoa"]
    target = tmp_path / "report.csv"
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(target)], ""))
    wizard.save_button.click()
    with target.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert [line[1] for line in lines[1:]] == ["Unchanged", "Imported", "Rejected"]
    assert "Report saved to" in wizard.summary_label.text()
    wizard.close_button.click()
    assert not wizard.isVisible()


def test_a_broken_file_is_explained_on_the_first_step(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, shown: Any
) -> None:
    fake = tmp_path / "k.xlsx"
    fake.write_text("Tên,SĐT\nA,0901234567\n")
    wizard = open_wizard(qtbot, owner_ctx)
    wizard.load_file(fake)
    qtbot.waitUntil(lambda: wizard.file_error.isVisible(), timeout=WAIT)
    assert "is not a real Excel file" in wizard.file_error.text()
    assert wizard.step() == FILE and not wizard.next_button.isEnabled()
    assert shown["error"] == []  # said on the page, not in a box


def test_cancel_imports_nothing(
    qtbot: Any,
    owner_ctx: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_crash: Any,
) -> None:
    rows = [hoa(**{"Họ tên": f"K{i}", "SĐT": f"09{i:08d}"}) for i in range(30)]
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    wizard = open_wizard(qtbot, owner_ctx)
    wizard.load_file(path)
    qtbot.waitUntil(lambda: wizard.step() == MAPPING, timeout=WAIT)
    wizard.next_button.click()
    # Cancel as soon as the run starts: the service checks before writing anything.
    real = import_wizard.import_customers

    def slow(*args: Any, **kwargs: Any) -> Any:
        kwargs["progress"].cancel()
        return real(*args, **kwargs)

    monkeypatch.setattr(import_wizard, "import_customers", slow)
    wizard.next_button.click()
    assert not wizard.close_button.isEnabled()
    qtbot.waitUntil(lambda: wizard.step() == POLICY, timeout=WAIT)
    assert wizard.policy_hint.text() == "The import was cancelled: nothing was imported."
    assert names(owner_ctx) == []
    assert_db_worker_idle()


def test_the_report_says_why_in_vietnamese(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
) -> None:  # fmt: skip
    import_customers(owner_ctx, write_csv(tmp_path / "old.csv", VI_HEADER, [hoa()]),
                     on_duplicate="skip")  # fmt: skip
    rows = [hoa(**{"Ghi chú": "khách quen"}), hoa(**{"Họ tên": "Sai số", "SĐT": "123"})]
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    wizard = open_wizard(qtbot, owner_ctx)
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(path)], ""))
    wizard.browse_button.click()
    qtbot.waitUntil(lambda: wizard.step() == MAPPING, timeout=WAIT)
    wizard.next_button.click()
    wizard.policy_buttons[import_wizard.DuplicatePolicy.UPDATE].click()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.step() == REPORT, timeout=WAIT)
    reasons = [wizard.report_table.item(r, 4).text() for r in range(2)]
    assert reasons == ["'123' không phải số điện thoại", "khớp theo số điện thoại"]
    wizard.close_button.click()
