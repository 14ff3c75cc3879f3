"""Seller Center order exports written by the tests, with exactly the documented headers
(shared/specs/marketplace-apis.md § 8): every column in its documented place, the values
a test gives, empty cells elsewhere."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

#: Shopee VN `Order.all.*.xlsx`, columns A..BI (61), then the uncaptured tail.
SHOPEE_HEADERS = (
    "Mã đơn hàng", "Mã Kiện Hàng", "Ngày đặt hàng", "Trạng Thái Đơn Hàng", "Sản Phẩm Bán Chạy",
    "Lý do hủy", "Nhận xét từ Người mua", "Mã vận đơn", "Đơn Vị Vận Chuyển",
    "Phương thức giao hàng", "Loại đơn hàng", "Ngày giao hàng dự kiến", "Ngày gửi hàng",
    "Thời gian giao hàng", "Trạng thái Trả hàng/Hoàn tiền", "SKU sản phẩm", "Tên sản phẩm",
    "Cân nặng sản phẩm", "Tổng cân nặng", "SKU phân loại hàng", "Tên phân loại hàng", "Giá gốc",
    "Người bán trợ giá", "Được Shopee trợ giá", "Tổng số tiền được người bán trợ giá",
    "Giá ưu đãi", "Số lượng", "Số lượng sản phẩm được hoàn trả",
    "Tổng số tiền Người mua thanh toán", "Tổng giá trị đơn hàng (VND)", "Mã giảm giá của Shop",
    "Hoàn Xu", "Mã giảm giá của Shopee", "Chỉ tiêu Combo Khuyến Mãi", "Giảm giá từ combo Shopee",
    "Giảm giá từ Combo của Shop", "Shopee Xu được hoàn", "Số tiền giảm thanh toán bằng thẻ",
    "Trade-in Discount", "Trade-in Bonus", "Phí vận chuyển (dự kiến)", "Trade-in Bonus by Seller",
    "Phí vận chuyển mà người mua trả", "Phí vận chuyển tài trợ bởi Shopee",
    "Phí vận chuyển trả hàng", "Tổng số tiền người mua thanh toán",
    "Thời gian hoàn thành đơn hàng", "Thời gian đơn hàng được thanh toán",
    "Phương thức thanh toán", "Phí cố định", "Phí Dịch Vụ", "Phí thanh toán", "Tiền ký quỹ",
    "Người Mua", "Tên Người nhận", "Số điện thoại", "Tỉnh/Thành phố", "TP / Quận / Huyện", "Quận",
    "Địa chỉ nhận hàng", "Quốc gia", "Ghi chú",
)  # fmt: skip

LAZADA_HEADERS = (
    "orderItemId", "orderType", "Guarantee", "deliveryType", "lazadaId", "sellerSku", "lazadaSku",
    "wareHouse", "createTime", "updateTime", "rtsSla", "ttsSla", "orderNumber", "invoiceRequired",
    "invoiceNumber", "deliveredDate", "customerName", "customerEmail",
    "nationalRegistrationNumber", "shippingName", "shippingAddress", "shippingAddress2",
    "shippingAddress3", "shippingAddress4", "shippingAddress5", "shippingPhone", "shippingPhone2",
    "shippingCity", "shippingPostCode", "shippingCountry", "shippingRegion", "billingName",
    "billingAddr", "billingAddr2", "billingAddr3", "billingAddr4", "billingAddr5", "billingPhone",
    "billingPhone2", "billingCity", "billingPostCode", "billingCountry", "taxCode",
    "branchNumber", "taxInvoiceRequested", "payMethod", "paidPrice", "unitPrice",
    "sellerDiscountTotal", "shippingFee", "walletCredit", "itemName", "variation",
    "cdShippingProvider", "shippingProvider", "shipmentTypeName", "shippingProviderType",
    "cdTrackingCode", "trackingCode", "trackingUrl", "shippingProviderFM", "trackingCodeFM",
    "trackingUrlFM", "promisedShippingTime", "premium", "status",
    "buyerFailedDeliveryReturnInitiator", "buyerFailedDeliveryReason",
    "buyerFailedDeliveryDetail", "buyerFailedDeliveryUserName", "bundleId", "bundleDiscount",
    "refundAmount",
)  # fmt: skip

TIKTOK_HEADERS = (
    "Order ID", "Order Status", "Order Substatus", "Cancelation/Return Type",
    "Normal or Pre-order", "SKU ID", "Seller SKU", "Product Name", "Variation", "Quantity",
    "Sku Quantity of return", "SKU Unit Original Price", "SKU Subtotal Before Discount",
    "SKU Platform Discount", "SKU Seller Discount", "SKU Subtotal After Discount",
    "Shipping Fee After Discount", "Original Shipping Fee", "Shipping Fee Seller Discount",
    "Shipping Fee Platform Discount", "Payment platform discount", "Taxes", "Order Amount",
    "Order Refund Amount", "Created Time", "Paid Time", "RTS Time", "Shipped Time",
    "Delivered Time", "Cancelled Time", "Cancel By", "Cancel Reason", "Fulfillment Type",
    "Warehouse Name", "Tracking ID", "Delivery Option", "Shipping Provider Name",
    "Buyer Message", "Buyer Username", "Recipient", "Phone #", "Country", "Province",
    "District", "Commune", "Detail Address", "Additional address information",
    "Payment Method", "Weight(kg)", "Product Category", "Package ID", "Seller Note",
    "Checked Status", "Checked Marked by",
)  # fmt: skip


def _write(path: Path, sheet: str, headers: Sequence[str], rows: Sequence[dict[str, Any]],
           *, before: Sequence[Sequence[Any]] = (), header_cells: Sequence[str] | None = None,
           after_header: Sequence[Sequence[Any]] = ()) -> Path:  # fmt: skip
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, f"not a documented header: {unknown}"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for cells in before:
        ws.append(list(cells))
    ws.append(list(header_cells or headers))
    for cells in after_header:
        ws.append(list(cells))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    book.save(path)
    return path


def write_shopee(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Like a real export: "Giá ưu đãi" stored decomposed (NFD), the others NFC."""
    cells = [unicodedata.normalize("NFD", h) if h == "Giá ưu đãi" else h for h in SHOPEE_HEADERS]
    return _write(path, "orders", SHOPEE_HEADERS, rows, header_cells=cells)


def write_lazada(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    return _write(path, "sheet1", LAZADA_HEADERS, rows)


def write_tiktok(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """With the row describing each column under the header, as TikTok writes it."""
    described = [f"{h} of the order" if h != "Order ID" else "Platform unique order ID."
                 for h in TIKTOK_HEADERS]  # fmt: skip
    return _write(path, "OrderSKUList", TIKTOK_HEADERS, rows, after_header=[described])
