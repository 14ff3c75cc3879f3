"""Vietnam's 34 provincial-level units of the 2025 map (code, name, share of buyers)."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from primedist.core.text import fold


class Province(NamedTuple):
    code: str
    name: str
    #: Rough share of online buyers, for believable demo data.
    weight: float


PROVINCES_2025: tuple[Province, ...] = (
    Province("01", "Hà Nội", 14.0),
    Province("04", "Cao Bằng", 0.5),
    Province("08", "Tuyên Quang", 1.2),
    Province("11", "Điện Biên", 0.5),
    Province("12", "Lai Châu", 0.4),
    Province("14", "Sơn La", 0.9),
    Province("15", "Lào Cai", 1.2),
    Province("19", "Thái Nguyên", 1.6),
    Province("20", "Lạng Sơn", 0.7),
    Province("22", "Quảng Ninh", 1.8),
    Province("24", "Bắc Ninh", 2.6),
    Province("25", "Phú Thọ", 2.6),
    Province("31", "Hải Phòng", 3.2),
    Province("33", "Hưng Yên", 2.4),
    Province("37", "Ninh Bình", 2.4),
    Province("38", "Thanh Hóa", 2.8),
    Province("40", "Nghệ An", 2.9),
    Province("42", "Hà Tĩnh", 1.1),
    Province("44", "Quảng Trị", 1.4),
    Province("46", "Huế", 1.2),
    Province("48", "Đà Nẵng", 3.2),
    Province("51", "Quảng Ngãi", 1.6),
    Province("52", "Gia Lai", 2.1),
    Province("56", "Khánh Hòa", 1.9),
    Province("66", "Đắk Lắk", 2.1),
    Province("68", "Lâm Đồng", 2.6),
    Province("75", "Đồng Nai", 3.8),
    Province("79", "TP. Hồ Chí Minh", 18.0),
    Province("80", "Tây Ninh", 2.4),
    Province("82", "Đồng Tháp", 2.2),
    Province("86", "Vĩnh Long", 2.4),
    Province("91", "An Giang", 2.6),
    Province("92", "Cần Thơ", 2.2),
    Province("96", "Cà Mau", 1.3),
)

PROVINCE_BY_CODE = {p.code: p for p in PROVINCES_2025}

#: Other names people type for a province, for search (initials such as "hcm" and "hn"
#: need none): the city's old name, the one-word spelling, the name before 2025.
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "79": ("Sài Gòn", "TPHCM"),
    "46": ("Thừa Thiên Huế",),
}


def province_aliases(name: str) -> tuple[str, ...]:
    """The other names of the province called `name` (written any usual way)."""
    code = province_code(name)
    return PROVINCE_ALIASES.get(code, ()) if code else ()


def _province_codes() -> dict[str, str]:
    """Folded province name (with and without "tp."/"thành phố"/"tỉnh") → code."""
    out: dict[str, str] = {}
    for p in PROVINCES_2025:
        key = fold(p.name)
        out[key] = p.code
        out[_strip_province_prefix(key)] = p.code
    return out


def _strip_province_prefix(key: str) -> str:
    for prefix in ("thanh pho ", "tp. ", "tp.", "tp ", "tinh "):
        if key.startswith(prefix):
            return key[len(prefix) :].strip()
    return key


_PROVINCE_CODES = _province_codes()


@lru_cache(maxsize=4_096)
def province_code(name: str | None) -> str | None:
    """The 2025 province code of a province name written any usual way, or None."""
    if not name:
        return None
    key = fold(name)
    return _PROVINCE_CODES.get(key) or _PROVINCE_CODES.get(_strip_province_prefix(key))
