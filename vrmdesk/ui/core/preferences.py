"""Settings of this device, kept in QSettings at the platform's config location (never vault
content): the idle lock, how far reminders look ahead, the calendar file, mail fetching, and where
and how often backups are made. What belongs to the vault wherever it is opened (my name as
sender, the default currency, my own addresses) is kept inside it (store/services/settings.py);
"remember on this device" is the OS keyring's."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

if TYPE_CHECKING:
    from vrmdesk.store.services.dashboard import Lead


@dataclass
class Preferences:
    auto_lock_minutes: int = 10
    warranty_lead_days: int = 60
    notice_lead_days: int = 30
    service_lead_days: int = 14
    #: a ticket's follow-up shows this many days before its day (0: on the day)
    follow_up_lead_days: int = 0
    waiting_days: int = 14
    reminders_enabled: bool = True
    last_vault: str = ""
    #: an .ics file kept up to date after every change ("" for none)
    calendar_path: str = ""
    #: what its events say: "titles" only, or "full" (with vendor names and notes)
    calendar_detail: str = "titles"
    #: mail capture: an attachment larger than this many MB is left out (with a note)
    mail_attachment_cap_mb: int = 50
    #: fetch mail every this many minutes while the vault is unlocked (0: only on demand)
    mail_fetch_minutes: int = 0
    #: automatic backups while the vault is unlocked: "off", "daily" or "weekly"
    backup_schedule: str = "off"
    #: where they go: "" for beside the vault (its backups folder), else a folder of this device
    backup_folder: str = ""
    #: how many of them are kept in that folder
    backup_keep: int = 10
    #: how dates are shown: "medium" (17 Dec 2026), "system" (the locale's short form), "iso"
    #: (ui/widgets/dates.py)
    date_format: str = "medium"
    #: closing the window keeps the program running, locked, in the tray (where there is one);
    #: off by default: closing the window quits, as it always did (Quit always quits)
    close_to_tray: bool = False

    @property
    def mail_max_file_size(self) -> int:
        """The attachment cap in bytes, as mail capture takes it."""
        return max(1, self.mail_attachment_cap_mb) * 1024 * 1024

    def lead(self) -> Lead:
        from vrmdesk.store.services.dashboard import Lead  # SQLAlchemy: after the unlock

        return Lead(
            warranty_days=self.warranty_lead_days,
            notice_days=self.notice_lead_days,
            service_days=self.service_lead_days,
            waiting_days=self.waiting_days,
            follow_up_days=self.follow_up_lead_days,
        )


def qsettings() -> QSettings:
    # the default format and scope, so tests (and portable setups) can redirect it with setPath
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, "vrmdesk", "vrmdesk")


def load() -> Preferences:
    store = qsettings()
    prefs = Preferences()
    for f in fields(Preferences):
        default = getattr(prefs, f.name)
        value = store.value(f"prefs/{f.name}", default)
        try:
            if isinstance(default, bool):
                value = value if isinstance(value, bool) else str(value).lower() in ("true", "1")
            else:
                value = type(default)(value)
        except (TypeError, ValueError):
            value = default
        setattr(prefs, f.name, value)
    return prefs


def save(prefs: Preferences) -> None:
    store = qsettings()
    for f in fields(Preferences):
        store.setValue(f"prefs/{f.name}", getattr(prefs, f.name))
    store.sync()
