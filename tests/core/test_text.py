"""Tests for primedist.core.text."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primedist.core.text import (
    WordFolder,
    clean_line,
    clean_text,
    fold,
    fts_match_query,
    like_escape,
    search_tokens,
)

# Every letter of the Vietnamese alphabet with every tone mark, both cases.
_VI_BASE = "aăâeêioôơuưy"
_VI_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
VI_LETTERS = sorted(
    {
        unicodedata.normalize("NFC", case(base) + tone)
        for base in _VI_BASE
        for tone in _VI_TONES
        for case in (str.lower, str.upper)
    }
    | set("bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX")
)
vietnamese_text = st.text(alphabet=st.sampled_from([*VI_LETTERS, " ", "\t", "0", "9"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Thị Hoa", "nguyen thi hoa"),
        ("Đặng Văn Đạt", "dang van dat"),
        ("DƯƠNG", "duong"),
        ("  Hồ   Chí\tMinh\n", "ho chi minh"),
        ("Trường THPT Lê Quý Đôn", "truong thpt le quy don"),
        ("Nguye\u0302\u0303n", "nguyen"),  # NFD input, as pasted from macOS
        ("ỲỴỶỸ ỳỵỷỹ", "yyyy yyyy"),
        ("Plain ASCII", "plain ascii"),
        ("", ""),
        ("Straße Ωμέγα 北京", "straße ωμεγα 北京"),  # other scripts: marks dropped only
    ],
)
def test_fold_examples(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_covers_every_vietnamese_letter() -> None:
    for letter in VI_LETTERS:
        folded = fold(letter)
        assert len(folded) == 1 and folded.isascii() and folded.islower(), letter


@given(vietnamese_text)
def test_fold_vietnamese_is_ascii(text: str) -> None:
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.strip()
    assert "  " not in folded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(vietnamese_text)
def test_fold_ignores_normal_form(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_search_tokens() -> None:
    assert search_tokens("Nguyễn Thị-Hoa, 0939.921.717!") == [
        "nguyen",
        "thi",
        "hoa",
        "0939",
        "921",
        "717",
    ]
    assert search_tokens("snake_case") == ["snake", "case"]
    assert search_tokens(" ,.;!? ") == []


@given(st.text())
def test_search_tokens_are_alphanumeric(text: str) -> None:
    for token in search_tokens(text):
        assert token and token.isalnum()


def test_fts_match_query_examples() -> None:
    assert fts_match_query("Nguyễn Thị Hoa") == '"nguyen"* "thi"* "hoa"*'
    assert fts_match_query('say "hi"') == '"say"* "hi"*'
    assert fts_match_query("") is None
    assert fts_match_query('" * - ( ) :') is None


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(name, tokenize = 'unicode61')")
    con.executemany(
        "INSERT INTO t(name) VALUES (?)",
        [(fold(n),) for n in ["Nguyễn Thị Hoa", "Đặng Văn Đạt", "Near Or Drop"]],
    )
    yield con
    con.close()


def _search(con: sqlite3.Connection, query: str) -> list[str]:
    expr = fts_match_query(query)
    if expr is None:
        return []
    rows = con.execute("SELECT name FROM t WHERE t MATCH ? ORDER BY rowid", (expr,))
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "*",
        "NEAR(",
        "-",
        "OR",
        "'); DROP TABLE t;--",
        'a" OR "b',
        "name:hoa",
        "^hoa",
        "AND NOT",
    ],
)
def test_fts_match_query_hostile_input_is_valid(fts: sqlite3.Connection, hostile: str) -> None:
    _search(fts, hostile)  # must not raise sqlite3.OperationalError


def test_fts_match_query_finds_by_folded_prefix(fts: sqlite3.Connection) -> None:
    assert _search(fts, "nguyễn ho") == ["nguyen thi hoa"]
    assert _search(fts, "ĐẠT") == ["dang van dat"]
    assert _search(fts, "near or") == ["near or drop"]  # operators are plain words


@given(st.text(max_size=30))
def test_fts_match_query_always_valid(fts: sqlite3.Connection, text: str) -> None:
    _search(fts, text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("50%", "50\\%"), ("a_b", "a\\_b"), ("c:\\x", "c:\\\\x"), ("plain", "plain")],
)
def test_like_escape(raw: str, expected: str) -> None:
    assert like_escape(raw) == expected


@given(st.text(alphabet=st.sampled_from("ab%_\\"), max_size=12))
def test_like_escape_matches_literally(raw: str) -> None:
    con = sqlite3.connect(":memory:")
    pattern = like_escape(raw)
    hit = con.execute("SELECT ? LIKE ? ESCAPE '\\'", (raw, pattern)).fetchone()[0]
    other = con.execute("SELECT ? LIKE ? ESCAPE '\\'", (raw + "x", pattern)).fetchone()[0]
    con.close()
    assert hit == 1
    assert other == 0


_FOLDABLE = st.text(
    alphabet=st.sampled_from(
        list("aăâđeêoôơuưyAĐÔ ̣̀́̉̃ ") + ["\t", "\u00a0", "\u2003", "Ж", "ß", "İ", "ǅ", "😀", "1"]
    ),
    max_size=30,
)


@given(_FOLDABLE, _FOLDABLE)
def test_the_word_folder_folds_as_fold_does(first: str, second: str) -> None:
    folder = WordFolder()
    for text in (first, second, first, unicodedata.normalize("NFD", second)):
        assert folder(text) == fold(text)  # remembered words too


# --------------------------------------------------------------------------- cleaning

FAMILY = "👩\u200d👩\u200d👧"  # one emoji: three people joined by ZWJ
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Thị Hồng Nhung", "Nguyễn Thị Hồng Nhung"),
        ("ĐẶNG văn đạt 😀", "ĐẶNG văn đạt 😀"),
        ("Nguye\u0302\u0303n", "Nguye\u0302\u0303n"),  # NFD kept as typed
        (f"Gia đình {FAMILY}", f"Gia đình {FAMILY}"),
        (f"Shop {SCOTLAND}", f"Shop {SCOTLAND}"),
        ("  Hồ   Chí\tMinh\r\n", "Hồ Chí Minh"),
        ("An\x00na\x07", "Anna"),
        ("\x1b[31mĐỏ\x1b[0m Tươi", "Đỏ Tươi"),  # a terminal colour sequence goes whole
        ("\x9b1mBold", "Bold"),  # the 8-bit CSI too
        ("\x1b@\x1bd\x05Hoa", "@dHoa"),  # an ESC/POS command loses its ESC and the bytes <32
        ("abc\u202egnp.exe", "abcgnp.exe"),  # right-to-left override
        ("\u2066Lan\u2069 \u202aMai\u202c \u200eHa\u200f", "Lan Mai Ha"),  # isolates, marks
        ("Zero\u200bwidth\u2060joined\ufeff", "Zerowidthjoined"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\u200dHoa\u200c \u200c", "Hoa"),  # joiners at a word's edges go
        ("a\u00a0b\u3000c\u2028d\x85e", "a b c d e"),  # every space and line break: one space
        ("tag\U000e0061\U000e0062s", "tags"),  # tag characters outside a flag
        ("\ud800lone", "lone"),  # a lone surrogate (cannot be stored as UTF-8)
        ("\ue000private", "\ue000private"),  # private use is visible in some font
        ("\x00\x07\x1b[0m\u202e\u200b\t\r\n", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_line_examples(raw: str | None, expected: str) -> None:
    assert clean_line(raw) == expected


def test_clean_text_keeps_line_breaks() -> None:
    raw = "  Gọi trước\t khi giao  \r\nTầng 3\x1b[1m, phòng 2\x00\u202e\r\r\n\u2028Cảm ơn\x0c "
    assert clean_text(raw) == "Gọi trước  khi giao\nTầng 3, phòng 2\n\n\nCảm ơn"
    assert clean_text("Một dòng") == "Một dòng"
    assert clean_text("\x1b\x00 \n\t") == ""
    assert clean_text(None) == ""


def _shown(text: str) -> bool:
    """No control, format (but the joiners and a flag's tags) or surrogate character."""
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Zl", "Zp"):
            return False
        if cat == "Cf" and ch not in "\u200c\u200d" and not 0xE0020 <= ord(ch) <= 0xE007F:
            return False
    return True


@given(st.text())
def test_clean_line_leaves_one_visible_line(text: str) -> None:
    line = clean_line(text)
    assert _shown(line)
    assert line == line.strip() and "  " not in line
    assert all(not ch.isspace() or ch == " " for ch in line)
    assert clean_line(line) == line
    assert clean_text(line) == line


@given(st.text())
def test_clean_text_keeps_lines_and_drops_the_rest(text: str) -> None:
    cleaned = clean_text(text)
    assert all(_shown(line) for line in cleaned.split("\n"))
    assert cleaned == cleaned.strip()
    assert all(line == line.rstrip() for line in cleaned.split("\n"))
    assert clean_text(cleaned) == cleaned
    assert clean_line(cleaned) == clean_line(text)


@given(vietnamese_text)
def test_clean_line_keeps_vietnamese(text: str) -> None:
    assert clean_line(text) == " ".join(text.split())
    assert clean_line(unicodedata.normalize("NFD", text)) == " ".join(
        unicodedata.normalize("NFD", text).split()
    )
