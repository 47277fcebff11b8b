"""A device added to a vault with records receives the catch-up and does not send the others'
changes back as a catch-up of its own (it had nothing of its own when it was paired)."""

from __future__ import annotations

from pathlib import Path

from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault
from vrmdesk.sync import engine

PASSPHRASE = "correct horse battery staple"


def test_a_new_device_does_not_send_back_what_it_caught_up_on(tmp_path: Path) -> None:
    old, _ = Vault.create(tmp_path / "old", PASSPHRASE, kdf=keys.fast_params_for_tests())
    new, _ = Vault.create(tmp_path / "new", PASSPHRASE, kdf=keys.fast_params_for_tests())
    try:
        with old.session() as s:
            for i in range(5):
                records.create(s, m.Vendor, name=f"Vendor {i}")
        shared = tmp_path / "shared"
        engine.init(old, shared, name="desktop")
        engine.init(new, shared, name="laptop")
        engine.pair(old, engine.read_code(engine.own_code(new)))
        engine.pair(new, engine.read_code(engine.own_code(old)))
        assert engine.sync_now(old).sent == 5
        first = engine.sync_now(new)
        assert (first.sent, first.applied) == (0, 5)
        again = engine.sync_now(new)
        assert (again.sent, again.sets_sent) == (0, 0)
        assert engine.sync_now(old).applied == 0
        with new.session() as s:
            records.create(s, m.Vendor, name="Made on the laptop")
        assert engine.sync_now(new).sent == 1
        assert engine.sync_now(old).applied == 1
    finally:
        old.close()
        new.close()
