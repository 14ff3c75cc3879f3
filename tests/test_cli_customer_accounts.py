"""`primedist customers debtors|account|pay|cancel-payment`: what customers owe for sales on
account from the command line, in JSON and text, and its one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.core.clock import FixedClock
from primedist.db.store import open_store
from primedist.domain.enums import PaymentMethod
from primedist.services import auth
from primedist.services import customer_account as account
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.cli_support import table_count
from tests.factories import make_customers, make_product


@pytest.fixture
def shop(data_dir: Path) -> Path:
    """Hoa (KH000001) bought 2 × 45,000 đ on account, paying 10,000 at once; Bình
    (KH000002) owes nothing."""
    settings = resolve_settings(data_dir)
    engine = open_store(settings)
    variant = make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 30)])[0]
    hoa, _binh = make_customers(engine, 2, names=["Nguyễn Thị Hoa", "Trần Văn Bình"])
    base = ServiceContext(engine, settings=settings)
    svc.create_order(base.with_actor(auth.owner_actor(base)), OrderDraft(
        lines=(DraftLine(variant, 2),), customer_id=hoa,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=10_000))  # fmt: skip
    engine.dispose()
    return data_dir


def test_paying_off_a_debt(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    listed = cli(*d, "customers", "debtors", "--json")
    assert listed.code == EXIT_OK, listed.err
    assert [(c["code"], c["owed"], c["orders"]) for c in listed.json()["customers"]] == [
        ("KH000001", 80_000, 1)
    ]
    paid = cli(*d, "customers", "pay", "kh000001", "30000", "--method", "bank_transfer",
               "--note", "chuyển khoản")  # fmt: skip
    assert paid.code == EXIT_OK, paid.err
    assert paid.out.strip() == "PT000002: Nguyễn Thị Hoa (KH000001) paid 30,000; owes 50,000 now."
    shown = cli(*d, "customers", "account", "KH000001", "--json").json()
    assert (shown["owed"], shown["sold"], shown["paid"]) == (50_000, 90_000, 40_000)
    assert [(e["kind"], e["amount"], e["method"]) for e in shown["entries"]] == [
        ("payment", -30_000, "bank_transfer"), ("payment", -10_000, "cash"),
        ("sale", 90_000, None)]  # fmt: skip
    cancelled = cli(*d, "customers", "cancel-payment", "PT000002", "--reason", "nhầm")
    assert cancelled.code == EXIT_OK, cancelled.err
    text = cli(*d, "customers", "account", "KH000001").out
    assert text.startswith("KH000001 Nguyễn Thị Hoa: owes 80,000")
    assert "(cancelled: nhầm)" in text
    assert "1 customer owes 80,000 in all." in cli(*d, "customers", "debtors").out
    chat = cli(*d, "customers", "account", "KH000001", "--chat")
    assert chat.code == EXIT_OK, chat.err
    lines = chat.out.strip().splitlines()
    assert lines[0] == "Chào Nguyễn Thị Hoa,"
    # paid 10,000 of it at once: the reminder says what is left of it
    assert lines[2].startswith("• DH") and lines[2].endswith("— 90.000 ₫ (còn nợ 80.000 ₫)")
    assert lines[-4:] == ["Đã trả: 10.000 ₫", "Còn nợ: 80.000 ₫", "", "Cảm ơn quý khách!"]
    english = cli(*d, "customers", "account", "KH000001", "--chat", "--lang", "en").out
    assert "Owed: 80,000 VND" in english and english.startswith("Hello Nguyễn Thị Hoa,")


def test_errors_name_the_cause_and_change_nothing(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    too_much = cli(*d, "customers", "pay", "KH000001", "800000")
    assert too_much.code == EXIT_ERROR
    assert "Nguyễn Thị Hoa owes 80,000 đ: the payment cannot be more" in too_much.err
    nothing = cli(*d, "customers", "pay", "KH000002", "1000")
    assert nothing.code == EXIT_ERROR and "Trần Văn Bình owes nothing" in nothing.err
    unknown = cli(*d, "customers", "pay", "KH009999", "1000")
    assert unknown.code == EXIT_ERROR and "No customer has the code KH009999" in unknown.err
    bad_code = cli(*d, "customers", "cancel-payment", "12", "--reason", "x")
    assert bad_code.code == EXIT_ERROR and "12 is not a payment code (PT000012)" in bad_code.err
    bad_method = cli(*d, "customers", "pay", "KH000001", "1000", "--method", "on_account")
    assert bad_method.code == EXIT_USAGE
    not_a_number = cli(*d, "customers", "pay", "KH000002", "abc")
    assert not_a_number.code == EXIT_USAGE
    assert "argument AMOUNT: 'abc' is not an amount of money" in not_a_number.err
    assert "invalid int value" not in not_a_number.err
    assert table_count(shop, "customer_payments") == 1


def test_an_opening_debt_from_the_command_line(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    run = cli(*d, "customers", "adjust", "KH000002", "300000", "--reason", "Nợ cũ")
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == ("DCK000001: what Trần Văn Bình (KH000002) owes changed by "
                               "+300,000; owes 300,000 now.")  # fmt: skip
    down = cli(*d, "customers", "adjust", "KH000002", "-100000", "--reason", "Bớt", "--json")
    assert down.json() == {"adjustment": "DCK000002", "customer": "KH000002",
                           "amount": -100_000, "owed": 200_000}  # fmt: skip
    chat = cli(*d, "customers", "account", "KH000002", "--chat").out
    assert "Nợ cũ và điều chỉnh: +200.000 ₫" in chat and "Còn nợ: 200.000 ₫" in chat
    no_reason = cli(*d, "customers", "adjust", "KH000002", "5000", "--reason", " ")
    assert no_reason.code == EXIT_ERROR and "Say why the balance changes" in no_reason.err
    assert table_count(shop, "customer_adjustments") == 2


def test_account_times_are_shown_on_the_shop_clock(cli: Any, data_dir: Path) -> None:
    """A sale at 20:51 in Hồ Chí Minh City (13:51 UTC) reads 20:51, in the text as in the
    chat reminder's date; the JSON keeps the UTC instant with its offset."""
    settings = resolve_settings(data_dir)
    engine = open_store(settings)
    variant = make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 30)])[0]
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    late = FixedClock(datetime(2026, 12, 5, 13, 51, tzinfo=UTC))  # 20:51 shop time
    base = ServiceContext(engine, settings=settings, clock=late)
    owner = base.with_actor(auth.owner_actor(base))
    svc.create_order(owner, OrderDraft(lines=(DraftLine(variant, 1),), customer_id=hoa,
                                       payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip
    late.set(datetime(2026, 12, 5, 17, 30, tzinfo=UTC))  # 00:30 on the 6th, shop time
    account.receive_payment(owner, hoa, 5_000)
    engine.dispose()
    d = ("--data-dir", str(data_dir))

    text = cli(*d, "customers", "account", "KH000001").out.splitlines()

    assert text[1].startswith("2026-12-06 00:30  PT000001")
    assert text[2].startswith("2026-12-05 20:51  DH")
    entries = cli(*d, "customers", "account", "KH000001", "--json").json()["entries"]
    assert [e["when"] for e in entries] == ["2026-12-05T17:30:00+00:00",
                                            "2026-12-05T13:51:00+00:00"]  # fmt: skip
    chat = cli(*d, "customers", "account", "KH000001", "--chat", "--lang", "en").out
    assert "— 05/12/2026 —" in chat


def test_end_of_day_text_has_every_figure_of_the_json(cli: Any, shop: Path) -> None:
    """The debts customers paid and the cash paid to suppliers are in the text too, as
    every other figure of `--json` (the till's count included)."""
    d = ("--data-dir", str(shop))
    assert cli(*d, "customers", "pay", "KH000001", "30000").code == EXIT_OK
    assert cli(*d, "suppliers", "add", "Gốm Minh Long").code == EXIT_OK
    assert cli(*d, "suppliers", "pay", "NCC000001", "25000").code == EXIT_OK
    data = cli(*d, "report", "end-of-day", "--json").json()
    assert (data["collected"], data["supplier_cash"]) == (40_000, 25_000)
    run = cli(*d, "report", "end-of-day", "--date", data["day"], "--counted", "20000",
              "--float", "100000", "--note", "đếm tối")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    text = run.out
    assert "Debts collected: 40,000; cash paid to suppliers: 25,000" in text
    assert "  Cash: 0 orders 0, 0 refunds 0, net 0, debts collected 40,000" in text
    assert "  On account: 1 order 90,000, 0 refunds 0, net 90,000, debts collected 0" in text
    assert "Refunds: 0 (0 items, 0 exchanges), 0" in text
    assert "  COC-1 Cốc sứ Bát Tràng: 2 sold, 90,000" in text
    assert "Net: 90,000; cash in drawer: 15,000" in text  # 40,000 collected − 25,000 paid out
    assert ("Till counted: float 100,000, cash sales 0, cash refunds 0, debts collected in "
            "cash 40,000, cash paid to suppliers 25,000; expected 115,000, counted 20,000, "
            "difference -95,000") in text  # fmt: skip
    assert "; note: đếm tối" in text

    def figures(value: Any, key: str = "") -> list[int]:
        if isinstance(value, bool) or key in ("id", "shop_id"):
            return []
        if isinstance(value, int):
            return [value]
        if isinstance(value, dict):
            return [n for k, v in value.items() for n in figures(v, k)]
        if isinstance(value, list):
            return [n for v in value for n in figures(v)]
        return []

    missing = [n for n in figures(data) if f"{n:,}" not in text]
    assert missing == [], missing


def test_end_of_day_text_names_payment_methods_in_words(cli: Any, shop: Path) -> None:
    """`--lang` is the Excel file's and the printout's language: the text stays English,
    each payment method by its label (not the stored key), a count of one in the singular."""
    d = ("--data-dir", str(shop))
    assert cli(*d, "customers", "pay", "KH000001", "30000", "--method", "bank_transfer").code == 0
    day = cli(*d, "report", "end-of-day", "--json").json()["day"]
    for lang in ("vi", "en"):
        run = cli(*d, "report", "end-of-day", "--date", day, "--lang", lang)
        assert run.code == EXIT_OK, run.err
        methods = [line.split(":")[0] for line in run.out.splitlines()
                   if line.startswith("  ") and "debts collected" in line]  # fmt: skip
        assert methods == ["  Cash", "  Bank transfer", "  On account"]
        assert "Sales: 1 order, 2 items, 90,000" in run.out
        assert "  Bank transfer: 0 orders 0, 0 refunds 0, net 0, debts collected 30,000" in run.out
        assert "bank_transfer" not in run.out and "on_account" not in run.out
