"""Customers import/export benchmark: 100,000 customers. Prints medians.

    .venv/bin/python benchmarks/bench_customer_transfer.py [--customers 100000] [--runs 3]
        [--work-dir bench-data/customer-transfer] [--keep]

Generates one believable customer list (Vietnamese names and Vietnamese headers, a phone
each, a second phone on a tenth, email on half, gender, birthday on a third, street +
province on 60 %, tags on a fifth, notes on a tenth) as .csv and as .xlsx (phones as
text; generation is not timed). Then, for each format, `--runs` times, each run in its
own process: a fresh migrated store (a copy of one set-up template), `import_customers`
(policy skip) as the owner timed end to end (read, check, plan, write customers, phones,
addresses, tags, FTS index, commit); then the same file again (every row skipped: its
phone is stored); then `export_customers` of all 100,000 to .xlsx (every default
column). Targets (issue 5): import csv <= 5 s, xlsx <= 8 s; export to xlsx <= 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

from bench_support import (  # noqa: E402  (benchmarks/ is on sys.path)
    import_twice,
    print_summary,
    record,
    record_import_runs,
    run_child,
    template_store,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

HEADER = ["Họ tên", "Số điện thoại", "Email", "Giới tính", "Ngày sinh", "Địa chỉ",
          "Tỉnh/Thành phố", "Thẻ", "Ghi chú"]  # fmt: skip
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")  # fmt: skip
MIDDLES = ("Thị", "Văn", "Ngọc", "Minh", "Thanh", "Hoàng", "Quốc", "Thu", "Đức", "Kim")
GIVEN = ("Hoa", "Lan", "Mai", "Hương", "Nam", "Hùng", "Dũng", "Tuấn", "Linh", "Trang", "Phương",
         "Anh", "Khoa", "Tâm", "Yến", "Thảo", "Long", "Quân", "Vy", "Ngân")  # fmt: skip
PROVINCES = ("TP. Hồ Chí Minh", "Hà Nội", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Khánh Hòa",
             "Lâm Đồng", "Đồng Nai", "An Giang", "Nghệ An")  # fmt: skip
STREETS = ("Lê Lợi", "Nguyễn Huệ", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt",
           "Điện Biên Phủ", "Cách Mạng Tháng 8", "Võ Văn Tần")  # fmt: skip
TAGS = ("Potential", "Often returns", "VIP", "Sỉ", "Khách quen")
PREFIXES = ("090", "091", "093", "094", "097", "098", "032", "033", "070", "077", "081", "085")


def make_rows(n: int, seed: int = 5) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for i in range(n):
        gender = rng.choice(("Nữ", "Nam", "", "Nữ"))
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
        phone = f"{PREFIXES[i % len(PREFIXES)]}{i:07d}"
        if rng.random() < 0.1:
            phone += f"; 0{rng.choice('3579')}{rng.randrange(10**8):08d}"
        email = f"kh{i}@example.vn" if rng.random() < 0.5 else ""
        birthday = (
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1960, 2005)}"
            if rng.random() < 0.33 else ""
        )  # fmt: skip
        if rng.random() < 0.6:
            street = f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
            province = rng.choice(PROVINCES)
        else:
            street = province = ""
        tags = "; ".join(rng.sample(TAGS, rng.randint(1, 2))) if rng.random() < 0.2 else ""
        note = "Giao giờ hành chính" if rng.random() < 0.1 else ""
        rows.append([name, phone, email, gender, birthday, street, province, tags, note])
    return rows


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Khách hàng")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if value != "":
                sheet.write_string(r, c, str(value))
    book.close()


def one_run(template: Path, work: Path, file: Path, run: int) -> int:
    """The `--one` mode: a fresh copy of the template, import, import again, export."""
    from primedist.config import resolve_settings
    from primedist.core.clock import SystemClock
    from primedist.db.store import open_store
    from primedist.services import auth
    from primedist.services.context import ServiceContext
    from primedist.services.customer_export import export_customers
    from primedist.services.customer_import import import_customers

    def import_file(ctx: ServiceContext, path: Path) -> object:
        return import_customers(ctx, path, on_duplicate="skip")

    # import_twice deletes its store afterwards: export from a second fresh copy instead.
    first, again, figures = import_twice(template, work, file, run, import_file)
    # (a random second phone may be another row's: that row is skipped)
    assert first.imported + first.skipped == first.rows_read, first  # type: ignore[attr-defined]
    assert again.skipped == first.rows_read, again  # type: ignore[attr-defined]
    folder = work / f"export-{file.suffix[1:]}-{run}"
    shutil.rmtree(folder, ignore_errors=True)
    settings = resolve_settings(folder)
    settings.ensure_dirs()
    assert settings.db_path is not None
    shutil.copyfile(template, settings.db_path)
    engine = open_store(settings)
    base = ServiceContext(engine, clock=SystemClock(), settings=settings)
    ctx = base.with_actor(auth.owner_actor(base))
    import_customers(ctx, file, on_duplicate="skip")
    t0 = time.perf_counter()
    report = export_customers(ctx, folder / "customers.xlsx")
    figures["export"] = time.perf_counter() - t0
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"    run {run + 1}: {first.rows_read:,} rows, {first.imported:,} customers, "  # type: ignore[attr-defined]
        f"{first.phones_added:,} phones, {first.addresses_added:,} addresses: "  # type: ignore[attr-defined]
        f"{figures['first']:.2f} s (CPU {figures['cpu']:.2f} s); again {figures['again']:.2f} s; "
        f"export {report.rows:,} to xlsx {figures['export']:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(json.dumps(figures))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench-data" / "customer-transfer")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--one", nargs=4, metavar=("TEMPLATE", "WORK", "FILE", "RUN"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.one:
        template, work_dir, file, run = args.one
        return one_run(Path(template), Path(work_dir), Path(file), int(run))
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)

    print(f"== generating {args.customers:,} customers (not timed)", flush=True)
    rows = make_rows(args.customers)
    files = {"csv": work / "customers.csv", "xlsx": work / "customers.xlsx"}
    write_csv(files["csv"], HEADER, rows)
    write_xlsx(files["xlsx"], rows)
    del rows
    for kind, path in files.items():
        print(f"  {kind}: {path.stat().st_size / 1e6:.1f} MB")
    template = template_store(work, (("Prime Cửa hàng", "offline"),))

    targets = {"csv": "target <= 5 s", "xlsx": "target <= 8 s"}
    exports: list[float] = []
    for kind, path in files.items():
        print(f"== import {kind} ({args.runs} runs, fresh store each)", flush=True)
        runs = [
            run_child(__file__, ROOT, str(template), str(work), str(path), str(run))
            for run in range(args.runs)
        ]
        record_import_runs(runs, kind, f"{args.customers:,} customers", targets[kind])
        exports += [r["export"] for r in runs]
    record(f"export {args.customers:,} customers to xlsx", exports, "s", "target <= 20 s")

    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print_summary()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
