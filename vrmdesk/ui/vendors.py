"""Vendors page (placeholder until built)."""

from __future__ import annotations

from vrmdesk.ui.pages import Page


class VendorsPage(Page):
    def show_vendor(self, vendor_id: int, kind: str | None = None, record_id: int | None = None) -> None:
        pass

    def current_vendor_id(self) -> int | None:
        return None
