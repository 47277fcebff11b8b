"""The share preview's words for a bundle's keys and values."""

from __future__ import annotations

import pytest

from vrmdesk.share.field_words import field_label, value_text


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("contactPoint[1].contactType", "Contact 1 — type"),
        ("contactPoint[2].vrm:value", "Contact 2 — address"),
        ("vrm:status", "Status"),
        ("vrm:purchase.priceCurrency", "Purchase — currency"),
        ("serialNumber", "Serial number"),
        ("vrm:somethingNew", "Something new"),
    ],
)
def test_keys_read_as_words(key: str, label: str) -> None:
    assert field_label(key) == label


def test_choices_and_directions_read_as_words() -> None:
    assert value_text("vrm:status", "in_use") == "in use"
    assert value_text("contactPoint[1].contactType", "web_portal") == "web portal"
    assert value_text("vrm:direction", "inbound") == "from them"
    assert value_text("name", "in_use") == "in_use"  # a name stays as written
