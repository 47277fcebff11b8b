"""The vendor page's "My terms…": MyTerms (IEEE 7012) agreements proffered to one vendor.

The roster (:mod:`vrmshare.roster`) in a picker, the chosen agreement's plain summary as
the preview, the state with this vendor and every proffer before (with its answer), Proffer…
(a save-as for the signed ``terms_proffer`` bundle, written and logged by
:func:`vrmdesk.share.myterms.proffer`) and Withdraw. When the vendor sends more offers than my
contact policy allows, the dialog opens on the agreement proposed with the message drafted for
the vendor. The vendor's answer comes in through "Import reply…"; the dialog then shows it.
A proffer is one small record and a page, so it is written at once, not on a worker thread.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from vrmshare.roster import PROPOSED_FOR_CONTACT_POLICY, roster

from vrmdesk.errors import VrmError
from vrmdesk.share import export, myterms
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard
from vrmdesk.store.services import myterms as service
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.widgets.dates import show_datetime

STATE_TITLES = {
    "proffered": "Proffered",
    "accepted": "Accepted",
    "alternative_offered": "Another offered",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}


class TermsDialog(QDialog):
    """My terms with one vendor: the roster, the preview, the state and history, the actions."""

    def __init__(
        self,
        controller: VaultController,
        vendor_id: int,
        parent: QWidget | None = None,
        *,
        agreement_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller, self.vendor_id = controller, vendor_id
        with controller.session() as session:
            vendor = session.get(m.Vendor, vendor_id)
            if vendor is None:
                raise VrmError("That vendor has been deleted.")
            self.vendor_name, self.age_recipient = vendor.name, vendor.age_recipient
            reasons = [
                b.reason for b in dashboard.over_contact_policy(session) if b.vendor.id == vendor_id
            ]
            sender = export.sender_name(session)
        self.policy_reason = reasons[0] if reasons else ""
        self.setWindowTitle(f"My terms with {self.vendor_name}")

        self.state = QLabel()
        self.state.setAccessibleName("Terms state")
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.agreement = QComboBox()
        self.agreement.setAccessibleName("Agreement")
        for a in roster().values():
            self.agreement.addItem(f"{a.id}: {a.title}", a.id)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Agreement summary")
        self.summary.setReadOnly(True)
        self.summary.setMinimumHeight(170)
        self.sender_name = QLineEdit(sender)
        self.sender_name.setAccessibleName("My name")
        self.sender_name.setPlaceholderText("as the vendor should see it")
        self.encrypt = QCheckBox("Encrypt to the vendor's age key")
        self.encrypt.setEnabled(bool(self.age_recipient))
        self.encrypt.setChecked(bool(self.age_recipient))
        if not self.age_recipient:
            self.encrypt.setToolTip("The vendor's record holds no age recipient (age1…).")
        form = QFormLayout()
        form.addRow("&Agreement:", self.agreement)
        form.addRow("", self.source)
        form.addRow("My &name:", self.sender_name)
        form.addRow("", self.encrypt)

        self.proposal = QLabel()
        self.proposal.setWordWrap(True)
        self.proposal.setAccessibleName("Proposal")
        self.message = QPlainTextEdit()
        self.message.setAccessibleName("Message for the vendor")
        self.message.setReadOnly(True)
        self.message.setMinimumHeight(120)
        self.copy_button = QPushButton("&Copy message")
        self.copy_button.clicked.connect(self.copy_message)
        for widget in (self.proposal, self.message, self.copy_button):
            widget.setVisible(bool(self.policy_reason))

        self.history = QTableWidget(0, 6)
        self.history.setAccessibleName("Terms proffered to this vendor")
        self.history.setHorizontalHeaderLabels(
            ["Agreement", "State", "Other offered", "Proffered", "Answered / withdrawn", "Bundle"]
        )
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.history.setMinimumHeight(110)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.proffer_button = QPushButton("&Proffer…")
        self.proffer_button.setToolTip("Write the signed bundle that proffers this agreement")
        self.proffer_button.setDefault(True)
        self.proffer_button.clicked.connect(lambda: self.proffer())
        self.withdraw_button = QPushButton("&Withdraw")
        self.withdraw_button.setToolTip("Withdraw the agreement proffered to or accepted by them")
        self.withdraw_button.clicked.connect(self.withdraw)
        self.import_button = QPushButton("&Import answer…")
        self.import_button.setToolTip("Import the vendor's signed answer (its reply bundle)")
        self.import_button.clicked.connect(lambda: self.import_answer())
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.proffer_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(form)
        layout.addWidget(self.summary, 2)
        layout.addWidget(self.proposal)
        layout.addWidget(self.message, 1)
        layout.addWidget(QLabel("Proffered before:"))
        layout.addWidget(self.history, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        self.agreement.currentIndexChanged.connect(self.update_preview)
        wanted = agreement_id or (PROPOSED_FOR_CONTACT_POLICY[0] if self.policy_reason else "")
        if wanted:
            self.agreement.setCurrentIndex(max(0, self.agreement.findData(wanted)))
        self.update_preview()
        self.load()
        self.resize(820, 760)
        controller.locked.connect(self.reject)
        controller.changed.connect(self.refresh)

    # -- showing -----------------------------------------------------------------------------
    def chosen(self) -> str:
        return str(self.agreement.currentData())

    def update_preview(self) -> None:
        chosen = roster()[self.chosen()]
        self.summary.setPlainText(chosen.summary)
        self.source.setText(f"Version {chosen.version} · {chosen.source} · {chosen.url}")
        if self.policy_reason:
            proposal = myterms.proposal_for(
                self.vendor_id, self.vendor_name, self.policy_reason, chosen.id
            )
            self.proposal.setText(
                f"{self.vendor_name} is over your contact policy ({self.policy_reason}). "
                f"Proffer {chosen.label}? The message for the vendor, drafted:"
            )
            self.message.setPlainText(proposal.message)

    def load(self) -> None:
        with self.controller.session() as session:
            rows = service.list_agreements(session, self.vendor_id)
        self.history.setRowCount(len(rows))
        for n, r in enumerate(rows):
            ended = r.answered_at or r.withdrawn_at
            cells = [
                f"{r.agreement} v{r.version}",
                STATE_TITLES.get(r.state, r.state),
                r.alternative or "",
                show_datetime(r.proffered_at, utc=True),
                show_datetime(ended, utc=True),
                r.proffer_bundle_id,
            ]
            for col, text in enumerate(cells):
                self.history.setItem(n, col, QTableWidgetItem(text))
        if not rows:
            self.state.setText(f"No terms proffered to {self.vendor_name} yet.")
        else:
            now = rows[0]
            alt = f" ({now.alternative} instead)" if now.alternative else ""
            self.state.setText(
                f"With {self.vendor_name}: {now.agreement} ({now.title}), "
                f"{service.STATE_WORDS[now.state]}{alt}."
            )
        self.withdraw_button.setEnabled(bool(rows) and rows[0].state != "withdrawn")

    # -- acting ------------------------------------------------------------------------------
    def copy_message(self) -> None:
        QGuiApplication.clipboard().setText(self.message.toPlainText())
        self.controller.status.emit("The message is on the clipboard.")

    def default_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        base = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.vendor_name).strip("-").lower() or "vendor"
        return base / f"{slug}-terms-{self.chosen().lower()}-{date.today():%Y-%m-%d}.vrmshare"

    def proffer(self, path: str | None = None) -> Path | None:
        """Ask where (unless ``path`` is given), write the signed proffer, log it, show it."""
        self.error.setText("")
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Proffer my terms", str(self.default_path()), "Share bundles (*.vrmshare)"
            )
            if not path:
                return None
        sender = self.sender_name.text().strip()
        try:
            if sender:
                with self.controller.session() as session:
                    if sender != export.sender_name(session):
                        export.set_sender_name(session, sender)
            result = myterms.proffer(
                self.controller.vault,
                self.vendor_id,
                self.chosen(),
                Path(path),
                encrypt_to=self.age_recipient if self.encrypt.isChecked() else None,
            )
        except VrmError as exc:
            self.error.setText(f"Nothing was proffered: {explain(exc)}")
            return None
        self.controller.notify(
            {"interaction", "disclosure", "terms"},
            f"Proffered {result.agreement.id} to {self.vendor_name}: {result.path.name}.",
        )
        self.load()
        return result.path

    def withdraw(self) -> bool:
        self.error.setText("")
        try:
            with self.controller.session() as session:
                row = service.withdraw(session, self.vendor_id)
                said = f"Withdrew {row.agreement_id} from {self.vendor_name}."
        except VrmError as exc:
            self.error.setText(explain(exc))
            return False
        self.controller.notify({"interaction", "terms"}, said)
        self.load()
        return True

    def import_answer(self, path: str | None = None) -> object:
        """The vendor's reply, through the program's one "Import reply" flow."""
        from vrmdesk.ui.share.import_reply import import_reply_dialog

        return import_reply_dialog(self, self.controller, path)

    def refresh(self, kinds: object) -> None:
        """After an import of the vendor's reply the state and history are read again."""
        if self.controller.is_open:
            self.load()


def open_terms_dialog(
    parent: QWidget, controller: VaultController, vendor_id: int, agreement_id: str | None = None
) -> TermsDialog | None:
    try:
        dialog = TermsDialog(controller, vendor_id, parent, agreement_id=agreement_id)
    except VrmError as exc:
        controller.notify({"*"}, str(exc))
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
