"""The share wizard's selection rules, in the core: what follows a tick, what can be ticked."""

from __future__ import annotations

import pytest

from vrmdesk.share import choices as ch
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault


@pytest.fixture
def found(demo_vault: Vault) -> ch.Choices:
    with demo_vault.session() as s:
        bosch = records.find_vendor(s, "Bosch Home Appliances")
        return ch.choices(s, bosch.id)


def test_unticking_a_thing_takes_what_follows_it_along_and_makes_it_unavailable(found):
    asset = next(c for p, c in found.all() if p is None and c.kind == "asset" and c.children)
    checked = ch.ticked(found, set(), asset.key, True)
    followers = {c.key for c in asset.children if c.follows_parent}
    assert followers and {asset.key, *followers} <= checked
    assert {c.key for c in asset.children} <= ch.available(found, checked)
    unticked = ch.ticked(found, checked, asset.key, False)
    assert not ({asset.key} | followers) & unticked
    assert not {c.key for c in asset.children} & ch.available(found, unticked)
    assert ch.ticked(found, unticked, asset.key, True) == checked  # and back


def test_a_note_is_opt_in_and_keeps_its_tick(found):
    parent = next(
        (c for p, c in found.all() if p is None and any(not k.follows_parent for k in c.children)),
        None,
    )
    if parent is None:
        pytest.skip("the demo vendor has no note under a record")
    note = next(k for k in parent.children if not k.follows_parent)
    checked = ch.ticked(found, set(), parent.key, True)
    assert note.key not in checked  # a note is never ticked for me
    checked.add(note.key)
    assert note.key in ch.ticked(found, checked, parent.key, False)  # kept, but not available
    assert note.key not in ch.available(found, ch.ticked(found, checked, parent.key, False))


def test_every_top_entry_is_available(found):
    tops = {c.key for p, c in found.all() if p is None}
    assert tops <= ch.available(found, set())
    assert all(
        kind in {"asset", "ticket", "interaction", "agreement", "vendor_note"} for kind, _ in tops
    )
