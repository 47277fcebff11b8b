"""What the share wizard's later pages ask of the wizard (so no page module imports it)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from vrmshare.terms import Terms

from vrmdesk.share import choices as ch
from vrmdesk.share import export
from vrmdesk.share import slice as sl


class WizardState(Protocol):
    found: ch.Choices
    busy: bool
    written: export.ExportResult | None

    def terms(self) -> Terms: ...

    def make_preview(self) -> sl.Preview: ...

    def default_path(self) -> Path: ...

    def start_export(self) -> None: ...
