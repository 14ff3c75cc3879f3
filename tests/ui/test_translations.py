"""The Vietnamese catalogue is complete, compiled, and covers every column and enum label."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QTranslator

from primedist.paths import TRANSLATIONS
from primedist.queries.customers import CUSTOMERS_SPEC
from primedist.queries.orders import ORDERS_SPEC
from primedist.queries.products import PRODUCTS_SPEC
from primedist.queries.sku_groups import GROUPS_SPEC
from primedist.ui.customers import list_page as customers_ui
from primedist.ui.labels import ENUM_LABELS
from primedist.ui.products import groups as groups_ui
from primedist.ui.products import list_page as products_ui

ROOT = Path(__file__).resolve().parents[2]
VI_TS = TRANSLATIONS / "primedist_vi.ts"
VI_QM = TRANSLATIONS / "primedist_vi.qm"


@dataclass(frozen=True)
class Entry:
    context: str
    source: str
    translations: tuple[str, ...]  # one, or one per numerus form
    finished: bool


def load_catalogue(path: Path = VI_TS) -> dict[tuple[str, str], Entry]:
    """(context, source) → entry, read from a Qt Linguist .ts file."""
    out: dict[tuple[str, str], Entry] = {}
    for ctx in ET.parse(path).getroot().iter("context"):
        name = ctx.findtext("name", "")
        for msg in ctx.iter("message"):
            source = msg.findtext("source", "")
            tr = msg.find("translation")
            assert tr is not None, f"{name}/{source!r} has no <translation>"
            forms = [f.text or "" for f in tr.iter("numerusform")]
            texts = tuple(forms) if msg.get("numerus") == "yes" else (tr.text or "",)
            finished = tr.get("type") not in ("unfinished", "vanished", "obsolete")
            out[(name, source)] = Entry(name, source, texts, finished)
    return out


def vietnamese(context: str, source: str) -> str:
    """The catalogue's Vietnamese for one string (fails when there is none)."""
    entry = load_catalogue()[(context, source)]
    assert entry.finished and entry.translations[0], f"{context}/{source!r} untranslated"
    return entry.translations[0]


def _update_script() -> ModuleType:
    path = ROOT / "packaging" / "update_translations.py"
    spec = importlib.util.spec_from_file_location("update_translations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require_tools() -> None:
    for tool in ("lupdate", "lrelease"):
        exe = Path(sys.executable).with_name(f"pyside6-{tool}")
        assert exe.is_file(), f"{exe} is missing: install PySide6-Essentials in this venv"


def test_catalogue_has_every_string_of_the_ui(tmp_path: Path) -> None:
    """lupdate over the same sources as packaging/update_translations.py finds nothing new."""
    _require_tools()
    fresh = tmp_path / "fresh_vi.ts"
    _update_script().lupdate(fresh)
    found = load_catalogue(fresh)
    assert len(found) > 50, "lupdate found suspiciously few strings"
    committed = load_catalogue()
    missing = sorted(key for key in found if key not in committed)
    assert not missing, (
        "strings not in primedist_vi.ts (run packaging/update_translations.py and "
        f"translate them): {missing}"
    )
    untranslated = sorted(
        key
        for key in found
        if not committed[key].finished or not all(t.strip() for t in committed[key].translations)
    )
    assert not untranslated, f"unfinished or empty translations: {untranslated}"
    stale = sorted(key for key in committed if key not in found)
    assert not stale, f"strings no longer in the code (re-run the update script): {stale}"


def test_compiled_catalogue_is_up_to_date(tmp_path: Path) -> None:
    """The committed .qm is what lrelease makes of the committed .ts files today."""
    _require_tools()
    qm = tmp_path / "primedist_vi.qm"
    _update_script().lrelease("vi", qm)
    assert qm.read_bytes() == VI_QM.read_bytes(), (
        "resources/translations/primedist_vi.qm is stale: run packaging/update_translations.py"
    )


@pytest.fixture(scope="module")
def translator(qapp) -> QTranslator:
    t = QTranslator()
    assert t.load(str(VI_QM)), "primedist_vi.qm does not load"
    return t


#: List specs and the keys of their columns a view loads but never shows as headers.
SPECS_AND_HIDDEN = [
    (ORDERS_SPEC, ()),
    (CUSTOMERS_SPEC, customers_ui.HIDDEN_COLUMNS),
    (PRODUCTS_SPEC, products_ui.HIDDEN_COLUMNS),
    (GROUPS_SPEC, groups_ui.HIDDEN_COLUMNS),
]


@pytest.mark.parametrize(
    ("spec", "hidden"), SPECS_AND_HIDDEN, ids=[spec.name for spec, _ in SPECS_AND_HIDDEN]
)
def test_every_column_label_is_translated(translator: QTranslator, spec, hidden) -> None:
    catalogue = load_catalogue()
    for col in spec.columns:
        if col.key in hidden:
            continue
        entry = catalogue.get(("columns", col.label))
        assert entry is not None and entry.finished, f"column {col.label!r} not in the catalogue"
        assert translator.translate("columns", col.label) == entry.translations[0] != ""


@pytest.mark.parametrize(
    ("labels", "spec"),
    [
        (products_ui.COLUMN_LABELS, PRODUCTS_SPEC),
        (groups_ui.COLUMN_LABELS, GROUPS_SPEC),
        (customers_ui.COLUMN_LABELS, CUSTOMERS_SPEC),
    ],
    ids=["products", "sku_groups", "customers"],
)
def test_marked_column_labels_belong_to_the_spec(labels, spec) -> None:
    """The labels a view marks for lupdate are labels of its spec (a renamed column shows)."""
    assert set(labels) <= {col.label for col in spec.columns}


def test_every_enum_label_is_translated(translator: QTranslator) -> None:
    catalogue = load_catalogue()
    for value, label in ENUM_LABELS.items():
        entry = catalogue.get(("enum", label))
        assert entry is not None and entry.finished, f"enum {value!r} label {label!r} missing"
        assert translator.translate("enum", label) == entry.translations[0] != ""


def test_qt_standard_buttons_are_translated(translator: QTranslator) -> None:
    """qt_extra_vi.ts is compiled in: message boxes show Vietnamese buttons."""
    assert translator.translate("QPlatformTheme", "Close") == "Đóng"
    assert translator.translate("QPlatformTheme", "OK") == "Đồng ý"
