"""Settings, in tabs: Security (idle lock, passphrase, recovery key, remember on this device),
Backups (where, how often, how many), Defaults (my name as sender, the default currency),
Reminders (how far ahead each kind looks, the tray, starting at login and keeping running in the
tray, the calendar file) and Mail.

Each tab says where its settings are kept: on this device (Preferences, QSettings) or in the
vault (store/services/settings.py), the same wherever it is opened. OK checks everything first:
a refused value is told under its field, its tab comes to the front, and nothing is saved.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vrmdesk import desktop
from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.form_rows import ErrorLabel
from vrmdesk.ui.interchange.exports import DETAILS, PathRow, documents
from vrmdesk.ui.mail.settings_box import MailSettingsBox
from vrmdesk.ui.vault.settings_tabs import (
    BackupsTab,
    SecurityTab,
    add_field,
    compact_form,
    where_note,
)
from vrmdesk.ui.widgets.date_format_box import DateFormatBox


def _spin(value: int, maximum: int, suffix: str, special: str | None = None) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setValue(value)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


class CalendarBox(QGroupBox):
    """ "Keep a calendar file up to date": where, and how much each event says."""

    def __init__(self, prefs: Preferences) -> None:
        super().__init__("Calendar file")
        self.keep = QCheckBox("&Keep a calendar file (.ics) up to date")
        self.keep.setChecked(bool(prefs.calendar_path))
        default = prefs.calendar_path or str(documents() / "vrmdesk-deadlines.ics")
        self.target = PathRow(
            "The calendar file", "Calendars (*.ics)", Path(default), "the calendar"
        )
        self.target.edit.setAccessibleName("Calendar file")
        self.details = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        hint = QLabel(
            "Rewritten after every change, when the vault is unlocked and every midnight, so a "
            "calendar that subscribes to the file has the deadlines, with reminders at the times "
            "above. It is not encrypted: it holds what is chosen here and nothing else."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keep)
        layout.addWidget(self.target)
        for key, label in DETAILS:
            button = QRadioButton(label)
            button.setChecked(key == (prefs.calendar_detail or "titles"))
            self.details.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
        layout.addWidget(hint)
        self.keep.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        on = self.keep.isChecked()
        for widget in (self.target, *self.buttons.values()):
            widget.setEnabled(on)
        self.target.problem_label.setVisible(True)  # its room stays either way
        self.target.problem_label.setText(self.target.problem() if on else "")

    def problem(self) -> str:
        return self.target.problem() if self.keep.isChecked() else ""

    def apply(self, prefs: Preferences) -> None:
        prefs.calendar_path = str(self.target.path()) if self.keep.isChecked() else ""
        prefs.calendar_detail = "full" if self.buttons["full"].isChecked() else "titles"


class DefaultsTab(QWidget):
    """My name as sender of share bundles and the currency new amounts start in: the vault's."""

    def __init__(self, controller: VaultController | None) -> None:
        super().__init__()
        from vrmdesk.ui.editors.specs import CURRENCIES

        self.controller = controller
        self.unlocked = controller is not None and controller.is_open
        self.known = {"sender_name": "", "default_currency": "EUR"}
        if self.unlocked:
            from vrmdesk.store.services import settings as vault_settings

            assert controller is not None
            with controller.session() as session:
                self.known = vault_settings.vault_settings(session)
        self.sender_name = QLineEdit(self.known["sender_name"])
        self.sender_name.setAccessibleName("My name as sender")
        self.sender_name.setPlaceholderText("as a vendor should see it, for example Jo Park")
        self.sender_name.setMaxLength(200)
        self.sender_error = ErrorLabel()
        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency.addItems(CURRENCIES)
        self.currency.setEditText(self.known["default_currency"] if self.unlocked else "")
        edit = self.currency.lineEdit()
        if edit is not None:
            edit.setValidator(
                QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,3}"), self.currency)
            )
        self.currency.setAccessibleName("Default currency")
        self.currency.setMinimumContentsLength(4)
        self.currency_error = ErrorLabel()
        for widget in (self.sender_name, self.currency):
            widget.setEnabled(self.unlocked)
        self.sender_name.setMinimumWidth(380)
        form = QFormLayout()
        add_field(
            form,
            "My &name as sender:",
            self.sender_name,
            "Shown to a vendor on every share bundle I make, signed with it.",
            self.sender_error,
        )
        add_field(
            form,
            "Default &currency:",
            self.currency,
            "New prices and costs start in it (a spreadsheet's too, when it names none).",
            self.currency_error,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(
            where_note(
                "Kept in the vault: the same on every device that opens it. My own e-mail "
                "addresses are under Mail."
                if self.unlocked
                else "Kept in the vault: unlock it to see or change these."
            )
        )
        layout.addLayout(form)
        layout.addStretch(1)
        self.sender_name.textChanged.connect(lambda: self.sender_error.set_text(""))
        self.currency.currentTextChanged.connect(lambda: self.currency_error.set_text(""))

    def check(self) -> bool:
        """Refuse an empty name (once one was given) or a code that is not three letters."""
        if not self.unlocked:
            return True
        from vrmdesk.store.services import settings as vault_settings

        ok = True
        name = self.sender_name.text()
        if name.strip() or self.known["sender_name"]:
            try:
                vault_settings.check_sender_name(name)
            except ValidationError as exc:
                self.sender_error.set_text(str(exc))
                ok = False
        try:
            vault_settings.check_currency(self.currency.currentText())
        except ValidationError as exc:
            self.currency_error.set_text(str(exc))
            ok = False
        return ok

    def apply(self) -> bool:
        if not self.unlocked:
            return True
        from vrmdesk.store.services import settings as vault_settings

        assert self.controller is not None
        name = self.sender_name.text()
        try:
            with self.controller.session() as session:
                vault_settings.save_vault_settings(
                    session,
                    sender_name=name if name.strip() or self.known["sender_name"] else None,
                    default_currency=self.currency.currentText(),
                )
        except VrmError as exc:
            self.sender_error.set_text(str(exc))
            return False
        return True


class RemindersTab(QWidget):
    """How far ahead each kind of reminder looks (Home and the tray use the same), the tray and
    the calendar file: this device's."""

    def __init__(self, prefs: Preferences) -> None:
        super().__init__()
        self.warranty = _spin(prefs.warranty_lead_days, 365, " days")
        self.warranty.setAccessibleName("Warranty reminder lead days")
        self.notice = _spin(prefs.notice_lead_days, 365, " days")
        self.notice.setAccessibleName("Notice deadline reminder lead days")
        self.follow_up = _spin(prefs.follow_up_lead_days, 90, " days before", "on the day")
        self.follow_up.setAccessibleName("Follow-up reminder lead days")
        self.service = _spin(prefs.service_lead_days, 365, " days")
        self.service.setAccessibleName("Service reminder lead days")
        self.waiting = _spin(prefs.waiting_days, 365, " days")
        self.waiting.setAccessibleName("Days waiting on a vendor before it is too long")
        self.reminders = QCheckBox("Show &reminders in the system tray")
        self.reminders.setChecked(prefs.reminders_enabled)
        self.keep_in_tray = QCheckBox(
            "Keep running in the tray, locked, when the window is &closed"
        )
        self.keep_in_tray.setChecked(prefs.close_to_tray)
        self.keep_in_tray.setToolTip("Quit in the File menu or the tray's menu still ends it.")
        self.at_login = QCheckBox("Start at &login in the tray")
        self.at_login.setChecked(desktop.autostart_enabled())
        if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            self.at_login.setToolTip(f"Writes {desktop.autostart_path()}")
        else:  # the XDG entry only: packaging/README.md tells the Windows and macOS ways
            self.at_login.setEnabled(False)
            self.at_login.setToolTip("On Linux desktops only, for now")
        self.login_problem = ErrorLabel()
        self.calendar = CalendarBox(prefs)
        form = compact_form()
        form.addRow("Remind of &warranties ending within:", self.warranty)
        form.addRow("Remind of &notice deadlines within:", self.notice)
        form.addRow("Remind of a ticket's &follow-up:", self.follow_up)
        form.addRow("Remind of service d&ue within:", self.service)
        form.addRow("A ticket waits on the vendor too long after:", self.waiting)
        form.addRow("", self.reminders)
        form.addRow("", self.keep_in_tray)
        form.addRow("", self.at_login)
        layout = QVBoxLayout(self)
        layout.addWidget(where_note("Kept on this device. Home shows what these windows hold."))
        layout.addLayout(form)
        layout.addWidget(self.login_problem)  # the whole width: it names a path
        layout.addWidget(self.calendar)
        layout.addStretch(1)

    def apply(self, prefs: Preferences) -> None:
        prefs.warranty_lead_days = self.warranty.value()
        prefs.notice_lead_days = self.notice.value()
        prefs.follow_up_lead_days = self.follow_up.value()
        prefs.service_lead_days = self.service.value()
        prefs.waiting_days = self.waiting.value()
        prefs.reminders_enabled = self.reminders.isChecked()
        prefs.close_to_tray = self.keep_in_tray.isChecked()
        self.calendar.apply(prefs)

    def apply_at_login(self) -> bool:
        """Write or remove the autostart entry when the box changed; False (told under it) when
        the file could not be written."""
        wanted = self.at_login.isChecked()
        if not self.at_login.isEnabled() or wanted == desktop.autostart_enabled():
            return True
        try:
            desktop.set_autostart(wanted)
        except OSError as exc:
            where = desktop.autostart_path()
            self.login_problem.set_text(
                f"Could not change the login entry {where}: {exc.strerror or exc}"
            )
            top = self.window()  # room for the message, nothing below it squeezed
            top.resize(top.width(), max(top.height(), top.sizeHint().height()))
            return False
        self.login_problem.set_text("")
        return True


class SettingsDialog(QDialog):
    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        controller: VaultController | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.prefs = prefs
        self.controller = controller
        self.security = SecurityTab(prefs, controller)
        self.backups = BackupsTab(prefs, controller)
        self.defaults = DefaultsTab(controller)
        self.reminder_tab = RemindersTab(prefs)
        self.calendar = self.reminder_tab.calendar
        # how dates are shown is this device's: below the vault's defaults, saying so
        defaults_layout = self.defaults.layout()
        assert isinstance(defaults_layout, QVBoxLayout)
        defaults_layout.insertWidget(defaults_layout.count() - 1, DateFormatBox(prefs, self))
        self.mail = MailSettingsBox(prefs, controller)
        self.mail_tab = mail_tab = QWidget()
        mail_layout = QVBoxLayout(mail_tab)
        mail_layout.addWidget(
            where_note("My own addresses are kept in the vault; the rest on this device.")
        )
        mail_layout.addWidget(self.mail)
        mail_layout.addStretch(1)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")
        for widget, title in (
            (self.security, "&Security"),
            (self.backups, "&Backups"),
            (self.defaults, "&Defaults"),
            (self.reminder_tab, "Re&minders"),
            (mail_tab, "Ma&il"),
        ):
            self.tabs.addTab(widget, title)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.button_box)
        self.calendar.keep.toggled.connect(self._update)
        self.calendar.target.edit.textChanged.connect(self._update)
        self._update()
        if controller is not None:
            controller.locked.connect(self.reject)  # nothing of the vault stays on screen
        self.resize(720, min(self.sizeHint().height(), 700))

    def _update(self) -> None:
        self.calendar._update()
        self.ok.setEnabled(not self.calendar.problem())

    def accept(self) -> None:
        """Check every tab, then keep everything; a refusal shows its tab and keeps nothing."""
        refused = self._refused()
        if refused is not None:
            self.tabs.setCurrentWidget(refused)
            return
        p = self.prefs
        self.security.apply(p)
        self.backups.apply(p)
        self.reminder_tab.apply(p)
        super().accept()

    def _refused(self) -> QWidget | None:
        """The tab with a refused value (told under its field), or None once all is kept."""
        if self.calendar.problem():
            return self.reminder_tab
        if not self.backups.check():
            return self.backups
        if not self.defaults.check():
            return self.defaults
        if not self.mail.apply(self.prefs):  # an own address refused: said under it
            return self.mail_tab
        if not self.security.apply_remember():  # the keyring refused
            return self.security
        if not self.defaults.apply():
            return self.defaults
        if not self.reminder_tab.apply_at_login():
            return self.reminder_tab
        return None
