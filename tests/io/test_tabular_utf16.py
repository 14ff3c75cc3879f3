"""Text files in UTF-16 with a byte order mark — Excel's "Unicode Text (*.txt)", the save
that keeps Vietnamese in older Excel — are read like UTF-8 ones; text in a legacy code page
(Windows-1258) is still refused with what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.errors import ValidationError
from primedist.io.seller_center import ExportFormat, detect_format, open_export
from primedist.io.tabular import normalize_header, open_table
from tests.cli_support import Run

ROWS = [["Tên khách hàng", "Số điện thoại", "Ghi chú"],
        ["Nguyễn Thị Hoa", "0939921717", "khách quen, hay mua áo"],
        ["Trần Văn Đức", "0912345678", ""]]  # fmt: skip


def unicode_text(path: Path, rows: list[list[str]], *, encoding: str = "utf-16",
                 sep: str = "\t") -> Path:  # fmt: skip
    """`rows` saved as Excel's Unicode Text does (UTF-16 with its BOM, tabs, CR LF)."""
    path.write_text("\r\n".join(sep.join(r) for r in rows) + "\r\n", encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-16", b""), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")]
)
def test_a_utf16_file_with_its_bom_reads_as_text(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "khach.txt"
    text = "\r\n".join("\t".join(r) for r in ROWS) + "\r\n"
    path.write_bytes(bom + text.encode(encoding))
    with open_table(path) as table:
        assert table.header == [normalize_header(h) for h in ROWS[0]]
        assert list(table.rows()) == [(2, ROWS[1]), (3, ROWS[2])]


def test_a_utf16_csv_with_commas_reads_too(tmp_path: Path) -> None:
    path = unicode_text(tmp_path / "khach.csv", [["name", "note"], ["Hoa", '"a, b"']], sep=",")
    with open_table(path) as table:
        assert list(table.rows()) == [(2, ["Hoa", "a, b"])]


def test_a_seller_center_csv_in_utf16_is_recognised(tmp_path: Path) -> None:
    header = ["Order ID", "Order Status", "Created Time", "Recipient"]
    path = unicode_text(tmp_path / "tiktok.csv", [header, ["5764", "Completed", "", "Hoà"]],
                        sep=",")  # fmt: skip
    with open_export(path) as sheet:
        assert detect_format(sheet.header) is ExportFormat.TIKTOK
        assert [cells for _, cells in sheet.rows()] == [["5764", "Completed", "", "Hoà"]]


def test_windows_1258_is_still_refused_saying_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "khach.csv"
    path.write_bytes("name\nĐào Hoa\n".encode("cp1258"))
    with pytest.raises(ValidationError, match="is not UTF-8 text .*CSV UTF-8"):
        open_table(path)


def test_the_cli_imports_customers_from_unicode_text(
    cli: Callable[..., Run], data_dir: Path, tmp_path: Path
) -> None:
    path = unicode_text(tmp_path / "khach.txt", ROWS)
    run = cli("--data-dir", str(data_dir), "import", "customers", str(path),
              "--on-duplicate", "skip", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json()["imported"] == 2
    found = cli("--data-dir", str(data_dir), "export", "customers", str(tmp_path / "out.csv"),
                "--format", "csv", "--search", "Nguyễn Thị Hoa")  # fmt: skip
    assert found.code == EXIT_OK, found.err
    assert "Nguyễn Thị Hoa" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("name\nĐào Hoa\n".encode("cp1258"))
    refused = cli("--data-dir", str(data_dir), "import", "customers", str(legacy),
                  "--on-duplicate", "skip")  # fmt: skip
    assert refused.code == EXIT_ERROR and "not UTF-8 text" in refused.error_line()
