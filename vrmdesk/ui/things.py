"""Things page (placeholder until built)."""

from __future__ import annotations

from vrmdesk.ui.pages import Page


class ThingsPage(Page):
    def show_asset(self, asset_id: int, kind: str | None = None, record_id: int | None = None) -> None:
        pass
