"""Add a customer by hand (only the name is required) or edit one: several phones, email,
Zalo / Facebook ids, gender, birthday, source, referrer (found by name, phone or customer
code as it is typed; saved by its code), assigned staff member and staff note.

Adding runs `services.customers.add_customer`. When a phone already belongs to another
customer the service raises DuplicatePhone and the dialog asks, in a message box with three
buttons, whether to **skip** (change nothing: the default, so Enter overwrites nothing),
**update the existing customer** or **create anyway**, then adds again with that policy.
The box lists what an update would change (old → new); the stored name is kept unless
"Replace the name" is ticked (the name typed may be a nickname or unaccented), and the
existing customer's source unless one was picked (the pre-set "Added by hand" is for a new
customer). Editing
runs `update_customer` with the customer as the form showed it: one changed meanwhile on
another PC (or in another window) is refused, not overwritten. What the services
refuse is shown in the dialog, which stays open.
"""

from __future__ import annotations

import logging
from datetime import date

import shiboken6
from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, shop_tz, to_local
from primedist.domain.enums import Channel, Gender
from primedist.errors import PrimedistError, ValidationError
from primedist.services import customer_detail as detail_svc
from primedist.services import customers as svc
from primedist.services.context import ServiceContext
from primedist.services.customers import (
    AddResult,
    CustomerDraft,
    CustomerRef,
    DuplicatePhone,
    DuplicatePolicy,
    FieldChange,
    is_masked_name,
)
from primedist.services.sale_lookup import CustomerHit
from primedist.ui.customers.detail import gender_label, source_label
from primedist.ui.errors import show_crash
from primedist.ui.formatting import phone_text
from primedist.ui.i18n import current_language
from primedist.ui.lookup_completer import LookupCompleter, Offer
from primedist.ui.messages import error_text
from primedist.ui.ops import Op

log = logging.getLogger(__name__)

#: The source of a customer added here (`Customer.source`) unless another is picked.
MANUAL_SOURCE = "manual"
#: The sources offered in the list (others can be typed): the app's own, then the
#: marketplaces a synced customer comes from.
SOURCES = ("manual", "walk_in", "referral", "facebook", "zalo", "counter", "import",
           *(c.value for c in Channel if c.is_marketplace))  # fmt: skip
#: The form's fields in the order of its rows (`captions`): a change is named by its row.
FIELDS = ("name", "phones", "email", "zalo_id", "facebook_id", "gender", "birthday", "source",
          "referrer_id", "assigned_user_id", "note")  # fmt: skip
#: A staff note longer than this is cut in the list of changes.
NOTE_SHOWN = 60


def referrer_text(hit: CustomerHit) -> str:
    """A customer offered as the referrer: "Nguyễn Khánh Chi · 0970 603 869 · KH000006"
    (the phone and code tell two of the same name apart)."""
    return " · ".join(p for p in (hit.name, phone_text(hit.phone), hit.code) if p)


class CustomerEditor(QDialog):
    """Add (customer_id None) or edit a customer."""

    #: The customer saved and what happened: "created", "updated" or "skipped".
    saved = Signal(int, str)

    def __init__(
        self, ctx: ServiceContext, customer_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.result_info: AddResult | None = None
        self.duplicate_box: QMessageBox | None = None
        self.duplicate_of: CustomerRef | None = None
        #: The duplicate box's "Replace the name" (None: the name would not change).
        self.replace_name_box: QCheckBox | None = None
        self._busy = False
        self.setObjectName("customerEditor")
        self.setMinimumWidth(520)
        self.phone_edits: list[QLineEdit] = []
        #: The form as loaded (`_typed`): closing asks first once it differs.
        self._loaded: tuple[CustomerDraft, str] | None = None
        #: The customer as stored when the form was filled (editing): saving is refused
        #: once another PC or window has changed it, rather than undoing that change.
        self.seen: CustomerDraft | None = None
        self._build()
        self._retranslate()
        self._load()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        form = QFormLayout()
        self.form = form
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("customerName")
        self.name_edit.setMaxLength(svc.MAX_NAME)
        self.name_edit.textChanged.connect(self._update_save)
        self.phones_box = QVBoxLayout()
        self.phones_box.setSpacing(4)
        self.add_phone_button = QPushButton()
        self.add_phone_button.setObjectName("linkButton")
        self.add_phone_button.setAutoDefault(False)
        self.add_phone_button.clicked.connect(lambda: self.add_phone_field().setFocus())
        phones = QVBoxLayout()
        phones.addLayout(self.phones_box)
        phones.addWidget(self.add_phone_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.email_edit = QLineEdit()
        self.zalo_edit = QLineEdit()
        self.facebook_edit = QLineEdit()
        self.gender_combo = QComboBox()
        for g in Gender:
            self.gender_combo.addItem("", g.value)
        birthday_row = QHBoxLayout()
        self.birthday_known = QCheckBox()
        self.birthday_edit = QDateEdit()
        self.birthday_edit.setCalendarPopup(True)
        self.birthday_edit.setDisplayFormat("dd/MM/yyyy")
        self.birthday_edit.setMinimumDate(QDate(1900, 1, 1))
        # None born after today: the import refuses such a birthday (an export read back).
        today = to_local(self.ctx.clock.now(), shop_tz()).date()
        self.birthday_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.birthday_edit.setDate(QDate(1990, 1, 1))
        self.birthday_edit.setEnabled(False)
        self.birthday_known.toggled.connect(self.birthday_edit.setEnabled)
        birthday_row.addWidget(self.birthday_known)
        birthday_row.addWidget(self.birthday_edit, 1)
        self.source_combo = QComboBox()
        self.source_combo.setEditable(True)
        #: The source was picked or typed (not just the pre-set "Added by hand").
        self.source_chosen = False
        self.source_combo.activated.connect(self._source_picked)
        line = self.source_combo.lineEdit()
        assert line is not None  # editable
        line.textEdited.connect(self._source_picked)
        self.referrer_edit = QLineEdit()
        self.referrer_edit.setObjectName("referrerCode")
        # Few know a customer's code by heart: a name or phone typed offers the customers
        # it finds, and the one picked puts its code in the field (a code typed still works).
        self.referrer_lookup = LookupCompleter(self.referrer_edit, self._referrers)
        self.staff_combo = QComboBox()
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("staffNote")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(70)
        self.captions = [QLabel() for _ in range(11)]
        rows: list[object] = [self.name_edit, phones, self.email_edit, self.zalo_edit,
                              self.facebook_edit, self.gender_combo, birthday_row,
                              self.source_combo, self.referrer_edit, self.staff_combo,
                              self.note_edit]  # fmt: skip
        for caption, field in zip(self.captions, rows, strict=True):
            form.addRow(caption, field)  # type: ignore[call-overload]
        outer.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(lambda: self.save())
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.add_phone_field()

    def add_phone_field(self, text: str = "") -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName("phoneEdit")
        edit.setPlaceholderText(self.tr("e.g. 0912 345 678"))
        # Tab goes Name → each phone → "+ Another phone": a field added now would
        # otherwise come last, after Cancel.
        before = self.phone_edits[-1] if self.phone_edits else self.name_edit
        self.phone_edits.append(edit)
        self.phones_box.addWidget(edit)
        QWidget.setTabOrder(before, edit)
        QWidget.setTabOrder(edit, self.add_phone_button)
        return edit

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        adding = self.customer_id is None
        self.setWindowTitle(self.tr("Add customer") if adding else self.tr("Edit customer"))
        texts = (self.tr("Name *"), self.tr("Phones"), self.tr("Email"), self.tr("Zalo id"),
                 self.tr("Facebook id"), self.tr("Gender"), self.tr("Birthday"),
                 self.tr("Source"), self.tr("Referrer"), self.tr("Assigned staff member"),
                 self.tr("Staff note"))  # fmt: skip
        for caption, text in zip(self.captions, texts, strict=True):
            caption.setText(text)
        self.add_phone_button.setText(self.tr("+ Another phone"))
        self.birthday_known.setText(self.tr("Known"))
        self.referrer_edit.setPlaceholderText(self.tr("Name, phone or customer code"))
        self.note_edit.setPlaceholderText(self.tr("Only staff see it; never printed"))
        for i in range(self.gender_combo.count()):
            self.gender_combo.setItemText(i, gender_label(self.gender_combo.itemData(i)))
        current = self.source_key()
        self.source_combo.clear()
        self.source_combo.addItem("", None)
        for key in SOURCES:
            self.source_combo.addItem(source_label(key), key)
        self.set_source(current)

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        try:
            profile = (
                None
                if self.customer_id is None
                else detail_svc.customer_profile(self.ctx, self.customer_id)
            )
            # The profile's list keeps the user assigned now, even if disabled since.
            staff = detail_svc.list_staff(self.ctx) if profile is None else list(profile.staff)
        except PrimedistError as exc:
            self.show_error(error_text(exc))
            staff, profile = [], None
        self.staff_combo.addItem(self.tr("Nobody"), None)
        for s in staff:
            name = s.name if s.active else self.tr("%1 (disabled)").replace("%1", s.name)
            self.staff_combo.addItem(name, s.id)
        if profile is None:
            self.set_source(MANUAL_SOURCE if self.customer_id is None else None)
            self._update_save()
            self._loaded = self._typed()
            return
        self.name_edit.setText(profile.name)
        for n, phone in enumerate(profile.phones):
            if n == 0:
                self.phone_edits[0].setText(phone)
            else:
                self.add_phone_field(phone)
        self.email_edit.setText(profile.email or "")
        self.zalo_edit.setText(profile.zalo_id or "")
        self.facebook_edit.setText(profile.facebook_id or "")
        self.gender_combo.setCurrentIndex(max(0, self.gender_combo.findData(profile.gender.value)))
        if profile.birthday is not None:
            self.birthday_known.setChecked(True)
            b = QDate(profile.birthday.year, profile.birthday.month, profile.birthday.day)
            if b > self.birthday_edit.maximumDate():  # kept from before the check: shown as
                self.birthday_edit.setMaximumDate(b)  # it is (saving names it), not cut short
            self.birthday_edit.setDate(b)
        self.set_source(profile.source)
        self.referrer_edit.setText(profile.referrer.code if profile.referrer else "")
        index = self.staff_combo.findData(profile.assigned_user_id)
        self.staff_combo.setCurrentIndex(max(0, index))
        self.note_edit.setPlainText(profile.note)
        self.seen = CustomerDraft(
            name=profile.name, phones=list(profile.phones), email=profile.email,
            zalo_id=profile.zalo_id, facebook_id=profile.facebook_id, gender=profile.gender,
            birthday=profile.birthday, source=profile.source,
            referrer_id=profile.referrer.id if profile.referrer else None,
            assigned_user_id=profile.assigned_user_id, note=profile.note or None,
        )  # fmt: skip
        self._update_save()
        self._loaded = self._typed()

    def _referrers(self, text: str) -> list[Offer]:
        """The customers `text` names, as "Name · phone · code" putting their code."""
        hits = detail_svc.search_referrers(self.ctx, text, exclude=self.customer_id)
        return [(referrer_text(h), h.code) for h in hits]

    def source_key(self) -> str | None:
        text = self.source_combo.currentText().strip()
        if not text:
            return None
        index = self.source_combo.findText(text)
        data = self.source_combo.itemData(index) if index >= 0 else None
        return str(data) if data else text

    def _source_picked(self) -> None:
        self.source_chosen = True

    def set_source(self, source: str | None) -> None:
        if not source:
            self.source_combo.setCurrentIndex(0)
            return
        index = self.source_combo.findData(source)
        label = source_label(source)
        if index < 0 and label != source:  # a source the app names, not offered in the list
            self.source_combo.addItem(label, source)
            index = self.source_combo.count() - 1
        if index >= 0:
            self.source_combo.setCurrentIndex(index)
        else:
            self.source_combo.setEditText(source)

    # ------------------------------------------------------------------ saving

    def draft(self) -> CustomerDraft:
        """The customer as typed (the services check and normalise it)."""
        q = self.birthday_edit.date()
        birthday = date(q.year(), q.month(), q.day()) if self.birthday_known.isChecked() else None
        staff = self.staff_combo.currentData()
        return CustomerDraft(
            name=self.name_edit.text(),
            phones=[e.text() for e in self.phone_edits if e.text().strip()],
            email=self.email_edit.text() or None,
            zalo_id=self.zalo_edit.text() or None,
            facebook_id=self.facebook_edit.text() or None,
            gender=Gender(self.gender_combo.currentData()),
            birthday=birthday,
            source=self.source_key(),
            referrer_id=None,
            assigned_user_id=None if staff is None else int(staff),
            note=self.note_edit.toPlainText() or None,
        )

    def _typed(self) -> tuple[CustomerDraft, str]:
        """What the form holds, to tell whether the user changed anything."""
        return self.draft(), self.referrer_edit.text().strip()

    def _update_save(self) -> None:
        self.save_button.setEnabled(not self._busy and bool(self.name_edit.text().strip()))

    def save(
        self, on_duplicate: DuplicatePolicy | None = None, *, replace_name: bool = False
    ) -> None:
        """Save in the background; a phone in use asks skip / update / create (adding);
        `replace_name`: an update replaces the stored name too."""
        if self._busy:
            return
        self.show_error("")
        draft = self.draft()
        if on_duplicate == DuplicatePolicy.UPDATE and not self.source_chosen:
            # The pre-set source says how *this* form adds a customer; the existing
            # customer keeps where it came from (an import, a marketplace...).
            draft.source = None
        referrer_code = self.referrer_edit.text().strip()
        ctx, customer_id, seen = self.ctx, self.customer_id, self.seen
        unknown_referrer = QCoreApplication.translate(
            "customers",
            "No customer has the code %1: type a name, phone or code and pick the "
            "referrer in the list.",
        ).replace("%1", referrer_code)

        def work(_job: object) -> AddResult:
            if referrer_code:
                ref = detail_svc.find_customer_by_code(ctx, referrer_code)
                if ref is None:
                    raise ValidationError(unknown_referrer, field="referrer_id")
                draft.referrer_id = ref.id
            if customer_id is None:
                return svc.add_customer(ctx, draft, on_duplicate=on_duplicate,
                                        replace_name=replace_name)  # fmt: skip
            svc.update_customer(ctx, customer_id, draft, seen=seen)
            return AddResult(customer_id, "updated")

        self._set_busy(True)
        title = self.tr("Saving the customer")
        Op(self, work, engine=ctx.engine, title=title).success(self._saved).failure(
            self._failed
        ).finally_(self._idle).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_save()

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._set_busy(False)

    def _saved(self, result: AddResult) -> None:
        if not shiboken6.isValid(self):
            return
        self.result_info = result
        self.saved.emit(result.customer_id, result.outcome)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(exc, DuplicatePhone) and self.customer_id is None:
            self.ask_duplicate(exc.existing, exc.changes)
        elif isinstance(exc, DuplicatePhone):
            self.show_error(
                self.tr("%1 already belongs to %2 (%3). Remove it here, or merge the two "
                        "customers.")
                .replace("%1", phone_text(exc.existing.phone))
                .replace("%2", exc.existing.name)
                .replace("%3", exc.existing.code),
                "phones",
            )  # fmt: skip
        elif isinstance(exc, ValidationError):
            self.show_error(error_text(exc), exc.field)
        elif isinstance(exc, PrimedistError):
            self.show_error(error_text(exc))
        else:
            log.error("saving a customer failed", exc_info=exc)
            show_crash(self, exc)

    def show_error(self, text: str, field: str | None = None) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        target = {
            "name": self.name_edit,
            "phones": self.phone_edits[0] if self.phone_edits else None,
            "email": self.email_edit,
            "zalo_id": self.zalo_edit,
            "facebook_id": self.facebook_edit,
            "referrer_id": self.referrer_edit,
        }.get(field or "")
        if target is not None:
            target.setFocus()

    # ------------------------------------------------------------------ duplicate phone

    def ask_duplicate(
        self, existing: CustomerRef, changes: tuple[FieldChange, ...] = ()
    ) -> QMessageBox:
        """Skip / Update the existing customer / Create anyway (Cancel keeps editing), with
        what an update would change; Skip is the default (Enter overwrites nothing)."""
        self.duplicate_of = existing
        box = QMessageBox(self)
        box.setObjectName("duplicatePhoneBox")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name is as typed or imported
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Phone already used"))
        box.setText(
            self.tr("%1 already belongs to %2 (%3).")
            .replace("%1", phone_text(existing.phone))
            .replace("%2", existing.name)
            .replace("%3", existing.code)
        )
        if not self.source_chosen:  # the pre-set source is not written by an update
            changes = tuple(c for c in changes if c.field != "source")
        name = next((c for c in changes if c.field == "name"), None)
        if name is not None and not is_masked_name(name.old):  # a masked one is filled
            changes = tuple(c for c in changes if c is not name)
            self.replace_name_box = QCheckBox(
                self.tr("Replace the name: %1 → %2").replace("%1", name.old)
                .replace("%2", name.new)
            )  # fmt: skip
            self.replace_name_box.setObjectName("replaceName")
            box.setCheckBox(self.replace_name_box)
        else:
            self.replace_name_box = None
        if changes:
            changes = tuple(sorted(changes, key=lambda c: FIELDS.index(c.field)))  # as the form
            lines = [self.tr("Updating that customer changes:")]
            lines += [f"• {self._caption(c.field)}: {self._shown(c.field, c.old)} → "
                      f"{self._shown(c.field, c.new)}" for c in changes]  # fmt: skip
        else:
            lines = [self.tr("Updating that customer changes nothing else: what you typed "
                             "is stored already.")]  # fmt: skip
        if self.replace_name_box is not None:
            lines.append(self.tr("The name stays %1 unless you tick below.")
                         .replace("%1", name.old if name else ""))  # fmt: skip
        lines += ["", self.tr("What should be done with this customer?")]
        box.setInformativeText("\n".join(lines))
        self.skip_button = box.addButton(self.tr("Skip"), QMessageBox.ButtonRole.RejectRole)
        self.update_button = box.addButton(
            self.tr("Update the existing customer"), QMessageBox.ButtonRole.AcceptRole
        )
        self.create_button = box.addButton(
            self.tr("Create anyway"), QMessageBox.ButtonRole.AcceptRole
        )
        self.cancel_button = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(self.skip_button)
        box.setEscapeButton(self.cancel_button)
        box.buttonClicked.connect(self._duplicate_answer)
        self.duplicate_box = box
        box.open()
        return box

    def _duplicate_answer(self, button: QAbstractButton) -> None:
        policies: dict[QAbstractButton, DuplicatePolicy] = {
            self.skip_button: DuplicatePolicy.SKIP,
            self.update_button: DuplicatePolicy.UPDATE,
            self.create_button: DuplicatePolicy.CREATE,
        }
        policy = policies.get(button)
        if policy is not None:
            tick = self.replace_name_box
            self.save(policy, replace_name=tick is not None and tick.isChecked())

    def _caption(self, field: str) -> str:
        """A field as the form names it ("Email"), without the required mark."""
        return self.captions[FIELDS.index(field)].text().removesuffix(" *")

    def _shown(self, field: str, value: object) -> str:
        """A value in the list of changes as the form shows it; "—" for none."""
        if value is None or value == "" or value == []:
            return "—"
        if field == "gender":
            return gender_label(Gender(str(value)))
        if field == "birthday" and isinstance(value, date):
            return format_date(value, current_language())
        if field == "source":
            return source_label(str(value))
        if field == "phones" and isinstance(value, list):
            return ", ".join(phone_text(p) for p in value)
        text = " ".join(str(value).split())
        return text if len(text) <= NOTE_SHOWN else text[: NOTE_SHOWN - 1] + "…"

    # ------------------------------------------------------------------ cancel

    def reject(self) -> None:
        """Esc / Cancel: asks first when something was typed (not while saving)."""
        if self._busy:
            return
        if self._typed() != self._loaded:
            if self.customer_id is None:
                text = self.tr("This customer is not saved. Close and lose what you typed?")
            else:
                text = self.tr("Your changes to this customer are not saved. Close and lose them?")
            yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
            if QMessageBox.question(self, self.tr("Close without saving"), text, yes | no,
                                    no) != yes:  # fmt: skip
                return
        super().reject()
