"""Word lists for the demo shop: Vietnamese names, streets, wards and a small catalogue.

Weights are rough shares (they only need to look believable); every list is a tuple so
the generator draws from a fixed order (no set/dict-hash order leaks into the data).
"""

from __future__ import annotations

from typing import NamedTuple

#: Surnames with their rough share of the population (per cent).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 31.5), ("Trần", 10.9), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.4),
    ("Huỳnh", 2.1), ("Phan", 4.5), ("Vũ", 2.4), ("Võ", 2.2), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Trương", 1.0),
    ("Đinh", 0.8), ("Mai", 0.6), ("Lâm", 0.5), ("Đoàn", 0.6), ("Trịnh", 0.6), ("Hà", 0.6),
    ("Cao", 0.5), ("Lưu", 0.4), ("Tô", 0.3), ("Thái", 0.3), ("Châu", 0.3), ("Tạ", 0.3),
    ("Quách", 0.2), ("Kiều", 0.2), ("La", 0.2),
)  # fmt: skip

FEMALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Thị", 34), ("Ngọc", 10), ("Thu", 7), ("Thanh", 7), ("Kim", 5), ("Minh", 5),
    ("Phương", 4), ("Hồng", 5), ("Bảo", 4), ("Mỹ", 4), ("Quỳnh", 3), ("Khánh", 3),
    ("Diệu", 2), ("Hoài", 2), ("Tuyết", 2), ("Ánh", 2), ("Thùy", 3), ("Hải", 2),
)  # fmt: skip

MALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Văn", 30), ("Đức", 8), ("Minh", 10), ("Quốc", 7), ("Hữu", 6), ("Thành", 6),
    ("Công", 5), ("Gia", 4), ("Anh", 4), ("Hoàng", 4), ("Tuấn", 3), ("Xuân", 3),
    ("Đình", 4), ("Trọng", 3), ("Thanh", 3), ("Ngọc", 2), ("Nhật", 2), ("Bảo", 2),
)  # fmt: skip

FEMALE_GIVEN: tuple[str, ...] = (
    "Hoa", "Lan", "Hương", "Linh", "Trang", "Ngọc", "Mai", "Thảo", "Hằng", "Nhung", "Vy",
    "Anh", "Hà", "Yến", "Phương", "Huyền", "Thủy", "Nga", "Hạnh", "Uyên", "Trinh", "Giang",
    "Nhi", "Châu", "Oanh", "Diệp", "Loan", "My", "Quyên", "Tâm", "Xuân", "Thư", "Hiền",
    "Dung", "Chi", "Ly", "Hân", "Ngân", "Tuyết", "Vân", "Thơ", "Như", "Trâm", "Duyên",
)  # fmt: skip

MALE_GIVEN: tuple[str, ...] = (
    "Đạt", "Dũng", "Hùng", "Tuấn", "Nam", "Minh", "Hoàng", "Long", "Khoa", "Phúc", "Bảo",
    "Huy", "Thắng", "Sơn", "Đức", "Quang", "Hiếu", "Trung", "Thành", "Kiên", "Cường", "Hải",
    "Phong", "Toàn", "Vinh", "Tài", "Lộc", "Khang", "Nghĩa", "Quân", "Duy", "Tùng", "Hưng",
    "Tâm", "An", "Khánh", "Việt", "Thịnh", "Trí", "Tiến", "Hậu", "Lâm", "Nhân", "Vũ",
)  # fmt: skip

#: Names the demo must contain (search examples in the docs use them).
SPECIAL_FEMALE = ("Nguyễn", "Thị", "Hoa")
SPECIAL_MALE = ("Đặng", "Văn", "Đạt")

STREETS: tuple[str, ...] = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Nguyễn Trãi",
    "Lê Duẩn", "Điện Biên Phủ", "Phan Chu Trinh", "Quang Trung", "Hùng Vương", "Nguyễn Văn Cừ",
    "Võ Thị Sáu", "Cách Mạng Tháng Tám", "Nguyễn Thị Minh Khai", "Bà Triệu", "Lê Văn Sỹ",
    "Hoàng Diệu", "Nguyễn Du", "Trường Chinh", "Phạm Văn Đồng", "Lạc Long Quân", "Âu Cơ",
    "Tôn Đức Thắng", "Nguyễn Văn Linh", "Lê Hồng Phong", "Phan Đình Phùng", "Ngô Quyền",
    "Trần Phú", "Nguyễn Tất Thành", "Hàm Nghi", "Lê Thánh Tông", "Xô Viết Nghệ Tĩnh",
    "Hoàng Văn Thụ", "Pasteur", "Nguyễn Đình Chiểu", "Lê Lai", "Yersinia", "Bạch Đằng",
    "Nguyễn Chí Thanh", "Kim Mã", "Giải Phóng", "Tây Sơn", "Lãnh Binh Thăng", "Hồ Tùng Mậu",
)  # fmt: skip

VILLAGES: tuple[str, ...] = (
    "Thôn Đông", "Thôn Trung", "Thôn Bắc", "Ấp 1", "Ấp 3", "Ấp Tân Lập", "Xóm Mới",
    "Khu phố 2", "Tổ 5, Khu phố 3", "Bản Na Sang", "Thôn An Lạc", "Ấp Phú Hòa",
)  # fmt: skip

WARD_NAMES: tuple[str, ...] = (
    "An Bình", "An Hòa", "An Lạc", "Bình An", "Bình Minh", "Hòa Bình", "Hòa Khánh",
    "Hòa Thuận", "Long Hòa", "Minh Khai", "Phú Hòa", "Phú Lợi", "Phú Mỹ", "Quang Trung",
    "Tân An", "Tân Bình", "Tân Hòa", "Tân Phong", "Tân Thành", "Thanh Bình", "Thống Nhất",
    "Trung Hòa", "Trường Thọ", "Vĩnh Phúc", "Xuân Hòa", "Đông Hòa", "Hưng Lợi", "Nam Thành",
    "Hiệp Phú", "Phước Long", "Cát Lái", "Ngọc Hà", "Kim Liên", "Yên Hòa", "Hạnh Thông",
)  # fmt: skip

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 80),
    ("yahoo.com", 8),
    ("icloud.com", 7),
    ("outlook.com", 5),
)

CUSTOMER_NOTES: tuple[str, ...] = (
    "Khách quen, thích màu pastel.",
    "Hay hỏi size trước khi đặt.",
    "Giao giờ hành chính.",
    "Khách sỉ, lấy số lượng lớn dịp lễ.",
    "Ưu tiên đóng gói kỹ.",
)

BUYER_NOTES: tuple[str, ...] = (
    "Gọi trước khi giao.",
    "Giao giờ hành chính giúp em.",
    "Shop gói quà giúp mình nhé.",
    "Không giao cuối tuần.",
    "Để hàng ở bảo vệ.",
)

CANCEL_REASONS: tuple[str, ...] = (
    "Khách đổi ý",
    "Khách không nhận hàng",
    "Thay đổi địa chỉ giao hàng",
    "Đặt trùng đơn",
    "Hết hàng",
    "Khách muốn đổi sản phẩm khác",
)


class Color(NamedTuple):
    name: str
    code: str


COLORS: tuple[Color, ...] = (
    Color("Đen", "DEN"), Color("Trắng", "TRG"), Color("Be", "BE"), Color("Xám", "XAM"),
    Color("Xanh navy", "NVY"), Color("Xanh rêu", "REU"), Color("Hồng pastel", "HNG"),
    Color("Đỏ đô", "DDO"), Color("Nâu", "NAU"), Color("Vàng kem", "VKM"),
    Color("Tím than", "TIM"), Color("Xanh dương", "XDG"),
)  # fmt: skip

LIP_SHADES: tuple[Color, ...] = (
    Color("01 Đỏ gạch", "01"), Color("02 Hồng đất", "02"), Color("03 Cam cháy", "03"),
    Color("04 Đỏ rượu", "04"), Color("05 Nude", "05"), Color("06 Hồng san hô", "06"),
)  # fmt: skip

#: Option axes: (option name, values as (label, SKU code)).
OPTION_SETS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "size": ("Size", tuple((s, s) for s in ("S", "M", "L", "XL", "XXL"))),
    "shoe": ("Size", tuple((s, s) for s in ("36", "37", "38", "39", "40", "41", "42", "43"))),
    "volume": ("Dung tích", (("30ml", "30"), ("50ml", "50"), ("100ml", "100"),
                             ("200ml", "200"), ("500ml", "500"))),
    "bigsize": ("Kích thước", (("Nhỏ", "S"), ("Vừa", "M"), ("Lớn", "L"))),
    "model": ("Model", (("iPhone 13", "IP13"), ("iPhone 14", "IP14"), ("iPhone 15", "IP15"),
                        ("iPhone 16", "IP16"), ("Samsung A55", "SA55"))),
}  # fmt: skip


class ProductTemplate(NamedTuple):
    category: str
    name: str
    #: "color", "lip" or None for the first axis; a key of OPTION_SETS or None for the second.
    first: str | None
    second: str | None
    #: Price range in thousands of VND.
    low_k: int
    high_k: int
    #: One item packed, in grams (the smallest size or bottle).
    grams: int


CATALOGUE: tuple[ProductTemplate, ...] = (
    ProductTemplate("Thời trang", "Áo thun cotton basic", "color", "size", 89, 199, 200),
    ProductTemplate("Thời trang", "Áo sơ mi linen", "color", "size", 179, 389, 250),
    ProductTemplate("Thời trang", "Quần jean ống suông", "color", "size", 249, 459, 550),
    ProductTemplate("Thời trang", "Váy hoa nhí", "color", "size", 199, 399, 300),
    ProductTemplate("Thời trang", "Áo khoác gió", "color", "size", 229, 499, 450),
    ProductTemplate("Thời trang", "Quần short kaki", "color", "size", 129, 259, 300),
    ProductTemplate("Thời trang", "Áo polo", "color", "size", 159, 329, 250),
    ProductTemplate("Thời trang", "Chân váy xếp ly", "color", "size", 149, 289, 250),
    ProductTemplate("Thời trang", "Đầm suông công sở", "color", "size", 259, 549, 350),
    ProductTemplate("Thời trang", "Áo hoodie nỉ", "color", "size", 219, 429, 600),
    ProductTemplate("Thời trang", "Quần jogger thể thao", "color", "size", 169, 319, 400),
    ProductTemplate("Thời trang", "Set đồ ngủ lụa", "color", "size", 189, 359, 300),
    ProductTemplate("Thời trang", "Áo len cổ lọ", "color", "size", 199, 379, 450),
    ProductTemplate("Giày dép & Túi", "Dép quai ngang", "color", "shoe", 59, 159, 400),
    ProductTemplate("Giày dép & Túi", "Giày sneaker", "color", "shoe", 299, 690, 900),
    ProductTemplate("Giày dép & Túi", "Sandal đế bánh mì", "color", "shoe", 159, 329, 600),
    ProductTemplate("Giày dép & Túi", "Túi tote vải canvas", "color", None, 79, 189, 250),
    ProductTemplate("Giày dép & Túi", "Balo laptop chống nước", "color", None, 259, 590, 900),
    ProductTemplate("Giày dép & Túi", "Ví da mini", "color", None, 99, 259, 150),
    ProductTemplate("Mỹ phẩm", "Son kem lì", "lip", None, 89, 259, 50),
    ProductTemplate("Mỹ phẩm", "Son dưỡng có màu", "lip", None, 59, 179, 40),
    ProductTemplate("Mỹ phẩm", "Kem chống nắng SPF50+", None, "volume", 119, 390, 80),
    ProductTemplate("Mỹ phẩm", "Sữa rửa mặt tạo bọt", None, "volume", 79, 229, 120),
    ProductTemplate("Mỹ phẩm", "Nước tẩy trang micellar", None, "volume", 89, 259, 150),
    ProductTemplate("Mỹ phẩm", "Serum vitamin C", None, "volume", 159, 459, 60),
    ProductTemplate("Mỹ phẩm", "Mặt nạ giấy dưỡng ẩm (hộp 10 miếng)", None, None, 99, 199, 300),
    ProductTemplate("Mỹ phẩm", "Kem dưỡng ẩm ban đêm", None, "volume", 149, 429, 100),
    ProductTemplate("Mỹ phẩm", "Dầu gội thảo dược", None, "volume", 79, 219, 250),
    ProductTemplate("Mỹ phẩm", "Sữa tắm hương nước hoa", None, "volume", 89, 249, 250),
    ProductTemplate("Mỹ phẩm", "Toner hoa hồng", None, "volume", 99, 279, 150),
    ProductTemplate("Mỹ phẩm", "Kẻ mắt nước chống trôi", "lip", None, 69, 189, 30),
    ProductTemplate("Nhà cửa & Đời sống", "Bình giữ nhiệt 500ml", "color", None, 129, 349, 450),
    ProductTemplate(
        "Nhà cửa & Đời sống", "Hộp đựng thực phẩm thủy tinh", None, "bigsize", 59, 199, 500
    ),
    ProductTemplate("Nhà cửa & Đời sống", "Chảo chống dính 26cm", None, None, 189, 459, 1100),
    ProductTemplate("Nhà cửa & Đời sống", "Bộ dao inox 5 món", None, None, 159, 389, 900),
    ProductTemplate("Nhà cửa & Đời sống", "Khăn tắm cotton", "color", "bigsize", 59, 179, 350),
    ProductTemplate("Nhà cửa & Đời sống", "Gối ôm cao su non", "color", None, 149, 359, 1200),
    ProductTemplate("Nhà cửa & Đời sống", "Đèn ngủ cảm ứng", "color", None, 99, 259, 300),
    ProductTemplate("Nhà cửa & Đời sống", "Kệ gia vị 2 tầng", "color", None, 119, 289, 1500),
    ProductTemplate("Nhà cửa & Đời sống", "Cốc sứ in hình", "color", None, 49, 129, 400),
    ProductTemplate("Nhà cửa & Đời sống", "Thảm lau chân", "color", "bigsize", 39, 149, 400),
    ProductTemplate("Phụ kiện", "Cáp sạc nhanh Type-C", "color", None, 49, 149, 80),
    ProductTemplate("Phụ kiện", "Tai nghe bluetooth", "color", None, 199, 690, 200),
    ProductTemplate("Phụ kiện", "Ốp lưng điện thoại", "color", "model", 49, 159, 60),
    ProductTemplate("Phụ kiện", "Giá đỡ điện thoại", "color", None, 39, 129, 150),
)

#: Words that turn one template into several believable product names.
DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "Thời trang": ("nam", "nữ", "unisex", "form rộng", "cao cấp", "phong cách Hàn Quốc",
                   "basic", "mùa hè", "thu đông", "dáng ôm"),
    "Giày dép & Túi": ("nam", "nữ", "unisex", "thời trang", "cao cấp", "đi học", "du lịch",
                       "phong cách Hàn Quốc"),
    "Mỹ phẩm": ("chính hãng", "dịu nhẹ", "cho da dầu", "cho da nhạy cảm", "thuần chay",
                "dưỡng ẩm", "Hàn Quốc", "Nhật Bản"),
    "Nhà cửa & Đời sống": ("cao cấp", "tiện lợi", "phong cách Bắc Âu", "giá rẻ", "chính hãng",
                           "đa năng"),
    "Phụ kiện": ("chính hãng", "giá rẻ", "cao cấp", "siêu bền", "nhiều màu"),
}  # fmt: skip

DESCRIPTIONS: dict[str, str] = {
    "Thời trang": "Chất liệu thoáng mát, đường may chắc chắn, dễ phối đồ.",
    "Giày dép & Túi": "Thiết kế trẻ trung, bền đẹp, phù hợp đi học và đi chơi.",
    "Mỹ phẩm": "Hàng chính hãng, có tem phụ tiếng Việt, hạn sử dụng còn dài.",
    "Nhà cửa & Đời sống": "Vật liệu an toàn, dễ vệ sinh, bảo hành 6 tháng.",
    "Phụ kiện": "Bảo hành 1 đổi 1 trong 30 ngày nếu lỗi do nhà sản xuất.",
}
