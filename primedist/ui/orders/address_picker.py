"""Province → district → ward, from GHN's master data (cached by services/shipping.py).

Each level is an editable combo: typing searches it folded ("ben nghe" finds "Phường Bến
Nghé", "q1" finds "Quận 1" through GHN's aliases, "hcm" Hồ Chí Minh) and the popup offers
the matches; Enter or Tab takes the first (`PlaceSearch`).
Lists load off the UI thread (the first time they come from GHN). The picker is
preselected from the order's address names when they match a place.

GHN's API addresses a parcel by district id + ward code (the pre-2025 three-level map),
and its documented master data has no 2025 two-level (province → ward) list. A 2025
address (province and ward, no district) is placed by searching the ward's name in every
district of the province; a ward created by the 2025 merges that GHN's lists do not have
yet leaves the district and ward to be picked by hand.

`PlaceNames` is the same address as typed names, for a carrier that takes names (J&T
Express): it needs none of GHN's lists, so no GHN account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from primedist.carriers.base import Place
from primedist.carriers.places import bare_name, place_for_name
from primedist.errors import PrimedistError
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.ui.messages import error_text
from primedist.ui.ops import Op
from primedist.ui.orders.place_search import PlaceSearch

LEVELS = ("province", "district", "ward")
Loader = Callable[[ServiceContext, str, str], list[Place]]


def _default_loader(ctx: ServiceContext, level: str, parent: str) -> list[Place]:
    return svc.address_places(ctx, level, parent)


@dataclass(frozen=True)
class AddressChoice:
    """What the picker has chosen (ids are None until picked)."""

    province_name: str = ""
    district_id: int | None = None
    district_name: str = ""
    ward_code: str | None = None
    ward_name: str = ""

    @property
    def complete(self) -> bool:
        return self.district_id is not None and bool(self.ward_code)


class AddressPicker(QWidget):
    """Three searchable combos; `changed` after any choice, `loaded(level)` after a list came."""

    changed = Signal()
    loaded = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None, *,
                 loader: Loader = _default_loader) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self._loader = loader
        self.places: dict[str, list[Place]] = {level: [] for level in LEVELS}
        self.combos: dict[str, QComboBox] = {}
        self._wanted: dict[str, str] = {}
        self._pending = 0
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.captions: dict[str, QLabel] = {}
        for row, level in enumerate(LEVELS):
            caption = QLabel()
            combo = self._make_combo(level)
            self.captions[level], self.combos[level] = caption, combo
            grid.addWidget(caption, row, 0)
            grid.addWidget(combo, row, 1)
        grid.setColumnStretch(1, 1)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        grid.addWidget(self.message, len(LEVELS), 0, 1, 2)
        self._retranslate()

    # ------------------------------------------------------------------ building

    def _make_combo(self, level: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"{level}Combo")
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setEnabled(False)
        # Folded search ("thu duc", "hcm"); Enter or Tab takes the first place found.
        PlaceSearch(combo, partial(self._found_names, level), partial(self._pick_text, level))
        combo.activated.connect(lambda index, lv=level: self._picked(lv, index))
        return combo

    def _retranslate(self) -> None:
        self.captions["province"].setText(self.tr("Province / city"))
        self.captions["district"].setText(self.tr("District"))
        self.captions["ward"].setText(self.tr("Ward"))
        for combo in self.combos.values():
            line = combo.lineEdit()
            if line is not None:
                line.setPlaceholderText(self.tr("Type to search"))

    # ------------------------------------------------------------------ public

    def load(self, province: str = "", district: str = "", ward: str = "") -> None:
        """Fetch the provinces and preselect the places these names mean."""
        self._wanted = {"province": province, "district": district, "ward": ward}
        self._fetch("province", "")

    def choice(self) -> AddressChoice:
        province, district, ward = (self._current(level) for level in LEVELS)
        return AddressChoice(
            province_name=province.name if province else "",
            district_id=int(district.code) if district else None,
            district_name=district.name if district else "",
            ward_code=ward.code if ward else None,
            ward_name=ward.name if ward else "",
        )

    def search(self, level: str, text: str) -> list[Place]:
        """The places of `level` that `text` finds (folded), best first."""
        return svc.match_places(self.places[level], text)

    def _found_names(self, level: str, text: str) -> list[str]:
        return [p.name for p in self.search(level, text)]

    def choose(self, level: str, code: str) -> None:
        """Select a place by code (then the next level loads)."""
        combo = self.combos[level]
        index = combo.findData(code)
        if index < 0:
            raise KeyError(f"no {level} {code!r} in the list")
        combo.setCurrentIndex(index)
        self._picked(level, index)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    # ------------------------------------------------------------------ loading

    def _fetch(self, level: str, parent: str) -> None:
        self._clear_from(level)
        self._pending += 1
        loader, ctx = self._loader, self.ctx
        Op(self, lambda _job: loader(ctx, level, parent), network=True,
           title=self.tr("Loading addresses")).success(
            lambda places: self._fill(level, parent, places)
        ).failure(self._load_failed).finally_(self._done).run()  # fmt: skip

    def _done(self) -> None:
        self._pending -= 1

    def _load_failed(self, exc: BaseException) -> None:
        text = error_text(exc) if isinstance(exc, PrimedistError) else str(exc)
        self.message.setText(self.tr("The address lists could not be loaded: %1").replace(
            "%1", text))  # fmt: skip
        self.message.show()
        self.failed.emit(text)

    def _fill(self, level: str, parent: str, places: list[Place]) -> None:
        if level != "province" and self._parent_code(level) != parent:
            return  # the user picked another parent meanwhile
        self.message.hide()
        self.places[level] = sorted(places, key=lambda p: _sort_key(p.name))
        combo = self.combos[level]
        combo.blockSignals(True)
        combo.clear()
        for place in self.places[level]:
            combo.addItem(place.name, place.code)
        combo.setCurrentIndex(-1)
        combo.blockSignals(False)
        combo.setEnabled(True)
        wanted = self._wanted.pop(level, "")
        match = place_for_name(self.places[level], wanted) if wanted else None
        self.loaded.emit(level)
        if match is not None:
            self.choose(level, match.code)
        elif level == "district" and not wanted and self._wanted.get("ward"):
            self._find_ward(parent, self._wanted["ward"])  # a 2025 address: no district
        else:
            self._wanted.clear()  # below a miss nothing can match
            self.changed.emit()

    def _find_ward(self, province: str, ward: str) -> None:
        """Find the district of a ward named without one (2025 addresses): the wards of
        every district of the province are searched (fetched once, then cached)."""
        districts = list(self.places["district"])
        loader, ctx = self._loader, self.ctx

        def search(_job: object) -> list[Place]:
            found = []
            for district in districts:
                match = place_for_name(loader(ctx, "ward", district.code), ward)
                if match is not None:
                    found.append(district)
            return found

        self._pending += 1
        Op(self, search, network=True, title=self.tr("Looking for the ward")).success(
            lambda found: self._ward_found(province, found)
        ).failure(self._load_failed).finally_(self._done).run()  # fmt: skip

    def _ward_found(self, province: str, found: list[Place]) -> None:
        current = self._current("province")
        if current is None or current.code != province or self._current("district"):
            return  # the user moved on meanwhile
        if len(found) == 1:
            self.choose("district", found[0].code)  # the ward is preselected when it loads
        else:
            self._wanted.clear()
            self.changed.emit()

    def _parent_code(self, level: str) -> str:
        above = self._current(LEVELS[LEVELS.index(level) - 1])
        return above.code if above else ""

    def _clear_from(self, level: str) -> None:
        for lv in LEVELS[LEVELS.index(level) :]:
            self.places[lv] = []
            combo = self.combos[lv]
            combo.blockSignals(True)
            combo.clear()
            combo.setEnabled(False)
            combo.blockSignals(False)

    # ------------------------------------------------------------------ choosing

    def _current(self, level: str) -> Place | None:
        combo = self.combos[level]
        index = combo.currentIndex()
        places = self.places[level]
        if index < 0 or index >= len(places) or combo.currentText() != places[index].name:
            return None
        return places[index]

    def _pick_text(self, level: str, text: str) -> None:
        index = self.combos[level].findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.combos[level].setCurrentIndex(index)
            self._picked(level, index)

    def _picked(self, level: str, index: int) -> None:
        if not shiboken6.isValid(self) or index < 0:
            return
        place = self.places[level][index]
        nxt = LEVELS.index(level) + 1
        if nxt < len(LEVELS):
            self._fetch(LEVELS[nxt], place.code)
        self.changed.emit()


def _sort_key(name: str) -> tuple[int, str]:
    """Numbered districts/wards in number order ("Quận 2" before "Quận 10")."""
    bare = bare_name(name)
    return (int(bare), "") if bare.isdigit() else (10_000, bare)


class PlaceNames(QWidget):
    """Province, district and ward as names (filled from the order, editable); `changed`
    after any edit. Captioned as the picker is, so the dialog's fields line up."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.captions: dict[str, QLabel] = {}
        self.fields: dict[str, QLineEdit] = {}
        for row, level in enumerate(LEVELS):
            field = QLineEdit()
            field.setObjectName(f"{level}Name")
            field.textChanged.connect(lambda _text: self.changed.emit())
            self.captions[level], self.fields[level] = QLabel(), field
            grid.addWidget(self.captions[level], row, 0)
            grid.addWidget(field, row, 1)
        grid.setColumnStretch(1, 1)
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        grid.addWidget(self.hint, len(LEVELS), 0, 1, 2)
        self._retranslate()

    def _retranslate(self) -> None:
        # The picker's captions: one address, whichever way it is given.
        for level, caption in (("province", "Province / city"), ("district", "District"),
                               ("ward", "Ward")):  # fmt: skip
            self.captions[level].setText(QCoreApplication.translate("AddressPicker", caption))
        self.hint.setText(self.tr("This carrier takes the names as written: no list to pick "
                                  "from (a 2025 address has no district)."))  # fmt: skip

    def set_names(self, province: str, district: str, ward: str) -> None:
        for level, name in zip(LEVELS, (province, district, ward), strict=True):
            self.fields[level].setText(name)

    def names(self) -> tuple[str, str, str]:
        """(province, district, ward), trimmed."""
        province, district, ward = (self.fields[level].text().strip() for level in LEVELS)
        return province, district, ward
