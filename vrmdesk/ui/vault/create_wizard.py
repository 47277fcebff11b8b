"""First run: a wizard that creates a vault.

1. Passphrase, typed twice, with a strength meter (zxcvbn) — a weak one is refused.
2. The vault is made off the UI thread (key derivation is slow on purpose).
3. The recovery key, shown once, with copy, save to file and print, and a confirmation that it
   was kept before the wizard can finish.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from vrmdesk.errors import VrmError
from vrmdesk.store import keystore
from vrmdesk.store.keys import KdfParams
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task, TaskRunner
from vrmdesk.ui.vault.passphrase_widgets import NewPassphraseForm, RecoveryKeyPanel
from vrmdesk.ui.widgets.icons import icon


class PassphrasePage(QWizardPage):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.setTitle("Choose a passphrase")
        self.setSubTitle(
            f"It protects everything in the new vault in {folder}. Several unrelated words "
            "are easy to remember and hard to guess."
        )
        self.form = NewPassphraseForm()
        self.first, self.second = self.form.first, self.form.second
        self.meter, self.advice, self.match = self.form.meter, self.form.advice, self.form.match
        self.remember = QCheckBox("&Remember on this device (OS keyring)")
        available, reason = keystore.availability()
        if not available:
            self.remember.setEnabled(False)
            self.remember.setToolTip(reason)
            self.remember.setText(f"Remember on this device — not available: {reason}")
        self.form.form.addRow("", self.remember)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.form.changed.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return self.form.is_acceptable()


class CreatingPage(QWizardPage):
    """Makes the vault off the UI thread; Next is enabled when it is done."""

    def __init__(self, wizard: CreateVaultWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Creating the vault")
        self.setSubTitle("This takes a few seconds; the vault opens when it is done.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Creating the vault")
        self.message = QLabel("Deriving the key from your passphrase and setting up the vault…")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        self.done = False

    def initializePage(self) -> None:
        if self.done:
            return
        self.wizard_.create_vault(self)

    def finished(self, error: str | None) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if error:
            self.message.setText(f"The vault could not be created: {error}")
        else:
            self.done = True
            self.message.setText("The vault is ready.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done


class RecoveryPage(QWizardPage):
    def __init__(self, wizard: CreateVaultWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Your recovery key")
        self.setSubTitle(
            "If you forget the passphrase, this key is the only way back into the vault. It is "
            "shown only now: print it or save it somewhere safe, away from this computer."
        )
        self.panel = RecoveryKeyPanel(lambda: wizard.folder)
        self.key, self.kept, self.saved_to = self.panel.key, self.panel.kept, self.panel.saved_to
        self.save_to_file, self.text_for_paper = self.panel.save_to_file, self.panel.text_for_paper
        self.panel.kept_changed.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)

    def initializePage(self) -> None:
        self.panel.set_key(self.wizard_.recovery_key)

    def isComplete(self) -> bool:
        return self.kept.isChecked()


class CreateVaultWizard(QWizard):
    """``exec()`` returns Accepted with ``self.vault`` open."""

    def __init__(
        self, folder: Path, parent: QWidget | None = None, *, kdf: KdfParams | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create your vrmdesk vault")
        self.setWindowIcon(icon("vrmdesk", color="#2f6f5e"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)  # as every wizard of the program
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.folder = Path(folder)
        self.kdf = kdf  # tests pass a fast profile; the product calibrates
        self.vault: Vault | None = None
        self.recovery_key = ""
        self.runner = TaskRunner(self)
        self.passphrase_page = PassphrasePage(self.folder)
        self.creating_page = CreatingPage(self)
        self.recovery_page = RecoveryPage(self)
        for page in (self.passphrase_page, self.creating_page, self.recovery_page):
            self.addPage(page)
        self.resize(620, 460)

    def create_vault(self, page: CreatingPage) -> None:
        passphrase = self.passphrase_page.first.text()
        remember = self.passphrase_page.remember.isChecked()
        folder, kdf = self.folder, self.kdf

        def work(task: Task) -> tuple[Vault, str]:
            vault, recovery_key = Vault.create(folder, passphrase, kdf=kdf)
            if remember:
                with contextlib.suppress(VrmError):  # it opens without remembering then
                    vault.remember(True)
            return vault, recovery_key

        def done(result: tuple[Vault, str]) -> None:
            self.vault, self.recovery_key = result
            page.finished(None)
            self.button(QWizard.WizardButton.BackButton).setEnabled(False)

        def failed(exc: BaseException) -> None:
            page.finished(explain(exc))

        self.runner.start(work, on_done=done, on_error=failed, receiver=self)

    def reject(self) -> None:
        if self.vault is not None:  # made but the key not confirmed: keep it, it is usable
            self.vault.close()
            self.vault = None
        super().reject()
