from primedist.core.search_keys import phone_terms, product_search_text, search_text
from primedist.core.text import search_tokens


def test_search_text_folds_words_and_adds_phone_forms() -> None:
    text = search_text("Đặng Văn Đạt", "KH000123", None, phones=["+84 939 921 717", None])
    assert text == "dang van dat kh000123 0939921717 84939921717"
    # Every token of a folded query is a word (prefix) of the indexed text.
    for query in ("dang van", "ĐẠT", "0939921", "849399"):
        assert all(any(w.startswith(t) for w in text.split()) for t in search_tokens(query))


def test_masked_and_garbage_phones_add_nothing() -> None:
    assert phone_terms("84*****89") == []
    assert phone_terms("abc") == []
    assert search_text("Lê Thị Hồng", phones=["84*****89"]) == "le thi hong"


def test_a_products_text_has_its_variants_codes_and_option_values_each_once() -> None:
    variants = [("ASM-XR-S", "8930000000011", "Xanh rêu", "S"), ("ASM-XR-M", None, "Xanh rêu", "M"),
                ("ASM-TR-M", "", "Trắng", "M")]  # fmt: skip
    assert product_search_text("Áo sơ mi  linen nữ", variants) == (
        "ao so mi linen nu asm-xr-s 8930000000011 xanh reu s asm-xr-m m asm-tr-m trang"
    )
    # The same words as `search_text` of them all.
    words = [w for v in variants for w in v if w]
    assert set(product_search_text("Áo", variants).split()) == set(
        search_text("Áo", *words).split()
    )
    assert product_search_text("Cốc sứ", []) == "coc su"
